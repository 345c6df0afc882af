//! What the viewer's and the wall's windows share: an adapter that can draw into a window's
//! surface, and the surface's configuration.

use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;

/// The adapter `WGPU_BACKEND` (or wgpu's default choice) gives for drawing into `surface`.
pub fn context_for_surface(
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
pub fn surface_config(
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
