//! `GridList`: grids handed over one at a time, as `from_yt` reads them from yt. Fortran-ordered
//! arrays are kept to be read in place; C-ordered ones (what yt's `grid[field]` gives for many
//! frontends) are transposed into x-fastest order on a worker thread, without the GIL, while
//! Python reads the next grid, so the copy overlaps yt's reading.

use crate::grids::{edge, layout, CArray, Layout};
use amrcast::amr::{GridArray, GridInput};
use glam::DVec3;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::mpsc::{channel, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;

/// A grid's geometry, and its values once they are ready.
struct Slot {
    left: DVec3,
    right: DVec3,
    level: u32,
    dims: [usize; 3],
    values: Option<GridArray>,
}

/// What the worker hands back: each grid's place, its values and the array they came from.
type Done = Vec<(usize, GridArray, CArray)>;

/// The thread that transposes C-ordered grids in the order they come.
struct Worker {
    jobs: Sender<(usize, CArray)>,
    done: JoinHandle<Done>,
}

#[derive(Default)]
struct State {
    slots: Vec<Slot>,
    worker: Option<Worker>,
}

/// Grids added one by one (`add`), for `from_grids`.
#[pyclass(module = "amrcast._amrcast", name = "GridList", frozen)]
#[derive(Default)]
pub struct GridList {
    state: Mutex<State>,
}

impl GridList {
    /// The grids, in the order added, once the worker has transposed every C-ordered one (the
    /// wait releases the GIL); the list is left empty.
    pub fn take(&self, py: Python<'_>) -> PyResult<Vec<GridInput>> {
        let state = std::mem::take(&mut *self.state.lock().unwrap_or_else(|p| p.into_inner()));
        let mut slots = state.slots;
        if let Some(worker) = state.worker {
            drop(worker.jobs);
            let done = py
                .detach(|| worker.done.join())
                .map_err(|_| PyRuntimeError::new_err("amrcast: internal error: a copy failed"))?;
            for (n, values, c) in done {
                slots[n].values = Some(values);
                drop(c.into_array());
            }
        }
        slots
            .into_iter()
            .map(|s| {
                Ok(GridInput {
                    left: s.left,
                    right: s.right,
                    level: s.level,
                    dims: s.dims,
                    values: s.values.ok_or_else(|| {
                        PyRuntimeError::new_err("amrcast: internal error: a grid was not copied")
                    })?,
                })
            })
            .collect()
    }
}

#[pymethods]
impl GridList {
    #[new]
    fn new() -> GridList {
        GridList::default()
    }

    /// Adds a grid: its corners, its level and its values (float32, shape (nx, ny, nz)).
    fn add(
        &self,
        left_edge: &Bound<'_, PyAny>,
        right_edge: &Bound<'_, PyAny>,
        level: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let n = state.slots.len();
        let (left, right) = (
            edge(n, "left_edge", left_edge)?,
            edge(n, "right_edge", right_edge)?,
        );
        let level = crate::grids::level(n, level)?;
        let (dims, values) = layout(n, data)?;
        let values = match values {
            Layout::Ready(v) => Some(v),
            Layout::C(c) => {
                let worker = state.worker.get_or_insert_with(start);
                worker.jobs.send((n, c)).map_err(|_| {
                    PyRuntimeError::new_err("amrcast: internal error: the copying thread stopped")
                })?;
                None
            }
        };
        state.slots.push(Slot {
            left,
            right,
            level,
            dims,
            values,
        });
        Ok(())
    }

    fn __len__(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .slots
            .len()
    }
}

/// Starts the worker.
fn start() -> Worker {
    let (jobs, queue) = channel::<(usize, CArray)>();
    let done = std::thread::spawn(move || {
        queue
            .into_iter()
            .map(|(n, c)| (n, c.transpose(), c))
            .collect()
    });
    Worker { jobs, done }
}
