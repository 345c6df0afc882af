//! Per-frame state of the ray caster: what one [`VolumeRenderer::encode`] writes for its
//! dispatch (the uniform `Params`, the tile lists), kept in slots that later frames reuse.
//!
//! # Why a pool of slots, and when a slot comes back
//!
//! `queue.write_buffer` and `queue.write_texture` do not happen where they are called in the
//! caller's command stream: they all take effect at the start of the next `queue.submit`,
//! before every command of that submission. Callers record several renders into one encoder
//! before submitting it (the wall window's screens, the viewer's stereo eyes), so one reused
//! buffer would give all of them the parameters written last.
//!
//! So every `encode` takes a slot of its own from a free list (a new one when the list is
//! empty) and registers, on the caller's encoder, [`wgpu::CommandEncoder::on_submitted_work_done`]
//! with a callback that puts the slot back. wgpu runs that callback once the submission
//! holding the encoder's commands has finished on the GPU (during a later `submit` or
//! `device.poll`), so a slot is written again only by a write that lands after every command
//! that read it. Renders recorded into one submission therefore always have distinct slots,
//! and the number of slots is the most renders ever in flight at once, not the number of
//! frames. An encoder dropped without being submitted drops its callbacks, and the slots
//! with them.
//!
//! A slot's list textures grow to the next power of two texels when a frame needs more, and
//! its bind group is made again only when a texture grew or the frame's target view or the
//! renderer's transfer-function table differs from the one it was made for; the free list
//! hands out a slot whose bind group fits the target first.
//!
//! [`VolumeRenderer::encode`]: crate::gpu::VolumeRenderer::encode

use crate::gpu::context::GpuContext;
use crate::gpu::lists::{ListTexture, LIST_ROW};
use crate::tiles::TileListBuilder;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The ray caster's parameter block (a read-only storage buffer).
///
/// Keep in sync with `struct Params` in shaders/raycast.wgsl: same members, order, offsets
/// and size (checked by the tests of src/gpu/shader_contract.rs).
#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Params {
    pub o0: [f32; 3],
    pub width: u32,
    pub ox: [f32; 3],
    pub height: u32,
    pub oy: [f32; 3],
    pub samples_per_cell: f32,
    pub d0: [f32; 3],
    pub inv_ds0: f32,
    pub ddx: [f32; 3],
    pub lo: f32,
    pub ddy: [f32; 3],
    pub inv_range: f32,
    pub atlas_size: [f32; 3],
    pub opaque: f32,
    pub offset: [u32; 2],
    pub opaque_from: f32,
    pub t_scale: f32,
    /// The first pixel of the rendered region in the image its jitter offsets come from.
    pub first_pixel: [u32; 2],
    /// [`FLAG_PRIOR`] and [`FLAG_LAST`]: how this pass of a render starts and ends.
    ///
    /// [`FLAG_PRIOR`]: crate::gpu::raycaster::FLAG_PRIOR
    /// [`FLAG_LAST`]: crate::gpu::raycaster::FLAG_LAST
    pub flags: u32,
    pub _pad: u32,
}

/// How many per-frame resources a renderer has made so far (they stop growing once every
/// slot has served the largest frame and every target).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameAllocations {
    /// Slots: a uniform buffer and two list textures each.
    pub slots: usize,
    /// List textures replaced by larger ones.
    pub regrown_textures: usize,
    /// Bind groups made.
    pub bind_groups: usize,
}

/// The views of a slot that its bind group holds.
pub(crate) struct SlotBindings<'a> {
    pub uniform: &'a wgpu::Buffer,
    pub tile_start: &'a wgpu::TextureView,
    pub tile_leaves: &'a wgpu::TextureView,
}

/// What one render writes: its parameters, its tile lists and the bind group over them.
pub(crate) struct FrameSlot {
    uniform: wgpu::Buffer,
    tile_start: ListTexture,
    tile_leaves: ListTexture,
    /// The tile lists, rebuilt in place by every frame.
    pub tiles: TileListBuilder,
    /// The bind group and the target, table, annotation-line and prior-state views it was
    /// made with.
    bind: Option<([wgpu::TextureView; 4], wgpu::BindGroup)>,
}

/// Texels a slot's list textures start with: the tile starts of a 256x256 image.
const FIRST_CAPACITY: u32 = LIST_ROW;

impl FrameSlot {
    fn new(ctx: &GpuContext) -> FrameSlot {
        let list =
            |label| ListTexture::new(ctx, label, wgpu::TextureFormat::R32Uint, FIRST_CAPACITY);
        FrameSlot {
            uniform: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("raycast params"),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            tile_start: list("tile starts"),
            tile_leaves: list("tile leaves"),
            tiles: TileListBuilder::default(),
            bind: None,
        }
    }

    /// Writes `params` and the lists of [`FrameSlot::tiles`] with queue writes (which land
    /// before the submission that runs this slot's dispatch); returns how many list textures
    /// had to grow.
    fn upload(&mut self, ctx: &GpuContext, params: &Params) -> usize {
        ctx.queue
            .write_buffer(&self.uniform, 0, bytemuck::bytes_of(params));
        let lists = &self.tiles.lists;
        let grown = [
            self.tile_start
                .write_growing(ctx, bytemuck::cast_slice(&lists.start)),
            self.tile_leaves
                .write_growing(ctx, bytemuck::cast_slice(&lists.leaves)),
        ];
        if grown.contains(&true) {
            self.bind = None;
        }
        grown.iter().filter(|&&g| g).count()
    }

    /// The bind group for the views `[target, table, lines, prior]`, made with `make` when the
    /// cached one does not fit; true with it when it was made.
    fn bind_group(
        &mut self,
        views: [&wgpu::TextureView; 4],
        make: impl FnOnce(SlotBindings) -> wgpu::BindGroup,
    ) -> (&wgpu::BindGroup, bool) {
        let fits = matches!(&self.bind, Some((v, _)) if v.iter().zip(views).all(|(a, b)| a == b));
        if !fits {
            let group = make(SlotBindings {
                uniform: &self.uniform,
                tile_start: self.tile_start.view(),
                tile_leaves: self.tile_leaves.view(),
            });
            self.bind = Some((views.map(|v| v.clone()), group));
        }
        let (_, group) = self.bind.as_ref().expect("made above");
        (group, !fits)
    }

    fn made_for(&self, target: &wgpu::TextureView) -> bool {
        matches!(&self.bind, Some(([t, ..], _)) if t == target)
    }
}

/// The free slots, and counters of what was made (see the module's documentation).
#[derive(Default)]
pub(crate) struct FramePool {
    free: Arc<Mutex<Vec<FrameSlot>>>,
    slots: AtomicUsize,
    regrown: AtomicUsize,
    bind_groups: AtomicUsize,
}

impl FramePool {
    /// A free slot, preferably one whose bind group was made for `target`; a new one when
    /// none is free. Give it back with [`FramePool::recycle`].
    pub fn take(&self, ctx: &GpuContext, target: &wgpu::TextureView) -> FrameSlot {
        let found = {
            let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
            let i = free.iter().position(|s| s.made_for(target));
            match i {
                Some(i) => Some(free.swap_remove(i)),
                None => free.pop(),
            }
        };
        found.unwrap_or_else(|| {
            self.slots.fetch_add(1, Ordering::Relaxed);
            FrameSlot::new(ctx)
        })
    }

    /// Uploads `params` and the slot's tile lists; returns the slot's bind group for the views
    /// `[target, table, lines, prior]` (made with `make` when needed).
    pub fn prepare<'s>(
        &self,
        ctx: &GpuContext,
        slot: &'s mut FrameSlot,
        params: &Params,
        views: [&wgpu::TextureView; 4],
        make: impl FnOnce(SlotBindings) -> wgpu::BindGroup,
    ) -> &'s wgpu::BindGroup {
        let grown = slot.upload(ctx, params);
        self.regrown.fetch_add(grown, Ordering::Relaxed);
        let (group, made) = slot.bind_group(views, make);
        self.bind_groups.fetch_add(made as usize, Ordering::Relaxed);
        group
    }

    /// Puts `slot` back on the free list once the work recorded into `encoder` has finished
    /// on the GPU.
    pub fn recycle(&self, encoder: &wgpu::CommandEncoder, slot: FrameSlot) {
        let free = self.free.clone();
        encoder.on_submitted_work_done(move || {
            free.lock().unwrap_or_else(|p| p.into_inner()).push(slot);
        });
    }

    pub fn allocations(&self) -> FrameAllocations {
        FrameAllocations {
            slots: self.slots.load(Ordering::Relaxed),
            regrown_textures: self.regrown.load(Ordering::Relaxed),
            bind_groups: self.bind_groups.load(Ordering::Relaxed),
        }
    }
}
