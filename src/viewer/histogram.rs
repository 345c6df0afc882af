//! Histogram of a field over the transfer function's axis `t` (encoded value between the
//! bounds), drawn under the transfer-function editor.

use crate::amr::AmrDataset;
use crate::transfer::{Scale, MISSING_BELOW};

/// At most this many values are counted; larger fields are sampled with a fixed stride.
pub const MAX_COUNTED: usize = 1 << 22;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Cells per bin of `t` in [0, 1].
    pub counts: Vec<u64>,
    /// Cells below the lower bound, above the upper one, and without a value in `scale`.
    pub below: u64,
    pub above: u64,
    pub missing: u64,
}

impl Histogram {
    /// Counts the stored cells of every grid (every level) of `ds` in `bins` bins between the
    /// encoded bounds `lo..hi`.
    pub fn new(ds: &AmrDataset, scale: Scale, (lo, hi): (f32, f32), bins: usize) -> Self {
        let bins = bins.max(1);
        let total: usize = ds.field.data.iter().map(|d| d.len()).sum();
        let stride = total.div_ceil(MAX_COUNTED).max(1);
        let mut h = Histogram {
            counts: vec![0; bins],
            ..Default::default()
        };
        let inv = bins as f64 / (hi as f64 - lo as f64);
        for v in ds.field.data.iter().flat_map(|d| d.iter()).step_by(stride) {
            let e = scale.encode(*v);
            if e <= MISSING_BELOW {
                h.missing += 1;
            } else if e < lo {
                h.below += 1;
            } else if e > hi {
                h.above += 1;
            } else {
                let b = (((e - lo) as f64 * inv) as usize).min(bins - 1);
                h.counts[b] += 1;
            }
        }
        h
    }

    /// The largest bin count.
    pub fn max(&self) -> u64 {
        self.counts.iter().copied().max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cells_by_encoded_value() {
        let mut ds = crate::demo::demo_dataset(None).unwrap();
        // Replace the values of the first grid with known ones.
        let n = ds.field.data[0].len();
        let others: usize = ds.field.data[1..].iter().map(|d| d.len()).sum();
        for g in ds.field.data.iter_mut() {
            *g = vec![2e-3; g.len()].into();
        }
        let mut first = vec![2e-3; n];
        first[0] = 10.0; // log 1: the top bin
        first[1] = 0.5; // log -0.3: bin 7 of 10 in [-3, 1]
        first[2] = -1.0; // missing in log
        first[3] = 100.0; // above
        first[4] = 1e-5; // below
        ds.field.data[0] = first.into();
        let h = Histogram::new(&ds, Scale::Log, (-3.0, 1.0), 10);
        assert_eq!((h.below, h.above, h.missing), (1, 1, 1));
        assert_eq!(h.counts[9], 1);
        assert_eq!(h.counts[6], 1);
        assert_eq!(h.counts[0], (n - 5 + others) as u64);
        assert_eq!(h.max(), h.counts[0]);
        let total: u64 = h.counts.iter().sum::<u64>() + h.below + h.above + h.missing;
        assert_eq!(total, (n + others) as u64);
        // Linear: the negative value counts below the bounds instead.
        let h = Histogram::new(&ds, Scale::Linear, (0.0, 20.0), 4);
        assert_eq!((h.below, h.above, h.missing), (1, 1, 0));
    }
}
