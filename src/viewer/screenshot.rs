//! Screenshots (F12, Ctrl+S, the panel's button): the current view rendered at the volume's
//! full resolution, saved as `amrcast-YYYYmmdd-HHMMSS.png` in the current folder, never
//! overwriting one taken in the same second (`-2`, `-3`, ... are appended).

use super::stereo_mode::StereoMode;
use super::App;
use crate::error::Result;
use crate::render::FloatImage;
use crate::session::Rendered;
use anyhow::Context as _;
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

impl App {
    /// Saves a screenshot and says where (or why not) in the panel; the log line also gives
    /// the `render` command that makes the same image offscreen.
    pub(super) fn take_screenshot(&mut self) {
        match self.save_screenshot() {
            Ok(path) => {
                let (command, _) = self.render_command();
                eprintln!(
                    "amrcast: saved {} (the same view offscreen: {command})",
                    path.display()
                );
                self.set_message(format!("saved {}", path.display()), false);
            }
            Err(e) => self.set_message(format!("screenshot failed: {e:#}"), true),
        }
    }

    /// Renders the current view at the volume's full resolution (reusing the image on screen
    /// when it is complete) and writes it as a PNG in the current folder. In a stereo mode,
    /// both eyes at their full size, composed as `render --stereo-layout` does.
    fn save_screenshot(&mut self) -> anyhow::Result<PathBuf> {
        let g = self.gfx.as_ref().expect("graphics");
        let [w, h] = g.volume.size;
        let dir = std::env::current_dir().context("the current folder")?;
        if self.showing == super::slice_view::Showing::Slice {
            // As `amrcast slice` makes it with the logged command.
            let request = self.slice.request((w, h), self.settings.interpolation);
            let image = crate::slice::slice(&self.ds, &request)?;
            let display = crate::slice::SliceImage::display(&g.session.renderer.prepared);
            let rgba = image.float_image().colours(&display);
            return Ok(save(&dir, w, h, &rgba)?);
        }
        if let Some(packing) = self.stereo.packing() {
            let (ew, eh) = self.stereo.eye_size(w, h);
            let rgba = g
                .session
                .render_stereo(&self.rig, &self.cam, (ew, eh))?
                .map(|eye| eye.rgba8());
            let (pixels, pw, ph) = crate::stereo::compose(packing, &rgba[0], &rgba[1], ew, eh)?;
            return Ok(save(&dir, pw, ph, &pixels)?);
        }
        let shown = self.annotations_drawn();
        if shown.any() || self.plane_drawn() {
            // As `render --annotate --slice-plane` makes it, from the same functions.
            let target = crate::gpu::OffscreenTarget::new(&g.session.ctx, w, h)?;
            let plane = crate::slice::PlaneSpec::Axis {
                axis: self.slice.axis,
                coord: self.slice.coord,
                center: None,
            };
            let rays = self.cam.ray_model(w, h)?;
            let planes = self
                .plane_drawn()
                .then(|| {
                    crate::figure::planes_layer(&self.ds, &[plane], &self.settings, &rays, (w, h))
                })
                .transpose()?;
            let image = crate::figure::render_annotated(
                &g.session,
                &target,
                &self.cam,
                &shown,
                &self.figure_data(),
                false,
                planes.as_ref(),
            )?;
            return Ok(save(&dir, w, h, &image.rgba)?);
        }
        let image = if self.progressive.shown == 1
            && !self.progressive.busy()
            && self.stereo == StereoMode::Off
        {
            Rendered {
                image: FloatImage {
                    width: w,
                    height: h,
                    mode: self.settings.mode,
                    pixels: g.shown.read(&g.session.ctx)?,
                },
                display: g.session.display_for(&self.cam)?,
                encoding: g.session.prepared().encoding,
            }
        } else {
            g.session.render(&self.cam, (w, h))?
        };
        let rgba = image.rgba8();
        Ok(save(&dir, w, h, &rgba)?)
    }
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
