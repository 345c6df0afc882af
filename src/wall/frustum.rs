//! Generalized perspective projection (Kooima 2008) as a [`RayModel`]: the frustum from an eye
//! through a screen's physical rectangle, and its inverse (where a point appears on a screen).
//!
//! A screen with corners `LL` (lower left), `LR` (lower right) and `UL` (upper left), shown at
//! `W` x `H` pixels, has the physical point `UL + px (LR - LL) / W + py (LL - UL) / H` at pixel
//! coordinates `(px, py)` (pixel (0, 0) at the top left, pixel centres at `+0.5`). The ray from
//! the eye `E` through that point has origin `E` and direction
//! `(UL - E) + px (LR - LL) / W + py (LL - UL) / H`, which is affine in `(px, py)`: exactly a
//! pinhole `RayModel` with `o0 = E`, `d0 = UL - E`, `dx = (LR - LL) / W`, `dy = (LL - UL) / H`.
//! Kooima's projection matrix (screen basis, off-axis `glFrustum`, eye translation) describes the
//! same rays; a ray caster needs no matrix. Neighbouring screens share their edges' rays, so a
//! wall shows one continuous scene, and bezels hide what lies behind them like a window frame.

use crate::camera::RayModel;
use glam::{DMat3, DVec2, DVec3};

/// The rays of a screen with corners `lower_left`, `lower_right`, `upper_left` (any units, the
/// eye's too) shown at `size` pixels, seen from `eye`.
pub fn screen_rays(
    lower_left: DVec3,
    lower_right: DVec3,
    upper_left: DVec3,
    size: [u32; 2],
    eye: DVec3,
) -> RayModel {
    RayModel {
        o0: eye,
        ox: DVec3::ZERO,
        oy: DVec3::ZERO,
        d0: upper_left - eye,
        dx: (lower_right - lower_left) / size[0] as f64,
        dy: (lower_left - upper_left) / size[1] as f64,
    }
}

/// Pixel coordinates where the point `p` appears in a pinhole ray model (all rays from `o0`):
/// the inverse of [`RayModel::ray`]. `None` for models whose origins move, for points behind
/// the eye or at it, and for degenerate models.
pub fn project(rays: &RayModel, p: DVec3) -> Option<DVec2> {
    if rays.ox != DVec3::ZERO || rays.oy != DVec3::ZERO {
        return None;
    }
    // d0 + px dx + py dy = lambda (p - o0), lambda > 0.
    let v = p - rays.o0;
    let m = DMat3::from_cols(rays.dx, rays.dy, -v);
    let det = m.determinant();
    let scale = rays.dx.length() * rays.dy.length() * v.length();
    if !det.is_finite() || det.abs() <= 1e-12 * scale {
        return None;
    }
    let x = m.inverse() * -rays.d0;
    (x.z > 0.0 && x.is_finite()).then_some(DVec2::new(x.x, x.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LL: DVec3 = DVec3::new(-1.0, -0.5, 0.0);
    const LR: DVec3 = DVec3::new(1.0, -0.5, 0.0);
    const UL: DVec3 = DVec3::new(-1.0, 0.5, 0.0);

    /// Where the ray through pixel coordinates (px, py) meets the plane of the screen.
    fn hit(m: &RayModel, px: f64, py: f64) -> DVec3 {
        let (o, d) = m.ray(px, py);
        let n = (LR - LL).cross(UL - LL).normalize();
        o + d * ((LL - o).dot(n) / d.dot(n))
    }

    #[test]
    fn pixel_corners_hit_the_screen_corners_from_any_eye() {
        for eye in [
            DVec3::new(0.0, 0.0, 2.0),
            DVec3::new(-3.0, 1.2, 0.7),
            DVec3::new(0.4, -2.0, 5.0),
        ] {
            let m = screen_rays(LL, LR, UL, [40, 20], eye);
            assert!((hit(&m, 0.0, 0.0) - UL).length() < 1e-12);
            assert!((hit(&m, 40.0, 20.0) - LR).length() < 1e-12);
            assert!((hit(&m, 0.0, 20.0) - LL).length() < 1e-12);
            assert!((hit(&m, 40.0, 0.0) - (LR + UL - LL)).length() < 1e-12);
            // The centre of pixel (3, 7): 3.5 pixels of 0.05 right, 7.5 pixels of 0.05 down.
            let p = hit(&m, 3.5, 7.5);
            assert!((p - DVec3::new(-1.0 + 3.5 * 0.05, 0.5 - 7.5 * 0.05, 0.0)).length() < 1e-12);
        }
    }

    #[test]
    fn on_axis_eye_gives_the_symmetric_perspective_frustum() {
        // The eye 1 m in front of the centre of a 2 m x 1 m screen: the same rays as a pinhole
        // camera looking down -z with a vertical field of view of 2 atan(0.5).
        let eye = DVec3::new(0.0, 0.0, 1.0);
        let m = screen_rays(LL, LR, UL, [40, 20], eye);
        let cam = crate::camera::Camera {
            position: eye,
            focus: DVec3::ZERO,
            up: DVec3::Y,
            lens: crate::camera::Lens::Perspective,
            width: 1.0,
            fov: 2.0 * 0.5f64.atan().to_degrees(),
        };
        let c = cam.ray_model(40, 20).unwrap();
        for (px, py) in [(0.0, 0.0), (13.5, 2.5), (40.0, 20.0), (20.0, 10.0)] {
            let (a, b) = (m.ray(px, py), c.ray(px, py));
            assert!((a.0 - b.0).length() < 1e-12 && (a.1 - b.1).length() < 1e-12);
        }
    }

    #[test]
    fn project_inverts_the_rays() {
        let eye = DVec3::new(0.3, 0.2, 1.5);
        let m = screen_rays(LL, LR, UL, [64, 32], eye);
        for (px, py, t) in [(0.5, 0.5, 0.7), (63.5, 31.5, 3.0), (-10.0, 50.0, 1.2)] {
            let (o, d) = m.ray(px, py);
            let q = project(&m, o + d * t).unwrap();
            assert!((q - DVec2::new(px, py)).length() < 1e-9, "{q:?}");
        }
        // Behind the eye: not visible.
        let (o, d) = m.ray(10.0, 10.0);
        assert!(project(&m, o - d).is_none());
        assert!(project(&m, eye).is_none());
    }

    #[test]
    fn points_on_the_screen_plane_have_zero_disparity() {
        let head = DVec3::new(0.2, 0.1, 2.0);
        let half = DVec3::new(0.0325, 0.0, 0.0);
        let left = screen_rays(LL, LR, UL, [48, 32], head - half);
        let right = screen_rays(LL, LR, UL, [48, 32], head + half);
        // On the plane, inside and outside the screen: the same pixel for both eyes.
        for p in [
            DVec3::new(0.1, 0.2, 0.0),
            DVec3::new(-0.9, -0.4, 0.0),
            DVec3::new(3.0, 2.0, 0.0),
        ] {
            let (l, r) = (project(&left, p).unwrap(), project(&right, p).unwrap());
            assert!((l - r).length() < 1e-9, "{l:?} {r:?}");
        }
        // Behind the screen: uncrossed (the right eye sees it further right); in front:
        // crossed. Never any vertical disparity with the head level with the screen's rows.
        for (z, sign) in [(-1.0, 1.0), (-5.0, 1.0), (0.8, -1.0), (1.5, -1.0)] {
            let p = DVec3::new(0.25, -0.3, z);
            let (l, r) = (project(&left, p).unwrap(), project(&right, p).unwrap());
            assert!((r.x - l.x) * sign > 0.5, "z {z}: {l:?} {r:?}");
            assert!((r.y - l.y).abs() < 1e-9, "z {z}: {l:?} {r:?}");
        }
    }

    #[test]
    fn disparity_follows_the_stereo_formula() {
        // Screen distance D, point distance Z from the eyes, separation e:
        // on-screen disparity e (Z - D) / Z.
        let (d, e) = (2.0, 0.065);
        let head = DVec3::new(0.0, 0.0, d);
        let half = DVec3::new(e / 2.0, 0.0, 0.0);
        let left = screen_rays(LL, LR, UL, [2000, 1000], head - half);
        let right = screen_rays(LL, LR, UL, [2000, 1000], head + half);
        let pitch = 2.0 / 2000.0; // metres per pixel
        for z in [0.5, 1.0, 3.0, 10.0] {
            let p = DVec3::new(0.0, 0.0, d - z);
            let disparity = (project(&right, p).unwrap().x - project(&left, p).unwrap().x) * pitch;
            assert!(
                (disparity - e * (z - d) / z).abs() < 1e-12,
                "{z}: {disparity}"
            );
        }
    }
}
