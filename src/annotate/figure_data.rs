//! What annotations need to know about the data, whatever draws them (a render through the
//! GPU, or a slice on the CPU).

use super::outlines;
use super::Annotations;
use crate::amr::{AmrHierarchy, FieldSource};
use crate::formats::Metadata;

/// What annotations need to know about the data: the grids (for the outlines), the field's
/// name and units, and the length unit.
#[derive(Clone, Debug)]
pub struct FigureData {
    pub hierarchy: AmrHierarchy,
    pub field: String,
    /// The field's units; `None`: code units.
    pub field_units: Option<String>,
    /// Centimetres per domain unit; `None` when the dataset does not say.
    pub cm_per_unit: Option<f64>,
}

impl FigureData {
    /// The figure data of the field `ds` (in memory or read from the files), with the length unit of `metadata` (Enzo's `LengthUnits`, or
    /// the cosmology's comoving box). Fields stay in code units: the readers do not convert
    /// them.
    pub fn new(ds: &dyn FieldSource, metadata: &Metadata) -> FigureData {
        FigureData {
            hierarchy: ds.hierarchy().clone(),
            field: ds.field_name().to_string(),
            field_units: None,
            cm_per_unit: metadata.units.get("length").copied(),
        }
    }

    /// The 3-D lines `annotations` asks for.
    pub fn segments(&self, annotations: &Annotations) -> Vec<outlines::Segment> {
        let mut s = Vec::new();
        if annotations.grids {
            s.extend(outlines::grid_segments(&self.hierarchy));
        }
        if annotations.domain {
            s.extend(outlines::domain_segments(&self.hierarchy));
        }
        s
    }
}
