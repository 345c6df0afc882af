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
    let mut acc = StatsAccumulator::default();
    for slice in slices {
        acc.add(slice);
    }
    acc.finish()
}

/// Threads that read grids for [`stream_stats`]: the values held at once are about this
/// many grids.
const STATS_READERS: usize = 2;

/// Statistics of `grids` grids, each read by `read` and dropped once counted, on
/// [`STATS_READERS`] threads; the first failing read (in grid order) stops the reading and is
/// the error. Progress goes to a [`crate::progress::Stage`] labelled `label`.
pub fn stream_stats<G: std::ops::Deref<Target: AsRef<[f32]>>>(
    grids: usize,
    label: &str,
    read: impl Fn(usize) -> crate::error::Result<G> + Sync,
) -> crate::error::Result<FieldStats> {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::Mutex;
    let stage = crate::progress::Stage::new(label, grids as u64, "grids");
    let (next, failed, bytes) = (
        AtomicUsize::new(0),
        AtomicBool::new(false),
        AtomicU64::new(0),
    );
    let total = Mutex::new(StatsAccumulator::default());
    let first_error = Mutex::new(None::<(usize, crate::error::Error)>);
    let work = || {
        let mut acc = StatsAccumulator::default();
        while !failed.load(Ordering::Relaxed) {
            let n = next.fetch_add(1, Ordering::Relaxed);
            if n >= grids {
                break;
            }
            match read(n) {
                Ok(grid) => {
                    let values: &[f32] = (*grid).as_ref();
                    acc.add(values);
                    let b = std::mem::size_of_val(values) as u64;
                    let read = bytes.fetch_add(b, Ordering::Relaxed) + b;
                    stage.advance(1, || format!("{} read", indicatif::HumanBytes(read)));
                }
                Err(e) => {
                    failed.store(true, Ordering::Relaxed);
                    let mut first = first_error.lock().unwrap_or_else(|p| p.into_inner());
                    if first.as_ref().is_none_or(|(m, _)| n < *m) {
                        *first = Some((n, e));
                    }
                }
            }
        }
        total.lock().unwrap_or_else(|p| p.into_inner()).merge(&acc);
    };
    std::thread::scope(|s| {
        for _ in 1..STATS_READERS.min(grids) {
            s.spawn(work);
        }
        work();
    });
    stage.finish();
    if let Some((_, e)) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    Ok(total
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .finish())
}

/// [`FieldStats`] gathered piece by piece: add values, merge the accumulators of parts read
/// apart (grid by grid, thread by thread), finish; the result is the same in any order.
#[derive(Clone, Copy, Debug)]
pub struct StatsAccumulator {
    min: f32,
    max: f32,
    min_positive: f32,
    non_finite: usize,
    non_positive: usize,
}

impl Default for StatsAccumulator {
    fn default() -> Self {
        StatsAccumulator {
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            min_positive: f32::INFINITY,
            non_finite: 0,
            non_positive: 0,
        }
    }
}

impl StatsAccumulator {
    pub fn add(&mut self, values: &[f32]) {
        for &v in values {
            if !v.is_finite() {
                self.non_finite += 1;
                continue;
            }
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            if v > 0.0 {
                self.min_positive = self.min_positive.min(v);
            } else {
                self.non_positive += 1;
            }
        }
    }

    pub fn merge(&mut self, other: &StatsAccumulator) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.min_positive = self.min_positive.min(other.min_positive);
        self.non_finite += other.non_finite;
        self.non_positive += other.non_positive;
    }

    /// The accumulator whose [`StatsAccumulator::finish`] is `s`: statistics of parts
    /// computed apart (by other processes) merge through it.
    pub fn of(s: &FieldStats) -> StatsAccumulator {
        let or = |v: f32, none: f32| if v.is_nan() { none } else { v };
        StatsAccumulator {
            min: or(s.min, f32::INFINITY),
            max: or(s.max, f32::NEG_INFINITY),
            min_positive: or(s.min_positive, f32::INFINITY),
            non_finite: s.non_finite,
            non_positive: s.non_positive,
        }
    }

    pub fn finish(&self) -> FieldStats {
        let mut s = FieldStats {
            min: self.min,
            max: self.max,
            min_positive: self.min_positive,
            non_finite: self.non_finite,
            non_positive: self.non_positive,
        };
        if !s.min.is_finite() {
            s.min = f32::NAN;
            s.max = f32::NAN;
        }
        if !s.min_positive.is_finite() {
            s.min_positive = f32::NAN;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_parts_give_the_stats_of_the_whole() {
        let a = [3.0, f32::NAN, -1.0, 0.5];
        let b = [f32::INFINITY, 7.0, 0.0];
        let c: [f32; 0] = [];
        let whole = field_stats([&a[..], &b[..], &c[..]].into_iter());
        assert_eq!((whole.min, whole.max, whole.min_positive), (-1.0, 7.0, 0.5));
        assert_eq!((whole.non_finite, whole.non_positive), (2, 2));
        let mut parts = [StatsAccumulator::default(); 3];
        parts[0].add(&b);
        parts[1].add(&c);
        parts[2].add(&a);
        let mut acc = StatsAccumulator::default();
        for p in &parts {
            acc.merge(p);
        }
        assert_eq!(acc.finish(), whole);
        // Finished statistics of parts merge into those of the whole.
        let mut again = StatsAccumulator::default();
        for p in &parts {
            again.merge(&StatsAccumulator::of(&p.finish()));
        }
        assert_eq!(again.finish(), whole);
        // Nothing finite: NaN bounds, as before.
        let none = field_stats([&[f32::NAN][..]].into_iter());
        assert!(none.min.is_nan() && none.max.is_nan() && none.min_positive.is_nan());
    }
}
