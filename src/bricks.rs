//! Bricks, the atlas layout and the kd-tree of leaves, free of GPU code.
//!
//! - Each grid is cut into **bricks** of at most [`BRICK`] cells per axis. A brick is stored
//!   with a one-cell border taken from the AMR model's [`AmrDataset::cell_value`] (a neighbour of
//!   the same level, else the coarser level interpolated there), so hardware trilinear filtering
//!   inside one brick is continuous with its neighbours: no seams between bricks or levels.
//! - Bricks are packed into one 3D **atlas** whose size follows the adapter's limits.
//! - A **kd-tree** splits the domain at grid faces until every leaf is covered by exactly one
//!   brick of the finest level there (yt's AMRKDTree idea); leaves larger than [`LEAF`] cells are
//!   split further so that empty-space skipping works at that granularity. Rays walk the tree
//!   front to back, so every sample comes from the finest data.

use crate::amr::AmrDataset;
use crate::amr::AmrHierarchy;
use crate::error::{Error, Result};
use crate::transfer::{Scale, MISSING, MISSING_BELOW};

/// Largest brick interior, cells per axis.
pub const BRICK: i64 = 32;
/// Largest leaf, cells of its level per axis.
pub const LEAF: i64 = 32;
/// Deepest kd-tree the builder makes (a guard against runaway recursion on odd layouts).
pub const MAX_DEPTH: usize = 128;

/// A part of one grid, stored in the atlas with a one-cell border.
#[derive(Clone, Debug, PartialEq)]
pub struct Brick {
    pub grid: usize,
    pub level: u32,
    /// First interior cell, global index at `level`.
    pub start: [i64; 3],
    /// Interior cells per axis.
    pub dims: [i64; 3],
    /// Atlas texel of the border's first corner.
    pub atlas: [u32; 3],
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

/// Geometry of the bricks, atlas and tree for one hierarchy.
#[derive(Clone, Debug)]
pub struct BrickLayout {
    pub bricks: Vec<Brick>,
    pub leaves: Vec<Leaf>,
    pub nodes: Vec<Node>,
    pub atlas_dims: [u32; 3],
    pub depth: usize,
    /// The finest level, whose lattice the tree's boxes use.
    pub fine_level: u32,
    /// Normalised frame: `p' = (p - origin) / scale`, the domain becomes `[0, width / scale]`.
    pub origin: glam::DVec3,
    pub scale: f64,
}

/// Encoded values of one brick layout, ready to upload.
#[derive(Clone, Debug)]
pub struct BrickValues {
    pub scale: Scale,
    /// The atlas, x fastest, `atlas_dims` in size.
    pub atlas: Vec<f32>,
    /// Per leaf: smallest and largest valid encoded value it can sample (`+inf, -inf` if none).
    pub leaf_ranges: Vec<[f32; 2]>,
}

fn split_axis(n: i64) -> Vec<(i64, i64)> {
    let parts = (n + BRICK - 1) / BRICK;
    let base = n / parts;
    let extra = n % parts;
    let mut out = Vec::new();
    let mut s = 0;
    for p in 0..parts {
        let len = base + i64::from(p < extra);
        out.push((s, len));
        s += len;
    }
    out
}

impl BrickLayout {
    /// Cuts, packs and indexes a hierarchy; `max_dim` is the adapter's largest 3D texture side.
    pub fn build(h: &AmrHierarchy, max_dim: u32) -> Result<Self> {
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
                            atlas: [0; 3],
                        });
                    }
                }
            }
        }
        let atlas_dims = pack(&mut bricks, max_dim)?;
        let fine_level = h.max_level();
        let width = h.domain_width();
        let scale = width.max_element();
        let mut layout = BrickLayout {
            bricks,
            leaves: Vec::new(),
            nodes: Vec::new(),
            atlas_dims,
            depth: 0,
            fine_level,
            origin: h.domain_left,
            scale,
        };
        let r = h.refine_by as i64;
        let f = r.pow(fine_level);
        let boxes: Vec<([i64; 3], [i64; 3], u32)> = layout
            .bricks
            .iter()
            .map(|b| {
                let m = r.pow(fine_level - b.level);
                (
                    b.start.map(|v| v * m),
                    [0, 1, 2].map(|a| (b.start[a] + b.dims[a]) * m),
                    b.level,
                )
            })
            .collect();
        let root_hi = h.root_dims.map(|d| d as i64 * f);
        let all: Vec<u32> = (0..boxes.len() as u32).collect();
        let fine_dx = h.cell_size(fine_level);
        let mut builder = TreeBuilder {
            boxes: &boxes,
            nodes: Vec::new(),
            leaves: Vec::new(),
            depth: 0,
            refine: r,
            fine_level,
            split_scale: [0, 1, 2].map(|a| fine_dx[a] / scale),
        };
        builder.build([0; 3], root_hi, all, 1)?;
        layout.depth = builder.depth;
        layout.nodes = builder.nodes;
        layout.leaves = builder.leaves;
        Ok(layout)
    }

    /// Fills the atlas with the dataset's values encoded for `scale`, and the leaves' ranges.
    pub fn fill(&self, ds: &AmrDataset, scale: Scale) -> BrickValues {
        let [aw, ah, ad] = self.atlas_dims.map(|v| v as usize);
        let mut atlas = vec![MISSING; aw * ah * ad];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        // Bricks are computed in parallel a batch at a time and copied into the atlas, so the
        // peak memory is the atlas plus one batch (not a second copy of every brick).
        let batch = threads * 32;
        for group in self.bricks.chunks(batch) {
            let chunk = group.len().div_ceil(threads).max(1);
            let filled: Vec<Vec<f32>> = std::thread::scope(|s| {
                let handles: Vec<_> = group
                    .chunks(chunk)
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .map(|b| brick_values(ds, b, scale))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("brick worker panicked"))
                    .collect()
            });
            for (b, vals) in group.iter().zip(&filled) {
                let [sx, sy, sz] = b.stored().map(|v| v as usize);
                let [ox, oy, oz] = b.atlas.map(|v| v as usize);
                for z in 0..sz {
                    for y in 0..sy {
                        let src = sx * (y + sy * z);
                        let dst = ox + aw * ((oy + y) + ah * (oz + z));
                        atlas[dst..dst + sx].copy_from_slice(&vals[src..src + sx]);
                    }
                }
            }
        }
        let leaf_ranges = self
            .leaves
            .iter()
            .map(|l| {
                let b = &self.bricks[l.brick];
                let m = (ds.hierarchy.refine_by as i64).pow(self.fine_level - b.level);
                // Stored texels the leaf's samples can touch: its cells and one more around.
                let lo = [0, 1, 2].map(|a| (l.lo[a] / m - b.start[a] + 1 - 1).max(0) as usize);
                let hi = [0, 1, 2].map(|a| {
                    ((l.hi[a] / m - b.start[a] + 1 + 1) as usize).min(b.stored()[a] as usize)
                });
                let mut r = [f32::INFINITY, f32::NEG_INFINITY];
                for z in lo[2]..hi[2] {
                    for y in lo[1]..hi[1] {
                        for x in lo[0]..hi[0] {
                            let v = atlas[(b.atlas[0] as usize + x)
                                + aw * ((b.atlas[1] as usize + y)
                                    + ah * (b.atlas[2] as usize + z))];
                            if v > MISSING_BELOW {
                                r[0] = r[0].min(v);
                                r[1] = r[1].max(v);
                            }
                        }
                    }
                }
                r
            })
            .collect();
        BrickValues {
            scale,
            atlas,
            leaf_ranges,
        }
    }

    /// Per leaf, as the shader reads it: box, cell size and texture transform in the
    /// normalised frame, `[lo, cell, hi, 0, s, 0, o, 0]` with texture coordinate `p * s + o`;
    /// `boxes` are the leaves' boxes from [`crate::tiles::leaf_boxes`].
    pub fn gpu_leaves(&self, h: &AmrHierarchy, boxes: &[[[f32; 3]; 2]]) -> Vec<[f32; 16]> {
        let dims = glam::DVec3::new(
            self.atlas_dims[0] as f64,
            self.atlas_dims[1] as f64,
            self.atlas_dims[2] as f64,
        );
        self.leaves
            .iter()
            .zip(boxes)
            .map(|(l, [lo, hi])| {
                let b = &self.bricks[l.brick];
                let dx = h.cell_size(b.level);
                let s = self.scale / dx / dims;
                let corner = glam::DVec3::new(
                    b.atlas[0] as f64 + 1.0 - b.start[0] as f64,
                    b.atlas[1] as f64 + 1.0 - b.start[1] as f64,
                    b.atlas[2] as f64 + 1.0 - b.start[2] as f64,
                );
                let o = corner / dims;
                let cell = (dx / self.scale).min_element();
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

/// Values of one brick with its border, encoded.
fn brick_values(ds: &AmrDataset, b: &Brick, scale: Scale) -> Vec<f32> {
    let h = &ds.hierarchy;
    let [sx, sy, sz] = b.stored().map(|v| v as i64);
    let (gs, ge) = h.index_box(b.grid);
    let gd = h.grids[b.grid].dims;
    let data = &ds.field.data[b.grid];
    let mut out = Vec::with_capacity((sx * sy * sz) as usize);
    for z in 0..sz {
        for y in 0..sy {
            for x in 0..sx {
                let c = [b.start[0] + x - 1, b.start[1] + y - 1, b.start[2] + z - 1];
                let inside = (0..3).all(|a| gs[a] <= c[a] && c[a] < ge[a]);
                let v = if inside {
                    let (i, j, k) = (
                        (c[0] - gs[0]) as usize,
                        (c[1] - gs[1]) as usize,
                        (c[2] - gs[2]) as usize,
                    );
                    data[i + gd[0] * (j + gd[1] * k)]
                } else {
                    ds.cell_value(b.level, c)
                };
                out.push(scale.encode(v));
            }
        }
    }
    out
}

/// Shelf packing of bricks into an atlas no side of which exceeds `max_dim`.
fn pack(bricks: &mut [Brick], max_dim: u32) -> Result<[u32; 3]> {
    let total: u64 = bricks
        .iter()
        .map(|b| b.stored().iter().map(|&v| v as u64).product::<u64>())
        .sum();
    let largest = bricks.iter().flat_map(|b| b.stored()).max().unwrap_or(1);
    if largest > max_dim {
        return Err(Error::Gpu(format!(
            "3D textures of at most {max_dim} texels per side cannot hold a brick"
        )));
    }
    let mut order: Vec<usize> = (0..bricks.len()).collect();
    order.sort_by_key(|&i| {
        let s = bricks[i].stored();
        (
            std::cmp::Reverse(s[2]),
            std::cmp::Reverse(s[1]),
            std::cmp::Reverse(s[0]),
        )
    });
    let mut side = ((total as f64 * 1.2).cbrt().ceil() as u32).clamp(largest, max_dim);
    loop {
        let (mut x, mut y, mut z) = (0u32, 0u32, 0u32);
        let (mut row_h, mut slab_d, mut used_w, mut used_h) = (0u32, 0u32, 0u32, 0u32);
        for &i in &order {
            let [bx, by, bz] = bricks[i].stored();
            if x + bx > side {
                x = 0;
                y += row_h;
                row_h = 0;
            }
            if y + by > side {
                x = 0;
                y = 0;
                row_h = 0;
                z += slab_d;
                slab_d = 0;
            }
            bricks[i].atlas = [x, y, z];
            x += bx;
            used_w = used_w.max(x);
            row_h = row_h.max(by);
            used_h = used_h.max(y + by);
            slab_d = slab_d.max(bz);
        }
        let depth = z + slab_d;
        if depth <= max_dim {
            return Ok([used_w.max(1), used_h.max(1), depth.max(1)]);
        }
        if side == max_dim {
            return Err(Error::Gpu(format!(
                "the data ({total} texels with borders) does not fit one 3D texture of {max_dim}^3 texels"
            )));
        }
        side = (side + side / 2).min(max_dim);
    }
}

struct TreeBuilder<'a> {
    boxes: &'a [([i64; 3], [i64; 3], u32)],
    nodes: Vec<Node>,
    leaves: Vec<Leaf>,
    depth: usize,
    refine: i64,
    fine_level: u32,
    split_scale: [f64; 3],
}

impl TreeBuilder<'_> {
    fn push(&mut self, node: Node, depth: usize) -> Result<u32> {
        self.depth = self.depth.max(depth);
        if depth > MAX_DEPTH {
            return Err(Error::Invalid(format!(
                "the AMR layout needs a kd-tree deeper than {MAX_DEPTH}"
            )));
        }
        self.nodes.push(node);
        Ok(self.nodes.len() as u32 - 1)
    }

    fn inner(&mut self, axis: usize, pos: i64, depth: usize) -> Result<u32> {
        let split = (pos as f64 * self.split_scale[axis]) as f32;
        self.push(
            Node {
                split,
                kind: axis as u32,
                a: 0,
                b: 0,
            },
            depth,
        )
    }

    fn build(&mut self, lo: [i64; 3], hi: [i64; 3], cands: Vec<u32>, depth: usize) -> Result<u32> {
        let Some(lmax) = cands.iter().map(|&c| self.boxes[c as usize].2).max() else {
            return self.push(
                Node {
                    split: 0.0,
                    kind: NODE_EMPTY,
                    a: 0,
                    b: 0,
                },
                depth,
            );
        };
        let covering = cands.iter().copied().find(|&c| {
            let (blo, bhi, l) = self.boxes[c as usize];
            l == lmax && (0..3).all(|a| blo[a] <= lo[a] && hi[a] <= bhi[a])
        });
        if let Some(c) = covering {
            return self.leaf(c as usize, lo, hi, depth);
        }
        // Split at a face of a finest candidate, choosing the plane that cuts the fewest
        // other bricks (each cut makes more leaves for every ray), then the most central one.
        let mut best: Option<(f64, usize, i64)> = None;
        for &c in &cands {
            let (blo, bhi, l) = self.boxes[c as usize];
            if l != lmax {
                continue;
            }
            for a in 0..3 {
                for face in [blo[a], bhi[a]] {
                    if lo[a] < face && face < hi[a] {
                        let cuts = cands
                            .iter()
                            .filter(|&&o| {
                                let (olo, ohi, _) = self.boxes[o as usize];
                                olo[a] < face && face < ohi[a]
                            })
                            .count();
                        let mid = 0.5 * (lo[a] + hi[a]) as f64;
                        let score =
                            cuts as f64 + (face as f64 - mid).abs() / (hi[a] - lo[a]) as f64;
                        if best.is_none_or(|(s, _, _)| score < s) {
                            best = Some((score, a, face));
                        }
                    }
                }
            }
        }
        let Some((_, axis, pos)) = best else {
            return Err(Error::Invalid(
                "kd-tree: no split plane found (overlapping grids?)".into(),
            ));
        };
        self.split(lo, hi, axis, pos, cands, depth)
    }

    fn split(
        &mut self,
        lo: [i64; 3],
        hi: [i64; 3],
        axis: usize,
        pos: i64,
        cands: Vec<u32>,
        depth: usize,
    ) -> Result<u32> {
        let me = self.inner(axis, pos, depth)?;
        let mut lhi = hi;
        lhi[axis] = pos;
        let mut rlo = lo;
        rlo[axis] = pos;
        let overl = |c: &u32, l: [i64; 3], h: [i64; 3]| {
            let (blo, bhi, _) = self.boxes[*c as usize];
            (0..3).all(|a| blo[a] < h[a] && l[a] < bhi[a])
        };
        let left: Vec<u32> = cands
            .iter()
            .copied()
            .filter(|c| overl(c, lo, lhi))
            .collect();
        let right: Vec<u32> = cands
            .iter()
            .copied()
            .filter(|c| overl(c, rlo, hi))
            .collect();
        let a = self.build(lo, lhi, left, depth + 1)?;
        let b = self.build(rlo, hi, right, depth + 1)?;
        self.nodes[me as usize].a = a;
        self.nodes[me as usize].b = b;
        Ok(me)
    }

    fn leaf(&mut self, brick: usize, lo: [i64; 3], hi: [i64; 3], depth: usize) -> Result<u32> {
        let m = self.refine.pow(self.fine_level - self.boxes[brick].2);
        let cells = [0, 1, 2].map(|a| (hi[a] - lo[a]) / m);
        let axis = (0..3).max_by_key(|&a| cells[a]).unwrap_or(0);
        if cells[axis] > LEAF {
            let pos = lo[axis] + (cells[axis] / 2) * m;
            let me = self.inner(axis, pos, depth)?;
            let mut lhi = hi;
            lhi[axis] = pos;
            let mut rlo = lo;
            rlo[axis] = pos;
            let a = self.leaf(brick, lo, lhi, depth + 1)?;
            let b = self.leaf(brick, rlo, hi, depth + 1)?;
            self.nodes[me as usize].a = a;
            self.nodes[me as usize].b = b;
            return Ok(me);
        }
        self.leaves.push(Leaf { brick, lo, hi });
        let idx = self.leaves.len() as u32 - 1;
        self.push(
            Node {
                split: 0.0,
                kind: NODE_LEAF,
                a: idx,
                b: 0,
            },
            depth,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::{AmrField, AmrGrid};
    use glam::DVec3;

    fn layout() -> (AmrDataset, BrickLayout) {
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
        let l = BrickLayout::build(&ds.hierarchy, 2048).unwrap();
        (ds, l)
    }

    #[test]
    fn grids_are_cut_into_bricks_that_fit_and_do_not_overlap_in_the_atlas() {
        let (_, l) = layout();
        // Root 40 cells -> 2 bricks along x; grid 2 (40x16x16 at level 1) -> 2 along x.
        assert_eq!(l.bricks.iter().filter(|b| b.grid == 0).count(), 2);
        assert!(l.bricks.iter().all(|b| b.dims.iter().all(|&d| d <= BRICK)));
        for (i, a) in l.bricks.iter().enumerate() {
            for b in &l.bricks[i + 1..] {
                let overlap = (0..3).all(|k| {
                    a.atlas[k] < b.atlas[k] + b.stored()[k]
                        && b.atlas[k] < a.atlas[k] + a.stored()[k]
                });
                assert!(!overlap, "{a:?} {b:?}");
            }
            assert!((0..3).all(|k| a.atlas[k] + a.stored()[k] <= l.atlas_dims[k]));
        }
    }

    #[test]
    fn leaves_tile_the_domain_with_the_finest_brick() {
        let (ds, l) = layout();
        let f = 2i64; // fine lattice = level 1
        let total: i64 = l
            .leaves
            .iter()
            .map(|lf| (0..3).map(|a| lf.hi[a] - lf.lo[a]).product::<i64>())
            .sum();
        assert_eq!(total, 80 * 16 * 16);
        for lf in &l.leaves {
            let b = &l.bricks[lf.brick];
            // The leaf's centre lies in the finest grid there.
            let c = DVec3::new(
                (lf.lo[0] + lf.hi[0]) as f64 / 2.0 / (40 * f) as f64,
                (lf.lo[1] + lf.hi[1]) as f64 / 2.0 / (8 * f) as f64,
                (lf.lo[2] + lf.hi[2]) as f64 / 2.0 / (8 * f) as f64,
            );
            assert_eq!(ds.hierarchy.finest_grid_at(c), Some(b.grid));
            let m = f.pow(1 - b.level);
            assert!((0..3).all(|a| (lf.hi[a] - lf.lo[a]) / m <= LEAF));
        }
    }

    #[test]
    fn borders_continue_the_field() {
        let (ds, l) = layout();
        let v = l.fill(&ds, Scale::Linear);
        // The linear field is reproduced in every stored texel, borders included, except
        // where the border leaves the domain (constant extrapolation).
        let h = &ds.hierarchy;
        for b in &l.bricks {
            let dx = h.cell_size(b.level);
            let s = b.stored();
            for z in 0..s[2] as i64 {
                for y in 0..s[1] as i64 {
                    for x in 0..s[0] as i64 {
                        let c = [b.start[0] + x - 1, b.start[1] + y - 1, b.start[2] + z - 1];
                        let dims = h.level_dims(b.level);
                        if (0..3).any(|a| c[a] < 0 || c[a] >= dims[a]) {
                            continue;
                        }
                        let p = (DVec3::new(c[0] as f64, c[1] as f64, c[2] as f64) + 0.5) * dx;
                        let want = 1.0 + p.x + 2.0 * p.y + 3.0 * p.z;
                        let at = b.atlas[0] as usize
                            + x as usize
                            + l.atlas_dims[0] as usize
                                * (b.atlas[1] as usize
                                    + y as usize
                                    + l.atlas_dims[1] as usize
                                        * (b.atlas[2] as usize + z as usize));
                        assert!(
                            (v.atlas[at] as f64 - want).abs() < 1e-5,
                            "brick {b:?} texel {x},{y},{z}"
                        );
                    }
                }
            }
        }
        assert!(v
            .leaf_ranges
            .iter()
            .all(|r| r[0] <= r[1] && r[0] > 0.9 && r[1] < 7.1));
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
