//! Interpolation between keyframes: Hermite splines for the focus, distance and size, and a
//! spherical Bezier curve for the orientation.

use super::{CameraPath, Key};
use crate::camera::{Camera, Lens};
use glam::{DQuat, DVec3};

impl CameraPath {
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
    use super::super::tests::{example, state};

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
}
