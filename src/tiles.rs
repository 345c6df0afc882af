//! Screen tiles and the leaves each one must visit, front to back.
//!
//! The ray caster gives each workgroup one tile of `TILE` x `TILE` pixels. Instead of walking
//! the kd-tree per ray, every ray of a tile walks the same list: the visible leaves whose
//! projection touches the tile, in an order that is front to back for every ray of the image.
//! All lanes then work on the same leaf at the same time, with no traversal stack, which on a
//! SIMD CPU adapter (lavapipe, llvmpipe) is several times faster than a divergent tree walk.
//!
//! The order comes from the kd-tree: at each split the child on the camera's side comes first.
//! For a pinhole (all rays from one eye) that is the side of the eye; for parallel rays (the
//! plane lens and its stereo shear) it is the side the rays come from. Either way one order is
//! right for every ray of the image, because the leaves do not overlap.

mod footprint;

use crate::bricks::{BrickLayout, NODE_EMPTY, NODE_LEAF};
use crate::camera::RayModel;
use footprint::Footprint;
use glam::DVec3;

/// Side of a screen tile in pixels; the ray caster's workgroup is `TILE` x `TILE`.
///
/// Keep in sync with `TILE` in shaders/raycast.wgsl (checked by the tests of
/// src/gpu/shader_contract.rs).
pub const TILE: u32 = 8;

/// Leaf lists per tile in compressed rows: tile `i` visits `leaves[start[i]..start[i + 1]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileLists {
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub start: Vec<u32>,
    pub leaves: Vec<u32>,
}

/// How the rays of a [`RayModel`] are arranged, which decides the visiting order.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Rays {
    /// All rays leave one point.
    Pinhole(DVec3),
    /// All rays share one direction.
    Parallel(DVec3),
    /// Neither (no lens makes such rays): ordered from the centre ray's origin, and every
    /// leaf covers every tile.
    Other(DVec3),
}

impl Rays {
    fn of(rays: &RayModel, size: [u32; 2]) -> Rays {
        if rays.ox == DVec3::ZERO && rays.oy == DVec3::ZERO {
            Rays::Pinhole(rays.o0)
        } else if rays.dx == DVec3::ZERO && rays.dy == DVec3::ZERO {
            Rays::Parallel(rays.d0)
        } else {
            let (o, _) = rays.ray(size[0] as f64 / 2.0, size[1] as f64 / 2.0);
            Rays::Other(o)
        }
    }

    /// Whether the child above a split at `split` on `axis` comes first.
    fn upper_first(&self, axis: usize, split: f64) -> bool {
        match *self {
            Rays::Pinhole(eye) | Rays::Other(eye) => eye[axis] > split,
            Rays::Parallel(d) => d[axis] < 0.0,
        }
    }
}

/// Whether the side above a plane at `split` across `axis` comes first for the rays `rays` of
/// an image of `size` pixels (both in one frame): the rule of the kd-tree's order, for other
/// partitions by planes (the pieces of [`crate::cluster`]).
pub fn upper_side_first(rays: &RayModel, size: [u32; 2], axis: usize, split: f64) -> bool {
    Rays::of(rays, size).upper_first(axis, split)
}

/// Box of every leaf in the normalised frame (domain from 0, largest side 1), as the ray
/// caster's slab test sees it: faces shared by two leaves have the same value in both.
pub fn leaf_boxes(layout: &BrickLayout, fine_dx: DVec3) -> Vec<[[f32; 3]; 2]> {
    let unit = [0, 1, 2].map(|a| fine_dx[a] / layout.scale);
    layout
        .leaves
        .iter()
        .map(|l| {
            [
                [0, 1, 2].map(|a| (l.lo[a] as f64 * unit[a]) as f32),
                [0, 1, 2].map(|a| (l.hi[a] as f64 * unit[a]) as f32),
            ]
        })
        .collect()
}

/// Leaves whose node is visible, in front-to-back order for rays arranged as `rays`, into
/// `order` (`stack` is scratch space).
fn front_to_back(
    layout: &BrickLayout,
    node_visible: &[u32],
    rays: Rays,
    order: &mut Vec<u32>,
    stack: &mut Vec<u32>,
) {
    order.clear();
    stack.clear();
    if layout.nodes.is_empty() {
        return;
    }
    stack.push(0);
    while let Some(i) = stack.pop() {
        let n = layout.nodes[i as usize];
        if node_visible.get(i as usize).is_some_and(|&v| v == 0) {
            continue;
        }
        match n.kind {
            NODE_LEAF => order.push(n.a),
            NODE_EMPTY => {}
            axis => {
                let (first, second) = if rays.upper_first(axis as usize, n.split as f64) {
                    (n.b, n.a)
                } else {
                    (n.a, n.b)
                };
                stack.push(second);
                stack.push(first);
            }
        }
    }
}

/// The leaves whose node is visible, in the order every ray of an image of `size` pixels with
/// rays `rays` (normalised frame) meets them: front to back.
pub fn visiting_order(
    layout: &BrickLayout,
    node_visible: &[u32],
    rays: &RayModel,
    size: [u32; 2],
) -> Vec<u32> {
    let (mut order, mut stack) = (Vec::new(), Vec::new());
    front_to_back(
        layout,
        node_visible,
        Rays::of(rays, size),
        &mut order,
        &mut stack,
    );
    order
}

impl TileLists {
    /// The lists for an image of `size` pixels whose rays are `rays` (in the normalised frame,
    /// like `boxes`), over the leaves whose node is visible.
    pub fn build(
        layout: &BrickLayout,
        boxes: &[[[f32; 3]; 2]],
        node_visible: &[u32],
        rays: &RayModel,
        size: [u32; 2],
    ) -> TileLists {
        let mut builder = TileListBuilder::default();
        builder.build(layout, boxes, node_visible, rays, size);
        builder.lists
    }
}

/// Builds [`TileLists`] frame after frame into the same vectors: the ray caster keeps one per
/// frame slot, so that an interactive frame allocates nothing once the vectors have grown.
#[derive(Debug, Default)]
pub struct TileListBuilder {
    /// The lists of the last build.
    pub lists: TileLists,
    order: Vec<u32>,
    stack: Vec<u32>,
    /// The tiles each leaf of the order touches, leaf after leaf, and where each leaf's start.
    covered: Vec<u32>,
    spans: Vec<u32>,
    next: Vec<u32>,
}

impl TileListBuilder {
    /// Rebuilds [`TileListBuilder::lists`] as [`TileLists::build`] does, and returns them.
    pub fn build(
        &mut self,
        layout: &BrickLayout,
        boxes: &[[[f32; 3]; 2]],
        node_visible: &[u32],
        rays: &RayModel,
        size: [u32; 2],
    ) -> &TileLists {
        let kind = Rays::of(rays, size);
        front_to_back(layout, node_visible, kind, &mut self.order, &mut self.stack);
        let order = std::mem::take(&mut self.order);
        self.build_from(&order, boxes, rays, kind, size);
        self.order = order;
        &self.lists
    }

    /// The lists for the leaves `order`, already front to back for `rays` (one pass of a
    /// render made in several, see src/gpu/passes.rs).
    pub fn build_ordered(
        &mut self,
        order: &[u32],
        boxes: &[[[f32; 3]; 2]],
        rays: &RayModel,
        size: [u32; 2],
    ) -> &TileLists {
        self.build_from(order, boxes, rays, Rays::of(rays, size), size);
        &self.lists
    }

    fn build_from(
        &mut self,
        order: &[u32],
        boxes: &[[[f32; 3]; 2]],
        rays: &RayModel,
        kind: Rays,
        size: [u32; 2],
    ) {
        let tiles_x = size[0].div_ceil(TILE).max(1);
        let tiles_y = size[1].div_ceil(TILE).max(1);
        // The tiles of each leaf of `order`: covered[spans[i]..spans[i + 1]].
        self.covered.clear();
        self.spans.clear();
        for &l in order {
            self.spans.push(self.covered.len() as u32);
            let Some(f) = Footprint::of(rays, kind, &boxes[l as usize], size) else {
                continue;
            };
            for ty in f.rect[2]..=f.rect[3] {
                for tx in f.rect[0]..=f.rect[1] {
                    if f.touches(tx, ty, size) {
                        self.covered.push(ty * tiles_x + tx);
                    }
                }
            }
        }
        self.spans.push(self.covered.len() as u32);
        let ntiles = (tiles_x * tiles_y) as usize;
        let lists = &mut self.lists;
        (lists.tiles_x, lists.tiles_y) = (tiles_x, tiles_y);
        let start = &mut lists.start;
        start.clear();
        start.resize(ntiles + 1, 0);
        for &t in &self.covered {
            start[t as usize + 1] += 1;
        }
        for i in 0..ntiles {
            start[i + 1] += start[i];
        }
        self.next.clear();
        self.next.extend_from_slice(&start[..ntiles]);
        lists.leaves.clear();
        lists.leaves.resize(start[ntiles] as usize, 0);
        for (i, &l) in order.iter().enumerate() {
            let tiles = &self.covered[self.spans[i] as usize..self.spans[i + 1] as usize];
            for &t in tiles {
                lists.leaves[self.next[t as usize] as usize] = l;
                self.next[t as usize] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::{Camera, Lens, View};
    use crate::formats::DataSource;

    fn demo_layout() -> (BrickLayout, Vec<[[f32; 3]; 2]>) {
        let demo = crate::demo::Demo::new().unwrap();
        let h = demo.hierarchy();
        let layout = BrickLayout::build(h).unwrap();
        let boxes = leaf_boxes(&layout, h.cell_size(layout.fine_level));
        (layout, boxes)
    }

    /// Leaves a ray meets (in the order it meets them), with segments longer than `min_len`.
    /// As in the shader, a direction component of zero counts as a tiny positive one, so a ray
    /// lying in the face between two leaves belongs to the upper one only.
    fn leaves_on_ray(boxes: &[[[f32; 3]; 2]], o: DVec3, d: DVec3, min_len: f64) -> Vec<u32> {
        let d = DVec3::from(
            d.to_array()
                .map(|c| if c.abs() < 1e-12 { 1e-12 } else { c }),
        );
        let mut hits: Vec<(f64, u32)> = boxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let lo = DVec3::from(b[0].map(f64::from));
                let hi = DVec3::from(b[1].map(f64::from));
                let (ta, tb) = ((lo - o) / d, (hi - o) / d);
                let t0 = ta.min(tb).max_element().max(0.0);
                let t1 = ta.max(tb).min_element();
                (t1 - t0 > min_len).then_some((t0, i as u32))
            })
            .collect();
        hits.sort_by(|a, b| a.0.total_cmp(&b.0));
        hits.into_iter().map(|(_, i)| i).collect()
    }

    /// Every leaf a pixel's ray crosses is in the pixel's tile list, in the order the ray
    /// crosses them.
    fn check_lists(layout: &BrickLayout, boxes: &[[[f32; 3]; 2]], cam: &Camera) {
        let (w, h) = (61, 47);
        let rays = cam
            .ray_model(w, h)
            .unwrap()
            .to_frame(layout.origin, layout.scale);
        let visible = vec![1u32; layout.nodes.len()];
        let lists = TileLists::build(layout, boxes, &visible, &rays, [w, h]);
        assert_eq!((lists.tiles_x, lists.tiles_y), (8, 6));
        let mut checked = 0;
        for py in (0..h).step_by(3) {
            for px in (0..w).step_by(2) {
                let (o, d) = rays.ray(px as f64 + 0.5, py as f64 + 0.5);
                let want = leaves_on_ray(boxes, o, d, 1e-6);
                let t = (py / TILE * lists.tiles_x + px / TILE) as usize;
                let list = &lists.leaves[lists.start[t] as usize..lists.start[t + 1] as usize];
                let positions: Vec<usize> = want
                    .iter()
                    .map(|l| {
                        list.iter().position(|x| x == l).unwrap_or_else(|| {
                            panic!("{cam:?}: pixel ({px}, {py}) crosses leaf {l}, not in its tile")
                        })
                    })
                    .collect();
                assert!(
                    positions.windows(2).all(|p| p[0] < p[1]),
                    "{cam:?}: pixel ({px}, {py}) meets leaves {want:?} in list order {positions:?}"
                );
                checked += want.len();
            }
        }
        assert!(checked > 500, "only {checked} leaf crossings checked");
    }

    #[test]
    fn tile_lists_hold_every_crossed_leaf_front_to_back() {
        let (layout, boxes) = demo_layout();
        let centre = DVec3::splat(0.5);
        let oblique = |lens, position: DVec3| Camera {
            position,
            focus: centre,
            up: DVec3::new(0.2, 1.0, 0.1),
            lens,
            width: 0.9,
            fov: 50.0,
        };
        let cams = [
            Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 61.0 / 47.0),
            Camera::framing(View::NegX, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.3),
            oblique(Lens::Plane, DVec3::new(2.0, 1.3, -0.7)),
            oblique(Lens::Perspective, DVec3::new(1.6, -0.4, 1.2)),
            // Inside the domain, in the refined centre: leaves lie on every side of the eye.
            oblique(Lens::Perspective, DVec3::new(0.55, 0.47, 0.52)),
        ];
        for cam in &cams {
            check_lists(&layout, &boxes, cam);
        }
    }

    /// The lists are tight: a tile holds a leaf only when a ray of the tile crosses it, but
    /// for rays that pass within the footprint's margin of a leaf's edge. (The cameras are
    /// off the demo's centre, where rays of a centred one run exactly along split planes and
    /// belong to the leaves on one side only.)
    #[test]
    fn tiles_hold_few_leaves_their_rays_miss() {
        let (layout, boxes) = demo_layout();
        let visible = vec![1u32; layout.nodes.len()];
        let (w, h) = (61, 47);
        let shift = DVec3::new(3.1e-3, 1.7e-3, 0.0);
        let mut on_axis =
            Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 61.0 / 47.0);
        on_axis.position += shift;
        on_axis.focus += shift;
        let cams = [
            on_axis,
            Camera {
                position: DVec3::new(2.0, 1.3, -0.7),
                focus: DVec3::splat(0.5) + shift,
                up: DVec3::new(0.2, 1.0, 0.1),
                lens: Lens::Plane,
                width: 0.9,
                fov: 50.0,
            },
        ];
        for cam in &cams {
            let rays = cam
                .ray_model(w, h)
                .unwrap()
                .to_frame(layout.origin, layout.scale);
            let lists = TileLists::build(&layout, &boxes, &visible, &rays, [w, h]);
            let (mut pairs, mut missed) = (0, 0);
            for ty in 0..lists.tiles_y {
                for tx in 0..lists.tiles_x {
                    let t = (ty * lists.tiles_x + tx) as usize;
                    let list = &lists.leaves[lists.start[t] as usize..lists.start[t + 1] as usize];
                    let mut crossed = std::collections::HashSet::new();
                    for py in ty * TILE..((ty + 1) * TILE).min(h) {
                        for px in tx * TILE..((tx + 1) * TILE).min(w) {
                            let (o, d) = rays.ray(px as f64 + 0.5, py as f64 + 0.5);
                            crossed.extend(leaves_on_ray(&boxes, o, d, 0.0));
                        }
                    }
                    pairs += list.len();
                    missed += list.iter().filter(|l| !crossed.contains(l)).count();
                }
            }
            assert!(pairs > 200, "{cam:?}: {pairs} list entries");
            assert!(
                missed * 50 <= pairs,
                "{cam:?}: {missed} of {pairs} list entries are leaves no ray of the tile crosses"
            );
        }
    }

    #[test]
    fn hidden_leaves_are_left_out_and_other_rays_visit_everything() {
        let (layout, boxes) = demo_layout();
        let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        let rays = cam
            .ray_model(32, 32)
            .unwrap()
            .to_frame(layout.origin, layout.scale);
        let even = layout.node_visibility(|l| l % 2 == 0);
        let lists = TileLists::build(&layout, &boxes, &even, &rays, [32, 32]);
        assert!(!lists.leaves.is_empty());
        assert!(lists.leaves.iter().all(|l| l % 2 == 0));
        // Rays that are neither from one point nor parallel: every visible leaf everywhere.
        let mixed = RayModel {
            dx: DVec3::new(1e-3, 0.0, 0.0),
            ..rays
        };
        let all = vec![1u32; layout.nodes.len()];
        let lists = TileLists::build(&layout, &boxes, &all, &mixed, [32, 32]);
        assert_eq!(lists.leaves.len(), 16 * layout.leaves.len());
    }

    #[test]
    fn a_reused_builder_builds_what_a_fresh_one_does() {
        let (layout, boxes) = demo_layout();
        let visible = vec![1u32; layout.nodes.len()];
        let mut builder = TileListBuilder::default();
        let frames = [
            (View::Z, Lens::Plane, [64, 48]),
            (View::NegX, Lens::Perspective, [13, 70]),
            (View::Y, Lens::Perspective, [33, 9]),
            (View::Z, Lens::Plane, [64, 48]),
        ];
        for (view, lens, [w, h]) in frames {
            let cam = Camera::framing(view, lens, DVec3::ZERO, DVec3::ONE, w as f64 / h as f64);
            let rays = cam
                .ray_model(w, h)
                .unwrap()
                .to_frame(layout.origin, layout.scale);
            let fresh = TileLists::build(&layout, &boxes, &visible, &rays, [w, h]);
            assert!(!fresh.leaves.is_empty());
            assert_eq!(
                builder.build(&layout, &boxes, &visible, &rays, [w, h]),
                &fresh
            );
        }
    }
}
