//! A field on the hierarchy, and the dataset that pairs them: what the renderer draws.

use super::{field_stats, AmrHierarchy, FieldStats};
use crate::error::{Error, Result};

/// Field values on every grid of a hierarchy.
#[derive(Clone, Debug)]
pub struct AmrField {
    pub name: String,
    /// One array per grid, in the hierarchy's grid order, x fastest (shared: cloning a
    /// dataset copies no values).
    pub data: Vec<std::sync::Arc<[f32]>>,
}

impl AmrField {
    /// A field from one array per grid.
    pub fn new(name: impl Into<String>, data: Vec<Vec<f32>>) -> AmrField {
        AmrField {
            name: name.into(),
            data: data.into_iter().map(Into::into).collect(),
        }
    }
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

    /// Reads every grid of `source` into memory (for what samples the whole field on the CPU:
    /// slices, 2-D images).
    pub fn read_all(source: &dyn super::FieldSource) -> Result<Self> {
        let h = source.hierarchy();
        let data = (0..h.grids.len())
            .map(|n| source.grid(n).map(|g| g.shared()))
            .collect::<Result<Vec<_>>>()?;
        let field = AmrField {
            name: source.field_name().to_string(),
            data,
        };
        AmrDataset::new(source.dataset_name(), h.clone(), field)
    }

    /// Min, max and counts of problem values over the cells that are not covered by a finer
    /// level... and those that are: every stored value counts.
    pub fn stats(&self) -> FieldStats {
        field_stats(self.field.data.iter().map(|v| &v[..]))
    }

    /// The stored value of cell `ijk` of grid `n` (indices inside the grid).
    #[inline]
    pub fn grid_value(&self, n: usize, i: usize, j: usize, k: usize) -> f32 {
        let d = self.hierarchy.grids[n].dims;
        self.field.data[n][i + d[0] * (j + d[1] * k)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::test_layouts::two_level;

    #[test]
    fn field_length_is_checked() {
        let h = two_level();
        let e = AmrDataset::new(
            "t",
            h,
            AmrField {
                name: "f".into(),
                data: vec![vec![0.0; 64].into(), vec![0.0; 63].into()],
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("63 values"), "{e}");
    }
}
