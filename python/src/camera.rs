//! `Camera`: the scene's camera, moved from Python (orbit, zoom, pan, reset, or its
//! properties), with the viewer's camera moves ([`amrcast::viewer::camera_control`]).
//!
//! Until it is moved, the camera follows the options: a render frames the data as the command
//! line would for that render's size. Once moved (or placed by camera keywords given to
//! `render`), it stays where it is and every render uses it.

use crate::errors::{to_py, value_error};
use amrcast::camera::{Camera as Cam, CameraSpec, Lens, View};
use amrcast::viewer::camera_control;
use glam::{DQuat, DVec3};
use pyo3::prelude::*;

/// The scene's camera, in domain units.
#[pyclass(module = "amrcast._amrcast", name = "Camera")]
pub struct Camera {
    pub(crate) cam: Cam,
    /// The domain `lo..hi` (for `reset`).
    pub(crate) domain: (DVec3, DVec3),
    /// The image size the options framed the camera for; `None` once it is moved by hand.
    pub(crate) framed: Option<(u32, u32)>,
    /// The size of the last image (what `pan` and a lens switch measure against).
    pub(crate) size: (u32, u32),
}

impl Camera {
    /// The camera `spec` places in `domain` for an image of `size`, following the options.
    pub fn framed(spec: &CameraSpec, domain: (DVec3, DVec3), size: (u32, u32)) -> PyResult<Self> {
        let cam = spec.camera(domain.0, domain.1, size).map_err(to_py)?;
        Ok(Camera {
            cam,
            domain,
            framed: Some(size),
            size,
        })
    }

    /// Takes `cam` by hand, if it is a valid camera.
    fn place(&mut self, cam: Cam) -> PyResult<()> {
        cam.basis().map_err(to_py)?;
        self.cam = cam;
        self.framed = None;
        Ok(())
    }

    /// The camera as explicit options, so that any front end (a movie) rebuilds it exactly.
    pub fn spec(&self) -> CameraSpec {
        CameraSpec {
            lens: self.cam.lens,
            view: None,
            position: Some(self.cam.position),
            focus: Some(self.cam.focus),
            up: Some(self.cam.up),
            width: Some(self.cam.width),
            fov: Some(self.cam.fov),
        }
    }
}

/// A vector as a Python tuple.
pub fn tuple3(v: DVec3) -> (f64, f64, f64) {
    (v.x, v.y, v.z)
}

fn vec3(v: [f64; 3], what: &str) -> PyResult<DVec3> {
    let v = DVec3::from(v);
    if !v.is_finite() {
        return Err(value_error(format!("{what} must be three finite numbers")));
    }
    Ok(v)
}

#[pymethods]
impl Camera {
    /// Turns the camera about its focus by `degrees`: about its up vector (positive moves it to
    /// its right), or about `axis` (a vector through the focus, right-handed).
    #[pyo3(signature = (degrees, axis=None))]
    fn orbit(&mut self, degrees: f64, axis: Option<[f64; 3]>) -> PyResult<()> {
        if !degrees.is_finite() {
            return Err(value_error(format!(
                "orbit: {degrees} degrees is not finite"
            )));
        }
        let cam = match axis {
            None => camera_control::orbit(&self.cam, degrees.to_radians(), 0.0),
            Some(a) => {
                let a = vec3(a, "axis")?;
                if a.length() == 0.0 {
                    return Err(value_error("orbit: the axis is zero"));
                }
                let q = DQuat::from_axis_angle(a.normalize(), degrees.to_radians());
                Cam {
                    position: self.cam.focus + q * (self.cam.position - self.cam.focus),
                    up: q * self.cam.up,
                    ..self.cam
                }
            }
        };
        self.place(cam)
    }

    /// Magnifies the view by `factor` (above 1 zooms in): the plane lens's width shrinks, a
    /// perspective camera moves toward its focus.
    fn zoom(&mut self, factor: f64) -> PyResult<()> {
        if !(factor.is_finite() && factor > 0.0) {
            return Err(value_error(format!(
                "zoom factor {factor} must be positive"
            )));
        }
        self.place(camera_control::zoom(&self.cam, 1.0 / factor))
    }

    /// Moves the camera and its focus across the view by `dx` of the image's width (positive:
    /// to the right, so the scene moves left) and `dy` of its height (positive: up).
    fn pan(&mut self, dx: f64, dy: f64) -> PyResult<()> {
        if !(dx.is_finite() && dy.is_finite()) {
            return Err(value_error("pan: dx and dy must be finite"));
        }
        let (w, h) = self.size;
        let (_, r, u) = self.cam.basis().map_err(to_py)?;
        let px = camera_control::pixel_size_at_focus(&self.cam, w, h);
        let shift = r * (dx * px * w as f64) + u * (dy * px * h as f64);
        let cam = Cam {
            position: self.cam.position + shift,
            focus: self.cam.focus + shift,
            ..self.cam
        };
        self.place(cam)
    }

    /// Frames the whole domain along `view` ("x", "y", "z", "-x", "-y", "-z"), as `--view`.
    #[pyo3(signature = (view="z"))]
    fn reset(&mut self, view: &str) -> PyResult<()> {
        let view: View = view.parse().map_err(to_py)?;
        let spec = CameraSpec {
            lens: self.cam.lens,
            view: Some(view),
            ..Default::default()
        };
        let cam = spec
            .camera(self.domain.0, self.domain.1, self.size)
            .map_err(to_py)?;
        self.place(cam)
    }

    #[getter]
    fn position(&self) -> (f64, f64, f64) {
        tuple3(self.cam.position)
    }
    #[setter]
    fn set_position(&mut self, v: [f64; 3]) -> PyResult<()> {
        let cam = Cam {
            position: vec3(v, "position")?,
            ..self.cam
        };
        self.place(cam)
    }

    #[getter]
    fn focus(&self) -> (f64, f64, f64) {
        tuple3(self.cam.focus)
    }
    #[setter]
    fn set_focus(&mut self, v: [f64; 3]) -> PyResult<()> {
        let cam = Cam {
            focus: vec3(v, "focus")?,
            ..self.cam
        };
        self.place(cam)
    }

    #[getter]
    fn up(&self) -> (f64, f64, f64) {
        tuple3(self.cam.up)
    }
    #[setter]
    fn set_up(&mut self, v: [f64; 3]) -> PyResult<()> {
        let cam = Cam {
            up: vec3(v, "up")?,
            ..self.cam
        };
        self.place(cam)
    }

    /// "plane" or "perspective". Switching keeps the view direction, the focus and the size of
    /// the scene at the focus.
    #[getter]
    fn lens(&self) -> &'static str {
        self.cam.lens.name()
    }
    #[setter]
    fn set_lens(&mut self, lens: &str) -> PyResult<()> {
        let lens: Lens = lens.parse().map_err(to_py)?;
        if lens == self.cam.lens {
            return Ok(());
        }
        let aspect = self.size.0 as f64 / self.size.1 as f64;
        let cam = camera_control::switch_lens(&self.cam, aspect, self.domain.0, self.domain.1);
        self.place(cam)
    }

    /// Plane lens: the image plane's width in domain units.
    #[getter]
    fn width(&self) -> f64 {
        self.cam.width
    }
    #[setter]
    fn set_width(&mut self, width: f64) -> PyResult<()> {
        if !(width.is_finite() && width > 0.0) {
            return Err(value_error(format!("width {width} must be positive")));
        }
        let cam = Cam { width, ..self.cam };
        self.place(cam)
    }

    /// Perspective lens: the vertical field of view in degrees.
    #[getter]
    fn fov(&self) -> f64 {
        self.cam.fov
    }
    #[setter]
    fn set_fov(&mut self, fov: f64) -> PyResult<()> {
        if !(fov.is_finite() && fov > 0.0 && fov < 180.0) {
            return Err(value_error(format!(
                "fov {fov} must lie in (0, 180) degrees"
            )));
        }
        let cam = Cam { fov, ..self.cam };
        self.place(cam)
    }

    fn __repr__(&self) -> String {
        let c = &self.cam;
        format!(
            "<amrcast.Camera {} position={:?} focus={:?} up={:?} width={} fov={}>",
            c.lens.name(),
            c.position.to_array(),
            c.focus.to_array(),
            c.up.to_array(),
            c.width,
            c.fov
        )
    }
}
