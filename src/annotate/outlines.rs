//! The domain box and grid outlines as 3-D lines, rasterised with the camera's own rays into a
//! [`GeometryLayer`]: per pixel, the ray parameter `t` of the nearest line (where that pixel's
//! ray passes closest to it) and the line's anti-aliased, premultiplied colour.
//!
//! The ray caster (shaders/raycast.wgsl, and [`crate::reference`]) stops each ray at that
//! depth and composites the line behind what it accumulated, so volume in front hides it.

use crate::amr::AmrHierarchy;
use crate::camera::RayModel;
use glam::DVec3;

/// Width of the drawn lines, pixels.
pub const LINE_WIDTH: f64 = 1.25;

/// Colour of the domain box (straight RGBA).
pub const DOMAIN_COLOUR: [f32; 4] = [0.92, 0.92, 0.92, 0.9];

/// Grid outline colours by level (level `l` takes entry `l % len`), straight RGBA: bright,
/// distinct hues that read on dark and on coloured volume.
pub const LEVEL_COLOURS: [[f32; 4]; 6] = [
    [0.70, 0.70, 0.70, 0.75],
    [0.35, 0.75, 1.00, 0.8],
    [1.00, 0.85, 0.30, 0.8],
    [1.00, 0.42, 0.35, 0.8],
    [0.55, 1.00, 0.50, 0.8],
    [0.95, 0.50, 1.00, 0.8],
];

/// A straight line between two points (domain units) with a straight-alpha colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub a: DVec3,
    pub b: DVec3,
    pub colour: [f32; 4],
}

/// The twelve edges of the box `lo..hi`.
pub fn box_edges(lo: DVec3, hi: DVec3, colour: [f32; 4]) -> Vec<Segment> {
    let corner = |i: usize| {
        DVec3::new(
            if i & 1 != 0 { hi.x } else { lo.x },
            if i & 2 != 0 { hi.y } else { lo.y },
            if i & 4 != 0 { hi.z } else { lo.z },
        )
    };
    let mut out = Vec::with_capacity(12);
    for i in 0..8 {
        for bit in [1, 2, 4] {
            if i & bit == 0 {
                out.push(Segment {
                    a: corner(i),
                    b: corner(i | bit),
                    colour,
                });
            }
        }
    }
    out
}

/// The domain's box.
pub fn domain_segments(h: &AmrHierarchy) -> Vec<Segment> {
    box_edges(h.domain_left, h.domain_right, DOMAIN_COLOUR)
}

/// Every grid's box coloured by its level ([`LEVEL_COLOURS`]), coarse levels first.
pub fn grid_segments(h: &AmrHierarchy) -> Vec<Segment> {
    let mut grids: Vec<_> = h.grids.iter().collect();
    grids.sort_by_key(|g| g.level);
    grids
        .iter()
        .flat_map(|g| {
            let colour = LEVEL_COLOURS[g.level as usize % LEVEL_COLOURS.len()];
            box_edges(g.left, g.right, colour)
        })
        .collect()
}

/// Coverage of a pixel whose centre lies `d` pixels from a line `width` pixels wide (a box
/// filter of one pixel over the line's profile).
pub fn coverage(d: f64, width: f64) -> f64 {
    (0.5 * width + 0.5 - d).clamp(0.0, 1.0)
}

/// Distance from `p` to the 2-D segment `a..b`, and the parameter (0..1) of the closest point.
pub fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
    let len2 = ex * ex + ey * ey;
    let u = if len2 > 0.0 {
        (((p[0] - a[0]) * ex + (p[1] - a[1]) * ey) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (dx, dy) = (p[0] - a[0] - u * ex, p[1] - a[1] - u * ey);
    ((dx * dx + dy * dy).sqrt(), u)
}

/// The parameter `t` along the ray `o + t d` (unit `d`) of its closest approach to the segment
/// `a..b`.
pub fn ray_depth(o: DVec3, d: DVec3, a: DVec3, b: DVec3) -> f64 {
    let e = b - a;
    let w = o - a;
    let (dd, de, ee) = (d.dot(d), d.dot(e), e.dot(e));
    let (dw, ew) = (d.dot(w), e.dot(w));
    let den = dd * ee - de * de;
    let u = if ee <= 0.0 {
        0.0
    } else if den.abs() <= 1e-12 * dd * ee {
        // Parallel to the ray: its nearest end.
        if (a - o).dot(d) <= (b - o).dot(d) {
            0.0
        } else {
            1.0
        }
    } else {
        ((dd * ew - de * dw) / den).clamp(0.0, 1.0)
    };
    (a + e * u - o).dot(d)
}

/// A linear function of points, positive where the rays can reach them: in front of a
/// pinhole, or on the far side of a parallel lens's origin plane.
fn front_side(rays: &RayModel, w: u32, h: u32) -> (DVec3, f64) {
    let fixed_origin = rays.ox == DVec3::ZERO && rays.oy == DVec3::ZERO;
    let (n, near) = if fixed_origin {
        let n = (rays.d0 + rays.dx * (0.5 * w as f64) + rays.dy * (0.5 * h as f64)).normalize();
        (n, 1e-6 * rays.dx.length().max(rays.dy.length()).max(1e-300))
    } else {
        let n = rays.ox.cross(rays.oy).normalize();
        (if n.dot(rays.d0) < 0.0 { -n } else { n }, 0.0)
    };
    (n, n.dot(rays.o0) + near)
}

/// Per pixel: the nearest line's depth and its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct GeometryLayer {
    pub width: u32,
    pub height: u32,
    /// Ray parameter of the line, domain units along the unit direction; `INFINITY` where no
    /// line is.
    pub depth: Vec<f32>,
    /// Premultiplied RGBA, 8 bits per channel (as the GPU holds it).
    pub colour: Vec<[u8; 4]>,
}

impl GeometryLayer {
    /// A layer without lines.
    pub fn empty(width: u32, height: u32) -> GeometryLayer {
        let n = (width * height) as usize;
        GeometryLayer {
            width,
            height,
            depth: vec![f32::INFINITY; n],
            colour: vec![[0; 4]; n],
        }
    }

    /// Rasterises `segments` for an image of `width` x `height` pixels of `rays`: each line
    /// [`LINE_WIDTH`] pixels wide and anti-aliased; where lines overlap, the nearer is drawn
    /// over the farther and the depth is the nearer one's.
    pub fn rasterize(segments: &[Segment], rays: &RayModel, width: u32, height: u32) -> Self {
        let n = (width * height) as usize;
        let mut depth = vec![f32::INFINITY; n];
        let mut colour = vec![[0.0f32; 4]; n];
        let (normal, offset) = front_side(rays, width, height);
        for s in segments {
            let Some((a, b)) = clip(s.a, s.b, normal, offset) else {
                continue;
            };
            let (Some(pa), Some(pb)) = (rays.pixel_of(a), rays.pixel_of(b)) else {
                continue;
            };
            let premul = [
                s.colour[0] * s.colour[3],
                s.colour[1] * s.colour[3],
                s.colour[2] * s.colour[3],
                s.colour[3],
            ];
            let mut put = |x: i64, y: i64, cov: f64| {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let (o, d) = rays.ray(px, py);
                let t = ray_depth(o, d, a, b);
                if t < 0.0 {
                    return;
                }
                let i = (y as usize) * width as usize + x as usize;
                let c = premul.map(|v| v * cov as f32);
                let old = colour[i];
                if (t as f32) < depth[i] {
                    colour[i] = over(c, old);
                    depth[i] = t as f32;
                } else {
                    colour[i] = over(old, c);
                }
            };
            for_each_pixel((pa.0, pa.1), (pb.0, pb.1), (width, height), &mut put);
        }
        GeometryLayer {
            width,
            height,
            depth,
            colour: colour
                .iter()
                .map(|c| c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
                .collect(),
        }
    }

    /// Combines `other` (a layer of the same size, e.g. slice planes) into this one: per pixel
    /// the nearer of the two is drawn over the farther (an opaque nearer one hides the
    /// farther), and the depth is the nearer one's. The volume between the two is then left
    /// out, which is exact when the nearer one is opaque and a small error under thin lines.
    pub fn merge(&mut self, other: &GeometryLayer) {
        assert_eq!(
            (self.width, self.height),
            (other.width, other.height),
            "merged layers differ in size"
        );
        for i in 0..self.depth.len() {
            let (mine, theirs) = (self.colour_at(i), other.colour_at(i));
            let (front, back) = if other.depth[i] < self.depth[i] {
                self.depth[i] = other.depth[i];
                (theirs, mine)
            } else {
                (mine, theirs)
            };
            self.colour[i] = over(front, back).map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    }

    /// The line's premultiplied colour at pixel index `i`, as the shader unpacks it.
    pub fn colour_at(&self, i: usize) -> [f32; 4] {
        self.colour[i].map(|v| v as f32 / 255.0)
    }

    /// The texels of the GPU's geometry texture (`Rg32Uint`): the depth in the normalised frame
    /// (domain units over `scale`) as `f32` bits, and the colour packed as WGSL's
    /// `pack4x8unorm` packs it (red in the low byte).
    pub fn texels(&self, scale: f64) -> Vec<[u32; 2]> {
        self.depth
            .iter()
            .zip(&self.colour)
            .map(|(&t, c)| {
                [
                    ((t as f64 / scale) as f32).to_bits(),
                    u32::from_le_bytes(*c),
                ]
            })
            .collect()
    }

    /// Draws the lines over an 8-bit image of the same size (MIP and projection, which have
    /// no depth to hide them).
    pub fn draw_over(&self, canvas: &mut super::Canvas) {
        for y in 0..self.height.min(canvas.height) {
            for x in 0..self.width.min(canvas.width) {
                let i = (y * self.width + x) as usize;
                let c = self.colour_at(i);
                if c[3] > 0.0 {
                    let rgb = [c[0] / c[3], c[1] / c[3], c[2] / c[3]];
                    canvas.blend(x as i64, y as i64, rgb, c[3]);
                }
            }
        }
    }
}

/// Premultiplied `front` over `back`.
fn over(front: [f32; 4], back: [f32; 4]) -> [f32; 4] {
    let k = 1.0 - front[3];
    [0, 1, 2, 3].map(|c| front[c] + k * back[c])
}

/// The part of `a..b` where `normal . p > offset`.
fn clip(a: DVec3, b: DVec3, normal: DVec3, offset: f64) -> Option<(DVec3, DVec3)> {
    let (ga, gb) = (normal.dot(a) - offset, normal.dot(b) - offset);
    match (ga > 0.0, gb > 0.0) {
        (true, true) => Some((a, b)),
        (false, false) => None,
        (true, false) => Some((a, a + (b - a) * (ga / (ga - gb)) * (1.0 - 1e-9))),
        (false, true) => Some((b + (a - b) * (gb / (gb - ga)) * (1.0 - 1e-9), b)),
    }
}

/// Calls `put(x, y, coverage)` once for every pixel of a `size` image that a line
/// [`LINE_WIDTH`] pixels wide from `a` to `b` (pixel coordinates, pixel centres at +0.5)
/// covers. The line is cut into pieces of at most 16 pixels, each visiting the pixels of its
/// own box whose closest point on the line falls in that piece, so a long diagonal does not
/// visit its whole bounding box and no pixel is visited twice.
pub fn for_each_pixel(
    a: (f64, f64),
    b: (f64, f64),
    size: (u32, u32),
    put: &mut impl FnMut(i64, i64, f64),
) {
    let (a, b) = ([a.0, a.1], [b.0, b.1]);
    let len = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
    if !len.is_finite() {
        return;
    }
    let pieces = (len / 16.0).ceil().clamp(1.0, 1e6) as usize;
    let r = 0.5 * LINE_WIDTH + 1.0;
    for k in 0..pieces {
        let (u0, u1) = (k as f64 / pieces as f64, (k + 1) as f64 / pieces as f64);
        let at = |u: f64| [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u];
        let (p, q) = (at(u0), at(u1));
        let x0 = (p[0].min(q[0]) - r).floor().max(0.0) as i64;
        let x1 = (p[0].max(q[0]) + r).ceil().min(size.0 as f64) as i64;
        let y0 = (p[1].min(q[1]) - r).floor().max(0.0) as i64;
        let y1 = (p[1].max(q[1]) + r).ceil().min(size.1 as f64) as i64;
        for y in y0..y1 {
            for x in x0..x1 {
                let (d, u) = segment_distance([x as f64 + 0.5, y as f64 + 0.5], a, b);
                let mine = u >= u0 && (u < u1 || k + 1 == pieces);
                let cov = coverage(d, LINE_WIDTH);
                if mine && cov > 0.0 {
                    put(x, y, cov);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::{Camera, Lens, View};

    fn cam(lens: Lens) -> RayModel {
        Camera::framing(View::Z, lens, DVec3::ZERO, DVec3::ONE, 1.0)
            .ray_model(64, 64)
            .unwrap()
    }

    #[test]
    fn a_box_has_twelve_unit_edges() {
        let e = box_edges(DVec3::ZERO, DVec3::ONE, DOMAIN_COLOUR);
        assert_eq!(e.len(), 12);
        assert!(e.iter().all(|s| ((s.b - s.a).length() - 1.0).abs() < 1e-12));
    }

    #[test]
    fn depth_is_where_the_pixel_ray_meets_the_line() {
        for lens in [Lens::Plane, Lens::Perspective] {
            let rays = cam(lens);
            // A line along x through the domain's centre, at z = 0.25.
            let (a, b) = (DVec3::new(0.1, 0.5, 0.25), DVec3::new(0.9, 0.5, 0.25));
            let seg = Segment {
                a,
                b,
                colour: [1.0, 0.0, 0.0, 1.0],
            };
            let layer = GeometryLayer::rasterize(&[seg], &rays, 64, 64);
            let (px, py) = rays.pixel_of(DVec3::new(0.5, 0.5, 0.25)).unwrap();
            let (x, y) = (px.floor() as u32, py.floor() as u32);
            let i = (y * 64 + x) as usize;
            let (o, d) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
            let expect = (0.25 - o.z) / d.z;
            assert!(((layer.depth[i] as f64) - expect).abs() < 1e-3, "{lens:?}");
            assert!(
                layer.colour[i][0] > 100 && layer.colour[i][1] == 0,
                "{lens:?}"
            );
            // Far from the line: nothing.
            assert_eq!(layer.depth[5], f32::INFINITY);
            assert_eq!(layer.colour[5], [0; 4]);
        }
    }

    #[test]
    fn merging_keeps_the_nearer_over_the_farther() {
        let layer = |t: f32, c: [u8; 4]| GeometryLayer {
            width: 1,
            height: 1,
            depth: vec![t],
            colour: vec![c],
        };
        let plane = layer(2.0, [0, 200, 0, 255]);
        // A half-covering red line in front of an opaque plane shows over it at its depth.
        let mut front = layer(1.0, [128, 0, 0, 128]);
        front.merge(&plane);
        assert_eq!((front.depth[0], front.colour[0]), (1.0, [128, 100, 0, 255]));
        // Behind the plane it is hidden.
        let mut behind = layer(3.0, [128, 0, 0, 128]);
        behind.merge(&plane);
        assert_eq!(behind, plane);
        // An empty layer changes nothing.
        let mut empty = GeometryLayer::empty(1, 1);
        empty.merge(&plane);
        assert_eq!(empty, plane);
    }

    #[test]
    fn lines_are_about_one_and_a_quarter_pixels_wide() {
        let rays = cam(Lens::Plane);
        let seg = Segment {
            a: DVec3::new(0.1, 0.5, 0.5),
            b: DVec3::new(0.9, 0.5, 0.5),
            colour: [1.0; 4],
        };
        let layer = GeometryLayer::rasterize(&[seg], &rays, 64, 64);
        // The summed coverage across the line, away from its ends, is its width.
        let column: f64 = (0..64)
            .map(|y| layer.colour[y * 64 + 32][3] as f64 / 255.0)
            .sum();
        assert!((column - LINE_WIDTH).abs() < 0.02, "{column}");
    }

    #[test]
    fn lines_behind_a_pinhole_are_clipped() {
        let rays = cam(Lens::Perspective);
        let cam = Camera::framing(View::Z, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.0);
        // A line from in front of the camera to far behind it.
        let seg = Segment {
            a: DVec3::new(0.5, 0.6, 0.5),
            b: DVec3::new(0.5, 0.6, cam.position.z + 10.0),
            colour: [1.0; 4],
        };
        let layer = GeometryLayer::rasterize(&[seg], &rays, 64, 64);
        assert!(layer.depth.iter().all(|t| *t >= 0.0));
        assert!(layer.depth.iter().any(|t| t.is_finite()));
    }
}
