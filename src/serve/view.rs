//! What one viewer of `amrcast serve` looks at, and how its messages change it: the data
//! (dataset and field), the camera, the look and the stereo mode. GPU-free: the render worker
//! turns a [`ViewState`] into frames.
//!
//! Camera moves follow the desktop viewer exactly (`viewer::camera_control`): a drag across the
//! whole height turns the view half a turn, the wheel zooms by 0.9 per step.

use super::protocol::Look;
use crate::camera::{Camera, View};
use crate::render::RenderSettings;
use crate::transfer::{default_layers, layers, Layer};
use crate::viewer::camera_control as control;
use crate::viewer::stereo_mode::StereoMode;
use glam::DVec3;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Width of each Gaussian layer a viewer asks for by count (`render --layer-width`'s default).
pub const LAYER_WIDTH: f64 = 0.02;

/// A dataset and field: what a render session holds. `path: None` is the built-in demo.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DataKey {
    pub path: Option<PathBuf>,
    pub field: String,
}

/// Everything one viewer's images depend on besides their size.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewState {
    pub data: DataKey,
    pub camera: Camera,
    pub settings: RenderSettings,
    pub stereo: StereoMode,
    /// The dataset's domain, `lo..hi`.
    pub domain: (DVec3, DVec3),
}

/// A view shared by the tasks that change it and the worker that renders it. Every change
/// bumps `version` (what frames are rendered for) and, unless it only moves the camera,
/// `look_version` (when viewers are sent a new `state`).
pub struct ViewCell {
    state: Mutex<ViewState>,
    version: AtomicU64,
    look_version: AtomicU64,
}

impl ViewCell {
    pub fn new(state: ViewState) -> Self {
        ViewCell {
            state: Mutex::new(state),
            version: AtomicU64::new(1),
            look_version: AtomicU64::new(1),
        }
    }

    pub fn get(&self) -> ViewState {
        self.state.lock().expect("view lock").clone()
    }

    /// (version, look version).
    pub fn versions(&self) -> (u64, u64) {
        (
            self.version.load(Ordering::Acquire),
            self.look_version.load(Ordering::Acquire),
        )
    }

    /// Applies `f` to the state; `look` marks a change viewers are told of.
    pub fn update<R>(&self, look: bool, f: impl FnOnce(&mut ViewState) -> R) -> R {
        let mut state = self.state.lock().expect("view lock");
        let r = f(&mut state);
        self.version.fetch_add(1, Ordering::AcqRel);
        if look {
            self.look_version.fetch_add(1, Ordering::AcqRel);
        }
        r
    }
}

impl ViewState {
    /// Orbits by a drag of `(dx, dy)` pixels in an image `h` pixels tall: dragging right turns
    /// the scene right.
    pub fn orbit(&mut self, dx: f64, dy: f64, h: u32) {
        let k = control::orbit_radians_per_pixel(h);
        self.camera = control::orbit(&self.camera, -dx * k, dy * k);
    }

    /// Pans by a drag of `(dx, dy)` pixels in a `w` x `h` image.
    pub fn pan(&mut self, dx: f64, dy: f64, (w, h): (u32, u32)) {
        self.camera = control::pan(&self.camera, dx, dy, w, h);
    }

    /// Zooms by `steps` wheel steps (positive zooms in).
    pub fn zoom(&mut self, steps: f64) {
        self.camera = control::zoom(&self.camera, control::wheel_factor(steps));
    }

    /// The framing camera along `view`, keeping the lens.
    pub fn reset(&mut self, view: View, aspect: f64) {
        let (lo, hi) = self.domain;
        self.camera = control::reset(view, self.camera.lens, lo, hi, aspect);
    }

    /// Applies a checked look change for an image of `aspect`.
    pub fn apply_look(&mut self, look: &Look, aspect: f64) {
        let tf = &mut self.settings.tf;
        if let Some(c) = look.colormap {
            tf.colormap = c;
        }
        if let Some(s) = look.scale {
            tf.scale = s;
        }
        if let Some(b) = look.bounds {
            tf.bounds = b;
        }
        if let Some(o) = look.opacity {
            tf.opacity = o;
        }
        if let Some(l) = look.layers {
            tf.layers = layers_of(l);
        }
        if let Some(p) = &look.points {
            tf.points = p.clone();
        }
        if let Some(m) = look.mode {
            self.settings.mode = m;
        }
        if let Some(s) = look.samples_per_cell {
            self.settings.samples_per_cell = s;
        }
        if let Some(s) = look.stereo {
            self.stereo = s;
        }
        if let Some(f) = look.fov {
            self.camera.fov = f;
        }
        if let Some(lens) = look.lens {
            if lens != self.camera.lens {
                let (lo, hi) = self.domain;
                self.camera = control::switch_lens(&self.camera, aspect, lo, hi);
            }
        }
    }

    /// The look as the `state` message reports it, with the resolved `bounds`.
    pub fn look_json(&self, bounds: (f64, f64)) -> serde_json::Value {
        let tf = &self.settings.tf;
        let layers: serde_json::Value = if tf.layers == default_layers() {
            "default".into()
        } else {
            tf.layers.len().into()
        };
        serde_json::json!({
            "lens": self.camera.lens.name(),
            "mode": self.settings.mode.name(),
            "colormap": tf.colormap.name(),
            "scale": tf.scale.name(),
            "bounds": [bounds.0, bounds.1],
            "opacity": tf.opacity,
            "samples_per_cell": self.settings.samples_per_cell,
            "layers": layers,
            "layer_width": tf.layers.first().map_or(LAYER_WIDTH, |l| l.width),
            "points": tf.points,
            "stereo": self.stereo.name(),
            "fov": self.camera.fov,
        })
    }

    /// The camera as the `state` message reports it.
    pub fn camera_json(&self) -> serde_json::Value {
        let c = &self.camera;
        let v = |v: DVec3| [v.x, v.y, v.z];
        serde_json::json!({
            "position": v(c.position),
            "focus": v(c.focus),
            "up": v(c.up),
            "lens": c.lens.name(),
            "width": c.width,
            "fov": c.fov,
        })
    }

    /// The size of each eye's image in a `w` x `h` view.
    pub fn eye_size(&self, (w, h): (u32, u32)) -> (u32, u32) {
        self.stereo.eye_size(w, h)
    }
}

/// `None`: the default layers; `Some(0)`: none (the opacity ramp); `Some(n)`: `n` layers.
fn layers_of(n: Option<u32>) -> Vec<Layer> {
    match n {
        None => default_layers(),
        Some(n) => layers(n as usize, LAYER_WIDTH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::Lens;
    use crate::render::Mode;
    use crate::transfer::{Colormap, Scale};

    fn state() -> ViewState {
        let (lo, hi) = (DVec3::ZERO, DVec3::ONE);
        ViewState {
            data: DataKey {
                path: None,
                field: "Density".into(),
            },
            camera: Camera::framing(View::Z, Lens::Plane, lo, hi, 4.0 / 3.0),
            settings: RenderSettings::default(),
            stereo: StereoMode::Off,
            domain: (lo, hi),
        }
    }

    #[test]
    fn a_drag_across_the_height_is_half_a_turn_about_the_focus() {
        let mut s = state();
        let before = s.camera;
        s.orbit(600.0, 0.0, 600);
        let (a, b) = (
            before.position - before.focus,
            s.camera.position - s.camera.focus,
        );
        assert!((a.length() - b.length()).abs() < 1e-9);
        assert!(
            (a.normalize().dot(b.normalize()) + 1.0).abs() < 1e-9,
            "{a} {b}"
        );
        assert_eq!(s.camera.focus, before.focus);
    }

    #[test]
    fn zoom_and_pan_follow_the_desktop_viewer() {
        let mut s = state();
        let w = s.camera.width;
        s.zoom(2.0);
        assert!((s.camera.width - w * 0.81).abs() < 1e-12);
        let focus = s.camera.focus;
        s.pan(100.0, 0.0, (400, 300));
        // Dragging right moves the camera left by 100 pixels' worth.
        let moved = focus - s.camera.focus;
        assert!(
            (moved.length() - s.camera.width / 4.0).abs() < 1e-9,
            "{moved}"
        );
    }

    #[test]
    fn a_look_change_sets_only_what_it_names() {
        let mut s = state();
        let look = Look {
            mode: Some(Mode::Mip),
            colormap: Some(Colormap::Inferno),
            layers: Some(Some(0)),
            lens: Some(Lens::Perspective),
            ..Default::default()
        };
        s.apply_look(&look, 1.0);
        assert_eq!(s.settings.mode, Mode::Mip);
        assert_eq!(s.settings.tf.colormap, Colormap::Inferno);
        assert_eq!(s.settings.tf.scale, Scale::Log);
        assert!(s.settings.tf.layers.is_empty());
        assert_eq!(s.camera.lens, Lens::Perspective);
        let j = s.look_json((1.0, 2.0));
        assert_eq!(j["layers"], 0);
        assert_eq!(j["lens"], "perspective");
        assert_eq!(j["bounds"][1], 2.0);
        s.apply_look(
            &Look {
                layers: Some(None),
                ..Default::default()
            },
            1.0,
        );
        assert_eq!(s.look_json((1.0, 2.0))["layers"], "default");
    }

    #[test]
    fn versions_count_changes_and_looks() {
        let cell = ViewCell::new(state());
        cell.update(false, |s| s.zoom(1.0));
        assert_eq!(cell.versions(), (2, 1));
        cell.update(true, |s| s.settings.samples_per_cell = 2.0);
        assert_eq!(cell.versions(), (3, 2));
        assert_eq!(cell.get().settings.samples_per_cell, 2.0);
    }
}
