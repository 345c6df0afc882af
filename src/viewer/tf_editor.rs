//! The transfer-function editor: the opacity curve drawn over a histogram of the field, with
//! draggable control points (double-click adds one, right-click removes one) and a list of
//! Gaussian layers that can be added, tuned and removed.

use crate::transfer::{ramp_points, Layer, TransferFunction};
use crate::viewer::histogram::Histogram;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use std::ops::RangeInclusive;

/// Height of the editor's plot, points.
const PLOT_HEIGHT: f32 = 140.0;
/// Height of the colormap strip under the plot.
const STRIP: f32 = 10.0;
/// Radius of a control point's handle.
const HANDLE: f32 = 5.0;

/// The control points the editor shows: the transfer function's own, else the ramp's.
fn shown_points(tf: &TransferFunction) -> Vec<[f64; 2]> {
    if !tf.points.is_empty() {
        tf.points.clone()
    } else if tf.layers.is_empty() {
        ramp_points()
    } else {
        vec![[0.0, 0.0], [1.0, 0.0]]
    }
}

/// Moves point `i` of sorted `points` to `(t, a)`, keeping the order and the ranges.
pub fn move_point(points: &mut [[f64; 2]], i: usize, t: f64, a: f64) {
    let lo = if i == 0 { 0.0 } else { points[i - 1][0] };
    let hi = if i + 1 == points.len() {
        1.0
    } else {
        points[i + 1][0]
    };
    points[i] = [t.clamp(lo, hi), a.clamp(0.0, 1.0)];
}

/// Inserts `(t, a)` into sorted `points`.
pub fn insert_point(points: &mut Vec<[f64; 2]>, t: f64, a: f64) {
    let t = t.clamp(0.0, 1.0);
    let at = points.partition_point(|p| p[0] < t);
    points.insert(at, [t, a.clamp(0.0, 1.0)]);
}

fn colour(c: [f32; 3]) -> Color32 {
    Color32::from_rgb(
        (c[0] * 255.0).round() as u8,
        (c[1] * 255.0).round() as u8,
        (c[2] * 255.0).round() as u8,
    )
}

/// The editor's plot of opacity over `t`, and the colormap strip under it (`full` holds both).
struct Plot {
    plot: Rect,
    full: Rect,
}

impl Plot {
    fn screen_pos(&self, t: f64, a: f64) -> Pos2 {
        Pos2::new(
            self.plot.min.x + t as f32 * self.plot.width(),
            self.plot.max.y - a as f32 * self.plot.height(),
        )
    }

    fn value_at(&self, p: Pos2) -> (f64, f64) {
        (
            ((p.x - self.plot.min.x) / self.plot.width()) as f64,
            ((self.plot.max.y - p.y) / self.plot.height()) as f64,
        )
    }
}

/// Shows the editor; returns whether `tf` changed.
pub fn tf_editor(ui: &mut egui::Ui, tf: &mut TransferFunction, hist: &Histogram) -> bool {
    let (response, painter, plot) = histogram_plot(ui, tf, hist);
    // The opacity curve.
    let curve: Vec<Pos2> = (0..=200)
        .map(|i| {
            let t = i as f64 / 200.0;
            plot.screen_pos(t, tf.opacity_at(t).min(1.0))
        })
        .collect();
    painter.add(egui::Shape::line(curve, Stroke::new(1.5, Color32::WHITE)));
    let mut changed = edit_points(ui, &painter, &response, &plot, tf);
    response.on_hover_text(
        "Opacity over the field's histogram: drag the points, double-click to add one, \
         right-click a point to remove it",
    );
    changed |= edit_layers(ui, tf);
    changed
}

/// The field's histogram over the colormap strip, without the opacity (what colours a 2-D
/// dataset's image, which has no opacity).
pub fn histogram_strip(ui: &mut egui::Ui, tf: &TransferFunction, hist: &Histogram) {
    let (response, _, _) = histogram_plot(ui, tf, hist);
    response.on_hover_text("the field's histogram over the colormap");
}

/// Room for the plot, with the histogram and the colormap strip drawn in it.
fn histogram_plot(
    ui: &mut egui::Ui,
    tf: &TransferFunction,
    hist: &Histogram,
) -> (egui::Response, egui::Painter, Plot) {
    let width = ui.available_width().max(100.0);
    let (response, painter) =
        ui.allocate_painter(Vec2::new(width, PLOT_HEIGHT + STRIP), Sense::click());
    let full = response.rect;
    let plot = Plot {
        plot: Rect::from_min_max(full.min, Pos2::new(full.max.x, full.max.y - STRIP)),
        full,
    };
    painter.rect_filled(plot.plot, 0.0, Color32::from_gray(24));
    draw_histogram(&painter, plot.plot, hist);
    draw_colormap(&painter, &plot, tf);
    (response, painter, plot)
}

/// The histogram in `plot`: log of the counts, so sparse dense regions still show.
fn draw_histogram(painter: &egui::Painter, plot: Rect, hist: &Histogram) {
    let max = (hist.max() as f64).ln_1p();
    if max <= 0.0 {
        return;
    }
    let n = hist.counts.len();
    let bw = plot.width() / n as f32;
    for (i, &c) in hist.counts.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let h = ((c as f64).ln_1p() / max) as f32 * plot.height();
        let x = plot.min.x + i as f32 * bw;
        painter.rect_filled(
            Rect::from_min_max(Pos2::new(x, plot.max.y - h), Pos2::new(x + bw, plot.max.y)),
            0.0,
            Color32::from_gray(70),
        );
    }
}

/// The colormap under the plot.
fn draw_colormap(painter: &egui::Painter, plot: &Plot, tf: &TransferFunction) {
    let (full, bottom) = (plot.full, plot.plot.max.y);
    let steps = 64;
    for i in 0..steps {
        let t0 = i as f32 / steps as f32;
        let t1 = (i + 1) as f32 / steps as f32;
        let c = tf.colormap.eval((t0 as f64 + t1 as f64) * 0.5);
        painter.rect_filled(
            Rect::from_min_max(
                Pos2::new(full.min.x + t0 * full.width(), bottom),
                Pos2::new(full.min.x + t1 * full.width(), full.max.y),
            ),
            0.0,
            colour(c),
        );
    }
}

/// The control points' handles: dragged, removed with a right-click, added with a
/// double-click on the plot (`response`); returns whether `tf`'s points changed.
fn edit_points(
    ui: &mut egui::Ui,
    painter: &egui::Painter,
    response: &egui::Response,
    plot: &Plot,
    tf: &mut TransferFunction,
) -> bool {
    let points = shown_points(tf);
    let mut edit: Option<Vec<[f64; 2]>> = None;
    for (i, p) in points.iter().enumerate() {
        let centre = plot.screen_pos(p[0], p[1]);
        let r = Rect::from_center_size(centre, Vec2::splat(4.0 * HANDLE));
        let h = ui.interact(r, response.id.with(("point", i)), Sense::click_and_drag());
        let hot = h.hovered() || h.dragged();
        painter.circle_filled(
            centre,
            HANDLE,
            if hot {
                Color32::YELLOW
            } else {
                Color32::from_rgb(230, 230, 230)
            },
        );
        if h.dragged() {
            if let Some(pos) = h.interact_pointer_pos() {
                let (t, a) = plot.value_at(pos);
                let mut pts = edit.take().unwrap_or_else(|| points.clone());
                move_point(&mut pts, i, t, a);
                edit = Some(pts);
            }
        } else if h.secondary_clicked() && points.len() > 2 {
            let mut pts = edit.take().unwrap_or_else(|| points.clone());
            pts.remove(i);
            edit = Some(pts);
        }
    }
    if response.double_clicked() {
        if let Some(pos) = response.interact_pointer_pos() {
            let (t, a) = plot.value_at(pos);
            let mut pts = edit.take().unwrap_or_else(|| points.clone());
            insert_point(&mut pts, t, a);
            edit = Some(pts);
        }
    }
    let Some(pts) = edit else { return false };
    tf.points = pts;
    true
}

/// The Gaussian layers: added, reset (with the points), tuned and removed; returns whether
/// `tf` changed.
fn edit_layers(ui: &mut egui::Ui, tf: &mut TransferFunction) -> bool {
    let mut changed = false;
    // Wrapped rows: the panel may be narrow.
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Gaussian layers: {}", tf.layers.len()));
        if ui.button("+ layer").clicked() {
            tf.layers.push(Layer {
                center: 0.5,
                width: 0.05,
                alpha: 0.5,
            });
            changed = true;
        }
        if ui
            .button("reset")
            .on_hover_text("back to the default layers")
            .clicked()
        {
            tf.points.clear();
            tf.layers = crate::transfer::default_layers();
            changed = true;
        }
    });
    let mut remove = None;
    for (i, l) in tf.layers.iter_mut().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let mut value = |v: &mut f64, range: RangeInclusive<f64>, speed: f64, prefix: &str| {
                let drag = egui::DragValue::new(v)
                    .range(range)
                    .speed(speed)
                    .prefix(prefix);
                changed |= ui.add(drag).changed();
            };
            value(&mut l.center, 0.0..=1.0, 0.005, "at ");
            value(&mut l.width, 0.002..=0.5, 0.002, "w ");
            value(&mut l.alpha, 0.0..=1.0, 0.005, "a ");
            if ui.small_button("x").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        tf.layers.remove(i);
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transfer::{layers, TABLE_SIZE};

    #[test]
    fn the_drawn_curve_is_the_tables_opacity() {
        let mut tfs = vec![TransferFunction::default()];
        tfs.push(TransferFunction {
            layers: layers(3, 0.04),
            ..Default::default()
        });
        tfs.push(TransferFunction {
            points: vec![[0.1, 0.0], [0.6, 0.8], [0.9, 0.2]],
            layers: layers(2, 0.05),
            opacity: 2.0,
            ..Default::default()
        });
        for tf in tfs {
            let table = tf.table();
            for (i, e) in table.iter().enumerate().step_by(37) {
                let t = i as f64 / (TABLE_SIZE - 1) as f64;
                let a = tf.opacity_at(t).clamp(0.0, 0.9999);
                let ext = -(1.0 - a).ln() * tf.opacity;
                assert!((e[3] as f64 - ext).abs() < 1e-4 * ext.max(1.0), "{t}");
            }
        }
    }

    #[test]
    fn points_stay_sorted_and_in_range() {
        let mut p = vec![[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]];
        move_point(&mut p, 1, 2.0, -1.0);
        assert_eq!(p[1], [1.0, 0.0]);
        move_point(&mut p, 1, 0.3, 0.4);
        assert_eq!(p[1], [0.3, 0.4]);
        move_point(&mut p, 0, 0.9, 2.0);
        assert_eq!(p[0], [0.3, 1.0]);
        insert_point(&mut p, 0.6, 0.2);
        assert_eq!(p[2], [0.6, 0.2]);
        assert!(p.windows(2).all(|w| w[0][0] <= w[1][0]));
        // The ramp's points are where editing starts from.
        let tf = TransferFunction {
            layers: Vec::new(),
            ..Default::default()
        };
        assert_eq!(shown_points(&tf), ramp_points());
    }
}
