//! Dividing the kd-tree's leaves among ranks: spatially compact pieces of about equal cell
//! count, separated by planes that no leaf crosses.
//!
//! The pieces are the cells of a binary space partition built by recursive bisection: a set of
//! leaves given to `k` ranks is cut by the axis-aligned plane (at a face that no leaf of the set
//! straddles) that best balances the cells per rank, `k_lo` ranks taking the lower side and
//! `k - k_lo` the upper. Among near-equal cuts the longest axis wins, which keeps pieces
//! compact. Since every plane separates whole leaves, the front-to-back order of the pieces
//! for any pinhole or parallel camera follows from the planes, exactly as the kd-tree's own
//! order does ([`crate::tiles`]); a set of one leaf given to several ranks leaves all but the
//! first with an empty piece.

use crate::bricks::BrickLayout;
use std::ops::Range;

/// A box in cells of the finest level, `[lo, hi)`.
pub type CellBox = ([i64; 3], [i64; 3]);

/// A node of the partition.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// A plane at `pos` (finest-level cells) across `axis`: `lower` below it, `upper` above.
    Split {
        axis: usize,
        pos: i64,
        lower: usize,
        upper: usize,
    },
    /// A piece: the first rank renders its leaves; the others (one leaf cannot be divided)
    /// have nothing to render.
    Ranks(Range<usize>),
}

/// The leaves of a layout divided among `ranks` ranks.
#[derive(Clone, Debug, PartialEq)]
pub struct Pieces {
    /// Per leaf: the rank that renders it.
    pub owner: Vec<usize>,
    /// Per rank: the cells of its leaves (cells of each leaf's own level).
    pub cells: Vec<u64>,
    /// Per rank: the box its leaves lie in (`None`: an empty piece).
    pub boxes: Vec<Option<CellBox>>,
    nodes: Vec<Node>,
}

impl Pieces {
    /// Divides `layout`'s leaves among `ranks` ranks (at least one).
    pub fn new(layout: &BrickLayout, ranks: usize) -> Pieces {
        let boxes: Vec<CellBox> = layout.leaves.iter().map(|l| (l.lo, l.hi)).collect();
        let cells: Vec<u64> = layout
            .leaves
            .iter()
            .map(|l| {
                let m = layout.level_scale[layout.bricks[l.brick].level as usize];
                (0..3)
                    .map(|a| ((l.hi[a] - l.lo[a]) / m[a]) as u64)
                    .product()
            })
            .collect();
        Pieces::divide(&boxes, &cells, ranks)
    }

    /// Divides leaves of boxes `boxes` (disjoint, as the kd-tree makes them) and `cells` cells
    /// each among `ranks` ranks.
    pub fn divide(boxes: &[CellBox], cells: &[u64], ranks: usize) -> Pieces {
        let ranks = ranks.max(1);
        let mut p = Pieces {
            owner: vec![0; boxes.len()],
            cells: vec![0; ranks],
            boxes: vec![None; ranks],
            nodes: Vec::new(),
        };
        let all: Vec<usize> = (0..boxes.len()).collect();
        p.build(boxes, cells, all, 0..ranks);
        p
    }

    fn build(
        &mut self,
        boxes: &[CellBox],
        cells: &[u64],
        set: Vec<usize>,
        ranks: Range<usize>,
    ) -> usize {
        let me = self.nodes.len();
        self.nodes.push(Node::Ranks(ranks.clone()));
        let cut = match ranks.len() {
            1 => None,
            k => best_cut(boxes, cells, &set, k),
        };
        let Some(cut) = cut else {
            let r = ranks.start;
            for &l in &set {
                self.owner[l] = r;
                self.cells[r] += cells[l];
                self.boxes[r] = Some(union(self.boxes[r], boxes[l]));
            }
            return me;
        };
        let (below, above): (Vec<usize>, Vec<usize>) =
            set.iter().partition(|&&l| boxes[l].1[cut.axis] <= cut.pos);
        let mid = ranks.start + cut.ranks_below;
        let lower = self.build(boxes, cells, below, ranks.start..mid);
        let upper = self.build(boxes, cells, above, mid..ranks.end);
        self.nodes[me] = Node::Split {
            axis: cut.axis,
            pos: cut.pos,
            lower,
            upper,
        };
        me
    }

    /// The ranks front to back: `upper_first(axis, pos)` says whether the side above a plane
    /// at `pos` (finest-level cells) across `axis` comes first for the camera. Every rank once.
    pub fn order(&self, upper_first: impl Fn(usize, i64) -> bool) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.cells.len());
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            match &self.nodes[i] {
                Node::Ranks(r) => out.extend(r.clone()),
                &Node::Split {
                    axis,
                    pos,
                    lower,
                    upper,
                } => {
                    let (first, second) = match upper_first(axis, pos) {
                        true => (upper, lower),
                        false => (lower, upper),
                    };
                    stack.push(second);
                    stack.push(first);
                }
            }
        }
        out
    }

    /// The rank whose piece holds the point `p` (finest-level cells): the rank that reads a
    /// grid whose centre is there, for the statistics every grid enters once.
    pub fn rank_at(&self, p: [f64; 3]) -> usize {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Ranks(r) => return r.start,
                &Node::Split {
                    axis,
                    pos,
                    lower,
                    upper,
                } => i = if p[axis] < pos as f64 { lower } else { upper },
            }
        }
    }

    /// The leaves of `rank`.
    pub fn leaves_of(&self, rank: usize) -> Vec<u32> {
        (0..self.owner.len() as u32)
            .filter(|&l| self.owner[l as usize] == rank)
            .collect()
    }
}

/// A cutting plane and the ranks below it.
#[derive(Clone, Copy, Debug)]
struct Cut {
    axis: usize,
    pos: i64,
    ranks_below: usize,
}

/// The cut of `set` for `k` ranks: per axis the plane and rank split with the smallest load of
/// the busiest rank (cells per rank on either side); the longest axis among those within 5% of
/// the best. `None` when no plane separates the set (one leaf).
fn best_cut(boxes: &[CellBox], cells: &[u64], set: &[usize], k: usize) -> Option<Cut> {
    let total: u64 = set.iter().map(|&l| cells[l]).sum();
    let extent = |a: usize| {
        let lo = set.iter().map(|&l| boxes[l].0[a]).min().unwrap_or(0);
        let hi = set.iter().map(|&l| boxes[l].1[a]).max().unwrap_or(0);
        hi - lo
    };
    let per_axis: Vec<(f64, Cut)> = (0..3)
        .filter_map(|a| best_on_axis(boxes, cells, set, k, a, total))
        .collect();
    let best = per_axis.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
    per_axis
        .into_iter()
        .filter(|c| c.0 <= best * 1.05)
        .max_by_key(|c| extent(c.1.axis))
        .map(|c| c.1)
}

/// The best cut across `axis` and its load (cells of the busiest rank, ideally `total / k`).
fn best_on_axis(
    boxes: &[CellBox],
    cells: &[u64],
    set: &[usize],
    k: usize,
    axis: usize,
    total: u64,
) -> Option<(f64, Cut)> {
    let mut sorted: Vec<usize> = set.to_vec();
    sorted.sort_by_key(|&l| boxes[l].0[axis]);
    let mut best: Option<(f64, Cut)> = None;
    let (mut below, mut reach) = (0u64, i64::MIN);
    for (i, &l) in sorted.iter().enumerate() {
        let pos = boxes[l].0[axis];
        // A plane at `pos` is crossed by no leaf when every leaf that starts below it ends by
        // it; leaves starting at `pos` all lie above.
        if i > 0 && reach <= pos && boxes[sorted[i - 1]].0[axis] < pos {
            for k_lo in 1..k {
                let load =
                    (below as f64 / k_lo as f64).max((total - below) as f64 / (k - k_lo) as f64);
                if best.is_none_or(|b| load < b.0) {
                    let cut = Cut {
                        axis,
                        pos,
                        ranks_below: k_lo,
                    };
                    best = Some((load, cut));
                }
            }
        }
        below += cells[l];
        reach = reach.max(boxes[l].1[axis]);
    }
    best
}

fn union(a: Option<CellBox>, b: CellBox) -> CellBox {
    match a {
        None => b,
        Some((lo, hi)) => (
            [0, 1, 2].map(|i| lo[i].min(b.0[i])),
            [0, 1, 2].map(|i| hi[i].max(b.1[i])),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16 x 8 x 4 lattice of unit leaves; those with x < 4 and y < 4 are refined (8 times
    /// the cells), as a fine grid in a corner makes them.
    fn lattice() -> (Vec<CellBox>, Vec<u64>) {
        let mut boxes = Vec::new();
        let mut cells = Vec::new();
        for z in 0..4 {
            for y in 0..8 {
                for x in 0..16 {
                    boxes.push(([x, y, z], [x + 1, y + 1, z + 1]));
                    cells.push(if x < 4 && y < 4 { 8 } else { 1 });
                }
            }
        }
        (boxes, cells)
    }

    fn overlap(a: &CellBox, b: &CellBox) -> bool {
        (0..3).all(|i| a.0[i] < b.1[i] && b.0[i] < a.1[i])
    }

    #[test]
    fn every_leaf_once_in_balanced_disjoint_boxes() {
        let (boxes, cells) = lattice();
        let total: u64 = cells.iter().sum();
        for ranks in 1..=9 {
            let p = Pieces::divide(&boxes, &cells, ranks);
            assert_eq!(p.owner.len(), boxes.len());
            assert!(p.owner.iter().all(|&r| r < ranks));
            assert_eq!(p.cells.iter().sum::<u64>(), total);
            let ideal = total as f64 / ranks as f64;
            let most = *p.cells.iter().max().unwrap() as f64;
            assert!(most <= 1.2 * ideal, "{ranks} ranks: {:?}", p.cells);
            // Compact: each piece's leaves fill its box (no holes), and boxes are disjoint.
            for r in 0..ranks {
                let b = p.boxes[r].unwrap();
                for (l, lb) in boxes.iter().enumerate() {
                    assert_eq!(p.owner[l] == r, overlap(&b, lb), "{ranks}: rank {r}");
                }
                for s in 0..r {
                    assert!(!overlap(&b, &p.boxes[s].unwrap()));
                }
            }
            assert_eq!(p.order(|_, _| true).len(), ranks);
        }
    }

    #[test]
    fn more_ranks_than_leaves_leaves_some_empty() {
        let boxes = vec![([0, 0, 0], [2, 1, 1]), ([2, 0, 0], [3, 1, 1])];
        let p = Pieces::divide(&boxes, &[5, 5], 4);
        let mut owners = p.owner.clone();
        owners.sort_unstable();
        owners.dedup();
        assert_eq!(owners.len(), 2);
        assert_eq!(p.boxes.iter().filter(|b| b.is_none()).count(), 2);
        let mut order = p.order(|_, _| false);
        order.sort_unstable();
        assert_eq!(order, [0, 1, 2, 3]);
    }

    /// Entry distance of the ray `o + t d` into the box, if it meets it.
    fn entry(b: &CellBox, o: [f64; 3], d: [f64; 3]) -> Option<f64> {
        let (mut t0, mut t1) = (0.0f64, f64::INFINITY);
        for a in 0..3 {
            let inv = 1.0 / d[a];
            let (ta, tb) = ((b.0[a] as f64 - o[a]) * inv, (b.1[a] as f64 - o[a]) * inv);
            t0 = t0.max(ta.min(tb));
            t1 = t1.min(ta.max(tb));
        }
        (t0 < t1).then_some(t0)
    }

    #[test]
    fn the_order_is_front_to_back_along_every_ray_from_the_eye() {
        let (boxes, cells) = lattice();
        let mut seed = 7u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for ranks in [2, 3, 4, 7, 8] {
            let p = Pieces::divide(&boxes, &cells, ranks);
            for _ in 0..40 {
                let eye = [rnd() * 24.0 - 4.0, rnd() * 16.0 - 4.0, rnd() * 12.0 - 4.0];
                let order = p.order(|axis, pos| eye[axis] > pos as f64);
                let place: Vec<usize> = {
                    let mut v = vec![0; ranks];
                    for (i, &r) in order.iter().enumerate() {
                        v[r] = i;
                    }
                    v
                };
                for _ in 0..40 {
                    let d = [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5];
                    let mut hits: Vec<(f64, usize)> = (0..ranks)
                        .filter_map(|r| entry(&p.boxes[r]?, eye, d).map(|t| (t, r)))
                        .collect();
                    hits.sort_by(|a, b| a.0.total_cmp(&b.0));
                    for w in hits.windows(2) {
                        assert!(place[w[0].1] < place[w[1].1], "{ranks}: {hits:?} {order:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_point_belongs_to_the_piece_around_it() {
        let (boxes, cells) = lattice();
        let p = Pieces::divide(&boxes, &cells, 5);
        for (l, b) in boxes.iter().enumerate() {
            let c = [0, 1, 2].map(|a| (b.0[a] + b.1[a]) as f64 / 2.0);
            assert_eq!(p.rank_at(c), p.owner[l]);
        }
    }
}
