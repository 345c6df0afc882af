//! Cutting a dataset's grids into smaller grids: the same field on the same cells, held in
//! many small patches as codes with small blocks write them (Athena++'s mesh blocks, Enzo's
//! many grids). `amrcast bench --split-grids N` uses it to measure the ray caster on
//! thousands of leaves.

use super::{AmrDataset, AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use glam::DVec3;

/// `n` cells cut into the fewest near-equal runs of at most `max`: `(start, length)`.
fn runs(n: usize, max: usize) -> Vec<(usize, usize)> {
    let parts = n.div_ceil(max);
    let (base, extra) = (n / parts, n % parts);
    let mut s = 0;
    (0..parts)
        .map(|p| {
            let len = base + usize::from(p < extra);
            s += len;
            (s - len, len)
        })
        .collect()
}

impl AmrDataset {
    /// The same field with every grid cut into grids of at most `max` cells per axis (in
    /// near-equal parts), in the order of the grids they come from.
    pub fn split_grids(&self, max: usize) -> Result<AmrDataset> {
        if max == 0 {
            return Err(Error::Settings(
                "grids can only be split into parts of at least one cell".into(),
            ));
        }
        let h = &self.hierarchy;
        let (mut grids, mut data) = (Vec::new(), Vec::new());
        for (g, values) in h.grids.iter().zip(&self.field.data) {
            let dx = (g.right - g.left)
                / DVec3::new(g.dims[0] as f64, g.dims[1] as f64, g.dims[2] as f64);
            let parts = g.dims.map(|d| runs(d, max));
            for &(z0, nz) in &parts[2] {
                for &(y0, ny) in &parts[1] {
                    for &(x0, nx) in &parts[0] {
                        let lo = DVec3::new(x0 as f64, y0 as f64, z0 as f64);
                        let hi = lo + DVec3::new(nx as f64, ny as f64, nz as f64);
                        grids.push(AmrGrid {
                            id: grids.len() as u64,
                            level: g.level,
                            left: g.left + lo * dx,
                            right: g.left + hi * dx,
                            dims: [nx, ny, nz],
                        });
                        let mut v = Vec::with_capacity(nx * ny * nz);
                        for k in z0..z0 + nz {
                            for j in y0..y0 + ny {
                                let row = x0 + g.dims[0] * (j + g.dims[1] * k);
                                v.extend_from_slice(&values[row..row + nx]);
                            }
                        }
                        data.push(v);
                    }
                }
            }
        }
        let ratios = h.ratios[..h.max_level() as usize].to_vec();
        let split =
            AmrHierarchy::with_ratios(h.domain_left, h.domain_right, h.root_dims, ratios, grids)?;
        AmrDataset::new(
            self.name.clone(),
            split,
            AmrField::new(self.field.name.clone(), data),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_grids_hold_the_same_values_at_the_same_places() {
        let ds = crate::demo::demo_dataset(None).unwrap();
        let split = ds.split_grids(8).unwrap();
        let (h, s) = (&ds.hierarchy, &split.hierarchy);
        assert_eq!(s.num_cells(), h.num_cells());
        assert!(s.grids.len() > 10 * h.grids.len());
        assert!(s.grids.iter().all(|g| g.dims.iter().all(|&d| d <= 8)));
        for p in [
            DVec3::new(0.5, 0.5, 0.5),
            DVec3::new(0.31, 0.47, 0.52),
            DVec3::new(0.9, 0.1, 0.33),
        ] {
            assert_eq!(split.sample(p), ds.sample(p), "at {p:?}");
        }
        assert!(ds.split_grids(0).is_err());
        assert_eq!(runs(20, 8), vec![(0, 7), (7, 7), (14, 6)]);
    }
}
