//! The AMR model: a domain, nested rectangular grids refined by a fixed ratio, and one
//! cell-centred field on them.
//!
//! Conventions (the same in every reader):
//! - Edges are in domain units (`f64`); level 0 covers the whole domain, and every grid of
//!   level `L > 0` lies inside the union of the grids of level `L - 1` (its parents).
//! - Grids of one level do not overlap. Cell size at level `L` is `root_dx / refine_by^L`.
//! - Field values are `f32`, one `Vec` per grid, x varying fastest: index `i + nx * (j + ny * k)`.
//!
//! Sampling (used by the brick builder and by the CPU reference renderer): the value at a point
//! is trilinear in the cell centres of the finest level that covers the point. A cell centre of
//! level `L` that no level-`L` grid holds (across a grid's outer face) takes the value of the
//! coarser level interpolated at that centre, and at the domain faces the nearest cell is used
//! (constant extrapolation). This makes interpolation continuous across grids of one level and
//! reproduces any field linear in x, y, z exactly on every layout.

use crate::error::{Error, Result};
use glam::DVec3;
use std::collections::HashMap;

/// One rectangular grid (patch) of the hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct AmrGrid {
    /// The identifier the file uses (Enzo grid number, block index...), for messages.
    pub id: u64,
    /// Refinement level, 0 for the root.
    pub level: u32,
    /// Lower corner in domain units.
    pub left: DVec3,
    /// Upper corner in domain units.
    pub right: DVec3,
    /// Active cells along x, y, z.
    pub dims: [usize; 3],
}

impl AmrGrid {
    pub fn num_cells(&self) -> usize {
        self.dims.iter().product()
    }
    pub fn cell_size(&self) -> DVec3 {
        (self.right - self.left)
            / DVec3::new(
                self.dims[0] as f64,
                self.dims[1] as f64,
                self.dims[2] as f64,
            )
    }
    pub fn contains(&self, p: DVec3) -> bool {
        p.cmpge(self.left).all() && p.cmplt(self.right).all()
    }
}

/// The geometry of a dataset: its domain and grids, validated.
#[derive(Clone, Debug)]
pub struct AmrHierarchy {
    pub domain_left: DVec3,
    pub domain_right: DVec3,
    /// Root-level cells along x, y, z across the whole domain.
    pub root_dims: [usize; 3],
    /// Refinement ratio between consecutive levels (2 in nearly every code).
    pub refine_by: u32,
    pub grids: Vec<AmrGrid>,
    /// Per grid: first cell index at its own level, counted from the domain's left edge.
    starts: Vec<[i64; 3]>,
    /// Per level: grids bucketed by coarse bins of that level's cell index.
    levels: Vec<LevelIndex>,
}

/// Bins of `BIN` cells per axis at one level, each listing the grids that overlap it.
#[derive(Clone, Debug, Default)]
struct LevelIndex {
    bins: HashMap<[i64; 3], Vec<u32>>,
}

const BIN: i64 = 16;

impl AmrHierarchy {
    /// Builds and validates a hierarchy. Checks: positive dimensions, grids inside the domain,
    /// edges on their level's cell lattice, no overlap within a level, level 0 covering the
    /// domain, and every finer grid inside the coarser level (its parents).
    pub fn new(
        domain_left: DVec3,
        domain_right: DVec3,
        root_dims: [usize; 3],
        refine_by: u32,
        grids: Vec<AmrGrid>,
    ) -> Result<Self> {
        if !(domain_right.cmpgt(domain_left).all())
            || !domain_left.is_finite()
            || !domain_right.is_finite()
        {
            return Err(Error::Invalid(format!(
                "domain right edge {domain_right:?} must exceed left edge {domain_left:?} on every axis"
            )));
        }
        if root_dims.contains(&0) {
            return Err(Error::Invalid(format!(
                "root dimensions {root_dims:?} must be positive"
            )));
        }
        if refine_by < 2 {
            return Err(Error::Invalid(format!(
                "refinement ratio {refine_by} must be at least 2"
            )));
        }
        if grids.is_empty() {
            return Err(Error::Invalid("the dataset has no grids".into()));
        }
        let mut h = AmrHierarchy {
            domain_left,
            domain_right,
            root_dims,
            refine_by,
            grids,
            starts: Vec::new(),
            levels: Vec::new(),
        };
        h.validate()?;
        Ok(h)
    }

    fn validate(&mut self) -> Result<()> {
        let max_level = self.grids.iter().map(|g| g.level).max().unwrap_or(0);
        if max_level > 30 {
            return Err(Error::Invalid(format!(
                "level {max_level} is beyond the supported 30"
            )));
        }
        self.levels = vec![LevelIndex::default(); max_level as usize + 1];
        self.starts = Vec::with_capacity(self.grids.len());
        for (n, g) in self.grids.iter().enumerate() {
            let name = format!("grid {} (level {})", g.id, g.level);
            if g.dims.contains(&0) {
                return Err(Error::Invalid(format!(
                    "{name}: dimensions {:?} must be positive",
                    g.dims
                )));
            }
            if !(g.left.is_finite() && g.right.is_finite() && g.right.cmpgt(g.left).all()) {
                return Err(Error::Invalid(format!(
                    "{name}: right edge {:?} must exceed left edge {:?}",
                    g.right, g.left
                )));
            }
            let dx = self.cell_size(g.level);
            let tol = dx * 1e-3;
            if g.left.cmplt(self.domain_left - tol).any()
                || g.right.cmpgt(self.domain_right + tol).any()
            {
                return Err(Error::Invalid(format!(
                    "{name}: edges {:?}..{:?} lie outside the domain {:?}..{:?}",
                    g.left, g.right, self.domain_left, self.domain_right
                )));
            }
            let start_f = (g.left - self.domain_left) / dx;
            let extent_f = (g.right - g.left) / dx;
            let start = start_f.round();
            for a in 0..3 {
                if (start_f[a] - start[a]).abs() > 1e-3 {
                    return Err(Error::Invalid(format!(
                        "{name}: left edge {:?} is not on the level-{} cell lattice (cell size {:?})",
                        g.left, g.level, dx
                    )));
                }
                if (extent_f[a] - g.dims[a] as f64).abs() > 1e-3 {
                    return Err(Error::Invalid(format!(
                        "{name}: dimensions {:?} do not match its edges {:?}..{:?} at level {} (expected {:.3} cells along {})",
                        g.dims, g.left, g.right, g.level, extent_f[a], ["x", "y", "z"][a]
                    )));
                }
            }
            let s = [start.x as i64, start.y as i64, start.z as i64];
            self.starts.push(s);
            let lo = s.map(|v| v.div_euclid(BIN));
            let hi = [0, 1, 2].map(|a| (s[a] + g.dims[a] as i64 - 1).div_euclid(BIN));
            for bz in lo[2]..=hi[2] {
                for by in lo[1]..=hi[1] {
                    for bx in lo[0]..=hi[0] {
                        self.levels[g.level as usize]
                            .bins
                            .entry([bx, by, bz])
                            .or_default()
                            .push(n as u32);
                    }
                }
            }
        }
        // No overlap within a level; coverage of each level by the one below.
        for n in 0..self.grids.len() {
            let g = &self.grids[n];
            let (s, e) = self.index_box(n);
            for m in self.overlapping(g.level, s, e) {
                if m != n {
                    let o = &self.grids[m];
                    return Err(Error::Invalid(format!(
                        "grid {} and grid {} of level {} overlap",
                        g.id.min(o.id),
                        g.id.max(o.id),
                        g.level
                    )));
                }
            }
            let covered: i128 = if g.level == 0 {
                g.num_cells() as i128
            } else {
                let r = self.refine_by as i64;
                let cs = s.map(|v| v.div_euclid(r));
                let ce = e.map(|v| (v + r - 1).div_euclid(r));
                // Count fine cells of g covered by the coarser level.
                self.overlapping(g.level - 1, cs, ce)
                    .into_iter()
                    .map(|m| {
                        let (ps, pe) = self.index_box(m);
                        let mut vol = 1i128;
                        for a in 0..3 {
                            let lo = s[a].max(ps[a] * r);
                            let hi = e[a].min(pe[a] * r);
                            vol *= (hi - lo).max(0) as i128;
                        }
                        vol
                    })
                    .sum()
            };
            if covered != g.num_cells() as i128 {
                return Err(Error::Invalid(format!(
                    "grid {} of level {} ({:?}..{:?}) is not inside its parent level {}",
                    g.id,
                    g.level,
                    g.left,
                    g.right,
                    g.level.saturating_sub(1)
                )));
            }
        }
        let root_cells: usize = self.root_dims.iter().product();
        let level0: usize = self
            .grids
            .iter()
            .filter(|g| g.level == 0)
            .map(|g| g.num_cells())
            .sum();
        if level0 != root_cells {
            return Err(Error::Invalid(format!(
                "level 0 holds {level0} cells but the domain has {root_cells} ({:?}): the root level must cover the domain",
                self.root_dims
            )));
        }
        Ok(())
    }

    /// Cell size of level `level`.
    pub fn cell_size(&self, level: u32) -> DVec3 {
        let root = (self.domain_right - self.domain_left)
            / DVec3::new(
                self.root_dims[0] as f64,
                self.root_dims[1] as f64,
                self.root_dims[2] as f64,
            );
        root / (self.refine_by as f64).powi(level as i32)
    }

    /// Number of cells along each axis across the whole domain at `level`.
    pub fn level_dims(&self, level: u32) -> [i64; 3] {
        let f = (self.refine_by as i64).pow(level);
        self.root_dims.map(|d| d as i64 * f)
    }

    pub fn max_level(&self) -> u32 {
        self.levels.len() as u32 - 1
    }

    pub fn num_cells(&self) -> usize {
        self.grids.iter().map(|g| g.num_cells()).sum()
    }

    pub fn domain_width(&self) -> DVec3 {
        self.domain_right - self.domain_left
    }

    pub fn domain_center(&self) -> DVec3 {
        (self.domain_left + self.domain_right) * 0.5
    }

    /// Grid `n`'s cells at its level: `[start, end)` in global cell indices.
    pub fn index_box(&self, n: usize) -> ([i64; 3], [i64; 3]) {
        let s = self.starts[n];
        let d = self.grids[n].dims;
        (
            s,
            [s[0] + d[0] as i64, s[1] + d[1] as i64, s[2] + d[2] as i64],
        )
    }

    /// Grids of `level` that overlap the cell box `[s, e)`.
    pub fn overlapping(&self, level: u32, s: [i64; 3], e: [i64; 3]) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(index) = self.levels.get(level as usize) else {
            return out;
        };
        let lo = s.map(|v| v.div_euclid(BIN));
        let hi = [0, 1, 2].map(|a| (e[a] - 1).div_euclid(BIN));
        for bz in lo[2]..=hi[2] {
            for by in lo[1]..=hi[1] {
                for bx in lo[0]..=hi[0] {
                    if let Some(list) = index.bins.get(&[bx, by, bz]) {
                        for &m in list {
                            let m = m as usize;
                            let (ms, me) = self.index_box(m);
                            if (0..3).all(|a| ms[a] < e[a] && s[a] < me[a]) && !out.contains(&m) {
                                out.push(m);
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The grid of `level` holding cell `ijk` of that level, if any.
    pub fn grid_at_cell(&self, level: u32, ijk: [i64; 3]) -> Option<usize> {
        let index = self.levels.get(level as usize)?;
        let list = index.bins.get(&ijk.map(|v| v.div_euclid(BIN)))?;
        list.iter().map(|&m| m as usize).find(|&m| {
            let (s, e) = self.index_box(m);
            (0..3).all(|a| s[a] <= ijk[a] && ijk[a] < e[a])
        })
    }

    /// The finest grid containing point `p` (domain units), if `p` is inside the domain.
    pub fn finest_grid_at(&self, p: DVec3) -> Option<usize> {
        if p.cmplt(self.domain_left).any() || p.cmpge(self.domain_right).any() {
            return None;
        }
        (0..self.levels.len() as u32).rev().find_map(|level| {
            let dx = self.cell_size(level);
            let f = ((p - self.domain_left) / dx).floor();
            self.grid_at_cell(level, [f.x as i64, f.y as i64, f.z as i64])
        })
    }
}

/// Field values on every grid of a hierarchy.
#[derive(Clone, Debug)]
pub struct AmrField {
    pub name: String,
    /// One array per grid, in the hierarchy's grid order, x fastest.
    pub data: Vec<Vec<f32>>,
}

/// Summary of a field's values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldStats {
    /// Smallest and largest finite value (NaN when there is none).
    pub min: f32,
    pub max: f32,
    /// Smallest finite value above zero (NaN when there is none): the log scale's default floor.
    pub min_positive: f32,
    /// Values that are NaN or infinite.
    pub non_finite: usize,
    /// Finite values at or below zero.
    pub non_positive: usize,
}

/// A hierarchy with one field loaded: what the renderer draws.
#[derive(Clone, Debug)]
pub struct AmrDataset {
    /// Short name for titles and messages (the file name, or "demo").
    pub name: String,
    pub hierarchy: AmrHierarchy,
    pub field: AmrField,
}

impl AmrDataset {
    /// Checks that the field has one array of the right length per grid.
    pub fn new(name: impl Into<String>, hierarchy: AmrHierarchy, field: AmrField) -> Result<Self> {
        if field.data.len() != hierarchy.grids.len() {
            return Err(Error::Invalid(format!(
                "field '{}' has {} arrays for {} grids",
                field.name,
                field.data.len(),
                hierarchy.grids.len()
            )));
        }
        for (g, d) in hierarchy.grids.iter().zip(&field.data) {
            if d.len() != g.num_cells() {
                return Err(Error::Invalid(format!(
                    "field '{}' on grid {} has {} values but the grid has {:?} = {} cells",
                    field.name,
                    g.id,
                    d.len(),
                    g.dims,
                    g.num_cells()
                )));
            }
        }
        Ok(AmrDataset {
            name: name.into(),
            hierarchy,
            field,
        })
    }

    /// Min, max and counts of problem values over the cells that are not covered by a finer
    /// level... and those that are: every stored value counts.
    pub fn stats(&self) -> FieldStats {
        field_stats(self.field.data.iter().map(|v| v.as_slice()))
    }

    /// The stored value of cell `ijk` of grid `n` (indices inside the grid).
    #[inline]
    pub fn grid_value(&self, n: usize, i: usize, j: usize, k: usize) -> f32 {
        let d = self.hierarchy.grids[n].dims;
        self.field.data[n][i + d[0] * (j + d[1] * k)]
    }

    /// The value at the centre of global cell `ijk` of `level`: stored where a grid of that
    /// level holds it, else the coarser level interpolated there. Indices are clamped to the
    /// domain (constant extrapolation at the domain faces).
    pub fn cell_value(&self, level: u32, ijk: [i64; 3]) -> f32 {
        let h = &self.hierarchy;
        let dims = h.level_dims(level);
        let c = [0, 1, 2].map(|a| ijk[a].clamp(0, dims[a] - 1));
        if let Some(n) = h.grid_at_cell(level, c) {
            let (s, _) = h.index_box(n);
            return self.grid_value(
                n,
                (c[0] - s[0]) as usize,
                (c[1] - s[1]) as usize,
                (c[2] - s[2]) as usize,
            );
        }
        if level == 0 {
            // Level 0 covers the domain (validated), so this cannot happen.
            return f32::NAN;
        }
        let dx = h.cell_size(level);
        let p = h.domain_left + (DVec3::new(c[0] as f64, c[1] as f64, c[2] as f64) + 0.5) * dx;
        self.sample_level(level - 1, p)
    }

    /// Trilinear interpolation at point `p` in the cell centres of `level`.
    pub fn sample_level(&self, level: u32, p: DVec3) -> f32 {
        self.sample_level_map(level, p, |v| v)
    }

    /// Trilinear interpolation at `p` in the cell centres of `level`, of the values mapped by
    /// `map` (e.g. their logarithm) before interpolating.
    pub fn sample_level_map(&self, level: u32, p: DVec3, map: impl Fn(f32) -> f32) -> f32 {
        let h = &self.hierarchy;
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

    /// The field at point `p`, interpolated on the finest level there (NaN outside the domain).
    pub fn sample(&self, p: DVec3) -> f32 {
        match self.hierarchy.finest_grid_at(p) {
            Some(n) => self.sample_level(self.hierarchy.grids[n].level, p),
            None => f32::NAN,
        }
    }
}

impl AmrDataset {
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
            AmrHierarchy::new(h.domain_left, h.domain_right, dims, h.refine_by, vec![grid])?;
        AmrDataset::new(
            format!("{} resampled", self.name),
            hierarchy,
            AmrField {
                name: self.field.name.clone(),
                data: vec![data],
            },
        )
    }
}

/// Statistics over any set of value slices.
pub fn field_stats<'a>(slices: impl Iterator<Item = &'a [f32]>) -> FieldStats {
    let mut s = FieldStats {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
        min_positive: f32::INFINITY,
        non_finite: 0,
        non_positive: 0,
    };
    for slice in slices {
        for &v in slice {
            if !v.is_finite() {
                s.non_finite += 1;
                continue;
            }
            s.min = s.min.min(v);
            s.max = s.max.max(v);
            if v > 0.0 {
                s.min_positive = s.min_positive.min(v);
            } else {
                s.non_positive += 1;
            }
        }
    }
    if !s.min.is_finite() {
        s.min = f32::NAN;
        s.max = f32::NAN;
    }
    if !s.min_positive.is_finite() {
        s.min_positive = f32::NAN;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(id: u64, level: u32, left: [f64; 3], right: [f64; 3], dims: [usize; 3]) -> AmrGrid {
        AmrGrid {
            id,
            level,
            left: DVec3::from(left),
            right: DVec3::from(right),
            dims,
        }
    }

    fn two_level() -> AmrHierarchy {
        AmrHierarchy::new(
            DVec3::ZERO,
            DVec3::ONE,
            [4, 4, 4],
            2,
            vec![
                grid(1, 0, [0.0; 3], [1.0; 3], [4, 4, 4]),
                grid(2, 1, [0.25; 3], [0.75; 3], [4, 4, 4]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn finest_grid_lookup() {
        let h = two_level();
        assert_eq!(h.finest_grid_at(DVec3::splat(0.5)), Some(1));
        assert_eq!(h.finest_grid_at(DVec3::splat(0.1)), Some(0));
        assert_eq!(h.finest_grid_at(DVec3::splat(1.5)), None);
    }

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

    #[test]
    fn rejects_bad_layouts() {
        let bad =
            |grids: Vec<AmrGrid>| AmrHierarchy::new(DVec3::ZERO, DVec3::ONE, [4, 4, 4], 2, grids);
        let root = grid(1, 0, [0.0; 3], [1.0; 3], [4, 4, 4]);
        let e = bad(vec![
            root.clone(),
            grid(2, 1, [0.75; 3], [1.25; 3], [4, 4, 4]),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("outside the domain"), "{e}");
        let e = bad(vec![
            root.clone(),
            grid(2, 1, [0.25; 3], [0.75; 3], [3, 4, 4]),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("do not match"), "{e}");
        let e = bad(vec![
            root.clone(),
            grid(2, 1, [0.25; 3], [0.5; 3], [2, 2, 2]),
            grid(3, 1, [0.375; 3], [0.625; 3], [2, 2, 2]),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("overlap"), "{e}");
        let e = bad(vec![
            grid(1, 0, [0.0; 3], [0.5, 1.0, 1.0], [2, 4, 4]),
            grid(2, 1, [0.5, 0.0, 0.0], [0.75, 0.25, 0.25], [2, 2, 2]),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("parent"), "{e}");
        let e = bad(vec![grid(1, 0, [0.0; 3], [1.0; 3], [0, 4, 4])]).unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
    }

    #[test]
    fn field_length_is_checked() {
        let h = two_level();
        let e = AmrDataset::new(
            "t",
            h,
            AmrField {
                name: "f".into(),
                data: vec![vec![0.0; 64], vec![0.0; 63]],
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("63 values"), "{e}");
    }
}
