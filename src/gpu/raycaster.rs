//! The GPU ray caster: uploads a dataset's bricks and kd-tree once, then renders any camera into
//! any target it is handed (an offscreen texture, later a window or a wall tile).

use crate::amr::AmrDataset;
use crate::annotate::GeometryLayer;
use crate::bricks::BrickLayout;
use crate::camera::RayModel;
use crate::error::{Error, Result};
use crate::gpu::context::GpuContext;
use crate::gpu::frame::{FrameAllocations, FramePool, Params, SlotBindings};
use crate::gpu::lists::ListTexture;
use crate::gpu::lists::LIST_ROW;
use crate::render::{Interpolation, Mode, Prepared, RenderSettings, OPAQUE};

/// The WGSL source of the ray caster.
pub const RAYCAST_WGSL: &str = include_str!("../../shaders/raycast.wgsl");
/// Format of every render target: see [`crate::render::FloatImage`] for the channels.
pub const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba32Float;

/// The binding of the annotation-line texture (`geometry` in shaders/raycast.wgsl; checked by
/// the tests of src/gpu/shader_contract.rs), `Rg32Uint` texels of [`GeometryLayer::texels`].
pub(crate) const LINES_BINDING: u32 = 9;

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

fn f3(v: glam::DVec3) -> [f32; 3] {
    v.as_vec3().to_array()
}

/// A dataset on the GPU, ready to render with fixed settings.
///
/// Its long-lived state (the atlas, the leaves, the transfer function's table, the pipeline,
/// the visibility of the kd-tree's nodes) changes only with [`VolumeRenderer::set_settings`];
/// what each render writes lives in per-frame slots that later renders reuse (see
/// src/gpu/frame.rs), so that rendering allocates nothing once the slots are there.
pub struct VolumeRenderer {
    pub prepared: Prepared,
    pub layout: BrickLayout,
    leaf_ranges: Vec<[f32; 2]>,
    /// Each leaf's box in the normalised frame, for the tile lists.
    leaf_boxes: Vec<[[f32; 3]; 2]>,
    /// Per kd-tree node: whether any leaf below it can add to the image (empty-space skipping).
    node_visible: Vec<u32>,
    leaves: ListTexture,
    table: ListTexture,
    counter: wgpu::Buffer,
    atlas_view: wgpu::TextureView,
    sampler: wgpu::Sampler,
    bind_layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    frames: FramePool,
    /// The 1x1 geometry texture of renders without annotation lines.
    no_lines: wgpu::TextureView,
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
            let leaf_boxes =
                crate::tiles::leaf_boxes(&layout, ds.hierarchy.cell_size(layout.fine_level));
            let leaves = leaves_texture(ctx, &layout.gpu_leaves(&ds.hierarchy, &leaf_boxes))?;
            let atlas_view = upload_atlas(ctx, layout.atlas_dims, &values.atlas);
            let table = table_texture(ctx, &prepared.table);
            let counter = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("sample counter"),
                size: 4,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bind_layout = bind_group_layout(device, ctx.float32_filterable);
            let pipeline = pipeline(device, &bind_layout, settings, ctx.float32_filterable);
            let mut r = VolumeRenderer {
                leaf_ranges: values.leaf_ranges,
                leaf_boxes,
                node_visible: Vec::new(),
                prepared,
                layout,
                leaves,
                table,
                counter,
                atlas_view,
                sampler: atlas_sampler(ctx),
                bind_layout,
                pipeline,
                frames: FramePool::default(),
                no_lines: geometry_texture(ctx, 1, 1, &[[f32::INFINITY.to_bits(), 0]]),
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
    /// into `encoder`. Several renders may go into one encoder or one submission: each has its
    /// own per-frame slot until the GPU has run it (see src/gpu/frame.rs).
    pub fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &RenderTarget,
        rays: &RayModel,
    ) {
        self.encode_part(ctx, encoder, target, rays, [0, 0], None);
    }

    /// [`VolumeRenderer::encode`] of a part of a larger image whose first pixel is
    /// `first_pixel` of that image (the viewer's bands of rows): `rays` describe the part, and
    /// its pixels get the jitter offsets ([`crate::jitter`]) they have in the whole image.
    /// `lines` are annotation lines, a texture of [`VolumeRenderer::lines_texture`] of the
    /// part's size: in composite mode each ray stops at its pixel's line and the line is
    /// composited behind what it accumulated; the other modes ignore it.
    pub fn encode_part(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        target: &RenderTarget,
        rays: &RayModel,
        first_pixel: [u32; 2],
        lines: Option<&wgpu::TextureView>,
    ) {
        let lines = match lines {
            Some(l) if self.prepared.settings.mode == Mode::Composite => l,
            _ => &self.no_lines,
        };
        let r = rays.to_frame(self.layout.origin, self.layout.scale);
        let mut params = self.params(&r, target);
        params.first_pixel = first_pixel;
        let mut slot = self.frames.take(ctx, target.view);
        let tiles = slot.tiles.build(
            &self.layout,
            &self.leaf_boxes,
            &self.node_visible,
            &r,
            target.size,
        );
        let groups = [tiles.tiles_x, tiles.tiles_y];
        let views = [target.view, self.table.view(), lines];
        let bind = self.frames.prepare(ctx, &mut slot, &params, views, |s| {
            self.bind_group(ctx, s, target.view, lines)
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("raycast"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind, &[]);
        pass.dispatch_workgroups(groups[0], groups[1], 1);
        drop(pass);
        self.frames.recycle(encoder, slot);
    }

    /// The uniform block of a render of `r` (in the normalised frame) into `target`.
    fn params(&self, r: &RayModel, target: &RenderTarget) -> Params {
        let p = &self.prepared;
        let (lo, hi) = p.bounds;
        let a = self.layout.atlas_dims;
        Params {
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
            first_pixel: [0, 0],
            _pad: [0, 0],
        }
    }

    /// The bind group of a render with `slot`'s resources into `target`.
    fn bind_group(
        &self,
        ctx: &GpuContext,
        slot: SlotBindings,
        target: &wgpu::TextureView,
        lines: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        let view = wgpu::BindingResource::TextureView;
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("raycast"),
            layout: &self.bind_layout,
            entries: &[
                (0, slot.uniform.as_entire_binding()),
                (1, view(slot.tile_start)),
                (2, view(self.leaves.view())),
                (3, view(slot.tile_leaves)),
                (4, view(self.table.view())),
                (5, view(&self.atlas_view)),
                (6, wgpu::BindingResource::Sampler(&self.sampler)),
                (7, view(target)),
                (8, self.counter.as_entire_binding()),
                (LINES_BINDING, view(lines)),
            ]
            .map(|(binding, resource)| wgpu::BindGroupEntry { binding, resource }),
        })
    }

    /// The per-frame resources made so far (for tests and diagnostics: they stop growing once
    /// every slot has served the largest frame).
    pub fn frame_allocations(&self) -> FrameAllocations {
        self.frames.allocations()
    }

    /// Changes the settings without uploading the bricks again: the transfer function's table,
    /// bounds, opacity, samples per cell, the mode, the interpolation and the jitter. An error when the new settings need the
    /// atlas in another encoding (log and linear scale, projection and the other modes): build
    /// a new renderer for those (see [`VolumeRenderer::can_update_to`]).
    pub fn set_settings(&mut self, ctx: &GpuContext, settings: &RenderSettings) -> Result<()> {
        if !self.can_update_to(settings) {
            return Err(Error::Settings(
                "these settings need the bricks uploaded in another encoding".into(),
            ));
        }
        let prepared = self.prepared.with_settings(settings)?;
        let (new, old) = (&prepared.settings, &self.prepared.settings);
        if new.mode != old.mode
            || new.interpolation != old.interpolation
            || new.jittered() != old.jittered()
        {
            self.pipeline = pipeline(&ctx.device, &self.bind_layout, new, ctx.float32_filterable);
        }
        self.table = table_texture(ctx, &prepared.table);
        self.prepared = prepared;
        self.update_visibility();
        Ok(())
    }

    /// Whether [`VolumeRenderer::set_settings`] can switch to `settings`.
    pub fn can_update_to(&self, settings: &RenderSettings) -> bool {
        settings.mode.encoding(&settings.tf) == self.prepared.encoding
    }

    /// The geometry texture of `layer` (an image of the size of the region it will be
    /// rendered into), its depths in the normalised frame the shader traces in.
    pub fn lines_texture(&self, ctx: &GpuContext, layer: &GeometryLayer) -> wgpu::TextureView {
        geometry_texture(
            ctx,
            layer.width,
            layer.height,
            &layer.texels(self.layout.scale),
        )
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

/// The atlas of bricks, `dims` texels of `values`, uploaded in chunks of at most
/// `UPLOAD_CHUNK_BYTES`.
fn upload_atlas(ctx: &GpuContext, dims: [u32; 3], values: &[f32]) -> wgpu::TextureView {
    let [w, h, d] = dims;
    let atlas = ctx.device.create_texture(&wgpu::TextureDescriptor {
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
            bytemuck::cast_slice(&values[start..end]),
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
    atlas.create_view(&Default::default())
}

/// Trilinear sampling where the adapter filters R32Float, else nearest (the shader then
/// interpolates eight loads).
fn atlas_sampler(ctx: &GpuContext) -> wgpu::Sampler {
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
fn leaves_texture(ctx: &GpuContext, gpu_leaves: &[[f32; 16]]) -> Result<ListTexture> {
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
fn table_texture(ctx: &GpuContext, table: &[[f32; 4]]) -> ListTexture {
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
fn geometry_texture(
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
            list(LINES_BINDING, wgpu::TextureSampleType::Uint),
        ],
    })
}

fn pipeline(
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
