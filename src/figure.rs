//! Annotated renders (`--annotate`): a camera rendered through a [`Session`] with the domain
//! box and grid outlines (hidden by the volume in composite mode, drawn over the colours in
//! the others), then the colour bar, scale bar and axes triad drawn on the colours.
//!
//! The raw values (`--values`) stay those of the plain render: in composite mode, where the
//! lines change the float image, the camera is rendered a second time without them, and only
//! when the values are asked for.

pub use crate::annotate::FigureData;

use crate::annotate::{
    self, Annotations, AxesSpec, Canvas, ColorbarSpec, Figure, GeometryLayer, ScaleSpec,
};
use crate::camera::{Camera, RayModel};
use crate::error::Result;
use crate::gpu::OffscreenTarget;
use crate::render::Mode;
use crate::session::{Outputs, Rendered, Session};

/// An annotated image: the figure's pixels and the plain render's values.
pub struct AnnotatedImage {
    /// 8-bit RGBA of the figure, the image's size.
    pub rgba: Vec<u8>,
    /// The render without annotations (its values are `--values`); `None` unless asked for.
    pub plain: Option<Rendered>,
}

/// Renders `cam` at `size` with `annotations` into `target` (of that size); with `values`,
/// also the plain render for the raw values.
pub fn render_annotated(
    session: &Session,
    target: &OffscreenTarget,
    cam: &Camera,
    annotations: &Annotations,
    data: &FigureData,
    values: bool,
) -> Result<AnnotatedImage> {
    let size = (target.width, target.height);
    let rays = cam.ray_model(size.0, size.1)?;
    let display = session.display_for(cam)?;
    let composite = session.prepared().settings.mode == Mode::Composite;
    let layer = annotations
        .lines()
        .then(|| lines(data, annotations, &rays, size));
    let hidden = layer.as_ref().filter(|_| composite);
    let shown = session.render_rays_with_lines(target, &rays, display, hidden)?;
    let mut canvas = Canvas::new(size.0, size.1, shown.rgba8());
    if let (Some(l), false) = (&layer, composite) {
        l.draw_over(&mut canvas);
    }
    annotate::draw_overlays(&mut canvas, &figure(session, cam, size, annotations, data)?);
    let plain = match (values, hidden) {
        (false, _) => None,
        (true, None) => Some(shown),
        (true, Some(_)) => Some(session.render_rays(target, &rays, display)?),
    };
    Ok(AnnotatedImage {
        rgba: canvas.rgba,
        plain,
    })
}

/// Writes `image` to `outputs` (one image): the plain render's values first when there are
/// both, then the figure as the PNG.
pub fn write_annotated(image: &AnnotatedImage, size: (u32, u32), outputs: &Outputs) -> Result<()> {
    if let (Some(plain), Some(npy)) = (&image.plain, outputs.npys.first()) {
        let (shape, data) = plain.values();
        crate::output::write_npy_f32(npy, &shape, &data)?;
    }
    match outputs.pngs.first() {
        Some(png) => crate::output::write_png_rgba8(png, size.0, size.1, &image.rgba),
        None => Ok(()),
    }
}

/// The lines of `annotations` rasterised for `rays`.
pub fn lines(
    data: &FigureData,
    annotations: &Annotations,
    rays: &RayModel,
    size: (u32, u32),
) -> GeometryLayer {
    GeometryLayer::rasterize(&data.segments(annotations), rays, size.0, size.1)
}

/// The 2-D overlays of `annotations` for `cam`'s image of `size`.
pub fn figure(
    session: &Session,
    cam: &Camera,
    size: (u32, u32),
    annotations: &Annotations,
    data: &FigureData,
) -> Result<Figure> {
    let display = session.display_for(cam)?;
    let tf = &session.prepared().settings.tf;
    Ok(Figure {
        colorbar: annotations
            .colorbar
            .then(|| ColorbarSpec::new(&display, tf, &data.field, data.field_units.as_deref())),
        scale: annotations
            .scale
            .then(|| ScaleSpec::for_camera(cam, size, data.cm_per_unit))
            .transpose()?,
        axes: annotations
            .axes
            .then(|| AxesSpec::for_camera(cam))
            .transpose()?,
    })
}
