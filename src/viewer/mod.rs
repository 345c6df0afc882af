//! `amrcast view`: an interactive window on a dataset (winit + wgpu + egui).
//!
//! Every frame the ray caster renders into a region of an `Rgba32Float` texture (the same
//! [`VolumeRenderer::encode`] path as files and wall tiles); the display pass
//! ([`crate::gpu::display`]) converts and scales it onto the window surface, and the egui panel
//! is drawn on top. While the view changes, frames are coarse (the divisor is chosen from the
//! measured speed); once input stops, finer levels are rendered in bands of rows until full
//! resolution ([`progressive`]). Nothing is drawn while nothing changes.
//!
//! Where things are: this file holds the viewer's state (`App`) and one frame's steps in
//! order (`try_redraw`). The window (sized to fit the monitor and divided between the panel
//! and the volume by [`layout`]), its surface and the GPU objects are opened in `gfx`
//! (through the window layer [`crate::gpu::surface`], shared with the wall); input is handled
//! in `events`, and what keys and the panel ask for in `actions`; datasets are read in the
//! background in `loading`. Each frame runs the panel in `ui` ([`panel`], [`tf_editor`],
//! [`histogram`], drawn as a [`panel_layer`]), renders the next piece of the resolution ladder
//! in `schedule`, then draws and presents in `draw`; the eyes of a frame are in `eyes`, and F12
//! saves a screenshot ([`screenshot`]).
//!
//! [`VolumeRenderer::encode`]: crate::gpu::VolumeRenderer::encode

mod actions;
pub mod annotations;
pub mod camera_control;
mod draw;
mod events;
mod eyes;
mod gfx;
pub mod histogram;
pub mod keyframes;
pub mod layout;
mod loading;
pub mod no_display;
pub mod panel;
pub mod panel_layer;
pub mod progressive;
pub mod render_flags;
mod schedule;
pub mod screenshot;
pub mod slice_view;
pub mod stereo_mode;
pub mod tf_editor;
mod ui;

use crate::amr::AmrDataset;
use crate::camera::{Camera, View};
use crate::formats::DataSource;
use crate::render::RenderSettings;
use crate::session::RenderRequest;
use crate::stereo::{Projection, StereoRig};
use crate::transfer::Scale;
use anyhow::{anyhow, bail};
use gfx::Gfx;
use glam::DVec3;
use histogram::Histogram;
use keyframes::RecordedPath;
use loading::{open_source, UserEvent};
use progressive::Progressive;
use schedule::Timing;
use slice_view::{Showing, SliceView};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use stereo_mode::StereoMode;
use ui::Readouts;
use winit::event::MouseButton;
use winit::event_loop::{ActiveEventLoop, EventLoop, EventLoopProxy};
use winit::keyboard::ModifiersState;

/// `amrcast view`: `request.size` is the first image's size until the window opens; the
/// window is `window_size` (`--size`) when given, else sized to fit the monitor
/// ([`layout::initial_window_size`]).
/// `annotations` are those shown at first (`--annotate`), `plane` the slice plane shown in
/// the volume at first (`--slice-plane AXIS=COORD`).
pub fn view(
    request: &RenderRequest,
    window_size: Option<(u32, u32)>,
    annotations: crate::annotate::Annotations,
    plane: Option<(crate::slice::Axis, f64)>,
) -> anyhow::Result<()> {
    let event_loop = EventLoop::<UserEvent>::with_user_event()
        .build()
        .map_err(|e| {
            anyhow!(
                "cannot open a window: {} (is a display available? set DISPLAY or WAYLAND_DISPLAY)",
                no_display::window_error_reason(&e.to_string())
            )
        })?;
    let source = open_source(request.data.dataset.as_ref())?;
    let ds = crate::formats::load(source.as_ref(), request.data.field.as_deref())?;
    let settings = request.settings.clone();
    // Settings errors (bounds, opacity...) before any window appears.
    crate::render::Prepared::new(&ds, &settings)?;
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let (w, h) = request.size;
    let cam = request.camera(lo, hi)?;
    let slice = match plane {
        None => SliceView::new(crate::slice::Axis::Z, &ds.hierarchy),
        Some((axis, coord)) => {
            let (a, b) = (lo[axis.index()], hi[axis.index()]);
            if !(a..=b).contains(&coord) {
                bail!("--slice-plane {axis}={coord}: outside the domain ({a} to {b} along {axis})");
            }
            SliceView {
                in_volume: true,
                ..SliceView::new(axis, &ds.hierarchy).with_coord(coord, &ds.hierarchy)
            }
        }
    };
    let showing = Showing::for_hierarchy(&ds.hierarchy);
    let mut app = App {
        proxy: event_loop.create_proxy(),
        source,
        path: request.data.dataset.clone(),
        ds,
        settings,
        cam,
        home: request.camera.view.unwrap_or(View::Z),
        progressive: Progressive::new(w, h),
        window_size,
        gfx: None,
        histogram: Histogram::default(),
        histogram_key: None,
        drag: None,
        cursor: None,
        modifiers: ModifiersState::empty(),
        panel_visible: true,
        showing,
        slice,
        slice_dirty: true,
        slice_refine_at: None,
        plane_in_volume: Default::default(),
        annotations: annotations::ViewerAnnotations::new(annotations),
        show_button: None,
        stereo: StereoMode::Off,
        rig: StereoRig::new(Projection::Parallel),
        keyframes: RecordedPath::default(),
        message: None,
        loading: None,
        screenshot: false,
        ui_dirty: true,
        next_repaint: None,
        timing: Timing::default(),
        readouts: None,
        fatal: None,
    };
    event_loop.run_app(&mut app)?;
    match app.fatal {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The viewer's state.
struct App {
    proxy: EventLoopProxy<UserEvent>,
    source: Arc<dyn DataSource>,
    path: Option<PathBuf>,
    ds: AmrDataset,
    settings: RenderSettings,
    cam: Camera,
    /// The on-axis view R returns to.
    home: View,
    progressive: Progressive,
    /// `--size`: the window's initial size, when given.
    window_size: Option<(u32, u32)>,
    gfx: Option<Gfx>,
    histogram: Histogram,
    histogram_key: Option<(Scale, (f32, f32), String)>,
    /// Button held for a drag that started outside the panel, and the last cursor position.
    drag: Option<MouseButton>,
    cursor: Option<(f64, f64)>,
    modifiers: ModifiersState,
    panel_visible: bool,
    /// The volume or a slice.
    showing: Showing,
    /// The slice view's plane and framing.
    slice: SliceView,
    /// The slice on screen is out of date.
    slice_dirty: bool,
    /// The slice on screen is a coarse one, to be taken again at full resolution once the
    /// input has rested until then.
    slice_refine_at: Option<Instant>,
    /// The slice's plane as the volume view shows it.
    plane_in_volume: slice_view::PlaneInVolume,
    /// The annotations shown and their cached lines and overlays.
    annotations: annotations::ViewerAnnotations,
    /// While the panel is hidden, where the button that shows it is (points).
    show_button: Option<egui::Rect>,
    stereo: StereoMode,
    /// The eyes' geometry in the stereo modes.
    rig: StereoRig,
    /// Cameras recorded with K for a movie path.
    keyframes: RecordedPath,
    /// Last message for the panel: text, is an error.
    message: Option<(String, bool)>,
    loading: Option<String>,
    screenshot: bool,
    /// The panel needs drawing (input reached egui).
    ui_dirty: bool,
    next_repaint: Option<Instant>,
    timing: Timing,
    readouts: Option<Readouts>,
    fatal: Option<anyhow::Error>,
}

/// Milliseconds since `t`.
fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

impl App {
    fn title(&self) -> String {
        format!("amrcast - {} - {}", self.ds.name, self.ds.field.name)
    }

    fn domain(&self) -> (DVec3, DVec3) {
        (
            self.ds.hierarchy.domain_left,
            self.ds.hierarchy.domain_right,
        )
    }

    fn size(&self) -> (u32, u32) {
        self.progressive.size()
    }

    /// What the annotations need to know about the dataset.
    fn figure_data(&self) -> crate::figure::FigureData {
        crate::figure::FigureData::new(&self.ds, self.source.metadata())
    }

    /// The slice's plane drawn in the volume view now: in composite mode without stereo.
    fn plane_drawn(&self) -> bool {
        self.slice.in_volume
            && self.stereo == StereoMode::Off
            && self.settings.mode == crate::render::Mode::Composite
    }

    /// The annotations drawn now: none in the stereo modes.
    fn annotations_drawn(&self) -> crate::annotate::Annotations {
        match self.stereo {
            StereoMode::Off => self.annotations.shown,
            _ => Default::default(),
        }
    }

    fn aspect(&self) -> f64 {
        let (w, h) = self.size();
        w as f64 / h as f64
    }

    fn set_message(&mut self, text: String, error: bool) {
        if error {
            log::warn!("{text}");
        } else {
            log::info!("{text}");
        }
        self.message = Some((text, error));
        self.ui_dirty = true;
        self.request_redraw();
    }

    fn request_redraw(&self) {
        if let Some(g) = &self.gfx {
            g.window().request_redraw();
        }
    }

    /// The view changed: start again from a coarse frame.
    fn changed(&mut self) {
        self.progressive.invalidate();
        self.slice_dirty = true;
        self.timing.changed_at = Some(Instant::now());
        self.timing.full_after_ms = None;
        self.request_redraw();
    }

    fn set_camera(&mut self, cam: Camera) {
        if cam != self.cam && cam.basis().is_ok() {
            self.cam = cam;
            self.changed();
        }
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        if let Err(e) = self.try_redraw() {
            self.fatal = Some(e);
            event_loop.exit();
        }
    }

    /// One frame: the panel, the ladder's next piece of work, then (unless nothing on screen
    /// changed) the volume and the panel drawn and presented, and a screenshot when asked for.
    fn try_redraw(&mut self) -> anyhow::Result<()> {
        let Some(g) = &self.gfx else { return Ok(()) };
        let size = g.window().inner_size();
        if size.width == 0 || size.height == 0 {
            return Ok(());
        }
        if (size.width, size.height) != g.surface.size() {
            self.resize(size.width, size.height);
        }
        let start = Instant::now();
        let panel = self.run_panel();
        let ui_ms = ms_since(start);
        let step = match self.showing {
            Showing::Volume => self.render_step()?,
            Showing::Slice => self.slice_step(),
        };
        // Display and panel onto the surface, unless only a band of an unfinished level was
        // rendered: then nothing on screen changed, and presenting would cost as much as the
        // band.
        let unchanged = step.work.is_some_and(|w| !w.interactive && !w.completes);
        if unchanged && !self.ui_dirty && !self.screenshot {
            let g = self.gfx.as_mut().expect("graphics");
            g.free_textures(&panel.free);
            g.window().request_redraw();
            return Ok(());
        }
        self.ui_dirty = false;
        let Some(acquire_ms) = self.draw_frame(&panel)? else {
            return Ok(());
        };
        self.frame_done(start, step.work, ui_ms, acquire_ms);
        if self.screenshot {
            self.screenshot = false;
            self.take_screenshot();
        }
        self.request_next_frame(step.refined);
        Ok(())
    }
}
