//! Offscreen rendering: a float target texture, read back to the host.

use crate::camera::RayModel;
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::raycaster::{check_target_size, RenderTarget, VolumeRenderer, TARGET_FORMAT};
use crate::render::FloatImage;

/// A `TARGET_FORMAT` texture that renders can be drawn into and read back from.
pub struct OffscreenTarget {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub width: u32,
    pub height: u32,
}

impl OffscreenTarget {
    pub fn new(ctx: &GpuContext, width: u32, height: u32) -> Result<Self> {
        check_target_size(ctx, width, height)?;
        let texture = ctx.checked("creating the render target", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("offscreen target"),
                size: wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: TARGET_FORMAT,
                usage: wgpu::TextureUsages::STORAGE_BINDING
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            })
        })?;
        let view = texture.create_view(&Default::default());
        Ok(OffscreenTarget {
            texture,
            view,
            width,
            height,
        })
    }

    /// The whole texture as one region.
    pub fn region(&self) -> RenderTarget<'_> {
        RenderTarget {
            view: &self.view,
            offset: [0, 0],
            size: [self.width, self.height],
        }
    }

    /// Reads the texture back (waits for the GPU), rows from the top.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<[f32; 4]>> {
        let row = self.width as usize * 16;
        let padded = row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize;
        let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: (padded * self.height as usize) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        enc.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &self.texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded as u32),
                    rows_per_image: Some(self.height),
                },
            },
            wgpu::Extent3d {
                width: self.width,
                height: self.height,
                depth_or_array_layers: 1,
            },
        );
        ctx.queue.submit([enc.finish()]);
        let bytes = read_buffer(ctx, &buffer)?;
        let mut out = Vec::with_capacity((self.width * self.height) as usize);
        for y in 0..self.height as usize {
            let line: &[f32] = bytemuck::cast_slice(&bytes[y * padded..y * padded + row]);
            out.extend(line.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]));
        }
        Ok(out)
    }
}

/// Maps a `MAP_READ` buffer after the submitted work is done and copies it out.
pub fn read_buffer(ctx: &GpuContext, buffer: &wgpu::Buffer) -> Result<Vec<u8>> {
    let slice = buffer.slice(..);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    ctx.wait()?;
    match rx.recv_timeout(std::time::Duration::from_secs(5)) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Error::Gpu(format!("reading back from the GPU failed: {e}"))),
        Err(_) => return Err(Error::Gpu("reading back from the GPU timed out".into())),
    }
    let data = slice
        .get_mapped_range()
        .map_err(|e| Error::Gpu(format!("reading back from the GPU failed: {e}")))?
        .to_vec();
    buffer.unmap();
    Ok(data)
}

/// Renders one image offscreen and reads it back.
pub fn render_image(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    rays: &RayModel,
    width: u32,
    height: u32,
) -> Result<FloatImage> {
    let target = OffscreenTarget::new(ctx, width, height)?;
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    ctx.checked("rendering", || {
        renderer.encode(ctx, &mut enc, &target.region(), rays)
    })?;
    ctx.queue.submit([enc.finish()]);
    Ok(FloatImage {
        width,
        height,
        mode: renderer.prepared.settings.mode,
        pixels: target.read(ctx)?,
    })
}
