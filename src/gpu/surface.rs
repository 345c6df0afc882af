//! The window layer the viewer and the wall share, in the spirit of the `SurfaceWrapper` of
//! wgpu's examples framework: surfaces on winit windows and the adapter that draws into them
//! ([`WindowSurface::open`]), configuration and resizing, acquiring a frame with recovery from
//! an outdated, lost or suboptimal surface ([`WindowSurface::acquire`]), presenting
//! ([`WindowSurface::present`]) and reading back what a frame shows ([`FrameReadback`]).

use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::offscreen::Readback;
use anyhow::anyhow;
use std::sync::Arc;
use winit::event_loop::ActiveEventLoop;
use winit::window::Window;

/// The adapter `WGPU_BACKEND` (or wgpu's default choice) gives for drawing into `surface`.
fn context_for_surface(
    instance: &wgpu::Instance,
    surface: Option<&wgpu::Surface<'_>>,
) -> Result<GpuContext> {
    let adapter = pollster::block_on(wgpu::util::initialize_adapter_from_env_or_default(
        instance, surface,
    ))
    .map_err(|e| {
        Error::Gpu(format!(
            "no graphics adapter can draw into the window ({e}); install Mesa (llvmpipe) or lavapipe, or set WGPU_BACKEND=gl|vulkan"
        ))
    })?;
    GpuContext::from_adapter(adapter)
}

/// A surface configuration of `format` for a window of `width` x `height` (at least 1 x 1),
/// vsynced, drawn as a render attachment plus `extra_usage` where the surface allows it.
fn surface_config(
    caps: &wgpu::SurfaceCapabilities,
    format: wgpu::TextureFormat,
    width: u32,
    height: u32,
    extra_usage: wgpu::TextureUsages,
) -> wgpu::SurfaceConfiguration {
    wgpu::SurfaceConfiguration {
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | (caps.usages & extra_usage),
        format,
        width: width.max(1),
        height: height.max(1),
        present_mode: wgpu::PresentMode::AutoVsync,
        desired_maximum_frame_latency: 2,
        alpha_mode: caps.alpha_modes[0],
        view_formats: vec![],
        color_space: Default::default(),
    }
}

/// A window, its surface and the surface's configuration.
pub struct WindowSurface {
    window: Arc<Window>,
    /// Kept to create the surface again when it is lost.
    instance: wgpu::Instance,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

/// A frame acquired from a [`WindowSurface`], to draw into and hand to
/// [`WindowSurface::present`].
pub struct Frame {
    pub texture: wgpu::SurfaceTexture,
    pub view: wgpu::TextureView,
    /// The surface no longer matches the window: configure it again once this is presented.
    suboptimal: bool,
}

impl WindowSurface {
    /// Surfaces on `windows`, the adapter that draws into the first one (logged), and one
    /// colour format every surface offers (egui's preferred one), each surface configured for
    /// its window's size with `extra_usage` where it allows it.
    pub fn open(
        event_loop: &ActiveEventLoop,
        windows: Vec<Arc<Window>>,
        extra_usage: wgpu::TextureUsages,
    ) -> anyhow::Result<(GpuContext, Vec<WindowSurface>)> {
        let one = windows.len() == 1;
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let mut surfaces = Vec::new();
        for w in &windows {
            let which = if one { "the window" } else { "a window" };
            surfaces.push(
                instance
                    .create_surface(w.clone())
                    .map_err(|e| anyhow!("cannot draw into {which}: {e}"))?,
            );
        }
        let ctx = context_for_surface(&instance, surfaces.first())?;
        log::info!("adapter: {}", ctx.describe());
        let first = surfaces.first().map(|s| s.get_capabilities(&ctx.adapter));
        let format = egui_wgpu::preferred_framebuffer_format(&first.unwrap_or_default().formats)
            .map_err(|e| {
                let which = if one {
                    "the window offers"
                } else {
                    "the windows offer"
                };
                anyhow!("{which} no usable format: {e}")
            })?;
        let mut out = Vec::new();
        for (window, surface) in windows.into_iter().zip(surfaces) {
            let caps = surface.get_capabilities(&ctx.adapter);
            if !caps.formats.contains(&format) {
                return Err(anyhow!(
                    "the windows do not share a colour format ({format:?} not in {:?})",
                    caps.formats
                ));
            }
            let size = window.inner_size();
            let config = surface_config(&caps, format, size.width, size.height, extra_usage);
            surface.configure(&ctx.device, &config);
            out.push(WindowSurface {
                window,
                instance: instance.clone(),
                surface,
                config,
            });
        }
        Ok((ctx, out))
    }

    pub fn window(&self) -> &Arc<Window> {
        &self.window
    }

    /// The surface's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    pub fn format(&self) -> wgpu::TextureFormat {
        self.config.format
    }

    /// Configures the surface for a window of `width` x `height` (at least 1 x 1).
    pub fn resize(&mut self, ctx: &GpuContext, width: u32, height: u32) {
        self.config.width = width.max(1);
        self.config.height = height.max(1);
        self.surface.configure(&ctx.device, &self.config);
    }

    /// The next frame to draw into; `None` when there is none now. An outdated surface is
    /// configured again and a lost one created again, and the window asked to redraw; a
    /// suboptimal frame is returned, to be drawn and presented before the surface is
    /// configured again (configuring while holding a frame is an error).
    pub fn acquire(&mut self, ctx: &GpuContext) -> anyhow::Result<Option<Frame>> {
        let (texture, suboptimal) = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) => (f, false),
            wgpu::CurrentSurfaceTexture::Suboptimal(f) => (f, true),
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.surface.configure(&ctx.device, &self.config);
                self.window.request_redraw();
                return Ok(None);
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                self.surface = self
                    .instance
                    .create_surface(self.window.clone())
                    .map_err(|e| anyhow!("the window's surface was lost: {e}"))?;
                self.surface.configure(&ctx.device, &self.config);
                self.window.request_redraw();
                return Ok(None);
            }
            wgpu::CurrentSurfaceTexture::Timeout
            | wgpu::CurrentSurfaceTexture::Occluded
            | wgpu::CurrentSurfaceTexture::Validation => return Ok(None),
        };
        let view = texture.texture.create_view(&Default::default());
        Ok(Some(Frame {
            texture,
            view,
            suboptimal,
        }))
    }

    /// Presents `frame` (its drawing submitted), then configures the surface again when the
    /// frame was suboptimal.
    pub fn present(&mut self, ctx: &GpuContext, frame: Frame) {
        self.window.pre_present_notify();
        ctx.queue.present(frame.texture);
        if frame.suboptimal {
            self.surface.configure(&ctx.device, &self.config);
        }
    }

    /// Records into `enc` a copy of what `frame` shows, to be read once `enc` is submitted:
    /// the frame itself where the surface can be copied, else (GL) `draw`, which records the
    /// frame's drawing onto the view it is given, into a texture of the frame's size that can.
    pub fn record_readback(
        &self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        frame: &Frame,
        draw: impl FnOnce(&mut wgpu::CommandEncoder, &wgpu::TextureView),
    ) -> FrameReadback {
        let texture = &frame.texture.texture;
        let readback = if self.config.usage.contains(wgpu::TextureUsages::COPY_SRC) {
            Readback::record(ctx, enc, texture, 4)
        } else {
            let copy = ctx.texture_2d(
                "window copy",
                [texture.width(), texture.height()],
                self.config.format,
                wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            );
            draw(enc, &copy.create_view(&Default::default()));
            Readback::record(ctx, enc, &copy, 4)
        };
        FrameReadback {
            readback,
            size: [texture.width(), texture.height()],
            bgra: matches!(
                self.config.format,
                wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
            ),
        }
    }
}

/// What a frame showed, copied for reading back ([`WindowSurface::record_readback`]).
pub struct FrameReadback {
    readback: Readback,
    size: [u32; 2],
    /// The surface stores blue first.
    bgra: bool,
}

impl FrameReadback {
    /// Waits for the copy; returns its width, height and opaque RGBA8 pixels.
    pub fn read(&self, ctx: &GpuContext) -> Result<(u32, u32, Vec<u8>)> {
        let bytes = self.readback.read(ctx)?;
        let rgba = bytes
            .chunks_exact(4)
            .flat_map(|p| {
                if self.bgra {
                    [p[2], p[1], p[0], 255]
                } else {
                    [p[0], p[1], p[2], 255]
                }
            })
            .collect();
        Ok((self.size[0], self.size[1], rgba))
    }
}
