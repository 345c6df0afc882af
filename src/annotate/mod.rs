//! Annotations (`--annotate domain,grids,colorbar,scale,axes`): what turns a render into a
//! figure.
//!
//! Two kinds of drawing:
//! - **3-D lines** ([`outlines`]): the domain box and the grid outlines, projected with the
//!   camera's own rays into a [`GeometryLayer`] (per pixel: the ray parameter of the nearest
//!   line and its anti-aliased colour). In composite mode the ray caster stops each ray at that
//!   depth and puts the line behind what it accumulated (`out = acc + (1 - acc.a) * line`), so
//!   opaque volume in front of a line hides it, as yt's z-buffer does; for MIP and projection,
//!   which have no depth, the lines are drawn over the coloured image.
//! - **2-D overlays** on a plain RGBA image ([`Canvas`]), from a [`Figure`] that says what the
//!   image shows: a colour bar ([`colorbar`]), a scale bar ([`scalebar`]), an axes triad
//!   ([`axes`]); text is drawn with a bundled DejaVu Sans ([`text`]). Slices and renders share
//!   them.

pub mod axes;
pub mod colorbar;
pub mod figure_data;
pub mod outlines;
pub mod scalebar;
pub mod text;

pub use axes::AxesSpec;
pub use colorbar::ColorbarSpec;
pub use figure_data::FigureData;
pub use outlines::{GeometryLayer, Segment};
pub use scalebar::ScaleSpec;

/// One kind of annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Annotation {
    /// The domain's box.
    Domain,
    /// Every grid's box, coloured by level.
    Grids,
    /// The colour bar: colormap (or transfer function), field, units, bounds and ticks.
    Colorbar,
    /// A bar of a round length in physical units.
    Scale,
    /// The x, y, z axes as the camera sees them.
    Axes,
}

crate::names::named_enum!(Annotation, "annotation", {
    Domain => "domain",
    Grids => "grids" | "grid",
    Colorbar => "colorbar" | "colourbar",
    Scale => "scale" | "scalebar",
    Axes => "axes" | "triad",
});

/// Which annotations to draw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Annotations {
    pub domain: bool,
    pub grids: bool,
    pub colorbar: bool,
    pub scale: bool,
    pub axes: bool,
}

impl Annotations {
    /// The set of the kinds in `list` (repeats allowed).
    pub fn from_list(list: &[Annotation]) -> Annotations {
        let mut set = Annotations::default();
        for &a in list {
            *set.flag(a) = true;
        }
        set
    }

    /// The flag of kind `a`.
    fn flag(&mut self, a: Annotation) -> &mut bool {
        match a {
            Annotation::Domain => &mut self.domain,
            Annotation::Grids => &mut self.grids,
            Annotation::Colorbar => &mut self.colorbar,
            Annotation::Scale => &mut self.scale,
            Annotation::Axes => &mut self.axes,
        }
    }

    /// The kinds in the set, in the order `--help` lists them.
    pub fn kinds(&self) -> Vec<Annotation> {
        let mut set = *self;
        Annotation::ALL
            .iter()
            .copied()
            .filter(|&a| *set.flag(a))
            .collect()
    }

    /// Whether anything is drawn at all.
    pub fn any(&self) -> bool {
        self.lines() || self.colorbar || self.scale || self.axes
    }

    /// Whether 3-D lines are drawn (the domain box or grid outlines).
    pub fn lines(&self) -> bool {
        self.domain || self.grids
    }
}

/// An 8-bit RGBA image (row 0 at the top, straight alpha) that overlays are drawn onto.
#[derive(Clone, Debug, PartialEq)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Canvas {
    /// A canvas over `rgba` (`width * height * 4` bytes).
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Canvas {
        assert_eq!(rgba.len(), (width * height * 4) as usize, "canvas size");
        Canvas {
            width,
            height,
            rgba,
        }
    }

    /// Blends `rgb` with coverage `alpha` (0..1) over pixel `(x, y)`; outside is ignored.
    pub fn blend(&mut self, x: i64, y: i64, rgb: [f32; 3], alpha: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 || alpha <= 0.0 {
            return;
        }
        let a = alpha.min(1.0);
        let i = ((y as usize) * self.width as usize + x as usize) * 4;
        for (c, v) in rgb.iter().enumerate() {
            let old = self.rgba[i + c] as f32 / 255.0;
            self.rgba[i + c] = ((old + (v - old) * a).clamp(0.0, 1.0) * 255.0).round() as u8;
        }
        let old_a = self.rgba[i + 3] as f32 / 255.0;
        self.rgba[i + 3] = ((old_a + (1.0 - old_a) * a) * 255.0).round() as u8;
    }

    /// Fills the rectangle `[x0, x1) x [y0, y1)` (pixels) with `rgb` at `alpha`.
    pub fn fill_rect(
        &mut self,
        (x0, y0): (i64, i64),
        (x1, y1): (i64, i64),
        rgb: [f32; 3],
        alpha: f32,
    ) {
        for y in y0..y1 {
            for x in x0..x1 {
                self.blend(x, y, rgb, alpha);
            }
        }
    }

    /// An anti-aliased 2-D line from `a` to `b` (pixel coordinates, pixel centres at +0.5) of
    /// `width` pixels.
    pub fn line(&mut self, a: [f64; 2], b: [f64; 2], width: f64, rgb: [f32; 3]) {
        let r = 0.5 * width + 1.0;
        let (x0, x1) = (a[0].min(b[0]) - r, a[0].max(b[0]) + r);
        let (y0, y1) = (a[1].min(b[1]) - r, a[1].max(b[1]) + r);
        for y in y0.floor() as i64..y1.ceil() as i64 {
            for x in x0.floor() as i64..x1.ceil() as i64 {
                let p = [x as f64 + 0.5, y as f64 + 0.5];
                let cov = outlines::coverage(outlines::segment_distance(p, a, b).0, width);
                self.blend(x, y, rgb, cov as f32);
            }
        }
    }

    /// The pixel at `(x, y)`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }
}

/// What an image shows, for its 2-D overlays: each part present is drawn.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    pub colorbar: Option<ColorbarSpec>,
    pub scale: Option<ScaleSpec>,
    pub axes: Option<AxesSpec>,
}

/// The size of labels for an image of `width` x `height` pixels: legible at 256 pixels, not
/// shouting at 2048.
pub fn text_size(width: u32, height: u32) -> f32 {
    (width.min(height) as f32 / 36.0).clamp(11.0, 40.0)
}

/// Draws `figure`'s overlays on `canvas`: the colour bar at the right edge, the scale bar at
/// the bottom left, the axes triad at the bottom right.
pub fn draw_overlays(canvas: &mut Canvas, figure: &Figure) {
    let size = text_size(canvas.width, canvas.height);
    if let Some(cb) = &figure.colorbar {
        colorbar::draw(canvas, cb, size);
    }
    if let Some(sb) = &figure.scale {
        scalebar::draw(canvas, sb, size);
    }
    if let Some(ax) = &figure.axes {
        axes::draw(canvas, ax, size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_to_sets_and_bad_names_say_what_is_expected() {
        let list: Vec<Annotation> = ["grids", "Colorbar", "axes"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let set = Annotations::from_list(&list);
        assert!(set.grids && set.colorbar && set.axes && !set.domain && !set.scale);
        assert!(set.lines() && set.any());
        assert!(!Annotations::default().any());
        let e = "ticks".parse::<Annotation>().unwrap_err().to_string();
        assert!(
            e.contains(
                "unknown annotation 'ticks' (expected domain, grids, colorbar, scale or axes)"
            ),
            "{e}"
        );
    }

    #[test]
    fn blending_is_straight_alpha_over() {
        let mut c = Canvas::new(2, 1, vec![0, 0, 0, 255, 100, 100, 100, 255]);
        c.blend(0, 0, [1.0, 0.5, 0.0], 1.0);
        c.blend(1, 0, [1.0, 1.0, 1.0], 0.5);
        c.blend(5, 0, [1.0, 1.0, 1.0], 1.0); // outside: ignored
        assert_eq!(c.pixel(0, 0), [255, 128, 0, 255]);
        assert_eq!(c.pixel(1, 0), [178, 178, 178, 255]);
    }
}
