//! What a render is asked for and what it produces, shared by the GPU renderer and the CPU
//! reference: modes, settings, the float image and its conversion to colours and raw values.

use crate::amr::{AmrDataset, FieldStats};
use crate::error::{Error, Result};
use crate::transfer::{lookup, Colormap, Scale, TransferFunction, MISSING_BELOW, REFERENCE_STEPS};
use glam::DVec3;

/// What is accumulated along each ray.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Emission and absorption through the transfer function, front to back.
    #[default]
    Composite,
    /// Maximum intensity along the ray.
    Mip,
    /// Line integral of the field (yt's ProjectionPlot): field as stored times domain units.
    Projection,
}

crate::names::named_enum!(Mode, "mode", {
    Composite => "composite",
    Mip => "mip",
    Projection => "projection",
});

impl Mode {
    /// The mode's number in the shaders. Keep in sync with `MODE_*` in shaders/raycast.wgsl
    /// and shaders/display.wgsl (checked by the tests of src/gpu/shader_contract.rs).
    pub fn index(self) -> u32 {
        self as u32
    }
    /// The encoding the atlas needs: the line integral is always of the values as stored.
    pub fn encoding(self, tf: &TransferFunction) -> Scale {
        match self {
            Mode::Projection => Scale::Linear,
            _ => tf.scale,
        }
    }
}

/// How a sample between cell centres takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Trilinear in the cell centres of the finest level there: seamless across bricks and
    /// levels.
    #[default]
    Linear,
    /// The value of the finest stored cell containing the point: each cell drawn as a
    /// constant, as yt's projections and slices show it.
    Nearest,
}

crate::names::named_enum!(Interpolation, "interpolation", {
    Linear => "linear",
    Nearest => "nearest",
});

/// Settings of one render, independent of the camera.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderSettings {
    pub mode: Mode,
    pub tf: TransferFunction,
    /// Samples per cell of the level being crossed (the step follows the local cell size).
    pub samples_per_cell: f64,
    /// Trilinear or nearest-cell sampling.
    pub interpolation: Interpolation,
    /// Jittered sampling (see [`crate::jitter`]) in composite and MIP: each pixel's samples
    /// start at an offset of its own, so that close-up views show no banding. Projection
    /// always samples at the midpoints of its steps, which integrates data that varies
    /// linearly along a step exactly.
    pub jitter: bool,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            mode: Mode::Composite,
            tf: TransferFunction::default(),
            samples_per_cell: 1.0,
            interpolation: Interpolation::Linear,
            jitter: true,
        }
    }
}

impl RenderSettings {
    /// Whether rays take their samples at per-pixel offsets ([`crate::jitter::offset`])
    /// rather than at the midpoints of their steps: with [`RenderSettings::jitter`], except in
    /// projection. The GPU's pipeline and the CPU reference both follow it.
    pub fn jittered(&self) -> bool {
        self.jitter && self.mode != Mode::Projection
    }
}

/// Settings resolved against one dataset: what both renderers need besides the camera.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub settings: RenderSettings,
    pub stats: FieldStats,
    /// How the stored values are encoded for sampling.
    pub encoding: Scale,
    /// Transfer-function bounds in the transfer function's own encoding.
    pub bounds: (f32, f32),
    /// Colour and extinction table.
    pub table: Vec<[f32; 4]>,
    /// Reference length of the table's opacities, domain units.
    pub ds0: f64,
}

impl Prepared {
    pub fn new(ds: &AmrDataset, settings: &RenderSettings) -> Result<Self> {
        Self::from_stats(
            ds.stats(),
            ds.hierarchy.domain_width().max_element() / REFERENCE_STEPS,
            settings,
        )
    }

    /// [`Prepared::new`] for any field source (its statistics streamed when it is read from
    /// the files).
    pub fn for_source(
        source: &dyn crate::amr::FieldSource,
        settings: &RenderSettings,
    ) -> Result<Self> {
        Self::from_stats(
            source.stats()?,
            source.hierarchy().domain_width().max_element() / REFERENCE_STEPS,
            settings,
        )
    }

    /// The same dataset with other settings (the field's statistics are kept).
    pub fn with_settings(&self, settings: &RenderSettings) -> Result<Self> {
        Self::from_stats(self.stats, self.ds0, settings)
    }

    fn from_stats(stats: FieldStats, ds0: f64, settings: &RenderSettings) -> Result<Self> {
        if !(settings.samples_per_cell > 0.0 && settings.samples_per_cell <= 64.0) {
            return Err(Error::Settings(format!(
                "samples per cell {} must lie in (0, 64]",
                settings.samples_per_cell
            )));
        }
        if !settings.tf.opacity.is_finite() || settings.tf.opacity < 0.0 {
            return Err(Error::Settings(format!(
                "opacity {} must be zero or positive",
                settings.tf.opacity
            )));
        }
        let bounds = settings.tf.encoded_bounds(&stats)?;
        Ok(Prepared {
            settings: settings.clone(),
            stats,
            encoding: settings.mode.encoding(&settings.tf),
            bounds,
            table: settings.tf.table(),
            ds0,
        })
    }

    /// The lowest encoded value that can have any opacity in composite mode: the table is
    /// linear between its entries, so below the entry before the first opaque one every value
    /// is fully transparent and adds nothing. `f32::MAX` when the whole table is transparent.
    pub fn opaque_from(&self) -> f32 {
        let (lo, hi) = self.bounds;
        let n = self.table.len();
        match self.table.iter().position(|e| e[3] > 0.0) {
            None => f32::MAX,
            Some(0) => lo,
            Some(i) => lo + (hi - lo) * ((i - 1) as f32 / (n - 1) as f32),
        }
    }

    /// Prints [`Prepared::warnings`] to standard error, one `amrcast: warning:` line each.
    pub fn print_warnings(&self, field: &str) {
        for w in self.warnings(field) {
            eprintln!("amrcast: warning: {w}");
        }
    }

    /// Warnings about values that will be drawn transparent, for the user.
    pub fn warnings(&self, field: &str) -> Vec<String> {
        let mut w = Vec::new();
        if self.stats.non_finite > 0 {
            w.push(format!(
                "field '{field}' has {} NaN or infinite values; they are drawn transparent",
                self.stats.non_finite
            ));
        }
        if self.encoding == Scale::Log && self.stats.non_positive > 0 {
            w.push(format!(
                "field '{field}' has {} values <= 0, which the log scale cannot show; they are drawn transparent (use --scale linear to see them)",
                self.stats.non_positive
            ));
        }
        w
    }
}

/// A rendered float image, row 0 at the top. Per pixel:
/// - composite: premultiplied linear RGBA;
/// - mip: `[encoded maximum, 1 if any sample was valid, 0, 0]`;
/// - projection: `[integral in field units times domain units, 0, 0, 0]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatImage {
    pub width: u32,
    pub height: u32,
    pub mode: Mode,
    pub pixels: Vec<[f32; 4]>,
}

impl FloatImage {
    /// Raw values for `--values`: shape and data, in field units.
    pub fn values(&self, encoding: Scale) -> (Vec<usize>, Vec<f32>) {
        let (h, w) = (self.height as usize, self.width as usize);
        match self.mode {
            Mode::Composite => (
                vec![h, w, 4],
                self.pixels.iter().flatten().copied().collect(),
            ),
            Mode::Mip => (
                vec![h, w],
                self.pixels
                    .iter()
                    .map(|p| {
                        if p[1] > 0.5 && p[0] > MISSING_BELOW {
                            encoding.decode(p[0])
                        } else {
                            f32::NAN
                        }
                    })
                    .collect(),
            ),
            Mode::Projection => (vec![h, w], self.pixels.iter().map(|p| p[0]).collect()),
        }
    }

    /// 8-bit RGBA for a PNG: [`FloatImage::colours`] with the settings of `prepared` and the
    /// projection depth `depth`.
    pub fn to_rgba8(&self, prepared: &Prepared, depth: f64) -> Vec<u8> {
        self.colours(&DisplaySettings::new(prepared, depth))
    }

    /// 8-bit RGBA for a PNG. Composite: the premultiplied colour over black. MIP: the colormap
    /// at the maximum, with the transfer function's bounds. Projection: the colormap at the
    /// integral divided by `depth` (the domain's extent along the view direction), so the
    /// colours mean the line-of-sight average and use the field's bounds; pixels without data
    /// are black. The display pass (`shaders/display.wgsl`) does the same on the GPU.
    pub fn colours(&self, display: &DisplaySettings) -> Vec<u8> {
        let (lo, hi) = display.bounds;
        let colour = |e: f32| -> [f32; 3] {
            if e > MISSING_BELOW && e >= lo {
                let t = ((e - lo) / (hi - lo)) as f64;
                display.colormap.eval(t)
            } else {
                [0.0; 3]
            }
        };
        let mut out = Vec::with_capacity(self.pixels.len() * 4);
        for p in &self.pixels {
            let rgb = match self.mode {
                Mode::Composite => [p[0], p[1], p[2]],
                Mode::Mip => {
                    if p[1] > 0.5 {
                        colour(p[0])
                    } else {
                        [0.0; 3]
                    }
                }
                Mode::Projection => {
                    colour(display.scale.encode((p[0] as f64 / display.depth) as f32))
                }
            };
            out.extend(rgb.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8));
            out.push(255);
        }
        out
    }
}

/// How float values become colours: what [`FloatImage::colours`] and the display pass take
/// from [`Prepared`], and the projection depth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DisplaySettings {
    pub mode: Mode,
    pub colormap: Colormap,
    /// The transfer function's scale (the projection's average is encoded with it).
    pub scale: Scale,
    /// Bounds in the transfer function's encoding.
    pub bounds: (f32, f32),
    /// Extent of the domain along the view direction (projection).
    pub depth: f64,
}

impl DisplaySettings {
    pub fn new(prepared: &Prepared, depth: f64) -> Self {
        DisplaySettings {
            mode: prepared.settings.mode,
            colormap: prepared.settings.tf.colormap,
            scale: prepared.settings.tf.scale,
            bounds: prepared.bounds,
            depth,
        }
    }
}

/// Extent of the box `lo..hi` along unit direction `f`: the projection's normalising depth.
pub fn depth_along(f: DVec3, lo: DVec3, hi: DVec3) -> f64 {
    f.abs().dot(hi - lo)
}

/// One front-to-back compositing step, the same in the shader: a sample of encoded value `v`
/// over a step `ds` (domain units).
#[inline]
pub fn composite_step(acc: &mut [f32; 4], prepared: &Prepared, v: f32, ds: f64) {
    let (lo, hi) = prepared.bounds;
    if v > MISSING_BELOW && v >= lo {
        let e = lookup(&prepared.table, (v - lo) / (hi - lo));
        let a = 1.0 - (-(e[3] as f64) * ds / prepared.ds0).exp() as f32;
        let w = (1.0 - acc[3]) * a;
        acc[0] += w * e[0];
        acc[1] += w * e[1];
        acc[2] += w * e[2];
        acc[3] += w;
    }
}

/// Opacity at which a ray stops.
pub const OPAQUE: f32 = 0.99;
