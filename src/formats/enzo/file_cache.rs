//! The Enzo reader's open data files for reading grid by grid: a small set, bounded, least
//! recently used closed first, shared by the threads that call `read_grid` at once.
//!
//! Reading grid after grid of one `.cpuNNNN` file through one open file lets it look up each
//! grid's group in a root group it has read once, where opening it for every grid would read
//! that root group (one entry per grid of the file) every time; the bound keeps a dataset of
//! thousands of files from holding more than a few open. A file is opened when a grid in it is
//! first read, never before. Grids of different files are read in parallel; grids of one file
//! one after another (an open file reads through one file position).

use super::files::{open_data_file, DataFile, GridData};
use crate::error::Result;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// How many data files the reader keeps open.
pub(super) const OPEN_FILES: usize = 8;

type Shared = Arc<Mutex<DataFile>>;

/// Open data files by path, least recently used first.
pub(super) struct FileCache {
    capacity: usize,
    open: Mutex<Vec<(PathBuf, Shared)>>,
}

impl FileCache {
    /// A cache keeping at most `capacity` files open (0: every read opens its file).
    pub(super) fn new(capacity: usize) -> Self {
        FileCache {
            capacity,
            open: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on grid `g`'s data file, opening it first when it is not open (and closing
    /// the least recently used one when too many are).
    pub(super) fn with_file<T>(
        &self,
        g: &GridData,
        read: impl FnOnce(&mut DataFile) -> Result<T>,
    ) -> Result<T> {
        let file = match self.lookup(g.file()) {
            Some(f) => f,
            None => self.insert(g.file(), open_data_file(g)?),
        };
        // `read` catches the HDF5 library's panics, so a lock is never left poisoned by one.
        let mut guard = file.lock().unwrap_or_else(PoisonError::into_inner);
        read(&mut guard)
    }

    /// Files open now.
    pub(super) fn open_files(&self) -> usize {
        self.list().len()
    }

    fn list(&self) -> MutexGuard<'_, Vec<(PathBuf, Shared)>> {
        // Only list operations run under this lock: nothing can poison it half-way.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The open file at `path`, now the most recently used.
    fn lookup(&self, path: &Path) -> Option<Shared> {
        let mut open = self.list();
        let i = open.iter().position(|(p, _)| p == path)?;
        let entry = open.remove(i);
        let file = entry.1.clone();
        open.push(entry);
        Some(file)
    }

    /// Adds a file opened outside the lock; if another thread opened the same file meanwhile,
    /// that one is kept and this one closed.
    fn insert(&self, path: &Path, file: DataFile) -> Shared {
        let mut open = self.list();
        if let Some(i) = open.iter().position(|(p, _)| p == path) {
            let entry = open.remove(i);
            let file = entry.1.clone();
            open.push(entry);
            return file;
        }
        let file = Arc::new(Mutex::new(file));
        open.push((path.to_path_buf(), file.clone()));
        let excess = open.len().saturating_sub(self.capacity);
        open.drain(..excess);
        file
    }
}
