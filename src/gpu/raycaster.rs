//! The GPU ray caster: uploads a dataset's bricks and kd-tree once, then renders any camera into
//! any target it is handed (an offscreen texture, later a window or a wall tile).

use crate::amr::AmrDataset;
use crate::bricks::BrickLayout;
use crate::camera::RayModel;
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::render::{Mode, Prepared, RenderSettings, OPAQUE};
use crate::tiles::TileLists;
use wgpu::util::DeviceExt;

/// The WGSL source of the ray caster.
pub const RAYCAST_WGSL: &str = include_str!("../../shaders/raycast.wgsl");
/// Format of every render target: see [`crate::render::FloatImage`] for the channels.
pub const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba32Float;

/// Largest upload per `write_texture` call.
const UPLOAD_CHUNK_BYTES: usize = 64 << 20;

/// Where a render goes: a region of a `TARGET_FORMAT` storage texture.
pub struct RenderTarget<'a> {
    pub view: &'a wgpu::TextureView,
    /// Top-left pixel of the region.
    pub offset: [u32; 2],
    /// Size of the region, which is the size of the image the rays describe.
    pub size: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    o0: [f32; 3],
    width: u32,
    ox: [f32; 3],
    height: u32,
    oy: [f32; 3],
    samples_per_cell: f32,
    d0: [f32; 3],
    inv_ds0: f32,
    ddx: [f32; 3],
    lo: f32,
    ddy: [f32; 3],
    inv_range: f32,
    atlas_size: [f32; 3],
    opaque: f32,
    offset: [u32; 2],
    opaque_from: f32,
    t_scale: f32,
}

fn f3(v: glam::DVec3) -> [f32; 3] {
    v.as_vec3().to_array()
}

/// A dataset on the GPU, ready to render with fixed settings.
pub struct VolumeRenderer {
    pub prepared: Prepared,
    pub layout: BrickLayout,
    leaf_ranges: Vec<[f32; 2]>,
    /// Each leaf's box in the normalised frame, for the tile lists.
    leaf_boxes: Vec<[[f32; 3]; 2]>,
    /// Per kd-tree node: whether any leaf below it can add to the image (empty-space skipping).
    node_visible: Vec<u32>,
    leaves_view: wgpu::TextureView,
    table_view: wgpu::TextureView,
    counter: wgpu::Buffer,
    atlas_view: wgpu::TextureView,
    sampler: wgpu::Sampler,
    bind_layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
}

impl VolumeRenderer {
    /// Builds the bricks and tree, uploads them, and compiles the pipeline for `settings`.
    pub fn new(ctx: &GpuContext, ds: &AmrDataset, settings: &RenderSettings) -> Result<Self> {
        let prepared = Prepared::new(ds, settings)?;
        let max_dim = ctx.device.limits().max_texture_dimension_3d;
        let layout = BrickLayout::build(&ds.hierarchy, max_dim)?;
        let values = layout.fill(ds, prepared.encoding);
        let device = &ctx.device;
        ctx.checked("uploading the bricks", || -> Result<Self> {
            let [w, h, d] = layout.atlas_dims;
            let atlas = device.create_texture(&wgpu::TextureDescriptor {
                label: Some("atlas"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: d,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D3,
                format: wgpu::TextureFormat::R32Float,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            });
            let slab = (w as usize * h as usize * 4).max(1);
            let layers_per_chunk = (UPLOAD_CHUNK_BYTES / slab).max(1) as u32;
            let mut z = 0;
            while z < d {
                let n = layers_per_chunk.min(d - z);
                let start = z as usize * (w * h) as usize;
                let end = start + n as usize * (w * h) as usize;
                ctx.queue.write_texture(
                    wgpu::TexelCopyTextureInfo {
                        texture: &atlas,
                        mip_level: 0,
                        origin: wgpu::Origin3d { x: 0, y: 0, z },
                        aspect: wgpu::TextureAspect::All,
                    },
                    bytemuck::cast_slice(&values.atlas[start..end]),
                    wgpu::TexelCopyBufferLayout {
                        offset: 0,
                        bytes_per_row: Some(w * 4),
                        rows_per_image: Some(h),
                    },
                    wgpu::Extent3d {
                        width: w,
                        height: h,
                        depth_or_array_layers: n,
                    },
                );
                z += n;
            }
            let filter = if ctx.float32_filterable {
                wgpu::FilterMode::Linear
            } else {
                wgpu::FilterMode::Nearest
            };
            let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("atlas sampler"),
                address_mode_u: wgpu::AddressMode::ClampToEdge,
                address_mode_v: wgpu::AddressMode::ClampToEdge,
                address_mode_w: wgpu::AddressMode::ClampToEdge,
                mag_filter: filter,
                min_filter: filter,
                ..Default::default()
            });
            let leaf_boxes =
                crate::tiles::leaf_boxes(&layout, ds.hierarchy.cell_size(layout.fine_level));
            let gpu_leaves = layout.gpu_leaves(&ds.hierarchy, &leaf_boxes);
            let rows = (4 * gpu_leaves.len() as u64).div_ceil(LIST_ROW as u64);
            let max_rows = device.limits().max_texture_dimension_2d as u64;
            if rows > max_rows {
                return Err(Error::Gpu(format!(
                    "the dataset has {} kd-tree leaves; this adapter holds at most {}",
                    gpu_leaves.len(),
                    max_rows * LIST_ROW as u64 / 4
                )));
            }
            let leaves = texel_rows(
                ctx,
                "leaves",
                wgpu::TextureFormat::Rgba32Float,
                bytemuck::cast_slice(&gpu_leaves),
            );
            let table_view = table_texture(ctx, &prepared.table);
            let counter = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("sample counter"),
                size: 4,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bind_layout = bind_group_layout(device, ctx.float32_filterable);
            let pipeline = pipeline(device, &bind_layout, settings.mode, ctx.float32_filterable);
            let mut r = VolumeRenderer {
                leaf_ranges: values.leaf_ranges,
                leaf_boxes,
                node_visible: Vec::new(),
                prepared,
                layout,
                leaves_view: leaves.create_view(&Default::default()),
                table_view,
                counter,
                atlas_view: atlas.create_view(&Default::default()),
                sampler,
                bind_layout,
                pipeline,
            };
            r.update_visibility();
            Ok(r)
        })?
    }

    /// Empty-space skipping: in composite mode a leaf is skipped when every value it can sample
    /// is below the lower bound or has zero opacity; in the other modes only leaves without
    /// valid data are skipped.
    fn update_visibility(&mut self) {
        let p = &self.prepared;
        let (lo, hi) = p.bounds;
        let n = p.table.len();
        let ranges = &self.leaf_ranges;
        self.node_visible = self.layout.node_visibility(|leaf| {
            let [mn, mx] = ranges[leaf];
            if mn > mx {
                return false;
            }
            if p.settings.mode != Mode::Composite {
                return true;
            }
            if mx < lo {
                return false;
            }
            let idx = |v: f32| ((v - lo) / (hi - lo)).clamp(0.0, 1.0) * (n - 1) as f32;
            let (a, b) = (
                idx(mn).floor() as usize,
                (idx(mx).ceil() as usize).min(n - 1),
            );
            p.table[a..=b].iter().any(|e| e[3] > 0.0)
        });
    }

    /// Records a render of `rays` (world coordinates, pixel coordinates of the target region)
    /// into `encoder`.
    pub fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &RenderTarget,
        rays: &RayModel,
    ) {
        let r = rays.to_frame(self.layout.origin, self.layout.scale);
        let p = &self.prepared;
        let (lo, hi) = p.bounds;
        let a = self.layout.atlas_dims;
        let params = Params {
            o0: f3(r.o0),
            width: target.size[0],
            ox: f3(r.ox),
            height: target.size[1],
            oy: f3(r.oy),
            samples_per_cell: p.settings.samples_per_cell as f32,
            d0: f3(r.d0),
            inv_ds0: (self.layout.scale / p.ds0) as f32,
            ddx: f3(r.dx),
            lo,
            ddy: f3(r.dy),
            inv_range: 1.0 / (hi - lo),
            t_scale: self.layout.scale as f32,
            atlas_size: [a[0] as f32, a[1] as f32, a[2] as f32],
            opaque: OPAQUE,
            offset: target.offset,
            opaque_from: p.opaque_from(),
        };
        let uniform = ctx
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("raycast params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let tiles = TileLists::build(
            &self.layout,
            &self.leaf_boxes,
            &self.node_visible,
            &r,
            target.size,
        );
        let list = |label, contents: &[u32]| {
            texel_rows(
                ctx,
                label,
                wgpu::TextureFormat::R32Uint,
                bytemuck::cast_slice(contents),
            )
            .create_view(&Default::default())
        };
        let tile_start = list("tile starts", &tiles.start);
        let tile_leaves = list("tile leaves", &tiles.leaves);
        let bind = ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("raycast"),
            layout: &self.bind_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: uniform.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&tile_start),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::TextureView(&self.leaves_view),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&tile_leaves),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::TextureView(&self.table_view),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: wgpu::BindingResource::TextureView(&self.atlas_view),
                },
                wgpu::BindGroupEntry {
                    binding: 6,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 7,
                    resource: wgpu::BindingResource::TextureView(target.view),
                },
                wgpu::BindGroupEntry {
                    binding: 8,
                    resource: self.counter.as_entire_binding(),
                },
            ],
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("raycast"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind, &[]);
        pass.dispatch_workgroups(tiles.tiles_x, tiles.tiles_y, 1);
    }

    /// Changes the settings without uploading the bricks again: the transfer function's table,
    /// bounds, opacity, samples per cell and the mode. An error when the new settings need the
    /// atlas in another encoding (log and linear scale, projection and the other modes): build
    /// a new renderer for those (see [`VolumeRenderer::can_update_to`]).
    pub fn set_settings(&mut self, ctx: &GpuContext, settings: &RenderSettings) -> Result<()> {
        if !self.can_update_to(settings) {
            return Err(Error::Settings(
                "these settings need the bricks uploaded in another encoding".into(),
            ));
        }
        let prepared = self.prepared.with_settings(settings)?;
        if prepared.settings.mode != self.prepared.settings.mode {
            self.pipeline = pipeline(
                &ctx.device,
                &self.bind_layout,
                prepared.settings.mode,
                ctx.float32_filterable,
            );
        }
        self.table_view = table_texture(ctx, &prepared.table);
        self.prepared = prepared;
        self.update_visibility();
        Ok(())
    }

    /// Whether [`VolumeRenderer::set_settings`] can switch to `settings`.
    pub fn can_update_to(&self, settings: &RenderSettings) -> bool {
        settings.mode.encoding(&settings.tf) == self.prepared.encoding
    }

    pub(crate) fn atlas_view(&self) -> &wgpu::TextureView {
        &self.atlas_view
    }

    pub(crate) fn sampler(&self) -> &wgpu::Sampler {
        &self.sampler
    }

    /// Sets the sample counter to zero.
    pub fn reset_sample_count(&self, ctx: &GpuContext) {
        ctx.queue.write_buffer(&self.counter, 0, &[0; 4]);
    }

    /// Samples taken since the last reset (waits for the GPU).
    pub fn sample_count(&self, ctx: &GpuContext) -> Result<u64> {
        let read = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("counter readback"),
            size: 4,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(&self.counter, 0, &read, 0, 4);
        ctx.queue.submit([enc.finish()]);
        let bytes = crate::gpu::offscreen::read_buffer(ctx, &read)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64)
    }
}

/// Texels per row of the textures that hold lists (leaves): texel `i` is at
/// `(i % LIST_ROW, i / LIST_ROW)`.
pub const LIST_ROW: u32 = 4096;

/// A 2D texture holding `data` in rows of `LIST_ROW` texels. The shader reads
/// lists from textures rather than storage buffers: on CPU adapters a texel fetch per lane is
/// much cheaper than a bounds-checked buffer load per lane.
fn texel_rows(
    ctx: &GpuContext,
    label: &str,
    format: wgpu::TextureFormat,
    data: &[u8],
) -> wgpu::Texture {
    let texel = format.block_copy_size(None).unwrap_or(4);
    let texels = (data.len() / texel as usize).max(1) as u32;
    let width = texels.min(LIST_ROW);
    let height = texels.div_ceil(LIST_ROW);
    let mut padded = data.to_vec();
    padded.resize((width * height * texel) as usize, 0);
    let texture = ctx.texture_2d(
        label,
        [width, height],
        format,
        wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
    );
    ctx.queue.write_texture(
        texture.as_image_copy(),
        &padded,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * texel),
            rows_per_image: Some(height),
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
    texture
}

/// The transfer function's table, one texel per entry, in one row.
fn table_texture(ctx: &GpuContext, table: &[[f32; 4]]) -> wgpu::TextureView {
    const _: () = assert!(crate::transfer::TABLE_SIZE <= LIST_ROW as usize);
    texel_rows(
        ctx,
        "transfer function",
        wgpu::TextureFormat::Rgba32Float,
        bytemuck::cast_slice(table),
    )
    .create_view(&Default::default())
}

fn bind_group_layout(device: &wgpu::Device, filterable: bool) -> wgpu::BindGroupLayout {
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
                    ty: wgpu::BufferBindingType::Uniform,
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
        ],
    })
}

fn pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    mode: Mode,
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
        ("MODE", mode.index() as f64),
        ("HW_FILTER", if hw_filter { 1.0 } else { 0.0 }),
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

/// Checks that a render target can be used.
pub fn check_target_size(ctx: &GpuContext, w: u32, h: u32) -> Result<()> {
    let max = ctx.device.limits().max_texture_dimension_2d;
    if w == 0 || h == 0 || w > max || h > max {
        return Err(Error::Settings(format!(
            "image size {w}x{h} must be between 1 and {max} pixels per side on this adapter"
        )));
    }
    Ok(())
}
