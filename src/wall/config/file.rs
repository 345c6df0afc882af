//! The TOML wall file: its tables as read, turned into a validated [`Wall`].

use super::{DataSpec, Eye, Screen, Wall, DEFAULT_EYE_SEPARATION};
use crate::wall::state::Head;
use glam::DVec3;
use serde::Deserialize;

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
}

#[cfg(test)]
mod tests {
    use super::super::tests::{err, GOOD};
    use super::*;

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
}
