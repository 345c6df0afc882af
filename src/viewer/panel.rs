//! The side panel (egui): field, mode, sampling, lens, colormap, scale, bounds, opacity,
//! samples per cell, the transfer-function editor, the frame time, and the camera as `render`
//! flags.

use crate::annotate::Annotations;
use crate::camera::Lens;
use crate::render::{Interpolation, Mode, RenderSettings};
use crate::slice::Axis;
use crate::stereo::StereoRig;
use crate::transfer::{Colormap, Scale, TransferFunction};
use crate::viewer::histogram::Histogram;
use crate::viewer::slice_view::{Showing, SliceView};
use crate::viewer::stereo_mode::StereoMode;
use crate::viewer::tf_editor::{histogram_strip, tf_editor};

/// What the panel shows and edits.
pub struct PanelModel<'a> {
    pub dataset: &'a str,
    pub fields: &'a [String],
    pub field: &'a str,
    /// Edited in place; the caller compares it with its own copy.
    pub settings: &'a mut RenderSettings,
    pub lens: Lens,
    pub histogram: &'a Histogram,
    /// The bounds in use, in field units: where editing them starts.
    pub bounds_in_use: (f64, f64),
    /// `amrcast render ...` for the current view, and whether it reproduces it exactly.
    pub command: &'a str,
    pub command_exact: bool,
    /// Frame time and resolution.
    pub timing: &'a str,
    pub stereo: StereoMode,
    /// The stereo rig, edited in place; the caller compares it with its own copy.
    pub rig: &'a mut StereoRig,
    /// The rig's eye separation and focal distance for the current camera.
    pub rig_values: (f64, f64),
    /// Keyframes recorded with K.
    pub keyframes: usize,
    /// Last message: text and whether it is an error.
    pub message: Option<&'a (String, bool)>,
    /// A dataset or field being loaded.
    pub loading: Option<&'a str>,
    /// The volume or a slice.
    pub showing: Showing,
    /// A 2-D dataset: only its image is shown, and the volume's rows are left out.
    pub flat: bool,
    /// The slice view, its axis and position edited in place; the caller compares it with its
    /// own copy.
    pub slice: &'a mut SliceView,
    /// The positions the slice can take along its axis.
    pub slice_range: (f64, f64),
    /// The annotations shown, edited in place; the caller compares them with its own copy.
    pub annotations: &'a mut Annotations,
}

/// Requests from the panel that are more than a settings change.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelAction {
    LoadField(String),
    SetLens(Lens),
    ResetView,
    Screenshot,
    SetStereo(StereoMode),
    ClearPath,
    /// Hide the panel (or show it again), as Tab does.
    TogglePanel,
    /// Show the volume or the slice view.
    Show(Showing),
}

/// What a grid row with a slider needs besides the slider, points: the label column, the
/// value, the spacing.
const SLIDER_ROOM: f32 = 160.0;

/// Shows the panel's contents in `ui`.
pub fn panel(ui: &mut egui::Ui, mut m: PanelModel) -> Vec<PanelAction> {
    let mut actions = Vec::new();
    // Sliders share the width left of their value with the grid's labels.
    ui.spacing_mut().slider_width = (ui.available_width() - SLIDER_ROOM).clamp(50.0, 140.0);
    header(ui, &m, &mut actions);
    ui.separator();
    egui::Grid::new("settings").num_columns(2).show(ui, |ui| {
        view_rows(ui, &mut m, &mut actions);
        colour_rows(ui, &mut m.settings.tf, m.bounds_in_use, m.flat);
        if !m.flat {
            ui.label("samples/cell");
            let spc = &mut m.settings.samples_per_cell;
            ui.add(egui::Slider::new(spc, 0.25..=8.0).logarithmic(true));
            ui.end_row();
        }
    });
    ui.separator();
    if m.flat {
        ui.label("histogram");
        histogram_strip(ui, &m.settings.tf, m.histogram);
    } else {
        ui.label("transfer function");
        tf_editor(ui, &mut m.settings.tf, m.histogram);
    }
    if m.settings.mode != Mode::Composite && !m.flat {
        ui.weak("(opacity applies to the composite mode)");
    }
    ui.separator();
    ui.label(m.timing);
    if !m.flat {
        stereo_section(ui, &mut m, &mut actions);
    }
    ui.separator();
    path_and_buttons(ui, &m, &mut actions);
    ui.separator();
    command_section(ui, &m);
    ui.separator();
    egui::CollapsingHeader::new("controls").show(ui, |ui| {
        for (k, v) in CONTROLS {
            ui.horizontal_wrapped(|ui| {
                ui.monospace(*k);
                ui.label(*v);
            });
        }
    });
    actions
}

/// The dataset and field with the button that hides the panel, what is being loaded, and the
/// last message.
fn header(ui: &mut egui::Ui, m: &PanelModel, actions: &mut Vec<PanelAction>) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
        if ui
            .small_button("hide (Tab)")
            .on_hover_text("hide the panel: the volume takes the whole window")
            .clicked()
        {
            actions.push(PanelAction::TogglePanel);
        }
        ui.with_layout(egui::Layout::left_to_right(egui::Align::TOP), |ui| {
            let title = egui::RichText::new(format!("{} - {}", m.dataset, m.field)).heading();
            ui.add(egui::Label::new(title).wrap());
        });
    });
    if let Some(what) = m.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("loading {what}"));
        });
    }
    if let Some((text, error)) = m.message {
        let colour = if *error {
            egui::Color32::from_rgb(255, 110, 90)
        } else {
            ui.visuals().text_color()
        };
        ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).wrap());
    }
}

/// Grid rows for the field, mode and lens.
fn view_rows(ui: &mut egui::Ui, m: &mut PanelModel, actions: &mut Vec<PanelAction>) {
    ui.label("field");
    let mut field = m.field.to_string();
    egui::ComboBox::from_id_salt("field")
        .selected_text(&field)
        .show_ui(ui, |ui| {
            for f in m.fields {
                ui.selectable_value(&mut field, f.clone(), f);
            }
        });
    if field != m.field {
        actions.push(PanelAction::LoadField(field));
    }
    ui.end_row();

    slice_rows(ui, m, actions);
    annotation_row(ui, m.annotations);
    if m.flat {
        sampling_row(ui, m);
        return;
    }

    ui.label("mode");
    let modes = Mode::ALL.iter().map(|&mode| (mode, mode.name()));
    if let Some(mode) = choice(ui, m.settings.mode, modes) {
        m.settings.mode = mode;
    }
    ui.end_row();

    sampling_row(ui, m);

    ui.label("lens");
    let lenses = Lens::ALL.iter().map(|&lens| (lens, lens.name()));
    if let Some(lens) = choice(ui, m.lens, lenses) {
        actions.push(PanelAction::SetLens(lens));
    }
    ui.end_row();
}

/// A grid row for the sampling (linear or nearest).
fn sampling_row(ui: &mut egui::Ui, m: &mut PanelModel) {
    ui.label("sampling");
    let ways = Interpolation::ALL.iter().map(|&i| (i, i.name()));
    if let Some(i) = choice(ui, m.settings.interpolation, ways) {
        m.settings.interpolation = i;
    }
    ui.end_row();
}

/// A grid row of check boxes for the annotations (as `--annotate` names them).
fn annotation_row(ui: &mut egui::Ui, a: &mut Annotations) {
    ui.label("annotate").on_hover_text(
        "as render --annotate: lines hidden by the volume in composite mode; not in stereo",
    );
    // Two fixed lines rather than wrapped ones: the row's height stays the same at any panel
    // width (a grid lays its rows out from the previous frame's heights).
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.checkbox(&mut a.domain, "domain");
            ui.checkbox(&mut a.grids, "grids");
            ui.checkbox(&mut a.axes, "axes");
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut a.colorbar, "colorbar");
            ui.checkbox(&mut a.scale, "scale");
        });
    });
    ui.end_row();
}

/// Grid rows for the view (volume or slice), the slice's axis and position, and whether the
/// volume view shows the slice's plane.
fn slice_rows(ui: &mut egui::Ui, m: &mut PanelModel, actions: &mut Vec<PanelAction>) {
    ui.label("view");
    if m.flat {
        ui.label("2-D dataset: its image")
            .on_hover_text("drag to pan, the wheel zooms");
        ui.end_row();
        return;
    }
    let views = [(Showing::Volume, "volume"), (Showing::Slice, "slice")];
    if let Some(v) = choice(ui, m.showing, views.into_iter()) {
        actions.push(PanelAction::Show(v));
    }
    ui.end_row();
    ui.label("slice plane");
    ui.checkbox(&mut m.slice.in_volume, "in the volume")
        .on_hover_text("the slice's plane inside the volume view (composite mode)");
    ui.end_row();
    if m.showing != Showing::Slice && !m.slice.in_volume {
        return;
    }
    ui.label("slice across");
    let axes = Axis::ALL.iter().map(|&a| (a, a.name()));
    if let Some(a) = choice(ui, m.slice.axis, axes) {
        m.slice.axis = a;
    }
    ui.end_row();
    ui.label("position");
    let (lo, hi) = m.slice_range;
    ui.add(
        egui::Slider::new(&mut m.slice.coord, lo..=hi).custom_formatter(|v, _| format!("{v:.4}")),
    )
    .on_hover_text("the wheel over the slice moves it by one finest cell");
    ui.end_row();
}

/// Grid rows for the colormap, scale, bounds (editing starts from `bounds_in_use`) and
/// opacity (not for the image of a 2-D dataset: `flat`).
fn colour_rows(
    ui: &mut egui::Ui,
    tf: &mut TransferFunction,
    bounds_in_use: (f64, f64),
    flat: bool,
) {
    ui.label("colormap");
    egui::ComboBox::from_id_salt("colormap")
        .selected_text(tf.colormap.name())
        .show_ui(ui, |ui| {
            for &c in Colormap::ALL {
                ui.selectable_value(&mut tf.colormap, c, c.name());
            }
        });
    ui.end_row();

    ui.label("scale");
    let scales = [(Scale::Log, "log"), (Scale::Linear, "linear")];
    if let Some(scale) = choice(ui, tf.scale, scales.into_iter()) {
        tf.scale = scale;
    }
    ui.end_row();

    ui.label("bounds");
    ui.vertical(|ui| {
        let mut auto = tf.bounds.is_none();
        if ui.checkbox(&mut auto, "field range").changed() {
            tf.bounds = if auto { None } else { Some(bounds_in_use) };
        }
        if let Some((lo, hi)) = &mut tf.bounds {
            let speed = |v: f64| (v.abs() * 0.01).max(1e-30);
            // Two values side by side where the panel is wide enough.
            let one_value = ui.spacing().interact_size.x.max(BOUND_WIDTH);
            row_or_column(ui, 2.0 * one_value, |ui| {
                let (slo, shi) = (speed(*lo), speed(*hi));
                ui.add(
                    egui::DragValue::new(lo)
                        .speed(slo)
                        .custom_formatter(|v, _| format!("{v:.4e}")),
                );
                ui.add(
                    egui::DragValue::new(hi)
                        .speed(shi)
                        .custom_formatter(|v, _| format!("{v:.4e}")),
                );
            });
        }
    });
    ui.end_row();

    if !flat {
        ui.label("opacity");
        ui.add(egui::Slider::new(&mut tf.opacity, 0.01..=100.0).logarithmic(true));
        ui.end_row();
    }
}

/// The recorded camera path, and the reset and screenshot buttons.
fn path_and_buttons(ui: &mut egui::Ui, m: &PanelModel, actions: &mut Vec<PanelAction>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "camera path: {} keyframe{} (K records, {})",
            m.keyframes,
            if m.keyframes == 1 { "" } else { "s" },
            crate::viewer::keyframes::PATH_FILE
        ));
        if ui
            .add_enabled(m.keyframes > 0, egui::Button::new("clear path"))
            .clicked()
        {
            actions.push(PanelAction::ClearPath);
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("reset view (R)").clicked() {
            actions.push(PanelAction::ResetView);
        }
        if ui.button("screenshot (F12)").clicked() {
            actions.push(PanelAction::Screenshot);
        }
    });
}

/// The view as a `render` command, to copy.
fn command_section(ui: &mut egui::Ui, m: &PanelModel) {
    ui.horizontal_wrapped(|ui| {
        ui.label("this view as a render command");
        if ui.button("copy").clicked() {
            ui.ctx().copy_text(m.command.to_string());
        }
    });
    ui.add(
        egui::Label::new(egui::RichText::new(m.command).monospace().small())
            .wrap()
            .selectable(true),
    );
    if !m.command_exact {
        ui.weak("the edited opacity curve has no render flags; the command uses the others");
    }
}

/// Stereo mode (S), eye separation and focal distance (the rig's defaults until edited).
fn stereo_section(ui: &mut egui::Ui, m: &mut PanelModel, actions: &mut Vec<PanelAction>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("stereo (S)");
        for mode in StereoMode::ALL {
            if ui.radio(m.stereo == mode, mode.name()).clicked() && m.stereo != mode {
                actions.push(PanelAction::SetStereo(mode));
            }
        }
    });
    if m.stereo == StereoMode::Off {
        return;
    }
    let (e, d) = m.rig_values;
    let speed = |v: f64| (v.abs() * 0.005).max(1e-12);
    egui::Grid::new("stereo").num_columns(2).show(ui, |ui| {
        ui.label("eye separation");
        let mut v = e;
        let r = ui.add(
            egui::DragValue::new(&mut v)
                .speed(speed(e))
                .range(0.0..=f64::MAX)
                .custom_formatter(|v, _| format!("{v:.4e}")),
        );
        if m.rig.eye_separation.is_none() {
            r.on_hover_text("default: the focal distance / 30");
        }
        if v != e {
            m.rig.eye_separation = Some(v);
        }
        ui.end_row();
        ui.label("focal distance");
        let mut v = d;
        let r = ui.add(
            egui::DragValue::new(&mut v)
                .speed(speed(d))
                .range(f64::MIN_POSITIVE..=f64::MAX)
                .custom_formatter(|v, _| format!("{v:.4e}")),
        );
        if m.rig.focal_distance.is_none() {
            r.on_hover_text("default: the distance from the camera to the focus");
        }
        if v != d {
            m.rig.focal_distance = Some(v);
        }
        ui.end_row();
    });
    let edited = m.rig.eye_separation.is_some() || m.rig.focal_distance.is_some();
    if ui
        .add_enabled(edited, egui::Button::new("stereo defaults"))
        .clicked()
    {
        m.rig.eye_separation = None;
        m.rig.focal_distance = None;
    }
}

/// The width a bound's value (`1.2345e-27`) takes, points.
const BOUND_WIDTH: f32 = 80.0;

/// Shows `add` in a row where `width` points fit in `ui`'s width, else in a column. (Wrapped
/// rows inside a grid overlap the next row: egui sizes a grid's rows from their first line.)
fn row_or_column<R>(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    if width <= ui.available_width() {
        ui.horizontal(add).inner
    } else {
        ui.vertical(add).inner
    }
}

/// Radio buttons for `options` (value, name), in a row where they fit, else in a column;
/// returns the option clicked when it is not `current`.
fn choice<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    current: T,
    options: impl Iterator<Item = (T, &'static str)>,
) -> Option<T> {
    let options: Vec<(T, &str)> = options.collect();
    let spacing = ui.spacing();
    let (icon, gap, between) = (
        spacing.icon_width,
        spacing.icon_spacing,
        spacing.item_spacing.x,
    );
    let font = egui::TextStyle::Button.resolve(ui.style());
    let colour = ui.visuals().text_color();
    let width: f32 = options
        .iter()
        .map(|(_, name)| {
            let text = ui
                .painter()
                .layout_no_wrap(name.to_string(), font.clone(), colour);
            icon + gap + text.size().x + between
        })
        .sum();
    row_or_column(ui, width, |ui| {
        let mut chosen = None;
        for (value, name) in options {
            if ui.radio(current == value, name).clicked() && current != value {
                chosen = Some(value);
            }
        }
        chosen
    })
}

/// The viewer's controls, for the panel and the README.
pub const CONTROLS: &[(&str, &str)] = &[
    ("left drag, arrows", "orbit about the focus"),
    ("right/middle drag", "pan"),
    ("wheel", "zoom (plane width, perspective dolly)"),
    ("R", "reset the view"),
    ("P", "plane / perspective lens"),
    ("M", "composite / MIP / projection"),
    ("S", "stereo off / anaglyph / side-by-side"),
    ("K", "record the camera as a keyframe (amrcast-path.toml)"),
    (
        "V",
        "volume / slice view (slice: wheel moves the plane, drag pans)",
    ),
    ("F12, Ctrl+S", "screenshot at full resolution"),
    ("Tab", "hide / show the panel (or its hide/show buttons)"),
    ("Esc, Q", "quit"),
    ("drop a file", "open a dataset"),
];
