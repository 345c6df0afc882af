//! `--encode`: the frames piped into ffmpeg.

use super::frames::frame_file;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The first `ffmpeg` on PATH.
pub fn find_ffmpeg() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("ffmpeg"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::Settings(
                "--encode needs ffmpeg, which is not on PATH: install it (or load its module), or leave out --encode and encode the frames later".into(),
            )
        })
}

/// Pipes `frames` PNGs of `dir` into ffmpeg, which writes `video` (through a temporary file
/// renamed into place, so a failed encode leaves no partial video).
pub fn encode(ffmpeg: &Path, dir: &Path, frames: usize, fps: f64, video: &Path) -> Result<()> {
    let missing: Vec<usize> = (0..frames)
        .filter(|&k| !frame_file(dir, k, "png").is_file())
        .collect();
    if let Some(first) = missing.first() {
        return Err(Error::Settings(format!(
            "--encode needs all {frames} frames, but {} are missing from {} (the first is frame {first}); rerun with --encode once every shard has finished",
            missing.len(),
            dir.display()
        )));
    }
    let name = video
        .file_name()
        .ok_or_else(|| Error::Settings(format!("--encode {}: not a file name", video.display())))?
        .to_string_lossy()
        .into_owned();
    let ext = video
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "mp4".into());
    let tmp = video.with_file_name(format!(".{name}.partial.{ext}"));
    let mut cmd = std::process::Command::new(ffmpeg);
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "image2pipe", "-c:v", "png", "-framerate"])
        .arg(format!("{fps}"))
        .args(["-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]);
    if matches!(ext.as_str(), "mp4" | "mov" | "m4v" | "mkv") {
        cmd.args(["-pix_fmt", "yuv420p"]);
    }
    cmd.arg(&tmp).stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| Error::io(ffmpeg, e))?;
    let piped = (|| -> Result<()> {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        for k in 0..frames {
            let file = frame_file(dir, k, "png");
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            stdin.write_all(&bytes).map_err(|e| Error::io(ffmpeg, e))?;
        }
        Ok(())
    })();
    let status = child.wait().map_err(|e| Error::io(ffmpeg, e))?;
    if piped.is_err() || !status.success() {
        let _ = std::fs::remove_file(&tmp);
        piped?;
        return Err(Error::Settings(format!(
            "ffmpeg failed ({status}) encoding {}",
            video.display()
        )));
    }
    std::fs::rename(&tmp, video).map_err(|e| Error::io(video, e))?;
    Ok(())
}
