//! The TOML path file: its keyframe tables as read, checked key by key and resolved into
//! keyframes.

use super::{CameraPath, Keyframe};
use crate::camera::{Camera, Lens};
use crate::error::{Error, Result};
use glam::DVec3;
use serde::Deserialize;
use std::path::Path;

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
            let kf = k.resolve(i, lens, prev)?;
            keys.push(kf);
            prev = Some(kf);
        }
        Self::from_keyframes(frames, &keys).map_err(|e| e.to_string())
    }
}

/// `keyframe[i].key`, as messages name a key.
fn key_name(i: usize, key: &str) -> String {
    format!("keyframe[{i}].{key}")
}

fn missing(i: usize, key: &str) -> String {
    format!("missing key '{}'", key_name(i, key))
}

impl KeyframeFile {
    /// Keyframe `i` with `lens`; `up` and the size default to those of `prev`, the keyframe
    /// before it.
    fn resolve(
        &self,
        i: usize,
        lens: Lens,
        prev: Option<Keyframe>,
    ) -> std::result::Result<Keyframe, String> {
        let at = self.at(i, prev)?;
        let vec = |key: &str, v: Option<[f64; 3]>| -> std::result::Result<DVec3, String> {
            let v = v.ok_or_else(|| missing(i, key))?;
            let v = DVec3::from_array(v);
            if !v.is_finite() {
                return Err(format!("{} = {v:?}: must be finite", key_name(i, key)));
            }
            Ok(v)
        };
        let position = vec("position", self.position)?;
        let focus = vec("focus", self.focus)?;
        let up = match (self.up, prev) {
            (None, Some(p)) => p.camera.up,
            (None, None) => DVec3::Y,
            (v, _) => vec("up", v)?,
        };
        let size = self.size(i, lens, prev)?;
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
        Ok(Keyframe { at, camera })
    }

    /// `at` of keyframe `i`: in 0..=1 and after that of `prev`.
    fn at(&self, i: usize, prev: Option<Keyframe>) -> std::result::Result<f64, String> {
        let at = self.at.ok_or_else(|| missing(i, "at"))?;
        if !(0.0..=1.0).contains(&at) {
            return Err(format!("{} = {at}: must lie in 0..=1", key_name(i, "at")));
        }
        if let Some(p) = prev {
            if at <= p.at {
                return Err(format!(
                    "{} = {at}: keyframes must be in increasing order of 'at' (keyframe[{}].at = {})",
                    key_name(i, "at"),
                    i - 1,
                    p.at
                ));
            }
        }
        Ok(at)
    }

    /// The lens's size of keyframe `i` (`width` or `fov`; the other key is refused), else
    /// that of `prev`.
    fn size(
        &self,
        i: usize,
        lens: Lens,
        prev: Option<Keyframe>,
    ) -> std::result::Result<f64, String> {
        let (size_key, other_key, size, other) = match lens {
            Lens::Plane => ("width", "fov", self.width, self.fov),
            Lens::Perspective => ("fov", "width", self.fov, self.width),
        };
        if other.is_some() {
            return Err(format!(
                "{}: the {} lens takes '{size_key}', not '{other_key}'",
                key_name(i, other_key),
                lens.name()
            ));
        }
        match (size, prev) {
            (Some(s), _) => Ok(s),
            (None, Some(p)) => Ok(match lens {
                Lens::Plane => p.camera.width,
                Lens::Perspective => p.camera.fov,
            }),
            (None, None) => Err(missing(i, size_key)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{example, state, EXAMPLE};
    use super::*;

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
