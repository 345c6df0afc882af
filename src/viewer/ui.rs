//! The panel's part of a frame: its readouts refreshed, egui run on it ([`super::panel`],
//! [`super::tf_editor`], [`super::histogram`]), what it asked for applied, and the volume laid
//! out beside it. Drawing it is [`super::draw`]'s, through the [`super::panel_layer`].

use super::histogram::Histogram;
use super::layout::{panel_default_width, panel_max_width, volume_rect};
use super::panel::{self, PanelAction};
use super::slice_view::{Showing, SliceView};
use super::stereo_mode::StereoMode;
use super::App;
use crate::stereo::StereoRig;
use std::time::{Duration, Instant};

/// Bins of the histogram under the transfer-function editor.
const HISTOGRAM_BINS: usize = 128;
/// While the view changes the panel's live readouts are refreshed at most this often, so that
/// an otherwise unchanged panel is not drawn again for every frame (see
/// [`super::panel_layer::PanelLayer`]).
const READOUT_PERIOD: Duration = Duration::from_millis(500);

/// What the panel shows of the current frame and camera.
#[derive(Clone)]
pub(super) struct Readouts {
    /// The view as `render` command-line flags, and whether they reproduce it exactly.
    command: (String, bool),
    timing: String,
    /// The stereo rig's eye separation and focal distance for the current camera.
    rig_values: (f64, f64),
    at: Instant,
}

/// What egui drew this frame, for the panel layer.
pub(super) struct PanelFrame {
    pub jobs: Vec<egui::ClippedPrimitive>,
    pub pixels_per_point: f32,
    /// egui updated a texture (uploaded already).
    pub textures_changed: bool,
    /// Textures egui freed: released once the frame is drawn.
    pub free: Vec<egui::TextureId>,
}

/// What the panel edits in place: settings, stereo rig, slice and annotations.
type Edits<'a> = (
    &'a mut crate::render::RenderSettings,
    &'a mut StereoRig,
    &'a mut SliceView,
    &'a mut crate::annotate::Annotations,
);

/// Paints the annotations' texture `tex` over the volume's part of the window, `volume` in
/// pixels, beneath the panel.
fn paint_overlay(ctx: &egui::Context, tex: egui::TextureId, volume: crate::gpu::display::Rect) {
    let ppp = ctx.pixels_per_point();
    let min = egui::pos2(volume.offset[0] as f32 / ppp, volume.offset[1] as f32 / ppp);
    let size = egui::vec2(volume.size[0] as f32, volume.size[1] as f32) / ppp;
    let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
    ctx.layer_painter(egui::LayerId::background()).image(
        tex,
        egui::Rect::from_min_size(min, size),
        uv,
        egui::Color32::WHITE,
    );
}

/// While the panel is hidden: a small button at the window's top left that shows it again;
/// returns where it is.
fn show_panel_button(ui: &mut egui::Ui, actions: &mut Vec<PanelAction>) -> egui::Rect {
    egui::Area::new(egui::Id::unique("show panel"))
        .anchor(egui::Align2::LEFT_TOP, [6.0, 6.0])
        .show(ui.ctx(), |ui| {
            if ui
                .button("show panel (Tab)")
                .on_hover_text("the panel: field, mode, colours, transfer function")
                .clicked()
            {
                actions.push(PanelAction::TogglePanel);
            }
        })
        .response
        .rect
}

impl App {
    /// Runs the panel for this frame, applies what it asked for and lays the volume out
    /// beside it.
    pub(super) fn run_panel(&mut self) -> PanelFrame {
        self.update_histogram();
        self.refresh_readouts();
        let mut edited = self.settings.clone();
        let mut rig = self.rig;
        let mut slice = self.slice;
        let mut shown = self.annotations.shown;
        let overlay = self.annotation_overlay();
        let (out, actions, panel_right) =
            self.run_egui((&mut edited, &mut rig, &mut slice, &mut shown), overlay);
        let frame = self.take_egui_output(out);
        self.apply_panel(edited, rig, actions);
        self.apply_slice(slice);
        if shown != self.annotations.shown {
            self.annotations.shown = shown;
            self.changed();
        }
        let g = self.gfx.as_ref().expect("graphics");
        let (sw, sh) = g.surface.size();
        let ppp = frame.pixels_per_point;
        let volume = volume_rect(sw, sh, (panel_right * ppp).round() as u32);
        if g.volume != volume {
            self.set_volume(volume);
        }
        frame
    }

    fn update_histogram(&mut self) {
        let Some(g) = &self.gfx else { return };
        let p = &g.session.renderer.prepared;
        let key = (p.settings.tf.scale, p.bounds, self.ds.field.name.clone());
        if self.histogram_key.as_ref() != Some(&key) {
            self.histogram = Histogram::new(&self.ds, key.0, key.1, HISTOGRAM_BINS);
            self.histogram_key = Some(key);
        }
    }

    /// New readouts once the view settles, and at most every [`READOUT_PERIOD`] while it
    /// changes.
    fn refresh_readouts(&mut self) {
        let due = |r: &Readouts| r.at.elapsed() >= READOUT_PERIOD;
        if self.timing.changed_at.is_none() || self.readouts.as_ref().is_none_or(due) {
            self.readouts = Some(Readouts {
                command: self.render_command(),
                timing: self.timing_text(),
                rig_values: (
                    self.rig.eye_separation(&self.cam).unwrap_or(0.0),
                    self.rig.focal_distance(&self.cam).unwrap_or(0.0),
                ),
                at: Instant::now(),
            });
        }
    }

    /// The annotations' overlay texture for the volume as it is now, if any is shown (not in
    /// the slice view nor the stereo modes).
    fn annotation_overlay(&mut self) -> Option<egui::TextureId> {
        let shown = self.annotations_drawn();
        if self.showing != Showing::Volume || !shown.any() {
            return None;
        }
        let data = self.figure_data();
        let moving = self.timing.changed_at.is_some();
        let g = self.gfx.as_ref().expect("graphics");
        let size = (g.volume.size[0], g.volume.size[1]);
        let (ctx, session) = (g.egui_ctx.clone(), &g.session);
        match self
            .annotations
            .overlay(&ctx, session, &self.cam, size, &data, moving)
        {
            Ok(t) => t,
            Err(e) => {
                self.set_message(format!("annotations: {e}"), true);
                None
            }
        }
    }

    /// egui's frame with the annotations' `overlay` over the volume and the panel (when
    /// shown), which edits the settings, rig, slice and annotations of `edit`; returns egui's
    /// output, the panel's actions and the panel's right edge in points (0 when hidden).
    fn run_egui(
        &mut self,
        edit: Edits,
        overlay: Option<egui::TextureId>,
    ) -> (egui::FullOutput, Vec<PanelAction>, f32) {
        let (edited, rig, slice, annotations) = edit;
        let g = self.gfx.as_mut().expect("graphics");
        let raw = g.egui_state.take_egui_input(g.surface.window());
        let egui_ctx = g.egui_ctx.clone();
        let p = &g.session.renderer.prepared;
        let enc = p.settings.tf.scale;
        let bounds_in_use = (enc.decode(p.bounds.0) as f64, enc.decode(p.bounds.1) as f64);
        let Readouts {
            command: (command, exact),
            timing,
            rig_values,
            ..
        } = self.readouts.clone().expect("refreshed before");
        let mut actions = Vec::new();
        let mut panel_right = 0.0f32;
        let mut show_button = None;
        let volume = g.volume;
        let out = egui_ctx.run_ui(raw, |ui| {
            if let Some(tex) = overlay {
                paint_overlay(ui.ctx(), tex, volume);
            }
            if !self.panel_visible {
                show_button = Some(show_panel_button(ui, &mut actions));
                return;
            }
            let width = ui.available_width();
            let max = panel_max_width(width);
            panel_right = egui::Panel::left("panel")
                .resizable(true)
                .default_size(panel_default_width(width))
                .max_size(max)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        actions = panel::panel(
                            ui,
                            panel::PanelModel {
                                dataset: &self.ds.name,
                                fields: &self.source.field_names(),
                                field: &self.ds.field.name,
                                settings: edited,
                                lens: self.cam.lens,
                                histogram: &self.histogram,
                                bounds_in_use,
                                command: &command,
                                command_exact: exact,
                                timing: &timing,
                                stereo: self.stereo,
                                rig,
                                rig_values,
                                keyframes: self.keyframes.len(),
                                message: self.message.as_ref(),
                                loading: self.loading.as_deref(),
                                showing: self.showing,
                                flat: crate::slice::flat::is_flat(&self.ds.hierarchy),
                                slice,
                                slice_range: self.slice.range(&self.ds.hierarchy),
                                annotations,
                            },
                        );
                    });
                })
                .response
                .rect
                .right();
        });
        self.show_button = show_button;
        (out, actions, panel_right)
    }

    /// Hands egui's platform output to the window, uploads its new textures and notes when it
    /// wants the next repaint; returns what it drew.
    fn take_egui_output(&mut self, out: egui::FullOutput) -> PanelFrame {
        let g = self.gfx.as_mut().expect("graphics");
        g.egui_state
            .handle_platform_output(g.surface.window(), out.platform_output);
        let ppp = out.pixels_per_point;
        let jobs = g.egui_ctx.tessellate(out.shapes, ppp);
        // Texture uploads go to the queue now; frees wait until the frame is drawn.
        let mut textures = out.textures_delta;
        let textures_changed = !textures.set.is_empty();
        for (id, deltas) in textures.set.drain() {
            for delta in deltas {
                g.egui_renderer.update_texture(
                    &g.session.ctx.device,
                    &g.session.ctx.queue,
                    id,
                    &delta,
                );
            }
        }
        let free = textures.free.drain().collect();
        self.next_repaint = out
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .and_then(|v| Instant::now().checked_add(v.repaint_delay));
        PanelFrame {
            jobs,
            pixels_per_point: ppp,
            textures_changed,
            free,
        }
    }

    /// What the panel asked for: the edited settings and rig, and its actions.
    fn apply_panel(
        &mut self,
        edited: crate::render::RenderSettings,
        rig: StereoRig,
        actions: Vec<PanelAction>,
    ) {
        self.apply_settings(edited);
        if rig != self.rig {
            match rig.validate() {
                Ok(()) => {
                    self.rig = rig;
                    if self.stereo != StereoMode::Off {
                        self.changed();
                    }
                }
                Err(e) => self.set_message(format!("{e}"), true),
            }
        }
        for a in actions {
            match a {
                PanelAction::LoadField(f) => self.load(None, Some(f)),
                PanelAction::SetLens(l) => self.set_lens(l),
                PanelAction::ResetView => self.reset_view(),
                PanelAction::Screenshot => self.screenshot = true,
                PanelAction::SetStereo(m) => self.set_stereo(m),
                PanelAction::ClearPath => self.clear_keyframes(),
                PanelAction::TogglePanel => self.toggle_panel(),
                PanelAction::Show(v) => self.show(v),
            }
        }
    }

    /// The slice's axis or position as the panel edited them.
    fn apply_slice(&mut self, edited: SliceView) {
        let h = &self.ds.hierarchy;
        let slice = if edited.axis != self.slice.axis {
            self.slice.with_axis(edited.axis, h)
        } else {
            self.slice.with_coord(edited.coord, h)
        };
        self.set_slice(SliceView {
            in_volume: edited.in_volume,
            ..slice
        });
    }

    /// The current view as an `amrcast render` command (with the stereo flags in a stereo
    /// mode, `--size` then being each eye's size), and whether it is exact; in the slice view,
    /// as an `amrcast slice` command.
    pub(super) fn render_command(&self) -> (String, bool) {
        let (w, h) = self.size();
        if self.showing == super::slice_view::Showing::Slice {
            let command = super::render_flags::slice_command(
                self.path.as_deref(),
                &self.ds.field.name,
                (w, h),
                &self.slice,
                &self.settings,
            );
            return (command, true);
        }
        let (command, exact) = super::render_flags::render_command(
            self.path.as_deref(),
            &self.ds.field.name,
            self.stereo.eye_size(w, h),
            &self.cam,
            self.stereo.packing().map(|p| (&self.rig, p)),
            &self.settings,
            &self.annotations_drawn(),
        );
        match self.plane_drawn() {
            true => {
                let (axis, coord) = (self.slice.axis, self.slice.coord);
                (
                    super::render_flags::with_slice_plane(&command, axis, coord),
                    exact,
                )
            }
            false => (command, exact),
        }
    }
}
