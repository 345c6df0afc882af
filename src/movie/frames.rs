//! Which frames a task renders (`--frames`, `--shard`) and the files each frame writes.

use crate::error::{Error, Result};
use crate::session::Outputs;
use crate::stereo::{Eye, Packing, StereoRig};
use std::path::{Path, PathBuf};

/// A range of frame numbers; `end: None` is the end of the movie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameRange {
    pub start: usize,
    pub end: Option<usize>,
}

/// Task `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

pub fn parse_frame_range(s: &str) -> std::result::Result<FrameRange, String> {
    let bad = || format!("'{s}' is not a frame range (A..B, A..=B, A.., ..B or A)");
    let num = |x: &str| x.trim().parse::<usize>().map_err(|_| bad());
    let (start, end) = if let Some((a, b)) = s.split_once("..=") {
        (a, Some(num(b)?.checked_add(1).ok_or_else(bad)?))
    } else if let Some((a, b)) = s.split_once("..") {
        (
            a,
            if b.trim().is_empty() {
                None
            } else {
                Some(num(b)?)
            },
        )
    } else {
        let a = num(s)?;
        return Ok(FrameRange {
            start: a,
            end: Some(a + 1),
        });
    };
    let start = if start.trim().is_empty() {
        0
    } else {
        num(start)?
    };
    if end.is_some_and(|e| e <= start) {
        return Err(format!("'{s}' is an empty frame range"));
    }
    Ok(FrameRange { start, end })
}

pub fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    let bad = || format!("'{s}' is not I/N with 0 <= I < N");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (index, count) = (
        i.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The frames of a movie of `total` frames that `range` and `shard` select, in order.
pub fn select_frames(
    total: usize,
    range: Option<FrameRange>,
    shard: Option<Shard>,
) -> Result<Vec<usize>> {
    let r = range.unwrap_or(FrameRange {
        start: 0,
        end: None,
    });
    let end = r.end.unwrap_or(total).min(total);
    if r.start >= end {
        return Err(Error::Settings(format!(
            "--frames selects no frame: the movie has frames 0..{total}"
        )));
    }
    let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
    Ok((r.start..end)
        .filter(|k| k % shard.count == shard.index)
        .collect())
}

/// `DIR/frame_NNNNN.EXT`.
pub fn frame_file(dir: &Path, k: usize, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}.{ext}"))
}

/// `DIR/frame_NNNNN_L.EXT` or `_R`: one eye of a stereo frame.
pub fn frame_eye_file(dir: &Path, k: usize, eye: Eye, ext: &str) -> PathBuf {
    dir.join(format!("frame_{k:05}_{}.{ext}", eye.letter()))
}

/// The files of one frame: mono, a stereo pair in separate files, or a packed stereo image.
#[derive(Clone, Copy, Debug)]
pub struct FrameFiles {
    /// Stereo rig and packing (`None`: separate files per eye); `None` for mono.
    pub stereo: Option<(StereoRig, Option<Packing>)>,
    /// Whether NPY values are written.
    pub values: bool,
    /// Size of each rendered image (of each eye).
    pub size: (u32, u32),
}

impl FrameFiles {
    /// The PNGs of frame `k` with their sizes, in the order they are written.
    pub fn pngs(&self, dir: &Path, k: usize) -> Vec<(PathBuf, (u32, u32))> {
        let (w, h) = self.size;
        match self.stereo {
            None => vec![(frame_file(dir, k, "png"), self.size)],
            Some((_, None)) => Eye::BOTH
                .iter()
                .map(|&e| (frame_eye_file(dir, k, e, "png"), self.size))
                .collect(),
            Some((_, Some(packing))) => vec![(frame_file(dir, k, "png"), packing.size(w, h))],
        }
    }

    /// The NPYs of frame `k` (none without --values).
    pub fn npys(&self, dir: &Path, k: usize) -> Vec<PathBuf> {
        match (self.values, self.stereo) {
            (false, _) => Vec::new(),
            (true, None) => vec![frame_file(dir, k, "npy")],
            (true, Some(_)) => Eye::BOTH
                .iter()
                .map(|&e| frame_eye_file(dir, k, e, "npy"))
                .collect(),
        }
    }

    /// Where frame `k`'s images go.
    pub fn outputs(&self, dir: &Path, k: usize) -> Outputs {
        Outputs {
            pngs: self.pngs(dir, k).into_iter().map(|(p, _)| p).collect(),
            npys: self.npys(dir, k),
            packing: self.stereo.and_then(|(_, packing)| packing),
        }
    }

    /// Whether frame `k` is already complete in `dir` (all its files exist; the PNGs have the
    /// movie's size). Files are renamed into place only once written, so existing means
    /// complete.
    pub fn complete(&self, dir: &Path, k: usize) -> Result<bool> {
        if self.npys(dir, k).iter().any(|f| !f.is_file()) {
            return Ok(false);
        }
        for (png, size) in self.pngs(dir, k) {
            if !png.is_file() {
                return Ok(false);
            }
            match image::image_dimensions(&png) {
                Ok(dims) if dims == size => {}
                Ok((w, h)) => return Err(Error::format(
                    &png,
                    format!(
                        "an existing frame of {w}x{h} pixels, but this movie's are {}x{}: use another output directory or remove the old frames",
                        size.0, size.1
                    ),
                )),
                Err(e) => {
                    log::warn!("{}: unreadable ({e}); rendering it again", png.display());
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// Removes the temporary files that a killed run left behind for the frames in `frames`.
pub fn remove_stale_temporaries(dir: &Path, frames: &[usize]) -> Result<usize> {
    let wanted: std::collections::HashSet<usize> = frames.iter().copied().collect();
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // write_atomically's temporaries: ".frame_00012.png.XXXXXX.tmp"
        let Some(rest) = name.strip_prefix(".frame_") else {
            continue;
        };
        if !name.ends_with(".tmp") {
            continue;
        }
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.parse::<usize>().is_ok_and(|k| wanted.contains(&k)) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ranges_and_shards() {
        let r = |s: &str| parse_frame_range(s).unwrap();
        assert_eq!(select_frames(10, Some(r("2..5")), None).unwrap(), [2, 3, 4]);
        assert_eq!(
            select_frames(10, Some(r("2..=5")), None).unwrap(),
            [2, 3, 4, 5]
        );
        assert_eq!(select_frames(10, Some(r("7..")), None).unwrap(), [7, 8, 9]);
        assert_eq!(select_frames(10, Some(r("..2")), None).unwrap(), [0, 1]);
        assert_eq!(select_frames(10, Some(r("4")), None).unwrap(), [4]);
        assert_eq!(select_frames(10, Some(r("8..100")), None).unwrap(), [8, 9]);
        assert!(select_frames(10, Some(r("10..")), None).is_err());
        for bad in ["5..5", "6..2", "a..b", "1...3", ""] {
            assert!(parse_frame_range(bad).is_err(), "{bad}");
        }
        // Shards partition the selection: every frame once.
        let mut all = Vec::new();
        for i in 0..3 {
            let shard = parse_shard(&format!("{i}/3")).unwrap();
            all.extend(select_frames(10, None, Some(shard)).unwrap());
        }
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(
            select_frames(10, Some(r("1..8")), Some(parse_shard("1/3").unwrap())).unwrap(),
            [1, 4, 7]
        );
        for bad in ["3/3", "1/0", "x/2", "1"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stale_temporaries_of_selected_frames_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".frame_00003.png.abc123.tmp",
            ".frame_00004.npy.xyz.tmp",
            ".frame_00007.png.q.tmp",
            "frame_00003.png",
            "notes.tmp",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path(), &[3, 4]).unwrap(), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".frame_00007.png.q.tmp", "frame_00003.png", "notes.tmp"]
        );
    }
}
