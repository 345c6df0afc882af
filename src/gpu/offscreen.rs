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
            ctx.texture_2d(
                "offscreen target",
                [width, height],
                TARGET_FORMAT,
                wgpu::TextureUsages::STORAGE_BINDING
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC,
            )
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
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let readback = Readback::record(ctx, &mut enc, &self.texture, 16);
        ctx.queue.submit([enc.finish()]);
        let bytes = readback.read(ctx)?;
        Ok(bytemuck::cast_slice::<u8, f32>(&bytes)
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect())
    }
}

/// A texture copied into a mappable buffer (rows padded to wgpu's alignment), to be read once
/// the encoder that recorded the copy has been submitted.
pub struct Readback {
    buffer: wgpu::Buffer,
    /// Unpadded and padded bytes per row, and rows.
    row: usize,
    padded: usize,
    rows: usize,
}

impl Readback {
    /// Records the copy of `texture` (mip 0, `bytes_per_texel` bytes per texel) into `enc`.
    pub fn record(
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
        bytes_per_texel: usize,
    ) -> Readback {
        let (w, h) = (texture.width(), texture.height());
        let row = w as usize * bytes_per_texel;
        let padded = row.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize;
        let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: (padded * h as usize) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        enc.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded as u32),
                    rows_per_image: Some(h),
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        Readback {
            buffer,
            row,
            padded,
            rows: h as usize,
        }
    }

    /// Waits for the copy and returns the texels, rows from the top, without padding.
    pub fn read(&self, ctx: &GpuContext) -> Result<Vec<u8>> {
        let bytes = read_buffer(ctx, &self.buffer)?;
        let mut out = Vec::with_capacity(self.row * self.rows);
        for y in 0..self.rows {
            out.extend_from_slice(&bytes[y * self.padded..y * self.padded + self.row]);
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
    OffscreenTarget::new(ctx, width, height)?.render(ctx, renderer, rays)
}

impl OffscreenTarget {
    /// Renders `rays` (an image of this target's size) into the target and reads it back;
    /// for callers that render many images of one size (movie frames, stereo eyes).
    pub fn render(
        &self,
        ctx: &GpuContext,
        renderer: &VolumeRenderer,
        rays: &RayModel,
    ) -> Result<FloatImage> {
        self.render_with_lines(ctx, renderer, rays, None)
    }

    /// [`OffscreenTarget::render`] with annotation lines (`lines`: a layer of this target's
    /// size), hidden by the volume in composite mode and ignored by the others.
    pub fn render_with_lines(
        &self,
        ctx: &GpuContext,
        renderer: &VolumeRenderer,
        rays: &RayModel,
        lines: Option<&crate::annotate::GeometryLayer>,
    ) -> Result<FloatImage> {
        if let Some(l) = lines {
            if (l.width, l.height) != (self.width, self.height) {
                return Err(Error::Settings(format!(
                    "annotation lines of {}x{} for an image of {}x{}",
                    l.width, l.height, self.width, self.height
                )));
            }
        }
        ctx.checked("rendering", || {
            let view = lines.map(|l| renderer.lines_texture(ctx, l));
            renderer.render_passes(ctx, &self.region(), rays, [0, 0], view.as_ref())
        })??;
        Ok(FloatImage {
            width: self.width,
            height: self.height,
            mode: renderer.prepared.settings.mode,
            pixels: self.read(ctx)?,
        })
    }
}
