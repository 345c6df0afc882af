//! Where the ray caster's time goes at scale, measured on the CPU: how long the tiles' leaf
//! lists are, how many of the slab tests a ray makes on its tile's list miss the leaf, and how
//! many samples a ray takes per leaf it does cross (`amrcast bench` prints them).
//!
//! Every ray of a tile walks the tile's whole list (src/tiles.rs, shaders/raycast.wgsl), so
//! the work per ray is one slab test per list entry plus the samples of the leaves it crosses.
//! The counts here replay that walk in double precision for every pixel, without early ray
//! termination (they are what a ray that never turns opaque does).

use crate::camera::{intersect_box, RayModel};
use crate::tiles::{TileLists, TILE};
use glam::DVec3;

/// Counts of one frame's tile lists and of the rays that walk them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TileStats {
    /// Tiles of the image.
    pub tiles: u64,
    /// List entries over all tiles.
    pub entries: u64,
    /// The longest list.
    pub max_list: u64,
    /// Rays (pixels) replayed.
    pub rays: u64,
    /// Slab tests the rays make: the length of each ray's tile list, summed.
    pub slab_tests: u64,
    /// Slab tests whose ray crosses the leaf.
    pub hits: u64,
    /// Samples the rays take in the leaves they cross.
    pub samples: u64,
}

impl TileStats {
    /// Replays every ray of an image of `size` pixels with rays `rays` (normalised frame) over
    /// `lists`; `boxes` and `cells` are each leaf's box and cell size in that frame, and each
    /// crossed leaf takes `ceil(length * samples_per_cell / cell)` samples (at least one), as
    /// the shader does.
    pub fn measure(
        lists: &TileLists,
        boxes: &[[[f32; 3]; 2]],
        cells: &[f32],
        rays: &RayModel,
        size: [u32; 2],
        samples_per_cell: f64,
    ) -> TileStats {
        let mut s = TileStats {
            tiles: lists.tiles_x as u64 * lists.tiles_y as u64,
            entries: lists.leaves.len() as u64,
            ..TileStats::default()
        };
        for w in lists.start.windows(2) {
            s.max_list = s.max_list.max((w[1] - w[0]) as u64);
        }
        for py in 0..size[1] {
            for px in 0..size[0] {
                let t = (py / TILE * lists.tiles_x + px / TILE) as usize;
                let list = &lists.leaves[lists.start[t] as usize..lists.start[t + 1] as usize];
                let (o, d) = rays.ray(px as f64 + 0.5, py as f64 + 0.5);
                s.rays += 1;
                s.slab_tests += list.len() as u64;
                for &l in list {
                    let b = &boxes[l as usize];
                    let lo = DVec3::from(b[0].map(f64::from));
                    let hi = DVec3::from(b[1].map(f64::from));
                    if let Some((t0, t1)) = intersect_box(o, d, lo, hi) {
                        s.hits += 1;
                        let n = ((t1 - t0) * samples_per_cell / cells[l as usize] as f64).ceil();
                        s.samples += n.max(1.0) as u64;
                    }
                }
            }
        }
        s
    }

    /// Mean list entries per tile.
    pub fn mean_list(&self) -> f64 {
        self.entries as f64 / self.tiles.max(1) as f64
    }

    /// Fraction of the slab tests that miss their leaf.
    pub fn miss_fraction(&self) -> f64 {
        1.0 - self.hits as f64 / self.slab_tests.max(1) as f64
    }

    /// Mean samples per leaf a ray crosses.
    pub fn samples_per_hit(&self) -> f64 {
        self.samples as f64 / self.hits.max(1) as f64
    }
}
