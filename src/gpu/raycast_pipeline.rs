//! The ray caster's GPU objects that do not change from frame to frame: its bind group
//! layout and pipeline, the pool's sampler, and the textures of the leaves, the transfer
//! function's table and the annotation lines.

use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::lists::{ListTexture, LIST_ROW};
use crate::gpu::raycaster::{LINES_BINDING, PRIOR_BINDING, RAYCAST_WGSL, TARGET_FORMAT};
use crate::render::{Interpolation, RenderSettings};

/// Trilinear sampling where the adapter filters R32Float, else nearest (the shader then
/// interpolates eight loads).
pub(crate) fn atlas_sampler(ctx: &GpuContext) -> wgpu::Sampler {
    let filter = if ctx.float32_filterable {
        wgpu::FilterMode::Linear
    } else {
        wgpu::FilterMode::Nearest
    };
    ctx.device.create_sampler(&wgpu::SamplerDescriptor {
        label: Some("atlas sampler"),
        address_mode_u: wgpu::AddressMode::ClampToEdge,
        address_mode_v: wgpu::AddressMode::ClampToEdge,
        address_mode_w: wgpu::AddressMode::ClampToEdge,
        mag_filter: filter,
        min_filter: filter,
        ..Default::default()
    })
}

/// The leaves, four texels each; an error when the adapter's textures cannot hold them.
pub(crate) fn leaves_texture(ctx: &GpuContext, gpu_leaves: &[[f32; 16]]) -> Result<ListTexture> {
    let rows = (4 * gpu_leaves.len() as u64).div_ceil(LIST_ROW as u64);
    let max_rows = ctx.device.limits().max_texture_dimension_2d as u64;
    if rows > max_rows {
        return Err(Error::Gpu(format!(
            "the dataset has {} kd-tree leaves; this adapter holds at most {}",
            gpu_leaves.len(),
            max_rows * LIST_ROW as u64 / 4
        )));
    }
    Ok(ListTexture::with_data(
        ctx,
        "leaves",
        wgpu::TextureFormat::Rgba32Float,
        bytemuck::cast_slice(gpu_leaves),
    ))
}

/// The transfer function's table, one texel per entry, in one row.
pub(crate) fn table_texture(ctx: &GpuContext, table: &[[f32; 4]]) -> ListTexture {
    const _: () = assert!(crate::transfer::TABLE_SIZE <= LIST_ROW as usize);
    ListTexture::with_data(
        ctx,
        "transfer function",
        wgpu::TextureFormat::Rgba32Float,
        bytemuck::cast_slice(table),
    )
}

/// An `Rg32Uint` texture of `width` x `height` geometry texels (see
/// [`GeometryLayer::texels`]).
pub(crate) fn geometry_texture(
    ctx: &GpuContext,
    width: u32,
    height: u32,
    texels: &[[u32; 2]],
) -> wgpu::TextureView {
    let texture = ctx.texture_2d(
        "annotation lines",
        [width, height],
        wgpu::TextureFormat::Rg32Uint,
        wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
    );
    ctx.queue.write_texture(
        texture.as_image_copy(),
        bytemuck::cast_slice(texels),
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 8),
            rows_per_image: Some(height),
        },
        texture.size(),
    );
    texture.create_view(&Default::default())
}

pub(crate) fn bind_group_layout(device: &wgpu::Device, filterable: bool) -> wgpu::BindGroupLayout {
    let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let list = |binding, sample_type| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Texture {
            sample_type,
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("raycast"),
        entries: &[
            wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    // Keep in sync with `P` in shaders/raycast.wgsl (a read-only storage
                    // buffer, which lavapipe does not specialise per camera).
                    ty: wgpu::BufferBindingType::Storage { read_only: true },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            },
            list(1, wgpu::TextureSampleType::Uint),
            list(2, wgpu::TextureSampleType::Float { filterable: false }),
            list(3, wgpu::TextureSampleType::Uint),
            list(4, wgpu::TextureSampleType::Float { filterable: false }),
            wgpu::BindGroupLayoutEntry {
                binding: 5,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable },
                    view_dimension: wgpu::TextureViewDimension::D3,
                    multisampled: false,
                },
                count: None,
            },
            wgpu::BindGroupLayoutEntry {
                binding: 6,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Sampler(if filterable {
                    wgpu::SamplerBindingType::Filtering
                } else {
                    wgpu::SamplerBindingType::NonFiltering
                }),
                count: None,
            },
            wgpu::BindGroupLayoutEntry {
                binding: 7,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::StorageTexture {
                    access: wgpu::StorageTextureAccess::WriteOnly,
                    format: TARGET_FORMAT,
                    view_dimension: wgpu::TextureViewDimension::D2,
                },
                count: None,
            },
            storage(8, false),
            list(LINES_BINDING, wgpu::TextureSampleType::Uint),
            list(
                PRIOR_BINDING,
                wgpu::TextureSampleType::Float { filterable: false },
            ),
        ],
    })
}

pub(crate) fn pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    settings: &RenderSettings,
    hw_filter: bool,
) -> wgpu::ComputePipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("raycast.wgsl"),
        source: wgpu::ShaderSource::Wgsl(RAYCAST_WGSL.into()),
    });
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("raycast"),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    let constants = [
        ("MODE", settings.mode.index() as f64),
        ("HW_FILTER", if hw_filter { 1.0 } else { 0.0 }),
        (
            "NEAREST",
            match settings.interpolation {
                Interpolation::Linear => 0.0,
                Interpolation::Nearest => 1.0,
            },
        ),
        ("JITTER", if settings.jittered() { 1.0 } else { 0.0 }),
    ];
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("raycast"),
        layout: Some(&pl),
        module: &module,
        entry_point: Some("main"),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants: &constants,
            zero_initialize_workgroup_memory: false,
        },
        cache: None,
    })
}
