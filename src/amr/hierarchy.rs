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
    /// Per level below the finest: the refinement ratio to the next level, per axis (2 in
    /// nearly every code; 4 then 2 in some Chombo and AMReX runs; z is 1 in 2-D data).
    pub(super) ratios: Vec<[u32; 3]>,
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
    /// Builds and validates a hierarchy refined by `refine_by` on every axis and level (see
    /// [`AmrHierarchy::with_ratios`]).
    pub fn new(
        domain_left: DVec3,
        domain_right: DVec3,
        root_dims: [usize; 3],
        refine_by: u32,
        grids: Vec<AmrGrid>,
    ) -> Result<Self> {
        let levels = grids.iter().map(|g| g.level).max().unwrap_or(0) as usize;
        let ratios = vec![[refine_by; 3]; levels.max(1)];
        Self::with_ratios(domain_left, domain_right, root_dims, ratios, grids)
    }

    /// Builds and validates a hierarchy whose `ratios[l]` is the refinement ratio between
    /// levels `l` and `l + 1` per axis (one entry per level below the finest at least; extra
    /// ones are ignored). A 2-D dataset is one cell thick: `root_dims[2] == 1` and every z
    /// ratio 1. Checks: positive dimensions and ratios (at least 2 on x and y, 1 or more on
    /// z), grids inside the domain, edges on their level's cell lattice, no overlap within a
    /// level, level 0 covering the domain, and every finer grid inside the coarser level (its
    /// parents).
    pub fn with_ratios(
        domain_left: DVec3,
        domain_right: DVec3,
        root_dims: [usize; 3],
        ratios: Vec<[u32; 3]>,
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
        if grids.is_empty() {
            return Err(Error::Invalid("the dataset has no grids".into()));
        }
        let mut h = AmrHierarchy {
            domain_left,
            domain_right,
            root_dims,
            ratios,
            grids,
            starts: Vec::new(),
            levels: Vec::new(),
        };
        h.validate()?;
        Ok(h)
    }

    /// Cell size of level `level`.
    pub fn cell_size(&self, level: u32) -> DVec3 {
        let d = self.level_dims(level);
        (self.domain_right - self.domain_left) / DVec3::new(d[0] as f64, d[1] as f64, d[2] as f64)
    }

    /// Number of cells along each axis across the whole domain at `level`.
    pub fn level_dims(&self, level: u32) -> [i64; 3] {
        let f = self.level_factor(level);
        [0, 1, 2].map(|a| self.root_dims[a] as i64 * f[a])
    }

    /// The refinement ratio between `level` and `level + 1`, per axis ([1, 1, 1] from the
    /// finest level on).
    pub fn ratio(&self, level: u32) -> [u32; 3] {
        if level >= self.max_level() {
            return [1; 3];
        }
        self.ratios[level as usize]
    }

    /// A level-0 cell's size over a `level` cell's, per axis.
    pub fn level_factor(&self, level: u32) -> [i64; 3] {
        self.factor_between(0, level)
    }

    /// A `coarse` cell's size over a `fine` cell's (`coarse <= fine`), per axis.
    pub fn factor_between(&self, coarse: u32, fine: u32) -> [i64; 3] {
        (coarse..fine).fold([1; 3], |f, l| {
            let r = self.ratio(l);
            [0, 1, 2].map(|a| f[a] * r[a] as i64)
        })
    }

    /// Per level below the finest, the refinement ratio to the next (along x: the codes amrcast
    /// reads refine every refined axis by the same ratio).
    pub fn refinement_ratios(&self) -> Vec<u32> {
        (0..self.max_level()).map(|l| self.ratio(l)[0]).collect()
    }

    /// 2 for a dataset one cell thick in z that no level refines in z, else 3.
    pub fn dimensionality(&self) -> u32 {
        let flat = (0..self.max_level()).all(|l| self.ratio(l)[2] == 1);
        if self.root_dims[2] == 1 && flat {
            2
        } else {
            3
        }
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
    use crate::amr::test_layouts::{grid, two_level};
    use crate::amr::AmrHierarchy;
    use glam::DVec3;

    /// Ratio 4 between levels 0 and 1, then 2: cell sizes, lattices and parents follow each.
    #[test]
    fn mixed_ratios() {
        let root = grid(1, 0, [0.0; 3], [1.0; 3], [4, 4, 4]);
        let l1 = grid(2, 1, [0.25; 3], [0.75; 3], [8, 8, 8]);
        let l2 = grid(3, 2, [0.5; 3], [0.625; 3], [4, 4, 4]);
        let h = AmrHierarchy::with_ratios(
            DVec3::ZERO,
            DVec3::ONE,
            [4, 4, 4],
            vec![[4; 3], [2; 3]],
            vec![root.clone(), l1.clone(), l2.clone()],
        )
        .unwrap();
        assert_eq!(h.refinement_ratios(), vec![4, 2]);
        assert_eq!(h.level_factor(2), [8; 3]);
        assert_eq!(h.factor_between(1, 2), [2; 3]);
        assert_eq!(h.level_dims(2), [32; 3]);
        assert_eq!(h.cell_size(1), DVec3::splat(1.0 / 16.0));
        assert_eq!(h.dimensionality(), 3);
        assert_eq!(h.finest_grid_at(DVec3::splat(0.55)), Some(2));
        assert_eq!(h.index_box(2), ([16; 3], [20; 3]));
        // The same grids with ratio 2 throughout do not fit their lattices.
        let e = AmrHierarchy::new(DVec3::ZERO, DVec3::ONE, [4, 4, 4], 2, vec![root, l1, l2])
            .unwrap_err();
        assert!(e.to_string().contains("do not match"), "{e}");
    }

    /// Too few ratios, or a ratio of 1 along x, are refused with the levels named.
    #[test]
    fn bad_ratios_are_refused() {
        let grids = || {
            vec![
                grid(1, 0, [0.0; 3], [1.0; 3], [4, 4, 4]),
                grid(2, 1, [0.25; 3], [0.75; 3], [4, 4, 4]),
            ]
        };
        let make =
            |ratios| AmrHierarchy::with_ratios(DVec3::ZERO, DVec3::ONE, [4, 4, 4], ratios, grids());
        let e = make(vec![]).unwrap_err();
        assert!(
            e.to_string()
                .contains("0 refinement ratios given for 2 levels"),
            "{e}"
        );
        let e = make(vec![[1, 2, 2]]).unwrap_err();
        assert!(e.to_string().contains("between levels 0 and 1"), "{e}");
    }

    /// A 2-D dataset: one cell thick, refined in x and y only.
    #[test]
    fn two_d_is_one_cell_thick() {
        let h = AmrHierarchy::with_ratios(
            DVec3::ZERO,
            DVec3::new(2.0, 1.0, 0.25),
            [8, 4, 1],
            vec![[2, 2, 1]],
            vec![
                grid(1, 0, [0.0; 3], [2.0, 1.0, 0.25], [8, 4, 1]),
                grid(2, 1, [0.5, 0.25, 0.0], [1.0, 0.75, 0.25], [4, 4, 1]),
            ],
        )
        .unwrap();
        assert_eq!(h.dimensionality(), 2);
        assert_eq!(h.level_dims(1), [16, 8, 1]);
        assert_eq!(h.cell_size(1), DVec3::new(0.125, 0.125, 0.25));
        assert_eq!(h.finest_grid_at(DVec3::new(0.6, 0.3, 0.1)), Some(1));
        assert_eq!(two_level().dimensionality(), 3);
    }

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
