//! Where a field's values come from: in memory ([`AmrField`]) or read grid by grid on demand
//! ([`crate::amr::LazyField`]), behind one trait, [`FieldSource`], that the brick builder reads.
//!
//! Sampling (src/amr/sampling.rs) works on a [`FieldView`]: a hierarchy and any
//! [`GridValues`], so the same code interpolates a whole in-memory field or the grids one
//! brick reads ([`GridSet`]).

use super::{AmrDataset, AmrField, AmrHierarchy, FieldStats};
use crate::error::Result;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The values of the grids of a hierarchy, x fastest per grid.
pub trait GridValues {
    /// Grid `n`'s values. Implementations that hold only some grids panic for others: the
    /// caller asked for the grids it needs (see [`grids_near`]).
    fn values(&self, n: usize) -> &[f32];
}

impl GridValues for AmrField {
    fn values(&self, n: usize) -> &[f32] {
        &self.data[n]
    }
}

/// A hierarchy and values on (some of) its grids: what sampling reads.
pub struct FieldView<'a, V: GridValues + ?Sized> {
    pub hierarchy: &'a AmrHierarchy,
    pub values: &'a V,
}

/// One grid's values, counted while alive when they came from a [`crate::amr::LazyField`]
/// (its [`HostMemory`] figures are the bytes of all such arrays not yet dropped).
pub struct GridArray {
    values: Storage,
    counter: Option<Arc<MemoryCounter>>,
}

/// Values owned by someone else and read in place (a NumPy array's memory, kept alive by the
/// implementation): grid values without a copy.
pub trait ExternalValues: Send + Sync {
    /// The values, x fastest; the same slice on every call.
    fn values(&self) -> &[f32];
}

/// Where a [`GridArray`]'s values live.
enum Storage {
    Shared(Arc<[f32]>),
    External(Arc<dyn ExternalValues>),
}

impl GridArray {
    /// An array counted by `counter` (none: not counted).
    pub fn new(values: Arc<[f32]>, counter: Option<Arc<MemoryCounter>>) -> GridArray {
        if let Some(c) = &counter {
            c.add(bytes_of(&values));
        }
        GridArray {
            values: Storage::Shared(values),
            counter,
        }
    }

    /// Values read in place from memory someone else owns (not counted: amrcast did not
    /// allocate them).
    pub fn external(values: Arc<dyn ExternalValues>) -> GridArray {
        GridArray {
            values: Storage::External(values),
            counter: None,
        }
    }

    /// The values as an owned shared array: no copy for values amrcast holds, a copy of
    /// external ones.
    pub fn shared(&self) -> Arc<[f32]> {
        match &self.values {
            Storage::Shared(v) => v.clone(),
            Storage::External(v) => v.values().into(),
        }
    }

    /// Whether the values are read in place from memory amrcast does not own.
    pub fn is_external(&self) -> bool {
        matches!(self.values, Storage::External(_))
    }

    pub fn bytes(&self) -> u64 {
        bytes_of(self)
    }
}

fn bytes_of(v: &[f32]) -> u64 {
    std::mem::size_of_val(v) as u64
}

impl Drop for GridArray {
    fn drop(&mut self) {
        if let Some(c) = &self.counter {
            c.sub(bytes_of(self));
        }
    }
}

impl AsRef<[f32]> for GridArray {
    fn as_ref(&self) -> &[f32] {
        self
    }
}

impl std::ops::Deref for GridArray {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        match &self.values {
            Storage::Shared(v) => v,
            Storage::External(v) => v.values(),
        }
    }
}

/// Bytes of grid values alive now, the most alive at once, and the bytes read in all.
#[derive(Debug, Default)]
pub struct MemoryCounter {
    held: AtomicU64,
    peak: AtomicU64,
    read: AtomicU64,
}

impl MemoryCounter {
    fn add(&self, bytes: u64) {
        let now = self.held.fetch_add(bytes, Ordering::SeqCst) + bytes;
        self.peak.fetch_max(now, Ordering::SeqCst);
    }
    fn sub(&self, bytes: u64) {
        self.held.fetch_sub(bytes, Ordering::SeqCst);
    }
    /// Counts `bytes` read from the files.
    pub fn count_read(&self, bytes: u64) {
        self.read.fetch_add(bytes, Ordering::Relaxed);
    }
    pub fn figures(&self) -> HostMemory {
        HostMemory {
            held: self.held.load(Ordering::SeqCst),
            peak: self.peak.load(Ordering::SeqCst),
            read: self.read.load(Ordering::Relaxed),
        }
    }
}

/// Host memory of a field's values, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostMemory {
    /// Grid values alive now (in the cache or in use).
    pub held: u64,
    /// The most alive at once.
    pub peak: u64,
    /// Read from the files in all (grids read twice count twice).
    pub read: u64,
}

/// A field the renderer can draw: its hierarchy, and each grid's values on request.
pub trait FieldSource: Send + Sync {
    /// The dataset's short name (titles, messages).
    fn dataset_name(&self) -> &str;
    /// The field's name.
    fn field_name(&self) -> &str;
    fn hierarchy(&self) -> &AmrHierarchy;
    /// Grid `n`'s values (read from the file when they are not in memory).
    fn grid(&self, n: usize) -> Result<Arc<GridArray>>;
    /// Statistics over every stored value (streamed grid by grid when not in memory).
    fn stats(&self) -> Result<FieldStats>;
    /// Host memory of the values (zero for a field held whole in memory: nothing is read).
    fn host_memory(&self) -> HostMemory {
        HostMemory::default()
    }
}

impl FieldSource for AmrDataset {
    fn dataset_name(&self) -> &str {
        &self.name
    }
    fn field_name(&self) -> &str {
        &self.field.name
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn grid(&self, n: usize) -> Result<Arc<GridArray>> {
        Ok(Arc::new(GridArray::new(self.field.data[n].clone(), None)))
    }
    fn stats(&self) -> Result<FieldStats> {
        Ok(AmrDataset::stats(self))
    }
}

/// Statistics of a source's field, read grid by grid (see [`super::stream_stats`]).
pub fn streamed_stats(source: &dyn FieldSource) -> Result<FieldStats> {
    super::stream_stats(
        source.hierarchy().grids.len(),
        &format!("reading {}", source.field_name()),
        |n| source.grid(n),
    )
}

/// The grids one piece of work (a brick) reads, fetched from a source the first time sampling
/// reads each: a brick inside its grid reads only that grid, one at a grid's face also the
/// neighbours or the coarser grids its border cells come from, never more.
pub struct GridSet<'a> {
    source: &'a dyn FieldSource,
    grids: Vec<std::cell::OnceCell<Arc<GridArray>>>,
    /// The first read that failed; sampling then reads zeros from that grid, and
    /// [`GridSet::finish`] returns the error.
    error: std::cell::RefCell<Option<crate::error::Error>>,
}

impl<'a> GridSet<'a> {
    pub fn new(source: &'a dyn FieldSource) -> GridSet<'a> {
        GridSet {
            source,
            grids: (0..source.hierarchy().grids.len())
                .map(|_| std::cell::OnceCell::new())
                .collect(),
            error: Default::default(),
        }
    }

    /// Grids read so far.
    pub fn len(&self) -> usize {
        self.grids.iter().filter(|g| g.get().is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ok, or the first error a read gave.
    pub fn finish(self) -> Result<()> {
        match self.error.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl GridValues for GridSet<'_> {
    fn values(&self, n: usize) -> &[f32] {
        let cell = &self.grids[n];
        if let Some(g) = cell.get() {
            return g;
        }
        let grid = self.source.grid(n).unwrap_or_else(|e| {
            let mut first = self.error.borrow_mut();
            first.get_or_insert(e);
            let cells = self.source.hierarchy().grids[n].num_cells();
            Arc::new(GridArray::new(vec![0.0; cells].into(), None))
        });
        cell.get_or_init(|| grid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_arrays_add_while_alive_and_keep_their_peak() {
        let c = Arc::new(MemoryCounter::default());
        let a = GridArray::new(vec![0.0; 100].into(), Some(c.clone()));
        let b = GridArray::new(vec![0.0; 50].into(), Some(c.clone()));
        assert_eq!(c.figures().held, 600);
        drop(a);
        assert_eq!(c.figures().held, 200);
        drop(b);
        assert_eq!(
            c.figures(),
            HostMemory {
                held: 0,
                peak: 600,
                read: 0
            }
        );
    }

    struct Borrowed(Vec<f32>);
    impl ExternalValues for Borrowed {
        fn values(&self) -> &[f32] {
            &self.0
        }
    }

    /// External values are read in place (the same memory), and copied only by `shared`.
    #[test]
    fn external_values_are_read_in_place() {
        let ext = Arc::new(Borrowed(vec![1.0, 2.0, 3.0]));
        let a = GridArray::external(ext.clone());
        assert!(a.is_external());
        assert_eq!(a.as_ptr(), ext.0.as_ptr());
        assert_eq!(&a[..], &[1.0, 2.0, 3.0]);
        assert_eq!(a.bytes(), 12);
        let owned = a.shared();
        assert_eq!(&owned[..], &a[..]);
        assert_ne!(owned.as_ptr(), ext.0.as_ptr());
    }
}
