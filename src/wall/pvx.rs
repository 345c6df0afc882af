//! Import of ParaView's CAVE / tiled-display files (`.pvx`), parsed with `quick-xml`.
//!
//! ```xml
//! <pvx>
//!   <Process Type="server">
//!     <EyeSeparation Value="0.065"/>
//!     <Machine Name="Left" Geometry="1920x1080+0+0"
//!              LowerLeft="-1.13 -0.635 1.04" LowerRight="-1.13 -0.635 -1.22"
//!              UpperRight="-1.13 0.635 -1.22"/>
//!   </Process>
//! </pvx>
//! ```
//!
//! Each `Machine` is one screen: `LowerLeft`, `LowerRight` and `UpperRight` are its corners (the
//! same room coordinates as the viewer), `Geometry="WxH+X+Y"` its window size and position
//! (without it: 1080 pixels high and as wide as the screen's aspect asks). `StereoType` `Left`
//! or `Right` makes it show that eye; any other stereo type shows both as separate outputs; none
//! is mono. Screens are named after `Name` (characters other than letters, digits, `-`, `_`, `.`
//! become `_`; `screenN` without one; `-N` appended to names used more than once, N counting from 1).
//! ParaView puts the head at the origin looking down -z with +y up, which is what the import
//! uses; the data placement takes its defaults. Other attributes (Environment, FullScreen,
//! ShowBorders, ...) do not concern the renderer and are ignored.

use crate::wall::config::{DataSpec, Eye, Screen, Wall, DEFAULT_EYE_SEPARATION};
use crate::wall::state::Head;
use glam::DVec3;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Default pixel height of a screen whose Machine has no Geometry.
pub const DEFAULT_HEIGHT: u32 = 1080;

struct Machine {
    line: usize,
    name: Option<String>,
    lower_left: Option<String>,
    lower_right: Option<String>,
    upper_right: Option<String>,
    geometry: Option<String>,
    stereo: Option<String>,
}

fn line_of(text: &str, pos: u64) -> usize {
    text[..(pos as usize).min(text.len())].matches('\n').count() + 1
}

fn attrs(
    e: &BytesStart,
    text: &str,
    pos: u64,
) -> std::result::Result<Vec<(String, String)>, String> {
    e.attributes()
        .map(|a| {
            let a = a.map_err(|err| format!("line {}: {err}", line_of(text, pos)))?;
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("line {}: {err}", line_of(text, pos)))?;
            Ok((
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                v.into_owned(),
            ))
        })
        .collect()
}

/// Parses and validates the text of a `.pvx` file; the error is a message without the file name.
pub fn parse(text: &str) -> std::result::Result<Wall, String> {
    let (machines, eye_separation) = read_elements(text)?;
    let mut screens = Vec::with_capacity(machines.len());
    for (i, m) in machines.iter().enumerate() {
        screens.push(machine_screen(i, m)?);
    }
    number_repeated_names(&mut screens);
    let eye_separation = eye_separation.unwrap_or(DEFAULT_EYE_SEPARATION);
    let wall = Wall {
        head: Head {
            position: DVec3::ZERO,
            forward: -DVec3::Z,
            up: DVec3::Y,
            eye_separation,
        },
        data: DataSpec::default(),
        screens,
    };
    wall.validate()?;
    Ok(wall)
}

/// The `Machine` elements and the `EyeSeparation` value of a `.pvx` text, in file order.
fn read_elements(text: &str) -> std::result::Result<(Vec<Machine>, Option<f64>), String> {
    let mut reader = Reader::from_str(text);
    let mut machines = Vec::new();
    let mut eye_separation = None;
    let mut saw_root = false;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("line {}: not valid XML: {e}", line_of(text, pos)))?;
        let e = match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => e,
            _ => continue,
        };
        match e.name().as_ref() {
            b"pvx" => saw_root = true,
            b"EyeSeparation" => eye_separation = Some(read_eye_separation(&e, text, pos)?),
            b"Machine" => machines.push(read_machine(&e, text, pos)?),
            _ => {}
        }
    }
    if !saw_root {
        return Err("not a ParaView .pvx file: no <pvx> element".into());
    }
    if machines.is_empty() {
        return Err("no <Machine> elements: nothing to display".into());
    }
    Ok((machines, eye_separation))
}

/// The `Value` of an `EyeSeparation` element at byte `pos`.
fn read_eye_separation(e: &BytesStart, text: &str, pos: u64) -> std::result::Result<f64, String> {
    let v = attrs(e, text, pos)?
        .into_iter()
        .find(|(k, _)| k == "Value")
        .ok_or_else(|| {
            format!(
                "line {}: EyeSeparation has no Value attribute",
                line_of(text, pos)
            )
        })?
        .1;
    v.trim().parse::<f64>().map_err(|_| {
        format!(
            "line {}: EyeSeparation Value=\"{v}\" is not a number",
            line_of(text, pos)
        )
    })
}

/// The attributes of a `Machine` element at byte `pos` that the import uses.
fn read_machine(e: &BytesStart, text: &str, pos: u64) -> std::result::Result<Machine, String> {
    let mut m = Machine {
        line: line_of(text, pos),
        name: None,
        lower_left: None,
        lower_right: None,
        upper_right: None,
        geometry: None,
        stereo: None,
    };
    for (k, v) in attrs(e, text, pos)? {
        match k.as_str() {
            "Name" => m.name = Some(v),
            "LowerLeft" => m.lower_left = Some(v),
            "LowerRight" => m.lower_right = Some(v),
            "UpperRight" => m.upper_right = Some(v),
            "Geometry" => m.geometry = Some(v),
            "StereoType" => m.stereo = Some(v),
            _ => {}
        }
    }
    Ok(m)
}

/// Machine `m`, the `i`-th (from 0), as a screen (its name not yet made unique).
fn machine_screen(i: usize, m: &Machine) -> std::result::Result<Screen, String> {
    let what = format!(
        "line {}: Machine {}",
        m.line,
        m.name
            .as_deref()
            .map_or(format!("{}", i + 1), |n| format!("\"{n}\""))
    );
    let ll = corner(&what, "LowerLeft", &m.lower_left)?;
    let lr = corner(&what, "LowerRight", &m.lower_right)?;
    let ur = corner(&what, "UpperRight", &m.upper_right)?;
    let ul = ll + ur - lr;
    let (size, offset) = match &m.geometry {
        Some(g) => {
            let (s, o) = parse_geometry(g)
                .ok_or_else(|| format!("{what}: Geometry=\"{g}\" is not WxH+X+Y"))?;
            (s, Some(o))
        }
        None => (default_size(ll, lr, ul), None),
    };
    let base = screen_name(i, m.name.as_deref());
    Ok(Screen {
        name: if base.is_empty() {
            format!("screen{}", i + 1)
        } else {
            base
        },
        lower_left: ll,
        lower_right: lr,
        upper_left: ul,
        size,
        eyes: eyes(m.stereo.as_deref()),
        monitor: None,
        offset,
    })
}

/// A corner attribute `key` with value `v` of the machine described by `what`: three numbers.
fn corner(what: &str, key: &str, v: &Option<String>) -> std::result::Result<DVec3, String> {
    let v = v.as_deref().ok_or_else(|| {
        format!("{what}: no {key} attribute (a wall needs LowerLeft, LowerRight and UpperRight)")
    })?;
    let xyz: Vec<f64> = v
        .split_whitespace()
        .map(|c| c.parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("{what}: {key}=\"{v}\" is not three numbers"))?;
    match xyz[..] {
        [x, y, z] if xyz.iter().all(|c| c.is_finite()) => Ok(DVec3::new(x, y, z)),
        _ => Err(format!("{what}: {key}=\"{v}\" is not three numbers")),
    }
}

/// Pixel size of a screen without Geometry: [`DEFAULT_HEIGHT`] high, as wide as its aspect asks.
fn default_size(ll: DVec3, lr: DVec3, ul: DVec3) -> [u32; 2] {
    let aspect = (lr - ll).length() / (ul - ll).length();
    let w = (DEFAULT_HEIGHT as f64 * aspect).round();
    let w = if w.is_finite() {
        w.clamp(1.0, 16384.0)
    } else {
        1.0
    } as u32;
    [w, DEFAULT_HEIGHT]
}

/// The eyes a `StereoType` shows: none is mono, `Left`/`Right` that eye, anything else both.
fn eyes(stereo: Option<&str>) -> Vec<Eye> {
    match stereo.map(|s| s.trim().to_ascii_lowercase()) {
        None => vec![Eye::Mono],
        Some(s) if s.is_empty() => vec![Eye::Mono],
        Some(s) if s.starts_with("left") => vec![Eye::Left],
        Some(s) if s.starts_with("right") => vec![Eye::Right],
        Some(_) => vec![Eye::Left, Eye::Right],
    }
}

/// The `i`-th machine's `Name` made file-safe, or `screenN` without one (may come out empty).
fn screen_name(i: usize, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.trim().is_empty() => n
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string(),
        _ => format!("screen{}", i + 1),
    }
}

/// Appends `-N` (N counting from 1) to every name that more than one screen has.
fn number_repeated_names(screens: &mut [Screen]) {
    let names: Vec<String> = screens.iter().map(|s| s.name.clone()).collect();
    for (i, s) in screens.iter_mut().enumerate() {
        if names.iter().filter(|n| **n == s.name).count() > 1 {
            s.name = format!("{}-{}", s.name, i + 1);
        }
    }
}

/// `WxH+X+Y` (X and Y may be negative, `+-` or `-`), or plain `WxH`.
fn parse_geometry(g: &str) -> Option<([u32; 2], [i32; 2])> {
    let g = g.trim();
    let split = g.find(['+', '-']).unwrap_or(g.len());
    let (size, rest) = g.split_at(split);
    let (w, h) = size.split_once(['x', 'X'])?;
    let (w, h) = (w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?);
    let offset = if rest.is_empty() {
        [0, 0]
    } else {
        // Each offset is a '+' or '-' followed by digits, which X11 also writes as "+-5".
        let mut out = [0i32; 2];
        let mut s = rest;
        for o in &mut out {
            let mut sign = match s.chars().next()? {
                '+' => 1,
                '-' => -1,
                _ => return None,
            };
            s = &s[1..];
            if let Some(t) = s.strip_prefix('-') {
                sign = -sign;
                s = t;
            }
            let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            if end == 0 {
                return None;
            }
            *o = sign * s[..end].parse::<i32>().ok()?;
            s = &s[end..];
        }
        if !s.is_empty() {
            return None;
        }
        out
    };
    Some(([w, h], offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAVE: &str = r#"<?xml version="1.0" ?>
<pvx>
<Process Type="client" />
<Process Type="server">
<EyeSeparation Value="0.07"/>
<Machine Name="Left"
Geometry="640x360+60+1200"
ShowBorders="0"
LowerLeft="-1.13 -0.635 1.04"
LowerRight="-1.13 -0.635 -1.22"
UpperRight="-1.13 0.635 -1.22"
/>
<Machine Name="Front"
Environment="DISPLAY=:0.1"
LowerLeft="-1.13 -0.635 -1.22"
LowerRight="1.13 -0.635 -1.22"
UpperRight="1.13 0.635 -1.22"
StereoType="Crystal Eyes"
/>
<Machine Name="Floor" Geometry="640x360+700+1560" StereoType="Left"
LowerLeft="-1.13 -0.635 0.05" LowerRight="1.13 -0.635 0.05" UpperRight="1.13 -0.635 -1.22"/>
</Process>
</pvx>
"#;

    #[test]
    fn imports_a_cave() {
        let w = parse(CAVE).unwrap();
        assert_eq!(w.head.eye_separation, 0.07);
        assert_eq!(w.head.position, DVec3::ZERO);
        let names: Vec<&str> = w.screens.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Left", "Front", "Floor"]);
        let left = &w.screens[0];
        assert_eq!(left.size, [640, 360]);
        assert_eq!(left.offset, Some([60, 1200]));
        assert_eq!(left.eyes, vec![Eye::Mono]);
        assert_eq!(left.upper_left, DVec3::new(-1.13, 0.635, 1.04));
        // The left wall faces +x, toward the viewer at the origin; the floor faces up.
        assert!((left.normal() - DVec3::X).length() < 1e-12);
        assert!((w.screens[2].normal() - DVec3::Y).length() < 1e-12);
        assert_eq!(w.screens[2].eyes, vec![Eye::Left]);
        // No Geometry: 1080 high, the aspect of 2.26 m x 1.27 m.
        let front = &w.screens[1];
        assert_eq!(front.size, [1922, 1080]);
        assert_eq!(front.offset, None);
        assert_eq!(front.eyes, vec![Eye::Left, Eye::Right]);
    }

    #[test]
    fn repeated_names_get_numbers() {
        let text = CAVE.replace("Name=\"Front\"", "Name=\"Left\"");
        let w = parse(&text).unwrap();
        let names: Vec<&str> = w.screens.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Left-1", "Left-2", "Floor"]);
    }

    #[test]
    fn bad_files_say_where() {
        let cases = [
            (
                "0.05\" LowerRight=\"1.13 -0.635 0.05\"",
                "0.05\" LowerRight=\"1.13 -0.635 0/05\"",
                "line 20: Machine \"Floor\": LowerRight=\"1.13 -0.635 0/05\" is not three numbers",
            ),
            (
                "Geometry=\"640x360+60+1200\"",
                "Geometry=\"640by360\"",
                "line 6: Machine \"Left\": Geometry=\"640by360\" is not WxH+X+Y",
            ),
            (
                "UpperRight=\"-1.13 0.635 -1.22\"\n/>",
                "/>",
                "Machine \"Left\": no UpperRight attribute",
            ),
            (
                "UpperRight=\"1.13 0.635 -1.22\"",
                "UpperRight=\"1.2 0.635 -1.22\"",
                "screen \"Front\": corners are not a rectangle",
            ),
            (
                "Value=\"0.07\"",
                "Value=\"wide\"",
                "line 5: EyeSeparation Value=\"wide\" is not a number",
            ),
            ("</Process>", "</Proces>", "not valid XML"),
        ];
        for (from, to, want) in cases {
            assert!(CAVE.contains(from), "{from}");
            let e = parse(&CAVE.replacen(from, to, 1)).unwrap_err();
            assert!(e.contains(want), "{to}: {e}");
        }
        assert!(parse("<pvx></pvx>").unwrap_err().contains("no <Machine>"));
        assert!(parse("<wall/>").unwrap_err().contains("no <pvx>"));
    }

    #[test]
    fn geometry_strings() {
        assert_eq!(
            parse_geometry("1920x1080+0+0"),
            Some(([1920, 1080], [0, 0]))
        );
        assert_eq!(
            parse_geometry("640x360-60+1200"),
            Some(([640, 360], [-60, 1200]))
        );
        assert_eq!(parse_geometry("640x360+-5-7"), Some(([640, 360], [-5, -7])));
        assert_eq!(parse_geometry("800x600"), Some(([800, 600], [0, 0])));
        assert_eq!(parse_geometry("800x600+1"), None);
        assert_eq!(parse_geometry("x600+1+1"), None);
    }
}
