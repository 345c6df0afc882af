//! Grid and domain outlines on a slice: each box the slice's plane cuts is a convex polygon
//! there (a rectangle for an axis-aligned plane, up to a hexagon for an oblique one), drawn as
//! 2-D lines on the slice's pixels in the colours of the 3-D outlines
//! ([`crate::annotate::outlines`]).

use super::{SliceFrame, SlicePlane};
use crate::amr::AmrHierarchy;
use crate::annotate::outlines::{for_each_pixel, DOMAIN_COLOUR, LEVEL_COLOURS};
use crate::annotate::{Annotations, Canvas};
use glam::DVec3;

/// A polygon on a slice image: its vertices in pixel coordinates (x right, y down, pixel
/// centres at +0.5), in order around it, and its colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub points: Vec<[f64; 2]>,
    pub colour: [f32; 3],
}

/// Where `plane` cuts the box `lo..hi`: the polygon's vertices in space, in order around it;
/// `None` where it misses. A box is cut where it has points on the plane's front side
/// (along the normal) and points on or behind the plane, so of two boxes meeting face to face
/// on the plane only the one in front is cut, as a slice samples only one of them; `closed`
/// also counts a box that only touches the plane from behind (the domain, closed on both
/// sides).
pub fn section(plane: &SlicePlane, lo: DVec3, hi: DVec3, closed: bool) -> Option<Vec<DVec3>> {
    let corner = |i: usize| {
        DVec3::new(
            if i & 1 != 0 { hi.x } else { lo.x },
            if i & 2 != 0 { hi.y } else { lo.y },
            if i & 4 != 0 { hi.z } else { lo.z },
        )
    };
    let eps = 1e-12
        * (hi - lo)
            .max_element()
            .max(plane.center.abs().max_element());
    let d: Vec<f64> = (0..8)
        .map(|i| (corner(i) - plane.center).dot(plane.normal))
        .collect();
    let (min, max) = d
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let front = if closed { max >= -eps } else { max > eps };
    if min > eps || !front {
        return None;
    }
    // The corners on the plane, and the crossings of the edges that pass through it.
    let mut points: Vec<DVec3> = (0..8).filter(|&i| d[i].abs() <= eps).map(corner).collect();
    for i in 0..8 {
        for bit in [1, 2, 4] {
            let j = i | bit;
            if i & bit == 0 && ((d[i] < -eps && d[j] > eps) || (d[i] > eps && d[j] < -eps)) {
                let (a, b) = (corner(i), corner(j));
                points.push(a + (b - a) * (d[i] / (d[i] - d[j])));
            }
        }
    }
    if points.len() < 3 {
        return None;
    }
    // Convex: ordered by angle around the centroid, in the plane's own axes.
    let c = points.iter().copied().sum::<DVec3>() / points.len() as f64;
    let angle = |p: &DVec3| {
        let r = *p - c;
        r.dot(plane.up).atan2(r.dot(plane.right))
    };
    points.sort_by(|a, b| angle(a).total_cmp(&angle(b)));
    Some(points)
}

/// The outlines `annotations` asks for on `frame`'s image of `h`: the grids' sections
/// coloured by level, coarse levels first, then the domain's.
pub fn outlines(frame: &SliceFrame, h: &AmrHierarchy, annotations: &Annotations) -> Vec<Outline> {
    let to_pixels =
        |poly: Vec<DVec3>| -> Vec<[f64; 2]> { poly.iter().map(|&p| frame.pixel_of(p)).collect() };
    let mut out = Vec::new();
    if annotations.grids {
        let mut grids: Vec<_> = h.grids.iter().collect();
        grids.sort_by_key(|g| g.level);
        for g in grids {
            if let Some(poly) = section(&frame.plane, g.left, g.right, false) {
                let c = LEVEL_COLOURS[g.level as usize % LEVEL_COLOURS.len()];
                out.push(Outline {
                    points: to_pixels(poly),
                    colour: [c[0], c[1], c[2]],
                });
            }
        }
    }
    if annotations.domain {
        if let Some(poly) = section(&frame.plane, h.domain_left, h.domain_right, true) {
            let c = DOMAIN_COLOUR;
            out.push(Outline {
                points: to_pixels(poly),
                colour: [c[0], c[1], c[2]],
            });
        }
    }
    out
}

/// Draws `outlines` on `canvas`, each edge an anti-aliased line of
/// [`crate::annotate::outlines::LINE_WIDTH`] pixels in its colour, opaque (edges shared by
/// neighbouring grids look the same as the others).
pub fn draw(canvas: &mut Canvas, outlines: &[Outline]) {
    let size = (canvas.width, canvas.height);
    for o in outlines {
        let n = o.points.len();
        for k in 0..n {
            let Some((a, b)) = clip(o.points[k], o.points[(k + 1) % n], size) else {
                continue;
            };
            for_each_pixel((a[0], a[1]), (b[0], b[1]), size, &mut |x, y, cov| {
                canvas.blend(x, y, o.colour, cov as f32)
            });
        }
    }
}

/// The part of the segment `a..b` within a few pixels of an image of `size` (Liang-Barsky),
/// so that a deep zoom's far-away edges cost nothing.
fn clip(a: [f64; 2], b: [f64; 2], size: (u32, u32)) -> Option<([f64; 2], [f64; 2])> {
    let pad = 4.0;
    let (lo, hi) = ([-pad, -pad], [size.0 as f64 + pad, size.1 as f64 + pad]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for axis in 0..2 {
        let d = b[axis] - a[axis];
        for (p, q) in [(-d, a[axis] - lo[axis]), (d, hi[axis] - a[axis])] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else if p < 0.0 {
                t0 = t0.max(q / p);
            } else {
                t1 = t1.min(q / p);
            }
        }
    }
    let at = |t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    (t0 <= t1).then(|| (at(t0), at(t1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_plane_cuts_a_box_in_its_rectangle_and_faces_count_once() {
        let plane = SlicePlane::new(DVec3::Z, DVec3::new(0.5, 0.5, 0.25), None).unwrap();
        let (lo, hi) = (DVec3::new(0.1, 0.2, 0.0), DVec3::new(0.4, 0.9, 0.5));
        let poly = section(&plane, lo, hi, false).unwrap();
        assert_eq!(poly.len(), 4);
        for p in &poly {
            assert!((p.x == 0.1 || p.x == 0.4) && (p.y == 0.2 || p.y == 0.9) && p.z == 0.25);
        }
        // On the box's lower face: cut; on its upper face: only when closed.
        let at = |z| SlicePlane::new(DVec3::Z, DVec3::new(0.5, 0.5, z), None).unwrap();
        assert_eq!(section(&at(0.0), lo, hi, false).map(|p| p.len()), Some(4));
        assert!(section(&at(0.5), lo, hi, false).is_none());
        assert_eq!(section(&at(0.5), lo, hi, true).map(|p| p.len()), Some(4));
        assert!(section(&at(0.7), lo, hi, true).is_none());
    }

    #[test]
    fn a_plane_through_the_cube_centre_along_the_diagonal_cuts_a_regular_hexagon() {
        let plane = SlicePlane::new(DVec3::ONE, DVec3::splat(0.5), None).unwrap();
        let poly = section(&plane, DVec3::ZERO, DVec3::ONE, false).unwrap();
        assert_eq!(poly.len(), 6);
        let side = 0.5f64.sqrt();
        for k in 0..6 {
            let e = (poly[(k + 1) % 6] - poly[k]).length();
            assert!((e - side).abs() < 1e-12, "edge {k}: {e}");
        }
    }

    #[test]
    fn clipping_keeps_the_part_near_the_image() {
        let (a, b) = clip([-100.0, 5.0], [300.0, 5.0], (10, 10)).unwrap();
        assert!((a[0] + 4.0).abs() < 1e-9 && (b[0] - 14.0).abs() < 1e-9 && a[1] == 5.0);
        assert!(clip([-100.0, -50.0], [300.0, -50.0], (10, 10)).is_none());
    }
}
