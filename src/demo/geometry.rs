//! The demo's geometry: cells flagged by density, tiled into blocks, blocks merged into boxes.

use super::model::Model;
use super::par_map;
use crate::amr::{AmrGrid, AmrHierarchy};
use crate::error::Result;
use glam::DVec3;
use std::collections::HashMap;

/// Root cells per axis.
const ROOT: usize = 64;
/// Root grids per axis (level 0 is split into `ROOT_SPLIT^3` grids).
const ROOT_SPLIT: usize = 2;
/// Finest level.
const MAX_LEVEL: u32 = 3;
/// Block size (fine cells per axis) of the refinement tiling.
const BLOCK: usize = 16;
/// Largest grid extent, in blocks per axis, when merging blocks into boxes.
const MAX_RUN: usize = 4;
/// Density thresholds for flagging cells of level 0, 1, 2 for refinement.
const THRESHOLDS: [f64; MAX_LEVEL as usize] = [0.08, 1.2, 12.0];

/// A box of cells `[lo, hi)` in one level's global index space.
type IndexBox = ([usize; 3], [usize; 3]);

pub(super) fn build_hierarchy(model: &Model) -> Result<AmrHierarchy> {
    let mut levels: Vec<Vec<IndexBox>> = Vec::new();
    let r = ROOT / ROOT_SPLIT;
    let mut root = Vec::new();
    for k in 0..ROOT_SPLIT {
        for j in 0..ROOT_SPLIT {
            for i in 0..ROOT_SPLIT {
                root.push((
                    [i * r, j * r, k * r],
                    [(i + 1) * r, (j + 1) * r, (k + 1) * r],
                ));
            }
        }
    }
    levels.push(root);
    for level in 0..MAX_LEVEL {
        let coarse = &levels[level as usize];
        let fine_dims = ROOT << (level + 1);
        let nb = fine_dims / BLOCK;
        let coarse_per_block = BLOCK / 2;
        let inv = 1.0 / (ROOT << level) as f64;
        let threshold = THRESHOLDS[level as usize];
        // Each coarse box flags the fine blocks its flagged cells fall in.
        let flagged: Vec<Vec<usize>> = par_map(coarse.len(), |b| {
            let (lo, hi) = coarse[b];
            let mut out = Vec::new();
            let mut seen = vec![false; nb * nb * nb];
            for k in lo[2]..hi[2] {
                for j in lo[1]..hi[1] {
                    for i in lo[0]..hi[0] {
                        let block = (i / coarse_per_block)
                            + nb * ((j / coarse_per_block) + nb * (k / coarse_per_block));
                        if seen[block] {
                            continue;
                        }
                        let p = DVec3::new(i as f64 + 0.5, j as f64 + 0.5, k as f64 + 0.5) * inv;
                        if model.density(p) > threshold {
                            seen[block] = true;
                            out.push(block);
                        }
                    }
                }
            }
            out
        });
        let mut blocks = vec![false; nb * nb * nb];
        for b in flagged.into_iter().flatten() {
            blocks[b] = true;
        }
        let boxes = merge_blocks(&blocks, nb)
            .into_iter()
            .map(|(lo, hi)| (lo.map(|v| v * BLOCK), hi.map(|v| v * BLOCK)))
            .collect::<Vec<_>>();
        if boxes.is_empty() {
            break;
        }
        levels.push(boxes);
    }

    let mut grids = Vec::new();
    for (level, boxes) in levels.iter().enumerate() {
        let dx = 1.0 / (ROOT << level) as f64;
        for &(lo, hi) in boxes {
            grids.push(AmrGrid {
                id: grids.len() as u64,
                level: level as u32,
                left: DVec3::new(lo[0] as f64, lo[1] as f64, lo[2] as f64) * dx,
                right: DVec3::new(hi[0] as f64, hi[1] as f64, hi[2] as f64) * dx,
                dims: [0, 1, 2].map(|a| hi[a] - lo[a]),
            });
        }
    }
    AmrHierarchy::new(DVec3::ZERO, DVec3::ONE, [ROOT; 3], 2, grids)
}

/// Merges the set blocks of an `n^3` lattice into non-overlapping boxes (in block units): runs
/// along x, then runs of equal x-extent stacked along y, then equal slabs stacked along z, each
/// at most `MAX_RUN` blocks long.
fn merge_blocks(set: &[bool], n: usize) -> Vec<IndexBox> {
    // Runs along x.
    let mut rows: Vec<IndexBox> = Vec::new();
    for z in 0..n {
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if !set[x + n * (y + n * z)] {
                    x += 1;
                    continue;
                }
                let x0 = x;
                while x < n && x - x0 < MAX_RUN && set[x + n * (y + n * z)] {
                    x += 1;
                }
                rows.push(([x0, y, z], [x, y + 1, z + 1]));
            }
        }
    }
    // Stack along y, then along z: extend an open box whose cross-section matches and whose
    // upper face is where this one starts.
    let stack = |items: Vec<IndexBox>, axis: usize| -> Vec<IndexBox> {
        let mut out: Vec<IndexBox> = Vec::new();
        let mut open: HashMap<([usize; 3], [usize; 3]), usize> = HashMap::new();
        for (lo, hi) in items {
            let mut key = (lo, hi);
            key.0[axis] = 0;
            key.1[axis] = 0;
            match open.get(&key) {
                Some(&m)
                    if out[m].1[axis] == lo[axis] && out[m].1[axis] - out[m].0[axis] < MAX_RUN =>
                {
                    out[m].1[axis] = hi[axis];
                }
                _ => {
                    open.insert(key, out.len());
                    out.push((lo, hi));
                }
            }
        }
        out
    };
    // Rows come ordered by (z, y), so stacking along y sees each candidate in increasing y.
    let slabs = stack(rows, 1);
    // Stacking along z needs slabs ordered by z: they are (z is the outer loop above).
    stack(slabs, 2)
}

#[cfg(test)]
mod tests {
    use super::super::Demo;
    use super::*;
    use crate::formats::DataSource;

    fn shares_face(h: &AmrHierarchy, a: usize, b: usize) -> bool {
        let (sa, ea) = h.index_box(a);
        let (sb, eb) = h.index_box(b);
        (0..3).any(|axis| {
            (ea[axis] == sb[axis] || eb[axis] == sa[axis])
                && (0..3)
                    .filter(|&o| o != axis)
                    .all(|o| sa[o].max(sb[o]) < ea[o].min(eb[o]))
        })
    }

    #[test]
    fn layout_is_valid_and_rich() {
        let demo = Demo::new().unwrap();
        let h = demo.hierarchy();
        assert_eq!(h.max_level(), 3);
        assert_eq!(h.root_dims, [64; 3]);
        assert_eq!(h.refinement_ratios(), vec![2; 3]);
        for level in 0..=3 {
            let on: Vec<usize> = (0..h.grids.len())
                .filter(|&n| h.grids[n].level == level)
                .collect();
            assert!(on.len() >= 4, "level {level} has {} grids", on.len());
            // Some pair of grids of this level shares (part of) a face.
            let touching = on
                .iter()
                .any(|&a| on.iter().any(|&b| a < b && shares_face(h, a, b)));
            assert!(touching, "no grids of level {level} share a face");
        }
        // Refined grids reach the domain faces (the filaments come in from there).
        let at_face = h.grids.iter().filter(|g| {
            g.level > 0 && (g.left.min_element() == 0.0 || g.right.max_element() == 1.0)
        });
        assert!(at_face.count() >= 2);
        let total = h.num_cells();
        assert!((2_000_000..=4_000_000).contains(&total), "{total} cells");
        assert!(demo.field_names().contains(&"Density".to_string()));
        assert_eq!(demo.metadata().format, "demo");
    }
}
