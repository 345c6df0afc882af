//! `amrcast view`: an interactive window on a dataset (winit + wgpu + egui).
//!
//! Every frame the ray caster renders into a region of an `Rgba32Float` texture (the same
//! [`VolumeRenderer::encode`] path as files and wall tiles); the display pass
//! ([`crate::gpu::display`]) converts and scales it onto the window surface, and the egui panel
//! is drawn on top. While the view changes, frames are coarse (the divisor is chosen from the
//! measured speed); once input stops, finer levels are rendered in bands of rows until full
//! resolution ([`progressive`]). Nothing is drawn while nothing changes.

pub mod camera_control;
pub mod histogram;
pub mod keyframes;
pub mod no_display;
pub mod panel;
pub mod panel_layer;
pub mod progressive;
pub mod render_flags;
pub mod screenshot;
pub mod stereo_mode;
pub mod tf_editor;

use crate::amr::AmrDataset;
use crate::camera::{Camera, Lens, RayModel, View};
use crate::formats::DataSource;
use crate::gpu::display::{DisplayItem, DisplayPass, DisplaySettings, Rect};
use crate::gpu::{
    render_image, render_stereo_pair, GpuContext, OffscreenTarget, RenderTarget, VolumeRenderer,
};
use crate::render::{depth_along, FloatImage, Mode, RenderSettings};
use crate::session::RenderRequest;
use crate::stereo::{Eye, Projection, StereoRig};
use crate::transfer::Scale;
use anyhow::{anyhow, Context as _};
use glam::DVec3;
use histogram::Histogram;
use keyframes::RecordedPath;
use panel::PanelAction;
use panel_layer::PanelLayer;
use progressive::{band_rays, level_size, scaled_rays, Progressive, Work};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stereo_mode::StereoMode;
use winit::application::ApplicationHandler;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::{Key, ModifiersState, NamedKey};
use winit::window::{Window, WindowId};

/// Bins of the histogram under the transfer-function editor.
const HISTOGRAM_BINS: usize = 128;
/// Degrees an arrow key orbits by.
const ARROW_DEGREES: f64 = 5.0;
/// Default width of the side panel, points.
const PANEL_WIDTH: f32 = 300.0;

/// One eye's view of a frame: the rays of its full-resolution image and the part of the window
/// it is shown in. Without stereo there is one; a stereo mode gives two, rendered into two
/// regions of the float image and composed by the display pass.
struct EyeView {
    rays: RayModel,
    viewport: Rect,
}

/// The eyes of `cam` for a window of `w` x `h` pixels: the mono camera, or the rig's left and
/// right eyes (see [`StereoMode::viewports`]).
fn eye_views(
    cam: &Camera,
    stereo: StereoMode,
    rig: &StereoRig,
    w: u32,
    h: u32,
) -> crate::Result<Vec<EyeView>> {
    let viewports = stereo.viewports(w, h);
    let (ew, eh) = stereo.eye_size(w, h);
    viewports
        .into_iter()
        .zip(Eye::BOTH)
        .map(|((offset, size), eye)| {
            let rays = match stereo {
                StereoMode::Off => cam.ray_model(w, h)?,
                _ => rig.eye_rays(cam, ew, eh, eye)?,
            };
            Ok(EyeView {
                rays,
                viewport: Rect { offset, size },
            })
        })
        .collect()
}

/// A dataset read in the background.
struct Loaded {
    source: Arc<dyn DataSource>,
    path: Option<PathBuf>,
    ds: AmrDataset,
}

enum UserEvent {
    Loaded(String, Box<anyhow::Result<Loaded>>),
}

/// Opens `path` (the demo for `None`).
fn open_source(path: Option<&PathBuf>) -> anyhow::Result<Arc<dyn DataSource>> {
    Ok(match path {
        None => Arc::new(crate::demo::Demo::new()?),
        Some(p) => Arc::from(crate::formats::open(p)?),
    })
}

/// `amrcast view`.
pub fn view(request: &RenderRequest) -> anyhow::Result<()> {
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
    let mut app = App {
        proxy: event_loop.create_proxy(),
        source,
        path: request.data.dataset.clone(),
        ds,
        settings,
        cam,
        home: request.camera.view.unwrap_or(View::Z),
        progressive: Progressive::new(w, h),
        gfx: None,
        histogram: Histogram::default(),
        histogram_key: None,
        drag: None,
        cursor: None,
        modifiers: ModifiersState::empty(),
        panel_visible: true,
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

/// Window, surface and everything drawn with them.
struct Gfx {
    window: Arc<Window>,
    instance: wgpu::Instance,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    ctx: GpuContext,
    renderer: VolumeRenderer,
    display: DisplayPass,
    /// The part of the window the volume is drawn in: right of the panel, or all of it.
    volume: Rect,
    /// The image on screen and the one being refined.
    shown: OffscreenTarget,
    /// Changes whenever `shown` does, so that the display pass converts it only then.
    shown_version: u64,
    pending: OffscreenTarget,
    egui_ctx: egui::Context,
    egui_state: egui_winit::State,
    egui_renderer: egui_wgpu::Renderer,
    panel_layer: PanelLayer,
}

/// While the view changes the panel's live readouts are refreshed at most this often, so that
/// an otherwise unchanged panel is not drawn again for every frame (see [`PanelLayer`]).
const READOUT_PERIOD: Duration = Duration::from_millis(500);

/// What the panel shows of the current frame and camera.
#[derive(Clone)]
struct Readouts {
    /// The view as `render` command-line flags, and whether they reproduce it exactly.
    command: (String, bool),
    timing: String,
    /// The stereo rig's eye separation and focal distance for the current camera.
    rig_values: (f64, f64),
    at: Instant,
}

#[derive(Default)]
struct Timing {
    /// Wall time of the last frame, ms.
    frame_ms: f64,
    /// Ray-casting time of the last frame, ms.
    ray_ms: f64,
    /// When the view last changed, and how long full resolution took after it.
    changed_at: Option<Instant>,
    full_after_ms: Option<f64>,
}

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
    gfx: Option<Gfx>,
    histogram: Histogram,
    histogram_key: Option<(Scale, (f32, f32), String)>,
    /// Button held for a drag that started outside the panel, and the last cursor position.
    drag: Option<MouseButton>,
    cursor: Option<(f64, f64)>,
    modifiers: ModifiersState,
    panel_visible: bool,
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

/// The float images (shown, pending) for a `w` x `h` window: wide enough for every eye.
/// The volume's part of a `w` x `h` window whose panel ends `panel` pixels from the left.
fn volume_rect(w: u32, h: u32, panel: u32) -> Rect {
    let x = panel.min(w.saturating_sub(1));
    Rect {
        offset: [x, 0],
        size: [(w - x).max(1), h.max(1)],
    }
}

fn target(
    ctx: &GpuContext,
    stereo: StereoMode,
    w: u32,
    h: u32,
) -> anyhow::Result<(OffscreenTarget, OffscreenTarget)> {
    let w = stereo.image_width(w, h);
    Ok((
        OffscreenTarget::new(ctx, w, h)?,
        OffscreenTarget::new(ctx, w, h)?,
    ))
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
            g.window.request_redraw();
        }
    }

    /// The view changed: start again from a coarse frame.
    fn changed(&mut self) {
        self.progressive.invalidate();
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

    fn init(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let (w, h) = self.size();
        let attrs = Window::default_attributes()
            .with_title(self.title())
            .with_inner_size(winit::dpi::PhysicalSize::new(w, h));
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .context("cannot open a window")?,
        );
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| anyhow!("cannot draw into the window: {e}"))?;
        let ctx = crate::gpu::surface::context_for_surface(&instance, Some(&surface))?;
        log::info!("adapter: {}", ctx.describe());
        let caps = surface.get_capabilities(&ctx.adapter);
        let format = egui_wgpu::preferred_framebuffer_format(&caps.formats)
            .map_err(|e| anyhow!("the window offers no usable format: {e}"))?;
        let size = window.inner_size();
        let config = crate::gpu::surface::surface_config(
            &caps,
            format,
            size.width,
            size.height,
            wgpu::TextureUsages::empty(),
        );
        surface.configure(&ctx.device, &config);
        let renderer = VolumeRenderer::new(&ctx, &self.ds, &self.settings)?;
        renderer.prepared.print_warnings(&self.ds.field.name);
        let display = DisplayPass::new(&ctx, format);
        let volume = volume_rect(config.width, config.height, 0);
        let [vw, vh] = volume.size;
        let (shown, pending) = target(&ctx, self.stereo, vw, vh)?;
        let egui_ctx = egui::Context::default();
        let egui_state = egui_winit::State::new(
            egui_ctx.clone(),
            egui::ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(ctx.device.limits().max_texture_dimension_2d as usize),
        );
        let egui_renderer =
            egui_wgpu::Renderer::new(&ctx.device, format, egui_wgpu::RendererOptions::default());
        let panel_layer = PanelLayer::new(&ctx, format);
        self.progressive.resize(vw, vh);
        self.gfx = Some(Gfx {
            window,
            instance,
            surface,
            config,
            volume,
            ctx,
            renderer,
            display,
            shown,
            shown_version: 0,
            pending,
            egui_ctx,
            egui_state,
            egui_renderer,
            panel_layer,
        });
        self.changed();
        Ok(())
    }

    fn resize(&mut self, w: u32, h: u32) {
        let Some(g) = &mut self.gfx else { return };
        if w == 0 || h == 0 {
            return; // minimised: nothing to draw until it comes back
        }
        g.config.width = w;
        g.config.height = h;
        g.surface.configure(&g.ctx.device, &g.config);
        let panel = g.volume.offset[0];
        self.set_volume(volume_rect(w, h, panel));
    }

    /// Lays the volume out in `rect` of the window: new images when their size changes (with
    /// the stereo mode's width), and the ladder restarted.
    fn set_volume(&mut self, rect: Rect) {
        let Some(g) = &mut self.gfx else { return };
        let [w, h] = rect.size;
        g.volume = rect;
        if (g.shown.width, g.shown.height) != (self.stereo.image_width(w, h), h) {
            match target(&g.ctx, self.stereo, w, h) {
                Ok((a, b)) => {
                    g.shown = a;
                    g.pending = b;
                    g.shown_version += 1;
                }
                Err(e) => {
                    self.set_message(format!("resizing: {e:#}"), true);
                    return;
                }
            }
        }
        self.progressive.resize(w, h);
        self.changed();
    }

    /// Applies settings edited in the panel or by keys; the old ones stay when they fail.
    fn apply_settings(&mut self, new: RenderSettings) {
        if new == self.settings {
            return;
        }
        let Some(g) = &mut self.gfx else { return };
        let result = if g.renderer.can_update_to(&new) {
            g.renderer.set_settings(&g.ctx, &new)
        } else {
            VolumeRenderer::new(&g.ctx, &self.ds, &new).map(|r| g.renderer = r)
        };
        match result {
            Ok(()) => {
                self.settings = new;
                if matches!(&self.message, Some((_, true))) {
                    self.message = None;
                }
                self.changed();
            }
            Err(e) => self.set_message(format!("settings not applied: {e}"), true),
        }
    }

    fn update_histogram(&mut self) {
        let Some(g) = &self.gfx else { return };
        let p = &g.renderer.prepared;
        let key = (p.settings.tf.scale, p.bounds, self.ds.field.name.clone());
        if self.histogram_key.as_ref() != Some(&key) {
            self.histogram = Histogram::new(&self.ds, key.0, key.1, HISTOGRAM_BINS);
            self.histogram_key = Some(key);
        }
    }

    /// Reads `path` (or the current source for a field change) in the background.
    fn load(&mut self, path: Option<PathBuf>, field: Option<String>) {
        let what = match (&path, &field) {
            (Some(p), _) => p.display().to_string(),
            (None, Some(f)) => format!("field {f}"),
            (None, None) => "the demo".into(),
        };
        self.loading = Some(what.clone());
        let source = if path.is_none() {
            Some((self.source.clone(), self.path.clone()))
        } else {
            None
        };
        let proxy = self.proxy.clone();
        std::thread::spawn(move || {
            let result = (|| -> anyhow::Result<Loaded> {
                let (source, path) = match source {
                    Some(s) => s,
                    None => (open_source(path.as_ref())?, path),
                };
                let ds = crate::formats::load(source.as_ref(), field.as_deref())?;
                Ok(Loaded { source, path, ds })
            })();
            let _ = proxy.send_event(UserEvent::Loaded(what, Box::new(result)));
        });
        self.request_redraw();
    }

    fn loaded(&mut self, what: String, result: anyhow::Result<Loaded>) {
        self.loading = None;
        let loaded = match result {
            Ok(l) => l,
            Err(e) => {
                // Errors of the readers start with the file they concern.
                let text = format!("{e:#}");
                let text = if text.starts_with(&what) {
                    text
                } else {
                    format!("{what}: {text}")
                };
                return self.set_message(
                    format!("cannot open {text}; keeping the current dataset"),
                    true,
                );
            }
        };
        let Some(g) = &mut self.gfx else { return };
        let same_dataset = Arc::ptr_eq(&loaded.source, &self.source);
        // Bounds belong to a field: a new field starts from its own range.
        let mut settings = self.settings.clone();
        settings.tf.bounds = None;
        let renderer = VolumeRenderer::new(&g.ctx, &loaded.ds, &settings).or_else(|e| {
            // A field the log scale cannot show: try the linear one before giving up.
            settings.tf.scale = Scale::Linear;
            VolumeRenderer::new(&g.ctx, &loaded.ds, &settings).map_err(|_| e)
        });
        match renderer {
            Ok(r) => {
                r.prepared.print_warnings(&loaded.ds.field.name);
                g.renderer = r;
                self.settings = settings;
                self.source = loaded.source;
                self.path = loaded.path;
                self.ds = loaded.ds;
                let title = self.title();
                if let Some(g) = &self.gfx {
                    g.window.set_title(&title);
                }
                if !same_dataset {
                    let (lo, hi) = self.domain();
                    self.cam =
                        camera_control::reset(self.home, self.cam.lens, lo, hi, self.aspect());
                }
                self.message = Some((format!("opened {what}"), false));
                self.changed();
            }
            Err(e) => self.set_message(
                format!("cannot show {what}: {e}; keeping the current dataset"),
                true,
            ),
        }
    }

    fn set_lens(&mut self, lens: Lens) {
        if lens != self.cam.lens {
            let (lo, hi) = self.domain();
            let cam = camera_control::switch_lens(&self.cam, self.aspect(), lo, hi);
            self.set_camera(cam);
        }
    }

    fn cycle_mode(&mut self) {
        let mut s = self.settings.clone();
        s.mode = match s.mode {
            Mode::Composite => Mode::Mip,
            Mode::Mip => Mode::Projection,
            Mode::Projection => Mode::Composite,
        };
        self.apply_settings(s);
    }

    fn cycle_stereo(&mut self) {
        self.set_stereo(self.stereo.next());
    }

    fn set_stereo(&mut self, mode: StereoMode) {
        if mode == self.stereo {
            return;
        }
        self.stereo = mode;
        if let Some(g) = &self.gfx {
            // set_volume() makes images of the new mode's width (when it differs) and restarts
            // the ladder.
            let rect = g.volume;
            self.set_volume(rect);
        }
        let text = match (
            self.rig.eye_separation(&self.cam),
            self.rig.focal_distance(&self.cam),
        ) {
            (Ok(e), Ok(d)) if mode != StereoMode::Off => {
                format!(
                    "stereo: {} (eye separation {e:.4}, focal distance {d:.4})",
                    mode.name()
                )
            }
            _ => format!("stereo: {}", mode.name()),
        };
        self.set_message(text, false);
    }

    /// Appends the current camera to the recorded path and rewrites the path file in the
    /// current folder.
    fn record_keyframe(&mut self) {
        let result = (|| -> anyhow::Result<PathBuf> {
            let mut path = self.keyframes.clone();
            path.record(self.cam)?;
            let dir = std::env::current_dir().context("the current folder")?;
            let file = path.save(&dir)?;
            self.keyframes = path;
            Ok(file)
        })();
        match result {
            Ok(file) => self.set_message(
                format!(
                    "keyframe {} recorded in {} (amrcast movie {} ...)",
                    self.keyframes.len(),
                    file.display(),
                    keyframes::PATH_FILE
                ),
                false,
            ),
            Err(e) => self.set_message(format!("{e:#}"), true),
        }
    }

    fn reset_view(&mut self) {
        let (lo, hi) = self.domain();
        let cam = camera_control::reset(self.home, self.cam.lens, lo, hi, self.aspect());
        self.set_camera(cam);
    }

    fn key(&mut self, event_loop: &ActiveEventLoop, key: &Key) {
        let ctrl = self.modifiers.control_key();
        let step = ARROW_DEGREES.to_radians();
        match key {
            Key::Named(NamedKey::Escape) => event_loop.exit(),
            Key::Named(NamedKey::F12) => self.screenshot = true,
            Key::Named(NamedKey::Tab) => self.panel_visible = !self.panel_visible,
            Key::Named(NamedKey::ArrowLeft) => {
                self.set_camera(camera_control::orbit(&self.cam, -step, 0.0))
            }
            Key::Named(NamedKey::ArrowRight) => {
                self.set_camera(camera_control::orbit(&self.cam, step, 0.0))
            }
            Key::Named(NamedKey::ArrowUp) => {
                self.set_camera(camera_control::orbit(&self.cam, 0.0, step))
            }
            Key::Named(NamedKey::ArrowDown) => {
                self.set_camera(camera_control::orbit(&self.cam, 0.0, -step))
            }
            Key::Character(c) => match c.to_ascii_lowercase().as_str() {
                "q" => event_loop.exit(),
                "s" if ctrl => self.screenshot = true,
                "s" => self.cycle_stereo(),
                "r" => self.reset_view(),
                "p" => self.set_lens(match self.cam.lens {
                    Lens::Plane => Lens::Perspective,
                    Lens::Perspective => Lens::Plane,
                }),
                "m" => self.cycle_mode(),
                "k" => self.record_keyframe(),
                _ => return,
            },
            _ => return,
        }
        self.request_redraw();
    }

    /// Renders `work` for every eye; returns the GPU seconds it took.
    fn render_work(&mut self, work: Work) -> anyhow::Result<f64> {
        let g = self.gfx.as_mut().expect("graphics");
        let [w, h] = g.volume.size;
        let eyes = eye_views(&self.cam, self.stereo, &self.rig, w, h)?;
        let into = if work.interactive {
            &g.shown
        } else {
            &g.pending
        };
        let mut enc = g.ctx.device.create_command_encoder(&Default::default());
        let mut x = 0;
        for eye in &eyes {
            let [vw, vh] = eye.viewport.size;
            let (lw, lh) = level_size(vw, vh, work.divisor);
            let (y0, y1) = (work.rows.0.min(lh), work.rows.1.min(lh));
            if y1 > y0 {
                let rays = band_rays(&scaled_rays(&eye.rays, vw, vh, lw, lh), y0);
                g.renderer.encode(
                    &g.ctx,
                    &mut enc,
                    &RenderTarget {
                        view: &into.view,
                        offset: [x, y0],
                        size: [lw, y1 - y0],
                    },
                    &rays,
                );
            }
            x += lw;
        }
        let t = Instant::now();
        g.ctx.queue.submit([enc.finish()]);
        g.ctx.wait()?;
        let secs = t.elapsed().as_secs_f64();
        if !work.interactive && work.completes {
            std::mem::swap(&mut g.shown, &mut g.pending);
        }
        if work.interactive || work.completes {
            g.shown_version += 1;
        }
        Ok(secs)
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        if let Err(e) = self.try_redraw() {
            self.fatal = Some(e);
            event_loop.exit();
        }
    }

    fn try_redraw(&mut self) -> anyhow::Result<()> {
        let Some(g) = &self.gfx else { return Ok(()) };
        let size = g.window.inner_size();
        if size.width == 0 || size.height == 0 {
            return Ok(());
        }
        if (size.width, size.height) != (g.config.width, g.config.height) {
            self.resize(size.width, size.height);
        }
        let start = Instant::now();
        self.update_histogram();
        // The panel.
        let due = |r: &Readouts| r.at.elapsed() >= READOUT_PERIOD;
        if self.timing.changed_at.is_none() || self.readouts.as_ref().is_none_or(due) {
            self.readouts = Some(Readouts {
                command: self.render_command(),
                timing: self.timing_text(),
                rig_values: (
                    self.rig.eye_separation(&self.cam).unwrap_or(0.0),
                    self.rig.focal_distance(&self.cam).unwrap_or(0.0),
                ),
                at: Instant::now(),
            });
        }
        let Readouts {
            command: (command, exact),
            timing,
            rig_values,
            ..
        } = self.readouts.clone().expect("set above");
        let mut rig = self.rig;
        let g = self.gfx.as_mut().expect("graphics");
        let p = &g.renderer.prepared;
        let enc = p.settings.tf.scale;
        let bounds_in_use = (enc.decode(p.bounds.0) as f64, enc.decode(p.bounds.1) as f64);
        let mut edited = self.settings.clone();
        let mut actions = Vec::new();
        let raw = g.egui_state.take_egui_input(&g.window);
        // Right edge of the panel, in points (0 when hidden): the volume is drawn beside it.
        let mut panel_right = 0.0f32;
        let out = g.egui_ctx.run_ui(raw, |ui| {
            if !self.panel_visible {
                return;
            }
            let max = (0.6 * ui.available_width()).max(120.0);
            panel_right = egui::Panel::left("panel")
                .resizable(true)
                .default_size(PANEL_WIDTH.min(max))
                .max_size(max)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        actions = panel::panel(
                            ui,
                            panel::PanelModel {
                                dataset: &self.ds.name,
                                fields: &self.source.field_names(),
                                field: &self.ds.field.name,
                                settings: &mut edited,
                                lens: self.cam.lens,
                                histogram: &self.histogram,
                                bounds_in_use,
                                command: &command,
                                command_exact: exact,
                                timing: &timing,
                                stereo: self.stereo,
                                rig: &mut rig,
                                rig_values,
                                keyframes: self.keyframes.len(),
                                message: self.message.as_ref(),
                                loading: self.loading.as_deref(),
                            },
                        );
                    });
                })
                .response
                .rect
                .right();
        });
        g.egui_state
            .handle_platform_output(&g.window, out.platform_output);
        let ppp = out.pixels_per_point;
        let jobs = g.egui_ctx.tessellate(out.shapes, ppp);
        // Texture uploads go to the queue now; frees wait until the frame is drawn.
        let mut textures = out.textures_delta;
        let textures_changed = !textures.set.is_empty();
        for (id, deltas) in textures.set.drain() {
            for delta in deltas {
                g.egui_renderer
                    .update_texture(&g.ctx.device, &g.ctx.queue, id, &delta);
            }
        }
        let free: Vec<egui::TextureId> = textures.free.drain().collect();
        self.next_repaint = out
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .and_then(|v| Instant::now().checked_add(v.repaint_delay));
        // What the panel asked for.
        self.apply_settings(edited);
        if rig != self.rig {
            match rig.validate() {
                Ok(()) => {
                    self.rig = rig;
                    if self.stereo != StereoMode::Off {
                        self.changed();
                    }
                }
                Err(e) => self.set_message(format!("{e}"), true),
            }
        }
        for a in actions {
            match a {
                PanelAction::LoadField(f) => self.load(None, Some(f)),
                PanelAction::SetLens(l) => self.set_lens(l),
                PanelAction::ResetView => self.reset_view(),
                PanelAction::Screenshot => self.screenshot = true,
                PanelAction::SetStereo(m) => self.set_stereo(m),
                PanelAction::ClearPath => {
                    self.keyframes.clear();
                    self.set_message(
                        format!(
                            "keyframes cleared (K records again and rewrites {})",
                            keyframes::PATH_FILE
                        ),
                        false,
                    );
                }
            }
        }
        let (sw, sh) = {
            let g = self.gfx.as_ref().expect("graphics");
            (g.config.width, g.config.height)
        };
        let volume = volume_rect(sw, sh, (panel_right * ppp).round() as u32);
        if self.gfx.as_ref().is_some_and(|g| g.volume != volume) {
            self.set_volume(volume);
        }
        let ui_ms = start.elapsed().as_secs_f64() * 1e3;
        // The volume.
        let mut shown_work = None;
        let mut refined = false;
        if let Some(work) = self.progressive.next_work() {
            let secs = self.render_work(work)?;
            self.progressive.done(work, secs);
            self.timing.ray_ms = secs * 1e3;
            shown_work = Some(work);
            if !self.progressive.busy() {
                if let Some(t) = self.timing.changed_at.take() {
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    self.timing.full_after_ms = Some(ms);
                    log::info!("full resolution {ms:.0} ms after the last change");
                    refined = true;
                }
            }
        }
        // Display and panel onto the surface, unless only a band of an unfinished level was
        // rendered: then nothing on screen changed, and presenting would cost as much as the
        // band.
        let g = self.gfx.as_mut().expect("graphics");
        let unchanged = shown_work.is_some_and(|w| !w.interactive && !w.completes);
        if unchanged && !self.ui_dirty && !self.screenshot {
            for id in &free {
                g.egui_renderer.free_texture(id);
            }
            g.window.request_redraw();
            return Ok(());
        }
        self.ui_dirty = false;
        let t_acquire = Instant::now();
        // A suboptimal frame is still drawn; the surface is configured again once it is
        // presented (configuring while holding it is an error).
        let mut suboptimal = false;
        let frame = match g.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) => Some(f),
            wgpu::CurrentSurfaceTexture::Suboptimal(f) => {
                suboptimal = true;
                Some(f)
            }
            wgpu::CurrentSurfaceTexture::Outdated => {
                g.surface.configure(&g.ctx.device, &g.config);
                None
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                g.surface = g
                    .instance
                    .create_surface(g.window.clone())
                    .map_err(|e| anyhow!("the window's surface was lost: {e}"))?;
                g.surface.configure(&g.ctx.device, &g.config);
                None
            }
            wgpu::CurrentSurfaceTexture::Timeout
            | wgpu::CurrentSurfaceTexture::Occluded
            | wgpu::CurrentSurfaceTexture::Validation => None,
        };
        let Some(frame) = frame else {
            for id in &free {
                g.egui_renderer.free_texture(id);
            }
            g.window.request_redraw();
            return Ok(());
        };
        let acquire_ms = t_acquire.elapsed().as_secs_f64() * 1e3;
        let view = frame.texture.create_view(&Default::default());
        let (sw, sh) = (g.config.width, g.config.height);
        let [vw, vh] = g.volume.size;
        let eyes = eye_views(&self.cam, self.stereo, &self.rig, vw, vh)?;
        let d = self.progressive.shown.max(1);
        let mut items: Vec<DisplayItem> = Vec::new();
        let mut x = 0;
        for eye in &eyes {
            let [vw, vh] = eye.viewport.size;
            let (lw, lh) = level_size(vw, vh, d);
            items.push(DisplayItem {
                image: &g.shown.view,
                src: Rect {
                    offset: [x, 0],
                    size: [lw, lh],
                },
                dst: Rect {
                    offset: [
                        eye.viewport.offset[0] + g.volume.offset[0],
                        eye.viewport.offset[1] + g.volume.offset[1],
                    ],
                    size: eye.viewport.size,
                },
                anaglyph: None,
            });
            x += lw;
        }
        if self.stereo == StereoMode::Anaglyph {
            // One draw: the left eye's region combined with the right eye's.
            let right = items.pop().expect("two eyes");
            items[0].anaglyph = Some((right.src.offset, stereo_mode::ANAGLYPH));
        }
        let (f, _, _) = self.cam.basis()?;
        let (lo, hi) = (
            self.ds.hierarchy.domain_left,
            self.ds.hierarchy.domain_right,
        );
        let settings = DisplaySettings::new(&g.renderer.prepared, depth_along(f, lo, hi));
        let mut enc = g.ctx.device.create_command_encoder(&Default::default());
        let volume = g
            .display
            .prepare(&g.ctx, &mut enc, &items, &settings, Some(g.shown_version));
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [sw, sh],
            pixels_per_point: ppp,
        };
        let mut cmds = g.panel_layer.update(
            &g.ctx,
            &mut enc,
            &mut g.egui_renderer,
            &jobs,
            &screen,
            textures_changed,
        );
        {
            // The volume, then the panel over it, in one render pass.
            let mut pass = crate::gpu::display::clearing_pass(&mut enc, "volume and panel", &view);
            g.display.record(&mut pass, &volume);
            g.panel_layer.record(&mut pass);
        }
        cmds.push(enc.finish());
        g.ctx.queue.submit(cmds);
        g.window.pre_present_notify();
        g.ctx.queue.present(frame);
        if suboptimal {
            g.surface.configure(&g.ctx.device, &g.config);
        }
        g.ctx.check()?;
        for id in &free {
            g.egui_renderer.free_texture(id);
        }
        self.timing.frame_ms = start.elapsed().as_secs_f64() * 1e3;
        if shown_work.is_some_and(|w| w.interactive) {
            self.progressive
                .frame_overhead((self.timing.frame_ms - self.timing.ray_ms) * 1e-3);
        }
        if let Some(w) = shown_work {
            log::debug!(
                "frame {:.1} ms, ray casting {:.1} ms (panel {ui_ms:.1} ms, acquiring {acquire_ms:.1} ms), 1/{} {:?}",
                self.timing.frame_ms,
                self.timing.ray_ms,
                w.divisor,
                w.rows
            );
        }
        if self.screenshot {
            self.screenshot = false;
            match self.save_screenshot() {
                Ok(path) => {
                    let (command, _) = self.render_command();
                    eprintln!(
                        "amrcast: saved {} (the same view offscreen: {command})",
                        path.display()
                    );
                    self.set_message(format!("saved {}", path.display()), false);
                }
                Err(e) => self.set_message(format!("screenshot failed: {e:#}"), true),
            }
        }
        if refined {
            // The panel drawn with this frame still says "refining": one more frame shows the
            // final readouts.
            self.ui_dirty = true;
        }
        let g = self.gfx.as_ref().expect("graphics");
        if refined
            || self.progressive.busy()
            || self.next_repaint.is_some_and(|t| t <= Instant::now())
        {
            g.window.request_redraw();
        }
        Ok(())
    }

    /// The current view as an `amrcast render` command (with the stereo flags in a stereo
    /// mode, `--size` then being each eye's size), and whether it is exact.
    fn render_command(&self) -> (String, bool) {
        let (w, h) = self.size();
        render_flags::render_command(
            self.path.as_deref(),
            &self.ds.field.name,
            self.stereo.eye_size(w, h),
            &self.cam,
            self.stereo.packing().map(|p| (&self.rig, p)),
            &self.settings,
        )
    }

    fn timing_text(&self) -> String {
        let t = &self.timing;
        let d = self.progressive.shown.max(1);
        let (w, h) = self.size();
        let (lw, lh) = level_size(w, h, d);
        let mut s = format!(
            "frame {:.0} ms, ray casting {:.0} ms; showing {lw}x{lh} (1/{d})",
            t.frame_ms, t.ray_ms
        );
        if self.progressive.busy() {
            s.push_str(", refining");
        } else if let Some(ms) = t.full_after_ms {
            s.push_str(&format!(
                "; full resolution {ms:.0} ms after the last change"
            ));
        }
        s
    }

    /// Renders the current view at the volume's full resolution (reusing the image on screen
    /// when it is complete) and writes it as a PNG in the current folder. In a stereo mode,
    /// both eyes at their full size, composed as `render --stereo-layout` does.
    fn save_screenshot(&mut self) -> anyhow::Result<PathBuf> {
        let g = self.gfx.as_ref().expect("graphics");
        let [w, h] = g.volume.size;
        let (f, _, _) = self.cam.basis()?;
        let (lo, hi) = self.domain();
        let depth = depth_along(f, lo, hi);
        let dir = std::env::current_dir().context("the current folder")?;
        if let Some(packing) = self.stereo.packing() {
            let (ew, eh) = self.stereo.eye_size(w, h);
            let rgba = render_stereo_pair(&g.ctx, &g.renderer, &self.rig, &self.cam, ew, eh)?
                .map(|image| image.to_rgba8(&g.renderer.prepared, depth));
            let (pixels, pw, ph) = crate::stereo::compose(packing, &rgba[0], &rgba[1], ew, eh)?;
            return Ok(screenshot::save(&dir, pw, ph, &pixels)?);
        }
        let image = if self.progressive.shown == 1
            && !self.progressive.busy()
            && self.stereo == StereoMode::Off
        {
            FloatImage {
                width: w,
                height: h,
                mode: self.settings.mode,
                pixels: g.shown.read(&g.ctx)?,
            }
        } else {
            render_image(&g.ctx, &g.renderer, &self.cam.ray_model(w, h)?, w, h)?
        };
        let rgba = image.to_rgba8(&g.renderer.prepared, depth);
        Ok(screenshot::save(&dir, w, h, &rgba)?)
    }

    fn mouse_moved(&mut self, x: f64, y: f64) {
        let last = self.cursor.replace((x, y));
        let (Some(button), Some((lx, ly))) = (self.drag, last) else {
            return;
        };
        let (dx, dy) = (x - lx, y - ly);
        if dx == 0.0 && dy == 0.0 {
            return;
        }
        let (w, h) = self.size();
        let cam = match button {
            MouseButton::Left => {
                let k = camera_control::orbit_radians_per_pixel(h);
                // Dragging right turns the scene right: the camera moves left.
                camera_control::orbit(&self.cam, -dx * k, dy * k)
            }
            _ => camera_control::pan(&self.cam, dx, dy, w, h),
        };
        self.set_camera(cam);
    }
}

impl ApplicationHandler<UserEvent> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.gfx.is_some() {
            return;
        }
        if let Err(e) = self.init(event_loop) {
            self.fatal = Some(e);
            event_loop.exit();
        }
    }

    fn new_events(&mut self, _: &ActiveEventLoop, cause: StartCause) {
        if let StartCause::ResumeTimeReached { .. } = cause {
            self.next_repaint = None;
            self.request_redraw();
        }
    }

    fn user_event(&mut self, _: &ActiveEventLoop, event: UserEvent) {
        match event {
            UserEvent::Loaded(what, result) => self.loaded(what, *result),
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let Some(g) = &mut self.gfx else { return };
        let response = g.egui_state.on_window_event(&g.window, &event);
        // egui asks for a repaint after every RedrawRequested, which would redraw forever; and
        // the pointer moving over the volume changes nothing in a hidden panel.
        let pointer = matches!(
            event,
            WindowEvent::CursorMoved { .. }
                | WindowEvent::CursorEntered { .. }
                | WindowEvent::CursorLeft { .. }
                | WindowEvent::MouseInput { .. }
                | WindowEvent::MouseWheel { .. }
        );
        let redraw = matches!(event, WindowEvent::RedrawRequested);
        if response.repaint && !redraw && (self.panel_visible || !pointer) {
            self.ui_dirty = true;
            g.window.request_redraw();
        }
        let egui_keys = g.egui_ctx.egui_wants_keyboard_input();
        // egui's state is from its last frame: a hidden panel may still count as under the
        // pointer until the next one.
        let over_panel = self.panel_visible && g.egui_ctx.egui_wants_pointer_input();
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => self.resize(size.width, size.height),
            WindowEvent::RedrawRequested => self.redraw(event_loop),
            WindowEvent::DroppedFile(path) => self.load(Some(path), None),
            WindowEvent::ModifiersChanged(m) => self.modifiers = m.state(),
            WindowEvent::KeyboardInput { event, .. }
                if event.state == ElementState::Pressed && !egui_keys =>
            {
                // Held arrows keep orbiting; the other keys act once per press.
                let arrow = matches!(
                    event.logical_key,
                    Key::Named(
                        NamedKey::ArrowLeft
                            | NamedKey::ArrowRight
                            | NamedKey::ArrowUp
                            | NamedKey::ArrowDown
                    )
                );
                if arrow || !event.repeat {
                    self.key(event_loop, &event.logical_key);
                }
            }
            WindowEvent::MouseInput { state, button, .. } => match state {
                ElementState::Pressed if self.drag.is_none() && !over_panel => {
                    if matches!(
                        button,
                        MouseButton::Left | MouseButton::Right | MouseButton::Middle
                    ) {
                        self.drag = Some(button);
                    }
                }
                ElementState::Released if self.drag == Some(button) => self.drag = None,
                _ => {}
            },
            WindowEvent::CursorMoved { position, .. } => self.mouse_moved(position.x, position.y),
            WindowEvent::CursorLeft { .. } => self.cursor = None,
            WindowEvent::MouseWheel { delta, .. } if !over_panel => {
                let steps = match delta {
                    MouseScrollDelta::LineDelta(_, y) => y as f64,
                    MouseScrollDelta::PixelDelta(p) => p.y / 40.0,
                };
                if steps != 0.0 {
                    let cam = camera_control::zoom(&self.cam, camera_control::wheel_factor(steps));
                    self.set_camera(cam);
                }
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        event_loop.set_control_flow(match self.next_repaint {
            Some(t) if t > Instant::now() && t < Instant::now() + Duration::from_secs(3600) => {
                ControlFlow::WaitUntil(t)
            }
            _ => ControlFlow::Wait,
        });
    }
}
