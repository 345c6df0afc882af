//! Annotated slices (`amrcast slice --annotate`): the slice's colours with the sections of the
//! grids and the domain ([`super::outlines`]), the scale bar (the slice's pixel is known
//! exactly) and the plane's axes drawn over them, and the colour bar in a panel of its own at
//! the right, so that it covers no data. The raw values (`--values`) stay the slice's.

use super::outlines;
use super::SliceImage;
use crate::amr::AmrDataset;
use crate::annotate::{
    self, colorbar, text, Annotations, AxesSpec, Canvas, ColorbarSpec, FigureData, ScaleSpec,
};
use crate::error::Result;
use crate::figure::{write_annotated, AnnotatedImage};
use crate::formats::Metadata;
use crate::render::{DisplaySettings, Prepared};
use crate::session::{write_images, Outputs, Rendered};

/// Colour of the colour bar's panel (the text is light with a dark halo).
const PANEL: [u8; 4] = [0, 0, 0, 255];

/// The annotations and what they need of the data (built once, for every image of a
/// dataset), `None` when there are none.
pub fn figure_of(
    annotations: Annotations,
    ds: &AmrDataset,
    metadata: &Metadata,
) -> Option<(Annotations, FigureData)> {
    annotations
        .any()
        .then(|| (annotations, FigureData::new(ds, metadata)))
}

/// Writes `image`, coloured by `prepared`, to `outputs` (PNG, and the plain values where
/// asked), annotated as `figure` says ([`figure_of`]) when there are annotations.
pub fn write(
    image: &SliceImage,
    prepared: &Prepared,
    figure: Option<&(Annotations, FigureData)>,
    outputs: &Outputs,
) -> Result<()> {
    let rendered = Rendered::slice(image, prepared);
    let Some((annotations, data)) = figure else {
        return write_images(&[rendered], outputs);
    };
    let canvas = annotate(
        image,
        rendered.rgba8(),
        &rendered.display,
        annotations,
        data,
    )?;
    let figure = AnnotatedImage {
        rgba: canvas.rgba,
        plain: Some(rendered),
    };
    write_annotated(&[figure], (canvas.width, canvas.height), outputs)
}

/// The figure of `image`, whose colours (`display`'s, 8-bit RGBA of the image's size) are
/// `rgba`, with `annotations` from `data`: the image's size, or wider by the colour bar's
/// panel.
pub fn annotate(
    image: &SliceImage,
    rgba: Vec<u8>,
    display: &DisplaySettings,
    annotations: &Annotations,
    data: &FigureData,
) -> Result<Canvas> {
    let frame = &image.frame;
    let (w, h) = frame.size;
    let mut canvas = Canvas::new(w, h, rgba);
    if annotations.lines() {
        let lines = outlines::outlines(frame, &data.hierarchy, annotations);
        outlines::draw(&mut canvas, &lines);
    }
    let size = annotate::text_size(w, h);
    if annotations.scale {
        let spec = ScaleSpec::for_pixel(frame.pixel, data.cm_per_unit)?;
        annotate::scalebar::draw(&mut canvas, &spec, size);
    }
    if annotations.axes {
        let spec = AxesSpec::for_plane(frame.plane.right, frame.plane.up);
        annotate::axes::draw(&mut canvas, &spec, size);
    }
    if !annotations.colorbar {
        return Ok(canvas);
    }
    let spec = ColorbarSpec::for_slice(display, &data.field, data.field_units.as_deref());
    let panel = colorbar_panel(&spec, (w, h), size);
    Ok(beside(&canvas, &panel))
}

/// A panel `size.1` pixels high holding `spec`'s bar and labels (`size` pixels high): as
/// wide as its title, at most half the image's width (`size.0`), at least as wide as the
/// strip and its tick labels.
pub fn colorbar_panel(spec: &ColorbarSpec, (w, h): (u32, u32), size: f32) -> Canvas {
    let strip = colorbar::bar_box(spec, (0, h), size);
    // bar_box places the strip from the right edge: -x0 is what the strip and labels take.
    let needed = (-strip.x0 + 0.8 * size).ceil();
    let title = text::width(&spec.title, size) + 1.6 * size;
    let width = title.min(0.5 * w as f32).max(needed).ceil() as u32;
    let mut panel = Canvas::new(width, h, PANEL.repeat((width * h) as usize));
    colorbar::draw(&mut panel, spec, size);
    panel
}

/// `left` and `right` (of the same height) side by side.
fn beside(left: &Canvas, right: &Canvas) -> Canvas {
    let (wl, wr) = (left.width as usize * 4, right.width as usize * 4);
    let mut rgba = Vec::with_capacity((wl + wr) * left.height as usize);
    for y in 0..left.height as usize {
        rgba.extend_from_slice(&left.rgba[y * wl..(y + 1) * wl]);
        rgba.extend_from_slice(&right.rgba[y * wr..(y + 1) * wr]);
    }
    Canvas::new(left.width + right.width, left.height, rgba)
}
