//! A leaf's footprint on the screen: the tiles whose rays can meet its box.
//!
//! The box's projection is the convex hull of its eight projected corners (for parallel rays,
//! and for a pinhole with every corner in front). A ray can meet the box only when its pixel
//! centre lies in that hull, so a tile takes the leaf only when the rectangle spanned by its
//! pixel centres, widened by a small margin for rounding, overlaps the hull. This is tighter
//! than the projection's bounding rectangle of tiles twice over: tiles of that rectangle that
//! the hull misses (oblique views) are left out, and so are tiles the rectangle touches with
//! no pixel centre (a box ending on a tile's first pixel boundary).

use super::{Rays, TILE};
use crate::camera::RayModel;
use glam::{DVec2, DVec3};

/// Relative precision the margin allows for in the shader's single-precision rays (32 units in
/// the last place of an f32).
const F32_SLACK: f64 = 1.0 / (1u64 << 18) as f64;
/// Least margin, in pixels, around a footprint.
const MIN_MARGIN: f64 = 1.0 / 64.0;

/// The tiles of a leaf: a rectangle of them, culled against the hull of the leaf's projection.
#[derive(Clone, Copy, Debug)]
pub(super) struct Footprint {
    /// Tile rectangle `[x0, x1, y0, y1]`, inclusive.
    pub rect: [u32; 4],
    /// The projection's convex hull in pixel coordinates, counter-clockwise in a frame with y
    /// up; fewer than 3 points: no culling inside `rect`.
    hull: [DVec2; 8],
    n: usize,
    /// Pixels of margin around the hull.
    margin: f64,
}

impl Footprint {
    /// The footprint of box `b` for an image of `size` pixels in tiles of `TILE`; every tile
    /// when a corner cannot be projected (behind a pinhole, or rays of neither kind), None
    /// when no pixel centre lies in the projection.
    pub(super) fn of(
        rays: &RayModel,
        kind: Rays,
        b: &[[f32; 3]; 2],
        size: [u32; 2],
    ) -> Option<Self> {
        let tiles = [0, 1].map(|a| size[a].div_ceil(TILE).max(1));
        let all = Footprint {
            rect: [0, tiles[0] - 1, 0, tiles[1] - 1],
            hull: [DVec2::ZERO; 8],
            n: 0,
            margin: 0.0,
        };
        if let Rays::Other(_) = kind {
            return Some(all);
        }
        let mut pts = [DVec2::ZERO; 8];
        for (c, p) in pts.iter_mut().enumerate() {
            let corner = DVec3::new(
                b[c & 1][0] as f64,
                b[(c >> 1) & 1][1] as f64,
                b[(c >> 2) & 1][2] as f64,
            );
            // Parallel rays see a corner behind their origins at its place; a pinhole cannot.
            let Some((x, y, in_front)) = rays.project(corner) else {
                return Some(all);
            };
            if !(in_front || matches!(kind, Rays::Parallel(_))) || !x.is_finite() || !y.is_finite()
            {
                return Some(all);
            }
            *p = DVec2::new(x, y);
        }
        let margin = margin(rays, kind, b, size);
        if !margin.is_finite() {
            return Some(all);
        }
        let (mut lo, mut hi) = (pts[0], pts[0]);
        for p in &pts[1..] {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        // Pixel i has its ray at i + 0.5: the pixels whose centres the widened box holds.
        let first = |v: f64| (v - margin - 0.5).ceil();
        let last = |v: f64| (v + margin - 0.5).floor();
        let (x0, x1) = (first(lo.x).max(0.0), last(hi.x).min(size[0] as f64 - 1.0));
        let (y0, y1) = (first(lo.y).max(0.0), last(hi.y).min(size[1] as f64 - 1.0));
        if x0 > x1 || y0 > y1 {
            return None;
        }
        let t = TILE as f64;
        let rect = [
            (x0 / t) as u32,
            (x1 / t) as u32,
            (y0 / t) as u32,
            (y1 / t) as u32,
        ];
        let (hull, n) = convex_hull(pts);
        Some(Footprint {
            rect,
            hull,
            n,
            margin,
        })
    }

    /// Whether a ray of tile `(tx, ty)` of an image of `size` pixels can meet the box.
    pub(super) fn touches(&self, tx: u32, ty: u32, size: [u32; 2]) -> bool {
        if self.n < 3 {
            return true;
        }
        let m = self.margin;
        let x0 = (tx * TILE) as f64 + 0.5 - m;
        let x1 = (((tx + 1) * TILE).min(size[0]) as f64) - 0.5 + m;
        let y0 = (ty * TILE) as f64 + 0.5 - m;
        let y1 = (((ty + 1) * TILE).min(size[1]) as f64) - 0.5 + m;
        let corners = [
            DVec2::new(x0, y0),
            DVec2::new(x1, y0),
            DVec2::new(x0, y1),
            DVec2::new(x1, y1),
        ];
        // Separated when every corner lies outside one edge of the hull.
        (0..self.n).all(|i| {
            let a = self.hull[i];
            let e = self.hull[(i + 1) % self.n] - a;
            corners.iter().any(|&c| e.perp_dot(c - a) >= 0.0)
        })
    }
}

/// Pixels of margin around a footprint: at least [`MIN_MARGIN`], more where the shader's f32
/// rays cannot resolve a pixel at the box (far from the origin, or a box at the eye); infinite
/// when a pinhole lies inside the box.
fn margin(rays: &RayModel, kind: Rays, b: &[[f32; 3]; 2], size: [u32; 2]) -> f64 {
    let lo = DVec3::from(b[0].map(f64::from));
    let hi = DVec3::from(b[1].map(f64::from));
    let far_corner = lo.abs().max(hi.abs()).length();
    let (w, h) = (size[0] as f64, size[1] as f64);
    match kind {
        Rays::Parallel(_) => {
            let pixel = rays.ox.length().min(rays.oy.length());
            let extent = rays.o0.length() + w * rays.ox.length() + h * rays.oy.length();
            MIN_MARGIN + F32_SLACK * (extent + far_corner) / pixel
        }
        Rays::Pinhole(eye) | Rays::Other(eye) => {
            let near = (eye.clamp(lo, hi) - eye).length();
            let far = (lo - eye).abs().max((hi - eye).abs()).length();
            let centre = rays.d0 + rays.dx * (w / 2.0) + rays.dy * (h / 2.0);
            // Radians per pixel, about (the lens's distortion across the image is mild).
            let angle = rays.dx.length().min(rays.dy.length()) / centre.length();
            MIN_MARGIN + F32_SLACK * (eye.length() + far) / (near * angle)
        }
    }
}

/// The convex hull of `pts` (Andrew's monotone chain), counter-clockwise for y up, and its
/// number of points (fewer than 3 when the points are collinear).
fn convex_hull(mut pts: [DVec2; 8]) -> ([DVec2; 8], usize) {
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let mut hull = [DVec2::ZERO; 16];
    let mut k = 0;
    let turn = |o: DVec2, a: DVec2, b: DVec2| (a - o).perp_dot(b - o);
    for p in pts {
        while k >= 2 && turn(hull[k - 2], hull[k - 1], p) <= 0.0 {
            k -= 1;
        }
        hull[k] = p;
        k += 1;
    }
    let lower = k + 1;
    for &p in pts.iter().rev().skip(1) {
        while k >= lower && turn(hull[k - 2], hull[k - 1], p) <= 0.0 {
            k -= 1;
        }
        hull[k] = p;
        k += 1;
    }
    // The last point repeats the first.
    let n = (k - 1).min(8);
    let mut out = [DVec2::ZERO; 8];
    out[..n].copy_from_slice(&hull[..n]);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hull_of_a_square_with_inner_points_is_the_square() {
        let mut pts = [DVec2::new(0.5, 0.5); 8];
        pts[1] = DVec2::new(0.0, 0.0);
        pts[3] = DVec2::new(1.0, 0.0);
        pts[5] = DVec2::new(1.0, 1.0);
        pts[6] = DVec2::new(0.0, 1.0);
        pts[7] = DVec2::new(0.5, 0.0);
        let (hull, n) = convex_hull(pts);
        assert_eq!(n, 4);
        let area: f64 = (0..n).map(|i| hull[i].perp_dot(hull[(i + 1) % n])).sum();
        assert!(
            (area - 2.0).abs() < 1e-12,
            "twice the area, counter-clockwise: {area}"
        );
        let (_, n) = convex_hull([DVec2::new(1.0, 2.0); 8]);
        assert!(n < 3);
    }
}
