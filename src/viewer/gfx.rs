//! The viewer's window and what is drawn with it: opened once the event loop runs, resized
//! with the window, and the volume laid out beside the panel.

use super::layout::{initial_window_size, volume_rect};
use super::panel_layer::PanelLayer;
use super::stereo_mode::StereoMode;
use super::App;
use crate::gpu::display::{DisplayPass, Rect};
use crate::gpu::surface::WindowSurface;
use crate::gpu::{GpuContext, OffscreenTarget};
use crate::session::Session;
use anyhow::Context as _;
use std::sync::Arc;
use winit::event_loop::ActiveEventLoop;
use winit::window::Window;

/// Window, surface and everything drawn with them.
pub(super) struct Gfx {
    pub surface: WindowSurface,
    /// The field on the GPU: context, renderer, settings.
    pub session: Session,
    pub display: DisplayPass,
    /// The part of the window the volume is drawn in: right of the panel, or all of it.
    pub volume: Rect,
    /// The image on screen and the one being refined.
    pub shown: OffscreenTarget,
    /// Changes whenever `shown` does, so that the display pass converts it only then.
    pub shown_version: u64,
    pub pending: OffscreenTarget,
    pub egui_ctx: egui::Context,
    pub egui_state: egui_winit::State,
    pub egui_renderer: egui_wgpu::Renderer,
    pub panel_layer: PanelLayer,
    /// The slice view's values, once a slice was taken.
    pub slice: Option<super::slice_view::SliceTexture>,
}

impl Gfx {
    pub fn window(&self) -> &Arc<Window> {
        self.surface.window()
    }

    /// Releases the textures egui freed, once the frame that may use them is drawn.
    pub fn free_textures(&mut self, free: &[egui::TextureId]) {
        for id in free {
            self.egui_renderer.free_texture(id);
        }
    }
}

/// The float images (shown, pending) for a `w` x `h` volume: wide enough for every eye.
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
    /// The window's initial size: `--size`, else one that fits the monitor the window opens
    /// on (see [`initial_window_size`]).
    fn window_size(&self, event_loop: &ActiveEventLoop) -> (u32, u32) {
        let monitor = event_loop
            .primary_monitor()
            .or_else(|| event_loop.available_monitors().next());
        let physical = monitor.as_ref().map(|m| (m.size().width, m.size().height));
        let scale = monitor.as_ref().map_or(1.0, |m| m.scale_factor());
        let size = initial_window_size(self.window_size, physical, scale);
        match (self.window_size, physical) {
            (Some(_), _) => log::info!("window {}x{} (--size)", size.0, size.1),
            (None, Some((mw, mh))) => {
                log::info!("window {}x{} on a {mw}x{mh} monitor", size.0, size.1)
            }
            (None, None) => log::info!("window {}x{} (no monitor reported)", size.0, size.1),
        }
        size
    }

    /// Opens the window and everything drawn into it.
    pub(super) fn init(&mut self, event_loop: &ActiveEventLoop) -> anyhow::Result<()> {
        let (w, h) = self.window_size(event_loop);
        let attrs = Window::default_attributes()
            .with_title(self.title())
            .with_inner_size(winit::dpi::PhysicalSize::new(w, h));
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .context("cannot open a window")?,
        );
        let (ctx, mut surfaces) =
            WindowSurface::open(event_loop, vec![window], wgpu::TextureUsages::empty())?;
        let surface = surfaces.pop().context("the window has no surface")?;
        let format = surface.format();
        let display = DisplayPass::new(&ctx, format);
        let (sw, sh) = surface.size();
        let volume = volume_rect(sw, sh, 0);
        log::info!("volume {sw}x{sh} at x=0 in the {sw}x{sh} window");
        let [vw, vh] = volume.size;
        let (shown, pending) = target(&ctx, self.stereo, vw, vh)?;
        let egui_ctx = egui::Context::default();
        let window = surface.window();
        let egui_state = egui_winit::State::new(
            egui_ctx.clone(),
            egui::ViewportId::ROOT,
            window,
            Some(window.scale_factor() as f32),
            None,
            Some(ctx.device.limits().max_texture_dimension_2d as usize),
        );
        let egui_renderer =
            egui_wgpu::Renderer::new(&ctx.device, format, egui_wgpu::RendererOptions::default());
        let panel_layer = PanelLayer::new(&ctx, format);
        self.progressive.resize(vw, vh);
        let session = Session::new(ctx, &self.ds, &self.settings)?;
        self.gfx = Some(Gfx {
            surface,
            volume,
            session,
            display,
            shown,
            shown_version: 0,
            pending,
            egui_ctx,
            egui_state,
            egui_renderer,
            panel_layer,
            slice: None,
        });
        self.changed();
        Ok(())
    }

    pub(super) fn resize(&mut self, w: u32, h: u32) {
        let Some(g) = &mut self.gfx else { return };
        if w == 0 || h == 0 {
            return; // minimised: nothing to draw until it comes back
        }
        g.surface.resize(&g.session.ctx, w, h);
        let panel = g.volume.offset[0];
        self.set_volume(volume_rect(w, h, panel));
    }

    /// Lays the volume out in `rect` of the window: new images when their size changes (with
    /// the stereo mode's width), and the ladder restarted.
    pub(super) fn set_volume(&mut self, rect: Rect) {
        let Some(g) = &mut self.gfx else { return };
        let [w, h] = rect.size;
        if g.volume != rect {
            let (sw, sh) = g.surface.size();
            log::info!(
                "volume {w}x{h} at x={} in the {sw}x{sh} window",
                rect.offset[0]
            );
        }
        g.volume = rect;
        if (g.shown.width, g.shown.height) != (self.stereo.image_width(w, h), h) {
            match target(&g.session.ctx, self.stereo, w, h) {
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
}
