//! What keys and the panel ask for: settings, lens, mode, stereo, keyframes, the view reset.

use super::stereo_mode::StereoMode;
use super::{camera_control, keyframes, App};
use crate::camera::Lens;
use crate::render::{Mode, RenderSettings};
use anyhow::Context as _;
use std::path::PathBuf;

impl App {
    /// Applies settings edited in the panel or by keys; the old ones stay when they fail.
    pub(super) fn apply_settings(&mut self, new: RenderSettings) {
        if new == self.settings {
            return;
        }
        let Some(g) = &mut self.gfx else { return };
        match g.session.set_settings(&self.ds, &new) {
            Ok(()) => {
                self.settings = new;
                if matches!(&self.message, Some((_, true))) {
                    self.message = None;
                }
                self.changed();
            }
            Err(e) => self.set_message(format!("settings not applied: {e}"), true),
        }
    }

    pub(super) fn set_lens(&mut self, lens: Lens) {
        if lens != self.cam.lens {
            let (lo, hi) = self.domain();
            let cam = camera_control::switch_lens(&self.cam, self.aspect(), lo, hi);
            self.set_camera(cam);
        }
    }

    pub(super) fn cycle_mode(&mut self) {
        let mut s = self.settings.clone();
        s.mode = match s.mode {
            Mode::Composite => Mode::Mip,
            Mode::Mip => Mode::Projection,
            Mode::Projection => Mode::Composite,
        };
        self.apply_settings(s);
    }

    pub(super) fn cycle_stereo(&mut self) {
        self.set_stereo(self.stereo.next());
    }

    pub(super) fn set_stereo(&mut self, mode: StereoMode) {
        if mode == self.stereo {
            return;
        }
        self.stereo = mode;
        if let Some(g) = &self.gfx {
            // set_volume() makes images of the new mode's width (when it differs) and restarts
            // the ladder.
            let rect = g.volume;
            self.set_volume(rect);
        }
        let text = match (
            self.rig.eye_separation(&self.cam),
            self.rig.focal_distance(&self.cam),
        ) {
            (Ok(e), Ok(d)) if mode != StereoMode::Off => {
                format!(
                    "stereo: {} (eye separation {e:.4}, focal distance {d:.4})",
                    mode.name()
                )
            }
            _ => format!("stereo: {}", mode.name()),
        };
        self.set_message(text, false);
    }

    /// Appends the current camera to the recorded path and rewrites the path file in the
    /// current folder.
    pub(super) fn record_keyframe(&mut self) {
        let result = (|| -> anyhow::Result<PathBuf> {
            let mut path = self.keyframes.clone();
            path.record(self.keyframe_camera())?;
            let dir = std::env::current_dir().context("the current folder")?;
            let file = path.save(&dir)?;
            self.keyframes = path;
            Ok(file)
        })();
        match result {
            Ok(file) => self.set_message(
                format!(
                    "keyframe {} recorded in {} (amrcast movie {} ...)",
                    self.keyframes.len(),
                    file.display(),
                    keyframes::PATH_FILE
                ),
                false,
            ),
            Err(e) => self.set_message(format!("{e:#}"), true),
        }
    }

    /// The camera a keyframe records: the view's, or for a 2-D dataset's image the camera that
    /// shows the same part of it ([`crate::slice::flat::camera_for`]).
    fn keyframe_camera(&self) -> crate::camera::Camera {
        let h = &self.ds.hierarchy;
        if !crate::slice::flat::is_flat(h) {
            return self.cam;
        }
        let size = self.size();
        let request = self.slice.request(size, self.settings.interpolation);
        match request.frame(h.domain_left, h.domain_right) {
            Ok(f) => crate::slice::flat::camera_for(h, f.plane.center, f.pixel * size.0 as f64),
            Err(_) => self.cam,
        }
    }

    pub(super) fn clear_keyframes(&mut self) {
        self.keyframes.clear();
        self.set_message(
            format!(
                "keyframes cleared (K records again and rewrites {})",
                keyframes::PATH_FILE
            ),
            false,
        );
    }

    /// Hides the panel (the volume takes the whole window) or shows it again.
    pub(super) fn toggle_panel(&mut self) {
        self.panel_visible = !self.panel_visible;
        self.ui_dirty = true;
        self.request_redraw();
    }

    pub(super) fn reset_view(&mut self) {
        let (lo, hi) = self.domain();
        let cam = camera_control::reset(self.home, self.cam.lens, lo, hi, self.aspect());
        self.set_camera(cam);
    }
}
