//! The viewer's slice view (the founding document's slice browser): the field on the plane
//! normal to an axis, at a position moved by the wheel or the panel's slider, the other two
//! axes as the image (as yt's `SlicePlot`: across z x right and y up; across x (y, z); across
//! y (z, x)), panned by dragging. Slices come from the CPU slice library ([`crate::slice`]) and
//! are coloured by the display pass as a projection of unit depth, with the volume's colormap,
//! scale and bounds.

use super::schedule::Step;
use super::{ms_since, App};
use crate::amr::AmrHierarchy;
use crate::gpu::display::DisplaySettings;
use crate::gpu::raycaster::TARGET_FORMAT;
use crate::gpu::GpuContext;
use crate::render::Interpolation;
use crate::slice::{Axis, PlaneSpec, SliceImage, SliceRequest};
use glam::DVec3;
use std::time::Instant;

/// What the window shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Showing {
    /// The ray-cast volume.
    Volume,
    /// A slice across an axis.
    Slice,
}

impl Showing {
    /// What a dataset opens on: the volume, or a 2-D dataset's image (its z slice).
    pub fn for_hierarchy(h: &AmrHierarchy) -> Showing {
        match crate::slice::flat::is_flat(h) {
            true => Showing::Slice,
            false => Showing::Volume,
        }
    }
}

/// The slice on screen: its axis, its position along it, the point of the plane at the
/// image's centre and the image's width (domain units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SliceView {
    pub axis: Axis,
    /// The plane's coordinate along `axis`.
    pub coord: f64,
    /// The image's centre (its `axis` component is `coord`).
    pub center: DVec3,
    /// The image's extent along its longer side; `None`: the domain's cross-section fits.
    pub width: Option<f64>,
    /// The plane is also shown inside the volume view (composite mode, no stereo).
    pub in_volume: bool,
}

impl SliceView {
    /// A slice across `axis` through the domain's centre, showing all of it.
    pub fn new(axis: Axis, h: &AmrHierarchy) -> SliceView {
        let center = h.domain_center();
        SliceView {
            axis,
            coord: center[axis.index()],
            center,
            width: None,
            in_volume: false,
        }
    }

    /// The same position, across another axis, re-centred on the domain in the image's axes.
    pub fn with_axis(&self, axis: Axis, h: &AmrHierarchy) -> SliceView {
        SliceView {
            in_volume: self.in_volume,
            ..SliceView::new(axis, h).with_width(self.width)
        }
    }

    fn with_width(mut self, width: Option<f64>) -> SliceView {
        self.width = width;
        self
    }

    /// The plane moved to `coord` along its axis (clamped to the domain).
    pub fn with_coord(mut self, coord: f64, h: &AmrHierarchy) -> SliceView {
        let i = self.axis.index();
        self.coord = coord.clamp(h.domain_left[i], h.domain_right[i]);
        self.center[i] = self.coord;
        self
    }

    /// The plane moved by `steps` of the finest cell along its axis (the wheel).
    pub fn stepped(&self, steps: f64, h: &AmrHierarchy) -> SliceView {
        let cell = h.cell_size(h.max_level())[self.axis.index()];
        self.with_coord(self.coord + steps * cell, h)
    }

    /// The image's centre moved by a drag of (`dx`, `dy`) pixels (right, down) in an image of
    /// `size`: the data follows the pointer. The centre stays inside the domain.
    pub fn panned(&self, dx: f64, dy: f64, size: (u32, u32), h: &AmrHierarchy) -> SliceView {
        let Ok(frame) = self
            .request(size, Interpolation::Linear)
            .frame(h.domain_left, h.domain_right)
        else {
            return *self;
        };
        let p = frame.pixel;
        let moved = self.center - frame.plane.right * dx * p + frame.plane.up * dy * p;
        // The scale is kept: a default width would grow to show the whole domain around the
        // new centre.
        SliceView {
            center: moved.clamp(h.domain_left, h.domain_right),
            width: Some(p * size.0.max(size.1) as f64),
            ..*self
        }
    }

    /// Zoomed in by `factor` (out below 1) about the image's centre, for an image of `size`.
    pub fn zoomed(&self, factor: f64, size: (u32, u32), h: &AmrHierarchy) -> SliceView {
        let Ok(frame) = self
            .request(size, Interpolation::Linear)
            .frame(h.domain_left, h.domain_right)
        else {
            return *self;
        };
        let width = frame.pixel * size.0.max(size.1) as f64 / factor;
        SliceView {
            width: Some(width.clamp(1e-9 * h.domain_width().max_element(), f64::MAX)),
            ..*self
        }
    }

    /// The slice library's request for an image of `size`.
    pub fn request(&self, size: (u32, u32), interpolation: Interpolation) -> SliceRequest {
        SliceRequest {
            plane: PlaneSpec::Oblique {
                normal: self.axis.unit(),
                center: self.center,
                up: None,
            },
            width: self.width,
            size,
            interpolation,
        }
    }

    /// The range of positions along the axis: the domain's.
    pub fn range(&self, h: &AmrHierarchy) -> (f64, f64) {
        let i = self.axis.index();
        (h.domain_left[i], h.domain_right[i])
    }
}

/// What a plane layer was made for: the camera, the image size, the plane (its axis and
/// coordinate: the slice view's panning does not move it), the colouring and the sampling.
type PlaneKey = (
    crate::camera::Camera,
    (u32, u32),
    (Axis, f64),
    DisplaySettings,
    Interpolation,
);

/// The slice's plane inside the volume view, rasterised once per camera and progressive
/// level as a geometry layer ([`crate::slice::plane_layer`]).
#[derive(Default)]
pub struct PlaneInVolume {
    last: Option<(PlaneKey, std::sync::Arc<crate::annotate::GeometryLayer>)>,
}

impl PlaneInVolume {
    /// The layer of `slice`'s plane in `ds` for an image of `size` of `rays` (taken with
    /// `cam`), coloured with `display`.
    pub fn layer(
        &mut self,
        ds: &crate::amr::AmrDataset,
        key: PlaneKey,
        rays: &crate::camera::RayModel,
    ) -> crate::error::Result<std::sync::Arc<crate::annotate::GeometryLayer>> {
        if let Some((k, layer)) = &self.last {
            if *k == key {
                return Ok(layer.clone());
            }
        }
        let (_, size, (axis, coord), display, interpolation) = key;
        let h = &ds.hierarchy;
        let spec = PlaneSpec::Axis {
            axis,
            coord,
            center: None,
        };
        let plane = spec.plane(h.domain_left, h.domain_right)?;
        let t = Instant::now();
        let layer = crate::slice::plane_layer(ds, &[plane], rays, size, interpolation, &display);
        log::debug!(
            "slice plane {}x{} in the volume: {:.0} ms",
            size.0,
            size.1,
            ms_since(t)
        );
        let layer = std::sync::Arc::new(layer);
        self.last = Some((key, layer.clone()));
        Ok(layer)
    }
}

/// A slice's values on the GPU, for the display pass.
pub struct SliceTexture {
    texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub size: (u32, u32),
}

impl SliceTexture {
    /// Uploads `image` (a new texture when the size changed).
    pub fn upload(ctx: &GpuContext, old: Option<SliceTexture>, image: &SliceImage) -> Self {
        let (w, h) = image.size();
        let tex = match old {
            Some(t) if t.size == (w, h) => t,
            _ => {
                let texture = ctx.texture_2d(
                    "slice",
                    [w, h],
                    TARGET_FORMAT,
                    wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                );
                let view = texture.create_view(&Default::default());
                SliceTexture {
                    texture,
                    view,
                    size: (w, h),
                }
            }
        };
        let texels: Vec<[f32; 4]> = image.float_image().pixels;
        ctx.queue.write_texture(
            tex.texture.as_image_copy(),
            bytemuck::cast_slice(&texels),
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(w * 16),
                rows_per_image: Some(h),
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        tex
    }
}

/// The coarse slice's pixels are COARSE x COARSE of the window's.
const COARSE: u32 = 4;
/// How long the input rests before the full-resolution slice is taken.
const REFINE_AFTER: std::time::Duration = std::time::Duration::from_millis(150);

impl App {
    /// The slice view's part of a frame: a new slice of the volume's size when the old one is
    /// out of date, uploaded for the display pass.
    pub(super) fn slice_step(&mut self) -> Step {
        let step = Step {
            work: None,
            refined: false,
        };
        let now = Instant::now();
        // A change is shown at once from a coarse slice; the full one follows when the input
        // has rested for REFINE_AFTER (a full slice of a large window takes a few hundred ms
        // on the CPU).
        let coarse = self.slice_dirty;
        let refine = !coarse && self.slice_refine_at.is_some_and(|t| now >= t);
        if !coarse && !refine {
            if self.slice_refine_at.is_some() {
                self.request_redraw();
            }
            return step;
        }
        self.slice_dirty = false;
        self.slice_refine_at = coarse.then(|| now + REFINE_AFTER);
        let Some(g) = self.gfx.as_mut() else {
            return step;
        };
        let [w, h] = g.volume.size;
        let size = match coarse {
            true => ((w / COARSE).max(1), (h / COARSE).max(1)),
            false => (w, h),
        };
        let request = self.slice.request(size, self.settings.interpolation);
        match crate::slice::slice(&self.ds, &request) {
            Ok(image) => {
                g.slice = Some(SliceTexture::upload(&g.session.ctx, g.slice.take(), &image));
                g.shown_version += 1;
                self.timing.ray_ms = ms_since(now);
                log::debug!(
                    "slice {}x{} in {:.0} ms",
                    size.0,
                    size.1,
                    self.timing.ray_ms
                );
            }
            Err(e) => {
                // A plane the new dataset does not contain: start again from its centre.
                self.slice = SliceView::new(self.slice.axis, &self.ds.hierarchy);
                self.set_message(format!("slice: {e}"), true);
                self.slice_dirty = true;
            }
        }
        self.request_redraw();
        step
    }

    /// Shows the volume or the slice view (a 2-D dataset: only its image, the z slice).
    pub(super) fn show(&mut self, showing: Showing) {
        if showing == Showing::Volume && crate::slice::flat::is_flat(&self.ds.hierarchy) {
            self.set_message("a 2-D dataset is shown as its image".into(), false);
            return;
        }
        if showing != self.showing {
            self.showing = showing;
            if let Some(g) = &mut self.gfx {
                g.shown_version += 1;
            }
            self.changed();
            self.ui_dirty = true;
        }
    }

    /// A new slice view (the panel's axis and position, the wheel, a drag).
    pub(super) fn set_slice(&mut self, slice: SliceView) {
        if slice != self.slice {
            let in_volume = slice.in_volume || self.slice.in_volume;
            let moved = (slice.axis, slice.coord) != (self.slice.axis, self.slice.coord);
            if in_volume && (moved || slice.in_volume != self.slice.in_volume) {
                // The volume view shows the plane: render it again.
                self.progressive.invalidate();
                self.timing.changed_at = Some(Instant::now());
            }
            self.slice = slice;
            self.slice_dirty = true;
            self.request_redraw();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hierarchy() -> AmrHierarchy {
        crate::demo::demo_dataset(None).unwrap().hierarchy
    }

    #[test]
    fn the_wheel_moves_the_plane_by_finest_cells_within_the_domain() {
        let h = hierarchy();
        let s = SliceView::new(Axis::Z, &h);
        assert_eq!(s.coord, h.domain_center().z);
        let cell = h.cell_size(h.max_level()).z;
        let moved = s.stepped(3.0, &h);
        assert!((moved.coord - s.coord - 3.0 * cell).abs() < 1e-12);
        assert_eq!(moved.center.z, moved.coord);
        assert_eq!(s.stepped(1e9, &h).coord, h.domain_right.z);
        assert_eq!(s.stepped(-1e9, &h).coord, h.domain_left.z);
    }

    #[test]
    fn a_drag_moves_the_data_with_the_pointer() {
        let h = hierarchy();
        let s = SliceView::new(Axis::Z, &h);
        let size = (200, 100);
        let before = s.request(size, Interpolation::Nearest);
        let frame = before.frame(h.domain_left, h.domain_right).unwrap();
        let p = frame.pixel_point(150, 40);
        // Dragging 10 pixels right and 5 down: that point is now 10 right and 5 down.
        let after = s.panned(10.0, 5.0, size, &h);
        let frame2 = after
            .request(size, Interpolation::Nearest)
            .frame(h.domain_left, h.domain_right)
            .unwrap();
        assert!((frame2.pixel_point(160, 45) - p).length() < 1e-9);
        assert_eq!(after.center.z, s.coord, "the plane stays");
    }

    #[test]
    fn another_axis_shows_yts_image_axes() {
        let h = hierarchy();
        let s = SliceView::new(Axis::Z, &h).with_axis(Axis::X, &h);
        let frame = s
            .request((64, 64), Interpolation::Linear)
            .frame(h.domain_left, h.domain_right)
            .unwrap();
        // Across x: y to the right, z up.
        assert!((frame.plane.right - DVec3::Y).length() < 1e-12);
        assert!((frame.plane.up - DVec3::Z).length() < 1e-12);
        assert_eq!(s.range(&h), (h.domain_left.x, h.domain_right.x));
    }
}
