//! Transfer functions: how a field value becomes colour and opacity.
//!
//! Normalisation, written down so that two renders with the same settings match exactly:
//! 1. A value `v` is *encoded* as `s(v)`: `log10(v)` for the log scale, `v` for the linear one.
//!    Values that cannot be encoded (NaN, infinities, and `v <= 0` under the log scale) become
//!    [`MISSING`] and are drawn transparent (and reported).
//! 2. The bounds `[lo, hi]` (default: the field's minimum and maximum over all stored cells,
//!    for the log scale its smallest positive value) map encoded values to `t = (s(v) - s(lo)) /
//!    (s(hi) - s(lo))`. Samples below `lo` are transparent; above `hi` they take the top colour.
//!    No render ever rescales to its own image.
//! 3. The table maps `t` to a colour (from the colormap) and an opacity `alpha(t)` defined over
//!    the *reference length* `ds0 = L / 256`, where `L` is the domain's largest width. A ray
//!    step of length `ds` uses `a = 1 - (1 - alpha)^(opacity * ds / ds0)`, so the image does
//!    not depend on the step or the image size. The default is Gaussian layers over the upper
//!    part of the range ([`default_layers`]); without layers, the opacity ramp
//!    `alpha(t) = 0.3 ((t - 0.3) / 0.7)^2` above `t = 0.3` and zero below; Gaussian layers (yt's `add_layers`) replace it with
//!    `alpha(t) = sum_i a_i exp(-(t - c_i)^2 / (2 w^2))`, each layer coloured by the colormap
//!    at its centre. Opacity control points `(t, alpha)` (the viewer's editor) replace the ramp
//!    with the piecewise-linear curve through them (constant beyond the first and last point);
//!    layers then add to it, and the colour is the colormap at `t` blended with the layers'
//!    colours by their share of the opacity.

use crate::amr::FieldStats;
use crate::error::{Error, Result};

/// Encoded value of cells without a usable value; everything below [`MISSING_BELOW`] counts
/// as missing after interpolation too.
pub const MISSING: f32 = -1.0e38;
/// Threshold under which an (interpolated) encoded value is missing.
pub const MISSING_BELOW: f32 = -1.0e30;
/// Entries in the colour/opacity table.
pub const TABLE_SIZE: usize = 1024;
/// Fraction of the domain's largest width that the table's opacities refer to.
pub const REFERENCE_STEPS: f64 = 256.0;

/// How values map to the colormap's axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scale {
    #[default]
    Log,
    Linear,
}

crate::names::named_enum!(Scale, "scale", {
    Log => "log",
    Linear => "linear",
});

impl Scale {
    /// The lowest value of `stats` this scale can show: the smallest positive one for log, the
    /// minimum for linear (NaN when there is none).
    pub fn floor(self, stats: &crate::amr::FieldStats) -> f32 {
        match self {
            Scale::Log => stats.min_positive,
            Scale::Linear => stats.min,
        }
    }

    /// The encoded value of `v` ([`MISSING`] where it has none).
    #[inline]
    pub fn encode(self, v: f32) -> f32 {
        match self {
            Scale::Linear if v.is_finite() && v > MISSING_BELOW => v,
            Scale::Log if v.is_finite() && v > 0.0 => v.log10(),
            _ => MISSING,
        }
    }
    /// Inverse of [`Scale::encode`] for valid values.
    #[inline]
    pub fn decode(self, e: f32) -> f32 {
        match self {
            Scale::Linear => e,
            Scale::Log => 10f32.powf(e),
        }
    }
}

/// Colormaps, from the `colorous` crate (d3's scales: viridis and friends are the matplotlib
/// maps yt uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Colormap {
    #[default]
    Viridis,
    Inferno,
    Magma,
    Plasma,
    Cividis,
    Turbo,
    Cubehelix,
    Gray,
}

crate::names::named_enum!(Colormap, "colormap", {
    Viridis => "viridis",
    Inferno => "inferno",
    Magma => "magma",
    Plasma => "plasma",
    Cividis => "cividis",
    Turbo => "turbo",
    Cubehelix => "cubehelix",
    Gray => "gray" | "grey" | "greys",
});

impl Colormap {
    /// Colour at `t` in [0, 1], components in [0, 1].
    pub fn eval(self, t: f64) -> [f32; 3] {
        let t = t.clamp(0.0, 1.0);
        let c = match self {
            Colormap::Viridis => colorous::VIRIDIS.eval_continuous(t),
            Colormap::Inferno => colorous::INFERNO.eval_continuous(t),
            Colormap::Magma => colorous::MAGMA.eval_continuous(t),
            Colormap::Plasma => colorous::PLASMA.eval_continuous(t),
            Colormap::Cividis => colorous::CIVIDIS.eval_continuous(t),
            Colormap::Turbo => colorous::TURBO.eval_continuous(t),
            Colormap::Cubehelix => colorous::CUBEHELIX.eval_continuous(t),
            // d3's greys run from white to black.
            Colormap::Gray => colorous::GREYS.eval_continuous(1.0 - t),
        };
        [c.r as f32 / 255.0, c.g as f32 / 255.0, c.b as f32 / 255.0]
    }
}

/// Widths from its centre beyond which a layer adds nothing.
pub const LAYER_REACH: f64 = 4.0;

/// One Gaussian layer of opacity, in normalised units (`t` in [0, 1]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layer {
    pub center: f64,
    pub width: f64,
    pub alpha: f64,
}

impl Layer {
    /// The Gaussian's value at `t`, from 1 at the centre; exactly zero beyond
    /// [`LAYER_REACH`] widths (where it was below 3.4e-4), so that values below every layer
    /// are transparent and empty space is skipped.
    pub fn weight(&self, t: f64) -> f64 {
        let x = (t - self.center) / self.width;
        if x.abs() > LAYER_REACH {
            return 0.0;
        }
        (-0.5 * x * x).exp()
    }

    /// The layer's opacity at `t`.
    pub fn opacity(&self, t: f64) -> f64 {
        self.alpha * self.weight(t)
    }
}

/// yt's `add_layers`: `n` layers evenly spread over the range, of width `width` (standard
/// deviation, as a fraction of the range), opacities rising logarithmically from 0.01 to 1.
pub fn layers(n: usize, width: f64) -> Vec<Layer> {
    (0..n)
        .map(|i| Layer {
            center: (i as f64 + 0.5) / n as f64,
            width,
            alpha: if n == 1 {
                1.0
            } else {
                10f64.powf(-2.0 + 2.0 * i as f64 / (n - 1) as f64)
            },
        })
        .collect()
}

/// Layers of the default transfer function.
pub const DEFAULT_LAYERS: usize = 7;
/// The lower end of the default layers' span in `t`: values below it (the bottom of the log
/// range, a simulation's background) stay transparent.
pub const DEFAULT_LAYERS_FROM: f64 = 0.3;
/// Width (standard deviation) of each default layer, in `t`.
pub const DEFAULT_LAYER_WIDTH: f64 = 0.015;

/// The default transfer function's opacity, as yt's default: [`DEFAULT_LAYERS`] thin Gaussian
/// layers evenly spread over `t` from [`DEFAULT_LAYERS_FROM`] to 1 (the upper part of the log
/// range of the field), each coloured by the colormap at its centre, their opacities rising
/// from 0.025 to 0.25 so that the densest structures stand out without hiding the faint ones
/// (a demo's filaments and subhalos around its halo).
pub fn default_layers() -> Vec<Layer> {
    let n = DEFAULT_LAYERS;
    let span = 1.0 - DEFAULT_LAYERS_FROM;
    (0..n)
        .map(|i| {
            let f = i as f64 / (n - 1) as f64;
            Layer {
                center: DEFAULT_LAYERS_FROM + span * (i as f64 + 0.5) / n as f64,
                width: DEFAULT_LAYER_WIDTH,
                alpha: 0.025 * 10f64.powf(f),
            }
        })
        .collect()
}

/// Everything that turns field values into colour and opacity.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferFunction {
    pub colormap: Colormap,
    pub scale: Scale,
    /// Bounds in field units; `None` takes the field's range.
    pub bounds: Option<(f64, f64)>,
    /// Multiplier of the extinction (1 = the table as defined).
    pub opacity: f64,
    /// Gaussian layers ([`default_layers`] by default); empty for the opacity ramp.
    pub layers: Vec<Layer>,
    /// Opacity control points `[t, alpha]`, sorted by `t`; empty for none (see the module
    /// documentation).
    pub points: Vec<[f64; 2]>,
}

impl Default for TransferFunction {
    fn default() -> Self {
        TransferFunction {
            colormap: Colormap::default(),
            scale: Scale::default(),
            bounds: None,
            opacity: 1.0,
            layers: default_layers(),
            points: Vec::new(),
        }
    }
}

/// Opacity ramp peak of the default transfer function (per reference length).
pub const RAMP_ALPHA: f64 = 0.3;
/// Below this `t` the default ramp is fully transparent (so empty space can be skipped).
pub const RAMP_START: f64 = 0.3;

/// The default opacity ramp: zero up to [`RAMP_START`], then quadratic up to [`RAMP_ALPHA`].
pub fn ramp(t: f64) -> f64 {
    let x = ((t - RAMP_START) / (1.0 - RAMP_START)).max(0.0);
    RAMP_ALPHA * x * x
}

/// The piecewise-linear curve through `points` (sorted by `t`) at `t`, constant beyond the ends;
/// zero without points.
pub fn piecewise_linear(points: &[[f64; 2]], t: f64) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return 0.0;
    };
    if t <= first[0] {
        return first[1];
    }
    if t >= last[0] {
        return last[1];
    }
    for w in points.windows(2) {
        let ([t0, a0], [t1, a1]) = (w[0], w[1]);
        if t <= t1 {
            return if t1 > t0 {
                a0 + (a1 - a0) * (t - t0) / (t1 - t0)
            } else {
                a1
            };
        }
    }
    last[1]
}

/// Control points that follow the default ramp closely: the starting curve of the editor.
pub fn ramp_points() -> Vec<[f64; 2]> {
    let mut p = vec![[0.0, 0.0]];
    for i in 0..=6 {
        let t = RAMP_START + (1.0 - RAMP_START) * i as f64 / 6.0;
        p.push([t, ramp(t)]);
    }
    p
}

impl TransferFunction {
    /// Bounds in encoded units, from the explicit ones or the field's statistics.
    pub fn encoded_bounds(&self, stats: &FieldStats) -> Result<(f32, f32)> {
        let (lo, hi) = match self.bounds {
            Some((lo, hi)) => {
                if !lo.is_finite() || !hi.is_finite() || lo >= hi {
                    return Err(Error::Settings(format!(
                        "bounds {lo},{hi}: the minimum must be below the maximum"
                    )));
                }
                if self.scale == Scale::Log && lo <= 0.0 {
                    return Err(Error::Settings(format!(
                        "bounds {lo},{hi}: the log scale needs positive bounds (or use --scale linear)"
                    )));
                }
                (lo, hi)
            }
            None => {
                let lo = self.scale.floor(stats);
                if lo.is_nan() {
                    return Err(Error::Settings(match self.scale {
                        Scale::Log => "the field has no positive values, so the log scale cannot show it; use --scale linear".to_string(),
                        Scale::Linear => "the field has no finite values".to_string(),
                    }));
                }
                (lo as f64, stats.max as f64)
            }
        };
        let (mut elo, mut ehi) = (self.scale.encode(lo as f32), self.scale.encode(hi as f32));
        if ehi.partial_cmp(&elo) != Some(std::cmp::Ordering::Greater) {
            // A constant field: centre it in a unit-wide window.
            elo -= 0.5;
            ehi += 0.5;
        }
        Ok((elo, ehi))
    }

    /// Opacity at `t` in [0, 1], before the opacity multiplier: the control points' curve
    /// plus the layers, else the default ramp, else the layers alone.
    pub fn opacity_at(&self, t: f64) -> f64 {
        let base = if !self.points.is_empty() {
            piecewise_linear(&self.points, t).max(0.0)
        } else if self.layers.is_empty() {
            return ramp(t);
        } else {
            0.0
        };
        self.layers.iter().fold(base, |a, l| a + l.opacity(t))
    }

    /// Colour at `t`: the colormap's, blended with the layers' colours (the colormap at their
    /// centres) by their share of the opacity; with layers alone, by their Gaussian weights.
    pub fn colour_at(&self, t: f64) -> [f32; 3] {
        let own = self.colormap.eval(t);
        let (mut col, mut sum) = if !self.points.is_empty() {
            let base = piecewise_linear(&self.points, t).max(0.0);
            (own.map(|c| c as f64 * base), base)
        } else if self.layers.is_empty() {
            return own;
        } else {
            ([0.0; 3], 0.0)
        };
        for l in &self.layers {
            let w = if self.points.is_empty() {
                l.weight(t)
            } else {
                l.opacity(t)
            };
            let c = self.colormap.eval(l.center);
            for k in 0..3 {
                col[k] += c[k] as f64 * w;
            }
            sum += w;
        }
        if sum > 0.0 {
            col.map(|c| (c / sum) as f32)
        } else {
            own
        }
    }

    /// Table of `TABLE_SIZE` entries over `t` in [0, 1]: colour and extinction per reference
    /// length (`-ln(1 - alpha)` times the opacity multiplier).
    pub fn table(&self) -> Vec<[f32; 4]> {
        (0..TABLE_SIZE)
            .map(|i| {
                let t = i as f64 / (TABLE_SIZE - 1) as f64;
                let rgb = self.colour_at(t);
                let alpha = self.opacity_at(t).clamp(0.0, 0.9999);
                let ext = -(1.0 - alpha).ln() * self.opacity.max(0.0);
                [rgb[0], rgb[1], rgb[2], ext as f32]
            })
            .collect()
    }
}

/// Linear interpolation in a table over `t` in [0, 1].
#[inline]
pub fn lookup(table: &[[f32; 4]], t: f32) -> [f32; 4] {
    let x = t.clamp(0.0, 1.0) * (table.len() - 1) as f32;
    let i = (x.floor() as usize).min(table.len() - 2);
    let f = x - i as f32;
    let (a, b) = (table[i], table[i + 1]);
    [0, 1, 2, 3].map(|c| a[c] + (b[c] - a[c]) * f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(min: f32, max: f32) -> FieldStats {
        FieldStats {
            min,
            max,
            min_positive: if min > 0.0 { min } else { f32::NAN },
            non_finite: 0,
            non_positive: 0,
        }
    }

    #[test]
    fn encoding_spans_cosmological_ranges() {
        assert_eq!(Scale::Log.encode(1e-30), -30.0);
        assert!((Scale::Log.encode(1e30) - 30.0).abs() < 1e-5);
        assert_eq!(Scale::Log.encode(0.0), MISSING);
        assert_eq!(Scale::Log.encode(-1.0), MISSING);
        assert_eq!(Scale::Linear.encode(f32::NAN), MISSING);
        assert_eq!(Scale::Linear.encode(f32::INFINITY), MISSING);
        assert!((Scale::Log.decode(Scale::Log.encode(3.5e-27)) / 3.5e-27 - 1.0).abs() < 1e-5);
    }

    #[test]
    fn bounds_default_to_the_field_range_and_are_checked() {
        let tf = TransferFunction::default();
        assert_eq!(
            tf.encoded_bounds(&stats(1e-28, 1e-21)).unwrap(),
            (-28.0, -21.0)
        );
        let tf = TransferFunction {
            bounds: Some((-1.0, 2.0)),
            ..Default::default()
        };
        assert!(tf
            .encoded_bounds(&stats(1.0, 2.0))
            .unwrap_err()
            .to_string()
            .contains("positive"));
        let tf = TransferFunction {
            bounds: Some((2.0, 1.0)),
            scale: Scale::Linear,
            ..Default::default()
        };
        assert!(tf.encoded_bounds(&stats(1.0, 2.0)).is_err());
        let tf = TransferFunction::default();
        assert!(tf
            .encoded_bounds(&stats(-2.0, 0.0))
            .unwrap_err()
            .to_string()
            .contains("--scale linear"));
    }

    #[test]
    fn table_opacity_and_layers() {
        let ramp_only = TransferFunction {
            layers: Vec::new(),
            ..Default::default()
        };
        let t = ramp_only.table();
        assert_eq!(t.len(), TABLE_SIZE);
        assert_eq!(t[0][3], 0.0);
        assert!((t[TABLE_SIZE - 1][3] as f64 - -(1.0 - RAMP_ALPHA).ln()).abs() < 1e-6);
        // Doubling the opacity doubles the extinction.
        let t2 = TransferFunction {
            opacity: 2.0,
            ..ramp_only.clone()
        }
        .table();
        assert!((t2[700][3] - 2.0 * t[700][3]).abs() < 1e-6);
        // Layers peak at their centres with their colour.
        let tf = TransferFunction {
            layers: layers(4, 0.02),
            colormap: Colormap::Inferno,
            ..Default::default()
        };
        let t = tf.table();
        let at = |x: f64| t[(x * (TABLE_SIZE - 1) as f64).round() as usize];
        assert!(
            at(0.875)[3] > 10.0 * at(0.75)[3].max(1e-6),
            "layers are separated"
        );
        assert!(at(0.875)[3] > at(0.625)[3]);
        let c = Colormap::Inferno.eval(0.875);
        assert!((at(0.875)[0] - c[0]).abs() < 0.01);
    }

    #[test]
    fn the_default_is_thin_layers_over_the_upper_range() {
        let tf = TransferFunction::default();
        assert_eq!(tf.layers, default_layers());
        let t = tf.table();
        let at = |x: f64| t[(x * (TABLE_SIZE - 1) as f64).round() as usize];
        // Transparent below the layers (the background), so empty space is skipped.
        let first = &tf.layers[0];
        let clear = first.center - LAYER_REACH * first.width;
        assert!(clear > 0.2, "{clear}");
        assert!(t[..(clear * (TABLE_SIZE - 1) as f64) as usize]
            .iter()
            .all(|e| e[3] == 0.0));
        // Each layer peaks at its centre with the colormap's colour there, separated from the
        // next by nearly transparent values, and the opacity rises with the value.
        let mut last = 0.0;
        for (a, b) in tf.layers.iter().zip(&tf.layers[1..]) {
            let mid = 0.5 * (a.center + b.center);
            assert!(at(a.center)[3] > 20.0 * at(mid)[3], "{}", a.center);
            assert!(at(a.center)[3] > last);
            last = at(a.center)[3];
            let c = tf.colormap.eval(a.center);
            assert!((at(a.center)[1] - c[1]).abs() < 0.02);
        }
        assert!(tf.layers.last().unwrap().center < 1.0);
        assert_eq!(tf.layers.len(), DEFAULT_LAYERS);
    }

    #[test]
    fn control_points_define_the_opacity() {
        let pts = vec![[0.2, 0.0], [0.5, 0.6], [0.8, 0.1]];
        assert_eq!(piecewise_linear(&pts, 0.0), 0.0);
        assert!((piecewise_linear(&pts, 0.35) - 0.3).abs() < 1e-12);
        assert!((piecewise_linear(&pts, 0.65) - 0.35).abs() < 1e-12);
        assert_eq!(piecewise_linear(&pts, 1.0), 0.1);
        assert_eq!(piecewise_linear(&[], 0.5), 0.0);
        let tf = TransferFunction {
            points: pts.clone(),
            layers: Vec::new(),
            ..Default::default()
        };
        let t = tf.table();
        let at = |x: f64| t[(x * (TABLE_SIZE - 1) as f64).round() as usize];
        let ext = |a: f64| -(1.0 - a).ln() as f32;
        assert!((at(0.5)[3] - ext(piecewise_linear(&pts, at_t(0.5)))).abs() < 1e-5);
        assert_eq!(at(0.1)[3], 0.0);
        // Colour is the colormap's where no layer adds to it.
        let c = Colormap::Viridis.eval(at_t(0.5));
        assert!((at(0.5)[0] - c[0]).abs() < 1e-6);
        // A layer adds its opacity and pulls the colour toward its own.
        let tf = TransferFunction {
            points: pts,
            layers: vec![Layer {
                center: 0.1,
                width: 0.02,
                alpha: 0.5,
            }],
            ..Default::default()
        };
        let t = tf.table();
        let at = |x: f64| t[(x * (TABLE_SIZE - 1) as f64).round() as usize];
        assert!((at(0.1)[3] - ext(0.5)).abs() < 1e-3);
        let c = Colormap::Viridis.eval(0.1);
        assert!((at(0.1)[0] - c[0]).abs() < 1e-3);
        // The editor's starting points follow the ramp.
        let rp = ramp_points();
        for i in 0..=100 {
            let x = i as f64 / 100.0;
            assert!((piecewise_linear(&rp, x) - ramp(x)).abs() < 0.01, "{x}");
        }
    }

    /// The `t` of the table entry nearest `x`.
    fn at_t(x: f64) -> f64 {
        (x * (TABLE_SIZE - 1) as f64).round() / (TABLE_SIZE - 1) as f64
    }

    #[test]
    fn lookup_interpolates() {
        let table = vec![[0.0; 4], [1.0, 2.0, 3.0, 4.0]];
        assert_eq!(lookup(&table, 0.5), [0.5, 1.0, 1.5, 2.0]);
        assert_eq!(lookup(&table, 2.0), [1.0, 2.0, 3.0, 4.0]);
    }
}
