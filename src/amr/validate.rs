//! Validation of a hierarchy's layout, which also builds its per-level grid index: positive
//! dimensions, grids inside the domain and on their level's cell lattice, no overlap within a
//! level, every finer grid inside its parent level, and level 0 covering the domain.

use super::hierarchy::{LevelIndex, BIN};
use super::{AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};

impl AmrHierarchy {
    pub(super) fn validate(&mut self) -> Result<()> {
        let max_level = self.grids.iter().map(|g| g.level).max().unwrap_or(0);
        if max_level > 30 {
            return Err(Error::Invalid(format!(
                "level {max_level} is beyond the supported 30"
            )));
        }
        self.levels = vec![LevelIndex::default(); max_level as usize + 1];
        self.check_ratios()?;
        self.starts = Vec::with_capacity(self.grids.len());
        for n in 0..self.grids.len() {
            let s = self.grid_start(&self.grids[n])?;
            self.starts.push(s);
            self.index_grid(n, s);
        }
        // No overlap within a level; coverage of each level by the one below.
        for n in 0..self.grids.len() {
            self.check_no_overlap(n)?;
            self.check_inside_parents(n)?;
        }
        self.check_root_covers_domain()
    }

    /// Fails unless there is a ratio per level below the finest, at least 2 along x and y and
    /// at least 1 along z (1: a 2-D dataset, one cell thick).
    fn check_ratios(&self) -> Result<()> {
        let max_level = self.max_level() as usize;
        if self.ratios.len() < max_level {
            return Err(Error::Invalid(format!(
                "{} refinement ratios given for {} levels",
                self.ratios.len(),
                max_level + 1
            )));
        }
        for (l, r) in self.ratios.iter().take(max_level).enumerate() {
            if r[0] < 2 || r[1] < 2 || r[2] < 1 || r.iter().any(|&v| v > 64) {
                return Err(Error::Invalid(format!(
                    "refinement ratio {r:?} between levels {l} and {}: must be 2 to 64 along x and y, 1 to 64 along z",
                    l + 1
                )));
            }
        }
        // Global cell indices of the finest level stay exact in f64 and far from i64 overflow.
        let mut cells = self.root_dims.map(|d| d as u128);
        for l in 0..=max_level {
            if l > 0 {
                let r = self.ratios[l - 1];
                cells = [0, 1, 2].map(|a| cells[a] * r[a] as u128);
            }
            if cells.iter().any(|&c| c > 1 << 52) {
                return Err(Error::Invalid(format!(
                    "{} levels refined by {:?} over {:?} root cells is beyond the supported resolution",
                    max_level + 1,
                    &self.ratios[..max_level],
                    self.root_dims
                )));
            }
        }
        Ok(())
    }

    /// Checks grid `g`'s dimensions and edges; returns its first cell index at its level.
    fn grid_start(&self, g: &AmrGrid) -> Result<[i64; 3]> {
        let name = format!("grid {} (level {})", g.id, g.level);
        if g.dims.contains(&0) {
            return Err(Error::Invalid(format!(
                "{name}: dimensions {:?} must be positive",
                g.dims
            )));
        }
        if g.dims.iter().map(|&d| d as u128).product::<u128>() > 1 << 40 {
            return Err(Error::Invalid(format!(
                "{name}: dimensions {:?} are beyond the supported 2^40 cells per grid",
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
        Ok([start.x as i64, start.y as i64, start.z as i64])
    }

    /// Lists grid `n`, whose first cell is `s`, in every bin of its level that it overlaps.
    fn index_grid(&mut self, n: usize, s: [i64; 3]) {
        let g = &self.grids[n];
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

    /// Fails if grid `n` overlaps another grid of its level.
    fn check_no_overlap(&self, n: usize) -> Result<()> {
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
        Ok(())
    }

    /// Fails unless every cell of grid `n` is covered by the level below it.
    fn check_inside_parents(&self, n: usize) -> Result<()> {
        let g = &self.grids[n];
        let (s, e) = self.index_box(n);
        let covered: i128 = if g.level == 0 {
            g.num_cells() as i128
        } else {
            let r = self.ratio(g.level - 1).map(i64::from);
            let cs = [0, 1, 2].map(|a| s[a].div_euclid(r[a]));
            let ce = [0, 1, 2].map(|a| (e[a] + r[a] - 1).div_euclid(r[a]));
            // Count fine cells of g covered by the coarser level.
            self.overlapping(g.level - 1, cs, ce)
                .into_iter()
                .map(|m| {
                    let (ps, pe) = self.index_box(m);
                    let mut vol = 1i128;
                    for a in 0..3 {
                        let lo = s[a].max(ps[a] * r[a]);
                        let hi = e[a].min(pe[a] * r[a]);
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
        Ok(())
    }

    /// Fails unless the grids of level 0 hold as many cells as the root level of the domain.
    fn check_root_covers_domain(&self) -> Result<()> {
        let root_cells: u128 = self.root_dims.iter().map(|&d| d as u128).product();
        let level0: u128 = self
            .grids
            .iter()
            .filter(|g| g.level == 0)
            .map(|g| g.dims.iter().map(|&d| d as u128).product::<u128>())
            .sum();
        if level0 != root_cells {
            return Err(Error::Invalid(format!(
                "level 0 holds {level0} cells but the domain has {root_cells} ({:?}): the root level must cover the domain",
                self.root_dims
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::amr::test_layouts::grid;
    use crate::amr::{AmrGrid, AmrHierarchy};
    use glam::DVec3;

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
}
