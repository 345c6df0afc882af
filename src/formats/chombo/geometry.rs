//! The levels' geometry: the refinement ratio between each pair of levels (from their `dx`,
//! checked against `ref_ratio` and `prob_domain`; ratios may differ from level to level), the
//! domain, and each box as a grid of the hierarchy.
//!
//! As yt places them: a box spans `dx * lo .. dx * (hi + 1)` and the domain is level 0's
//! `prob_domain` scaled the same way (no other origin attribute is read). A 2-D file is a
//! hierarchy one cell thick: z spans `[0, dx]` of level 0 on every level.

use super::header::Level;
use super::records::IBox;
use crate::amr::{AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::MAX_VALUES;
use glam::DVec3;
use std::path::Path;

/// One box of the file: hierarchy grid `n` is `boxes[n]`.
#[derive(Clone, Debug)]
pub(super) struct BoxData {
    pub level: u32,
    /// Index of the box within its level.
    pub index: usize,
    /// Active cells (z is 1 in 2-D).
    pub dims: [usize; 3],
}

/// Per level below the finest, the ratio to the next: `dx` over the next level's `dx`, an
/// integer of at least 2 that the level's `ref_ratio` (where written) and the next level's
/// `prob_domain` agree with.
pub(super) fn ratios(path: &Path, levels: &[Level], dim: usize) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for (l, pair) in levels.windows(2).enumerate() {
        let (lev, next) = (&pair[0], &pair[1]);
        let q = lev.dx / next.dx;
        let r = q.round();
        if !(2.0..=64.0).contains(&r) || (q - r).abs() > 1e-6 * r {
            return Err(Error::format(
                path,
                format!(
                    "level_{l} dx {} and level_{} dx {} are not refined by an integer ratio of 2 to 64",
                    lev.dx,
                    l + 1,
                    next.dx
                ),
            ));
        }
        let r = r as i64;
        if let Some(rr) = lev.ref_ratio.filter(|&rr| rr != r) {
            return Err(Error::format(
                path,
                format!(
                    "level_{l} ref_ratio is {rr} but its dx and level_{}'s differ by a factor {r}",
                    l + 1
                ),
            ));
        }
        for a in 0..dim {
            let (lo, hi) = (lev.domain[a], lev.domain[a + 3]);
            let want = [lo * r, (hi + 1) * r - 1];
            if [next.domain[a], next.domain[a + 3]] != want {
                return Err(Error::format(
                    path,
                    format!(
                        "level_{} prob_domain {:?} is not level_{l}'s {:?} refined by {r}",
                        l + 1,
                        next.domain,
                        lev.domain
                    ),
                ));
            }
        }
        out.push(r as u32);
    }
    Ok(out)
}

/// The domain (left, right corners) and root cells from level 0's `prob_domain` and `dx`.
pub(super) fn root_domain(
    path: &Path,
    level0: &Level,
    dim: usize,
) -> Result<(DVec3, DVec3, [usize; 3])> {
    let d0 = level0.domain;
    if (0..3).any(|a| d0[a + 3] < d0[a]) {
        return Err(Error::format(
            path,
            format!("level_0 prob_domain {d0:?} is empty"),
        ));
    }
    let dx0 = level0.dx;
    let root_dims = [0, 1, 2].map(|a| (d0[a + 3] - d0[a] + 1) as usize);
    if root_dims.iter().any(|&d| d > 1 << 24) {
        return Err(Error::format(
            path,
            format!("level_0 prob_domain {d0:?} is absurdly large"),
        ));
    }
    let mut left = DVec3::new(d0[0] as f64, d0[1] as f64, d0[2] as f64) * dx0;
    let mut right = DVec3::new(d0[3] as f64 + 1.0, d0[4] as f64 + 1.0, d0[5] as f64 + 1.0) * dx0;
    if dim == 2 {
        (left.z, right.z) = (0.0, dx0);
    }
    Ok((left, right, root_dims))
}

/// Box `b` (`bx`) of level `l` (`lev`): its active cells, checked against the level's domain.
fn box_dims(path: &Path, lev: &Level, l: usize, b: usize, bx: &IBox) -> Result<[usize; 3]> {
    let mut dims = [0usize; 3];
    for a in 0..3 {
        let (lo, hi) = (bx[a], bx[a + 3]);
        if hi < lo || hi - lo >= 1 << 24 {
            return Err(Error::format(
                path,
                format!("level_{l} box {b} {bx:?} has lo above hi or an absurd size"),
            ));
        }
        if lo < lev.domain[a] || hi > lev.domain[a + 3] {
            return Err(Error::format(
                path,
                format!(
                    "level_{l} box {b} {bx:?} lies outside the level's prob_domain {:?}",
                    lev.domain
                ),
            ));
        }
        dims[a] = (hi - lo + 1) as usize;
    }
    Ok(dims)
}

/// The hierarchy of every level's boxes, refined by `ratios`, and each grid's box.
pub(super) fn hierarchy(
    path: &Path,
    levels: &[Level],
    ratios: &[u32],
    dim: usize,
) -> Result<(AmrHierarchy, Vec<BoxData>)> {
    let (left, right, root_dims) = root_domain(path, &levels[0], dim)?;
    let dx0 = levels[0].dx;
    let mut grids = Vec::new();
    let mut boxes = Vec::new();
    let mut total: u64 = 0;
    let mut factor = 1.0f64;
    for (l, lev) in levels.iter().enumerate() {
        if l > 0 {
            factor *= ratios[l - 1] as f64;
        }
        let dx = dx0 / factor;
        for (b, bx) in lev.boxes.iter().enumerate() {
            let dims = box_dims(path, lev, l, b, bx)?;
            total = total.saturating_add(dims.iter().product::<usize>() as u64);
            if total > MAX_VALUES {
                return Err(Error::format(
                    path,
                    "the hierarchy holds too many cells to load",
                ));
            }
            let mut lo = DVec3::new(bx[0] as f64, bx[1] as f64, bx[2] as f64) * dx;
            let mut hi =
                DVec3::new(bx[3] as f64 + 1.0, bx[4] as f64 + 1.0, bx[5] as f64 + 1.0) * dx;
            if dim == 2 {
                (lo.z, hi.z) = (left.z, right.z);
            }
            grids.push(AmrGrid {
                id: grids.len() as u64,
                level: l as u32,
                left: lo,
                right: hi,
                dims,
            });
            boxes.push(BoxData {
                level: l as u32,
                index: b,
                dims,
            });
        }
    }
    let z = |r: u32| if dim == 2 { 1 } else { r };
    let per_axis = ratios.iter().map(|&r| [r, r, z(r)]).collect();
    let h = AmrHierarchy::with_ratios(left, right, root_dims, per_axis, grids)
        .map_err(|e| Error::format(path, e.to_string()))?;
    Ok((h, boxes))
}
