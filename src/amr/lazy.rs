//! A field read grid by grid when it is needed, with the grids read last kept in a cache of
//! bounded size: what lets amrcast render data larger than host memory.
//!
//! [`LazyField`] reads through [`DataSource::read_grid`] and keeps grids in a least-recently
//! used cache of at most `budget` bytes; every array it hands out is counted while alive
//! ([`GridArray`]), so [`FieldSource::host_memory`] reports the bytes of values held at once
//! (cache and users together) and their peak.

use super::values::{streamed_stats, GridArray, HostMemory, MemoryCounter};
use super::{AmrHierarchy, FieldSource, FieldStats};
use crate::error::{Error, Result};
use crate::formats::DataSource;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A field of a [`DataSource`], read one grid at a time.
pub struct LazyField {
    source: Arc<dyn DataSource>,
    field: String,
    dataset: String,
    budget: u64,
    cache: Mutex<Cache>,
    counter: Arc<MemoryCounter>,
    stats: OnceLock<FieldStats>,
}

#[derive(Default)]
struct Cache {
    /// Grid -> its values and the clock of its last use.
    grids: HashMap<usize, (Arc<GridArray>, u64)>,
    bytes: u64,
    clock: u64,
}

impl LazyField {
    /// The field `field` of `source` (checked to exist), caching at most `budget` bytes of
    /// grids (a grid larger than the budget is read each time it is needed).
    pub fn new(source: Arc<dyn DataSource>, field: &str, budget: u64) -> Result<LazyField> {
        let names = source.field_names();
        if !names.iter().any(|n| n == field) {
            return Err(Error::UnknownField {
                name: field.to_string(),
                available: names.join(", "),
            });
        }
        Ok(LazyField {
            dataset: source.metadata().name.clone(),
            source,
            field: field.to_string(),
            budget,
            cache: Mutex::new(Cache::default()),
            counter: Arc::new(MemoryCounter::default()),
            stats: OnceLock::new(),
        })
    }

    /// The reader underneath.
    pub fn source(&self) -> &Arc<dyn DataSource> {
        &self.source
    }

    /// The cache's budget in bytes.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    fn cached(&self, n: usize) -> Option<Arc<GridArray>> {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.clock += 1;
        let now = c.clock;
        c.grids.get_mut(&n).map(|e| {
            e.1 = now;
            e.0.clone()
        })
    }

    /// Keeps `grid` in the cache, evicting the least recently used grids beyond the budget.
    fn keep(&self, n: usize, grid: &Arc<GridArray>) {
        let bytes = grid.bytes();
        if bytes > self.budget {
            return;
        }
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.clock += 1;
        let now = c.clock;
        if c.grids.insert(n, (grid.clone(), now)).is_none() {
            c.bytes += bytes;
        }
        while c.bytes > self.budget {
            let Some((&old, _)) = c.grids.iter().min_by_key(|(_, e)| e.1) else {
                break;
            };
            if let Some((g, _)) = c.grids.remove(&old) {
                c.bytes -= g.bytes();
            }
        }
    }

    /// Grids in the cache now (for tests and the viewer's panel).
    pub fn cached_grids(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .grids
            .len()
    }
}

impl FieldSource for LazyField {
    fn dataset_name(&self) -> &str {
        &self.dataset
    }
    fn field_name(&self) -> &str {
        &self.field
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        self.source.hierarchy()
    }

    fn grid(&self, n: usize) -> Result<Arc<GridArray>> {
        if let Some(g) = self.cached(n) {
            return Ok(g);
        }
        let h = self.hierarchy();
        let values = self.source.read_grid(&self.field, n)?;
        let want = h.grids.get(n).map(|g| g.num_cells());
        if Some(values.len()) != want {
            return Err(Error::Invalid(format!(
                "{}: field '{}' on grid {}: {} values for {:?} cells",
                self.dataset,
                self.field,
                h.grids.get(n).map_or(n as u64, |g| g.id),
                values.len(),
                want
            )));
        }
        self.counter.count_read(4 * values.len() as u64);
        let grid = Arc::new(GridArray::new(values.into(), Some(self.counter.clone())));
        self.keep(n, &grid);
        Ok(grid)
    }

    fn stats(&self) -> Result<FieldStats> {
        if let Some(s) = self.stats.get() {
            return Ok(*s);
        }
        let s = streamed_stats(self)?;
        Ok(*self.stats.get_or_init(|| s))
    }

    fn host_memory(&self) -> HostMemory {
        self.counter.figures()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::DataSource;

    fn demo() -> Arc<dyn DataSource> {
        Arc::new(crate::demo::Demo::new().unwrap())
    }

    #[test]
    fn grids_equal_the_whole_field_and_the_cache_stays_in_its_budget() {
        let source = demo();
        let whole = source.read_field("Density").unwrap();
        let sizes: Vec<u64> = whole.data.iter().map(|d| 4 * d.len() as u64).collect();
        let budget = sizes.iter().max().unwrap() * 2;
        let lazy = LazyField::new(source, "Density", budget).unwrap();
        for (n, want) in whole.data.iter().enumerate() {
            assert_eq!(&lazy.grid(n).unwrap()[..], &want[..], "grid {n}");
            let c = lazy.cache.lock().unwrap();
            assert!(c.bytes <= budget, "cache holds {} > {budget}", c.bytes);
        }
        let m = lazy.host_memory();
        // Nothing is in use outside the cache, and never more than the cache plus one grid.
        assert!(m.held <= budget);
        assert!(m.peak <= budget + sizes.iter().max().unwrap());
        assert_eq!(m.read, sizes.iter().sum::<u64>());
        // Statistics streamed grid by grid on several threads equal those of the whole field.
        let whole_stats = crate::amr::field_stats(whole.data.iter().map(|d| &d[..]));
        assert_eq!(lazy.stats().unwrap(), whole_stats);
    }

    /// Four grids of 64 cells over a 16x4x4 root: grid n's values are all n.
    struct Four(AmrHierarchy, crate::formats::Metadata);

    impl DataSource for Four {
        fn metadata(&self) -> &crate::formats::Metadata {
            &self.1
        }
        fn hierarchy(&self) -> &AmrHierarchy {
            &self.0
        }
        fn field_names(&self) -> Vec<String> {
            vec!["f".into()]
        }
        fn read_field(&self, name: &str) -> Result<crate::amr::AmrField> {
            let data = (0..4).map(|n| vec![n as f32; 64]).collect();
            Ok(crate::amr::AmrField::new(name, data))
        }
    }

    fn four() -> Arc<dyn DataSource> {
        let g = |n: usize| crate::amr::AmrGrid {
            id: n as u64,
            level: 0,
            left: glam::DVec3::new(n as f64 * 0.25, 0.0, 0.0),
            right: glam::DVec3::new((n + 1) as f64 * 0.25, 1.0, 1.0),
            dims: [4, 4, 4],
        };
        let h = AmrHierarchy::new(
            glam::DVec3::ZERO,
            glam::DVec3::ONE,
            [16, 4, 4],
            2,
            (0..4).map(g).collect(),
        )
        .unwrap();
        Arc::new(Four(h, Default::default()))
    }

    #[test]
    fn the_least_recently_used_grid_goes_first() {
        let lazy = LazyField::new(four(), "f", 3 * 256).unwrap();
        for n in [0, 1, 2, 0] {
            assert_eq!(lazy.grid(n).unwrap()[0], n as f32);
        }
        assert_eq!(lazy.host_memory().read, 3 * 256);
        // Grid 0 was used after 1 and 2: reading grid 3 evicts grid 1, keeps 0 and 2.
        lazy.grid(3).unwrap();
        assert_eq!(lazy.cached_grids(), 3);
        lazy.grid(0).unwrap();
        lazy.grid(2).unwrap();
        assert_eq!(
            lazy.host_memory().read,
            4 * 256,
            "grids 0 and 2 stayed cached"
        );
        lazy.grid(1).unwrap();
        assert_eq!(lazy.host_memory().read, 5 * 256, "grid 1 was evicted");
        // A budget smaller than one grid caches nothing but still reads.
        let none = LazyField::new(four(), "f", 100).unwrap();
        assert_eq!(none.grid(1).unwrap()[5], 1.0);
        assert_eq!(none.cached_grids(), 0);
        assert_eq!(none.host_memory().held, 0);
    }

    #[test]
    fn an_unknown_field_is_refused_with_the_list() {
        let e = LazyField::new(demo(), "Nope", 1 << 20).err().unwrap();
        assert!(e.to_string().contains("Density"), "{e}");
    }
}
