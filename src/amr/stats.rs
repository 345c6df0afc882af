//! Summary statistics of a field's values.

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
