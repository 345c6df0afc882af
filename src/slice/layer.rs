//! Slice planes shown inside a 3-D render: each plane rasterised with the camera's own rays
//! into a [`GeometryLayer`], as the annotation lines are. Per pixel: the ray parameter `t`
//! where the pixel's ray meets the nearest plane inside the domain box, and the plane's
//! colour there, opaque: the field at that point from the finest data ([`super::value_at`],
//! nearest or linear as the render samples), coloured as a slice is ([`super::prepare`]: the
//! render's colormap, scale and bounds).
//!
//! In composite mode the ray caster stops each ray at that depth and puts the plane behind what
//! it accumulated, so the volume in front of a plane is composited over it and the volume
//! behind it is hidden. MIP and projection have no depth to put a plane at: callers refuse
//! them (see `amrcast render --slice-plane`).

use super::{value_at, SlicePlane};
use crate::amr::AmrDataset;
use crate::annotate::GeometryLayer;
use crate::camera::{intersect_box, RayModel};
use crate::render::{DisplaySettings, FloatImage, Interpolation, Mode};
use glam::DVec3;

/// The planes of `planes` for an image of `size` pixels of `rays`: each pixel the nearest
/// plane's depth and opaque colour (`display`: how a slice's values become colours, e.g.
/// [`super::SliceImage::display`]); pixels whose ray meets no plane inside the domain (or only
/// behind its origin) are empty.
pub fn plane_layer(
    ds: &AmrDataset,
    planes: &[SlicePlane],
    rays: &RayModel,
    size: (u32, u32),
    interpolation: Interpolation,
    display: &DisplaySettings,
) -> GeometryLayer {
    let (w, h) = size;
    let hits = hits(ds, planes, rays, size, interpolation);
    let values = FloatImage {
        width: w,
        height: h,
        mode: Mode::Projection,
        pixels: hits.iter().map(|&(_, v)| [v, 0.0, 0.0, 0.0]).collect(),
    };
    let rgba = values.colours(display);
    let mut layer = GeometryLayer::empty(w, h);
    for (i, &(t, _)) in hits.iter().enumerate() {
        if t.is_finite() {
            layer.depth[i] = t;
            layer.colour[i] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], 255];
        }
    }
    layer
}

/// Per pixel: the nearest plane's ray parameter and the field's value there, or
/// `(INFINITY, NaN)`; rows in bands over the available cores.
fn hits(
    ds: &AmrDataset,
    planes: &[SlicePlane],
    rays: &RayModel,
    (w, h): (u32, u32),
    interpolation: Interpolation,
) -> Vec<(f32, f32)> {
    let mut out = vec![(f32::INFINITY, f32::NAN); (w * h) as usize];
    if w == 0 || h == 0 {
        return out;
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let rows_per_band = (h as usize).div_ceil(threads);
    let domain = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    std::thread::scope(|s| {
        for (band, chunk) in out.chunks_mut(rows_per_band * w as usize).enumerate() {
            s.spawn(move || {
                for (k, hit) in chunk.iter_mut().enumerate() {
                    let y = band * rows_per_band + k / w as usize;
                    let x = k % w as usize;
                    let (o, d) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
                    if let Some((t, p)) = nearest_hit(domain, planes, o, d) {
                        *hit = (t as f32, value_at(ds, p, interpolation));
                    }
                }
            });
        }
    });
    out
}

/// The nearest point, at `t >= 0` along the ray `o + t d`, where it meets one of `planes`
/// inside the domain box `lo..hi`: its `t` and the point (clamped into the box against rounding).
pub fn nearest_hit(
    (lo, hi): (DVec3, DVec3),
    planes: &[SlicePlane],
    o: DVec3,
    d: DVec3,
) -> Option<(f64, DVec3)> {
    let (t_in, t_out) = intersect_box(o, d, lo, hi)?;
    let slack = 1e-9 * (hi - lo).max_element();
    planes
        .iter()
        .filter_map(|p| {
            let along = d.dot(p.normal);
            if along.abs() < 1e-12 {
                return None;
            }
            let t = (p.center - o).dot(p.normal) / along;
            (t >= 0.0 && t >= t_in - slack && t <= t_out + slack).then_some(t)
        })
        .min_by(f64::total_cmp)
        .map(|t| (t, (o + d * t).clamp(lo, hi)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slice::{Axis, PlaneSpec};

    #[test]
    fn a_ray_meets_the_nearer_of_two_planes_inside_the_box() {
        let (lo, hi) = (DVec3::new(-1.0, 0.0, 2.0), DVec3::new(1.0, 1.0, 4.0));
        let z = |coord: f64| {
            PlaneSpec::Axis {
                axis: Axis::Z,
                coord,
                center: None,
            }
            .plane(lo, hi)
            .unwrap()
        };
        let planes = [z(2.5), z(3.5)];
        let o = DVec3::new(0.0, 0.5, 5.0);
        let (t, p) = nearest_hit((lo, hi), &planes, o, -DVec3::Z).unwrap();
        assert_eq!((t, p), (1.5, DVec3::new(0.0, 0.5, 3.5)));
        // Outside the box in x: no hit.
        let off = DVec3::new(1.1, 0.5, 5.0);
        assert!(nearest_hit((lo, hi), &planes, off, -DVec3::Z).is_none());
        // Parallel to the planes: no hit.
        assert!(nearest_hit((lo, hi), &planes, o, DVec3::X).is_none());
        // From between the planes, looking down: the lower one, ahead, not the one behind.
        let mid = DVec3::new(0.0, 0.5, 3.0);
        let (t, p) = nearest_hit((lo, hi), &planes, mid, -DVec3::Z).unwrap();
        assert_eq!((t, p.z), (0.5, 2.5));
        // An oblique ray through the x = 0 plane's edge of the box.
        let x0 = PlaneSpec::Axis {
            axis: Axis::X,
            coord: 0.0,
            center: None,
        }
        .plane(lo, hi)
        .unwrap();
        let d = DVec3::new(1.0, 0.0, -1.0).normalize();
        let (t, p) = nearest_hit((lo, hi), &[x0], DVec3::new(-1.0, 0.5, 4.0), d).unwrap();
        assert!(
            (t - 2f64.sqrt()).abs() < 1e-12 && (p - DVec3::new(0.0, 0.5, 3.0)).length() < 1e-12
        );
    }
}
