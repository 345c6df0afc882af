//! The kernel side of the Jupyter widget (python/amrcast/widget.py): a scene's render hub
//! (`amrcast::serve::hub`, the core of `amrcast serve`) and in-process viewers of it
//! (`amrcast::serve::local`), plus the browser client's script and style sheet.

use amrcast::serve::connection::Outgoing;
use amrcast::serve::hub::Hub as CoreHub;
use amrcast::serve::local::LocalViewer as CoreViewer;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A scene's renderer for widgets: its own copy of the dataset on the GPU and a render thread.
#[pyclass(frozen, module = "amrcast._amrcast")]
pub struct Hub(pub Arc<CoreHub>);

/// One view of a widget on the page, connected to a hub.
#[pyclass(frozen, module = "amrcast._amrcast")]
pub struct LocalViewer(Mutex<Option<Arc<CoreViewer>>>);

impl LocalViewer {
    fn viewer(&self) -> Option<Arc<CoreViewer>> {
        self.0.lock().expect("viewer lock").clone()
    }
}

#[pymethods]
impl LocalViewer {
    #[new]
    fn new(hub: &Hub) -> PyResult<Self> {
        let viewer = CoreViewer::connect(hub.0.clone()).map_err(crate::errors::to_py)?;
        Ok(LocalViewer(Mutex::new(Some(Arc::new(viewer)))))
    }

    /// Hands one message from the page (JSON text) to the hub.
    fn send(&self, text: &str) {
        if let Some(v) = self.viewer() {
            v.send(text);
        }
    }

    /// The next message for the page, waiting at most `timeout` seconds (without the GIL):
    /// a `str`, a `(bytes, is_frame)` image, or `None`.
    fn recv(&self, py: Python<'_>, timeout: f64) -> PyResult<Option<PyObject>> {
        let Some(v) = self.viewer() else {
            return Ok(None);
        };
        let wait = Duration::from_secs_f64(timeout.clamp(0.0, 60.0));
        let out = py.allow_threads(|| v.recv(wait));
        Ok(match out {
            None => None,
            Some(Outgoing::Text(t)) => Some(t.into_pyobject(py)?.into_any().unbind()),
            Some(Outgoing::Image { bytes, frame }) => {
                let data = PyBytes::new(py, &bytes);
                Some((data, frame).into_pyobject(py)?.into_any().unbind())
            }
        })
    }

    /// The page received the oldest frame not yet acknowledged.
    fn frame_delivered(&self) {
        if let Some(v) = self.viewer() {
            v.frame_delivered();
        }
    }

    /// Disconnects from the hub (what it held for this view is freed).
    fn close(&self) {
        self.0.lock().expect("viewer lock").take();
    }

    /// Closed, by `close()` or because the hub stopped.
    #[getter]
    fn closed(&self) -> bool {
        self.viewer().is_none_or(|v| v.is_closed())
    }
}

/// The browser client (`AmrcastClient`) of `amrcast serve`.
#[pyfunction]
fn viewer_js() -> &'static str {
    amrcast::serve::http::SCRIPT
}

/// The browser client's style sheet.
#[pyfunction]
fn viewer_css() -> &'static str {
    amrcast::serve::http::STYLE
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Hub>()?;
    m.add_class::<LocalViewer>()?;
    m.add_function(wrap_pyfunction!(viewer_js, m)?)?;
    m.add_function(wrap_pyfunction!(viewer_css, m)?)?;
    Ok(())
}
