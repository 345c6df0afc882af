//! Annotated renders (`--annotate`): a camera rendered through a [`Session`] with the domain
//! box and grid outlines (hidden by the volume in composite mode, drawn over the colours in
//! the others), then the colour bar, scale bar and axes triad drawn on the colours.
//!
//! Slice planes (`--slice-plane`) join the lines' geometry layer ([`planes_layer`]): in
//! composite mode only, since MIP and projection have no depth to put a plane at.
//!
//! The raw values (`--values`) stay those of the plain render: in composite mode, where the
//! lines or planes change the float image, the camera is rendered a second time without them,
//! and only when the values are asked for.

pub use crate::annotate::FigureData;

use crate::amr::AmrDataset;

use crate::annotate::{
    self, Annotations, AxesSpec, Canvas, ColorbarSpec, Figure, GeometryLayer, ScaleSpec,
};
use crate::camera::{Camera, RayModel};
use crate::error::{Error, Result};
use crate::gpu::OffscreenTarget;
use crate::render::{Mode, RenderSettings};
use crate::session::{Outputs, Rendered, Session};
use crate::slice::{PlaneSpec, SliceImage};
use crate::stereo::{compose, StereoRig};

/// An annotated image: the figure's pixels and the plain render's values.
pub struct AnnotatedImage {
    /// 8-bit RGBA of the figure, the image's size.
    pub rgba: Vec<u8>,
    /// The render without annotations (its values are `--values`); `None` unless asked for.
    pub plain: Option<Rendered>,
}

/// Renders `cam` at `size` with `annotations` and slice planes (`planes`, a layer of
/// [`planes_layer`] for this camera and size; composite mode only) into `target` (of that
/// size); with `values`, also the plain render for the raw values.
pub fn render_annotated(
    session: &Session,
    target: &OffscreenTarget,
    cam: &Camera,
    annotations: &Annotations,
    data: &FigureData,
    values: bool,
    planes: Option<&GeometryLayer>,
) -> Result<AnnotatedImage> {
    let mut eyes = render_annotated_eyes(
        session,
        target,
        None,
        cam,
        annotations,
        data,
        values,
        planes,
    )?;
    Ok(eyes.remove(0))
}

/// [`render_annotated`] for `cam` (one image) or, with `rig`, both eyes around it (left
/// first): each eye's lines rasterised with its own rays, so they stand in depth with the
/// volume; the 2-D overlays are the mono camera's and the same on both eyes (at zero
/// parallax, on the screen). `planes` (mono composite only) join the lines' layer.
#[allow(clippy::too_many_arguments)]
pub fn render_annotated_eyes(
    session: &Session,
    target: &OffscreenTarget,
    rig: Option<&StereoRig>,
    cam: &Camera,
    annotations: &Annotations,
    data: &FigureData,
    values: bool,
    planes: Option<&GeometryLayer>,
) -> Result<Vec<AnnotatedImage>> {
    if planes.is_some() {
        check_planes_mode(&session.prepared().settings)?;
        if rig.is_some() {
            return Err(Error::Settings(
                "--slice-plane does not work with --stereo yet".into(),
            ));
        }
    }
    let size = (target.width, target.height);
    let rays = StereoRig::views(rig, cam, size.0, size.1)?;
    let overlays = figure(session, cam, size, annotations, data)?;
    let display = session.display_for(cam)?;
    let composite = session.prepared().settings.mode == Mode::Composite;
    let mut out = Vec::with_capacity(rays.len());
    for rays in &rays {
        let mut layer = annotations
            .lines()
            .then(|| lines(data, annotations, rays, size));
        if let Some(p) = planes {
            match &mut layer {
                Some(l) => l.merge(p),
                None => layer = Some(p.clone()),
            }
        }
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

/// An error unless `settings` composite: slice planes need the depth a composite ray has.
pub fn check_planes_mode(settings: &RenderSettings) -> Result<()> {
    match settings.mode {
        Mode::Composite => Ok(()),
        mode => Err(Error::Settings(format!(
            "--slice-plane needs --mode composite: {} has no depth to put a plane at",
            mode.name()
        ))),
    }
}

/// The slice planes `specs` (in `ds`'s domain) for an image of `size` pixels of `rays`,
/// coloured as slices with `settings`' transfer function and sampled with its interpolation;
/// an error for a plane outside the domain or a mode other than composite.
pub fn planes_layer(
    ds: &AmrDataset,
    specs: &[PlaneSpec],
    settings: &RenderSettings,
    rays: &RayModel,
    size: (u32, u32),
) -> Result<GeometryLayer> {
    check_planes_mode(settings)?;
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let planes = specs
        .iter()
        .map(|p| p.plane(lo, hi))
        .collect::<Result<Vec<_>>>()?;
    let display = SliceImage::display(&crate::slice::prepare(ds, &settings.tf)?);
    Ok(crate::slice::plane_layer(
        ds,
        &planes,
        rays,
        size,
        settings.interpolation,
        &display,
    ))
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
