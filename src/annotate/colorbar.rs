//! The colour bar: a vertical strip of the colours over the bounds, ticks at round values
//! (decades on a log scale), the bounds' range and a title with the field and its units. In
//! composite mode the strip shows the transfer function's colours and a curve of its opacity.

use super::text::{self, Align};
use super::Canvas;
use crate::render::{DisplaySettings, Mode};
use crate::transfer::{Scale, TransferFunction};

/// Colours sampled along a bar.
const SAMPLES: usize = 256;

/// What a colour bar shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorbarSpec {
    /// Colours from the lower bound to the upper one, evenly spaced in the encoded scale.
    pub colours: Vec<[f32; 3]>,
    /// Opacity over the same positions, relative to its maximum (composite mode); `None` for
    /// a plain colormap.
    pub opacity: Option<Vec<f32>>,
    /// How values map to the bar.
    pub scale: Scale,
    /// The bounds, field units.
    pub bounds: (f64, f64),
    /// The title: field, units, what is averaged.
    pub title: String,
}

impl ColorbarSpec {
    /// The bar of an image coloured with `display` (its colormap, scale and bounds) and, in
    /// composite mode, `tf`'s colours and opacity; titled with the field's name and `units`
    /// (`None`: the values are in code units, and the title says so).
    pub fn new(
        display: &DisplaySettings,
        tf: &TransferFunction,
        field: &str,
        units: Option<&str>,
    ) -> Self {
        let t = |i: usize| i as f64 / (SAMPLES - 1) as f64;
        let (colours, opacity) = if display.mode == Mode::Composite {
            let op: Vec<f64> = (0..SAMPLES).map(|i| tf.opacity_at(t(i))).collect();
            let max = op.iter().copied().fold(0.0, f64::max);
            let op = op
                .iter()
                .map(|&a| if max > 0.0 { (a / max) as f32 } else { 0.0 });
            (
                (0..SAMPLES).map(|i| tf.colour_at(t(i))).collect(),
                Some(op.collect()),
            )
        } else {
            (
                (0..SAMPLES).map(|i| display.colormap.eval(t(i))).collect(),
                None,
            )
        };
        let (lo, hi) = display.bounds;
        let decode = |e: f32| match display.scale {
            Scale::Log => 10f64.powf(e as f64),
            Scale::Linear => e as f64,
        };
        let bounds = (decode(lo), decode(hi));
        let units = units.map_or("code units".to_string(), str::to_string);
        let title = match display.mode {
            Mode::Projection => format!("{field}, mean along the line of sight ({units})"),
            Mode::Mip => format!("{field}, maximum along the line of sight ({units})"),
            Mode::Composite => format!("{field} ({units})"),
        };
        ColorbarSpec {
            colours,
            opacity,
            scale: display.scale,
            bounds,
            title,
        }
    }

    /// The bar of a slice coloured with `display` (its colormap, scale and bounds), titled
    /// with the field's name and `units` (`None`: code units): a slice shows the values
    /// themselves, not a projection of them.
    pub fn for_slice(display: &DisplaySettings, field: &str, units: Option<&str>) -> Self {
        let plain = DisplaySettings {
            mode: Mode::Mip,
            ..*display
        };
        ColorbarSpec {
            title: format!("{field} ({})", units.unwrap_or("code units")),
            ..Self::new(&plain, &TransferFunction::default(), field, units)
        }
    }

    /// Where `v` (field units) lies on the bar, 0 at the lower bound and 1 at the upper one.
    pub fn position(&self, v: f64) -> f64 {
        let e = |v: f64| match self.scale {
            Scale::Log => v.log10(),
            Scale::Linear => v,
        };
        (e(v) - e(self.bounds.0)) / (e(self.bounds.1) - e(self.bounds.0))
    }

    /// The colour at position `f` (0..1) along the bar.
    pub fn colour_at(&self, f: f64) -> [f32; 3] {
        let i = (f.clamp(0.0, 1.0) * (self.colours.len() - 1) as f64).round() as usize;
        self.colours[i]
    }
}

/// Round values between `lo` and `hi` for ticks: on a log scale the decades (every second or
/// more when there are many), or 1-2-5 steps when fewer than two decades fit; on a linear
/// scale 1-2-5 steps, about five ticks.
pub fn ticks(scale: Scale, lo: f64, hi: f64) -> Vec<f64> {
    if scale == Scale::Log && lo > 0.0 {
        let (a, b) = (lo.log10(), hi.log10());
        let decades: Vec<i32> = ((a - 1e-9).ceil() as i32..=(b + 1e-9).floor() as i32).collect();
        if decades.len() >= 2 {
            let every = decades.len().div_ceil(6);
            return decades
                .iter()
                .filter(|k| k.rem_euclid(every as i32) == 0)
                .map(|&k| 10f64.powi(k))
                .collect();
        }
        let mut t: Vec<f64> = ((a.floor() as i32)..=(b.ceil() as i32))
            .flat_map(|k| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k)))
            .filter(|&v| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9))
            .collect();
        if t.len() >= 2 {
            t.dedup();
            return t;
        }
    }
    let step = nice_step((hi - lo) / 5.0);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // k * step computed as (k * m) / (1 / p) when p < 1, so that 0.6 is 0.6 and not
    // 0.6000000000000001.
    let p = 10f64.powf(step.log10().floor());
    let m = (step / p).round();
    (first..=last)
        .map(|k| {
            let km = k as f64 * m;
            if p < 1.0 {
                km / (1.0 / p).round()
            } else {
                km * p
            }
        })
        .collect()
}

/// The 1, 2 or 5 times a power of ten nearest above `x`'s order (x > 0).
pub fn nice_step(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    let m = x / p;
    let k = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// A tick's label: plain decimals from 0.01 to 99999, else `M×10^{k}` (`10^{k}` for M = 1).
pub fn format_value(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (0.01..1e5).contains(&a) {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        return s.to_string();
    }
    let k = a.log10().floor() as i32;
    let m = v / 10f64.powi(k);
    let m = (m * 1000.0).round() / 1000.0;
    let sign_m = format!("{m}");
    match sign_m.as_str() {
        "1" => format!("10^{{{k}}}"),
        "-1" => format!("-10^{{{k}}}"),
        _ => format!("{m}×10^{{{k}}}"),
    }
}

/// Where a bar goes on an image: the strip's pixel box `[x0, x1) x [y0, y1)`, its top the
/// upper bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BarBox {
    pub x0: f32,
    pub x1: f32,
    pub y0: f32,
    pub y1: f32,
}

/// The strip of `spec` on an image of `width` x `height` with labels `size` pixels high: at the
/// right edge, leaving room for the tick labels, over the middle 56% of the height.
pub fn bar_box(spec: &ColorbarSpec, (width, height): (u32, u32), size: f32) -> BarBox {
    let (w, h) = (width as f32, height as f32);
    let label_w = ticks(spec.scale, spec.bounds.0, spec.bounds.1)
        .iter()
        .map(|&v| text::width(&format_value(v), size))
        .fold(0.0, f32::max);
    let bar_w = (0.9 * size).round();
    let x0 = (w - 0.8 * size - label_w - 0.5 * size - bar_w).round();
    BarBox {
        x0,
        x1: x0 + bar_w,
        y0: (0.22 * h).round(),
        y1: (0.78 * h).round(),
    }
}

/// Draws `spec` at the right edge of `canvas`, its labels `size` pixels high.
pub fn draw(canvas: &mut Canvas, spec: &ColorbarSpec, size: f32) {
    let w = canvas.width as f32;
    let ticks = ticks(spec.scale, spec.bounds.0, spec.bounds.1);
    let labels: Vec<String> = ticks.iter().map(|&v| format_value(v)).collect();
    let margin = 0.8 * size;
    let BarBox { x0, x1, y0, y1 } = bar_box(spec, (canvas.width, canvas.height), size);
    let bar_w = x1 - x0;
    // The strip, top = upper bound, with a dark frame.
    canvas.fill_rect(
        (x0 as i64 - 1, y0 as i64 - 1),
        (x1 as i64 + 1, y1 as i64 + 1),
        [0.0; 3],
        0.8,
    );
    for y in y0 as i64..y1 as i64 {
        let f = 1.0 - ((y as f32 + 0.5 - y0) / (y1 - y0)) as f64;
        let c = spec.colour_at(f);
        canvas.fill_rect((x0 as i64, y), (x1 as i64, y + 1), c, 1.0);
    }
    if let Some(op) = &spec.opacity {
        // The opacity curve, 0 at the strip's left edge and the maximum at its right.
        let n = op.len();
        let pt = |i: usize| {
            let f = i as f64 / (n - 1) as f64;
            [
                x0 as f64 + 1.5 + op[i] as f64 * (bar_w as f64 - 3.0),
                y1 as f64 - f * (y1 - y0) as f64,
            ]
        };
        for i in 1..n {
            canvas.line(pt(i - 1), pt(i), 1.0, [1.0, 1.0, 1.0]);
        }
    }
    for (v, label) in ticks.iter().zip(&labels) {
        let f = spec.position(*v);
        if !(-1e-6..=1.0 + 1e-6).contains(&f) {
            continue;
        }
        let y = y1 as f64 - f * (y1 - y0) as f64;
        canvas.line(
            [x1 as f64, y],
            [x1 as f64 + 0.35 * size as f64, y],
            1.0,
            [1.0; 3],
        );
        let baseline = y as f32 + 0.5 * text::cap_height(size);
        text::draw(
            canvas,
            label,
            (x1 + 0.5 * size, baseline),
            Align::Left,
            size,
        );
    }
    // The title above the strip, right-aligned to the image's margin, in as much room as the
    // image has.
    let title_size = if text::width(&spec.title, size) > w - 2.0 * margin {
        size * (w - 2.0 * margin) / text::width(&spec.title, size)
    } else {
        size
    };
    text::draw(
        canvas,
        &spec.title,
        (w - margin, y0 - 0.7 * size),
        Align::Right,
        title_size.max(8.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_are_decades_and_linear_ticks_round_steps() {
        assert_eq!(ticks(Scale::Log, 3e-3, 2e1), vec![1e-2, 1e-1, 1.0, 10.0]);
        let t = ticks(Scale::Log, 2e-30, 1e-20);
        assert_eq!(t.len(), 5, "{t:?}: every second decade");
        assert_eq!(ticks(Scale::Log, 1.5, 8.0), vec![2.0, 5.0]);
        assert_eq!(
            ticks(Scale::Linear, -0.3, 1.05),
            vec![-0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        );
        let t = ticks(Scale::Linear, 0.0, 1000.0);
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
    }

    #[test]
    fn values_format_as_decimals_or_powers_of_ten() {
        assert_eq!(format_value(0.2), "0.2");
        assert_eq!(format_value(1000.0), "1000");
        assert_eq!(format_value(1e-28), "10^{-28}");
        assert_eq!(format_value(2e7), "2×10^{7}");
        assert_eq!(format_value(0.0), "0");
    }
}
