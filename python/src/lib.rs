//! `amrcast._amrcast`: the Rust half of the `amrcast` Python package (the pure-Python half,
//! `amrcast/__init__.py`, adds `from_yt` and normalises NumPy input).
//!
//! One file per concept: [`scene`] (a field, its options and camera; renders and movies),
//! [`image`] (a rendered image), [`camera`] (the camera and its moves), [`grids`] (NumPy
//! grids into the AMR model), [`options`] (keyword options through the command line's
//! parser), [`errors`] (exceptions), [`gpu`] (the process's one GPU device), [`viewer`] (the
//! Jupyter widget's kernel side).

mod camera;
mod errors;
mod gpu;
mod grid_list;
mod grids;
mod image;
mod options;
mod scene;
mod viewer;

use amrcast::amr::{FieldSource, InMemoryField, LayoutHints};
use amrcast::session::DataSpec;
use glam::DVec3;
use options::Options;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::sync::Arc;

/// A scene of a dataset read by amrcast's own readers (Enzo, Athena++, Chombo, FLASH, AMReX,
/// `FILE.h5:/dataset`), its field read grid by grid as rendering needs it.
#[pyfunction]
#[pyo3(signature = (path, field=None, **options))]
fn open(
    py: Python<'_>,
    path: PathBuf,
    field: Option<String>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<scene::Scene> {
    errors::caught(|| {
        let opts = Options::from_kwargs(options)?;
        let memory = options::parse_render(&opts)?.request.data.memory;
        let spec = DataSpec {
            dataset: Some(path),
            field,
            memory,
        };
        let (source, metadata) = errors::guarded(py, || spec.open_field())?;
        scene::Scene::new(py, source, metadata, opts, 0)
    })
}

/// A scene of grids given as NumPy arrays (see `amrcast.from_grids`, which calls this with
/// float32 arrays), a list of dicts or a `GridList`.
#[pyfunction]
#[pyo3(signature = (grids, field, name, domain_left_edge=None, domain_right_edge=None, domain_dimensions=None, **options))]
#[allow(clippy::too_many_arguments)]
fn from_grids(
    py: Python<'_>,
    grids: &Bound<'_, PyAny>,
    field: String,
    name: String,
    domain_left_edge: Option<[f64; 3]>,
    domain_right_edge: Option<[f64; 3]>,
    domain_dimensions: Option<[usize; 3]>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<scene::Scene> {
    errors::caught(|| {
        let opts = Options::from_kwargs(options)?;
        let inputs = match grids.cast::<grid_list::GridList>() {
            Ok(list) => list.get().take(py)?,
            Err(_) => grids::grids(grids)?,
        };
        let domain = match (domain_left_edge, domain_right_edge) {
            (Some(lo), Some(hi)) => Some((DVec3::from(lo), DVec3::from(hi))),
            (None, None) => None,
            _ => {
                return Err(errors::value_error(
                    "give both domain_left_edge and domain_right_edge, or neither",
                ))
            }
        };
        let hints = LayoutHints {
            domain,
            root_dims: domain_dimensions,
        };
        let field_name = field.clone();
        let source = errors::guarded(py, move || {
            InMemoryField::new(name, field_name, inputs, &hints)
        })?;
        let in_place = source.external_grids();
        let metadata = amrcast::formats::Metadata {
            format: "numpy".into(),
            name: source.dataset_name().to_string(),
            ..Default::default()
        };
        let source: Arc<dyn FieldSource> = Arc::new(source);
        scene::Scene::new(py, source, metadata, opts, in_place)
    })
}

/// The GPU adapter renders run on ("name (backend)"), opening it if needed.
#[pyfunction]
fn adapter(py: Python<'_>) -> PyResult<String> {
    errors::guarded(py, gpu::describe)
}

/// Panics inside the guard every entry point runs in: the tests check that a panic reaches
/// Python as a `RuntimeError`, never as pyo3's `PanicException`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    errors::guarded(py, || -> amrcast::Result<()> {
        panic!("a deliberate panic")
    })
}

#[pymodule]
fn _amrcast(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Mesa's drivers complain on every start where XDG_RUNTIME_DIR is unset (as `main` does).
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir());
    }
    m.add_class::<scene::Scene>()?;
    m.add_class::<image::Image>()?;
    m.add_class::<camera::Camera>()?;
    m.add_class::<grid_list::GridList>()?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(from_grids, m)?)?;
    m.add_function(wrap_pyfunction!(adapter, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    viewer::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
