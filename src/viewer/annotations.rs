//! The viewer's annotations (`view --annotate`, the panel's "annotate" row): the same figure
//! as `amrcast render --annotate` ([`crate::figure`]), shown live.
//!
//! - **Lines** (domain, grids) in composite mode go to the ray caster as the geometry texture
//!   of each band it renders ([`crate::gpu::VolumeRenderer::lines_texture`]), rasterised on the
//!   CPU once per camera and resolution level: while the view moves only the coarse level's
//!   few pixels are rasterised, so dragging stays off the full-resolution cost.
//! - **2-D overlays** (colour bar, scale bar, axes; and the lines in MIP and projection, which
//!   have no depth) are drawn on a transparent [`Canvas`] of the volume's size, which then holds
//!   premultiplied colour, and shown as an egui image over the volume (so through the
//!   [`super::panel_layer`]). They are drawn again when what they show changes, at most every
//!   [`OVERLAY_PERIOD`] while the view moves.
//!
//! The stereo modes show no annotations (as `render --stereo` refuses `--annotate`).

use crate::annotate::{self, Annotations, Canvas, GeometryLayer};
use crate::camera::{Camera, RayModel};
use crate::figure::FigureData;
use crate::render::Mode;
use crate::session::Session;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// While the view moves, the overlays are drawn again at most this often.
pub const OVERLAY_PERIOD: Duration = Duration::from_millis(250);

/// What a set of lines was rasterised for: the camera, the image size, the annotations and
/// the dataset (its name and grid count).
type LinesKey = (Camera, (u32, u32), Annotations, String, usize);

/// What the overlays were drawn for: the camera, the volume's size, the annotations, the
/// dataset and field, and the colours (colormap, scale, bounds in use, mode).
type OverlayKey = (Camera, (u32, u32), Annotations, String, String);

/// The annotations shown and what was computed for them.
#[derive(Default)]
pub struct ViewerAnnotations {
    /// What is drawn (the panel's check boxes).
    pub shown: Annotations,
    /// The last rasterised lines.
    lines: Option<(LinesKey, Arc<GeometryLayer>)>,
    /// The overlays' texture, what it was drawn for and when.
    overlay: Option<(OverlayKey, egui::TextureHandle, Instant)>,
    /// Milliseconds the last full-size rasterisation took (for the log).
    pub last_raster_ms: f64,
}

/// Rows `y0..y1` of `layer`, for a band of rows rendered on its own.
pub fn band(layer: &GeometryLayer, y0: u32, y1: u32) -> GeometryLayer {
    let w = layer.width as usize;
    let (a, b) = (y0 as usize * w, y1 as usize * w);
    GeometryLayer {
        width: layer.width,
        height: y1 - y0,
        depth: layer.depth[a..b].to_vec(),
        colour: layer.colour[a..b].to_vec(),
    }
}

/// The 2-D overlays of `shown` for `cam` at `size` on a transparent canvas (premultiplied
/// colour): in MIP and projection the lines first, then the colour bar, scale bar and axes
/// as `render --annotate` draws them.
pub fn overlay_canvas(
    session: &Session,
    cam: &Camera,
    size: (u32, u32),
    shown: &Annotations,
    data: &FigureData,
) -> crate::error::Result<Canvas> {
    let mut canvas = Canvas::new(size.0, size.1, vec![0; (size.0 * size.1 * 4) as usize]);
    if shown.lines() && session.prepared().settings.mode != Mode::Composite {
        let rays = cam.ray_model(size.0, size.1)?;
        crate::figure::lines(data, shown, &rays, size).draw_over(&mut canvas);
    }
    let figure = crate::figure::figure(session, cam, size, shown, data)?;
    annotate::draw_overlays(&mut canvas, &figure);
    Ok(canvas)
}

impl ViewerAnnotations {
    /// Showing `shown`, nothing computed yet.
    pub fn new(shown: Annotations) -> Self {
        ViewerAnnotations {
            shown,
            ..Default::default()
        }
    }

    /// The lines of `data` for an image of `size` of `rays` (taken with `cam`), rasterised
    /// unless the last ones were made for the same view.
    pub fn lines(
        &mut self,
        data: &FigureData,
        cam: &Camera,
        rays: &RayModel,
        size: (u32, u32),
    ) -> Arc<GeometryLayer> {
        let key = (
            *cam,
            size,
            self.shown,
            data.field.clone(),
            data.hierarchy.grids.len(),
        );
        if let Some((k, layer)) = &self.lines {
            if *k == key {
                return layer.clone();
            }
        }
        let t = Instant::now();
        let layer = Arc::new(crate::figure::lines(data, &self.shown, rays, size));
        self.last_raster_ms = t.elapsed().as_secs_f64() * 1e3;
        log::debug!(
            "annotation lines {}x{} rasterised in {:.1} ms",
            size.0,
            size.1,
            self.last_raster_ms
        );
        self.lines = Some((key, layer.clone()));
        layer
    }

    /// The overlays' texture for `cam` at `size`, drawn again when what they show changed
    /// (at most every [`OVERLAY_PERIOD`] while `moving`); `None` when no overlay is shown.
    pub fn overlay(
        &mut self,
        ctx: &egui::Context,
        session: &Session,
        cam: &Camera,
        size: (u32, u32),
        data: &FigureData,
        moving: bool,
    ) -> crate::error::Result<Option<egui::TextureId>> {
        let s = self.shown;
        let non_composite = session.prepared().settings.mode != Mode::Composite;
        if !(s.colorbar || s.scale || s.axes || (s.lines() && non_composite)) {
            self.overlay = None;
            return Ok(None);
        }
        let p = session.prepared();
        let look = format!(
            "{:?} {:?} {:?} {:?} {}",
            p.settings.mode, p.settings.tf.colormap, p.settings.tf.scale, p.bounds, data.field
        );
        let key = (*cam, size, s, data.field.clone(), look);
        if let Some((k, tex, at)) = &self.overlay {
            if *k == key || (moving && at.elapsed() < OVERLAY_PERIOD) {
                return Ok(Some(tex.id()));
            }
        }
        let canvas = overlay_canvas(session, cam, size, &s, data)?;
        let image = egui::ColorImage::from_rgba_premultiplied(
            [size.0 as usize, size.1 as usize],
            &canvas.rgba,
        );
        let options = egui::TextureOptions::NEAREST;
        let tex = match self.overlay.take() {
            Some((_, mut tex, _)) => {
                tex.set(image, options);
                tex
            }
            None => ctx.load_texture("annotations", image, options),
        };
        let id = tex.id();
        self.overlay = Some((key, tex, Instant::now()));
        Ok(Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_is_the_layers_rows() {
        let mut layer = GeometryLayer::empty(3, 4);
        for (i, d) in layer.depth.iter_mut().enumerate() {
            *d = i as f32;
        }
        layer.colour[7] = [1, 2, 3, 4];
        let b = band(&layer, 2, 4);
        assert_eq!((b.width, b.height), (3, 2));
        assert_eq!(b.depth, vec![6.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
        assert_eq!(b.colour[1], [1, 2, 3, 4]);
    }
}
