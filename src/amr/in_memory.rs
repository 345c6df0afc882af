//! A field given in memory grid by grid (edges, level, values), as the Python package's
//! `from_grids` and `from_yt` pass it: the hierarchy (domain, root cells, refinement ratio
//! per level and axis) is inferred from the grids where it is not given, then validated like
//! every reader's. Grids are named by their position in the list (`grid 3`), so a message
//! points at the caller's own list.
//!
//! Values follow the readers' policy: NaN and infinities are kept, counted in the statistics
//! and drawn transparent (with the warning every front end prints); a grid's values can be
//! read in place from memory someone else owns ([`GridArray::external`]).

use super::{field_stats, AmrGrid, AmrHierarchy, FieldSource, FieldStats, GridArray};
use crate::error::{Error, Result};
use glam::DVec3;
use std::sync::{Arc, OnceLock};

/// One grid given in memory.
pub struct GridInput {
    /// Lower and upper corners in domain units.
    pub left: DVec3,
    pub right: DVec3,
    /// Refinement level, 0 for the root.
    pub level: u32,
    /// Cells along x, y, z.
    pub dims: [usize; 3],
    /// The values, x fastest: index `i + nx * (j + ny * k)`.
    pub values: GridArray,
}

/// What the caller knows of the layout; the rest is inferred from the grids.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LayoutHints {
    /// The domain `lo..hi` (default: the box around the level-0 grids).
    pub domain: Option<(DVec3, DVec3)>,
    /// Root-level cells across the domain (default: its width over level 0's cell size).
    pub root_dims: Option<[usize; 3]>,
}

/// A field held in memory, one array per grid: a [`FieldSource`] that reads nothing.
pub struct InMemoryField {
    dataset: String,
    field: String,
    hierarchy: AmrHierarchy,
    grids: Vec<Arc<GridArray>>,
    stats: OnceLock<FieldStats>,
}

impl InMemoryField {
    /// The field `field` of dataset `dataset` on `grids`, checked: one value per cell, one
    /// cell size per level, cell sizes of successive levels in integer ratios, and the
    /// hierarchy's rules (no overlap within a level, every grid inside its parent level, level
    /// 0 covering the domain).
    pub fn new(
        dataset: impl Into<String>,
        field: impl Into<String>,
        grids: Vec<GridInput>,
        hints: &LayoutHints,
    ) -> Result<InMemoryField> {
        if grids.is_empty() {
            return Err(Error::Invalid("no grids given".into()));
        }
        for (n, g) in grids.iter().enumerate() {
            check_grid(n, g)?;
        }
        let dx = level_cell_sizes(&grids)?;
        let (lo, hi) = match hints.domain {
            Some(d) => d,
            None => root_box(&grids),
        };
        let root_dims = match hints.root_dims {
            Some(d) => d,
            None => root_cells(lo, hi, dx[0])?,
        };
        let ratios = ratios(&dx)?;
        let (amr, values): (Vec<AmrGrid>, Vec<Arc<GridArray>>) = grids
            .into_iter()
            .enumerate()
            .map(|(n, g)| {
                let grid = AmrGrid {
                    id: n as u64,
                    level: g.level,
                    left: g.left,
                    right: g.right,
                    dims: g.dims,
                };
                (grid, Arc::new(g.values))
            })
            .unzip();
        let hierarchy = AmrHierarchy::with_ratios(lo, hi, root_dims, ratios, amr)?;
        Ok(InMemoryField {
            dataset: dataset.into(),
            field: field.into(),
            hierarchy,
            grids: values,
            stats: OnceLock::new(),
        })
    }

    /// Grids whose values are read in place rather than held by amrcast.
    pub fn external_grids(&self) -> usize {
        self.grids.iter().filter(|g| g.is_external()).count()
    }
}

/// Fails unless grid `n` has positive dimensions, finite ordered edges and one value per cell.
fn check_grid(n: usize, g: &GridInput) -> Result<()> {
    let name = format!("grid {n} (level {})", g.level);
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
    let cells = g.dims.iter().product::<usize>();
    if g.values.len() != cells {
        return Err(Error::Invalid(format!(
            "{name}: {} values for dimensions {:?} ({cells} cells)",
            g.values.len(),
            g.dims
        )));
    }
    Ok(())
}

fn cell_size(g: &GridInput) -> DVec3 {
    (g.right - g.left) / DVec3::new(g.dims[0] as f64, g.dims[1] as f64, g.dims[2] as f64)
}

/// The cell size of every level from 0 to the finest: each level must have grids, all of
/// one cell size (to a relative 1e-6).
fn level_cell_sizes(grids: &[GridInput]) -> Result<Vec<DVec3>> {
    let finest = grids.iter().map(|g| g.level).max().unwrap_or(0);
    if finest > 30 {
        return Err(Error::Invalid(format!(
            "level {finest} is beyond the supported 30"
        )));
    }
    let mut first: Vec<Option<usize>> = vec![None; finest as usize + 1];
    for (n, g) in grids.iter().enumerate() {
        let slot = &mut first[g.level as usize];
        match *slot {
            None => *slot = Some(n),
            Some(m) => {
                let (a, b) = (cell_size(g), cell_size(&grids[m]));
                if ((a - b).abs().cmpgt(b * 1e-6)).any() {
                    return Err(Error::Invalid(format!(
                        "grid {n} (level {}): cell size {a:?} differs from {b:?}, that of grid {m} of the same level",
                        g.level
                    )));
                }
            }
        }
    }
    first
        .iter()
        .enumerate()
        .map(|(l, m)| match m {
            Some(m) => Ok(cell_size(&grids[*m])),
            None => Err(Error::Invalid(format!(
                "level {l} has no grids but level {finest} has: levels must follow one another from 0"
            ))),
        })
        .collect()
}

/// The box around the level-0 grids.
fn root_box(grids: &[GridInput]) -> (DVec3, DVec3) {
    grids.iter().filter(|g| g.level == 0).fold(
        (DVec3::splat(f64::INFINITY), DVec3::splat(f64::NEG_INFINITY)),
        |(lo, hi), g| (lo.min(g.left), hi.max(g.right)),
    )
}

/// Root cells across `lo..hi` at cell size `dx`: a whole number along each axis.
fn root_cells(lo: DVec3, hi: DVec3, dx: DVec3) -> Result<[usize; 3]> {
    let n = (hi - lo) / dx;
    let r = n.round();
    if (n - r).abs().cmpgt(DVec3::splat(1e-3)).any() || r.cmplt(DVec3::ONE).any() {
        return Err(Error::Invalid(format!(
            "the domain {lo:?}..{hi:?} is not a whole number of level-0 cells of size {dx:?}"
        )));
    }
    Ok([r.x as usize, r.y as usize, r.z as usize])
}

/// The refinement ratio between each level and the next, per axis: the ratio of their cell
/// sizes, a whole number (1 along an axis that is not refined, z in 2-D data).
fn ratios(dx: &[DVec3]) -> Result<Vec<[u32; 3]>> {
    dx.windows(2)
        .enumerate()
        .map(|(l, w)| {
            let q = w[0] / w[1];
            let r = q.round();
            if (q - r).abs().cmpgt(r * 1e-4).any() || r.cmplt(DVec3::ONE).any() {
                return Err(Error::Invalid(format!(
                    "levels {l} and {}: cell sizes {:?} and {:?} are not in a whole-number ratio",
                    l + 1,
                    w[0],
                    w[1]
                )));
            }
            Ok([r.x as u32, r.y as u32, r.z as u32])
        })
        .collect()
}

impl FieldSource for InMemoryField {
    fn dataset_name(&self) -> &str {
        &self.dataset
    }
    fn field_name(&self) -> &str {
        &self.field
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn grid(&self, n: usize) -> Result<Arc<GridArray>> {
        let len = self.grids.len();
        self.grids
            .get(n)
            .cloned()
            .ok_or_else(|| crate::formats::no_grid(&self.field, n, len))
    }
    fn stats(&self) -> Result<FieldStats> {
        Ok(*self
            .stats
            .get_or_init(|| field_stats(self.grids.iter().map(|g| &g[..]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::{AmrDataset, ExternalValues};

    fn grid(level: u32, left: [f64; 3], right: [f64; 3], dims: [usize; 3]) -> GridInput {
        let cells = dims.iter().product::<usize>();
        GridInput {
            left: DVec3::from(left),
            right: DVec3::from(right),
            level,
            dims,
            values: GridArray::new((0..cells).map(|v| v as f32 + 1.0).collect(), None),
        }
    }

    fn make(grids: Vec<GridInput>) -> Result<InMemoryField> {
        InMemoryField::new("test", "density", grids, &LayoutHints::default())
    }

    fn message(grids: Vec<GridInput>) -> String {
        make(grids).err().expect("an error").to_string()
    }

    /// Domain, root cells and ratios (4 then 2) come from the grids; values are served as given.
    #[test]
    fn infers_the_layout() {
        let f = make(vec![
            grid(0, [0.0; 3], [0.5, 1.0, 1.0], [2, 4, 4]),
            grid(0, [0.5, 0.0, 0.0], [1.0; 3], [2, 4, 4]),
            grid(1, [0.25; 3], [0.75; 3], [8, 8, 8]),
            grid(2, [0.5; 3], [0.625; 3], [4, 4, 4]),
        ])
        .unwrap();
        let h = f.hierarchy();
        assert_eq!((h.domain_left, h.domain_right), (DVec3::ZERO, DVec3::ONE));
        assert_eq!(h.root_dims, [4, 4, 4]);
        assert_eq!(h.refinement_ratios(), vec![4, 2]);
        assert_eq!(f.grid(2).unwrap()[5], 6.0);
        assert_eq!(f.stats().unwrap().max, 512.0);
        let ds = AmrDataset::read_all(&f).unwrap();
        assert_eq!(ds.grid_value(3, 1, 0, 0), 2.0);
        assert!(f.grid(4).is_err());
    }

    /// One cell thick in z and not refined in z: a 2-D dataset with z ratio 1.
    #[test]
    fn two_d_grids_have_z_ratio_one() {
        let f = make(vec![
            grid(0, [0.0; 3], [1.0, 1.0, 0.1], [4, 4, 1]),
            grid(1, [0.5, 0.5, 0.0], [1.0, 1.0, 0.1], [4, 4, 1]),
        ])
        .unwrap();
        assert_eq!(f.hierarchy().ratio(0), [2, 2, 1]);
        assert_eq!(f.hierarchy().dimensionality(), 2);
    }

    #[test]
    fn bad_inputs_are_named() {
        let mut short = grid(0, [0.0; 3], [1.0; 3], [4, 4, 4]);
        short.values = GridArray::new(vec![0.0; 60].into(), None);
        assert_eq!(
            message(vec![short]),
            "invalid AMR data: grid 0 (level 0): 60 values for dimensions [4, 4, 4] (64 cells)"
        );
        let e = message(vec![
            grid(0, [0.0; 3], [1.0; 3], [4, 4, 4]),
            grid(1, [0.25; 3], [0.5; 3], [2, 2, 2]),
            grid(1, [0.375; 3], [0.625; 3], [2, 2, 2]),
        ]);
        assert!(e.contains("grid 1 and grid 2 of level 1 overlap"), "{e}");
        let e = message(vec![
            grid(0, [0.0; 3], [0.5, 1.0, 1.0], [2, 4, 4]),
            grid(0, [0.5, 0.0, 0.0], [1.0, 0.5, 1.0], [2, 2, 4]),
        ]);
        assert!(e.contains("level 0 holds"), "{e}");
        // A fine grid outside its parent level (level 0 is half the domain here by hint).
        let hints = LayoutHints {
            domain: Some((DVec3::ZERO, DVec3::new(1.0, 1.0, 1.0))),
            root_dims: Some([4, 4, 4]),
        };
        let e = InMemoryField::new(
            "t",
            "f",
            vec![
                grid(0, [0.0; 3], [0.5, 1.0, 1.0], [2, 4, 4]),
                grid(0, [0.5, 0.0, 0.0], [1.0; 3], [2, 4, 4]),
                grid(1, [0.875; 3], [1.125; 3], [2, 2, 2]),
            ],
            &hints,
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.contains("grid 2 (level 1)") && e.contains("outside"),
            "{e}"
        );
        let e = message(vec![
            grid(0, [0.0; 3], [1.0; 3], [4, 4, 4]),
            grid(1, [0.0; 3], [0.25; 3], [2, 2, 2]),
            grid(1, [0.5; 3], [1.0; 3], [2, 2, 2]),
        ]);
        assert!(e.contains("grid 2 (level 1): cell size"), "{e}");
        let e = message(vec![
            grid(0, [0.0; 3], [1.0; 3], [4, 4, 4]),
            grid(2, [0.0; 3], [0.25; 3], [4, 4, 4]),
        ]);
        assert!(e.contains("level 1 has no grids"), "{e}");
        let e = message(vec![
            grid(0, [0.0; 3], [1.0; 3], [4, 4, 4]),
            grid(1, [0.0; 3], [0.3; 3], [4, 4, 4]),
        ]);
        assert!(e.contains("whole-number ratio"), "{e}");
        let e = message(vec![grid(0, [0.0; 3], [1.0, -1.0, 1.0], [4, 4, 4])]);
        assert!(e.contains("must exceed left edge"), "{e}");
    }

    /// A grid not nested in its parent level is refused by the hierarchy's check.
    #[test]
    fn a_fine_grid_outside_its_parents_is_refused() {
        let e = message(vec![
            grid(0, [0.0; 3], [0.5, 1.0, 1.0], [2, 4, 4]),
            grid(0, [0.5, 0.0, 0.0], [1.0, 1.0, 1.0], [2, 4, 4]),
            grid(1, [0.0; 3], [0.5; 3], [4, 4, 4]),
            grid(2, [0.5, 0.5, 0.5], [0.625; 3], [2, 2, 2]),
        ]);
        assert!(
            e.contains("grid 3 of level 2") && e.contains("not inside its parent level 1"),
            "{e}"
        );
    }

    struct Outside(Vec<f32>);
    impl ExternalValues for Outside {
        fn values(&self) -> &[f32] {
            &self.0
        }
    }

    /// External values are served in place; NaN is kept and counted, as the readers keep it.
    #[test]
    fn external_values_and_nan() {
        let mut v = vec![1.0f32; 64];
        v[3] = f32::NAN;
        let ext = Arc::new(Outside(v));
        let g = GridInput {
            values: GridArray::external(ext.clone()),
            ..grid(0, [0.0; 3], [1.0; 3], [4, 4, 4])
        };
        let f = make(vec![g]).unwrap();
        assert_eq!(f.external_grids(), 1);
        assert_eq!(f.grid(0).unwrap().as_ptr(), ext.0.as_ptr());
        assert_eq!(f.stats().unwrap().non_finite, 1);
    }
}
