//! Lists in textures: the ray caster reads its lists (the leaves, the tile lists, the transfer
//! function's table) from 2D textures rather than storage buffers: on CPU adapters a texel
//! fetch per lane is much cheaper than a bounds-checked buffer load per lane.

use crate::gpu::context::GpuContext;

/// Texels per row of the textures that hold lists: texel `i` is at
/// `(i % LIST_ROW, i / LIST_ROW)`.
///
/// Keep in sync with `LIST_ROW` in shaders/raycast.wgsl (checked by the tests of
/// src/gpu/shader_contract.rs).
pub const LIST_ROW: u32 = 4096;
const _: () = assert!(LIST_ROW.is_power_of_two());

/// A 2D texture holding a list in rows of [`LIST_ROW`] texels.
pub(crate) struct ListTexture {
    label: &'static str,
    format: wgpu::TextureFormat,
    /// Texels the texture holds.
    capacity: u32,
    texture: wgpu::Texture,
    view: wgpu::TextureView,
}

impl ListTexture {
    /// A texture of `texels` texels (at least one). A list of at most [`LIST_ROW`] texels is
    /// one row of exactly its length, which the shader can read with `textureDimensions`.
    pub fn new(
        ctx: &GpuContext,
        label: &'static str,
        format: wgpu::TextureFormat,
        texels: u32,
    ) -> ListTexture {
        let capacity = texels.max(1);
        let texture = ctx.texture_2d(
            label,
            [capacity.min(LIST_ROW), capacity.div_ceil(LIST_ROW)],
            format,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        ListTexture {
            label,
            format,
            capacity,
            view: texture.create_view(&Default::default()),
            texture,
        }
    }

    /// A texture holding exactly `data`.
    pub fn with_data(
        ctx: &GpuContext,
        label: &'static str,
        format: wgpu::TextureFormat,
        data: &[u8],
    ) -> ListTexture {
        let texels = (data.len() / texel_bytes(format)) as u32;
        let list = ListTexture::new(ctx, label, format, texels);
        list.write(ctx, data);
        list
    }

    pub fn view(&self) -> &wgpu::TextureView {
        &self.view
    }

    /// Writes `data` from texel 0 on, first replacing the texture by one of the next power of
    /// two texels when it is too small; true when it did (the view changed). Texels past the
    /// data keep what they held.
    pub fn write_growing(&mut self, ctx: &GpuContext, data: &[u8]) -> bool {
        let texels = (data.len() / texel_bytes(self.format)) as u32;
        let grow = texels > self.capacity;
        if grow {
            *self = ListTexture::new(ctx, self.label, self.format, texels.next_power_of_two());
        }
        self.write(ctx, data);
        grow
    }

    /// `queue.write_texture` of `data` from texel 0 on: the full rows, then the last partial
    /// one, so that nothing needs padding.
    pub fn write(&self, ctx: &GpuContext, data: &[u8]) {
        let texel = texel_bytes(self.format);
        let row_bytes = LIST_ROW as usize * texel;
        let full_rows = data.len() / row_bytes;
        let rest = &data[full_rows * row_bytes..];
        let write = |bytes: &[u8], y: usize, width: usize, height: usize| {
            if bytes.is_empty() {
                return;
            }
            ctx.queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &self.texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d {
                        x: 0,
                        y: y as u32,
                        z: 0,
                    },
                    aspect: wgpu::TextureAspect::All,
                },
                bytes,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some((width * texel) as u32),
                    rows_per_image: Some(height as u32),
                },
                wgpu::Extent3d {
                    width: width as u32,
                    height: height as u32,
                    depth_or_array_layers: 1,
                },
            );
        };
        write(
            &data[..full_rows * row_bytes],
            0,
            LIST_ROW as usize,
            full_rows,
        );
        write(rest, full_rows, rest.len() / texel, 1);
    }
}

fn texel_bytes(format: wgpu::TextureFormat) -> usize {
    format.block_copy_size(None).unwrap_or(4) as usize
}
