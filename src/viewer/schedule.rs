//! Frame scheduling: each frame renders the resolution ladder's next piece of work
//! ([`super::progressive`]) for every eye, measures it, and asks for the next frame while the
//! ladder is busy; the timings shown in the panel.

use super::eyes::{eye_views, level_regions};
use super::progressive::{band_rays, level_size, scaled_rays, Work};
use super::{ms_since, App};
use crate::gpu::RenderTarget;
use std::time::Instant;

#[derive(Default)]
pub(super) struct Timing {
    /// Wall time of the last frame, ms.
    pub frame_ms: f64,
    /// Ray-casting time of the last frame, ms.
    pub ray_ms: f64,
    /// When the view last changed, and how long full resolution took after it.
    pub changed_at: Option<Instant>,
    pub full_after_ms: Option<f64>,
}

/// What a frame rendered of the volume.
pub(super) struct Step {
    /// The work done, if any.
    pub work: Option<Work>,
    /// This frame completed full resolution.
    pub refined: bool,
}

impl App {
    /// Renders the ladder's next piece of work, if any.
    pub(super) fn render_step(&mut self) -> anyhow::Result<Step> {
        let mut step = Step {
            work: None,
            refined: false,
        };
        if let Some(work) = self.progressive.next_work() {
            let secs = self.render_work(work)?;
            self.progressive.done(work, secs);
            self.timing.ray_ms = secs * 1e3;
            step.work = Some(work);
            if !self.progressive.busy() {
                if let Some(t) = self.timing.changed_at.take() {
                    let ms = ms_since(t);
                    self.timing.full_after_ms = Some(ms);
                    log::info!("full resolution {ms:.0} ms after the last change");
                    step.refined = true;
                }
            }
        }
        Ok(step)
    }

    /// Renders `work` for every eye; returns the GPU seconds it took.
    fn render_work(&mut self, work: Work) -> anyhow::Result<f64> {
        let lines = self.annotations_drawn().lines()
            && self.settings.mode == crate::render::Mode::Composite;
        let data = lines.then(|| self.figure_data());
        let plane_drawn = self.plane_drawn();
        let g = self.gfx.as_mut().expect("graphics");
        let [w, h] = g.volume.size;
        let eyes = eye_views(&self.cam, self.stereo, &self.rig, w, h)?;
        let into = if work.interactive {
            &g.shown
        } else {
            &g.pending
        };
        let mut enc = g
            .session
            .ctx
            .device
            .create_command_encoder(&Default::default());
        for (eye, level) in level_regions(&eyes, work.divisor) {
            let [vw, vh] = eye.viewport.size;
            let [lw, lh] = level.size;
            let (y0, y1) = (work.rows.0.min(lh), work.rows.1.min(lh));
            if y1 > y0 {
                let level_rays = scaled_rays(&eye.rays, vw, vh, lw, lh);
                let rays = band_rays(&level_rays, y0);
                // The lines and the slice's plane of this level, rasterised once per camera
                // and level.
                let lines = data.as_ref().map(|data| {
                    self.annotations
                        .lines(data, &self.cam, &level_rays, (lw, lh))
                });
                let plane = match plane_drawn {
                    true => {
                        let display =
                            crate::slice::SliceImage::display(&g.session.renderer.prepared);
                        let interpolation = self.settings.interpolation;
                        let plane = (self.slice.axis, self.slice.coord);
                        let key = (self.cam, (lw, lh), plane, display, interpolation);
                        Some(self.plane_in_volume.layer(&self.ds, key, &level_rays)?)
                    }
                    false => None,
                };
                // This band's rows of the lines and the plane (the nearer one per pixel).
                let part = match (lines, plane) {
                    (Some(lines), Some(plane)) => {
                        let mut both = super::annotations::band(&lines, y0, y1);
                        both.merge(&super::annotations::band(&plane, y0, y1));
                        Some(both)
                    }
                    (lines, plane) => lines
                        .or(plane)
                        .map(|l| super::annotations::band(&l, y0, y1)),
                };
                let lines =
                    part.map(|part| g.session.renderer.lines_texture(&g.session.ctx, &part));
                g.session.renderer.encode_part(
                    &g.session.ctx,
                    &mut enc,
                    &RenderTarget {
                        view: &into.view,
                        offset: [level.offset[0], y0],
                        size: [lw, y1 - y0],
                    },
                    &rays,
                    [0, y0],
                    lines.as_ref(),
                );
            }
        }
        let t = Instant::now();
        g.session.ctx.queue.submit([enc.finish()]);
        g.session.ctx.wait()?;
        let secs = t.elapsed().as_secs_f64();
        if !work.interactive && work.completes {
            std::mem::swap(&mut g.shown, &mut g.pending);
        }
        if work.interactive || work.completes {
            g.shown_version += 1;
        }
        Ok(secs)
    }

    /// Notes the time of a frame that started at `start` and was presented, and logs it.
    pub(super) fn frame_done(
        &mut self,
        start: Instant,
        work: Option<Work>,
        ui_ms: f64,
        acquire_ms: f64,
    ) {
        self.timing.frame_ms = ms_since(start);
        if work.is_some_and(|w| w.interactive) {
            self.progressive
                .frame_overhead((self.timing.frame_ms - self.timing.ray_ms) * 1e-3);
        }
        if let Some(w) = work {
            log::debug!(
                "frame {:.1} ms, ray casting {:.1} ms (panel {ui_ms:.1} ms, acquiring {acquire_ms:.1} ms), 1/{} {:?}",
                self.timing.frame_ms,
                self.timing.ray_ms,
                w.divisor,
                w.rows
            );
        }
    }

    /// Asks for another frame while the ladder is busy, once more after it completed (the
    /// panel drawn with that frame still says "refining"), or when egui's repaint is due.
    pub(super) fn request_next_frame(&mut self, refined: bool) {
        if refined {
            self.ui_dirty = true;
        }
        if refined
            || (self.showing == super::slice_view::Showing::Volume && self.progressive.busy())
            || self.next_repaint.is_some_and(|t| t <= Instant::now())
        {
            self.request_redraw();
        }
    }

    pub(super) fn timing_text(&self) -> String {
        let t = &self.timing;
        if self.showing == super::slice_view::Showing::Slice {
            // The slice view's time is the CPU's slice (coarse while the view changes).
            return format!("frame {:.0} ms, slice {:.0} ms", t.frame_ms, t.ray_ms);
        }
        let d = self.progressive.shown.max(1);
        let (w, h) = self.size();
        let (lw, lh) = level_size(w, h, d);
        let mut s = format!(
            "frame {:.0} ms, ray casting {:.0} ms; showing {lw}x{lh} (1/{d})",
            t.frame_ms, t.ray_ms
        );
        if self.progressive.busy() {
            s.push_str(", refining");
        } else if let Some(ms) = t.full_after_ms {
            s.push_str(&format!(
                "; full resolution {ms:.0} ms after the last change"
            ));
        }
        s
    }
}
