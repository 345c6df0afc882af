//! The display pass drawn offscreen and read back as RGBA8 bytes: the GPU counterpart of the
//! CPU colouring, for tests.

use super::{DisplayItem, DisplayPass, DisplaySettings, Rect};
use crate::error::Result;
use crate::gpu::context::GpuContext;
use crate::stereo::Anaglyph;

/// Draws region `src` of `image` at its own size onto an offscreen RGBA8 texture of `format`
/// (`Rgba8Unorm` or `Rgba8UnormSrgb`) and reads the bytes back, rows from the top: the GPU
/// counterpart of [`FloatImage::to_rgba8`], for tests.
///
/// [`FloatImage::to_rgba8`]: crate::render::FloatImage::to_rgba8
pub fn display_to_rgba8(
    ctx: &GpuContext,
    image: &wgpu::TextureView,
    src: Rect,
    dst_size: [u32; 2],
    settings: &DisplaySettings,
    format: wgpu::TextureFormat,
) -> Result<Vec<u8>> {
    display_pair_to_rgba8(ctx, image, src, None, dst_size, settings, format)
}

/// [`display_to_rgba8`] for an anaglyph: `src` is the left eye's region, `anaglyph` the right
/// eye's region offset (same size) and the colours. The GPU counterpart of
/// [`crate::stereo::compose`] with [`crate::stereo::Packing::Anaglyph`], for tests.
pub fn display_pair_to_rgba8(
    ctx: &GpuContext,
    image: &wgpu::TextureView,
    src: Rect,
    anaglyph: Option<([u32; 2], Anaglyph)>,
    dst_size: [u32; 2],
    settings: &DisplaySettings,
    format: wgpu::TextureFormat,
) -> Result<Vec<u8>> {
    let texture = ctx.texture_2d(
        "display readback",
        dst_size,
        format,
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
    );
    let view = texture.create_view(&Default::default());
    let mut pass = DisplayPass::new(ctx, format);
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    ctx.checked("display pass", || {
        let item = DisplayItem {
            image,
            src,
            dst: Rect {
                offset: [0, 0],
                size: dst_size,
            },
            anaglyph,
        };
        pass.draw_items(ctx, &mut enc, &view, &[item], settings)
    })?;
    let readback = crate::gpu::offscreen::Readback::record(ctx, &mut enc, &texture, 4);
    ctx.queue.submit([enc.finish()]);
    readback.read(ctx)
}
