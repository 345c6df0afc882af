//! Sampling the field: cell values with coarse fallback, trilinear interpolation on a level,
//! the nearest stored cell, the finest-level sample at a point, and resampling onto one
//! uniform grid.

use super::{AmrDataset, AmrField, AmrGrid, AmrHierarchy, FieldView, GridValues};
use crate::error::Result;
use glam::DVec3;

impl<V: GridValues + ?Sized> FieldView<'_, V> {
    /// The value at the centre of global cell `ijk` of `level`: stored where a grid of that
    /// level holds it, else the coarser level interpolated there. Indices are clamped to the
    /// domain (constant extrapolation at the domain faces).
    pub fn cell_value(&self, level: u32, ijk: [i64; 3]) -> f32 {
        let h = self.hierarchy;
        let dims = h.level_dims(level);
        let c = [0, 1, 2].map(|a| ijk[a].clamp(0, dims[a] - 1));
        if let Some(v) = self.stored_value(level, c) {
            return v;
        }
        if level == 0 {
            // Level 0 covers the domain (validated), so this cannot happen.
            return f32::NAN;
        }
        let dx = h.cell_size(level);
        let p = h.domain_left + (DVec3::new(c[0] as f64, c[1] as f64, c[2] as f64) + 0.5) * dx;
        self.sample_level(level - 1, p)
    }

    /// The value of global cell `c` of `level` where a grid of that level stores it.
    pub fn stored_value(&self, level: u32, c: [i64; 3]) -> Option<f32> {
        let h = self.hierarchy;
        let n = h.grid_at_cell(level, c)?;
        let (s, _) = h.index_box(n);
        let d = h.grids[n].dims;
        let [i, j, k] = [0, 1, 2].map(|a| (c[a] - s[a]) as usize);
        Some(self.values.values(n)[i + d[0] * (j + d[1] * k)])
    }

    /// Trilinear interpolation at point `p` in the cell centres of `level`.
    pub fn sample_level(&self, level: u32, p: DVec3) -> f32 {
        self.sample_level_map(level, p, |v| v)
    }

    /// Trilinear interpolation at `p` in the cell centres of `level`, of the values mapped by
    /// `map` (e.g. their logarithm) before interpolating.
    pub fn sample_level_map(&self, level: u32, p: DVec3, map: impl Fn(f32) -> f32) -> f32 {
        let h = self.hierarchy;
        let dx = h.cell_size(level);
        let f = (p - h.domain_left) / dx - 0.5;
        let base = f.floor();
        let w = f - base;
        let b = [base.x as i64, base.y as i64, base.z as i64];
        let mut acc = 0.0f64;
        for corner in 0..8 {
            let o = [corner & 1, (corner >> 1) & 1, (corner >> 2) & 1];
            let mut weight = 1.0;
            for a in 0..3 {
                weight *= if o[a] == 1 { w[a] } else { 1.0 - w[a] };
            }
            if weight == 0.0 {
                continue;
            }
            let v = map(self.cell_value(
                level,
                [b[0] + o[0] as i64, b[1] + o[1] as i64, b[2] + o[2] as i64],
            ));
            acc += weight * v as f64;
        }
        acc as f32
    }

    /// The value of the finest stored cell containing `p` on `level` or coarser: nearest-cell
    /// sampling. Indices are clamped to the domain.
    pub fn nearest_value(&self, level: u32, p: DVec3) -> f32 {
        let h = self.hierarchy;
        for l in (0..=level).rev() {
            let (dims, c) = (h.level_dims(l), h.cell_of(l, p));
            let c = [0, 1, 2].map(|a| c[a].clamp(0, dims[a] - 1));
            if let Some(v) = self.stored_value(l, c) {
                return v;
            }
        }
        f32::NAN
    }

    /// The field at point `p`, interpolated on the finest level there (NaN outside the domain).
    pub fn sample(&self, p: DVec3) -> f32 {
        match self.hierarchy.finest_grid_at(p) {
            Some(n) => self.sample_level(self.hierarchy.grids[n].level, p),
            None => f32::NAN,
        }
    }
}

/// The sampling of [`FieldView`] on a dataset's own (in-memory) field.
impl AmrDataset {
    /// The dataset as a [`FieldView`].
    pub fn view(&self) -> FieldView<'_, AmrField> {
        FieldView {
            hierarchy: &self.hierarchy,
            values: &self.field,
        }
    }

    /// See [`FieldView::cell_value`].
    pub fn cell_value(&self, level: u32, ijk: [i64; 3]) -> f32 {
        self.view().cell_value(level, ijk)
    }

    /// See [`FieldView::sample_level`].
    pub fn sample_level(&self, level: u32, p: DVec3) -> f32 {
        self.view().sample_level(level, p)
    }

    /// See [`FieldView::sample_level_map`].
    pub fn sample_level_map(&self, level: u32, p: DVec3, map: impl Fn(f32) -> f32) -> f32 {
        self.view().sample_level_map(level, p, map)
    }

    /// See [`FieldView::nearest_value`].
    pub fn nearest_value(&self, level: u32, p: DVec3) -> f32 {
        self.view().nearest_value(level, p)
    }

    /// See [`FieldView::sample`].
    pub fn sample(&self, p: DVec3) -> f32 {
        self.view().sample(p)
    }

    /// The field resampled onto one uniform grid of `dims` cells (benchmarks' baseline, and a
    /// check that layouts agree).
    pub fn resample_uniform(&self, dims: [usize; 3]) -> Result<AmrDataset> {
        let h = &self.hierarchy;
        let grid = AmrGrid {
            id: 0,
            level: 0,
            left: h.domain_left,
            right: h.domain_right,
            dims,
        };
        let dx = grid.cell_size();
        let plane = dims[0] * dims[1];
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let slabs: Vec<Vec<f32>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let mut out = Vec::new();
                        for k in (t..dims[2]).step_by(threads) {
                            for j in 0..dims[1] {
                                for i in 0..dims[0] {
                                    let p = h.domain_left
                                        + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * dx;
                                    out.push(self.sample(p));
                                }
                            }
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("resampling worker panicked"))
                .collect()
        });
        let mut data = vec![0.0f32; plane * dims[2]];
        for (t, slab) in slabs.iter().enumerate() {
            for (n, k) in (t..dims[2]).step_by(threads).enumerate() {
                data[k * plane..(k + 1) * plane].copy_from_slice(&slab[n * plane..(n + 1) * plane]);
            }
        }
        let hierarchy =
            AmrHierarchy::with_ratios(h.domain_left, h.domain_right, dims, vec![], vec![grid])?;
        AmrDataset::new(
            format!("{} resampled", self.name),
            hierarchy,
            AmrField {
                name: self.field.name.clone(),
                data: vec![data.into()],
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::test_layouts::two_level;

    #[test]
    fn linear_field_is_reproduced_on_every_level() {
        let h = two_level();
        let f = |p: DVec3| (1.0 + 2.0 * p.x - 3.0 * p.y + 0.5 * p.z) as f32;
        let data = h
            .grids
            .iter()
            .map(|g| {
                let dx = g.cell_size();
                let mut v = Vec::new();
                for k in 0..g.dims[2] {
                    for j in 0..g.dims[1] {
                        for i in 0..g.dims[0] {
                            v.push(f(
                                g.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * dx
                            ));
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
        // Away from the domain faces (half a root cell) interpolation is exact.
        for &p in &[
            [0.3, 0.3, 0.3],
            [0.26, 0.5, 0.74],
            [0.2, 0.7, 0.6],
            [0.5, 0.5, 0.5],
        ] {
            let p = DVec3::from(p);
            assert!(
                (ds.sample(p) - f(p)).abs() < 1e-5,
                "{p:?}: {} vs {}",
                ds.sample(p),
                f(p)
            );
        }
    }
}
