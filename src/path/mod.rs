//! Camera paths for movies, free of any GPU code: the TOML path format, its validation, the
//! `--zoom-in` / `--orbit` shorthands, and smooth interpolation between keyframes.
//!
//! A camera is split into parts that interpolate well:
//! - the focus point: a cubic Hermite spline with Catmull-Rom tangents (three-point derivative
//!   on the keyframe times, chord slope at both ends, so two keyframes move at constant speed);
//! - the distance from focus to camera and the width (plane lens) or field of view
//!   (perspective): the same spline on their logarithms, so a 1000x zoom-in covers the same
//!   factor in every frame (constant apparent speed);
//! - the orientation: a unit quaternion on a spherical Bezier curve (de Casteljau with slerp)
//!   whose control points come from angular velocities shared by neighbouring segments, so the
//!   angular velocity is continuous across keyframes (C1), and rotation about one axis at
//!   evenly spaced keyframes is uniform.
//!
//! The camera position is `focus - forward * distance`; at every keyframe the path reproduces
//! the keyframe's position, focus and view basis. A path whose keyframes are identical gives
//! bit-identical cameras for every frame.

mod file;
mod interpolate;

use crate::camera::{Camera, Lens};
use crate::error::{Error, Result};
use glam::{DMat3, DQuat, DVec3};

/// One keyframe as resolved: a full camera at a position `at` in 0..=1 along the movie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Keyframe {
    pub at: f64,
    pub camera: Camera,
}

/// A validated camera path: the frame count, and keyframes in strictly increasing `at` order,
/// all with the same lens.
#[derive(Clone, Debug)]
pub struct CameraPath {
    pub frames: usize,
    pub lens: Lens,
    keys: Vec<Key>,
}

/// A keyframe split into the interpolated parts.
#[derive(Clone, Copy, Debug)]
struct Key {
    at: f64,
    focus: DVec3,
    ln_distance: f64,
    /// ln(width) for the plane lens, ln(fov) for the perspective lens.
    ln_size: f64,
    /// Rotation taking camera axes (right = +X, up = +Y, forward = -Z) to world axes.
    q: DQuat,
}

impl CameraPath {
    /// A path through `keyframes` (strictly increasing `at` in 0..=1, one lens).
    pub fn from_keyframes(frames: usize, keyframes: &[Keyframe]) -> Result<Self> {
        let first = keyframes
            .first()
            .ok_or_else(|| Error::Settings("a camera path needs a keyframe".into()))?;
        if frames == 0 {
            return Err(Error::Settings("a movie needs at least one frame".into()));
        }
        let lens = first.camera.lens;
        let mut keys: Vec<Key> = Vec::with_capacity(keyframes.len());
        for (i, k) in keyframes.iter().enumerate() {
            if !(0.0..=1.0).contains(&k.at) || keys.last().is_some_and(|p| k.at <= p.at) {
                return Err(Error::Settings(format!(
                    "keyframe {i}: 'at' = {} must lie in 0..=1 and increase",
                    k.at
                )));
            }
            if k.camera.lens != lens {
                return Err(Error::Settings(format!(
                    "keyframe {i}: all keyframes must use the same lens"
                )));
            }
            k.camera.ray_model(1, 1)?;
            let (f, r, u) = k.camera.basis()?;
            let mut q = DQuat::from_mat3(&DMat3::from_cols(r, u, -f)).normalize();
            // Keep neighbours on the same hemisphere so segments take the short way round.
            if let Some(p) = keys.last() {
                if p.q.dot(q) < 0.0 {
                    q = -q;
                }
            }
            let size = match lens {
                Lens::Plane => k.camera.width,
                Lens::Perspective => k.camera.fov,
            };
            keys.push(Key {
                at: k.at,
                focus: k.camera.focus,
                ln_distance: (k.camera.position - k.camera.focus).length().ln(),
                ln_size: size.ln(),
                q,
            });
        }
        Ok(CameraPath { frames, lens, keys })
    }

    /// `--zoom-in FACTOR` and `--orbit DEGREES` around `start`'s focus (either may be neutral:
    /// factor 1, 0 degrees). The perspective lens zooms by moving the camera toward the focus,
    /// the plane lens by narrowing its width; the orbit turns about the camera's up axis.
    pub fn shorthand(frames: usize, start: Camera, zoom: f64, orbit_deg: f64) -> Result<Self> {
        if !(zoom.is_finite() && zoom > 0.0) {
            return Err(Error::Settings(format!(
                "--zoom-in {zoom}: the factor must be positive"
            )));
        }
        if !orbit_deg.is_finite() || orbit_deg.abs() > 36_000.0 {
            return Err(Error::Settings(format!(
                "--orbit {orbit_deg}: the angle must be finite (at most 100 turns)"
            )));
        }
        let (_, _, u) = start.basis()?;
        // Keyframes at most 90 degrees apart, so every segment turns the short way.
        let n = ((orbit_deg.abs() / 90.0).ceil() as usize).max(1);
        let keys: Vec<Keyframe> = (0..=n)
            .map(|i| {
                let s = i as f64 / n as f64;
                let rot = DQuat::from_axis_angle(u, (orbit_deg * s).to_radians());
                let shrink = zoom.powf(-s);
                let mut cam = start;
                let offset = rot * (start.position - start.focus);
                match start.lens {
                    Lens::Perspective => cam.position = start.focus + offset * shrink,
                    Lens::Plane => {
                        cam.position = start.focus + offset;
                        cam.width = start.width * shrink;
                    }
                }
                cam.up = u;
                Keyframe { at: s, camera: cam }
            })
            .collect();
        Self::from_keyframes(frames, &keys)
    }

    /// Position along the movie (0..=1) of frame `k`.
    pub fn frame_time(&self, k: usize) -> f64 {
        if self.frames <= 1 {
            0.0
        } else {
            k as f64 / (self.frames - 1) as f64
        }
    }

    /// The camera of frame `k` (0-based).
    pub fn frame_camera(&self, k: usize) -> Camera {
        self.camera_at(self.frame_time(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const EXAMPLE: &str = r#"
frames = 240
lens = "perspective"
[[keyframe]]
at = 0.0
position = [0.5, 0.5, 3.0]
focus = [0.5, 0.5, 0.5]
up = [0.0, 1.0, 0.0]
fov = 40.0
[[keyframe]]
at = 0.4
position = [1.5, 0.9, 1.5]
focus = [0.55, 0.5, 0.45]
up = [0.0, 1.0, 0.2]
fov = 30.0
[[keyframe]]
at = 0.5
position = [0.9, 2.0, 0.2]
focus = [0.5, 0.52, 0.5]
[[keyframe]]
at = 1.0
position = [0.52, 0.48, 0.6]
focus = [0.52, 0.48, 0.5]
"#;

    pub(super) fn example() -> CameraPath {
        CameraPath::parse(EXAMPLE, Lens::Plane).unwrap()
    }

    /// Position, focus, fov and the view basis of a camera, as one vector for differences.
    pub(super) fn state(c: &Camera) -> Vec<f64> {
        let (f, r, u) = c.basis().unwrap();
        let mut v = Vec::new();
        for x in [c.position, c.focus, f, r, u] {
            v.extend(x.to_array());
        }
        v.push(c.fov.ln());
        v
    }

    #[test]
    fn zoom_in_moves_at_constant_log_speed() {
        let start = Camera {
            position: DVec3::new(0.5, 0.5, 3.0),
            focus: DVec3::splat(0.5),
            up: DVec3::Y,
            lens: Lens::Perspective,
            width: 1.0,
            fov: 30.0,
        };
        let path = CameraPath::shorthand(100, start, 1000.0, 0.0).unwrap();
        let d: Vec<f64> = (0..100)
            .map(|k| (path.frame_camera(k).position - start.focus).length())
            .collect();
        assert!((d[0] - 2.5).abs() < 1e-12 && (d[99] - 2.5e-3).abs() < 1e-12);
        let step = (1000.0f64).powf(-1.0 / 99.0);
        for w in d.windows(2) {
            assert!(
                (w[1] / w[0] - step).abs() < 1e-9,
                "{} vs {step}",
                w[1] / w[0]
            );
        }
        // The plane lens zooms by width, at the same constant ratio.
        let plane = CameraPath::shorthand(
            50,
            Camera {
                lens: Lens::Plane,
                ..start
            },
            1000.0,
            0.0,
        )
        .unwrap();
        let step = (1000.0f64).powf(-1.0 / 49.0);
        for k in 1..50 {
            let r = plane.frame_camera(k).width / plane.frame_camera(k - 1).width;
            assert!((r - step).abs() < 1e-9);
        }
        // And the two-keyframe file form too.
        let path = CameraPath::parse(
            "frames = 11\n[[keyframe]]\nat = 0.0\nposition = [0.5, 0.5, 3.0]\nfocus = [0.5, 0.5, 0.5]\nfov = 40.0\n[[keyframe]]\nat = 1.0\nposition = [0.5, 0.5, 0.525]\nfocus = [0.5, 0.5, 0.5]\n",
            Lens::Perspective,
        )
        .unwrap();
        for k in 1..11 {
            let r = (path.frame_camera(k).position.z - 0.5)
                / (path.frame_camera(k - 1).position.z - 0.5);
            assert!((r - 0.01f64.powf(0.1)).abs() < 1e-9);
        }
    }

    #[test]
    fn orbit_turns_uniformly_at_constant_distance() {
        let start = Camera {
            position: DVec3::new(0.5, 0.5, 2.5),
            focus: DVec3::splat(0.5),
            up: DVec3::Y,
            lens: Lens::Perspective,
            width: 1.0,
            fov: 30.0,
        };
        let path = CameraPath::shorthand(37, start, 1.0, 360.0).unwrap();
        for k in 0..37 {
            let c = path.frame_camera(k);
            let v = c.position - c.focus;
            assert!((v.length() - 2.0).abs() < 1e-9);
            assert!(v.y.abs() < 1e-9);
            let angle = v.x.atan2(v.z).to_degrees().rem_euclid(360.0);
            let want = (10.0 * k as f64).rem_euclid(360.0);
            let diff = (angle - want + 180.0).rem_euclid(360.0) - 180.0;
            assert!(diff.abs() < 1e-6, "frame {k}: {angle} vs {want}");
        }
    }

    #[test]
    fn identical_keyframes_give_identical_cameras() {
        let text = "frames = 5\nlens = \"plane\"\n[[keyframe]]\nat = 0.0\nposition = [0.3, 0.6, 2.0]\nfocus = [0.5, 0.5, 0.5]\nup = [0.1, 1.0, 0.0]\nwidth = 0.7\n[[keyframe]]\nat = 0.3\nposition = [0.3, 0.6, 2.0]\nfocus = [0.5, 0.5, 0.5]\n[[keyframe]]\nat = 1.0\nposition = [0.3, 0.6, 2.0]\nfocus = [0.5, 0.5, 0.5]\n";
        let path = CameraPath::parse(text, Lens::Perspective).unwrap();
        let first = path.frame_camera(0);
        for t in [0.0, 0.1, 0.3, 0.55, 0.77, 1.0] {
            assert_eq!(path.camera_at(t), first);
        }
        assert_eq!(first.lens, Lens::Plane);
        assert!((first.width - 0.7).abs() < 1e-12);
    }
}
