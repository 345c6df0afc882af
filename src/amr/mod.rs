//! The AMR model: a domain, nested rectangular grids refined by a ratio per level, and one
//! cell-centred field on them.
//!
//! Conventions (the same in every reader):
//! - Edges are in domain units (`f64`); level 0 covers the whole domain, and every grid of
//!   level `L > 0` lies inside the union of the grids of level `L - 1` (its parents).
//! - Grids of one level do not overlap. Cell size at level `L` is `root_dx` over the product of
//!   the ratios of the levels below it, per axis (2 nearly everywhere; 4 then 2 in some runs).
//! - A 2-D dataset is one cell thick: one root cell along z and every z ratio 1.
//! - Field values are `f32`, one `Vec` per grid, x varying fastest: index `i + nx * (j + ny * k)`.
//!
//! Sampling (used by the brick builder and by the CPU reference renderer): the value at a point
//! is trilinear in the cell centres of the finest level that covers the point. A cell centre of
//! level `L` that no level-`L` grid holds (across a grid's outer face) takes the value of the
//! coarser level interpolated at that centre, and at the domain faces the nearest cell is used
//! (constant extrapolation). This makes interpolation continuous across grids of one level and
//! reproduces any field linear in x, y, z exactly on every layout.

mod dataset;
mod hierarchy;
mod in_memory;
mod lazy;
mod sampling;
mod split;
mod stats;
mod validate;
mod values;

pub use dataset::{AmrDataset, AmrField};
pub use hierarchy::AmrHierarchy;
pub use in_memory::{GridInput, InMemoryField, LayoutHints};
pub use lazy::LazyField;
pub use stats::{field_stats, stream_stats, FieldStats, StatsAccumulator};
pub use values::{
    streamed_stats, ExternalValues, FieldSource, FieldView, GridArray, GridSet, GridValues,
    HostMemory, MemoryCounter,
};

use glam::DVec3;

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

/// Small layouts shared by the unit tests of this module's files.
#[cfg(test)]
mod test_layouts {
    use super::*;

    pub(super) fn grid(
        id: u64,
        level: u32,
        left: [f64; 3],
        right: [f64; 3],
        dims: [usize; 3],
    ) -> AmrGrid {
        AmrGrid {
            id,
            level,
            left: DVec3::from(left),
            right: DVec3::from(right),
            dims,
        }
    }

    pub(super) fn two_level() -> AmrHierarchy {
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
}
