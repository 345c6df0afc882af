//! The hierarchy of a plotfile: the domain from `prob_lo`/`prob_hi` and level 0's domain box,
//! each level's refinement ratio per axis from consecutive domain boxes (checked against the
//! ratios the `Header` lists), every grid from its `Cell_H` box (checked against the cell sizes
//! and physical boxes the `Header` lists). A 2-D plotfile is one cell thick along z, from 0 to
//! level 0's cell width along x (the model of a 2-D dataset).

use super::fab_array::FabArrayHeader;
use super::header::PlotHeader;
use super::text::IndexBox;
use crate::amr::{AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::MAX_VALUES;
use glam::DVec3;
use std::path::Path;

const AXES: [&str; 3] = ["x", "y", "z"];

/// The ratio per axis between level `l`'s domain and level `l + 1`'s.
fn level_ratio(path: &Path, h: &PlotHeader, l: usize) -> Result<[u32; 3]> {
    let (c, f) = (h.domains[l], h.domains[l + 1]);
    let (cd, fd) = (c.dims(), f.dims());
    let mut r = [1u32; 3];
    for a in 0..h.dim {
        let q = fd[a].checked_div(cd[a]).unwrap_or(0);
        if q == 0 || q * cd[a] != fd[a] || q > 64 || f.lo[a] != c.lo[a] * q as i64 {
            return Err(Error::format(
                path,
                format!(
                    "level {} domain {} is not level {l}'s domain {} refined by an integer ratio along {}",
                    l + 1,
                    f.text(h.dim),
                    c.text(h.dim),
                    AXES[a]
                ),
            ));
        }
        r[a] = q as u32;
    }
    if let Some(&listed) = h.ref_ratios.get(l) {
        if listed != r[0] as i64 {
            return Err(Error::format(
                path,
                format!(
                    "the refinement ratio between levels {l} and {} is listed as {listed}, but their domains differ by a factor {} along x",
                    l + 1,
                    r[0]
                ),
            ));
        }
    }
    Ok(r)
}

/// The domain's corners and level 0's cells per axis.
fn domain(h: &PlotHeader) -> (DVec3, DVec3, [usize; 3]) {
    let root = h.domains[0].dims();
    let mut left = DVec3::from(h.prob_lo);
    let mut right = DVec3::from(h.prob_hi);
    if h.dim == 2 {
        left.z = 0.0;
        right.z = (h.prob_hi[0] - h.prob_lo[0]) / root[0] as f64;
    }
    (left, right, root)
}

/// Checks the `Header`'s cell size of every level against the domain and ratios.
fn check_cell_sizes(path: &Path, h: &PlotHeader, width: DVec3) -> Result<()> {
    for (l, dx) in h.cell_sizes.iter().enumerate() {
        let dims = h.domains[l].dims();
        for a in 0..h.dim {
            let want = width[a] / dims[a] as f64;
            let close = (dx[a] - want).abs() <= 1e-6 * want;
            if !close {
                return Err(Error::format(
                    path,
                    format!(
                        "level {l}'s cell size along {} is {}, but prob_lo..prob_hi over the level's {} cells gives {want}",
                        AXES[a], dx[a], dims[a]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks one level's `Cell_H` boxes against the `Header`: as many boxes as grids, inside the
/// level's domain, cell-centred, spanning the physical boxes the `Header` lists.
fn check_level(
    (path, cell_h): (&Path, &Path),
    h: &PlotHeader,
    l: usize,
    fa: &FabArrayHeader,
    edges: impl Fn(&IndexBox) -> (DVec3, DVec3),
) -> Result<()> {
    let listed = &h.levels[l].boxes;
    if fa.boxes.len() != listed.len() {
        return Err(Error::format(
            cell_h,
            format!(
                "{} box(es), but the plotfile's Header ({}) gives level {l} {} grids",
                fa.boxes.len(),
                path.display(),
                listed.len()
            ),
        ));
    }
    let domain = h.domains[l];
    for (i, b) in fa.boxes.iter().enumerate() {
        if b.kind != [0; 3] {
            return Err(Error::format(
                cell_h,
                format!(
                    "box {i} {} is not cell-centred; nodal and face-centred data are not supported",
                    b.text(h.dim)
                ),
            ));
        }
        if b.cells() > MAX_VALUES {
            return Err(Error::format(
                cell_h,
                format!("box {i} {} is absurdly large", b.text(h.dim)),
            ));
        }
        if (0..3).any(|a| b.lo[a] < domain.lo[a] || b.hi[a] > domain.hi[a]) {
            return Err(Error::format(
                cell_h,
                format!(
                    "box {i} {} lies outside level {l}'s domain {}",
                    b.text(h.dim),
                    domain.text(h.dim)
                ),
            ));
        }
        let (lo, hi) = edges(b);
        let cell = (hi - lo) / DVec3::from(b.dims().map(|d| d as f64));
        for a in 0..h.dim {
            let [plo, phi] = listed[i][a];
            let tol = 1e-3 * cell[a];
            let close = (plo - lo[a]).abs() <= tol && (phi - hi[a]).abs() <= tol;
            if !close {
                return Err(Error::format(
                    path,
                    format!(
                        "level {l} grid {i} spans {plo}..{phi} along {}, but its box {} in {} spans {}..{}",
                        AXES[a],
                        b.text(h.dim),
                        cell_h.display(),
                        lo[a],
                        hi[a]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The hierarchy of the plotfile whose `Header` (at `path`) is `h` and whose levels' `Cell_H`
/// files (at `cell_h[l]`) are `levels[l]`.
pub(super) fn build_hierarchy(
    path: &Path,
    h: &PlotHeader,
    cell_h: &[std::path::PathBuf],
    levels: &[FabArrayHeader],
) -> Result<AmrHierarchy> {
    let ratios = (0..h.finest_level)
        .map(|l| level_ratio(path, h, l))
        .collect::<Result<Vec<_>>>()?;
    let (left, right, root) = domain(h);
    check_cell_sizes(path, h, right - left)?;
    let mut grids = Vec::new();
    for (l, fa) in levels.iter().enumerate() {
        let dom = h.domains[l];
        let cells = DVec3::from(dom.dims().map(|d| d as f64));
        let dx = (right - left) / cells;
        let edges = |b: &IndexBox| {
            let lo = DVec3::from([0, 1, 2].map(|a| (b.lo[a] - dom.lo[a]) as f64));
            let hi = DVec3::from([0, 1, 2].map(|a| (b.hi[a] + 1 - dom.lo[a]) as f64));
            (left + lo * dx, left + hi * dx)
        };
        check_level((path, &cell_h[l]), h, l, fa, edges)?;
        for b in &fa.boxes {
            let (lo, hi) = edges(b);
            grids.push(AmrGrid {
                id: grids.len() as u64,
                level: l as u32,
                left: lo,
                right: hi,
                dims: b.dims(),
            });
        }
    }
    AmrHierarchy::with_ratios(left, right, root, ratios, grids)
        .map_err(|e| Error::format(path, e.to_string()))
}
