//! The resolution ladder: a coarse image while the view changes, then finer images, rendered in
//! bands of rows so that no single frame blocks input for long, until full resolution.
//!
//! Level `d` (a divisor) is an image of `ceil(W / d) x ceil(H / d)` pixels whose rays are the
//! full-resolution rays scaled (see [`scaled_rays`]), so every level shows exactly the same view.
//! The interactive divisor is chosen from the measured throughput (pixels per second) so that a
//! whole frame, ray casting plus the measured cost of showing it, takes about
//! [`FRAME_TARGET_S`].

use crate::camera::RayModel;

/// Seconds per frame while the view changes: 25 frames per second, a margin over the 20 that
/// interaction needs to feel fluid.
pub const FRAME_TARGET_S: f64 = 0.04;
/// Ray casting gets at least this much of an interactive frame, however slow presenting is,
/// so that the image stays recognisable (the frame rate drops instead).
pub const MIN_INTERACTIVE_BUDGET_S: f64 = 0.01;
/// Seconds of ray casting per frame while refining: short enough to keep input responsive.
pub const REFINE_BUDGET_S: f64 = 0.1;
/// Refinement goes straight to full resolution, without the half-resolution level, when the
/// measured throughput renders the full image within this time.
pub const DIRECT_FULL_S: f64 = 1.0;
/// Coarsest level.
pub const MAX_DIVISOR: u32 = 32;
/// A level is refined in at most this many bands, however slow the last band was: on a
/// loaded machine a band's fixed cost (submitting, waiting) can dwarf its pixels, and bands
/// sized by its rate alone would shrink to one row each.
pub const MAX_BANDS: u32 = 8;
/// The divisor used before any frame has been timed.
pub const FIRST_DIVISOR: u32 = 8;

/// Size of level `d` of a `w` x `h` image.
pub fn level_size(w: u32, h: u32, d: u32) -> (u32, u32) {
    (w.div_ceil(d).max(1), h.div_ceil(d).max(1))
}

/// The rays of a `lw` x `lh` image covering exactly the view of `full`'s `w` x `h` image.
pub fn scaled_rays(full: &RayModel, w: u32, h: u32, lw: u32, lh: u32) -> RayModel {
    let (kx, ky) = (w as f64 / lw as f64, h as f64 / lh as f64);
    RayModel {
        ox: full.ox * kx,
        oy: full.oy * ky,
        dx: full.dx * kx,
        dy: full.dy * ky,
        ..*full
    }
}

/// The rays of rows `y0..` of an image, for a render target region that starts at row `y0`.
pub fn band_rays(rays: &RayModel, y0: u32) -> RayModel {
    let y = y0 as f64;
    RayModel {
        o0: rays.o0 + rays.oy * y,
        d0: rays.d0 + rays.dy * y,
        ..*rays
    }
}

/// The smallest divisor whose level of a `w` x `h` image renders within `budget_s` at
/// `pixels_per_s`.
pub fn divisor_for(pixels_per_s: f64, budget_s: f64, w: u32, h: u32) -> u32 {
    let allowed = (pixels_per_s * budget_s).max(1.0);
    (1..=MAX_DIVISOR)
        .find(|&d| {
            let (lw, lh) = level_size(w, h, d);
            (lw as f64 * lh as f64) <= allowed
        })
        .unwrap_or(MAX_DIVISOR)
}

/// One piece of work for a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    /// The level's divisor.
    pub divisor: u32,
    /// Rows `rows.0..rows.1` of that level.
    pub rows: (u32, u32),
    /// An interactive frame: the whole level at once, shown right away.
    pub interactive: bool,
    /// The level is complete after this work: show it.
    pub completes: bool,
}

/// The ladder's state for one window.
#[derive(Clone, Debug)]
pub struct Progressive {
    size: (u32, u32),
    /// Measured pixels per second of interactive frames (smoothed); `None` before the first
    /// one. Small images cost more per pixel (fixed costs, partly filled tiles) than the
    /// refinement's bands, so each kind of work is judged by its own rate.
    interactive_throughput: Option<f64>,
    /// The same, of refinement bands.
    refine_throughput: Option<f64>,
    /// Something changed since the last frame.
    dirty: bool,
    /// Divisors still to render, coarsest first; the first one may be partly done.
    pending: Vec<u32>,
    /// Next row of `pending[0]`.
    next_row: u32,
    /// Divisor of the image on screen (0: none yet).
    pub shown: u32,
    /// Seconds an interactive frame spends outside ray casting (panel, display, present),
    /// smoothed; `None` before the first frame was shown.
    frame_overhead: Option<f64>,
    /// Pixels per second and rows of the last band of the level being refined: neighbouring
    /// rows cost about the same, unlike the image's average.
    last_band: Option<(f64, u32)>,
}

impl Progressive {
    pub fn new(w: u32, h: u32) -> Self {
        Progressive {
            size: (w.max(1), h.max(1)),
            interactive_throughput: None,
            refine_throughput: None,
            dirty: true,
            pending: Vec::new(),
            next_row: 0,
            shown: 0,
            frame_overhead: None,
            last_band: None,
        }
    }

    pub fn size(&self) -> (u32, u32) {
        self.size
    }

    /// The view changed (camera, settings, size): restart from a coarse level.
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    pub fn resize(&mut self, w: u32, h: u32) {
        self.size = (w.max(1), h.max(1));
        self.shown = 0;
        self.invalidate();
    }

    /// Frames are still needed (a change to show or levels to refine).
    pub fn busy(&self) -> bool {
        self.dirty || !self.pending.is_empty()
    }

    /// Records the seconds an interactive frame spent outside ray casting.
    pub fn frame_overhead(&mut self, seconds: f64) {
        let s = seconds.max(0.0);
        self.frame_overhead = Some(self.frame_overhead.map_or(s, |o| 0.5 * o + 0.5 * s));
    }

    /// Seconds of ray casting an interactive frame gets: what the frame target leaves after the
    /// measured cost of showing a frame.
    pub fn interactive_budget(&self) -> f64 {
        (FRAME_TARGET_S - self.frame_overhead.unwrap_or(0.0))
            .clamp(MIN_INTERACTIVE_BUDGET_S, FRAME_TARGET_S)
    }

    /// Pixels per second of interactive frames, or of bands before any interactive frame.
    fn interactive_rate(&self) -> Option<f64> {
        self.interactive_throughput.or(self.refine_throughput)
    }

    /// Pixels per second of refinement bands, or of interactive frames before any band.
    fn refine_rate(&self) -> Option<f64> {
        self.refine_throughput.or(self.interactive_throughput)
    }

    /// The divisor an interactive frame uses now.
    pub fn interactive_divisor(&self) -> u32 {
        let (w, h) = self.size;
        match self.interactive_rate() {
            Some(t) => divisor_for(t, self.interactive_budget(), w, h),
            None => FIRST_DIVISOR,
        }
    }

    /// What the next frame renders; `None` when the full-resolution image is on screen.
    pub fn next_work(&mut self) -> Option<Work> {
        let (w, h) = self.size;
        if self.dirty {
            self.dirty = false;
            let d = self.interactive_divisor();
            // Refinement: half resolution first when the interactive level is much coarser
            // and the full image takes long, then full resolution.
            let full_s = self.refine_rate().map(|t| w as f64 * h as f64 / t);
            self.pending = match d {
                1 => vec![],
                2 => vec![1],
                _ if full_s.is_some_and(|s| s <= DIRECT_FULL_S) => vec![1],
                _ => vec![2, 1],
            };
            self.next_row = 0;
            self.last_band = None;
            let (_, lh) = level_size(w, h, d);
            return Some(Work {
                divisor: d,
                rows: (0, lh),
                interactive: true,
                completes: true,
            });
        }
        let d = *self.pending.first()?;
        let (lw, lh) = level_size(w, h, d);
        let rows = match (self.last_band, self.refine_rate()) {
            // At most twice the last band: the next rows may cost more than the last ones.
            (Some((rate, rows)), _) => {
                ((rate * REFINE_BUDGET_S / lw as f64) as u32).clamp(1, 2 * rows.max(1))
            }
            (None, Some(t)) => ((t * REFINE_BUDGET_S / lw as f64) as u32).max(1),
            (None, None) => lh,
        };
        let rows = rows.max(lh.div_ceil(MAX_BANDS));
        let y0 = self.next_row;
        let y1 = (y0 + rows).min(lh);
        Some(Work {
            divisor: d,
            rows: (y0, y1),
            interactive: false,
            completes: y1 == lh,
        })
    }

    /// Records that `work` was rendered in `seconds` of GPU time.
    pub fn done(&mut self, work: Work, seconds: f64) {
        let (w, h) = self.size;
        let (lw, _) = level_size(w, h, work.divisor);
        let pixels = lw as f64 * (work.rows.1 - work.rows.0) as f64;
        if seconds > 0.0 && !work.interactive {
            self.last_band = Some((pixels / seconds, work.rows.1 - work.rows.0));
        }
        if seconds > 0.0 && pixels >= 64.0 {
            let rate = pixels / seconds;
            let smooth = |old: Option<f64>| Some(old.map_or(rate, |t| 0.5 * t + 0.5 * rate));
            if work.interactive {
                self.interactive_throughput = smooth(self.interactive_throughput);
            } else {
                self.refine_throughput = smooth(self.refine_throughput);
            }
        }
        if work.interactive {
            self.shown = work.divisor;
            return;
        }
        if work.completes {
            self.shown = work.divisor;
            self.pending.remove(0);
            self.next_row = 0;
            self.last_band = None;
        } else {
            self.next_row = work.rows.1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::{Camera, Lens, View};
    use glam::DVec3;

    #[test]
    fn scaled_levels_show_the_same_view() {
        for lens in [Lens::Plane, Lens::Perspective] {
            let cam = Camera::framing(View::Z, lens, DVec3::ZERO, DVec3::ONE, 1.5);
            let full = cam.ray_model(300, 200).unwrap();
            let (lw, lh) = level_size(300, 200, 7);
            assert_eq!((lw, lh), (43, 29));
            let low = scaled_rays(&full, 300, 200, lw, lh);
            // A point of the low image is the same ray as the matching full-image point.
            for (x, y) in [(0.0, 0.0), (43.0, 29.0), (10.5, 3.25)] {
                let (o, d) = low.ray(x, y);
                let (of, df) = full.ray(x * 300.0 / 43.0, y * 200.0 / 29.0);
                assert!((o - of).length() < 1e-12 && (d - df).length() < 1e-12);
            }
            // A band starting at row 5 is the same image from row 5 on.
            let band = band_rays(&low, 5);
            let (o, d) = band.ray(3.5, 0.5);
            let (o2, d2) = low.ray(3.5, 5.5);
            assert!((o - o2).length() < 1e-12 && (d - d2).length() < 1e-12);
        }
    }

    #[test]
    fn divisor_fits_the_budget() {
        // 1024x768 at 2.6 Mpx/s and 30 ms: 78k pixels, so 1/3 resolution (342x256 = 87k) is too
        // much and 1/4 (256x192 = 49k) fits.
        assert_eq!(divisor_for(2.6e6, 0.03, 1024, 768), 4);
        assert_eq!(divisor_for(1e12, 0.03, 1024, 768), 1);
        assert_eq!(divisor_for(1.0, 0.03, 1024, 768), MAX_DIVISOR);
    }

    #[test]
    fn the_ladder_refines_to_full_resolution_in_bands_and_restarts_on_change() {
        let mut p = Progressive::new(100, 80);
        assert!(p.busy());
        // First frame: untimed, the first divisor, shown at once.
        let w = p.next_work().unwrap();
        assert_eq!(
            (w.divisor, w.interactive, w.rows),
            (FIRST_DIVISOR, true, (0, 10))
        );
        // 1000 pixels per second: 100 per refine frame.
        p.done(w, 13.0 * 10.0 / 1000.0);
        assert_eq!(p.shown, FIRST_DIVISOR);
        assert!((p.interactive_throughput.unwrap() - 1000.0).abs() < 1e-9);
        let mut levels = vec![];
        let mut rows_seen = 0;
        while let Some(w) = p.next_work() {
            assert!(!w.interactive);
            let (lw, _) = level_size(100, 80, w.divisor);
            assert_eq!(w.rows.0, rows_seen, "bands are contiguous");
            assert!(w.rows.1 - w.rows.0 >= 1);
            rows_seen = if w.completes { 0 } else { w.rows.1 };
            if w.completes {
                levels.push(w.divisor);
            }
            // Keep the measured rate constant.
            p.done(w, lw as f64 * (w.rows.1 - w.rows.0) as f64 / 1000.0);
        }
        assert_eq!(levels, vec![2, 1]);
        assert_eq!(p.shown, 1);
        assert!(!p.busy());
        // A band that turned out slow makes the next one smaller, down to an eighth of the
        // level; a fast one can at most double the next.
        p.invalidate();
        let w = p.next_work().unwrap();
        p.done(w, 0.01);
        let w = p.next_work().unwrap();
        let rows = w.rows.1 - w.rows.0;
        p.done(w, 10.0);
        let w2 = p.next_work().unwrap();
        let (_, lh) = level_size(100, 80, w2.divisor);
        let least = lh.div_ceil(MAX_BANDS);
        assert_eq!(w2.rows.1 - w2.rows.0, least);
        p.done(w2, 1e-6);
        let w3 = p.next_work().unwrap();
        assert_eq!(w3.rows.1 - w3.rows.0, 2 * least);
        assert!(rows >= 1);
        // A change in the middle of refining starts again from an interactive frame.
        p.invalidate();
        let w = p.next_work().unwrap();
        assert!(w.interactive);
        p.done(w, 0.01);
        // One pixel a second: the next band is the smallest, an eighth of the level.
        p.refine_throughput = Some(1.0);
        let w = p.next_work().unwrap();
        assert!(!w.interactive && !w.completes);
        p.done(w, 0.1);
        p.invalidate();
        assert!(p.next_work().unwrap().interactive);
    }

    #[test]
    fn the_interactive_budget_is_what_showing_a_frame_leaves() {
        let mut p = Progressive::new(1024, 768);
        p.interactive_throughput = Some(1e6);
        assert_eq!(p.interactive_budget(), FRAME_TARGET_S);
        // Showing a frame costs 25 ms: 15 ms are left, 15k pixels, so 1/8 (128x96 = 12k).
        p.frame_overhead(0.025);
        assert!((p.interactive_budget() - 0.015).abs() < 1e-12);
        assert_eq!(p.interactive_divisor(), 8);
        // Cheap presenting (a GPU) leaves more: 1/5 (205x154 = 32k) fits 35 ms.
        for _ in 0..20 {
            p.frame_overhead(0.005);
        }
        assert!((p.interactive_budget() - 0.035).abs() < 1e-6);
        assert_eq!(p.interactive_divisor(), 5);
        // Presenting slower than the whole target still leaves ray casting its minimum.
        for _ in 0..20 {
            p.frame_overhead(0.2);
        }
        assert_eq!(p.interactive_budget(), MIN_INTERACTIVE_BUDGET_S);
    }

    #[test]
    fn a_fast_adapter_skips_half_resolution() {
        let (w, h) = (1024, 768);
        // 1.6 M pixels per second: the interactive level is coarse (1/4 at 40 ms) but the
        // full image takes 0.5 s, so it comes right after.
        let mut p = Progressive::new(w, h);
        p.refine_throughput = Some(1.6e6);
        let first = p.next_work().unwrap();
        assert!(first.interactive && first.divisor > 2);
        p.done(first, 0.015);
        p.refine_throughput = Some(1.6e6);
        let mut levels = vec![];
        while let Some(work) = p.next_work() {
            if work.completes {
                levels.push(work.divisor);
            }
            let (lw, _) = level_size(w, h, work.divisor);
            p.done(work, lw as f64 * (work.rows.1 - work.rows.0) as f64 / 1.6e6);
        }
        assert_eq!(levels, vec![1]);
    }

    #[test]
    fn the_refinement_rate_decides_whether_half_resolution_comes_first() {
        let (w, h) = (1024, 768);
        // Small interactive images render 0.4 M pixels per second, full-size bands 1.2 M: at
        // the interactive rate the full image would take 2 s, at the bands' rate 0.66 s.
        let run = |p: &mut Progressive| {
            let mut levels = vec![];
            while let Some(work) = p.next_work() {
                let (lw, _) = level_size(w, h, work.divisor);
                let pixels = lw as f64 * (work.rows.1 - work.rows.0) as f64;
                let rate = if work.interactive { 0.4e6 } else { 1.2e6 };
                p.done(work, pixels / rate);
                if work.completes && !work.interactive {
                    levels.push(work.divisor);
                }
            }
            levels
        };
        let mut p = Progressive::new(w, h);
        // No band measured yet: half resolution first.
        assert_eq!(run(&mut p), vec![2, 1]);
        // After a drag, straight to full resolution.
        for _ in 0..5 {
            p.invalidate();
            let work = p.next_work().unwrap();
            let (lw, lh) = level_size(w, h, work.divisor);
            p.done(work, lw as f64 * lh as f64 / 0.4e6);
        }
        assert_eq!(run(&mut p), vec![1]);
    }
}
