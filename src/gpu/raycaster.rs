//! The GPU ray caster: keeps a field's bricks in a pool on the GPU (all of them when they fit
//! the memory budget, else the bricks of one pass at a time, see src/gpu/passes.rs) with the
//! kd-tree's leaves, and renders any camera into any target it is handed (an offscreen
//! texture, a window, a wall tile).

use crate::amr::{AmrDataset, FieldSource};
use crate::annotate::GeometryLayer;
use crate::bricks::BrickLayout;
use crate::camera::RayModel;
use crate::error::{Error, Result};
use crate::gpu::brick_pool::{default_gpu_memory, BrickPool};
use crate::gpu::context::GpuContext;
use crate::gpu::frame::{FrameAllocations, FramePool, Params, SlotBindings};
use crate::gpu::lists::ListTexture;
use crate::gpu::raycast_pipeline::{
    atlas_sampler, bind_group_layout, geometry_texture, leaves_texture, pipeline, table_texture,
};
use crate::render::{Mode, Prepared, RenderSettings, OPAQUE};
use std::sync::{Arc, Mutex, MutexGuard};

/// The WGSL source of the ray caster.
pub const RAYCAST_WGSL: &str = include_str!("../../shaders/raycast.wgsl");
/// Format of every render target: see [`crate::render::FloatImage`] for the channels.
pub const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba32Float;

/// The binding of the annotation-line texture (`geometry` in shaders/raycast.wgsl; checked by
/// the tests of src/gpu/shader_contract.rs), `Rg32Uint` texels of [`GeometryLayer::texels`].
pub(crate) const LINES_BINDING: u32 = 9;
/// The binding of the state a pass starts from (`prior` in shaders/raycast.wgsl): the
/// previous pass's output, `TARGET_FORMAT` texels.
pub(crate) const PRIOR_BINDING: u32 = 10;
/// `Params::flags`: the pass starts from the state in `prior` (keep in sync with
/// `FLAG_PRIOR` in shaders/raycast.wgsl).
pub(crate) const FLAG_PRIOR: u32 = 1;
/// `Params::flags`: the last pass of a render, which writes the image (keep in sync with
/// `FLAG_LAST`).
pub(crate) const FLAG_LAST: u32 = 2;

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

/// The leaves one dispatch visits.
pub(crate) enum Visit<'a> {
    /// Every leaf whose kd-tree node is visible, front to back.
    Visible(&'a [u32]),
    /// These leaves, already front to back (one pass of several).
    Ordered(&'a [u32]),
}

/// One dispatch of the ray caster: where it writes, what it starts from and visits.
pub(crate) struct Dispatch<'a> {
    pub target: &'a RenderTarget<'a>,
    /// The rays in the normalised frame.
    pub rays: &'a RayModel,
    pub first_pixel: [u32; 2],
    pub lines: &'a wgpu::TextureView,
    /// The state to start from (a previous pass's output, of the target region's size).
    pub prior: Option<&'a wgpu::TextureView>,
    /// Whether this is the render's last pass.
    pub last: bool,
    pub visit: Visit<'a>,
}

/// The pool and what depends on what is in it.
pub(crate) struct Residency {
    pub pool: BrickPool,
    /// Per kd-tree node: whether any leaf below it can add to the image (empty-space skipping).
    pub node_visible: Vec<u32>,
    /// Per leaf: whether it can add to the image.
    pub leaf_visible: Vec<bool>,
}

/// A field on the GPU, ready to render with fixed settings.
///
/// Its long-lived state (the brick pool, the leaves, the transfer function's table, the
/// pipeline, the visibility of the kd-tree's nodes) changes only with
/// [`VolumeRenderer::set_settings`] and with the bricks a render loads; what each render
/// writes lives in per-frame slots that later renders reuse (see src/gpu/frame.rs), so that
/// rendering allocates nothing once the slots are there.
pub struct VolumeRenderer {
    pub prepared: Prepared,
    pub layout: BrickLayout,
    /// The grids the bricks were cut from.
    pub hierarchy: crate::amr::AmrHierarchy,
    /// Where bricks are read from; dropped once every brick is resident (nothing more is
    /// read, and a lazy field's cache is freed).
    source: Option<Arc<dyn FieldSource>>,
    /// Each leaf's box in the normalised frame, for the tile lists.
    pub(crate) leaf_boxes: Vec<[[f32; 3]; 2]>,
    pub(crate) residency: Mutex<Residency>,
    pub(crate) leaves: ListTexture,
    table: ListTexture,
    counter: wgpu::Buffer,
    pool_view: wgpu::TextureView,
    pool_dims: [u32; 3],
    sampler: wgpu::Sampler,
    bind_layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    pub(crate) frames: FramePool,
    /// The 1x1 geometry texture of renders without annotation lines.
    pub(crate) no_lines: wgpu::TextureView,
    /// The 1x1 state texture of first passes.
    no_prior: wgpu::TextureView,
}

impl VolumeRenderer {
    /// Builds the bricks and tree of `ds` (held in memory), uploads them within the default
    /// GPU budget, and compiles the pipeline for `settings`.
    pub fn new(ctx: &GpuContext, ds: &AmrDataset, settings: &RenderSettings) -> Result<Self> {
        Self::with_source(ctx, Arc::new(ds.clone()), settings, None)
    }

    /// A renderer of any field `source` (in memory, or read grid by grid) whose brick pool
    /// takes at most `gpu_bytes` (`None`: [`default_gpu_memory`]). When every brick fits, all
    /// are loaded now; otherwise renders load them pass by pass.
    pub fn with_source(
        ctx: &GpuContext,
        source: Arc<dyn FieldSource>,
        settings: &RenderSettings,
        gpu_bytes: Option<u64>,
    ) -> Result<Self> {
        let mut r = Self::unloaded(ctx, source, settings, gpu_bytes, None)?;
        let all: Vec<usize> = (0..r.layout.bricks.len()).collect();
        r.preload(ctx, &all)?;
        Ok(r)
    }

    /// A renderer of one piece of the data (sort-last rendering): only the bricks `bricks`
    /// are ever loaded, into a pool no larger than they need, and it renders the piece's
    /// leaves with [`VolumeRenderer::render_subset`]. The layout is the whole data's.
    pub fn for_piece(
        ctx: &GpuContext,
        source: Arc<dyn FieldSource>,
        settings: &RenderSettings,
        gpu_bytes: Option<u64>,
        bricks: &[usize],
    ) -> Result<Self> {
        let mut r = Self::unloaded(ctx, source, settings, gpu_bytes, Some(bricks.len()))?;
        r.preload(ctx, bricks)?;
        Ok(r)
    }

    /// Loads `bricks` now when they fit the pool (the source is then dropped: nothing more is
    /// read), and works out which leaves can be skipped.
    fn preload(&mut self, ctx: &GpuContext, bricks: &[usize]) -> Result<()> {
        if bricks.len() <= self.capacity() {
            self.load(ctx, bricks)?;
            self.source = None;
        }
        self.update_visibility();
        Ok(())
    }

    /// The renderer with an empty pool of at most `most` slots (`None`: one per brick).
    fn unloaded(
        ctx: &GpuContext,
        source: Arc<dyn FieldSource>,
        settings: &RenderSettings,
        gpu_bytes: Option<u64>,
        most: Option<usize>,
    ) -> Result<Self> {
        let prepared = Prepared::for_source(source.as_ref(), settings)?;
        let h = source.hierarchy();
        let layout = BrickLayout::build(h)?;
        let most = most.unwrap_or(layout.bricks.len()).max(1);
        let pool = make_pool(ctx, &layout, gpu_bytes, most)?;
        let device = &ctx.device;
        let r = ctx.checked("making the renderer", || -> Result<Self> {
            let leaf_boxes = crate::tiles::leaf_boxes(&layout, h.cell_size(layout.fine_level));
            let leaves = leaves_texture(ctx, &layout.gpu_leaves(h, &leaf_boxes, &pool.slots))?;
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
            let prior = ctx.texture_2d(
                "no prior state",
                [1, 1],
                TARGET_FORMAT,
                wgpu::TextureUsages::TEXTURE_BINDING,
            );
            Ok(VolumeRenderer {
                leaf_boxes,
                pool_view: pool.view.clone(),
                pool_dims: pool.slots.texture_dims(),
                residency: Mutex::new(Residency {
                    pool,
                    node_visible: Vec::new(),
                    leaf_visible: Vec::new(),
                }),
                prepared,
                layout,
                hierarchy: h.clone(),
                source: Some(source.clone()),
                leaves,
                table,
                counter,
                sampler: atlas_sampler(ctx),
                bind_layout,
                pipeline,
                frames: FramePool::default(),
                no_lines: geometry_texture(ctx, 1, 1, &[[f32::INFINITY.to_bits(), 0]]),
                no_prior: prior.create_view(&Default::default()),
            })
        })??;
        Ok(r)
    }

    /// Bricks the pool holds at once.
    pub fn capacity(&self) -> usize {
        self.residency().pool.slots.capacity
    }

    /// Whether every brick is on the GPU (renders are then one pass).
    pub fn all_resident(&self) -> bool {
        self.residency().pool.slots.all_resident()
    }

    /// Bricks loaded so far, counting reloads after evictions.
    pub fn bricks_loaded(&self) -> u64 {
        self.residency().pool.loads
    }

    /// The field the renderer reads bricks from (`None` once all are on the GPU).
    pub fn source(&self) -> Option<&Arc<dyn FieldSource>> {
        self.source.as_ref()
    }

    pub(crate) fn residency(&self) -> MutexGuard<'_, Residency> {
        self.residency.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes `bricks` resident (reading those that are not) and rewrites the leaves' texture
    /// transforms for the slots they now have.
    pub(crate) fn load(&self, ctx: &GpuContext, bricks: &[usize]) -> Result<()> {
        let mut res = self.residency();
        let Some(source) = &self.source else {
            // Every brick is resident: nothing to load.
            return Ok(());
        };
        let loaded = res.pool.load(
            ctx,
            &self.layout,
            source.as_ref(),
            bricks,
            self.prepared.encoding,
        )?;
        if loaded > 0 {
            let h = source.hierarchy();
            let gpu = self.layout.gpu_leaves(h, &self.leaf_boxes, &res.pool.slots);
            self.leaves.write(ctx, bytemuck::cast_slice(&gpu));
        }
        Ok(())
    }

    /// Empty-space skipping: in composite mode a leaf is skipped when every value it can sample
    /// is below the lower bound or has zero opacity; in the other modes only leaves without
    /// valid data are skipped. Leaves whose brick was never loaded count as visible.
    pub(crate) fn update_visibility(&self) {
        let p = &self.prepared;
        let (lo, hi) = p.bounds;
        let n = p.table.len();
        let mut res = self.residency();
        let ranges = &res.pool.leaf_ranges;
        let leaf_visible: Vec<bool> = (0..ranges.len())
            .map(|leaf| {
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
            })
            .collect();
        res.node_visible = self.layout.node_visibility(|leaf| leaf_visible[leaf]);
        res.leaf_visible = leaf_visible;
    }

    /// Records a render of `rays` (world coordinates, pixel coordinates of the target region)
    /// into `encoder`, with the bricks on the GPU now (all of them unless the data exceeds
    /// the budget: see [`VolumeRenderer::render_passes`]). Several renders may go into one
    /// encoder or one submission: each has its own per-frame slot until the GPU has run it
    /// (see src/gpu/frame.rs).
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
        let r = rays.to_frame(self.layout.origin, self.layout.scale);
        let res = self.residency();
        let partial;
        let visible = if res.pool.slots.all_resident() {
            &res.node_visible
        } else {
            partial = self.resident_visibility(&res);
            &partial
        };
        self.dispatch(
            ctx,
            encoder,
            &Dispatch {
                target,
                rays: &r,
                first_pixel,
                lines: self.lines_or_none(lines),
                prior: None,
                last: true,
                visit: Visit::Visible(visible),
            },
        );
    }

    /// The node visibility of the leaves that are visible and resident.
    fn resident_visibility(&self, res: &Residency) -> Vec<u32> {
        let slots = &res.pool.slots;
        self.layout.node_visibility(|leaf| {
            res.leaf_visible[leaf] && slots.slot(self.layout.leaves[leaf].brick).is_some()
        })
    }

    /// The line texture a dispatch binds: `lines` in composite mode, else none.
    pub(crate) fn lines_or_none<'a>(
        &'a self,
        lines: Option<&'a wgpu::TextureView>,
    ) -> &'a wgpu::TextureView {
        match lines {
            Some(l) if self.prepared.settings.mode == Mode::Composite => l,
            _ => &self.no_lines,
        }
    }

    /// Records one dispatch of the ray caster into `encoder`.
    pub(crate) fn dispatch(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        d: &Dispatch,
    ) {
        let mut params = self.params(d.rays, d.target);
        params.first_pixel = d.first_pixel;
        params.flags =
            if d.prior.is_some() { FLAG_PRIOR } else { 0 } | if d.last { FLAG_LAST } else { 0 };
        let prior = d.prior.unwrap_or(&self.no_prior);
        let mut slot = self.frames.take(ctx, d.target.view);
        let tiles = match d.visit {
            Visit::Visible(vis) => {
                slot.tiles
                    .build(&self.layout, &self.leaf_boxes, vis, d.rays, d.target.size)
            }
            Visit::Ordered(order) => {
                slot.tiles
                    .build_ordered(order, &self.leaf_boxes, d.rays, d.target.size)
            }
        };
        let groups = [tiles.tiles_x, tiles.tiles_y];
        let views = [d.target.view, self.table.view(), d.lines, prior];
        let bind = self.frames.prepare(ctx, &mut slot, &params, views, |s| {
            self.bind_group(ctx, s, views)
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
        let a = self.pool_dims;
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
            flags: 0,
            _pad: 0,
        }
    }

    /// The bind group of a render with `slot`'s resources and the views `[target, table,
    /// lines, prior]`.
    fn bind_group(
        &self,
        ctx: &GpuContext,
        slot: SlotBindings,
        [target, table, lines, prior]: [&wgpu::TextureView; 4],
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
                (4, view(table)),
                (5, view(&self.pool_view)),
                (6, wgpu::BindingResource::Sampler(&self.sampler)),
                (7, view(target)),
                (8, self.counter.as_entire_binding()),
                (LINES_BINDING, view(lines)),
                (PRIOR_BINDING, view(prior)),
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
    /// bounds, opacity, samples per cell, the mode, the interpolation and the jitter. An error
    /// when the new settings need the bricks in another encoding (log and linear scale, projection and the other modes): build
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

    pub(crate) fn pool_view(&self) -> &wgpu::TextureView {
        &self.pool_view
    }

    /// The brick pool texture's size in texels.
    pub fn pool_dims(&self) -> [u32; 3] {
        self.pool_dims
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

/// The brick pool within `gpu_bytes`; with the default budget, half of it, and half again,
/// while the adapter cannot allocate it (down to 64 MiB).
fn make_pool(
    ctx: &GpuContext,
    layout: &BrickLayout,
    gpu_bytes: Option<u64>,
    most: usize,
) -> Result<BrickPool> {
    let mut budget = gpu_bytes.unwrap_or_else(|| default_gpu_memory(ctx));
    loop {
        match ctx.checked("making the brick pool", || {
            BrickPool::new(ctx, layout, budget, most)
        }) {
            Ok(pool) => return pool,
            Err(e) if gpu_bytes.is_none() && budget > 64 << 20 => {
                log::info!(
                    "a brick pool of {} does not fit the adapter ({e}); trying half",
                    indicatif::HumanBytes(budget)
                );
                budget /= 2;
            }
            Err(e) => {
                let size = indicatif::HumanBytes(budget);
                let what = format!("a brick pool of {size} does not fit this adapter ({e})");
                return Err(Error::Gpu(format!("{what}: give a smaller --gpu-memory")));
            }
        }
    }
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
