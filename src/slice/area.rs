//! Area-averaged slices: each pixel the exact mean of the field over the pixel's square, from
//! the finest cells under it (the stored values, constant per cell), as yt's fixed-resolution
//! buffers are made. Point samples at pixel centres ([`super::slice`]) and these agree where a
//! pixel lies inside one cell; where a pixel spans several cells only these equal yt's (and
//! the reference arrays of real datasets, which are made the same way).
//!
//! The plane must be across x, y or z (its right and up along axes): the cells' sections are
//! then rectangles. Each level-0 cell under a pixel is visited, and any of its children that a
//! finer grid stores is visited in turn, so the work is the number of leaf cells under the
//! pixel. A pixel whose centre is off the domain is missing (NaN), as in point slices; one
//! that straddles the domain's edge is the mean over its part inside.

use super::{SliceFrame, SliceImage, SliceRequest};
use crate::amr::{AmrDataset, AmrField, FieldView};
use crate::error::{Error, Result};
use glam::DVec3;

/// A rectangle of the plane, in domain units along the image's two axes.
#[derive(Clone, Copy)]
struct Rect {
    /// The domain axes along the image's right and up, and the normal's.
    axes: [usize; 3],
    lo: [f64; 2],
    hi: [f64; 2],
}

/// The running mean of a pixel: the sum of value times area, and the area.
#[derive(Default)]
struct Mean {
    sum: f64,
    area: f64,
}

/// The slice `request` asks for, each pixel the area average of the cells under it.
pub fn area_slice(ds: &AmrDataset, request: &SliceRequest) -> Result<SliceImage> {
    let h = &ds.hierarchy;
    let frame = request.frame(h.domain_left, h.domain_right)?;
    let axes = image_axes(&frame).ok_or_else(|| {
        Error::Settings("area-averaged pixels need a plane across x, y or z".into())
    })?;
    let values = super::per_pixel(&frame, |i, j| pixel_mean(ds, &frame, axes, i, j));
    Ok(SliceImage { frame, values })
}

/// The domain axes along the frame's right, up and normal, when each is along one.
fn image_axes(frame: &SliceFrame) -> Option<[usize; 3]> {
    let axis = |v: DVec3| (0..3).find(|&a| (v[a].abs() - 1.0).abs() < 1e-12);
    let p = &frame.plane;
    Some([axis(p.right)?, axis(p.up)?, axis(p.normal)?])
}

/// The mean over pixel `(i, j)`'s square; NaN when its centre is off the domain.
fn pixel_mean(ds: &AmrDataset, frame: &SliceFrame, axes: [usize; 3], i: u32, j: u32) -> f32 {
    let h = &ds.hierarchy;
    let c = frame.pixel_point(i, j);
    if !(c.cmpge(h.domain_left).all() && c.cmple(h.domain_right).all()) {
        return f32::NAN;
    }
    let half = 0.5 * frame.pixel;
    let rect = Rect {
        axes,
        lo: [c[axes[0]] - half, c[axes[1]] - half],
        hi: [c[axes[0]] + half, c[axes[1]] + half],
    };
    let view = ds.view();
    let mut mean = Mean::default();
    let (ra, rb) = (
        cell_range(&view, 0, &rect, 0),
        cell_range(&view, 0, &rect, 1),
    );
    let normal = normal_index(&view, 0, c, axes[2]);
    for ia in ra.0..ra.1 {
        for ib in rb.0..rb.1 {
            let mut cell = [0i64; 3];
            (cell[axes[0]], cell[axes[1]], cell[axes[2]]) = (ia, ib, normal);
            visit(&view, 0, cell, c, &rect, &mut mean);
        }
    }
    (mean.sum / mean.area) as f32
}

/// Cells of `level` along the rectangle's `k`-th image axis that it overlaps, `[first, end)`,
/// within the domain.
fn cell_range(view: &FieldView<AmrField>, level: u32, rect: &Rect, k: usize) -> (i64, i64) {
    let h = view.hierarchy;
    let a = rect.axes[k];
    let (dx, lo, n) = (
        h.cell_size(level)[a],
        h.domain_left[a],
        h.level_dims(level)[a],
    );
    let first = ((rect.lo[k] - lo) / dx).floor() as i64;
    let end = ((rect.hi[k] - lo) / dx).ceil() as i64;
    (first.clamp(0, n), end.clamp(0, n))
}

/// The index along `axis` of `level`'s cell holding the plane's point `p`, in the domain.
fn normal_index(view: &FieldView<AmrField>, level: u32, p: DVec3, axis: usize) -> i64 {
    let h = view.hierarchy;
    h.cell_of(level, p)[axis].clamp(0, h.level_dims(level)[axis] - 1)
}

/// Adds stored cell `cell` of `level` (where it overlaps `rect`) to `mean`: its children that
/// the next level stores through their own cells, the rest through its value.
fn visit(
    view: &FieldView<AmrField>,
    level: u32,
    cell: [i64; 3],
    p: DVec3,
    rect: &Rect,
    mean: &mut Mean,
) {
    let h = view.hierarchy;
    let Some(value) = view.stored_value(level, cell) else {
        return;
    };
    let [a, b, n] = rect.axes;
    if level < h.max_level() {
        let r = h.ratio(level).map(i64::from);
        let child_n = normal_index(view, level + 1, p, n);
        for ca in cell[a] * r[a]..(cell[a] + 1) * r[a] {
            for cb in cell[b] * r[b]..(cell[b] + 1) * r[b] {
                let mut child = [0i64; 3];
                (child[a], child[b], child[n]) = (ca, cb, child_n);
                let area = overlap(view, level + 1, child, rect);
                if area <= 0.0 {
                    continue;
                }
                if h.grid_at_cell(level + 1, child).is_some() {
                    visit(view, level + 1, child, p, rect, mean);
                } else {
                    mean.sum += value as f64 * area;
                    mean.area += area;
                }
            }
        }
        return;
    }
    let area = overlap(view, level, cell, rect);
    if area > 0.0 {
        mean.sum += value as f64 * area;
        mean.area += area;
    }
}

/// The area of `level`'s cell `cell` inside `rect`.
fn overlap(view: &FieldView<AmrField>, level: u32, cell: [i64; 3], rect: &Rect) -> f64 {
    let h = view.hierarchy;
    let dx = h.cell_size(level);
    let mut area = 1.0;
    for k in 0..2 {
        let a = rect.axes[k];
        let lo = h.domain_left[a] + cell[a] as f64 * dx[a];
        let side = (rect.hi[k].min(lo + dx[a]) - rect.lo[k].max(lo)).max(0.0);
        area *= side;
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::{AmrGrid, AmrHierarchy};
    use crate::render::Interpolation;
    use crate::slice::{Axis, PlaneSpec};

    /// Two levels refined by 4 (finest cells 1/16), a different value in every cell; pixels
    /// of 1/3 that straddle cells of both levels.
    fn dataset() -> AmrDataset {
        let g = |id, level, l: f64, r: f64, n| AmrGrid {
            id,
            level,
            left: DVec3::splat(l),
            right: DVec3::splat(r),
            dims: [n; 3],
        };
        let grids = vec![g(0, 0, 0.0, 1.0, 4), g(1, 1, 0.25, 0.75, 8)];
        let h = AmrHierarchy::with_ratios(DVec3::ZERO, DVec3::ONE, [4; 3], vec![[4; 3]], grids)
            .unwrap();
        let data = h
            .grids
            .iter()
            .map(|gr| {
                let n = gr.num_cells();
                let base = 100.0 * gr.level as f32;
                (0..n)
                    .map(|c| base + (c * 7 % 31) as f32)
                    .collect::<Vec<_>>()
            })
            .collect();
        AmrDataset::new("t", h, AmrField::new("f", data)).unwrap()
    }

    /// The exact mean equals the mean of point samples on a lattice fine enough that each
    /// finest cell and each pixel holds a whole number of them (48 per pixel: 3 per 1/16).
    #[test]
    fn pixels_are_the_exact_means_of_the_cells_under_them() {
        let ds = dataset();
        let request = SliceRequest {
            plane: PlaneSpec::Axis {
                axis: Axis::Z,
                coord: 0.4,
                center: None,
            },
            width: Some(1.0),
            size: (3, 3),
            interpolation: Interpolation::Nearest,
        };
        let image = area_slice(&ds, &request).unwrap();
        let frame = image.frame;
        for j in 0..3u32 {
            for i in 0..3u32 {
                let c = frame.pixel_point(i, j);
                let k = 48;
                let mut sum = 0.0f64;
                for a in 0..k {
                    for b in 0..k {
                        let off = |n: usize| (n as f64 + 0.5) / k as f64 - 0.5;
                        let p = c + DVec3::new(off(a), off(b), 0.0) / 3.0;
                        sum += super::super::value_at(&ds, p, Interpolation::Nearest) as f64;
                    }
                }
                let want = sum / (k * k) as f64;
                let got = image.values[(j * 3 + i) as usize] as f64;
                assert!(
                    (got - want).abs() < 1e-4 * want.abs(),
                    "{i},{j}: {got} {want}"
                );
            }
        }
        // Oblique planes are refused.
        let oblique = SliceRequest {
            plane: PlaneSpec::Oblique {
                normal: DVec3::ONE,
                center: DVec3::splat(0.5),
                up: None,
            },
            ..request
        };
        let e = area_slice(&ds, &oblique).unwrap_err();
        assert!(e.to_string().contains("across x, y or z"), "{e}");
    }
}
