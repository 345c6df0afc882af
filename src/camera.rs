//! Cameras and lenses, free of any GPU code.
//!
//! Every lens is reduced to a [`RayModel`]: ray origin and (unnormalised) direction are affine in
//! the pixel coordinates. That covers yt's plane-parallel lens (origins move, direction fixed),
//! the perspective lens (origin fixed, directions move), and the off-axis frusta that stereo and
//! walls need, so the GPU and the CPU reference share one ray generator.

use crate::error::{Error, Result};
use glam::DVec3;

/// How rays leave the camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lens {
    /// yt's plane-parallel lens: orthographic, `width` is the image plane's width in domain units.
    #[default]
    Plane,
    /// Pinhole perspective, `fov` is the vertical field of view in degrees.
    Perspective,
}

crate::names::named_enum!(Lens, "lens", {
    Plane => "plane",
    Perspective => "perspective",
});

/// An on-axis view, as yt's on-axis plots: `Z` looks from +z toward -z with x right and y up;
/// `X` shows (y, z), `Y` shows (z, x); the negative ones look from the other side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    X,
    Y,
    Z,
    NegX,
    NegY,
    NegZ,
}

crate::names::named_enum!(View, "view", {
    X => "x",
    Y => "y",
    Z => "z",
    NegX => "-x",
    NegY => "-y",
    NegZ => "-z",
});

impl View {
    /// (direction from the focus to the camera, up vector)
    pub fn axes(self) -> (DVec3, DVec3) {
        match self {
            View::X => (DVec3::X, DVec3::Z),
            View::Y => (DVec3::Y, DVec3::X),
            View::Z => (DVec3::Z, DVec3::Y),
            View::NegX => (-DVec3::X, DVec3::Z),
            View::NegY => (-DVec3::Y, DVec3::X),
            View::NegZ => (-DVec3::Z, DVec3::Y),
        }
    }
}

/// A camera in domain units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub position: DVec3,
    pub focus: DVec3,
    pub up: DVec3,
    pub lens: Lens,
    /// Plane lens: image width in domain units.
    pub width: f64,
    /// Perspective lens: vertical field of view in degrees.
    pub fov: f64,
}

/// Default vertical field of view of the perspective lens, degrees.
pub const DEFAULT_FOV: f64 = 30.0;

/// A camera as the options ask for it (`--lens`, `--view`, `--camera-position`, `--focus`,
/// `--up`, `--width`, `--fov`), before it is placed in a domain by [`CameraSpec::camera`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CameraSpec {
    pub lens: Lens,
    /// On-axis view framing the domain (default [`View::Z`]); excludes `position`.
    pub view: Option<View>,
    pub position: Option<DVec3>,
    /// Default: the framing view's focus, the domain centre.
    pub focus: Option<DVec3>,
    pub up: Option<DVec3>,
    pub width: Option<f64>,
    pub fov: Option<f64>,
}

impl CameraSpec {
    /// The camera for a domain `lo..hi` and an image of `size` pixels.
    pub fn camera(&self, lo: DVec3, hi: DVec3, size: (u32, u32)) -> Result<Camera> {
        let aspect = size.0 as f64 / size.1 as f64;
        let mut cam = match (self.view, self.position) {
            (Some(_), Some(_)) => {
                return Err(Error::Settings(
                    "give either --view or --camera-position, not both".into(),
                ))
            }
            (view, None) => {
                let mut cam = Camera::framing(view.unwrap_or(View::Z), self.lens, lo, hi, aspect);
                if let Some(f) = self.focus {
                    cam.position += f - cam.focus;
                    cam.focus = f;
                }
                cam
            }
            (None, Some(position)) => Camera::looking_from(position, self.focus, self.lens, lo, hi),
        };
        if let Some(up) = self.up {
            cam.up = up;
        }
        if let Some(width) = self.width {
            cam.width = width;
        }
        if let Some(fov) = self.fov {
            cam.fov = fov;
        }
        cam.basis()?;
        Ok(cam)
    }

    /// Whether anything but the lens places the camera.
    pub fn places_camera(&self) -> bool {
        self.view.is_some()
            || self.position.is_some()
            || self.focus.is_some()
            || self.up.is_some()
            || self.width.is_some()
            || self.fov.is_some()
    }
}

impl Camera {
    /// A camera on `view`'s axis that frames the whole box `lo..hi` in an image of `aspect`
    /// (width / height).
    pub fn framing(view: View, lens: Lens, lo: DVec3, hi: DVec3, aspect: f64) -> Camera {
        let (back, up) = view.axes();
        let right = (-back).cross(up);
        let centre = (lo + hi) * 0.5;
        let ext = hi - lo;
        let (ext_r, ext_u, ext_d) = (right.abs().dot(ext), up.abs().dot(ext), back.abs().dot(ext));
        let fov = DEFAULT_FOV;
        let (dist, width) = match lens {
            Lens::Plane => (ext.length() * 1.5, ext_r.max(ext_u * aspect)),
            Lens::Perspective => {
                let half = (0.5 * ext_u).max(0.5 * ext_r / aspect);
                (
                    0.5 * ext_d + 1.05 * half / (0.5 * fov).to_radians().tan(),
                    ext_r,
                )
            }
        };
        Camera {
            position: centre + back * dist,
            focus: centre,
            up,
            lens,
            width,
            fov,
        }
    }

    /// A camera at `position` looking at `focus` (default the centre of `lo..hi`), with y up
    /// (z when looking along y), the plane lens as wide as the box's diagonal.
    fn looking_from(
        position: DVec3,
        focus: Option<DVec3>,
        lens: Lens,
        lo: DVec3,
        hi: DVec3,
    ) -> Camera {
        let focus = focus.unwrap_or((lo + hi) * 0.5);
        let dir = (focus - position).normalize_or_zero();
        let up = if dir.cross(DVec3::Y).length() > 1e-6 {
            DVec3::Y
        } else {
            DVec3::Z
        };
        Camera {
            position,
            focus,
            up,
            lens,
            width: (hi - lo).length(),
            fov: DEFAULT_FOV,
        }
    }

    /// Orthonormal (forward, right, up); an error when the camera sits on its focus or `up`
    /// is parallel to the view direction.
    pub fn basis(&self) -> Result<(DVec3, DVec3, DVec3)> {
        let f = self.focus - self.position;
        if !f.is_finite() || f.length() <= 0.0 {
            return Err(Error::Settings(
                "camera position and focus must differ".into(),
            ));
        }
        let f = f.normalize();
        let r = f.cross(self.up);
        if !r.is_finite() || r.length() <= 1e-9 * self.up.length() {
            return Err(Error::Settings(format!(
                "up vector {:?} is parallel to the view direction {:?}",
                self.up, f
            )));
        }
        let r = r.normalize();
        Ok((f, r, r.cross(f)))
    }

    /// The rays of an image of `w` x `h` pixels (pixel (0, 0) is the top left).
    pub fn ray_model(&self, w: u32, h: u32) -> Result<RayModel> {
        if w == 0 || h == 0 {
            return Err(Error::Settings(format!(
                "image size {w}x{h} must be positive"
            )));
        }
        let (f, r, u) = self.basis()?;
        let (w_f, h_f) = (w as f64, h as f64);
        Ok(match self.lens {
            Lens::Plane => {
                if !self.width.is_finite() || self.width <= 0.0 {
                    return Err(Error::Settings(format!(
                        "plane width {} must be positive",
                        self.width
                    )));
                }
                let pw = self.width / w_f; // square pixels
                let height = pw * h_f;
                RayModel {
                    o0: self.position - r * (0.5 * self.width) + u * (0.5 * height),
                    ox: r * pw,
                    oy: -u * pw,
                    d0: f,
                    dx: DVec3::ZERO,
                    dy: DVec3::ZERO,
                }
            }
            Lens::Perspective => {
                if !(self.fov > 0.0 && self.fov < 180.0) {
                    return Err(Error::Settings(format!(
                        "field of view {} must lie in (0, 180) degrees",
                        self.fov
                    )));
                }
                let half_h = (0.5 * self.fov).to_radians().tan();
                let half_w = half_h * w_f / h_f;
                RayModel {
                    o0: self.position,
                    ox: DVec3::ZERO,
                    oy: DVec3::ZERO,
                    d0: f - r * half_w + u * half_h,
                    dx: r * (2.0 * half_w / w_f),
                    dy: -u * (2.0 * half_h / h_f),
                }
            }
        })
    }
}

/// Rays for pixel coordinates `(px, py)` (pixel centres at `x + 0.5`, `y` down from the top):
/// origin `o0 + px ox + py oy`, direction `normalize(d0 + px dx + py dy)`. Distances along a
/// ray are measured from its origin, and only `t >= 0` is traced (the origin is the near plane).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RayModel {
    pub o0: DVec3,
    pub ox: DVec3,
    pub oy: DVec3,
    pub d0: DVec3,
    pub dx: DVec3,
    pub dy: DVec3,
}

impl RayModel {
    /// Origin and unit direction of the ray through pixel coordinates `(px, py)`.
    pub fn ray(&self, px: f64, py: f64) -> (DVec3, DVec3) {
        (
            self.o0 + self.ox * px + self.oy * py,
            (self.d0 + self.dx * px + self.dy * py).normalize(),
        )
    }

    /// Pixel coordinates `(px, py)` of the ray that passes through `p`: the inverse of
    /// [`RayModel::ray`] for models whose origins are fixed (pinholes) or whose directions are
    /// fixed (parallel projections), which covers every lens and stereo eye. `None` when `p`
    /// lies behind the origins, or the model is degenerate or of neither kind.
    pub fn pixel_of(&self, p: DVec3) -> Option<(f64, f64)> {
        let (x, y, in_front) = self.project(p)?;
        in_front.then_some((x, y))
    }

    /// [`RayModel::pixel_of`] without the check on the side: the pixel coordinates and whether
    /// `p` lies in front of the origins. For parallel rays the coordinates hold on either side;
    /// for a pinhole, those of a point behind it are meaningless.
    pub fn project(&self, p: DVec3) -> Option<(f64, f64, bool)> {
        let solve = |a: DVec3, b: DVec3, c: DVec3, rhs: DVec3| -> Option<DVec3> {
            let m = glam::DMat3::from_cols(a, b, c);
            let det = m.determinant();
            (det.is_finite() && det.abs() > 1e-300).then(|| m.inverse() * rhs)
        };
        let fixed_origin = self.ox == DVec3::ZERO && self.oy == DVec3::ZERO;
        let fixed_direction = self.dx == DVec3::ZERO && self.dy == DVec3::ZERO;
        if fixed_origin {
            // d0 + px dx + py dy = l (p - o0), l > 0
            let v = p - self.o0;
            let s = solve(self.dx, self.dy, -v, -self.d0)?;
            Some((s.x, s.y, s.z > 0.0))
        } else if fixed_direction {
            // o0 + px ox + py oy + t d0 = p, t >= 0
            let s = solve(self.ox, self.oy, self.d0, p - self.o0)?;
            Some((s.x, s.y, s.z >= 0.0))
        } else {
            None
        }
    }

    /// The same rays in a frame where points map as `p' = (p - offset) / scale`.
    pub fn to_frame(&self, offset: DVec3, scale: f64) -> RayModel {
        RayModel {
            o0: (self.o0 - offset) / scale,
            ox: self.ox / scale,
            oy: self.oy / scale,
            ..*self
        }
    }
}

/// Entry and exit distances of a ray with a box (`None` when it misses or lies behind).
pub fn intersect_box(o: DVec3, d: DVec3, lo: DVec3, hi: DVec3) -> Option<(f64, f64)> {
    let mut t0 = 0.0f64;
    let mut t1 = f64::INFINITY;
    for a in 0..3 {
        if d[a].abs() < 1e-300 {
            if o[a] < lo[a] || o[a] > hi[a] {
                return None;
            }
            continue;
        }
        let inv = 1.0 / d[a];
        let (mut ta, mut tb) = ((lo[a] - o[a]) * inv, (hi[a] - o[a]) * inv);
        if ta > tb {
            std::mem::swap(&mut ta, &mut tb);
        }
        t0 = t0.max(ta);
        t1 = t1.min(tb);
    }
    (t0 < t1).then_some((t0, t1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_cam(view: View, lens: Lens) -> Camera {
        Camera::framing(view, lens, DVec3::ZERO, DVec3::ONE, 1.0)
    }

    #[test]
    fn axis_views_put_image_axes_where_yt_does() {
        // (view, domain axis that points right, domain axis that points up)
        for (view, right, up) in [
            (View::Z, DVec3::X, DVec3::Y),
            (View::X, DVec3::Y, DVec3::Z),
            (View::Y, DVec3::Z, DVec3::X),
            (View::NegZ, -DVec3::X, DVec3::Y),
        ] {
            let (_, r, u) = unit_cam(view, Lens::Plane).basis().unwrap();
            assert!((r - right).length() < 1e-12, "{view:?} right {r:?}");
            assert!((u - up).length() < 1e-12, "{view:?} up {u:?}");
        }
    }

    #[test]
    fn plane_lens_rays_are_parallel_and_span_the_width() {
        let cam = unit_cam(View::Z, Lens::Plane);
        let m = cam.ray_model(100, 50).unwrap();
        let (o_a, d_a) = m.ray(0.0, 0.0);
        let (o_b, d_b) = m.ray(100.0, 50.0);
        assert_eq!(d_a, d_b);
        assert!((d_a - -DVec3::Z).length() < 1e-12);
        assert!(((o_b - o_a).x - 1.0).abs() < 1e-12); // width 1 across 100 pixels
        assert!(((o_a - o_b).y - 0.5).abs() < 1e-12); // square pixels, y up
    }

    #[test]
    fn perspective_lens_covers_the_field_of_view() {
        let mut cam = unit_cam(View::Z, Lens::Perspective);
        cam.fov = 90.0;
        let m = cam.ray_model(64, 64).unwrap();
        let (_, top) = m.ray(32.0, 0.0);
        let (_, centre) = m.ray(32.0, 32.0);
        assert!((centre - -DVec3::Z).length() < 1e-12);
        assert!((top.angle_between(centre).to_degrees() - 45.0).abs() < 1e-9);
        assert!(top.y > 0.0);
        // The whole domain fits: its corners project inside the image.
        let cam = unit_cam(View::Z, Lens::Perspective);
        let (f, r, u) = cam.basis().unwrap();
        let t = (0.5 * cam.fov).to_radians().tan();
        for c in [
            DVec3::ZERO,
            DVec3::ONE,
            DVec3::new(1.0, 0.0, 1.0),
            DVec3::new(0.0, 1.0, 1.0),
        ] {
            let v = c - cam.position;
            assert!((v.dot(u) / v.dot(f)).abs() < t && (v.dot(r) / v.dot(f)).abs() < t);
        }
    }

    #[test]
    fn pixel_of_inverts_both_lenses() {
        for lens in [Lens::Plane, Lens::Perspective] {
            let mut cam = unit_cam(View::X, lens);
            cam.position += DVec3::new(0.1, 0.2, -0.3);
            let m = cam.ray_model(80, 60).unwrap();
            for (px, py) in [(0.5, 0.5), (40.0, 30.0), (79.5, 12.25), (3.0, 59.0)] {
                let (o, d) = m.ray(px, py);
                let (qx, qy) = m.pixel_of(o + d * 1.7).unwrap();
                assert!((qx - px).abs() < 1e-9 && (qy - py).abs() < 1e-9, "{lens:?}");
            }
            let (o, d) = m.ray(10.0, 10.0);
            assert_eq!(m.pixel_of(o - d * 0.5), None, "{lens:?}: behind the camera");
        }
    }

    #[test]
    fn bad_cameras_are_errors() {
        let mut cam = unit_cam(View::Z, Lens::Plane);
        cam.up = DVec3::Z;
        assert!(cam
            .ray_model(8, 8)
            .unwrap_err()
            .to_string()
            .contains("parallel"));
        cam.up = DVec3::Y;
        cam.focus = cam.position;
        assert!(cam.ray_model(8, 8).is_err());
        assert!(unit_cam(View::Z, Lens::Plane).ray_model(0, 8).is_err());
    }

    #[test]
    fn box_intersection() {
        let (t0, t1) = intersect_box(
            DVec3::new(0.5, 0.5, 2.0),
            -DVec3::Z,
            DVec3::ZERO,
            DVec3::ONE,
        )
        .unwrap();
        assert!((t0 - 1.0).abs() < 1e-12 && (t1 - 2.0).abs() < 1e-12);
        assert!(intersect_box(
            DVec3::new(2.0, 0.5, 2.0),
            -DVec3::Z,
            DVec3::ZERO,
            DVec3::ONE
        )
        .is_none());
        let (t0, _) = intersect_box(DVec3::splat(0.5), DVec3::X, DVec3::ZERO, DVec3::ONE).unwrap();
        assert_eq!(t0, 0.0);
    }
}
