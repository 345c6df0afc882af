//! The wall's display pass: a float target the size of a window (every output of the window is
//! ray-cast into its region), drawn onto the window's surface with the colours of
//! [`FloatImage::to_rgba8`](crate::render::FloatImage::to_rgba8). Minimal on purpose: the
//! viewer's display pass can replace it once both are merged.

use crate::error::Result;
use crate::gpu::raycaster::{check_target_size, TARGET_FORMAT};
use crate::gpu::GpuContext;
use crate::render::{Mode, Prepared};
use crate::transfer::Scale;
use wgpu::util::DeviceExt;

pub const BLIT_WGSL: &str = include_str!("../../shaders/wall_blit.wgsl");
/// Samples of the colormap in the lookup texture (interpolated linearly in between).
pub const COLORMAP_SAMPLES: u32 = 1024;

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    lo: f32,
    hi: f32,
    inv_depth: f32,
    mode: u32,
    log_scale: u32,
    srgb_target: u32,
    _pad: [u32; 2],
}

/// A `TARGET_FORMAT` texture the ray caster writes and the blit reads.
pub struct FloatTarget {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub size: [u32; 2],
}

impl FloatTarget {
    pub fn new(ctx: &GpuContext, width: u32, height: u32) -> Result<Self> {
        check_target_size(ctx, width, height)?;
        let texture = ctx.checked("creating a window's render target", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("wall target"),
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
        Ok(FloatTarget {
            texture,
            view,
            size: [width, height],
        })
    }
}

/// The blit pipeline for one colour format, with the colours of one set of render settings.
pub struct Blit {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::RenderPipeline,
    params: wgpu::Buffer,
    cmap_view: wgpu::TextureView,
}

impl Blit {
    /// `depth`: the projection's normalising depth (as for `to_rgba8`).
    pub fn new(
        ctx: &GpuContext,
        format: wgpu::TextureFormat,
        prepared: &Prepared,
        depth: f64,
    ) -> Self {
        let device = &ctx.device;
        let texture = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("wall blit"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                texture(1),
                texture(2),
            ],
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("wall_blit.wgsl"),
            source: wgpu::ShaderSource::Wgsl(BLIT_WGSL.into()),
        });
        let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("wall blit"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("wall blit"),
            layout: Some(&pl),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let s = &prepared.settings;
        let params = Params {
            lo: prepared.bounds.0,
            hi: prepared.bounds.1,
            inv_depth: (1.0 / depth) as f32,
            mode: match s.mode {
                Mode::Composite => 0,
                Mode::Mip => 1,
                Mode::Projection => 2,
            },
            log_scale: (s.tf.scale == Scale::Log) as u32,
            srgb_target: format.is_srgb() as u32,
            _pad: [0; 2],
        };
        let params = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("wall blit params"),
            contents: bytemuck::bytes_of(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let colours: Vec<[f32; 4]> = (0..COLORMAP_SAMPLES)
            .map(|i| {
                let c = s.tf.colormap.eval(i as f64 / (COLORMAP_SAMPLES - 1) as f64);
                [c[0], c[1], c[2], 1.0]
            })
            .collect();
        let cmap = device.create_texture_with_data(
            &ctx.queue,
            &wgpu::TextureDescriptor {
                label: Some("wall colormap"),
                size: wgpu::Extent3d {
                    width: COLORMAP_SAMPLES,
                    height: 1,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba32Float,
                usage: wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            },
            wgpu::util::TextureDataOrder::LayerMajor,
            bytemuck::cast_slice(&colours),
        );
        Blit {
            layout,
            pipeline,
            params,
            cmap_view: cmap.create_view(&Default::default()),
        }
    }

    /// Records the blit of `source` onto `target` (both the same size).
    pub fn draw(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        source: &FloatTarget,
        target: &wgpu::TextureView,
    ) {
        let bind = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("wall blit"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: self.params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&source.view),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&self.cmap_view),
                },
            ],
        });
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("wall blit"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind, &[]);
        pass.draw(0..3, 0..1);
    }
}
