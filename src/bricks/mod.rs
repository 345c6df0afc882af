//! Bricks, the atlas layout and the kd-tree of leaves, free of GPU code.
//!
//! - Each grid is cut into **bricks** of at most [`BRICK`] cells per axis, and neighbouring
//!   bricks of one level that share a whole face are merged while they fit (small grids would
//!   otherwise give a leaf every few samples: src/bricks/merge.rs). A brick is stored with a
//!   one-cell border taken from the AMR model's [`AmrDataset::cell_value`] (a neighbour of the
//!   same level, else the coarser level interpolated there), so hardware trilinear filtering
//!   inside one brick is continuous with its neighbours: no seams between bricks or levels.
//! - Bricks live in a **pool** of equal slots ([`SlotPool`]) sized by a memory budget, with a
//!   page table from bricks to slots; a render whose bricks do not fit is made in passes
//!   ([`split_passes`]) over the front-to-back order of the leaves.
//! - A **kd-tree** splits the domain at grid faces until every leaf is covered by exactly one
//!   brick of the finest level there (yt's AMRKDTree idea); leaves larger than [`LEAF`] cells are
//!   split further so that empty-space skipping works at that granularity. Rays walk the tree
//!   front to back, so every sample comes from the finest data.
//!
//! [`AmrDataset::cell_value`]: crate::amr::AmrDataset::cell_value

mod cut;
mod fill;
mod kdtree;
mod merge;
mod passes;
mod pool;

pub use fill::fill_threads;
pub use passes::{bricks_of, split_passes};
pub use pool::SlotPool;

use crate::amr::AmrHierarchy;
use crate::error::Result;
use cut::split_axis;
use kdtree::TreeBuilder;

/// Largest brick interior, cells per axis.
pub const BRICK: i64 = 32;
/// Largest leaf, cells of its level per axis.
pub const LEAF: i64 = 32;
/// Deepest kd-tree the builder makes (a guard against runaway recursion on odd layouts).
pub const MAX_DEPTH: usize = 128;

/// A box of one level's cells (in one grid, or in neighbouring grids of that level), stored
/// in a pool slot with a one-cell border.
#[derive(Clone, Debug, PartialEq)]
pub struct Brick {
    /// The grid of the brick's first cell (bricks are read and loaded in grid order).
    pub grid: usize,
    pub level: u32,
    /// First interior cell, global index at `level`.
    pub start: [i64; 3],
    /// Interior cells per axis.
    pub dims: [i64; 3],
}

impl Brick {
    /// Stored size including the border.
    pub fn stored(&self) -> [u32; 3] {
        self.dims.map(|d| d as u32 + 2)
    }
}

/// A kd-tree node as the shader reads it (16 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Node {
    /// Split position (normalised frame) for inner nodes.
    pub split: f32,
    /// 0, 1, 2: split axis; 3: leaf; 4: empty (no data).
    pub kind: u32,
    /// Inner: child below the split; leaf: leaf index.
    pub a: u32,
    /// Inner: child above the split.
    pub b: u32,
}

pub const NODE_LEAF: u32 = 3;
pub const NODE_EMPTY: u32 = 4;

/// A leaf: a box covered by one brick.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    pub brick: usize,
    /// Box in cells of the finest level, `[lo, hi)`.
    pub lo: [i64; 3],
    pub hi: [i64; 3],
}

/// Geometry of the bricks and tree for one hierarchy.
#[derive(Clone, Debug)]
pub struct BrickLayout {
    pub bricks: Vec<Brick>,
    pub leaves: Vec<Leaf>,
    pub nodes: Vec<Node>,
    pub depth: usize,
    /// The finest level, whose lattice the tree's boxes use.
    pub fine_level: u32,
    /// Per level: finest-level cells per cell of that level, per axis.
    pub level_scale: Vec<[i64; 3]>,
    /// Normalised frame: `p' = (p - origin) / scale`, the domain becomes `[0, width / scale]`.
    pub origin: glam::DVec3,
    pub scale: f64,
}

impl BrickLayout {
    /// Cuts and indexes a hierarchy.
    pub fn build(h: &AmrHierarchy) -> Result<Self> {
        let mut bricks = Vec::new();
        for n in 0..h.grids.len() {
            let (s, e) = h.index_box(n);
            let parts: Vec<Vec<(i64, i64)>> = (0..3).map(|a| split_axis(e[a] - s[a])).collect();
            for &(z0, nz) in &parts[2] {
                for &(y0, ny) in &parts[1] {
                    for &(x0, nx) in &parts[0] {
                        bricks.push(Brick {
                            grid: n,
                            level: h.grids[n].level,
                            start: [s[0] + x0, s[1] + y0, s[2] + z0],
                            dims: [nx, ny, nz],
                        });
                    }
                }
            }
        }
        let bricks = merge::merge_bricks(bricks);
        let fine_level = h.max_level();
        let width = h.domain_width();
        let scale = width.max_element();
        let mut layout = BrickLayout {
            bricks,
            leaves: Vec::new(),
            nodes: Vec::new(),
            depth: 0,
            fine_level,
            level_scale: (0..=fine_level)
                .map(|l| h.factor_between(l, fine_level))
                .collect(),
            origin: h.domain_left,
            scale,
        };
        let boxes: Vec<([i64; 3], [i64; 3], u32)> = layout
            .bricks
            .iter()
            .map(|b| {
                let m = layout.level_scale[b.level as usize];
                (
                    [0, 1, 2].map(|a| b.start[a] * m[a]),
                    [0, 1, 2].map(|a| (b.start[a] + b.dims[a]) * m[a]),
                    b.level,
                )
            })
            .collect();
        let root_hi = h.level_dims(fine_level);
        let all: Vec<u32> = (0..boxes.len() as u32).collect();
        let fine_dx = h.cell_size(fine_level);
        let mut builder = TreeBuilder {
            boxes: &boxes,
            nodes: Vec::new(),
            leaves: Vec::new(),
            depth: 0,
            level_scale: &layout.level_scale,
            split_scale: [0, 1, 2].map(|a| fine_dx[a] / scale),
        };
        builder.build([0; 3], root_hi, all, 1)?;
        layout.depth = builder.depth;
        layout.nodes = builder.nodes;
        layout.leaves = builder.leaves;
        Ok(layout)
    }

    /// The largest stored brick along each axis: the size of a pool slot.
    pub fn slot_dims(&self) -> [u32; 3] {
        let mut d = [1u32; 3];
        for b in &self.bricks {
            let s = b.stored();
            d = [0, 1, 2].map(|a| d[a].max(s[a]));
        }
        d
    }

    /// Bytes of the values of every brick with its border (what an unbounded pool of
    /// `slot_dims` slots would need is [`SlotPool`]'s concern).
    pub fn stored_bytes(&self) -> u64 {
        self.bricks
            .iter()
            .map(|b| 4 * b.stored().iter().map(|&v| v as u64).product::<u64>())
            .sum()
    }

    /// Per leaf, as the shader reads it: box, cell size and texture transform in the
    /// normalised frame, `[lo, cell, hi, 0, s, 0, o, 0]` with texture coordinate `p * s + o`
    /// into `pool`'s texture; `boxes` are the leaves' boxes from [`crate::tiles::leaf_boxes`].
    /// Leaves whose brick is not resident get a transform of zero (no render visits them).
    pub fn gpu_leaves(
        &self,
        h: &AmrHierarchy,
        boxes: &[[[f32; 3]; 2]],
        pool: &SlotPool,
    ) -> Vec<[f32; 16]> {
        let t = pool.texture_dims();
        let dims = glam::DVec3::new(t[0] as f64, t[1] as f64, t[2] as f64);
        self.leaves
            .iter()
            .zip(boxes)
            .map(|(l, [lo, hi])| {
                let b = &self.bricks[l.brick];
                let dx = h.cell_size(b.level);
                let cell = (dx / self.scale).min_element();
                let (s, o) = match pool.slot(l.brick) {
                    Some(slot) => {
                        let at = pool.origin(slot);
                        let corner = glam::DVec3::new(
                            at[0] as f64 + 1.0 - b.start[0] as f64,
                            at[1] as f64 + 1.0 - b.start[1] as f64,
                            at[2] as f64 + 1.0 - b.start[2] as f64,
                        );
                        (self.scale / dx / dims, corner / dims)
                    }
                    None => (glam::DVec3::ZERO, glam::DVec3::ZERO),
                };
                [
                    lo[0],
                    lo[1],
                    lo[2],
                    cell as f32,
                    hi[0],
                    hi[1],
                    hi[2],
                    0.0,
                    s.x as f32,
                    s.y as f32,
                    s.z as f32,
                    0.0,
                    o.x as f32,
                    o.y as f32,
                    o.z as f32,
                    0.0,
                ]
            })
            .collect()
    }

    /// The leaves of each brick.
    pub fn brick_leaves(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.bricks.len()];
        for (i, l) in self.leaves.iter().enumerate() {
            out[l.brick].push(i as u32);
        }
        out
    }

    /// Node visibility for a leaf predicate: a node is drawn when any leaf below it is.
    pub fn node_visibility(&self, leaf_visible: impl Fn(usize) -> bool) -> Vec<u32> {
        let mut vis = vec![0u32; self.nodes.len()];
        // Children always follow their parent, so a reverse sweep sees them first.
        for i in (0..self.nodes.len()).rev() {
            let n = self.nodes[i];
            vis[i] = match n.kind {
                NODE_LEAF => u32::from(leaf_visible(n.a as usize)),
                NODE_EMPTY => 0,
                _ => vis[n.a as usize] | vis[n.b as usize],
            };
        }
        vis
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::{AmrDataset, AmrField, AmrGrid};
    use glam::DVec3;

    pub(super) fn layout() -> (AmrDataset, BrickLayout) {
        let g = |id, level, l: [f64; 3], r: [f64; 3], dims| AmrGrid {
            id,
            level,
            left: DVec3::from(l),
            right: DVec3::from(r),
            dims,
        };
        let h = AmrHierarchy::new(
            DVec3::ZERO,
            DVec3::ONE,
            [40, 8, 8],
            2,
            vec![
                g(1, 0, [0.0; 3], [1.0; 3], [40, 8, 8]),
                g(2, 1, [0.25, 0.25, 0.25], [0.5, 0.75, 0.75], [20, 8, 8]),
                g(3, 1, [0.5, 0.25, 0.25], [0.75, 0.5, 0.5], [20, 4, 4]),
            ],
        )
        .unwrap();
        let data = h
            .grids
            .iter()
            .map(|gr| {
                let dx = gr.cell_size();
                let mut v = Vec::new();
                for k in 0..gr.dims[2] {
                    for j in 0..gr.dims[1] {
                        for i in 0..gr.dims[0] {
                            let p = gr.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * dx;
                            v.push((1.0 + p.x + 2.0 * p.y + 3.0 * p.z) as f32);
                        }
                    }
                }
                v
            })
            .map(Into::into)
            .collect();
        let ds = AmrDataset::new(
            "t",
            h,
            AmrField {
                name: "f".into(),
                data,
            },
        )
        .unwrap();
        let l = BrickLayout::build(&ds.hierarchy).unwrap();
        (ds, l)
    }

    #[test]
    fn visibility_propagates_up() {
        let (_, l) = layout();
        let vis = l.node_visibility(|i| i == 0);
        assert_eq!(vis[0], 1);
        assert_eq!(
            vis.iter().filter(|&&v| v == 1).count(),
            l.depth_of_leaf(0) + 1
        );
        let none = l.node_visibility(|_| false);
        assert!(none.iter().all(|&v| v == 0));
    }

    impl BrickLayout {
        fn depth_of_leaf(&self, leaf: usize) -> usize {
            fn walk(l: &BrickLayout, n: usize, leaf: usize, d: usize) -> Option<usize> {
                let node = l.nodes[n];
                match node.kind {
                    NODE_LEAF => (node.a as usize == leaf).then_some(d),
                    NODE_EMPTY => None,
                    _ => walk(l, node.a as usize, leaf, d + 1)
                        .or_else(|| walk(l, node.b as usize, leaf, d + 1)),
                }
            }
            walk(self, 0, leaf, 0).unwrap()
        }
    }
}
