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
use crate::error::{Error, Result};
use crate::gpu::OffscreenTarget;
use crate::render::Mode;
use crate::session::{Outputs, Rendered, Session};
use crate::stereo::{compose, Eye, StereoRig};

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
    let mut eyes = render_annotated_eyes(session, target, None, cam, annotations, data, values)?;
    Ok(eyes.remove(0))
}

/// [`render_annotated`] for `cam` (one image) or, with `rig`, both eyes around it (left
/// first): each eye's lines rasterised with its own rays, so they stand in depth with the
/// volume; the 2-D overlays are the mono camera's and the same on both eyes (at zero
/// parallax, on the screen).
pub fn render_annotated_eyes(
    session: &Session,
    target: &OffscreenTarget,
    rig: Option<&StereoRig>,
    cam: &Camera,
    annotations: &Annotations,
    data: &FigureData,
    values: bool,
) -> Result<Vec<AnnotatedImage>> {
    let size = (target.width, target.height);
    let rays = match rig {
        None => vec![cam.ray_model(size.0, size.1)?],
        Some(rig) => Eye::BOTH
            .iter()
            .map(|&e| rig.eye_rays(cam, size.0, size.1, e))
            .collect::<Result<_>>()?,
    };
    let overlays = figure(session, cam, size, annotations, data)?;
    let display = session.display_for(cam)?;
    let composite = session.prepared().settings.mode == Mode::Composite;
    let mut out = Vec::with_capacity(rays.len());
    for rays in &rays {
        let layer = annotations
            .lines()
            .then(|| lines(data, annotations, rays, size));
        let hidden = layer.as_ref().filter(|_| composite);
        let shown = session.render_rays_with_lines(target, rays, display, hidden)?;
        let mut canvas = Canvas::new(size.0, size.1, shown.rgba8());
        if let (Some(l), false) = (&layer, composite) {
            l.draw_over(&mut canvas);
        }
        annotate::draw_overlays(&mut canvas, &overlays);
        let plain = match (values, hidden) {
            (false, _) => None,
            (true, None) => Some(shown),
            (true, Some(_)) => Some(session.render_rays(target, rays, display)?),
        };
        out.push(AnnotatedImage {
            rgba: canvas.rgba,
            plain,
        });
    }
    Ok(out)
}

/// Writes `images` (one, or a stereo pair left first, each of `size`) to `outputs`: the plain
/// renders' values first when asked for, then the figures as PNGs (a packed pair as one).
pub fn write_annotated(
    images: &[AnnotatedImage],
    size: (u32, u32),
    outputs: &Outputs,
) -> Result<()> {
    for (image, npy) in images.iter().zip(&outputs.npys) {
        if let Some(plain) = &image.plain {
            let (shape, data) = plain.values();
            crate::output::write_npy_f32(npy, &shape, &data)?;
        }
    }
    match (outputs.packing, images) {
        (Some(packing), [l, r]) => {
            let (pixels, w, h) = compose(packing, &l.rgba, &r.rgba, size.0, size.1)?;
            crate::output::write_png_rgba8(&outputs.pngs[0], w, h, &pixels)
        }
        (Some(_), _) => Err(Error::Settings("a packed layout needs two eyes".into())),
        (None, _) => {
            for (image, png) in images.iter().zip(&outputs.pngs) {
                crate::output::write_png_rgba8(png, size.0, size.1, &image.rgba)?;
            }
            Ok(())
        }
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
