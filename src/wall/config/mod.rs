//! The wall description: the screens' physical corners and pixels, the viewer, and where the
//! dataset sits in the room. Read from TOML (see the README's "Stereo wall" section) or imported
//! from a ParaView `.pvx` file ([`crate::wall::pvx`]); both are validated the same way.

mod file;
mod screen;

pub use screen::Screen;

use crate::error::{Error, Result};
use crate::wall::state::{Head, Placement, WallState};
use glam::{DMat3, DQuat, DVec3};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest deviation from a right angle at a screen's corner, degrees.
pub const RECTANGLE_TOLERANCE_DEG: f64 = 0.5;
/// Default distance between the eyes, metres.
pub const DEFAULT_EYE_SEPARATION: f64 = 0.065;

/// Which image a screen (or one of its outputs) shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Eye {
    Left,
    Right,
    /// One image from the midpoint between the eyes.
    Mono,
}

impl Eye {
    pub fn name(self) -> &'static str {
        match self {
            Eye::Left => "left",
            Eye::Right => "right",
            Eye::Mono => "mono",
        }
    }
}

/// `[data]` as given; resolved against a domain by [`Wall::state`].
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct DataSpec {
    /// Wall point where `center` sits (default: the centroid of the screens' centres).
    pub focus: Option<DVec3>,
    /// Domain point that sits at `focus` (default: the domain's centre).
    pub center: Option<DVec3>,
    /// Metres per domain unit (default: the domain's largest side spans the wall's height).
    pub scale: Option<f64>,
    /// Room directions of the domain's +x and +y axes (default: the viewer's right and up).
    pub x_axis: Option<DVec3>,
    pub y_axis: Option<DVec3>,
}

/// A validated wall.
#[derive(Clone, Debug, PartialEq)]
pub struct Wall {
    pub head: Head,
    pub data: DataSpec,
    pub screens: Vec<Screen>,
}

impl Wall {
    /// Reads a wall file: ParaView `.pvx` by its extension, TOML otherwise. Errors name the file.
    pub fn load(path: &Path) -> Result<Wall> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let pvx = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("pvx"));
        let wall = if pvx {
            crate::wall::pvx::parse(&text)
        } else {
            Wall::parse_toml(&text)
        };
        wall.map_err(|what| Error::format(path, what))
    }

    /// The checks every wall passes, whatever file it came from.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.screens.is_empty() {
            return Err("no screens: add [[screen]] tables".into());
        }
        self.head.check()?;
        for (i, s) in self.screens.iter().enumerate() {
            if let Some(j) = self.screens[..i].iter().position(|o| o.name == s.name) {
                return Err(format!(
                    "screen \"{}\" is defined twice (screens {} and {}, counting from 1)",
                    s.name,
                    j + 1,
                    i + 1
                ));
            }
            s.check()?;
            self.head.check_in_front(s)?;
        }
        let d = &self.data;
        if let Some(scale) = d.scale {
            if !(scale.is_finite() && scale > 0.0) {
                return Err(format!(
                    "data.scale = {scale}: must be positive (metres per domain unit)"
                ));
            }
        }
        for (key, v) in [("focus", d.focus), ("center", d.center)] {
            if let Some(v) = v {
                if !v.is_finite() {
                    return Err(format!("data.{key} = {v}: must be finite"));
                }
            }
        }
        self.orientation()?;
        Ok(())
    }

    /// Keeps only the named screens, in the order given.
    pub fn select(&mut self, names: &[String]) -> std::result::Result<(), String> {
        let mut chosen = Vec::with_capacity(names.len());
        for n in names {
            let s = self.screens.iter().find(|s| &s.name == n).ok_or_else(|| {
                format!(
                    "no screen named \"{n}\" (screens: {})",
                    self.screens
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            if !chosen.iter().any(|c: &Screen| &c.name == n) {
                chosen.push(s.clone());
            }
        }
        if chosen.is_empty() {
            return Err("no screens selected".into());
        }
        self.screens = chosen;
        Ok(())
    }

    /// Moves the head, checking that it stays in front of every screen.
    pub fn set_head_position(&mut self, p: DVec3) -> std::result::Result<(), String> {
        let mut head = self.head;
        head.position = p;
        head.check()?;
        for s in &self.screens {
            head.check_in_front(s)?;
        }
        self.head = head;
        Ok(())
    }

    /// The rotation taking domain axes to room axes, from `data.x_axis` / `data.y_axis`.
    fn orientation(&self) -> std::result::Result<DQuat, String> {
        let right = self.head.right();
        let up = right.cross(self.head.forward).normalize();
        let x = self.data.x_axis.unwrap_or(right);
        let y = self.data.y_axis.unwrap_or(up);
        for (key, v) in [("x_axis", x), ("y_axis", y)] {
            if !v.is_finite() || v.length() < 1e-12 {
                return Err(format!(
                    "data.{key} = {v}: must be a finite, non-zero direction"
                ));
            }
        }
        let (x, y) = (x.normalize(), y.normalize());
        let angle = x.angle_between(y).to_degrees();
        if (angle - 90.0).abs() > 0.01 {
            return Err(format!(
                "data.x_axis and data.y_axis must be perpendicular (they are {angle:.2} deg apart)"
            ));
        }
        let y = (y - x * x.dot(y)).normalize();
        Ok(DQuat::from_mat3(&DMat3::from_cols(x, y, x.cross(y))))
    }

    /// The head and the data placement for a domain `lo..hi`, defaults filled in:
    /// `focus` = centroid of the screens' centres, `center` = the domain's centre, `scale` such
    /// that the domain's largest side spans the wall's extent along the viewer's up axis.
    pub fn state(&self, lo: DVec3, hi: DVec3) -> std::result::Result<WallState, String> {
        let n = self.screens.len() as f64;
        let focus = self.data.focus.unwrap_or_else(|| {
            self.screens
                .iter()
                .map(Screen::centre)
                .fold(DVec3::ZERO, |a, b| a + b)
                / n
        });
        let scale = match self.data.scale {
            Some(s) => s,
            None => {
                let up = self.head.right().cross(self.head.forward).normalize();
                let heights = self.screens.iter().flat_map(|s| {
                    [s.lower_left, s.lower_right, s.upper_left, s.upper_right()].map(|c| c.dot(up))
                });
                let (a, b) = heights.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), h| {
                    (a.min(h), b.max(h))
                });
                let side = (hi - lo).max_element();
                if b - a < 1e-9 || side <= 0.0 {
                    return Err(
                        "data.scale: cannot derive a default (the screens have no extent along viewer.up); give data.scale".into(),
                    );
                }
                (b - a) / side
            }
        };
        Ok(WallState {
            head: self.head,
            placement: Placement {
                focus,
                center: self.data.center.unwrap_or((lo + hi) * 0.5),
                scale,
                orientation: self.orientation()?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const GOOD: &str = r#"
[viewer]
position = [0.0, 0.0, 2.5]
eye_separation = 0.065
up = [0.0, 1.0, 0.0]

[data]
focus = [0.0, 0.0, 0.0]
scale = 2.0

[[screen]]
name = "left"
lower_left = [-2.02, -1.0, 0.0]
lower_right = [-0.02, -1.0, 0.0]
upper_left = [-2.02, 1.0, 0.0]
size = [1920, 1080]
eyes = ["left", "right"]
monitor = 0

[[screen]]
name = "right"
lower_left = [0.02, -1.0, 0.0]
lower_right = [2.02, -1.0, 0.0]
upper_right = [2.02, 1.0, 0.0]
size = [1920, 1080]
eyes = ["mono"]
"#;

    pub(super) fn err(text: &str) -> String {
        Wall::parse_toml(text).unwrap_err()
    }

    #[test]
    fn data_axes_turn_the_domain() {
        let text = GOOD.replace(
            "scale = 2.0",
            "scale = 2.0\nx_axis = [0.0, 0.0, -1.0]\ny_axis = [0.0, 1.0, 0.0]",
        );
        let st = Wall::parse_toml(&text)
            .unwrap()
            .state(DVec3::ZERO, DVec3::ONE)
            .unwrap();
        let p = st.placement;
        // Domain +x points into the wall, +z (x cross y) points right.
        assert!(
            (p.to_wall(DVec3::new(1.0, 0.5, 0.5)) - DVec3::new(0.0, 0.0, -1.0)).length() < 1e-12
        );
        assert!(
            (p.to_wall(DVec3::new(0.5, 0.5, 1.0)) - DVec3::new(1.0, 0.0, 0.0)).length() < 1e-12
        );
        let bad = GOOD.replace(
            "scale = 2.0",
            "scale = 2.0\nx_axis = [1.0, 0.1, 0.0]\ny_axis = [0.0, 1.0, 0.0]",
        );
        assert!(err(&bad).contains("perpendicular"), "{}", err(&bad));
    }

    #[test]
    fn load_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("wall.toml");
        std::fs::write(
            &p,
            GOOD.replace(
                "upper_left = [-2.02, 1.0, 0.0]",
                "upper_left = [-2.06, 1.0, 0.0]",
            ),
        )
        .unwrap();
        let e = Wall::load(&p).unwrap_err().to_string();
        assert!(e.starts_with(&p.display().to_string()), "{e}");
        assert!(
            e.ends_with(
                "screen \"left\": corners are not a rectangle (angle at lower_left is 91.1 deg)"
            ),
            "{e}"
        );
        let e = Wall::load(&dir.path().join("none.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("none.toml"), "{e}");
    }

    #[test]
    fn select_keeps_named_screens() {
        let mut w = Wall::parse_toml(GOOD).unwrap();
        let e = w.select(&["middle".into()]).unwrap_err();
        assert_eq!(e, "no screen named \"middle\" (screens: left, right)");
        w.select(&["right".into()]).unwrap();
        assert_eq!(w.screens.len(), 1);
        assert_eq!(w.screens[0].name, "right");
        // Moving the head behind the remaining screen is refused and leaves it in place.
        let before = w.head;
        assert!(w
            .set_head_position(DVec3::new(0.0, 0.0, -1.0))
            .unwrap_err()
            .contains("behind"));
        assert_eq!(w.head, before);
        w.set_head_position(DVec3::new(1.0, 0.2, 1.0)).unwrap();
        assert_eq!(w.head.position, DVec3::new(1.0, 0.2, 1.0));
    }
}
