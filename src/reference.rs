//! The CPU reference renderer: the test oracle for the GPU.
//!
//! Deliberately simple and independent of the bricks, the atlas and the kd-tree: each ray is
//! walked straight through the AMR model. At each position the finest grid there is looked up,
//! the segment runs to that grid's exit or the entry of any finer grid ahead, and is sampled in
//! equal steps no longer than the level's cell size over `samples_per_cell`, at their midpoints
//! or, with jittered sampling, at the pixel's offset in every step ([`crate::jitter`]),
//! interpolating in the model ([`AmrDataset::sample_level_map`]), or with nearest-cell sampling
//! taking the finest stored cell there ([`AmrDataset::nearest_value`]). Slow, and only for
//! small images.
//!
//! With annotation lines ([`render_with_lines`]), as the shader: in composite mode a ray takes
//! only the samples whose midpoint lies before its pixel's line, then adds the line behind
//! what it accumulated.

use crate::amr::AmrDataset;
use crate::annotate::GeometryLayer;
use crate::camera::{intersect_box, RayModel};
use crate::render::{composite_step, FloatImage, Interpolation, Mode, Prepared, OPAQUE};
use crate::transfer::{MISSING, MISSING_BELOW};
use glam::DVec3;

/// Renders `width` x `height` pixels of `rays` on the CPU.
pub fn render(
    ds: &AmrDataset,
    rays: &RayModel,
    width: u32,
    height: u32,
    prepared: &Prepared,
) -> FloatImage {
    render_with_lines(ds, rays, width, height, prepared, None)
}

/// [`render`] with annotation lines (`lines`: a layer of `width` x `height`), hidden by the
/// volume in composite mode and ignored by the other modes, as in the shader.
pub fn render_with_lines(
    ds: &AmrDataset,
    rays: &RayModel,
    width: u32,
    height: u32,
    prepared: &Prepared,
    lines: Option<&GeometryLayer>,
) -> FloatImage {
    let composite = prepared.settings.mode == Mode::Composite;
    let lines = lines.filter(|_| composite);
    let jittered = prepared.settings.jittered();
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            let (o, d) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
            let i = (y * width + x) as usize;
            let line = lines.map(|l| (l.depth[i] as f64, l.colour_at(i)));
            // Keep in sync with `jitter_offset` in shaders/raycast.wgsl.
            let jitter = if jittered {
                crate::jitter::offset(x, y) as f64
            } else {
                0.5
            };
            let line_t = line.map_or(f64::INFINITY, |l| l.0);
            let mut p = trace(ds, o, d, jitter, prepared, line_t);
            if let Some((_, c)) = line {
                let k = 1.0 - p[3];
                p = [0, 1, 2, 3].map(|j| p[j] + k * c[j]);
            }
            pixels.push(p);
        }
    }
    FloatImage {
        width,
        height,
        mode: prepared.settings.mode,
        pixels,
    }
}

/// The ray from `o` along `d`, sampled at `jitter` (in [0, 1)) of each step; in composite mode
/// it ends at the first sample that lies beyond `line_t`.
fn trace(
    ds: &AmrDataset,
    o: DVec3,
    d: DVec3,
    jitter: f64,
    prepared: &Prepared,
    line_t: f64,
) -> [f32; 4] {
    let h = &ds.hierarchy;
    let mode = prepared.settings.mode;
    let encoding = prepared.encoding;
    let mut acc = [0.0f32; 4];
    let mut max = MISSING;
    let mut column = 0.0f64;
    let (t_in, t_out) = intersect_box(o, d, h.domain_left, h.domain_right).unwrap_or((0.0, 0.0));
    let nudge = 1e-9 * h.domain_width().max_element();
    let mut t = t_in;
    'walk: while t < t_out - nudge {
        let Some(g) = h.finest_grid_at(o + d * (t + nudge)) else {
            break;
        };
        let grid = &h.grids[g];
        let level = grid.level;
        let mut t_end =
            intersect_box(o, d, grid.left, grid.right).map_or(t_out, |(_, e)| e.min(t_out));
        for finer in h.grids.iter().filter(|f| f.level > level) {
            if let Some((enter, _)) = intersect_box(o, d, finer.left, finer.right) {
                if enter > t + nudge && enter < t_end {
                    t_end = enter;
                }
            }
        }
        let len = t_end - t;
        let dt = h.cell_size(level).min_element() / prepared.settings.samples_per_cell;
        let n = (len / dt).ceil().max(1.0) as usize;
        let ds_step = len / n as f64;
        for k in 0..n {
            let at = t + (k as f64 + jitter) * ds_step;
            if at > line_t {
                break 'walk;
            }
            let p = o + d * at;
            let v = match prepared.settings.interpolation {
                Interpolation::Linear => ds.sample_level_map(level, p, |v| encoding.encode(v)),
                Interpolation::Nearest => encoding.encode(ds.nearest_value(level, p)),
            };
            match mode {
                Mode::Composite => {
                    composite_step(&mut acc, prepared, v, ds_step);
                    if acc[3] >= OPAQUE {
                        break 'walk;
                    }
                }
                Mode::Mip => {
                    if v > MISSING_BELOW {
                        max = max.max(v);
                    }
                }
                Mode::Projection => {
                    if v > MISSING_BELOW {
                        column += v as f64 * ds_step;
                    }
                }
            }
        }
        t = t_end;
    }
    match mode {
        Mode::Composite => acc,
        Mode::Mip => [max, if max > MISSING_BELOW { 1.0 } else { 0.0 }, 0.0, 0.0],
        Mode::Projection => [column as f32, 0.0, 0.0, 0.0],
    }
}
