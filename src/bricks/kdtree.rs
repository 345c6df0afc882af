//! The kd-tree of leaves: splits the domain at grid faces until each leaf is covered by one
//! brick of the finest level there, and leaves are at most [`LEAF`] cells on a side.

use super::{Leaf, Node, LEAF, MAX_DEPTH, NODE_EMPTY, NODE_LEAF};
use crate::error::{Error, Result};

/// Builds the tree over bricks' boxes in cells of the finest level, `(lo, hi, level)`.
pub(super) struct TreeBuilder<'a> {
    pub(super) boxes: &'a [([i64; 3], [i64; 3], u32)],
    pub(super) nodes: Vec<Node>,
    pub(super) leaves: Vec<Leaf>,
    pub(super) depth: usize,
    /// Per level: finest-level cells per cell of that level, per axis.
    pub(super) level_scale: &'a [[i64; 3]],
    pub(super) split_scale: [f64; 3],
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

    pub(super) fn build(
        &mut self,
        lo: [i64; 3],
        hi: [i64; 3],
        cands: Vec<u32>,
        depth: usize,
    ) -> Result<u32> {
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
        let m = self.level_scale[self.boxes[brick].2 as usize];
        let cells = [0, 1, 2].map(|a| (hi[a] - lo[a]) / m[a]);
        let axis = (0..3).max_by_key(|&a| cells[a]).unwrap_or(0);
        if cells[axis] > LEAF {
            let pos = lo[axis] + (cells[axis] / 2) * m[axis];
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
    use super::super::tests::layout;
    use super::super::LEAF;
    use glam::DVec3;

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
}
