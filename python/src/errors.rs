//! amrcast's errors as Python exceptions, and the guard every entry point runs its work in.
//!
//! Each error keeps the message the command line prints after `amrcast: error:`; its class
//! says what went wrong: `ValueError` for bad options, arrays and layouts, `FileNotFoundError`
//! for a missing file, `OSError` for other file problems (unreadable, damaged), `RuntimeError`
//! for the GPU. A Rust panic never reaches Python as pyo3's `PanicException`: [`guarded`]
//! catches it and raises `RuntimeError`.

use amrcast::Error;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The Python exception for `e`, with the command line's message.
pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match &e {
        Error::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(msg)
        }
        Error::Io { .. } | Error::Format { .. } => PyOSError::new_err(msg),
        Error::Gpu(_) | Error::Rank { .. } => PyRuntimeError::new_err(msg),
        Error::Invalid(_) | Error::UnknownField { .. } | Error::Settings(_) => {
            PyValueError::new_err(msg)
        }
    }
}

/// A `ValueError` with `msg`.
pub fn value_error(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

/// The `RuntimeError` for a panic's payload.
fn panic_error(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    PyRuntimeError::new_err(format!("amrcast: internal error: {msg}"))
}

/// Runs `work` with the GIL released (other Python threads run meanwhile), a panic becoming
/// a `RuntimeError` and an amrcast error its Python exception.
pub fn guarded<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> amrcast::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(panic_error)?
        .map_err(to_py)
}

/// Runs `work` holding the GIL (it handles Python objects), a panic becoming a `RuntimeError`.
pub fn caught<T>(work: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(panic_error)?
}
