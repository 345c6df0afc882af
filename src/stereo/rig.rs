//! The two eyes of a stereo pair, each reduced to a [`RayModel`].
//!
//! Notation: the mono camera sits at `P` with orthonormal (forward `f`, right `r`, up `u`); `D` is
//! the zero-parallax (focal) distance along `f` (default `|focus - P|`) and `e` the eye separation
//! (default `D / 30`); an eye's sign `s` is -1 (left) or +1 (right).
//!
//! - **Parallel** (off-axis, the correct one): eye `s` sits at `P + s e/2 r`, looks along `f`, and
//!   its rays pass through the same points of the zero-parallax plane as the mono camera's: the
//!   two asymmetric frusta share one image rectangle at distance `D`. In the ray model that is
//!   `o0 += s e/2 r`, `d0 -= s e/(2D) r` (directions keep the unit `f` component). For the
//!   plane (orthographic) lens the same change is a shear: the image plane stays where it is,
//!   every ray tilts by `atan(e / 2D)` (half the stereo angle) about `u`, and origins move by
//!   `s e/2 r`, so the plane through the focus keeps zero parallax.
//! - **Toe-in**: eye `s` is the mono camera moved by `s e/2 r` and turned to look at the
//!   convergence point `C = P + D f` (yt's stereo lens). It reproduces that rig's vertical
//!   parallax and keystone away from the centre. For the plane lens each eye is the mono camera
//!   rotated about `C` (around `u`) by half the stereo angle `atan(e / 2D)`.
//!
//! Horizontal disparity of a parallel rig, right minus left in pixels, of a point at distance `z`
//! along `f` from `P` (zero on the plane `z = D`, negative (crossed) in front of it, positive
//! (uncrossed) behind it), with `p` the pixel size on the zero-parallax plane:
//! perspective `e (1 - D/z) / p`, `p = 2 D tan(fov/2) / height`; plane lens `e (z/D - 1) / p`,
//! `p = width / pixels`. Vertical disparity is zero everywhere.

use crate::camera::{Camera, Lens, RayModel};
use crate::error::{Error, Result};
use glam::DQuat;

/// Default eye separation as a fraction of the zero-parallax distance (Paul Bourke's 1/30).
pub const DEFAULT_SEPARATION_FRACTION: f64 = 1.0 / 30.0;

/// One eye of a stereo pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Eye {
    Left,
    Right,
}

impl Eye {
    pub const BOTH: [Eye; 2] = [Eye::Left, Eye::Right];

    /// -1 for the left eye, +1 for the right: the side of the camera's right vector it sits on.
    pub fn sign(self) -> f64 {
        match self {
            Eye::Left => -1.0,
            Eye::Right => 1.0,
        }
    }

    /// `L` or `R`, as in the output names `OUT_L.png`, `OUT_R.png`.
    pub fn letter(self) -> &'static str {
        match self {
            Eye::Left => "L",
            Eye::Right => "R",
        }
    }
}

/// How the two eyes' frusta relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Projection {
    /// Parallel axes, asymmetric frusta sharing one image rectangle (no vertical parallax).
    #[default]
    Parallel,
    /// Converging axes (vertical parallax and keystone away from the centre).
    ToeIn,
}

crate::names::named_enum!(Projection, "stereo projection", {
    Parallel => "parallel",
    ToeIn => "toe-in",
});

/// A stereo camera rig around a mono [`Camera`].
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct StereoRig {
    pub projection: Projection,
    /// Distance between the eyes in domain units; `None`: the zero-parallax distance / 30.
    pub eye_separation: Option<f64>,
    /// Distance from the camera along its view to the zero-parallax plane; `None`: the distance
    /// from the camera to its focus.
    pub focal_distance: Option<f64>,
}

impl StereoRig {
    pub fn new(projection: Projection) -> Self {
        StereoRig {
            projection,
            ..Default::default()
        }
    }

    /// Checks the explicit settings (the defaults depend on the camera and are always valid).
    pub fn validate(&self) -> Result<()> {
        if let Some(e) = self.eye_separation {
            if !e.is_finite() || e < 0.0 {
                return Err(Error::Settings(format!(
                    "eye separation {e} must be zero or positive (domain units, --eye-separation)"
                )));
            }
        }
        if let Some(d) = self.focal_distance {
            if !d.is_finite() || d <= 0.0 {
                return Err(Error::Settings(format!(
                    "focal distance {d} must be positive (domain units, --focal-distance)"
                )));
            }
        }
        Ok(())
    }

    /// The zero-parallax distance `D` for `cam`.
    pub fn focal_distance(&self, cam: &Camera) -> Result<f64> {
        self.validate()?;
        cam.basis()?;
        Ok(self
            .focal_distance
            .unwrap_or_else(|| (cam.focus - cam.position).length()))
    }

    /// The eye separation `e` for `cam`.
    pub fn eye_separation(&self, cam: &Camera) -> Result<f64> {
        let d = self.focal_distance(cam)?;
        Ok(self
            .eye_separation
            .unwrap_or(d * DEFAULT_SEPARATION_FRACTION))
    }

    /// The stereo angle in radians, `2 atan(e / 2D)`: the angle between the two eyes' lines of
    /// sight to the centre of the zero-parallax plane. For the plane lens it is the angle between
    /// the eyes' parallel rays (the shear, or the toe-in rotation, is half of it per eye); the
    /// default `e = D/30` makes it 1.91 degrees.
    pub fn stereo_angle(&self, cam: &Camera) -> Result<f64> {
        let d = self.focal_distance(cam)?;
        let e = self.eye_separation(cam)?;
        Ok(2.0 * (0.5 * e / d).atan())
    }

    /// The rays of `cam` for an image of `w` x `h` pixels: one model without a rig, else
    /// both eyes' (left first), each at the full size.
    pub fn views(rig: Option<&StereoRig>, cam: &Camera, w: u32, h: u32) -> Result<Vec<RayModel>> {
        match rig {
            None => Ok(vec![cam.ray_model(w, h)?]),
            Some(rig) => Eye::BOTH
                .iter()
                .map(|&e| rig.eye_rays(cam, w, h, e))
                .collect(),
        }
    }

    /// The rays of `eye` for an image of `w` x `h` pixels (each eye has the full size).
    pub fn eye_rays(&self, cam: &Camera, w: u32, h: u32, eye: Eye) -> Result<RayModel> {
        let d = self.focal_distance(cam)?;
        let e = self.eye_separation(cam)?;
        let (f, r, u) = cam.basis()?;
        let s = eye.sign();
        match self.projection {
            Projection::Parallel => {
                let mono = cam.ray_model(w, h)?;
                Ok(RayModel {
                    o0: mono.o0 + r * (s * 0.5 * e),
                    d0: mono.d0 - r * (s * 0.5 * e / d),
                    ..mono
                })
            }
            Projection::ToeIn => {
                let convergence = cam.position + f * d;
                let position = match cam.lens {
                    Lens::Perspective => cam.position + r * (s * 0.5 * e),
                    Lens::Plane => {
                        // Turn the camera about the convergence point so that it moves toward
                        // s r: a positive angle about u takes -f toward +r.
                        let half = (0.5 * e / d).atan();
                        convergence + DQuat::from_axis_angle(u, s * half) * (-f * d)
                    }
                };
                Camera {
                    position,
                    focus: convergence,
                    up: u,
                    ..*cam
                }
                .ray_model(w, h)
            }
        }
    }

    /// The analytic horizontal disparity of a parallel rig, right minus left in pixels, of a
    /// point at distance `z` along the view from the camera (see the module documentation);
    /// `None` for toe-in, whose disparity depends on the position in the image too.
    pub fn disparity(&self, cam: &Camera, w: u32, h: u32, z: f64) -> Result<Option<f64>> {
        let d = self.focal_distance(cam)?;
        let e = self.eye_separation(cam)?;
        cam.ray_model(w, h)?;
        if self.projection == Projection::ToeIn {
            return Ok(None);
        }
        Ok(Some(match cam.lens {
            Lens::Perspective => {
                let p = 2.0 * d * (0.5 * cam.fov).to_radians().tan() / h as f64;
                e * (1.0 - d / z) / p
            }
            Lens::Plane => {
                let p = cam.width / w as f64;
                e * (z / d - 1.0) / p
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::View;
    use glam::DVec3;

    const W: u32 = 120;
    const H: u32 = 80;

    /// A camera looking along -z from (0.5, 0.5, 3), focus at the centre of the unit cube, with
    /// a small tilt so that no axis is special.
    fn camera(lens: Lens) -> Camera {
        let mut cam = Camera::framing(View::Z, lens, DVec3::ZERO, DVec3::ONE, 1.5);
        cam.position = DVec3::new(0.6, 0.45, 3.0);
        cam.up = DVec3::new(0.1, 1.0, 0.05);
        cam.fov = 35.0;
        cam.width = 1.4;
        cam
    }

    fn rig(projection: Projection, e: f64, d: Option<f64>) -> StereoRig {
        StereoRig {
            projection,
            eye_separation: Some(e),
            focal_distance: d,
        }
    }

    /// A point at distance `z` along the view and `(x, y)` along (right, up) from the view axis.
    fn point(cam: &Camera, x: f64, y: f64, z: f64) -> DVec3 {
        let (f, r, u) = cam.basis().unwrap();
        cam.position + f * z + r * x + u * y
    }

    fn pixels(rig: &StereoRig, cam: &Camera, p: DVec3) -> [(f64, f64); 2] {
        Eye::BOTH.map(|eye| {
            rig.eye_rays(cam, W, H, eye)
                .unwrap()
                .pixel_of(p)
                .expect("the point is in front of both eyes")
        })
    }

    #[test]
    fn defaults_follow_the_focus_distance() {
        let cam = camera(Lens::Perspective);
        let rig = StereoRig::new(Projection::Parallel);
        let dist = (cam.focus - cam.position).length();
        assert!((rig.focal_distance(&cam).unwrap() - dist).abs() < 1e-12);
        assert!((rig.eye_separation(&cam).unwrap() - dist / 30.0).abs() < 1e-12);
        assert!((rig.stereo_angle(&cam).unwrap().to_degrees() - 1.9095).abs() < 1e-3);
        let rig = StereoRig {
            focal_distance: Some(1.5),
            ..rig
        };
        assert!((rig.eye_separation(&cam).unwrap() - 0.05).abs() < 1e-12);
    }

    #[test]
    fn parallel_eyes_sit_on_the_baseline_and_look_along_the_view() {
        let cam = camera(Lens::Perspective);
        let (f, r, _) = cam.basis().unwrap();
        let rig = rig(Projection::Parallel, 0.2, Some(2.0));
        let [l, rr] = Eye::BOTH.map(|eye| rig.eye_rays(&cam, W, H, eye).unwrap());
        assert!((l.o0 - (cam.position - r * 0.1)).length() < 1e-12);
        assert!((rr.o0 - (cam.position + r * 0.1)).length() < 1e-12);
        // The central axes of both frusta are parallel to the view (asymmetric frusta): the
        // mean of the corner directions' unnormalised sums keeps f's direction.
        for m in [l, rr] {
            let centre = m.d0 + m.dx * (W as f64 * 0.5) + m.dy * (H as f64 * 0.5);
            assert!((centre.dot(f) - 1.0).abs() < 1e-12);
            assert!(centre.cross(f).dot(r).abs() < 1e-12, "no vertical tilt");
        }
    }

    #[test]
    fn parallel_zero_parallax_plane_and_disparity_formula() {
        for lens in [Lens::Perspective, Lens::Plane] {
            let cam = camera(lens);
            let (e, d) = (0.15, 2.4);
            let rig = rig(Projection::Parallel, e, Some(d));
            for (x, y) in [
                (0.0, 0.0),
                (0.3, 0.2),
                (-0.35, 0.25),
                (0.2, -0.3),
                (-0.3, -0.2),
            ] {
                let [a, b] = pixels(&rig, &cam, point(&cam, x, y, d));
                assert!(
                    (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
                    "{lens:?}: same pixel on the zero-parallax plane: {a:?} {b:?}"
                );
                for z in [1.6, 2.0, 3.1, 4.0] {
                    let [a, b] = pixels(&rig, &cam, point(&cam, x, y, z));
                    let want = rig.disparity(&cam, W, H, z).unwrap().unwrap();
                    assert!((b.0 - a.0 - want).abs() < 1e-9, "{lens:?} z {z}");
                    assert!((b.1 - a.1).abs() < 1e-9, "{lens:?}: no vertical parallax");
                    assert_eq!(
                        (b.0 - a.0) < 0.0,
                        z < d,
                        "crossed in front, uncrossed behind"
                    );
                }
            }
        }
        // The formula's numbers: perspective, pixel size on the plane 2 D tan(fov/2) / H.
        let cam = camera(Lens::Perspective);
        let rig = rig(Projection::Parallel, 0.15, Some(2.4));
        let p = 2.0 * 2.4 * 17.5f64.to_radians().tan() / H as f64;
        let got = rig.disparity(&cam, W, H, 1.2).unwrap().unwrap();
        assert!((got - 0.15 * (1.0 - 2.0) / p).abs() < 1e-9);
    }

    #[test]
    fn plane_lens_shear_tilts_by_half_the_stereo_angle() {
        let cam = camera(Lens::Plane);
        let (f, _, u) = cam.basis().unwrap();
        let rig = rig(Projection::Parallel, 0.1, Some(2.0));
        let mono = cam.ray_model(W, H).unwrap();
        let half = rig.stereo_angle(&cam).unwrap() * 0.5;
        assert!((half - (0.05f64 / 2.0).atan()).abs() < 1e-15);
        for eye in Eye::BOTH {
            let m = rig.eye_rays(&cam, W, H, eye).unwrap();
            let (o, dir) = m.ray(7.0, 11.0);
            let (o_mono, _) = mono.ray(7.0, 11.0);
            // Same image plane, tilted about up only.
            assert!((o - o_mono).dot(f).abs() < 1e-12);
            assert!(dir.dot(u).abs() < 1e-12);
            assert!((dir.angle_between(f) - half).abs() < 1e-12);
            // The right eye's rays turn toward -r (to the left), the left eye's to +r.
            let (_, r, _) = cam.basis().unwrap();
            assert_eq!(dir.dot(r) < 0.0, eye == Eye::Right);
        }
        // Disparity linear in depth.
        let ds: Vec<f64> = [1.0, 1.5, 2.0, 2.5, 3.0]
            .iter()
            .map(|&z| {
                let [a, b] = pixels(&rig, &cam, point(&cam, 0.1, 0.2, z));
                b.0 - a.0
            })
            .collect();
        for w in ds.windows(2) {
            assert!((w[1] - w[0] - (ds[1] - ds[0])).abs() < 1e-9);
        }
        assert!(ds[2].abs() < 1e-9);
    }

    #[test]
    fn toe_in_converges_with_vertical_parallax_at_the_corners() {
        let cam = camera(Lens::Perspective);
        let (e, d) = (0.3, 2.5);
        let rig = rig(Projection::ToeIn, e, Some(d));
        let (f, r, _) = cam.basis().unwrap();
        let c = cam.position + f * d;
        for eye in Eye::BOTH {
            let m = rig.eye_rays(&cam, W, H, eye).unwrap();
            assert!((m.o0 - (cam.position + r * (eye.sign() * e * 0.5))).length() < 1e-12);
            let (px, py) = m.pixel_of(c).unwrap();
            assert!((px - W as f64 / 2.0).abs() < 1e-9 && (py - H as f64 / 2.0).abs() < 1e-9);
        }
        // On the convergence plane: no vertical parallax on the axes; at the corners the eye
        // nearer the point sees it farther from the centre (keystone): the right eye sees the
        // top-right corner higher (smaller row) and the bottom-right one lower.
        let v = |x: f64, y: f64| {
            let [a, b] = pixels(&rig, &cam, point(&cam, x, y, d));
            b.1 - a.1
        };
        assert!(v(0.0, 0.0).abs() < 1e-9);
        assert!(v(0.0, 0.4).abs() < 1e-9);
        assert!(v(0.4, 0.0).abs() < 1e-9);
        assert!(v(0.4, 0.4) < -0.05);
        assert!(v(0.4, -0.4) > 0.05);
        assert!(v(-0.4, 0.4) > 0.05);
        assert!(v(-0.4, -0.4) < -0.05);
        assert!((v(0.4, 0.4) + v(0.4, -0.4)).abs() < 1e-9, "symmetric");
        assert_eq!(rig.disparity(&cam, W, H, 2.0).unwrap(), None);
    }

    #[test]
    fn plane_toe_in_rotates_about_the_convergence_point() {
        let cam = camera(Lens::Plane);
        let (f, r, u) = cam.basis().unwrap();
        let rig = rig(Projection::ToeIn, 0.2, Some(2.0));
        let c = cam.position + f * 2.0;
        let half = (0.05f64).atan();
        for eye in Eye::BOTH {
            let m = rig.eye_rays(&cam, W, H, eye).unwrap();
            let (o, dir) = m.ray(W as f64 / 2.0, H as f64 / 2.0);
            assert!(((o - c).length() - 2.0).abs() < 1e-12);
            assert!((c - o).normalize().dot(dir) > 1.0 - 1e-12);
            assert!((dir.angle_between(f) - half).abs() < 1e-12);
            assert!(dir.dot(u).abs() < 1e-12);
            assert_eq!((o - cam.position).dot(r) > 0.0, eye == Eye::Right);
            // Orthographic: still no vertical parallax.
            let [a, b] = pixels(&rig, &cam, point(&cam, 0.3, 0.3, 1.4));
            assert!((a.1 - b.1).abs() < 1e-9);
        }
    }

    #[test]
    fn zero_separation_is_the_mono_camera() {
        for lens in [Lens::Perspective, Lens::Plane] {
            let cam = camera(lens);
            let mono = cam.ray_model(W, H).unwrap();
            for projection in [Projection::Parallel, Projection::ToeIn] {
                for eye in Eye::BOTH {
                    let m = rig(projection, 0.0, None)
                        .eye_rays(&cam, W, H, eye)
                        .unwrap();
                    for (px, py) in [(0.5, 0.5), (60.0, 40.0), (119.5, 79.5)] {
                        let (a, b) = (m.ray(px, py), mono.ray(px, py));
                        assert!((a.0 - b.0).length() < 1e-12 && (a.1 - b.1).length() < 1e-12);
                    }
                }
            }
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        let cam = camera(Lens::Perspective);
        let e = rig(Projection::Parallel, -0.1, None)
            .eye_rays(&cam, W, H, Eye::Left)
            .unwrap_err();
        assert!(e.to_string().contains("eye separation -0.1"), "{e}");
        for d in [0.0, -1.0, f64::NAN] {
            let e = rig(Projection::ToeIn, 0.1, Some(d))
                .eye_rays(&cam, W, H, Eye::Right)
                .unwrap_err();
            assert!(e.to_string().contains("focal distance"), "{e}");
        }
        assert!("sideways".parse::<Projection>().is_err());
        assert_eq!("toe-in".parse::<Projection>().unwrap(), Projection::ToeIn);
    }
}
