//! Slices: the field's values on a plane, one per pixel centre, from the finest data there
//! (yt's `SlicePlot`), computed on the CPU from the AMR model.
//!
//! Geometry: the image is centred on the plane's centre ([`SlicePlane`]), its x axis along
//! `right` and its y axis along `up`; pixels are square, of side `width / max(W, H)`, and
//! pixel `(i, j)` (column `i` from the left, row `j` from the top) samples the point
//! `center + right (i + 0.5 - W/2) s + up (H/2 - j - 0.5) s`. Row 0 is the top of the image,
//! the largest `up`, as in every amrcast image and `--values` array.
//!
//! Values: with nearest-cell sampling, the stored value of the finest cell containing the
//! point; with linear sampling, the trilinear interpolation in the cell centres of that finest
//! level, as the ray caster samples (of the values as stored, whatever the colour scale).
//! Points outside the domain (a box closed on both sides) are missing: NaN.
//!
//! Colours: a slice is coloured as a projection of unit depth, through
//! [`FloatImage::colours`] (or the GPU display pass): the colormap at the value encoded by the
//! scale, within the bounds (default: the field's range), missing values black.
//!
//! Planes in a 3-D render: [`plane_layer`] (`layer.rs`) rasterises planes into the ray
//! caster's geometry layer, coloured as slices are.

mod area;
pub mod figure;
pub mod flat;
mod layer;
pub mod outlines;
mod plane;

pub use area::area_slice;
pub use layer::{nearest_hit, plane_layer};
pub use plane::{Axis, PlaneSpec, SlicePlane};

use crate::amr::AmrDataset;
use crate::error::{Error, Result};
use crate::render::{DisplaySettings, FloatImage, Interpolation, Mode, Prepared, RenderSettings};
use crate::transfer::TransferFunction;
use glam::DVec3;

/// What slice to take: the plane, the image's extent and size, and the sampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SliceRequest {
    pub plane: PlaneSpec,
    /// Extent of the image along its longer side, domain units (default: the smallest that
    /// shows the whole domain's cross-section through the plane's centre).
    pub width: Option<f64>,
    /// Image size in pixels (width, height).
    pub size: (u32, u32),
    pub interpolation: Interpolation,
}

/// A slice's pixels placed in space: the plane, the pixel size and the image size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SliceFrame {
    pub plane: SlicePlane,
    /// Side of one (square) pixel, domain units.
    pub pixel: f64,
    /// Image size in pixels (width, height).
    pub size: (u32, u32),
}

impl SliceRequest {
    /// Where the pixels lie in the domain `lo..hi`; an error for a plane outside the domain, a
    /// zero normal, a width that is not positive or an empty image.
    pub fn frame(&self, lo: DVec3, hi: DVec3) -> Result<SliceFrame> {
        let plane = self.plane.plane(lo, hi)?;
        let (w, h) = self.size;
        if w == 0 || h == 0 {
            return Err(Error::Settings(format!(
                "slice size {w}x{h}: both sides must be positive"
            )));
        }
        let pixel = match self.width {
            Some(width) if width.is_finite() && width > 0.0 => width / w.max(h) as f64,
            Some(width) => {
                return Err(Error::Settings(format!(
                    "slice width {width} must be a positive length"
                )))
            }
            None => {
                let (eu, ev) = plane.extent_of_box(lo, hi);
                (eu / w as f64).max(ev / h as f64)
            }
        };
        Ok(SliceFrame {
            plane,
            pixel,
            size: self.size,
        })
    }
}

impl SliceFrame {
    /// The point that pixel `(i, j)` (column, row from the top) samples: its centre.
    pub fn pixel_point(&self, i: u32, j: u32) -> DVec3 {
        let (w, h) = (self.size.0 as f64, self.size.1 as f64);
        self.plane.point(
            (i as f64 + 0.5 - 0.5 * w) * self.pixel,
            (0.5 * h - j as f64 - 0.5) * self.pixel,
        )
    }

    /// Where the point `p` (projected along the normal onto the plane) lies on the image, in
    /// pixels: x from the left, y from the top, so pixel `(i, j)`'s centre is at
    /// `(i + 0.5, j + 0.5)`.
    pub fn pixel_of(&self, p: DVec3) -> [f64; 2] {
        let r = p - self.plane.center;
        [
            r.dot(self.plane.right) / self.pixel + 0.5 * self.size.0 as f64,
            0.5 * self.size.1 as f64 - r.dot(self.plane.up) / self.pixel,
        ]
    }

    /// The image's corners in space: top left, top right, bottom right, bottom left.
    pub fn corners(&self) -> [DVec3; 4] {
        let (u, v) = (
            0.5 * self.size.0 as f64 * self.pixel,
            0.5 * self.size.1 as f64 * self.pixel,
        );
        [(-u, v), (u, v), (u, -v), (-u, -v)].map(|(a, b)| self.plane.point(a, b))
    }
}

/// A slice: the field's values at the pixel centres.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceImage {
    pub frame: SliceFrame,
    /// Field values as stored, row-major, row 0 at the top; NaN outside the domain.
    pub values: Vec<f32>,
}

/// Takes the slice `request` asks for through `ds`.
pub fn slice(ds: &AmrDataset, request: &SliceRequest) -> Result<SliceImage> {
    let h = &ds.hierarchy;
    let frame = request.frame(h.domain_left, h.domain_right)?;
    let values = per_pixel(&frame, |i, j| {
        value_at(ds, frame.pixel_point(i, j), request.interpolation)
    });
    Ok(SliceImage { frame, values })
}

/// `value(i, j)` for every pixel of `frame` (column `i`, row `j`), row-major, computed in
/// bands of rows on up to 8 threads.
pub(crate) fn per_pixel(frame: &SliceFrame, value: impl Fn(u32, u32) -> f32 + Sync) -> Vec<f32> {
    let (w, rows) = frame.size;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let value = &value;
    let bands: Vec<Vec<f32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t as u32..rows)
                        .step_by(threads)
                        .flat_map(|j| (0..w).map(move |i| value(i, j)))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("slice worker panicked"))
            .collect()
    });
    let w = w as usize;
    let mut values = vec![0.0f32; w * rows as usize];
    for (t, band) in bands.iter().enumerate() {
        for (n, j) in (t..rows as usize).step_by(threads).enumerate() {
            values[j * w..(j + 1) * w].copy_from_slice(&band[n * w..(n + 1) * w]);
        }
    }
    values
}

/// The field at `p` from the finest level there; NaN outside the domain.
pub fn value_at(ds: &AmrDataset, p: DVec3, interpolation: Interpolation) -> f32 {
    let h = &ds.hierarchy;
    if !(p.cmpge(h.domain_left).all() && p.cmple(h.domain_right).all()) {
        return f32::NAN;
    }
    match interpolation {
        Interpolation::Nearest => ds.nearest_value(h.max_level(), p),
        Interpolation::Linear => ds.sample_level(h.finest_level_at(p), p),
    }
}

/// The look of a slice: `tf`'s colormap, scale and bounds (default: the field's range)
/// resolved against `ds`, as for a projection.
pub fn prepare(ds: &AmrDataset, tf: &TransferFunction) -> Result<Prepared> {
    Prepared::new(ds, &settings(tf))
}

/// The render settings a slice is coloured with: a projection (of unit depth) with `tf`.
pub fn settings(tf: &TransferFunction) -> RenderSettings {
    RenderSettings {
        mode: Mode::Projection,
        tf: tf.clone(),
        ..RenderSettings::default()
    }
}

impl SliceImage {
    /// Image size in pixels (width, height).
    pub fn size(&self) -> (u32, u32) {
        self.frame.size
    }

    /// The values as a float image (a projection of unit depth: `[value, 0, 0, 0]`), for
    /// [`FloatImage::colours`], the display pass and `--values`.
    pub fn float_image(&self) -> FloatImage {
        FloatImage {
            width: self.frame.size.0,
            height: self.frame.size.1,
            mode: Mode::Projection,
            pixels: self.values.iter().map(|&v| [v, 0.0, 0.0, 0.0]).collect(),
        }
    }

    /// How the float image becomes colours with the colormap, scale and bounds of `prepared`
    /// (a slice's own, [`prepare`], or a volume's in any mode): as a projection of unit depth.
    pub fn display(prepared: &Prepared) -> DisplaySettings {
        DisplaySettings {
            mode: Mode::Projection,
            depth: 1.0,
            ..DisplaySettings::new(prepared, 1.0)
        }
    }
}
