//! Rendering one piece of a viewer's frame: a band of rows of one level of the resolution
//! ladder (`viewer::progressive`), for one eye or both, into targets the viewer keeps; and the
//! full-resolution screenshot, rendered as `amrcast render` renders it.

use super::view::ViewState;
use crate::camera::RayModel;
use crate::error::Result;
use crate::gpu::raycaster::RenderTarget;
use crate::gpu::OffscreenTarget;
use crate::render::FloatImage;
use crate::session::{Rendered, Session};
use crate::stereo::{compose, Eye, Packing, Projection, StereoRig};
use crate::viewer::progressive::{band_rays, level_size, scaled_rays, Work};

/// An image in 8-bit RGBA.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// The rig of the viewer's stereo modes: parallel cameras, the default separation and
/// focal distance (what `--stereo parallel` renders).
pub fn rig() -> StereoRig {
    StereoRig::new(Projection::Parallel)
}

/// The full-resolution rays of each eye (one without stereo) of a `size` view.
fn eye_rays(v: &ViewState, size: (u32, u32)) -> Result<Vec<RayModel>> {
    let (ew, eh) = v.eye_size(size);
    match v.stereo.packing() {
        None => Ok(vec![v.camera.ray_model(ew, eh)?]),
        Some(_) => Eye::BOTH
            .iter()
            .map(|&e| rig().eye_rays(&v.camera, ew, eh, e))
            .collect(),
    }
}

/// Renders `work`'s rows of its level into `targets` (one per eye, made or remade at the
/// level's size) and, when the level is complete, reads it back and colours it.
pub fn render_work(
    session: &Session,
    v: &ViewState,
    size: (u32, u32),
    work: Work,
    targets: &mut Vec<OffscreenTarget>,
) -> Result<Option<Rgba>> {
    let (ew, eh) = v.eye_size(size);
    let (lw, lh) = level_size(ew, eh, work.divisor);
    let rays = eye_rays(v, size)?;
    let ctx = &session.ctx;
    targets.truncate(rays.len());
    for (i, _) in rays.iter().enumerate() {
        let fits = targets
            .get(i)
            .is_some_and(|t| (t.width, t.height) == (lw, lh));
        if !fits {
            let t = OffscreenTarget::new(ctx, lw, lh)?;
            match targets.get_mut(i) {
                Some(old) => *old = t,
                None => targets.push(t),
            }
        }
    }
    let (y0, y1) = (work.rows.0.min(lh), work.rows.1.min(lh));
    for (eye, target) in rays.iter().zip(targets.iter()) {
        let level = scaled_rays(eye, ew, eh, lw, lh);
        let band = band_rays(&level, y0);
        let region = RenderTarget {
            view: &target.view,
            offset: [0, y0],
            size: [lw, y1 - y0],
        };
        ctx.checked("rendering", || {
            session
                .renderer
                .render_passes(ctx, &region, &band, [0, y0], None)
        })??;
    }
    ctx.wait()?;
    if !work.completes {
        return Ok(None);
    }
    let images = targets
        .iter()
        .map(|t| {
            Ok(FloatImage {
                width: lw,
                height: lh,
                mode: session.prepared().settings.mode,
                pixels: t.read(ctx)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    colour(session, v, images).map(Some)
}

/// Colours the eyes' float images with the view's look and packs a stereo pair.
fn colour(session: &Session, v: &ViewState, images: Vec<FloatImage>) -> Result<Rgba> {
    let display = session.display_for(&v.camera)?;
    let rendered: Vec<Rendered> = images
        .into_iter()
        .map(|image| Rendered {
            image,
            display,
            encoding: session.prepared().encoding,
        })
        .collect();
    pack(&rendered, v.stereo.packing())
}

/// One image's colours, or a stereo pair packed by `packing`.
fn pack(images: &[Rendered], packing: Option<Packing>) -> Result<Rgba> {
    let (w, h) = images[0].size();
    match (packing, images) {
        (Some(p), [l, r]) => {
            let (pixels, width, height) = compose(p, &l.rgba8(), &r.rgba8(), w, h)?;
            Ok(Rgba {
                width,
                height,
                pixels,
            })
        }
        _ => Ok(Rgba {
            width: w,
            height: h,
            pixels: images[0].rgba8(),
        }),
    }
}

/// The full-resolution image of the view at `size`, rendered as `amrcast render` renders the
/// view's command (one target of each eye's size, from its first pixel).
pub fn screenshot(session: &Session, v: &ViewState, size: (u32, u32)) -> Result<Rgba> {
    let (ew, eh) = v.eye_size(size);
    let images = match v.stereo.packing() {
        None => vec![session.render(&v.camera, (ew, eh))?],
        Some(_) => session.render_stereo(&rig(), &v.camera, (ew, eh))?.to_vec(),
    };
    pack(&images, v.stereo.packing())
}
