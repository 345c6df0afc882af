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

use crate::camera::{Camera, Lens};
use crate::error::{Error, Result};
use glam::{DMat3, DQuat, DVec3};
use serde::Deserialize;
use std::path::Path;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathFile {
    frames: Option<i64>,
    lens: Option<String>,
    keyframe: Option<Vec<KeyframeFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyframeFile {
    at: Option<f64>,
    position: Option<[f64; 3]>,
    focus: Option<[f64; 3]>,
    up: Option<[f64; 3]>,
    fov: Option<f64>,
    width: Option<f64>,
}

impl CameraPath {
    /// Reads and validates a TOML path file. `default_lens` applies when the file names none.
    pub fn load(path: &Path, default_lens: Lens) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, default_lens).map_err(|what| Error::format(path, what))
    }

    /// Parses the TOML text of a path; the error is a message without the file name.
    pub fn parse(text: &str, default_lens: Lens) -> std::result::Result<Self, String> {
        let file: PathFile =
            toml::from_str(text).map_err(|e| crate::error::toml_message(text, &e))?;
        let frames = match file.frames {
            None => return Err("missing key 'frames' (the number of frames)".into()),
            Some(n) if !(1..=10_000_000).contains(&n) => {
                return Err(format!("frames = {n}: must lie in 1..=10000000"))
            }
            Some(n) => n as usize,
        };
        let lens = match &file.lens {
            None => default_lens,
            Some(s) => s.parse::<Lens>().map_err(|e| format!("key 'lens': {e}"))?,
        };
        let list = file.keyframe.unwrap_or_default();
        if list.is_empty() {
            return Err("no [[keyframe]] tables: a path needs at least one keyframe".into());
        }
        let mut keys = Vec::with_capacity(list.len());
        let mut prev: Option<Keyframe> = None;
        for (i, k) in list.iter().enumerate() {
            let name = |key: &str| format!("keyframe[{i}].{key}");
            let missing = |key: &str| format!("missing key '{}'", name(key));
            let at = k.at.ok_or_else(|| missing("at"))?;
            if !(0.0..=1.0).contains(&at) {
                return Err(format!("{} = {at}: must lie in 0..=1", name("at")));
            }
            if let Some(p) = prev {
                if at <= p.at {
                    return Err(format!(
                        "{} = {at}: keyframes must be in increasing order of 'at' (keyframe[{}].at = {})",
                        name("at"),
                        i - 1,
                        p.at
                    ));
                }
            }
            let vec = |key: &str, v: Option<[f64; 3]>| -> std::result::Result<DVec3, String> {
                let v = v.ok_or_else(|| missing(key))?;
                let v = DVec3::from_array(v);
                if !v.is_finite() {
                    return Err(format!("{} = {v:?}: must be finite", name(key)));
                }
                Ok(v)
            };
            let position = vec("position", k.position)?;
            let focus = vec("focus", k.focus)?;
            let up = match (k.up, prev) {
                (None, Some(p)) => p.camera.up,
                (None, None) => DVec3::Y,
                (v, _) => vec("up", v)?,
            };
            let (size_key, other_key, size, other) = match lens {
                Lens::Plane => ("width", "fov", k.width, k.fov),
                Lens::Perspective => ("fov", "width", k.fov, k.width),
            };
            if other.is_some() {
                return Err(format!(
                    "{}: the {} lens takes '{size_key}', not '{other_key}'",
                    name(other_key),
                    lens.name()
                ));
            }
            let size = match (size, prev) {
                (Some(s), _) => s,
                (None, Some(p)) => match lens {
                    Lens::Plane => p.camera.width,
                    Lens::Perspective => p.camera.fov,
                },
                (None, None) => return Err(missing(size_key)),
            };
            let camera = Camera {
                position,
                focus,
                up,
                lens,
                width: if lens == Lens::Plane { size } else { 1.0 },
                fov: if lens == Lens::Perspective {
                    size
                } else {
                    crate::camera::DEFAULT_FOV
                },
            };
            // The camera's own checks (position != focus, up not along the view, sizes).
            camera
                .ray_model(1, 1)
                .map_err(|e| format!("keyframe[{i}]: {e}"))?;
            let kf = Keyframe { at, camera };
            keys.push(kf);
            prev = Some(kf);
        }
        Self::from_keyframes(frames, &keys).map_err(|e| e.to_string())
    }

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

    /// The camera at position `t` along the movie (held constant before the first keyframe and
    /// after the last).
    pub fn camera_at(&self, t: f64) -> Camera {
        let keys = &self.keys;
        let n = keys.len();
        let (i, s) = if n == 1 || t <= keys[0].at {
            (0, 0.0)
        } else if t >= keys[n - 1].at {
            (n - 2, 1.0)
        } else {
            let i = keys.partition_point(|k| k.at <= t) - 1;
            (i, (t - keys[i].at) / (keys[i + 1].at - keys[i].at))
        };
        let (focus, ln_d, ln_size, q) = if n == 1 {
            let k = keys[0];
            (k.focus, k.ln_distance, k.ln_size, k.q)
        } else {
            (
                self.hermite(i, s, |k| k.focus),
                self.hermite(i, s, |k| DVec3::splat(k.ln_distance)).x,
                self.hermite(i, s, |k| DVec3::splat(k.ln_size)).x,
                self.orientation(i, s),
            )
        };
        let forward = q * DVec3::NEG_Z;
        let up = q * DVec3::Y;
        let size = ln_size.exp();
        Camera {
            position: focus - forward * ln_d.exp(),
            focus,
            up,
            lens: self.lens,
            width: if self.lens == Lens::Plane { size } else { 1.0 },
            fov: if self.lens == Lens::Perspective {
                size
            } else {
                crate::camera::DEFAULT_FOV
            },
        }
    }

    /// Tangent (per unit of `at`) of a quantity at keyframe `i`: the three-point derivative on
    /// the keyframe times inside, the chord slope at the ends.
    fn tangent(&self, i: usize, get: impl Fn(&Key) -> DVec3) -> DVec3 {
        let k = &self.keys;
        let n = k.len();
        let chord = |a: usize| (get(&k[a + 1]) - get(&k[a])) / (k[a + 1].at - k[a].at);
        if i == 0 {
            chord(0)
        } else if i == n - 1 {
            chord(n - 2)
        } else {
            let (h0, h1) = (k[i].at - k[i - 1].at, k[i + 1].at - k[i].at);
            (chord(i - 1) * h1 + chord(i) * h0) / (h0 + h1)
        }
    }

    /// Cubic Hermite on segment `i` at local parameter `s`, written so that equal end values
    /// with zero tangents give exactly that value.
    fn hermite(&self, i: usize, s: f64, get: impl Fn(&Key) -> DVec3 + Copy) -> DVec3 {
        let (a, b) = (&self.keys[i], &self.keys[i + 1]);
        let h = b.at - a.at;
        let (m0, m1) = (self.tangent(i, get), self.tangent(i + 1, get));
        let (s2, s3) = (s * s, s * s * s);
        let h01 = 3.0 * s2 - 2.0 * s3;
        let h10 = s3 - 2.0 * s2 + s;
        let h11 = s3 - s2;
        get(a) + (get(b) - get(a)) * h01 + (m0 * h10 + m1 * h11) * h
    }

    /// Body-frame angular velocity (rotation vector per unit of `at`) at keyframe `i`.
    fn angular_velocity(&self, i: usize) -> DVec3 {
        let k = &self.keys;
        let n = k.len();
        // Rotation from keyframe a to b, in a's frame; from a to its predecessor, negated.
        let fwd = |a: usize| log(k[a].q.inverse() * k[a + 1].q) / (k[a + 1].at - k[a].at);
        let back = |a: usize| -log(k[a].q.inverse() * k[a - 1].q) / (k[a].at - k[a - 1].at);
        if i == 0 {
            fwd(0)
        } else if i == n - 1 {
            back(n - 1)
        } else {
            let (h0, h1) = (k[i].at - k[i - 1].at, k[i + 1].at - k[i].at);
            (back(i) * h1 + fwd(i) * h0) / (h0 + h1)
        }
    }

    /// Spherical cubic Bezier on segment `i`: its end derivatives are the keyframes' angular
    /// velocities, shared with the neighbouring segments.
    fn orientation(&self, i: usize, s: f64) -> DQuat {
        let (a, b) = (&self.keys[i], &self.keys[i + 1]);
        let h = b.at - a.at;
        let b0 = a.q;
        let b1 = a.q * exp(self.angular_velocity(i) * (h / 3.0));
        let b2 = b.q * exp(-self.angular_velocity(i + 1) * (h / 3.0));
        let b3 = b.q;
        let (c0, c1, c2) = (slerp(b0, b1, s), slerp(b1, b2, s), slerp(b2, b3, s));
        let (d0, d1) = (slerp(c0, c1, s), slerp(c1, c2, s));
        slerp(d0, d1, s)
    }
}

/// Rotation vector (axis times angle) of a unit quaternion, the short way round.
fn log(q: DQuat) -> DVec3 {
    let q = if q.w < 0.0 { -q } else { q };
    let v = DVec3::new(q.x, q.y, q.z);
    let s = v.length();
    if s == 0.0 {
        return DVec3::ZERO;
    }
    v * (2.0 * s.atan2(q.w) / s)
}

/// Unit quaternion of a rotation vector; exactly the identity for the zero vector.
fn exp(v: DVec3) -> DQuat {
    let angle = v.length();
    if angle == 0.0 {
        return DQuat::IDENTITY;
    }
    DQuat::from_axis_angle(v / angle, angle)
}

/// Slerp that returns `a` exactly when `a == b`.
fn slerp(a: DQuat, b: DQuat, s: f64) -> DQuat {
    a * exp(log(a.inverse() * b) * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
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

    fn example() -> CameraPath {
        CameraPath::parse(EXAMPLE, Lens::Plane).unwrap()
    }

    /// Position, focus, fov and the view basis of a camera, as one vector for differences.
    fn state(c: &Camera) -> Vec<f64> {
        let (f, r, u) = c.basis().unwrap();
        let mut v = Vec::new();
        for x in [c.position, c.focus, f, r, u] {
            v.extend(x.to_array());
        }
        v.push(c.fov.ln());
        v
    }

    #[test]
    fn passes_through_every_keyframe() {
        let path = example();
        let file: PathFile = toml::from_str(EXAMPLE).unwrap();
        let mut up = DVec3::Y;
        for k in file.keyframe.unwrap() {
            let c = path.camera_at(k.at.unwrap());
            up = k.up.map(DVec3::from_array).unwrap_or(up);
            let want = Camera {
                position: DVec3::from_array(k.position.unwrap()),
                focus: DVec3::from_array(k.focus.unwrap()),
                up,
                lens: Lens::Perspective,
                width: 1.0,
                fov: k.fov.unwrap_or(30.0),
            };
            let (a, b) = (state(&c), state(&want));
            let err = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-9, "at {}: {a:?} vs {b:?}", k.at.unwrap());
        }
        assert_eq!(path.frames, 240);
        assert_eq!(path.frame_time(239), 1.0);
    }

    #[test]
    fn velocity_is_continuous_across_keyframes() {
        let path = example();
        let eps = 1e-6;
        for at in [0.4, 0.5] {
            // One-sided velocities just left and right of the keyframe.
            let left: Vec<f64> = state(&path.camera_at(at - eps))
                .iter()
                .zip(state(&path.camera_at(at - 2.0 * eps)))
                .map(|(a, b)| (a - b) / eps)
                .collect();
            let right: Vec<f64> = state(&path.camera_at(at + 2.0 * eps))
                .iter()
                .zip(state(&path.camera_at(at + eps)))
                .map(|(a, b)| (a - b) / eps)
                .collect();
            let scale = left.iter().map(|x| x.abs()).fold(1.0, f64::max);
            for (j, (l, r)) in left.iter().zip(&right).enumerate() {
                assert!(
                    (l - r).abs() < 1e-3 * scale,
                    "component {j} at {at}: velocity {l} left vs {r} right"
                );
            }
            // Not trivially continuous: the path does move here.
            assert!(scale > 0.5, "{scale}");
        }
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

    #[test]
    fn bad_files_name_the_key() {
        let base = "frames = 4\n[[keyframe]]\nat = 0.0\nposition = [0.0, 0.0, 3.0]\nfocus = [0.0, 0.0, 0.0]\nfov = 30.0\n";
        for (text, needle) in [
            (format!("{base}zoom = 3\n"), "unknown field `zoom`"),
            (format!("frame = 3\n{base}"), "unknown field `frame`"),
            (base.replace("frames = 4\n", ""), "missing key 'frames'"),
            (base.replace("at = 0.0", "at = 1.5"), "keyframe[0].at = 1.5"),
            (base.replace("fov = 30.0\n", ""), "keyframe[0].fov"),
            (
                base.replace("position = [0.0, 0.0, 3.0]\n", ""),
                "keyframe[0].position",
            ),
            (
                format!("{base}[[keyframe]]\nat = 0.0\nposition = [1.0, 0.0, 3.0]\nfocus = [0.0, 0.0, 0.0]\n"),
                "keyframe[1].at = 0: keyframes must be in increasing order",
            ),
            (base.replace("fov = 30.0", "width = 1.0"), "keyframe[0].width"),
            (format!("lens = \"fisheye\"\n{base}"), "unknown lens 'fisheye'"),
            (base.replace("[0.0, 0.0, 3.0]", "[0.0, 0.0, 0.0]"), "keyframe[0]: camera position and focus"),
            (base.replace("frames = 4", "frames = 0"), "frames = 0"),
            ("frames = 3\n".to_string(), "no [[keyframe]]"),
            ("frames = [\n".to_string(), "line 1"),
        ] {
            let e = CameraPath::parse(&text, Lens::Perspective).unwrap_err();
            assert!(e.contains(needle), "expected '{needle}' in '{e}'");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cam.toml");
        std::fs::write(&file, format!("{base}fovv = 3\n")).unwrap();
        let e = CameraPath::load(&file, Lens::Plane)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cam.toml") && e.contains("fovv"), "{e}");
    }
}
