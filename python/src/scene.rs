//! `Scene`: one field of one dataset (read by amrcast's readers, or given as NumPy grids) with
//! its options and camera; renders images on the process's GPU (the field uploaded once and
//! kept while the look allows) or on the CPU reference renderer, and movies with the movie
//! engine.

use crate::camera::Camera;
use crate::errors::{guarded, value_error};
use crate::image::Image;
use crate::options::{parse_movie, parse_render, Device, OptValue, Options, Parsed, CAMERA_KEYS};
use amrcast::amr::{AmrDataset, FieldSource};
use amrcast::camera::Camera as Cam;
use amrcast::formats::Metadata;
use amrcast::gpu::OffscreenTarget;
use amrcast::movie::{movie_of, MovieData};
use amrcast::render::{depth_along, DisplaySettings, Prepared, RenderSettings};
use amrcast::session::{Rendered, Session};
use amrcast::slice::flat;
use amrcast::stereo::{Eye, StereoRig};
use glam::DVec3;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::{Arc, Mutex, OnceLock};

/// The field on the GPU: kept between renders while the look and the budget allow.
struct GpuState {
    /// The GPU budget the session was made with (`gpu_memory`).
    budget: Option<u64>,
    session: Session,
    /// The last image's target, reused for images of its size.
    target: Option<OffscreenTarget>,
}

/// A field with its options and camera, ready to render.
#[pyclass(module = "amrcast._amrcast", name = "Scene")]
pub struct Scene {
    /// The field (read grid by grid from the files, or held in memory).
    pub(crate) source: Arc<dyn FieldSource>,
    pub(crate) metadata: Metadata,
    /// The dataset's short name.
    pub(crate) name: String,
    /// The look the scene's options give (a render's own keywords override it per call);
    /// read by the widget.
    #[allow(dead_code)]
    pub(crate) settings: RenderSettings,
    pub(crate) camera: Py<Camera>,
    /// The scene's keyword options.
    pub(crate) options: Options,
    /// Grids read in place from NumPy memory.
    pub(crate) in_place: usize,
    /// The GPU session and its target, kept between renders.
    gpu: Mutex<Option<GpuState>>,
    /// The whole field in memory, for the CPU renderer and 2-D images.
    dataset: OnceLock<Arc<AmrDataset>>,
}

impl Scene {
    /// A scene of `source` with `options` (checked now, so a bad option fails here).
    pub fn new(
        py: Python<'_>,
        source: Arc<dyn FieldSource>,
        metadata: Metadata,
        options: Options,
        in_place: usize,
    ) -> PyResult<Scene> {
        refuse_field(&options)?;
        let parsed = parse_render(&options)?;
        let domain = domain(source.as_ref());
        let size = image_size(source.as_ref(), &parsed, &options);
        let camera = Py::new(py, Camera::framed(&parsed.request.camera, domain, size)?)?;
        Ok(Scene {
            name: source.dataset_name().to_string(),
            settings: parsed.request.settings.clone(),
            source,
            metadata,
            camera,
            options,
            in_place,
            gpu: Mutex::new(None),
            dataset: OnceLock::new(),
        })
    }

    /// The camera of a render: placed by the call's camera keywords, reframed for the call's
    /// size while it follows the options, else where it is.
    fn render_camera(
        &self,
        py: Python<'_>,
        call: &Options,
        parsed: &Parsed,
        size: (u32, u32),
    ) -> PyResult<Cam> {
        let mut c = self.camera.borrow_mut(py);
        let domain = c.domain;
        if call.any_of(&CAMERA_KEYS) {
            *c = Camera::framed(&parsed.request.camera, domain, size)?;
            c.framed = None;
        } else if c.framed.is_some_and(|s| s != size) {
            *c = Camera::framed(&parsed.request.camera, domain, size)?;
        }
        c.size = size;
        Ok(c.cam)
    }

    /// The images of one render (one, or both eyes), with the GIL released.
    fn images(
        &self,
        parsed: &Parsed,
        cam: &Cam,
        size: (u32, u32),
    ) -> amrcast::Result<Vec<Rendered>> {
        let h = self.source.hierarchy();
        if flat::is_flat(h) {
            return self.flat_image(parsed, cam, size).map(|i| vec![i]);
        }
        let rig = parsed.stereo.as_ref().map(|(rig, _)| rig);
        if let Some(rig) = rig {
            for eye in Eye::BOTH {
                rig.eye_rays(cam, size.0, size.1, eye)?;
            }
        }
        match parsed.device {
            Device::Gpu => {
                let mut slot = self.gpu.lock().unwrap_or_else(|p| p.into_inner());
                let state = self.session_for(&mut slot, parsed)?;
                let fits = |t: &OffscreenTarget| (t.width, t.height) == size;
                if !state.target.as_ref().is_some_and(fits) {
                    state.target = None;
                    state.target = Some(OffscreenTarget::new(&state.session.ctx, size.0, size.1)?);
                }
                let target = state.target.as_ref().expect("a target was just made");
                state.session.render_eyes(target, rig, cam)
            }
            Device::Cpu => {
                let ds = self.dataset()?;
                // The source's statistics are kept: no pass over the values per render. The
                // field's warnings reach Python through `warn`.
                let prepared =
                    Prepared::for_source(self.source.as_ref(), &parsed.request.settings)?;
                let depth = depth_along(cam.basis()?.0, h.domain_left, h.domain_right);
                let display = DisplaySettings::new(&prepared, depth);
                let views = StereoRig::views(rig, cam, size.0, size.1)?;
                Ok(views
                    .iter()
                    .map(|rays| Rendered {
                        image: amrcast::reference::render(&ds, rays, size.0, size.1, &prepared),
                        display,
                        encoding: prepared.encoding,
                    })
                    .collect())
            }
        }
    }

    /// The session for `parsed`'s look: the kept one (its look changed in place where the
    /// bricks allow), else a new upload on the process's GPU.
    fn session_for<'a>(
        &self,
        slot: &'a mut Option<GpuState>,
        parsed: &Parsed,
    ) -> amrcast::Result<&'a mut GpuState> {
        let settings = &parsed.request.settings;
        let budget = parsed.request.data.memory.gpu;
        let reuse = match slot.as_mut() {
            Some(g) if g.budget == budget && g.session.renderer.can_update_to(settings) => {
                let s = &mut g.session;
                if s.renderer.prepared.settings != *settings {
                    s.renderer.set_settings(&s.ctx, settings)?;
                }
                true
            }
            _ => false,
        };
        if !reuse {
            // The old upload goes first: the GPU never holds two.
            *slot = None;
            let ctx = crate::gpu::gpu()?;
            let session = Session::with_source(ctx, self.source.clone(), settings, budget)?;
            *slot = Some(GpuState {
                budget,
                session,
                target: None,
            });
        }
        Ok(slot.as_mut().expect("a session was just made"))
    }

    /// A 2-D dataset's image: its field where the camera looks (as `amrcast render` shows it).
    fn flat_image(
        &self,
        parsed: &Parsed,
        cam: &Cam,
        size: (u32, u32),
    ) -> amrcast::Result<Rendered> {
        if parsed.stereo.is_some() {
            return Err(amrcast::Error::Settings(format!(
                "{} is a 2-D dataset, rendered as an image of its field: --stereo does not apply",
                self.name
            )));
        }
        let ds = self.dataset()?;
        let h = &ds.hierarchy;
        let settings = &parsed.request.settings;
        let request = flat::through_camera(h, cam, size, settings.interpolation);
        request.frame(h.domain_left, h.domain_right)?;
        let colours = amrcast::slice::settings(&settings.tf);
        let prepared = Prepared::for_source(self.source.as_ref(), &colours)?;
        let image = amrcast::slice::slice(&ds, &request)?;
        Ok(Rendered::slice(&image, &prepared))
    }

    /// The field's warnings for this look (NaN or infinite values, values the log scale
    /// cannot show) as Python `UserWarning`s, which a notebook shows (the command line's
    /// `amrcast: warning:` lines go to the process's standard error). Python shows each
    /// message once per place by default.
    fn warn(&self, py: Python<'_>, parsed: &Parsed) -> PyResult<()> {
        let settings = &parsed.request.settings;
        let warnings = guarded(py, || {
            let prepared = Prepared::for_source(self.source.as_ref(), settings)?;
            Ok(prepared.warnings(self.source.field_name()))
        })?;
        let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
        for w in warnings {
            let msg = std::ffi::CString::new(w).unwrap_or_default();
            PyErr::warn(py, category.as_any(), &msg, 1)?;
        }
        Ok(())
    }

    /// The whole field in memory (shared with the source's arrays where they are in memory).
    pub(crate) fn dataset(&self) -> amrcast::Result<Arc<AmrDataset>> {
        if let Some(ds) = self.dataset.get() {
            return Ok(ds.clone());
        }
        let ds = Arc::new(AmrDataset::read_all(self.source.as_ref())?);
        Ok(self.dataset.get_or_init(|| ds).clone())
    }
}

fn domain(source: &dyn FieldSource) -> (DVec3, DVec3) {
    let h = source.hierarchy();
    (h.domain_left, h.domain_right)
}

/// The image size: `size`, else the default (for a 2-D dataset, the domain's aspect).
fn image_size(source: &dyn FieldSource, parsed: &Parsed, opts: &Options) -> (u32, u32) {
    let h = source.hierarchy();
    if flat::is_flat(h) && !opts.any_of(&["size"]) {
        let d = amrcast::cli::args::DEFAULT_SIZE;
        return flat::fitted_size(h, d.0.max(d.1));
    }
    parsed.request.size
}

/// A scene holds one field: `field` is no render option.
fn refuse_field(opts: &Options) -> PyResult<()> {
    match opts.any_of(&["field"]) {
        true => Err(value_error(
            "field: a scene holds one field; make another scene for another field",
        )),
        false => Ok(()),
    }
}

#[pymethods]
impl Scene {
    /// Renders an image with the scene's options, `options` overriding them for this call
    /// (camera keywords place the scene's camera). Returns an `Image`; a stereo pair in
    /// separate files gives a tuple (left, right), a packed layout one `Image`.
    #[pyo3(signature = (**options))]
    fn render<'py>(
        &self,
        py: Python<'py>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::caught(|| {
            let call = Options::from_kwargs(options)?;
            refuse_field(&call)?;
            let merged = self.options.merged(&call);
            let parsed = parse_render(&merged)?;
            let size = image_size(self.source.as_ref(), &parsed, &merged);
            let cam = self.render_camera(py, &call, &parsed, size)?;
            let images = guarded(py, || self.images(&parsed, &cam, size))?;
            self.warn(py, &parsed)?;
            let packing = parsed.stereo.and_then(|(_, p)| p);
            match (images.len(), packing) {
                (2, None) => {
                    let [l, r]: [Rendered; 2] = images.try_into().expect("two images");
                    let pair = (Image::mono(l), Image::mono(r));
                    Ok(PyTuple::new(py, [Py::new(py, pair.0)?, Py::new(py, pair.1)?])?.into_any())
                }
                _ => Ok(Bound::new(py, Image { images, packing })?.into_any()),
            }
        })
    }

    /// Renders a movie into the directory `output` with the movie engine (the options of
    /// `amrcast movie`: a camera path file `path`, or `path=None` with `zoom_in` / `orbit` and
    /// `count`, which start from the scene's camera; `frames`, `shard`, `values`, `encode`,
    /// `fps`, stereo). Frames already complete are kept, as the command line does.
    #[pyo3(signature = (path, output, **options))]
    fn movie(
        &self,
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        output: std::path::PathBuf,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        crate::errors::caught(|| {
            let call = Options::from_kwargs(options)?;
            refuse_field(&call)?;
            let mut merged = self.options.clone();
            if path.is_some() {
                // The path file sets the camera: the scene's placement does not apply.
                for key in CAMERA_KEYS.iter().filter(|k| **k != "lens") {
                    merged.take(key);
                }
            } else if !call.any_of(&CAMERA_KEYS) {
                let c = self.camera.borrow(py);
                if c.framed.is_none() {
                    camera_options(&mut merged, &c);
                }
            }
            let merged = merged.merged(&call);
            let path = path.map(|p| p.to_string_lossy().into_owned());
            let job = parse_movie(path.as_deref(), &output.to_string_lossy(), &merged)?;
            let data = MovieData {
                field: Some((self.source.clone(), self.metadata.clone())),
                ctx: None,
            };
            // The movie uploads the field itself: the scene's upload goes first, so that the
            // GPU does not hold two (the next render uploads again).
            *self.gpu.lock().unwrap_or_else(|p| p.into_inner()) = None;
            guarded(py, || {
                let data = MovieData {
                    ctx: Some(crate::gpu::gpu()?),
                    ..data
                };
                movie_of(&job, data)
            })
        })
    }

    /// The scene's camera (moving it changes the next render).
    #[getter]
    fn camera(&self, py: Python<'_>) -> Py<Camera> {
        self.camera.clone_ref(py)
    }

    /// The dataset's short name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The field's name.
    #[getter]
    fn field(&self) -> &str {
        self.source.field_name()
    }

    /// The domain's corners, ((x0, y0, z0), (x1, y1, z1)).
    #[getter]
    fn domain(&self) -> ((f64, f64, f64), (f64, f64, f64)) {
        let (lo, hi) = domain(self.source.as_ref());
        (crate::camera::tuple3(lo), crate::camera::tuple3(hi))
    }

    /// Grids per level, from level 0.
    #[getter]
    fn grids_per_level(&self) -> Vec<usize> {
        let h = self.source.hierarchy();
        let mut n = vec![0; h.max_level() as usize + 1];
        for g in &h.grids {
            n[g.level as usize] += 1;
        }
        n
    }

    /// Cells in all grids.
    #[getter]
    fn cells(&self) -> usize {
        self.source.hierarchy().num_cells()
    }

    /// Grids whose values are read in place from NumPy memory (no copy).
    #[getter]
    fn grids_in_place(&self) -> usize {
        self.in_place
    }

    /// The scene's options as keywords.
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.options.entries() {
            match v {
                OptValue::Unset => d.set_item(k, py.None())?,
                OptValue::Text(t) => d.set_item(k, t)?,
                OptValue::Flag(b) => d.set_item(k, b)?,
                OptValue::Points(p) => {
                    d.set_item(k, p.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>())?
                }
            }
        }
        Ok(d)
    }

    /// The field's minimum, maximum and smallest positive value, and the counts of NaN or
    /// infinite and of non-positive values.
    fn stats(&self, py: Python<'_>) -> PyResult<(f32, f32, f32, usize, usize)> {
        let s = guarded(py, || self.source.stats())?;
        Ok((s.min, s.max, s.min_positive, s.non_finite, s.non_positive))
    }

    fn __repr__(&self) -> String {
        let h = self.source.hierarchy();
        format!(
            "<amrcast.Scene {} field '{}': {} grids, {} levels, {} cells>",
            self.name,
            self.source.field_name(),
            h.grids.len(),
            h.max_level() + 1,
            h.num_cells()
        )
    }
}

/// The camera `c` as explicit options, replacing any view in `opts`.
fn camera_options(opts: &mut Options, c: &Camera) {
    let s = c.spec();
    let v3 = |v: Option<DVec3>| {
        let v = v.unwrap_or_default();
        OptValue::Text(format!("{},{},{}", v.x, v.y, v.z))
    };
    opts.take("view");
    opts.set("lens", OptValue::Text(s.lens.name().to_string()));
    opts.set("camera_position", v3(s.position));
    opts.set("focus", v3(s.focus));
    opts.set("up", v3(s.up));
    opts.set("width", OptValue::Text(format!("{}", c.cam.width)));
    opts.set("fov", OptValue::Text(format!("{}", c.cam.fov)));
}
