//! The scale bar: a round length in physical units (cm, km, AU, pc, kpc, Mpc) from the
//! dataset's length unit, or in code units when the dataset does not know it (Athena++,
//! Chombo, the demo), said so in the label. For a perspective camera the length holds at the
//! focus distance, and the label says that too.

use super::colorbar::nice_step;
use super::text::{self, Align};
use super::Canvas;
use crate::camera::{Camera, Lens};
use crate::error::{Error, Result};

/// Lengths the bar may use, centimetres each, smallest first.
pub const UNITS: [(&str, f64); 6] = [
    ("cm", 1.0),
    ("km", 1.0e5),
    ("AU", 1.495_978_707e13),
    ("pc", 3.085_677_581_491_367e18),
    ("kpc", 3.085_677_581_491_367e21),
    ("Mpc", 3.085_677_581_491_367e24),
];

/// About how much of the image's width the bar takes.
const TARGET_FRACTION: f64 = 0.22;

/// What a scale bar measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleSpec {
    /// Domain units per pixel (for a perspective camera, at the focus distance).
    pub pixel_size: f64,
    /// Centimetres per domain unit; `None` when the dataset does not say.
    pub cm_per_unit: Option<f64>,
    /// Whether the length holds only at the focus distance (perspective).
    pub at_focus: bool,
}

impl ScaleSpec {
    /// The scale of `cam`'s images of `size` pixels: the plane lens's pixel, or the
    /// perspective lens's pixel at the distance of the focus.
    pub fn for_camera(cam: &Camera, size: (u32, u32), cm_per_unit: Option<f64>) -> Result<Self> {
        let (pixel_size, at_focus) = match cam.lens {
            Lens::Plane => (cam.width / size.0 as f64, false),
            Lens::Perspective => {
                let dist = (cam.focus - cam.position).length();
                let half = (0.5 * cam.fov).to_radians().tan();
                (2.0 * dist * half / size.1 as f64, true)
            }
        };
        Ok(ScaleSpec {
            at_focus,
            ..ScaleSpec::for_pixel(pixel_size, cm_per_unit)?
        })
    }

    /// The scale of an image whose pixels are `pixel_size` domain units wide everywhere (a
    /// plane lens, a slice).
    pub fn for_pixel(pixel_size: f64, cm_per_unit: Option<f64>) -> Result<Self> {
        if !(pixel_size.is_finite() && pixel_size > 0.0) {
            return Err(Error::Settings(format!(
                "the scale bar needs a positive pixel size, not {pixel_size}"
            )));
        }
        Ok(ScaleSpec {
            pixel_size,
            cm_per_unit: cm_per_unit.filter(|c| c.is_finite() && *c > 0.0),
            at_focus: false,
        })
    }

    /// The bar for an image `width` pixels wide: its length in pixels and its label, in the
    /// largest unit of which it is at least 0.1.
    pub fn choose(&self, width: u32) -> (f64, String) {
        let target = TARGET_FRACTION * width as f64 * self.pixel_size;
        let (length, unit_cm, name) = match self.cm_per_unit {
            None => (round_down(target), 1.0, "code units"),
            Some(cm) => {
                let target_cm = target * cm;
                let (name, unit) = UNITS
                    .iter()
                    .rev()
                    .find(|(_, u)| target_cm / u >= 0.1)
                    .copied()
                    .unwrap_or(UNITS[0]);
                (round_down(target_cm / unit), unit / cm, name)
            }
        };
        let pixels = length * unit_cm / self.pixel_size;
        let number = super::colorbar::format_value(length);
        let focus = if self.at_focus { " at the focus" } else { "" };
        (pixels, format!("{number} {name}{focus}"))
    }
}

/// The largest 1, 2 or 5 times a power of ten not above `x` (x > 0).
fn round_down(x: f64) -> f64 {
    let s = nice_step(x);
    if s <= x * (1.0 + 1e-12) {
        return s;
    }
    // nice_step rounds to the nearest; step down through 5, 2, 1.
    let p = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * p)
        .find(|&v| v <= x * (1.0 + 1e-12))
        .unwrap_or(p)
}

/// Draws `spec`'s bar at the bottom left of `canvas`, the label above it.
pub fn draw(canvas: &mut Canvas, spec: &ScaleSpec, size: f32) {
    let (pixels, label) = spec.choose(canvas.width);
    let margin = (0.9 * size) as f64;
    let x0 = margin;
    let x1 = x0 + pixels;
    let y = canvas.height as f64 - margin;
    let tick = 0.35 * size as f64;
    // A dark backing line under the white bar, for legibility on bright volume.
    for (width, rgb) in [(4.0, [0.0; 3]), (2.0, [1.0; 3])] {
        canvas.line([x0, y], [x1, y], width, rgb);
        canvas.line([x0, y - tick], [x0, y + tick], width, rgb);
        canvas.line([x1, y - tick], [x1, y + tick], width, rgb);
    }
    let centre = (0.5 * (x0 + x1)) as f32;
    let fits = text::width(&label, size) * 0.5 <= centre;
    let (x, align) = if fits {
        (centre, Align::Centre)
    } else {
        (x0 as f32, Align::Left)
    };
    text::draw(
        canvas,
        &label,
        (x, (y - tick) as f32 - 0.35 * size),
        align,
        size,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_round_and_in_the_largest_unit_that_fits() {
        assert_eq!(round_down(0.37), 0.2);
        assert_eq!(round_down(7.0), 5.0);
        assert_eq!(round_down(1.0), 1.0);
        // A 1 Mpc wide image of 500 pixels: the bar is 0.2 Mpc = 200 kpc.
        let mpc = UNITS[5].1;
        let s = ScaleSpec {
            pixel_size: 1.0 / 500.0,
            cm_per_unit: Some(mpc),
            at_focus: false,
        };
        let (px, label) = s.choose(500);
        assert_eq!(label, "0.2 Mpc");
        assert!((px - 100.0).abs() < 1e-9, "{px}");
        let code = ScaleSpec {
            cm_per_unit: None,
            ..s
        };
        assert_eq!(code.choose(500), (100.0, "0.2 code units".to_string()));
        let persp = ScaleSpec {
            at_focus: true,
            ..code
        };
        assert!(persp.choose(500).1.ends_with("at the focus"));
    }
}
