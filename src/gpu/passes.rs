//! Rendering in passes when the bricks one image needs do not all fit the GPU budget.
//!
//! The visible leaves are taken in front-to-back order for the camera and cut into runs whose
//! bricks fit the pool ([`crate::bricks::split_passes`]). Each pass loads its bricks (evicting
//! those used least recently), then samples its run's leaves starting from the state the
//! previous pass left in every pixel: premultiplied colour and opacity for composite, the
//! running maximum for MIP, the running sum for projection (`prior` in
//! shaders/raycast.wgsl). The passes thus take the same samples in the same order as one
//! unbounded pass, and the image is the same; pixels already opaque stop at once.
//! Intermediate states go to two textures of the region's size in turn; the last pass writes
//! the caller's target.

use crate::bricks::{bricks_of, split_passes};
use crate::camera::RayModel;
use crate::error::Result;
use crate::gpu::context::GpuContext;
use crate::gpu::raycaster::{Dispatch, RenderTarget, Visit, VolumeRenderer, TARGET_FORMAT};
use crate::tiles::visiting_order;

/// What a render in passes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Passes made (1 when every brick was resident).
    pub passes: usize,
    /// Bricks loaded during the render.
    pub loaded: usize,
}

impl VolumeRenderer {
    /// Renders `rays` into `target` and submits the work: in one pass when the bricks are all
    /// resident, else in as many passes as the budget needs (each submitted on its own, since
    /// a pass's bricks must be uploaded after the previous pass has read its own). `lines`
    /// as in [`VolumeRenderer::encode_part`].
    pub fn render_passes(
        &self,
        ctx: &GpuContext,
        target: &RenderTarget,
        rays: &RayModel,
        first_pixel: [u32; 2],
        lines: Option<&wgpu::TextureView>,
    ) -> Result<PassReport> {
        let lines = self.lines_or_none(lines);
        let r = rays.to_frame(self.layout.origin, self.layout.scale);
        if self.all_resident() {
            let mut enc = ctx.device.create_command_encoder(&Default::default());
            let res = self.residency();
            self.dispatch(
                ctx,
                &mut enc,
                &Dispatch {
                    target,
                    rays: &r,
                    first_pixel,
                    lines,
                    prior: None,
                    last: true,
                    visit: Visit::Visible(&res.node_visible),
                },
            );
            drop(res);
            ctx.queue.submit([enc.finish()]);
            return Ok(PassReport {
                passes: 1,
                loaded: 0,
            });
        }
        let order = {
            let res = self.residency();
            visiting_order(&self.layout, &res.node_visible, &r, target.size)
        };
        self.render_order(ctx, target, &r, first_pixel, lines, &order)
    }

    /// Renders only the leaves `keep` accepts, from an empty state, into `target` (in passes
    /// if their bricks exceed the budget): one part of an image whose parts are composited
    /// with [`crate::composite`] (sort-last rendering of a piece of the data).
    pub fn render_subset(
        &self,
        ctx: &GpuContext,
        target: &RenderTarget,
        rays: &RayModel,
        keep: impl Fn(usize) -> bool,
    ) -> Result<PassReport> {
        let r = rays.to_frame(self.layout.origin, self.layout.scale);
        let mut order = {
            let res = self.residency();
            visiting_order(&self.layout, &res.node_visible, &r, target.size)
        };
        order.retain(|&l| keep(l as usize));
        self.render_order(ctx, target, &r, [0, 0], &self.no_lines, &order)
    }

    /// Renders the leaves `order` (front to back for `r`, in the normalised frame) in as few
    /// passes as the pool allows.
    fn render_order(
        &self,
        ctx: &GpuContext,
        target: &RenderTarget,
        r: &RayModel,
        first_pixel: [u32; 2],
        lines: &wgpu::TextureView,
        order: &[u32],
    ) -> Result<PassReport> {
        let brick_of = |leaf: u32| self.layout.leaves[leaf as usize].brick;
        let mut runs = split_passes(order, brick_of, self.capacity());
        if runs.is_empty() {
            runs.push(0..0);
        }
        // Partial state between passes: only a render of several passes has any.
        let states = (runs.len() > 1).then(|| [0, 1].map(|_| state_texture(ctx, target.size)));
        let views = states
            .as_ref()
            .map(|s| s.each_ref().map(|t| t.create_view(&Default::default())));
        let mut report = PassReport::default();
        let stage = crate::progress::Stage::new("rendering in passes", runs.len() as u64, "passes");
        for (i, run) in runs.iter().enumerate() {
            let leaves = &order[run.clone()];
            let before = self.bricks_loaded();
            self.load(ctx, &bricks_of(leaves, brick_of))?;
            report.loaded += (self.bricks_loaded() - before) as usize;
            let last = i + 1 == runs.len();
            let view = |k: usize| &views.as_ref().expect("several passes have states")[k % 2];
            let inner = (!last).then(|| RenderTarget {
                view: view(i),
                offset: [0, 0],
                size: target.size,
            });
            let mut enc = ctx.device.create_command_encoder(&Default::default());
            self.dispatch(
                ctx,
                &mut enc,
                &Dispatch {
                    target: inner.as_ref().unwrap_or(target),
                    rays: r,
                    first_pixel,
                    lines,
                    prior: (i > 0).then(|| view(i + 1)),
                    last,
                    visit: Visit::Ordered(leaves),
                },
            );
            ctx.queue.submit([enc.finish()]);
            report.passes += 1;
            stage.advance(1, || {
                let read = self.source().map_or(0, |s| s.host_memory().read);
                format!(
                    "{} bricks loaded, {} read",
                    report.loaded,
                    indicatif::HumanBytes(read)
                )
            });
            log::debug!(
                "pass {} of {}: {} leaves, {} bricks resident",
                i + 1,
                runs.len(),
                leaves.len(),
                self.residency().pool.slots.resident()
            );
        }
        // Wait for the last pass, so that the stage's time is the render's.
        ctx.wait()?;
        stage.finish();
        // What loading learnt about the leaves' values lets the next render skip more.
        self.update_visibility();
        Ok(report)
    }
}

/// A texture holding the state of every pixel of a region between two passes.
fn state_texture(ctx: &GpuContext, size: [u32; 2]) -> wgpu::Texture {
    ctx.texture_2d(
        "pass state",
        size,
        TARGET_FORMAT,
        wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::TEXTURE_BINDING,
    )
}
