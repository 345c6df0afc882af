//! A rank's view of the field in sort-last rendering: the field read lazily, grid by grid, as
//! the rank's bricks need it, with the statistics of the whole field (merged from every rank's
//! share) so that every rank's transfer function and bounds equal the one-process render's.

use crate::amr::{AmrHierarchy, FieldSource, FieldStats, GridArray, HostMemory};
use crate::error::Result;
use std::sync::Arc;

/// `field` with the statistics `stats` of the whole field.
pub struct PieceField {
    pub field: Arc<dyn FieldSource>,
    pub stats: FieldStats,
}

impl FieldSource for PieceField {
    fn dataset_name(&self) -> &str {
        self.field.dataset_name()
    }
    fn field_name(&self) -> &str {
        self.field.field_name()
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        self.field.hierarchy()
    }
    fn grid(&self, n: usize) -> Result<Arc<GridArray>> {
        self.field.grid(n)
    }
    fn stats(&self) -> Result<FieldStats> {
        Ok(self.stats)
    }
    fn host_memory(&self) -> HostMemory {
        self.field.host_memory()
    }
}

/// Per grid, the rank that counts it in the statistics: the rank whose piece holds the grid's
/// centre (every grid once, covered coarse grids included).
pub fn grid_owners(h: &AmrHierarchy, pieces: &super::Pieces) -> Vec<usize> {
    let fine = h.cell_size(h.max_level());
    h.grids
        .iter()
        .map(|g| {
            let c = (g.left + g.right) * 0.5 - h.domain_left;
            pieces.rank_at([c.x / fine.x, c.y / fine.y, c.z / fine.z])
        })
        .collect()
}

/// Statistics of the grids `grids` of `field` (read one by one and dropped).
pub fn stats_of(field: &dyn FieldSource, grids: &[usize]) -> Result<FieldStats> {
    crate::amr::stream_stats(
        grids.len(),
        &format!("reading {}", field.field_name()),
        |i| field.grid(grids[i]),
    )
}

/// The statistics of the whole from those of its parts.
pub fn merge_stats(parts: &[FieldStats]) -> FieldStats {
    let mut acc = crate::amr::StatsAccumulator::default();
    for p in parts {
        acc.merge(&crate::amr::StatsAccumulator::of(p));
    }
    acc.finish()
}
