//! Filling bricks: each brick's values with their border, encoded for a scale, read from a
//! [`FieldSource`] (in memory, or grid by grid from the files), and the range of encoded
//! values each leaf can sample.

use super::BrickLayout;
use crate::amr::{FieldSource, FieldView, GridSet, GridValues};
use crate::error::Result;
use crate::transfer::{Scale, MISSING_BELOW};

/// Bricks filled per worker between two hand-overs to the caller: bounds the values alive at
/// once to about `threads * FILL_BATCH` bricks.
const FILL_BATCH: usize = 16;

impl BrickLayout {
    /// Values of brick `b` with its border, x fastest, encoded for `scale`: the brick's own
    /// cells from the grids of its level that hold them, the border from a neighbour of the
    /// same level or the coarser level interpolated there (see [`FieldView::cell_value`]).
    pub fn brick_values(
        &self,
        source: &dyn FieldSource,
        b: usize,
        scale: Scale,
    ) -> Result<Vec<f32>> {
        let grids = GridSet::new(source);
        let out = self.brick_values_from(&grids, source.hierarchy(), b, scale);
        grids.finish()?;
        Ok(out)
    }

    /// [`BrickLayout::brick_values`] from the grids of `grids`.
    fn brick_values_from(
        &self,
        grids: &GridSet,
        h: &crate::amr::AmrHierarchy,
        b: usize,
        scale: Scale,
    ) -> Vec<f32> {
        let brick = &self.bricks[b];
        let view = FieldView {
            hierarchy: h,
            values: grids,
        };
        let end = [0, 1, 2].map(|a| brick.start[a] + brick.dims[a]);
        // The grids of the brick's level that hold its cells (one, unless bricks of several
        // grids were merged), as (first cell, end, dims, values).
        let own: Vec<_> = h
            .overlapping(brick.level, brick.start, end)
            .into_iter()
            .map(|n| {
                let (s, e) = h.index_box(n);
                (s, e, h.grids[n].dims, grids.values(n))
            })
            .collect();
        let holds =
            |k: usize, c: [i64; 3]| (0..3).all(|a| own[k].0[a] <= c[a] && c[a] < own[k].1[a]);
        let [sx, sy, sz] = brick.stored().map(|v| v as i64);
        let mut out = Vec::with_capacity((sx * sy * sz) as usize);
        let mut last = 0;
        for z in 0..sz {
            for y in 0..sy {
                for x in 0..sx {
                    let c = [
                        brick.start[0] + x - 1,
                        brick.start[1] + y - 1,
                        brick.start[2] + z - 1,
                    ];
                    let held = if !own.is_empty() && holds(last, c) {
                        Some(last)
                    } else {
                        (0..own.len()).find(|&k| holds(k, c))
                    };
                    let v = match held {
                        Some(k) => {
                            last = k;
                            let (gs, _, gd, data) = own[k];
                            let [i, j, k] = [0, 1, 2].map(|a| (c[a] - gs[a]) as usize);
                            data[i + gd[0] * (j + gd[1] * k)]
                        }
                        None => view.cell_value(brick.level, c),
                    };
                    out.push(scale.encode(v));
                }
            }
        }
        out
    }

    /// Fills `bricks` on up to `threads` threads, handing each brick's values to `sink` in
    /// the order of `bricks` a batch at a time (so at most a few batches are alive). Order
    /// the bricks by grid so that the grids they read stay in the source's cache.
    pub fn fill_bricks(
        &self,
        source: &dyn FieldSource,
        bricks: &[usize],
        scale: Scale,
        threads: usize,
        mut sink: impl FnMut(usize, &[f32]) -> Result<()>,
    ) -> Result<()> {
        let threads = threads.max(1);
        for group in bricks.chunks(threads * FILL_BATCH) {
            let chunk = group.len().div_ceil(threads).max(1);
            let filled: Vec<Result<Vec<Vec<f32>>>> = std::thread::scope(|s| {
                let handles: Vec<_> = group
                    .chunks(chunk)
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .map(|&b| self.brick_values(source, b, scale))
                                .collect::<Result<Vec<_>>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("brick worker panicked"))
                    .collect()
            });
            let mut next = group.iter();
            for part in filled {
                for values in part? {
                    let b = *next.next().expect("one result per brick");
                    sink(b, &values)?;
                }
            }
        }
        Ok(())
    }

    /// The smallest and largest valid encoded value leaf `leaf` can sample (`+inf, -inf` if
    /// none), from its brick's stored `values`: its cells and one more around them.
    pub fn leaf_range(&self, leaf: usize, values: &[f32]) -> [f32; 2] {
        let l = &self.leaves[leaf];
        let b = &self.bricks[l.brick];
        let s = b.stored().map(|v| v as usize);
        let m = self.level_scale[b.level as usize];
        let lo = [0, 1, 2].map(|a| (l.lo[a] / m[a] - b.start[a]).max(0) as usize);
        let hi = [0, 1, 2].map(|a| ((l.hi[a] / m[a] - b.start[a] + 2) as usize).min(s[a]));
        let mut r = [f32::INFINITY, f32::NEG_INFINITY];
        for z in lo[2]..hi[2] {
            for y in lo[1]..hi[1] {
                for &v in &values[lo[0] + s[0] * (y + s[1] * z)..hi[0] + s[0] * (y + s[1] * z)] {
                    if v > MISSING_BELOW {
                        r[0] = r[0].min(v);
                        r[1] = r[1].max(v);
                    }
                }
            }
        }
        r
    }
}

/// Threads for filling bricks: the machine's, at most 8.
pub fn fill_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

#[cfg(test)]
mod tests {
    use super::super::tests::layout;
    use crate::amr::{FieldSource, LazyField};
    use crate::transfer::Scale;
    use glam::DVec3;

    #[test]
    fn borders_continue_the_field() {
        let (ds, l) = layout();
        linear_field_in_every_texel(&ds, &l);
    }

    /// Grids cut into 4^3 pieces give bricks merged across the pieces' faces, whose values
    /// are read from all the pieces they span.
    #[test]
    fn bricks_merged_across_grids_hold_every_grid_s_values() {
        let (ds, l) = layout();
        let split = ds.split_grids(4).unwrap();
        let merged = crate::bricks::BrickLayout::build(&split.hierarchy).unwrap();
        assert!(split.hierarchy.grids.len() > 4 * merged.bricks.len());
        assert!(merged.bricks.len() <= 2 * l.bricks.len());
        linear_field_in_every_texel(&split, &merged);
    }

    fn linear_field_in_every_texel(ds: &crate::amr::AmrDataset, l: &crate::bricks::BrickLayout) {
        // The linear field is reproduced in every stored texel, borders included, except
        // where the border leaves the domain (constant extrapolation).
        let h = &ds.hierarchy;
        for (n, b) in l.bricks.iter().enumerate() {
            let values = l.brick_values(ds, n, Scale::Linear).unwrap();
            let dx = h.cell_size(b.level);
            let s = b.stored().map(|v| v as i64);
            for z in 0..s[2] {
                for y in 0..s[1] {
                    for x in 0..s[0] {
                        let c = [b.start[0] + x - 1, b.start[1] + y - 1, b.start[2] + z - 1];
                        let dims = h.level_dims(b.level);
                        if (0..3).any(|a| c[a] < 0 || c[a] >= dims[a]) {
                            continue;
                        }
                        let p = (DVec3::new(c[0] as f64, c[1] as f64, c[2] as f64) + 0.5) * dx;
                        let want = 1.0 + p.x + 2.0 * p.y + 3.0 * p.z;
                        let got = values[(x + s[0] * (y + s[1] * z)) as usize];
                        assert!(
                            (got as f64 - want).abs() < 1e-5,
                            "brick {b:?} texel {x},{y},{z}"
                        );
                    }
                }
            }
            for (leaf, lf) in l.leaves.iter().enumerate() {
                if lf.brick == n {
                    let r = l.leaf_range(leaf, &values);
                    assert!(r[0] <= r[1] && r[0] > 0.9 && r[1] < 7.1, "{r:?}");
                }
            }
        }
    }

    #[test]
    fn bricks_filled_in_parallel_equal_those_filled_one_by_one() {
        let (ds, l) = layout();
        let all: Vec<usize> = (0..l.bricks.len()).rev().collect();
        let mut seen = Vec::new();
        l.fill_bricks(&ds, &all, Scale::Log, 3, |b, v| {
            assert_eq!(v, &l.brick_values(&ds, b, Scale::Log).unwrap()[..]);
            seen.push(b);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, all);
    }

    #[test]
    fn a_lazy_source_fills_the_same_bricks_reading_only_nearby_grids() {
        let (ds, l) = layout();
        let source = std::sync::Arc::new(super::tests_source::Memory(ds.clone()));
        let lazy = LazyField::new(source, "f", 0).unwrap();
        for b in 0..l.bricks.len() {
            assert_eq!(
                l.brick_values(&lazy, b, Scale::Linear).unwrap(),
                l.brick_values(&ds, b, Scale::Linear).unwrap()
            );
        }
        // No cache: every grid read was needed by one brick, and none is held afterwards.
        assert_eq!(lazy.host_memory().held, 0);
    }
}

/// A [`crate::formats::DataSource`] over an in-memory dataset, for tests of lazy reading.
#[cfg(test)]
pub(crate) mod tests_source {
    use crate::amr::{AmrDataset, AmrField, AmrHierarchy};
    use crate::error::Result;
    use crate::formats::{DataSource, Metadata};

    pub(crate) struct Memory(pub AmrDataset);

    impl DataSource for Memory {
        fn metadata(&self) -> &Metadata {
            static META: std::sync::OnceLock<Metadata> = std::sync::OnceLock::new();
            META.get_or_init(Metadata::default)
        }
        fn hierarchy(&self) -> &AmrHierarchy {
            &self.0.hierarchy
        }
        fn field_names(&self) -> Vec<String> {
            vec![self.0.field.name.clone()]
        }
        fn read_field(&self, _: &str) -> Result<AmrField> {
            Ok(self.0.field.clone())
        }
        fn read_grid(&self, _: &str, n: usize) -> Result<Vec<f32>> {
            Ok(self.0.field.data[n].to_vec())
        }
    }
}
