//! Screenshot file names: `amrcast-YYYYmmdd-HHMMSS.png` in a folder, never overwriting one
//! taken in the same second (`-2`, `-3`, ... are appended).

use crate::error::Result;
use std::path::{Path, PathBuf};

/// `amrcast-YYYYmmdd-HHMMSS.png` for local time `t`.
pub fn screenshot_name(t: &chrono::NaiveDateTime) -> String {
    format!("amrcast-{}.png", t.format("%Y%m%d-%H%M%S"))
}

/// A path in `dir` for a screenshot taken at `t` that no file holds yet.
pub fn screenshot_path(dir: &Path, t: &chrono::NaiveDateTime) -> PathBuf {
    let name = screenshot_name(t);
    let first = dir.join(&name);
    if !first.exists() {
        return first;
    }
    let stem = name.trim_end_matches(".png");
    (2..)
        .map(|i| dir.join(format!("{stem}-{i}.png")))
        .find(|p| !p.exists())
        .expect("an unused name")
}

/// Writes an RGBA8 image as a PNG at a fresh screenshot path in `dir` (temporary file, then
/// rename) and returns the path.
pub fn save(dir: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<PathBuf> {
    let path = screenshot_path(dir, &chrono::Local::now().naive_local());
    crate::output::write_png_rgba8(&path, width, height, rgba)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_pattern_and_never_overwrite() {
        let t = chrono::NaiveDate::from_ymd_opt(2024, 3, 9)
            .unwrap()
            .and_hms_opt(7, 5, 1)
            .unwrap();
        assert_eq!(screenshot_name(&t), "amrcast-20240309-070501.png");
        let dir = tempfile::tempdir().unwrap();
        let a = screenshot_path(dir.path(), &t);
        assert_eq!(a, dir.path().join("amrcast-20240309-070501.png"));
        let rgba = [10u8, 20, 30, 255].repeat(6);
        crate::output::write_png_rgba8(&a, 3, 2, &rgba).unwrap();
        let b = screenshot_path(dir.path(), &t);
        assert_eq!(b, dir.path().join("amrcast-20240309-070501-2.png"));
        let saved = save(dir.path(), 3, 2, &rgba).unwrap();
        let img = image::open(&saved).unwrap().to_rgba8();
        assert_eq!(img.dimensions(), (3, 2));
        assert_eq!(img.get_pixel(2, 1).0, [10, 20, 30, 255]);
        // Only the two PNGs: no temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
