//! The kernel side of the Jupyter widget (python/amrcast/widget.py): a scene's render hub
//! (`amrcast::serve::hub`, the core of `amrcast serve`) and in-process viewers of it
//! (`amrcast::serve::local`), plus the browser client's script and style sheet.

use crate::errors::{guarded, to_py};
use crate::scene::Scene;
use amrcast::serve::connection::Outgoing;
use amrcast::serve::datasets::Loaded;
use amrcast::serve::hub::{Hub as CoreHub, HubOptions};
use amrcast::serve::local::LocalViewer as CoreViewer;
use amrcast::serve::view::DataKey;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The name a view's `command` calls render on (`scene.render(...)`).
const RECEIVER: &str = "scene";

/// A scene's renderer for widgets: the scene's field on the GPU (the whole field in memory,
/// shared with the scene) and a render thread, with the scene's look and camera as every view
/// starts.
#[pyclass(frozen, module = "amrcast._amrcast")]
pub struct Hub(pub Arc<CoreHub>);

#[pymethods]
impl Hub {
    #[new]
    fn new(py: Python<'_>, scene: PyRef<'_, Scene>) -> PyResult<Self> {
        let camera = scene.camera.borrow(py).spec();
        let settings = scene.settings.clone();
        let name = scene.name.clone();
        let scene: &Scene = &scene;
        let hub = guarded(py, || {
            let ds = scene.dataset()?;
            let ctx = crate::gpu::gpu()?;
            let field = ds.field.name.clone();
            let key = DataKey {
                path: None,
                field: field.clone(),
            };
            let fields = vec![field];
            let loaded = Loaded::new(&ctx, key, ds, name, None, fields, &settings)?;
            let options = HubOptions {
                camera,
                python_receiver: Some(RECEIVER.into()),
                ..HubOptions::default()
            };
            CoreHub::start(ctx, loaded, options)
        })?;
        Ok(Hub(hub))
    }

    /// Views connected now.
    #[getter]
    fn viewers(&self) -> usize {
        self.0.viewers()
    }

    /// The adapter frames are rendered on.
    #[getter]
    fn adapter(&self) -> String {
        self.0.adapter().to_string()
    }
}

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
        let viewer = CoreViewer::connect(hub.0.clone()).map_err(to_py)?;
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
    fn recv(&self, py: Python<'_>, timeout: f64) -> PyResult<Option<Py<PyAny>>> {
        let Some(v) = self.viewer() else {
            return Ok(None);
        };
        let wait = Duration::from_secs_f64(timeout.clamp(0.0, 60.0));
        let out = py.detach(|| v.recv(wait));
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
