//! Keyframes recorded in the viewer (K) and written as a camera path file that
//! `amrcast movie PATH.toml` reads ([`crate::path`]): `frames`, `lens` and one `[[keyframe]]`
//! per recorded camera, spread evenly over the movie (`at` = 0, 1/(n-1), ..., 1).

use crate::camera::{Camera, Lens};
use crate::error::{Error, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Name of the path file written in the current folder.
pub const PATH_FILE: &str = "amrcast-path.toml";
/// Frames between two neighbouring keyframes (2.5 s at 24 frames per second): keyframe `i` is
/// frame `i * FRAMES_PER_SEGMENT` of the movie exactly.
pub const FRAMES_PER_SEGMENT: usize = 60;

/// The cameras recorded so far, all with one lens.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordedPath {
    pub cameras: Vec<Camera>,
}

/// Text of a float that TOML reads back as the same f64 (`{:?}` always has a point or an
/// exponent, so no value is read as an integer).
fn num(v: f64) -> String {
    format!("{v:?}")
}

fn vec3(v: glam::DVec3) -> String {
    format!("[{}, {}, {}]", num(v.x), num(v.y), num(v.z))
}

impl RecordedPath {
    pub fn len(&self) -> usize {
        self.cameras.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cameras.is_empty()
    }

    pub fn clear(&mut self) {
        self.cameras.clear();
    }

    /// Appends `cam`; an error (and nothing recorded) when its lens differs from the path's.
    pub fn record(&mut self, cam: Camera) -> Result<()> {
        cam.ray_model(1, 1)?;
        if let Some(first) = self.cameras.first() {
            if first.lens != cam.lens {
                return Err(Error::Settings(format!(
                    "keyframe not recorded: the path uses the {} lens and the view the {} lens (switch the lens back or clear the path)",
                    first.lens.name(),
                    cam.lens.name()
                )));
            }
        }
        self.cameras.push(cam);
        Ok(())
    }

    /// Frames of the movie: [`FRAMES_PER_SEGMENT`] per pair of neighbouring keyframes, plus one.
    pub fn frames(&self) -> usize {
        FRAMES_PER_SEGMENT * self.len().saturating_sub(1) + 1
    }

    /// Position along the movie (0..=1) of keyframe `i`.
    pub fn at(&self, i: usize) -> f64 {
        if self.len() <= 1 {
            0.0
        } else {
            i as f64 / (self.len() - 1) as f64
        }
    }

    /// The path file's TOML text.
    pub fn to_toml(&self) -> String {
        let lens = self.cameras.first().map_or(Lens::Plane, |c| c.lens);
        let mut s = String::from(
            "# Camera path recorded in `amrcast view` (K); render it with `amrcast movie`.\n",
        );
        let _ = writeln!(s, "frames = {}", self.frames());
        let _ = writeln!(s, "lens = \"{}\"", lens.name());
        for (i, c) in self.cameras.iter().enumerate() {
            let _ = writeln!(s, "\n[[keyframe]]");
            let _ = writeln!(s, "at = {}", num(self.at(i)));
            let _ = writeln!(s, "position = {}", vec3(c.position));
            let _ = writeln!(s, "focus = {}", vec3(c.focus));
            let _ = writeln!(s, "up = {}", vec3(c.up));
            match lens {
                Lens::Plane => writeln!(s, "width = {}", num(c.width)),
                Lens::Perspective => writeln!(s, "fov = {}", num(c.fov)),
            }
            .expect("writing to a string");
        }
        s
    }

    /// Writes (or rewrites) [`PATH_FILE`] in `dir` atomically; returns its path.
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(PATH_FILE);
        let text = self.to_toml();
        crate::output::write_atomically(&path, |w| w.write_all(text.as_bytes()))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::View;
    use crate::path::CameraPath;
    use glam::DVec3;

    fn close(a: DVec3, b: DVec3) -> bool {
        (a - b).abs().max_element() < 1e-9
    }

    fn check(cams: &[Camera]) {
        let mut rec = RecordedPath::default();
        for c in cams {
            rec.record(*c).unwrap();
        }
        assert_eq!(rec.len(), cams.len());
        let dir = tempfile::tempdir().unwrap();
        let file = rec.save(dir.path()).unwrap();
        assert_eq!(file, dir.path().join(PATH_FILE));
        // The other lens as the default: the file's own `lens` must win.
        let other = match cams[0].lens {
            Lens::Plane => Lens::Perspective,
            Lens::Perspective => Lens::Plane,
        };
        let path = CameraPath::load(&file, other).unwrap();
        assert_eq!(path.lens, cams[0].lens);
        assert_eq!(path.frames, rec.frames());
        for (i, c) in cams.iter().enumerate() {
            let k = i * FRAMES_PER_SEGMENT;
            assert_eq!(path.frame_time(k), rec.at(i));
            let got = path.frame_camera(k);
            assert!(close(got.position, c.position), "{i}: {got:?} vs {c:?}");
            assert!(close(got.focus, c.focus), "{i}: {got:?} vs {c:?}");
            let (f0, r0, u0) = c.basis().unwrap();
            let (f1, r1, u1) = got.basis().unwrap();
            assert!(close(f0, f1) && close(r0, r1) && close(u0, u1), "{i}");
            match c.lens {
                Lens::Plane => assert!((got.width - c.width).abs() < 1e-9 * c.width),
                Lens::Perspective => assert!((got.fov - c.fov).abs() < 1e-9),
            }
        }
        // Only the path file: the temporary file was renamed into place.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Rewriting after one more keyframe replaces the file.
        rec.record(cams[0]).unwrap();
        rec.save(dir.path()).unwrap();
        let path = CameraPath::load(&file, other).unwrap();
        assert_eq!(path.frames, rec.frames());
        assert!(close(
            path.frame_camera(path.frames - 1).position,
            cams[0].position
        ));
    }

    #[test]
    fn recorded_cameras_come_back_from_the_path_file_at_their_keyframes() {
        let (lo, hi) = (DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0));
        let a = Camera::framing(View::Z, Lens::Perspective, lo, hi, 1.5);
        let b = Camera {
            position: DVec3::new(3.123456789012345, -1.0e-7, 2.5),
            focus: DVec3::new(0.9, 0.4, 1.0 / 3.0),
            up: DVec3::new(0.1, 0.2, 1.0),
            fov: 22.5,
            ..a
        };
        let c = Camera {
            position: DVec3::new(-2.0, 1.5, -4.0),
            fov: 61.0,
            ..b
        };
        check(&[a, b, c]);
        let p = Camera::framing(View::NegY, Lens::Plane, lo, hi, 1.0);
        let q = Camera {
            width: p.width / 1000.0,
            position: p.position + DVec3::new(0.3, 0.0, 0.1),
            ..p
        };
        let r = Camera {
            position: DVec3::new(5.0, 5.0, 5.0),
            width: 1e-12,
            ..q
        };
        check(&[p, q, r]);
        // One keyframe: a one-frame movie.
        check(&[a]);
    }

    #[test]
    fn a_second_lens_is_refused_and_clearing_starts_over() {
        let (lo, hi) = (DVec3::ZERO, DVec3::ONE);
        let mut rec = RecordedPath::default();
        rec.record(Camera::framing(View::Z, Lens::Plane, lo, hi, 1.0))
            .unwrap();
        let persp = Camera::framing(View::Z, Lens::Perspective, lo, hi, 1.0);
        let e = rec.record(persp).unwrap_err();
        assert!(e.to_string().contains("plane lens"), "{e}");
        assert_eq!(rec.len(), 1);
        rec.clear();
        rec.record(persp).unwrap();
        assert!(rec.to_toml().contains("lens = \"perspective\""));
        assert_eq!(rec.frames(), 1);
    }
}
