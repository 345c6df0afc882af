//! One rank's share of a render over several processes: its piece of the data on its GPU, and
//! frames made by every rank together (each renders its piece into a full-size float image,
//! the images are composited in the pieces' front-to-back order, rank 0 gets the frame).
//!
//! Every step that can fail on one rank alone (reading its grids, starting its GPU, loading its
//! bricks, rendering) ends in a [`Cluster::checkpoint`], so all ranks stop together with the
//! failing rank's error.

use super::comm::{Cluster, ExchangeReport};
use super::piece_field::{grid_owners, stats_of, PieceField};
use super::Pieces;
use crate::amr::FieldSource;
use crate::bricks::{bricks_of, BrickLayout};
use crate::camera::{Camera, RayModel};
use crate::error::Result;
use crate::gpu::{GpuContext, OffscreenTarget, VolumeRenderer};
use crate::render::{depth_along, DisplaySettings, FloatImage, Prepared, RenderSettings};
use crate::session::{DataSpec, Rendered};
use glam::DVec3;
use std::sync::Arc;

/// A rank's piece of one field on its GPU.
pub struct PieceSession {
    pub ctx: GpuContext,
    pub renderer: VolumeRenderer,
    pub pieces: Pieces,
    /// Per leaf: whether this rank renders it.
    mine: Vec<bool>,
    /// The domain, `lo..hi`, and the finest level's cell size (the pieces' planes are in its
    /// cells).
    pub domain: (DVec3, DVec3),
    fine_dx: DVec3,
    /// Whether the field was 2-D (rendered as an image by `render`, not by pieces).
    pub flat: bool,
}

impl PieceSession {
    /// Opens `data` on every rank, divides the leaves, reads this rank's grids for the field's
    /// statistics (merged over all ranks), and loads this rank's bricks on its GPU.
    pub fn open(
        cluster: &Cluster,
        data: &DataSpec,
        settings: &RenderSettings,
    ) -> Result<PieceSession> {
        let opened = data.open_field().and_then(|(field, _)| {
            let layout = BrickLayout::build(field.hierarchy())?;
            Ok((field, layout))
        });
        let (field, layout) = cluster.checkpoint(opened)?;
        let h = field.hierarchy().clone();
        let flat = crate::slice::flat::is_flat(&h);
        let pieces = Pieces::new(&layout, cluster.size());
        let rank = cluster.rank();
        let owners = grid_owners(&h, &pieces);
        let grids: Vec<usize> = (0..owners.len()).filter(|&g| owners[g] == rank).collect();
        let local = cluster.checkpoint(stats_of(field.as_ref(), &grids))?;
        let stats = cluster.all_stats(&local);
        let leaves = pieces.leaves_of(rank);
        let bricks = bricks_of(&leaves, |l| layout.leaves[l as usize].brick);
        let mut mine = vec![false; layout.leaves.len()];
        for &l in &leaves {
            mine[l as usize] = true;
        }
        let name = field.field_name().to_string();
        let source: Arc<dyn FieldSource> = Arc::new(PieceField { field, stats });
        let made = GpuContext::new().and_then(|ctx| {
            let r = VolumeRenderer::for_piece(
                &ctx,
                source.clone(),
                settings,
                data.memory.gpu,
                &bricks,
            )?;
            Ok((ctx, r))
        });
        let (ctx, renderer) = cluster.checkpoint(made)?;
        let m = source.host_memory();
        drop(source);
        if rank == 0 {
            renderer.prepared.print_warnings(&name);
        }
        log::info!(
            "rank {rank}: {} of {} leaves, {} bricks, {} cells, {} grids for the statistics; {} of values read, at most {} held at once",
            leaves.len(),
            layout.leaves.len(),
            bricks.len(),
            pieces.cells[rank],
            grids.len(),
            indicatif::HumanBytes(m.read),
            indicatif::HumanBytes(m.peak),
        );
        Ok(PieceSession {
            ctx,
            renderer,
            pieces,
            mine,
            domain: (h.domain_left, h.domain_right),
            fine_dx: h.cell_size(h.max_level()),
            flat,
        })
    }

    pub fn prepared(&self) -> &Prepared {
        &self.renderer.prepared
    }

    /// How `cam`'s images become colours (as [`crate::session::Session::display_for`]).
    pub fn display_for(&self, cam: &Camera) -> Result<DisplaySettings> {
        let depth = depth_along(cam.basis()?.0, self.domain.0, self.domain.1);
        Ok(DisplaySettings::new(self.prepared(), depth))
    }

    /// The ranks front to back for `rays` (world coordinates) of an image of `size`.
    pub fn order(&self, rays: &RayModel, size: [u32; 2]) -> Vec<usize> {
        self.pieces.order(|axis, pos| {
            let split = self.domain.0[axis] + pos as f64 * self.fine_dx[axis];
            crate::tiles::upper_side_first(rays, size, axis, split)
        })
    }

    /// A frame made by every rank: this rank renders its piece of `rays` into `target` (whose
    /// size is the frame's), then the parts are composited; rank 0 gets the frame, coloured
    /// with `display`.
    pub fn render_rays(
        &self,
        cluster: &Cluster,
        target: &OffscreenTarget,
        rays: &RayModel,
        display: DisplaySettings,
    ) -> Result<(Option<Rendered>, ExchangeReport)> {
        let (image, report, _) = self.render_rays_timed(cluster, target, rays, display)?;
        Ok((image, report))
    }

    /// [`PieceSession::render_rays`], with the time this rank took to render its piece and
    /// read it back, milliseconds.
    pub fn render_rays_timed(
        &self,
        cluster: &Cluster,
        target: &OffscreenTarget,
        rays: &RayModel,
        display: DisplaySettings,
    ) -> Result<(Option<Rendered>, ExchangeReport, f64)> {
        let size = [target.width, target.height];
        let t = std::time::Instant::now();
        let part = self
            .renderer
            .render_subset(&self.ctx, &target.region(), rays, |l| self.mine[l])
            .and_then(|_| target.read(&self.ctx));
        let render_ms = t.elapsed().as_secs_f64() * 1e3;
        let pixels = cluster.checkpoint(part)?;
        let image = FloatImage {
            width: size[0],
            height: size[1],
            mode: self.prepared().settings.mode,
            pixels,
        };
        let (image, report) = cluster.composite(image, &self.order(rays, size))?;
        let rendered = image.map(|image| Rendered {
            image,
            display,
            encoding: self.prepared().encoding,
        });
        Ok((rendered, report, render_ms))
    }
}
