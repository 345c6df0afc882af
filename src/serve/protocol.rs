//! The messages of `amrcast serve`'s WebSocket, parsed and checked: what a viewer may ask
//! ([`ClientMessage`]) and the headers of the images sent back ([`FrameHeader`]).
//!
//! Keep in sync with `docs/serve-protocol.md` (the contract of the page, the benchmark client
//! and the Jupyter widget) and `web/viewer.js`. Anything the contract does not allow is an
//! error naming the problem, and changes nothing.

use crate::camera::{Lens, View};
use crate::render::Mode;
use crate::transfer::{Colormap, Scale};
use crate::viewer::stereo_mode::StereoMode;
use serde::{Deserialize, Deserializer, Serialize};

/// Protocol version sent in `hello`.
pub const VERSION: u32 = 1;
/// Largest text message a viewer may send, bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Smallest and largest image side, device pixels.
pub const SIDE_RANGE: (u32, u32) = (16, 4096);
/// Most opacity control points.
pub const MAX_POINTS: usize = 64;
/// Most Gaussian layers.
pub const MAX_LAYERS: u32 = 32;
/// Longest dataset path or field name, bytes.
pub const MAX_NAME: usize = 1024;

/// One message from a viewer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientMessage {
    Resize { seq: u64, width: u32, height: u32 },
    Orbit { seq: u64, dx: f64, dy: f64 },
    Pan { seq: u64, dx: f64, dy: f64 },
    Zoom { seq: u64, steps: f64 },
    Reset { seq: u64, view: Option<String> },
    Look(Box<LookChange>),
    Field { seq: u64, name: String },
    Open { seq: u64, path: String },
    List {},
    Command {},
    Screenshot { id: u64 },
}

/// Layers as a viewer names them: a count, or `"default"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LayersSpec {
    Count(u32),
    Named(String),
}

/// A change of the look: every field optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookChange {
    pub seq: u64,
    pub lens: Option<String>,
    pub mode: Option<String>,
    pub colormap: Option<String>,
    pub scale: Option<String>,
    /// Absent: unchanged; `null`: the field's range.
    #[serde(default, deserialize_with = "present")]
    pub bounds: Option<Option<[f64; 2]>>,
    pub opacity: Option<f64>,
    pub samples_per_cell: Option<f64>,
    pub layers: Option<LayersSpec>,
    pub points: Option<Vec<[f64; 2]>>,
    pub stereo: Option<String>,
    pub fov: Option<f64>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<[f64; 2]>>, D::Error> {
    Option::<[f64; 2]>::deserialize(d).map(Some)
}

/// A look change with its names parsed and its numbers checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Look {
    pub lens: Option<Lens>,
    pub mode: Option<Mode>,
    pub colormap: Option<Colormap>,
    pub scale: Option<Scale>,
    pub bounds: Option<Option<(f64, f64)>>,
    pub opacity: Option<f64>,
    pub samples_per_cell: Option<f64>,
    /// `Some(None)`: the default layers.
    pub layers: Option<Option<u32>>,
    pub points: Option<Vec<[f64; 2]>>,
    pub stereo: Option<StereoMode>,
    pub fov: Option<f64>,
}

fn name<T: std::str::FromStr>(what: &str, s: &Option<String>) -> Result<Option<T>, String> {
    s.as_deref()
        .map(|s| s.parse::<T>().map_err(|_| format!("unknown {what} '{s}'")))
        .transpose()
}

fn within(what: &str, v: Option<f64>, lo: f64, hi: f64) -> Result<Option<f64>, String> {
    match v {
        Some(x) if !(x.is_finite() && x > lo && x <= hi) => Err(format!(
            "{what} must be above {lo} and at most {hi}, not {x}"
        )),
        v => Ok(v),
    }
}

impl LookChange {
    /// The change with names parsed and numbers in range.
    pub fn check(&self) -> Result<Look, String> {
        let bounds = match self.bounds {
            Some(Some([lo, hi])) if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
                return Err(format!(
                    "bounds must be finite with min < max, not {lo},{hi}"
                ))
            }
            b => b.map(|b| b.map(|[lo, hi]| (lo, hi))),
        };
        let layers = match &self.layers {
            None => None,
            Some(LayersSpec::Count(n)) if *n <= MAX_LAYERS => Some(Some(*n)),
            Some(LayersSpec::Count(n)) => {
                return Err(format!("at most {MAX_LAYERS} layers, not {n}"))
            }
            Some(LayersSpec::Named(s)) if s == "default" => Some(None),
            Some(LayersSpec::Named(s)) => return Err(format!("unknown layers '{s}'")),
        };
        if let Some(points) = &self.points {
            check_points(points)?;
        }
        let stereo = match self.stereo.as_deref() {
            None => None,
            Some(s) => Some(
                StereoMode::ALL
                    .into_iter()
                    .find(|m| m.name() == s)
                    .ok_or_else(|| format!("unknown stereo mode '{s}'"))?,
            ),
        };
        Ok(Look {
            lens: name("lens", &self.lens)?,
            mode: name("mode", &self.mode)?,
            colormap: name("colormap", &self.colormap)?,
            scale: name("scale", &self.scale)?,
            bounds,
            opacity: within("opacity", self.opacity, 0.0, 1000.0)?,
            samples_per_cell: within("samples_per_cell", self.samples_per_cell, 0.049, 64.0)?,
            layers,
            points: self.points.clone(),
            stereo,
            fov: within("fov", self.fov, 0.999, 170.0)?,
        })
    }
}

/// Opacity control points: at most [`MAX_POINTS`], each in the unit square, sorted by `t`.
fn check_points(points: &[[f64; 2]]) -> Result<(), String> {
    if points.len() > MAX_POINTS {
        return Err(format!("at most {MAX_POINTS} control points"));
    }
    let unit = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
    if !points.iter().all(|p| unit(p[0]) && unit(p[1])) {
        return Err("control points must lie in [0, 1] x [0, 1]".into());
    }
    if points.windows(2).any(|w| w[1][0] < w[0][0]) {
        return Err("control points must be sorted by t".into());
    }
    Ok(())
}

/// Parses and checks one text message.
pub fn parse(text: &str) -> Result<ClientMessage, String> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(format!("message over {MAX_MESSAGE_BYTES} bytes"));
    }
    let msg: ClientMessage = serde_json::from_str(text).map_err(|e| format!("bad message: {e}"))?;
    check(&msg)?;
    Ok(msg)
}

/// The checks serde cannot make: sizes, finite deltas, names.
fn check(msg: &ClientMessage) -> Result<(), String> {
    let finite = |what: &str, v: f64, limit: f64| {
        if v.is_finite() && v.abs() <= limit {
            Ok(())
        } else {
            Err(format!("{what} must be a number within +-{limit}, not {v}"))
        }
    };
    match msg {
        ClientMessage::Resize { width, height, .. } => {
            let (lo, hi) = SIDE_RANGE;
            if !(lo..=hi).contains(width) || !(lo..=hi).contains(height) {
                return Err(format!(
                    "image size {width}x{height}: each side must be {lo} to {hi} pixels"
                ));
            }
            Ok(())
        }
        ClientMessage::Orbit { dx, dy, .. } | ClientMessage::Pan { dx, dy, .. } => {
            finite("dx", *dx, 1e5)?;
            finite("dy", *dy, 1e5)
        }
        ClientMessage::Zoom { steps, .. } => finite("steps", *steps, 100.0),
        ClientMessage::Reset { view: Some(v), .. } => v
            .parse::<View>()
            .map(|_| ())
            .map_err(|_| format!("unknown view '{v}'")),
        ClientMessage::Look(change) => change.check().map(|_| ()),
        ClientMessage::Field { name: s, .. } | ClientMessage::Open { path: s, .. }
            if s.is_empty() || s.len() > MAX_NAME =>
        {
            Err(format!("a name of 1 to {MAX_NAME} bytes"))
        }
        _ => Ok(()),
    }
}

impl ClientMessage {
    /// The sequence number of a message that changes the image.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ClientMessage::Resize { seq, .. }
            | ClientMessage::Orbit { seq, .. }
            | ClientMessage::Pan { seq, .. }
            | ClientMessage::Zoom { seq, .. }
            | ClientMessage::Reset { seq, .. }
            | ClientMessage::Field { seq, .. }
            | ClientMessage::Open { seq, .. } => Some(*seq),
            ClientMessage::Look(l) => Some(l.seq),
            _ => None,
        }
    }
}

/// What an image message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    Frame,
    Screenshot,
}

/// The header before an image's bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameHeader {
    pub kind: ImageKind,
    pub seq: u64,
    pub id: Option<u64>,
    /// `"jpeg"` or `"png"`.
    pub format: String,
    pub width: u32,
    pub height: u32,
    /// The size the image stands for (a reduced frame is drawn scaled up to it).
    pub view: [u32; 2],
    #[serde(rename = "final")]
    pub is_final: bool,
    pub render_ms: f64,
}

/// A binary message: the header's length (u32, little-endian), the header, the image.
pub fn encode_image(header: &FrameHeader, image: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("a header serialises");
    let mut out = Vec::with_capacity(4 + json.len() + image.len());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(image);
    out
}

/// Splits a binary message into its header and image; `None` when it is not one.
pub fn decode_image(bytes: &[u8]) -> Option<(FrameHeader, &[u8])> {
    let n = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let json = bytes.get(4..4 + n)?;
    Some((serde_json::from_slice(json).ok()?, &bytes[4 + n..]))
}

/// A text message to a viewer: `{"type": kind, ...fields}`.
pub fn text(kind: &str, fields: serde_json::Value) -> String {
    let mut obj = match fields {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    obj.insert("type".into(), kind.into());
    serde_json::Value::Object(obj).to_string()
}

/// An `error` message.
pub fn error(message: &str) -> String {
    text("error", serde_json::json!({ "message": message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_messages_parse() {
        let m = parse(r#"{"type":"orbit","seq":3,"dx":4.5,"dy":-2}"#).unwrap();
        assert_eq!(
            m,
            ClientMessage::Orbit {
                seq: 3,
                dx: 4.5,
                dy: -2.0
            }
        );
        assert_eq!(m.seq(), Some(3));
        let l = parse(r#"{"type":"look","seq":1,"bounds":null,"layers":"default","mode":"mip"}"#)
            .unwrap();
        let ClientMessage::Look(l) = l else {
            panic!("a look")
        };
        let look = l.check().unwrap();
        assert_eq!(look.bounds, Some(None));
        assert_eq!(look.layers, Some(None));
        assert_eq!(look.mode, Some(Mode::Mip));
        assert_eq!(look.colormap, None);
        assert_eq!(parse(r#"{"type":"list"}"#).unwrap(), ClientMessage::List {});
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        for (text, why) in [
            ("not json", "bad message"),
            (r#"{"type":"fly","seq":1}"#, "unknown variant"),
            (
                r#"{"type":"orbit","seq":1,"dx":1,"dy":2,"dz":3}"#,
                "unknown field",
            ),
            (
                r#"{"type":"orbit","seq":1,"dx":"1","dy":2}"#,
                "invalid type",
            ),
            (
                r#"{"type":"orbit","seq":1,"dx":1e300,"dy":2}"#,
                "dx must be",
            ),
            (r#"{"type":"zoom","seq":1,"steps":1e999}"#, "bad message"),
            (
                r#"{"type":"resize","seq":1,"width":5,"height":100}"#,
                "5x100",
            ),
            (
                r#"{"type":"resize","seq":-1,"width":50,"height":100}"#,
                "bad message",
            ),
            (r#"{"type":"reset","seq":1,"view":"w"}"#, "unknown view"),
            (
                r#"{"type":"look","seq":1,"colormap":"jet"}"#,
                "unknown colormap",
            ),
            (r#"{"type":"look","seq":1,"bounds":[2,1]}"#, "min < max"),
            (r#"{"type":"look","seq":1,"opacity":0}"#, "opacity must be"),
            (r#"{"type":"look","seq":1,"layers":33}"#, "at most 32"),
            (
                r#"{"type":"look","seq":1,"points":[[0.5,0],[0.2,1]]}"#,
                "sorted",
            ),
            (r#"{"type":"look","seq":1,"points":[[0.5,2]]}"#, "[0, 1]"),
            (r#"{"type":"look","seq":1,"stereo":"3d"}"#, "unknown stereo"),
            (r#"{"type":"field","seq":1,"name":""}"#, "a name of"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
        let big = format!(
            r#"{{"type":"open","seq":1,"path":"{}"}}"#,
            "a".repeat(20000)
        );
        assert!(parse(&big).unwrap_err().contains("over 16384 bytes"));
    }

    #[test]
    fn image_messages_round_trip() {
        let h = FrameHeader {
            kind: ImageKind::Frame,
            seq: 7,
            id: None,
            format: "jpeg".into(),
            width: 128,
            height: 96,
            view: [1024, 768],
            is_final: false,
            render_ms: 12.5,
        };
        let bytes = encode_image(&h, &[1, 2, 3]);
        let (back, image) = decode_image(&bytes).unwrap();
        assert_eq!(back, h);
        assert_eq!(image, [1, 2, 3]);
        assert!(String::from_utf8_lossy(&bytes).contains(r#""final":false"#));
        assert!(decode_image(&[9, 0, 0, 0, b'{']).is_none());
    }
}
