//! One screen: its physical corners, pixels, eyes and window placement, and the checks that
//! make its corners a usable rectangle.

use super::{Eye, RECTANGLE_TOLERANCE_DEG};
use glam::DVec3;

/// One screen or projector image, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Screen {
    /// Unique; used in file names (`<name>_<eye>.png`).
    pub name: String,
    pub lower_left: DVec3,
    pub lower_right: DVec3,
    pub upper_left: DVec3,
    /// Pixels (width, height).
    pub size: [u32; 2],
    /// The images this screen shows, each its own output.
    pub eyes: Vec<Eye>,
    /// Window mode: the monitor to go fullscreen on.
    pub monitor: Option<usize>,
    /// Window mode: top-left pixel of the screen's window on the desktop (or in --single-window).
    pub offset: Option<[i32; 2]>,
}

impl Screen {
    pub fn upper_right(&self) -> DVec3 {
        self.lower_right + self.upper_left - self.lower_left
    }

    pub fn centre(&self) -> DVec3 {
        0.5 * (self.lower_right + self.upper_left)
    }

    /// Unit normal on the viewer's side: `(lower_right - lower_left) x (upper_left - lower_left)`.
    pub fn normal(&self) -> DVec3 {
        (self.lower_right - self.lower_left)
            .cross(self.upper_left - self.lower_left)
            .normalize()
    }

    /// Signed distance of `p` from the screen's plane, positive on the viewer's side.
    pub fn distance(&self, p: DVec3) -> f64 {
        (p - self.lower_left).dot(self.normal())
    }

    /// The geometry checks: finite corners, non-zero sides and pixel sizes, a right angle.
    pub fn check(&self) -> std::result::Result<(), String> {
        let name = &self.name;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            || name.starts_with('.')
        {
            return Err(format!(
                "screen \"{name}\": name must be non-empty and use only letters, digits, '-', '_' and '.' (not first), as it names output files"
            ));
        }
        for (key, v) in [
            ("lower_left", self.lower_left),
            ("lower_right", self.lower_right),
            ("upper_left", self.upper_left),
        ] {
            if !v.is_finite() {
                return Err(format!("screen \"{name}\": {key} = {v}: must be finite"));
            }
        }
        let (across, up) = (
            self.lower_right - self.lower_left,
            self.upper_left - self.lower_left,
        );
        if across.length() < 1e-6 {
            return Err(format!(
                "screen \"{name}\": lower_right equals lower_left (zero width)"
            ));
        }
        if up.length() < 1e-6 {
            return Err(format!(
                "screen \"{name}\": the upper corner is level with lower_left (zero height)"
            ));
        }
        let angle = across.angle_between(up).to_degrees();
        if (angle - 90.0).abs() > RECTANGLE_TOLERANCE_DEG {
            return Err(format!(
                "screen \"{name}\": corners are not a rectangle (angle at lower_left is {angle:.1} deg)"
            ));
        }
        if self.size[0] == 0 || self.size[1] == 0 || self.size[0] > 16384 || self.size[1] > 16384 {
            return Err(format!(
                "screen \"{name}\": size {}x{}: both sides must lie in 1..=16384 pixels",
                self.size[0], self.size[1]
            ));
        }
        if self.eyes.is_empty() {
            return Err(format!(
                "screen \"{name}\": eyes is empty (give left, right, or mono)"
            ));
        }
        let mut seen = Vec::new();
        for &e in &self.eyes {
            if seen.contains(&e) {
                return Err(format!(
                    "screen \"{name}\": eyes lists \"{}\" twice",
                    e.name()
                ));
            }
            seen.push(e);
        }
        if seen.contains(&Eye::Mono) && seen.len() > 1 {
            return Err(format!(
                "screen \"{name}\": eyes: \"mono\" cannot be combined with \"left\" or \"right\""
            ));
        }
        Ok(())
    }
}
