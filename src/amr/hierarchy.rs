//! The grid hierarchy: domain, levels and grids, with the per-level index that finds the grids
//! at a cell or overlapping a box.

use super::AmrGrid;
use crate::error::{Error, Result};
use glam::DVec3;
use std::collections::HashMap;

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
    pub(super) starts: Vec<[i64; 3]>,
    /// Per level: grids bucketed by coarse bins of that level's cell index.
    pub(super) levels: Vec<LevelIndex>,
}

/// Bins of `BIN` cells per axis at one level, each listing the grids that overlap it.
#[derive(Clone, Debug, Default)]
pub(super) struct LevelIndex {
    pub(super) bins: HashMap<[i64; 3], Vec<u32>>,
}

pub(super) const BIN: i64 = 16;

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
        (0..self.levels.len() as u32)
            .rev()
            .find_map(|level| self.grid_at_cell(level, self.cell_of(level, p)))
    }

    /// The finest level with a grid holding the cell at `p`, cell indices clamped to the
    /// domain (so points on its upper faces count as inside); 0 where no finer grid does.
    pub fn finest_level_at(&self, p: DVec3) -> u32 {
        (1..self.levels.len() as u32)
            .rev()
            .find(|&level| {
                let (dims, c) = (self.level_dims(level), self.cell_of(level, p));
                let c = [0, 1, 2].map(|a| c[a].clamp(0, dims[a] - 1));
                self.grid_at_cell(level, c).is_some()
            })
            .unwrap_or(0)
    }

    /// The global index on `level` of the cell containing `p` (not clamped to the domain).
    pub fn cell_of(&self, level: u32, p: DVec3) -> [i64; 3] {
        let f = ((p - self.domain_left) / self.cell_size(level)).floor();
        [f.x as i64, f.y as i64, f.z as i64]
    }
}

#[cfg(test)]
mod tests {
    use crate::amr::test_layouts::two_level;
    use glam::DVec3;

    #[test]
    fn finest_grid_lookup() {
        let h = two_level();
        assert_eq!(h.finest_grid_at(DVec3::splat(0.5)), Some(1));
        assert_eq!(h.finest_grid_at(DVec3::splat(0.1)), Some(0));
        assert_eq!(h.finest_grid_at(DVec3::splat(1.5)), None);
        assert_eq!(h.finest_level_at(DVec3::splat(0.5)), 1);
        assert_eq!(h.finest_level_at(DVec3::splat(0.75)), 0);
        assert_eq!(h.finest_level_at(DVec3::ONE), 0);
    }
}
