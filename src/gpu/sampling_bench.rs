//! Raw trilinear sampling throughput of an uploaded atlas (shaders/sampling_bench.wgsl): the
//! ceiling the ray caster's samples per second are compared with in `amrcast bench`.

use crate::error::Result;
use crate::gpu::context::GpuContext;
use crate::gpu::raycaster::VolumeRenderer;
use std::time::Instant;
use wgpu::util::DeviceExt;

pub const SAMPLING_BENCH_WGSL: &str = include_str!("../../shaders/sampling_bench.wgsl");

/// The sampling benchmark's uniform block.
///
/// Keep in sync with `struct Params` in shaders/sampling_bench.wgsl: same members, order,
/// offsets and size (checked by the tests of src/gpu/shader_contract.rs).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Params {
    pub size: [u32; 2],
    pub steps: u32,
    pub _pad: u32,
    pub atlas_size: [f32; 3],
    pub _pad2: f32,
}

/// Median seconds per dispatch of `size` invocations taking `steps` samples each.
pub fn raw_sampling_seconds(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    size: (u32, u32),
    steps: u32,
    frames: usize,
) -> Result<f64> {
    let device = &ctx.device;
    let filterable = ctx.float32_filterable;
    let a = renderer.pool_dims();
    let params = Params {
        size: [size.0, size.1],
        steps,
        _pad: 0,
        atlas_size: [a[0] as f32, a[1] as f32, a[2] as f32],
        _pad2: 0.0,
    };
    let (bind, pipeline) = ctx.checked("sampling benchmark", || {
        let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sampling params"),
            contents: bytemuck::bytes_of(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("sampling out"),
            size: (size.0 as u64 * size.1 as u64 * 4).max(4),
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("sampling_bench.wgsl"),
            source: wgpu::ShaderSource::Wgsl(SAMPLING_BENCH_WGSL.into()),
        });
        let bind_layout = bind_group_layout(device, filterable);
        let pipeline = compute_pipeline(device, &bind_layout, &module, filterable);
        let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("sampling bench"),
            layout: &bind_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(renderer.pool_view()),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(renderer.sampler()),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: out.as_entire_binding(),
                },
            ],
        });
        (bind, pipeline)
    })?;
    median_dispatch_seconds(ctx, &bind, &pipeline, size, frames)
}

/// The benchmark's bindings: parameters, the atlas and its sampler, the output buffer.
fn bind_group_layout(device: &wgpu::Device, filterable: bool) -> wgpu::BindGroupLayout {
    let entry = |binding, ty| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty,
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("sampling bench"),
        entries: &[
            entry(
                0,
                wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
            ),
            entry(
                1,
                wgpu::BindingType::Texture {
                    sample_type: wgpu::TextureSampleType::Float { filterable },
                    view_dimension: wgpu::TextureViewDimension::D3,
                    multisampled: false,
                },
            ),
            entry(
                2,
                wgpu::BindingType::Sampler(if filterable {
                    wgpu::SamplerBindingType::Filtering
                } else {
                    wgpu::SamplerBindingType::NonFiltering
                }),
            ),
            entry(
                3,
                wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage { read_only: false },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
            ),
        ],
    })
}

/// The benchmark's pipeline, sampling with hardware filtering when the atlas is `filterable`.
fn compute_pipeline(
    device: &wgpu::Device,
    bind_layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    filterable: bool,
) -> wgpu::ComputePipeline {
    let constants = [("HW_FILTER", if filterable { 1.0 } else { 0.0 })];
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("sampling bench"),
        bind_group_layouts: &[Some(bind_layout)],
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some("sampling bench"),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some("main"),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants: &constants,
            zero_initialize_workgroup_memory: false,
        },
        cache: None,
    })
}

/// Median wall time of `frames` dispatches over `size` (after one warm-up dispatch).
fn median_dispatch_seconds(
    ctx: &GpuContext,
    bind: &wgpu::BindGroup,
    pipeline: &wgpu::ComputePipeline,
    size: (u32, u32),
    frames: usize,
) -> Result<f64> {
    let run = || -> Result<f64> {
        let t = Instant::now();
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: None,
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, bind, &[]);
            pass.dispatch_workgroups(size.0.div_ceil(8), size.1.div_ceil(8), 1);
        }
        ctx.queue.submit([enc.finish()]);
        ctx.wait()?;
        Ok(t.elapsed().as_secs_f64())
    };
    run()?;
    let mut times = (0..frames.max(1))
        .map(|_| run())
        .collect::<Result<Vec<_>>>()?;
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
