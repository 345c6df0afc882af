//! The wall description: the screens' physical corners and pixels, the viewer, and where the
//! dataset sits in the room. Read from TOML (see the README's "Stereo wall" section) or imported
//! from a ParaView `.pvx` file ([`crate::wall::pvx`]); both are validated the same way.

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WallFile {
    viewer: Option<ViewerFile>,
    data: Option<DataFile>,
    screen: Option<Vec<ScreenFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewerFile {
    position: Option<[f64; 3]>,
    eye_separation: Option<f64>,
    up: Option<[f64; 3]>,
    forward: Option<[f64; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    focus: Option<[f64; 3]>,
    center: Option<[f64; 3]>,
    scale: Option<f64>,
    x_axis: Option<[f64; 3]>,
    y_axis: Option<[f64; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenFile {
    name: Option<String>,
    lower_left: Option<[f64; 3]>,
    lower_right: Option<[f64; 3]>,
    upper_left: Option<[f64; 3]>,
    upper_right: Option<[f64; 3]>,
    size: Option<[u32; 2]>,
    eyes: Option<Vec<Eye>>,
    monitor: Option<usize>,
    offset: Option<[i32; 2]>,
}

fn v3(a: [f64; 3]) -> DVec3 {
    DVec3::from_array(a)
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

    /// Parses and validates the TOML text of a wall; the error is a message without the file name.
    pub fn parse_toml(text: &str) -> std::result::Result<Wall, String> {
        let file: WallFile =
            toml::from_str(text).map_err(|e| crate::error::toml_message(text, &e))?;
        let viewer = file
            .viewer
            .ok_or("missing [viewer] table (at least its position)")?;
        let head = Head {
            position: v3(viewer.position.ok_or(
                "missing key 'viewer.position' (the head, midpoint between the eyes, metres)",
            )?),
            forward: viewer.forward.map_or(-DVec3::Z, v3),
            up: viewer.up.map_or(DVec3::Y, v3),
            eye_separation: viewer.eye_separation.unwrap_or(DEFAULT_EYE_SEPARATION),
        };
        let data = file.data.map_or(DataSpec::default(), |d| DataSpec {
            focus: d.focus.map(v3),
            center: d.center.map(v3),
            scale: d.scale,
            x_axis: d.x_axis.map(v3),
            y_axis: d.y_axis.map(v3),
        });
        let list = file.screen.unwrap_or_default();
        let mut screens = Vec::with_capacity(list.len());
        for (i, s) in list.into_iter().enumerate() {
            let name = s
                .name
                .ok_or_else(|| format!("screen[{i}]: missing key 'name'"))?;
            let missing = |key: &str| format!("screen \"{name}\": missing key '{key}'");
            let lower_left = v3(s.lower_left.ok_or_else(|| missing("lower_left"))?);
            let lower_right = v3(s.lower_right.ok_or_else(|| missing("lower_right"))?);
            let upper_left = match (s.upper_left, s.upper_right) {
                (Some(ul), None) => v3(ul),
                (None, Some(ur)) => lower_left + v3(ur) - lower_right,
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "screen \"{name}\": give upper_left or upper_right, not both"
                    ))
                }
                (None, None) => return Err(missing("upper_left")),
            };
            screens.push(Screen {
                lower_left,
                lower_right,
                upper_left,
                size: s.size.ok_or_else(|| missing("size"))?,
                eyes: s.eyes.unwrap_or_else(|| vec![Eye::Mono]),
                monitor: s.monitor,
                offset: s.offset,
                name,
            });
        }
        let wall = Wall {
            head,
            data,
            screens,
        };
        wall.validate()?;
        Ok(wall)
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

    const GOOD: &str = r#"
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

    fn err(text: &str) -> String {
        Wall::parse_toml(text).unwrap_err()
    }

    #[test]
    fn reads_the_example() {
        let w = Wall::parse_toml(GOOD).unwrap();
        assert_eq!(w.screens.len(), 2);
        assert_eq!(w.screens[0].eyes, vec![Eye::Left, Eye::Right]);
        assert_eq!(w.screens[0].monitor, Some(0));
        // upper_right given: upper_left derived.
        assert!((w.screens[1].upper_left - DVec3::new(0.02, 1.0, 0.0)).length() < 1e-12);
        assert_eq!(w.screens[1].normal(), DVec3::Z);
        assert_eq!(w.head.eye_separation, 0.065);
        let st = w.state(DVec3::ZERO, DVec3::ONE).unwrap();
        assert_eq!(st.placement.center, DVec3::splat(0.5));
        assert_eq!(st.placement.scale, 2.0);
        // Default axes: x right, y up, z toward the viewer.
        let p = st.placement;
        assert!(
            (p.to_wall(DVec3::new(1.0, 0.5, 0.5)) - DVec3::new(1.0, 0.0, 0.0)).length() < 1e-12
        );
        assert!(
            (p.to_wall(DVec3::new(0.5, 0.5, 1.0)) - DVec3::new(0.0, 0.0, 1.0)).length() < 1e-12
        );
    }

    #[test]
    fn defaults_fill_in() {
        let text = GOOD.replace("focus = [0.0, 0.0, 0.0]\nscale = 2.0\n", "");
        let w = Wall::parse_toml(&text).unwrap();
        let st = w.state(DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0)).unwrap();
        // Centroid of the screen centres; the largest side (2) spans the wall's 2 m height.
        assert!((st.placement.focus - DVec3::ZERO).length() < 1e-12);
        assert!((st.placement.scale - 1.0).abs() < 1e-12);
        assert_eq!(st.placement.center, DVec3::new(1.0, 0.5, 0.5));
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
    fn validation_errors_name_the_key() {
        let cases: &[(&str, &str, &str)] = &[
            // (replace, with, expected message part)
            (
                "upper_left = [-2.02, 1.0, 0.0]",
                "upper_left = [-1.99, 1.0, 0.0]",
                "screen \"left\": corners are not a rectangle (angle at lower_left is 89.1 deg)",
            ),
            (
                "lower_right = [-0.02, -1.0, 0.0]",
                "lower_right = [-2.02, -1.0, 0.0]",
                "screen \"left\": lower_right equals lower_left (zero width)",
            ),
            (
                "upper_left = [-2.02, 1.0, 0.0]",
                "upper_left = [-2.02, -1.0, 0.0]",
                "screen \"left\": the upper corner is level with lower_left (zero height)",
            ),
            (
                "size = [1920, 1080]\neyes = [\"left\"",
                "size = [0, 1080]\neyes = [\"left\"",
                "screen \"left\": size 0x1080",
            ),
            (
                "monitor = 0",
                "monitr = 0",
                "line 18: unknown field `monitr`",
            ),
            (
                "scale = 2.0",
                "scale = 2.0\nzoom = 3",
                "unknown field `zoom`",
            ),
            (
                "position = [0.0, 0.0, 2.5]",
                "position = [0.0, 0.0, -0.5]",
                "screen \"left\": the viewer's left eye at [-0.0325, 0, -0.5] is behind the screen",
            ),
            (
                "name = \"right\"",
                "name = \"left\"",
                "screen \"left\" is defined twice (screens 1 and 2",
            ),
            (
                "name = \"right\"",
                "name = \"a/b\"",
                "screen \"a/b\": name must",
            ),
            (
                "[\"left\", \"right\"]",
                "[\"left\", \"centre\"]",
                "unknown variant `centre`",
            ),
            (
                "[\"left\", \"right\"]",
                "[\"left\", \"left\"]",
                "eyes lists \"left\" twice",
            ),
            ("[\"left\", \"right\"]", "[]", "eyes is empty"),
            (
                "[\"mono\"]",
                "[\"mono\", \"left\"]",
                "\"mono\" cannot be combined",
            ),
            (
                "scale = 2.0",
                "scale = -2.0",
                "data.scale = -2: must be positive",
            ),
            (
                "eye_separation = 0.065",
                "eye_separation = -1.0",
                "viewer.eye_separation = -1",
            ),
            (
                "up = [0.0, 1.0, 0.0]",
                "up = [0.0, 0.0, 1.0]",
                "viewer.up [0, 0, 1] is parallel",
            ),
            (
                "upper_right = [2.02, 1.0, 0.0]",
                "upper_right = [2.02, 1.0, 0.0]\nupper_left = [0.02, 1.0, 0.0]",
                "give upper_left or upper_right, not both",
            ),
            (
                "size = [1920, 1080]\neyes = [\"mono\"]",
                "eyes = [\"mono\"]",
                "screen \"right\": missing key 'size'",
            ),
            (
                "position = [0.0, 0.0, 2.5]",
                "",
                "missing key 'viewer.position'",
            ),
        ];
        for (from, to, want) in cases {
            assert!(GOOD.contains(from), "{from}");
            let e = err(&GOOD.replacen(from, to, 1));
            assert!(e.contains(want), "{from} -> {to}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
        let no_screens = &GOOD[..GOOD.find("[[screen]]").unwrap()];
        assert!(err(no_screens).contains("no screens"));
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
