//! 2-D datasets as images. A 2-D dataset is one cell thick ([`AmrHierarchy::dimensionality`]
//! 2): what a user wants of it is the field itself, x right and y up, so every front end shows
//! its z slice (the slice library's image, coloured and annotated as slices are) rather than
//! ray-casting a slab: `render` writes it, `movie` pans and zooms over it, `view` shows it with
//! pan and zoom.
//!
//! A camera still says what to show, so that the command line's options and the movie's paths
//! apply unchanged: the image is centred on the camera's focus (its x and y), as wide as the
//! camera sees at the focus (the plane lens's width; the perspective lens's field of view at
//! the focus distance), with the camera's up turned into the x-y plane. The direction the
//! camera looks is not used.

use super::{PlaneSpec, SliceRequest};
use crate::amr::AmrHierarchy;
use crate::camera::{Camera, Lens};
use crate::render::Interpolation;
use glam::DVec3;

/// Whether `h` is shown as an image (a 2-D dataset).
pub fn is_flat(h: &AmrHierarchy) -> bool {
    h.dimensionality() == 2
}

/// Fails for a 2-D dataset `name`, saying that `command` ray-casts volumes (`bench`, `wall`).
pub fn refuse(h: &AmrHierarchy, name: &str, command: &str) -> crate::error::Result<()> {
    match is_flat(h) {
        true => Err(crate::error::Error::Settings(format!(
            "{name} is a 2-D dataset, an image: `amrcast {command}` ray-casts volumes (`render`, `movie` and `view` show 2-D data)"
        ))),
        false => Ok(()),
    }
}

/// An image size with the domain's aspect (x across, y up), its longer side `longest` pixels.
pub fn fitted_size(h: &AmrHierarchy, longest: u32) -> (u32, u32) {
    let w = h.domain_width();
    let longest = longest.max(1);
    let short = |a: f64, b: f64| ((longest as f64 * a / b).round() as u32).clamp(1, longest);
    if w.x >= w.y {
        (longest, short(w.y, w.x))
    } else {
        (short(w.x, w.y), longest)
    }
}

/// The image of the whole domain at `size`: the slice at the domain's mid-depth, centred.
pub fn whole(h: &AmrHierarchy, size: (u32, u32), interpolation: Interpolation) -> SliceRequest {
    SliceRequest {
        plane: PlaneSpec::Oblique {
            normal: DVec3::Z,
            center: h.domain_center(),
            up: Some(DVec3::Y),
        },
        width: None,
        size,
        interpolation,
    }
}

/// The image `cam` shows of a 2-D dataset at `size` (see the module's notes).
pub fn through_camera(
    h: &AmrHierarchy,
    cam: &Camera,
    size: (u32, u32),
    interpolation: Interpolation,
) -> SliceRequest {
    let (w, ht) = (size.0.max(1) as f64, size.1.max(1) as f64);
    let across = match cam.lens {
        Lens::Plane => cam.width,
        Lens::Perspective => {
            let dist = (cam.focus - cam.position).length();
            2.0 * dist * (0.5 * cam.fov).to_radians().tan() * w / ht
        }
    };
    let mut up = DVec3::new(cam.up.x, cam.up.y, 0.0);
    if up.length_squared() < 1e-12 {
        up = DVec3::Y;
    }
    let mut center = cam.focus;
    center.z = h.domain_center().z;
    SliceRequest {
        plane: PlaneSpec::Oblique {
            normal: DVec3::Z,
            center,
            up: Some(up.normalize()),
        },
        width: Some(across * w.max(ht) / w),
        size,
        interpolation,
    }
}

/// The plane-lens camera whose image ([`through_camera`]) is centred on `center` (its x and
/// y) and `across` wide, x right and y up: what the viewer records as a keyframe of a 2-D
/// dataset's image, so that a movie along the keyframes pans and zooms as the view did.
pub fn camera_for(h: &AmrHierarchy, center: DVec3, across: f64) -> Camera {
    let focus = DVec3::new(center.x, center.y, h.domain_center().z);
    Camera {
        position: focus + DVec3::Z * h.domain_width().max_element() * 1.5,
        focus,
        up: DVec3::Y,
        lens: Lens::Plane,
        width: across,
        fov: crate::camera::DEFAULT_FOV,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amr::{AmrGrid, AmrHierarchy};
    use crate::camera::View;

    fn flat() -> AmrHierarchy {
        let g = AmrGrid {
            id: 0,
            level: 0,
            left: DVec3::ZERO,
            right: DVec3::new(768.0, 896.0, 16.0),
            dims: [48, 56, 1],
        };
        AmrHierarchy::with_ratios(g.left, g.right, g.dims, vec![], vec![g]).unwrap()
    }

    #[test]
    fn sizes_keep_the_domain_s_aspect() {
        let h = flat();
        assert!(is_flat(&h));
        assert_eq!(fitted_size(&h, 512), (439, 512));
        assert_eq!(fitted_size(&h, 0), (1, 1));
    }

    /// The default camera (plane lens along z) shows exactly the whole domain; a perspective
    /// camera at the same place shows what it sees at its focus.
    #[test]
    fn the_framing_camera_shows_the_whole_domain() {
        let h = flat();
        let size = fitted_size(&h, 256);
        let aspect = size.0 as f64 / size.1 as f64;
        let cam = Camera::framing(View::Z, Lens::Plane, h.domain_left, h.domain_right, aspect);
        let r = through_camera(&h, &cam, size, Interpolation::Nearest);
        let f = r.frame(h.domain_left, h.domain_right).unwrap();
        let whole = whole(&h, size, Interpolation::Nearest);
        let g = whole.frame(h.domain_left, h.domain_right).unwrap();
        assert!((f.pixel - g.pixel).abs() < 1e-9 * g.pixel, "{f:?} {g:?}");
        assert!((f.plane.center - g.plane.center).length() < 1e-9);
        assert!((f.plane.right - DVec3::X).length() < 1e-12);
        assert!((f.plane.up - DVec3::Y).length() < 1e-12);
        let mut p = cam;
        p.lens = Lens::Perspective;
        p.position = p.focus + DVec3::Z * 1000.0;
        let r = through_camera(&h, &p, size, Interpolation::Nearest);
        let f = r.frame(h.domain_left, h.domain_right).unwrap();
        let across = 2000.0 * (0.5 * p.fov).to_radians().tan() * aspect;
        assert!((f.pixel * size.0 as f64 - across).abs() < 1e-6 * across);
    }

    /// A keyframe's camera shows the image it was recorded from.
    #[test]
    fn camera_for_gives_back_the_image() {
        let h = flat();
        let center = DVec3::new(300.0, 500.0, 2.0);
        let cam = camera_for(&h, center, 120.0);
        let size = (300, 200);
        let r = through_camera(&h, &cam, size, Interpolation::Nearest);
        let f = r.frame(h.domain_left, h.domain_right).unwrap();
        assert!((f.pixel - 120.0 / 300.0).abs() < 1e-12);
        assert!((f.plane.center - DVec3::new(300.0, 500.0, 8.0)).length() < 1e-9);
        assert!((f.plane.right - DVec3::X).length() < 1e-12);
    }
}
