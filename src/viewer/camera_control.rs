//! Orbit, pan, zoom, lens switching and reset of a [`Camera`], free of any GPU or window code.
//!
//! Orbit turns the camera about its focus: yaw about the camera's up vector, pitch about its
//! right vector, and the up vector turns with it, so the view never flips or degenerates.
//! Pan moves the position and the focus together in the image plane by the world size of the
//! pixels dragged; zoom narrows the plane lens's width or dollies a perspective camera toward
//! its focus.

use crate::camera::{Camera, Lens, View};
use glam::{DQuat, DVec3};

/// Radians of orbit per pixel dragged, for a window `height` pixels tall: dragging across the
/// whole height turns the view by half a turn.
pub fn orbit_radians_per_pixel(height: u32) -> f64 {
    std::f64::consts::PI / height.max(1) as f64
}

/// Turns `cam` about its focus by `yaw` (about its up vector; positive moves the camera to its
/// right, so the scene turns left) and `pitch` (about its right vector; positive moves the camera
/// up), radians.
pub fn orbit(cam: &Camera, yaw: f64, pitch: f64) -> Camera {
    let Ok((f, r, u)) = cam.basis() else {
        return *cam;
    };
    let q = DQuat::from_axis_angle(r, -pitch) * DQuat::from_axis_angle(u, yaw);
    let offset = cam.position - cam.focus;
    let dist = offset.length();
    // The offset is rotated as a unit vector and rescaled so the distance is kept exactly.
    let back = (q * -f).normalize() * dist;
    Camera {
        position: cam.focus + back,
        up: (q * u).normalize(),
        ..*cam
    }
}

/// World size of one pixel at the focus for an image `height` pixels tall (`width` pixels wide).
pub fn pixel_size_at_focus(cam: &Camera, width: u32, height: u32) -> f64 {
    match cam.lens {
        Lens::Plane => cam.width / width.max(1) as f64,
        Lens::Perspective => {
            let dist = (cam.focus - cam.position).length();
            2.0 * dist * (0.5 * cam.fov).to_radians().tan() / height.max(1) as f64
        }
    }
}

/// Moves the camera so that the point under the cursor follows a drag of `(dx, dy)` pixels
/// (x right, y down) in an image of `width` x `height`: position and focus move together.
pub fn pan(cam: &Camera, dx: f64, dy: f64, width: u32, height: u32) -> Camera {
    let Ok((_, r, u)) = cam.basis() else {
        return *cam;
    };
    let s = pixel_size_at_focus(cam, width, height);
    let shift = -r * (dx * s) + u * (dy * s);
    Camera {
        position: cam.position + shift,
        focus: cam.focus + shift,
        ..*cam
    }
}

/// Zoom factor for `steps` wheel steps (positive zooms in).
pub fn wheel_factor(steps: f64) -> f64 {
    0.9f64.powf(steps)
}

/// Scales the view by `factor` (below 1 zooms in): the plane lens's width, or the perspective
/// camera's distance to its focus (a dolly, never onto the focus itself).
pub fn zoom(cam: &Camera, factor: f64) -> Camera {
    let factor = if factor.is_finite() && factor > 0.0 {
        factor
    } else {
        1.0
    };
    match cam.lens {
        Lens::Plane => Camera {
            width: cam.width * factor,
            ..*cam
        },
        Lens::Perspective => {
            let back = cam.position - cam.focus;
            let dist = back.length();
            let new = (dist * factor).max(dist * 1e-6).max(1e-12);
            Camera {
                position: cam.focus + back * (new / dist),
                ..*cam
            }
        }
    }
}

/// The other lens, keeping the view direction, the focus and the size of the scene at the focus
/// in an image of `aspect` (width / height). A plane camera is moved back so that its image
/// plane lies outside the box `lo..hi` (rays start at the image plane).
pub fn switch_lens(cam: &Camera, aspect: f64, lo: DVec3, hi: DVec3) -> Camera {
    let Ok((f, _, _)) = cam.basis() else {
        return *cam;
    };
    let half_tan = (0.5 * cam.fov).to_radians().tan();
    match cam.lens {
        Lens::Plane => {
            // Seen width at the focus: 2 d tan(fov / 2) aspect.
            let dist = cam.width / (2.0 * half_tan * aspect);
            Camera {
                lens: Lens::Perspective,
                position: cam.focus - f * dist,
                ..*cam
            }
        }
        Lens::Perspective => {
            let dist = (cam.focus - cam.position).length();
            let width = 2.0 * dist * half_tan * aspect;
            let centre = (lo + hi) * 0.5;
            let clear = (cam.focus - centre).length() + (hi - lo).length();
            Camera {
                lens: Lens::Plane,
                width,
                position: cam.focus - f * dist.max(clear),
                ..*cam
            }
        }
    }
}

/// The camera R returns to: the framing camera of `view` with `lens`, for an image of `aspect`.
pub fn reset(view: View, lens: Lens, lo: DVec3, hi: DVec3, aspect: f64) -> Camera {
    Camera::framing(view, lens, lo, hi, aspect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cams() -> Vec<Camera> {
        let (lo, hi) = (DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0));
        vec![
            Camera::framing(View::Z, Lens::Plane, lo, hi, 4.0 / 3.0),
            Camera::framing(View::X, Lens::Perspective, lo, hi, 1.0),
            Camera {
                position: DVec3::new(3.0, -2.0, 5.0),
                focus: DVec3::new(0.5, 0.2, 0.1),
                up: DVec3::new(0.1, 1.0, 0.3),
                lens: Lens::Perspective,
                width: 1.0,
                fov: 40.0,
            },
        ]
    }

    fn close(a: DVec3, b: DVec3, tol: f64) -> bool {
        (a - b).length() < tol
    }

    #[test]
    fn orbit_keeps_the_distance_and_a_consistent_up() {
        for cam in cams() {
            let d0 = (cam.position - cam.focus).length();
            let mut c = cam;
            // Many steps in both directions, including over the poles.
            for i in 0..200 {
                c = orbit(&c, 0.05 * (i % 7) as f64 - 0.1, 0.04);
                let (f, r, u) = c.basis().unwrap();
                assert!(((c.position - c.focus).length() - d0).abs() < 1e-9 * d0);
                assert_eq!(c.focus, cam.focus);
                assert!((c.up.length() - 1.0).abs() < 1e-9);
                assert!(
                    c.up.dot(f).abs() < 1e-9,
                    "up stays perpendicular to the view"
                );
                assert!(close(u, c.up, 1e-9));
                assert!(close(r, f.cross(c.up), 1e-9), "right-handed");
            }
        }
    }

    #[test]
    fn orbit_turns_by_the_given_angles() {
        let cam = cams()[0];
        let (f0, r0, u0) = cam.basis().unwrap();
        let quarter = std::f64::consts::FRAC_PI_2;
        // A quarter yaw to the right: the camera now looks along the old -right... moved to the
        // old right side, so it looks along -right.
        let (f, _, u) = orbit(&cam, quarter, 0.0).basis().unwrap();
        assert!(close(f, -r0, 1e-9), "{f:?}");
        assert!(close(u, u0, 1e-9));
        // A quarter pitch up: the camera sits above and looks down.
        let (f, _, u) = orbit(&cam, 0.0, quarter).basis().unwrap();
        assert!(close(f, -u0, 1e-9), "{f:?}");
        assert!(close(u, f0, 1e-9));
        // Back and forth returns to the start.
        let back = orbit(&orbit(&cam, 0.3, 0.0), -0.3, 0.0);
        assert!(close(back.position, cam.position, 1e-9));
    }

    #[test]
    fn pan_moves_focus_and_position_together() {
        for cam in cams() {
            let (_, r, u) = cam.basis().unwrap();
            let s = pixel_size_at_focus(&cam, 200, 100);
            let p = pan(&cam, 10.0, -4.0, 200, 100);
            let shift = p.focus - cam.focus;
            assert!(close(p.position - cam.position, shift, 1e-12));
            // Dragging right moves the scene right: the camera goes left; dragging up (dy < 0)
            // moves the camera down.
            assert!((shift.dot(r) + 10.0 * s).abs() < 1e-9);
            assert!((shift.dot(u) + 4.0 * s).abs() < 1e-9);
            assert_eq!(p.up, cam.up);
            assert_eq!(p.basis().unwrap().0, cam.basis().unwrap().0);
        }
        // The plane lens: one pixel is width / image width.
        let cam = cams()[0];
        let p = pan(&cam, 1.0, 0.0, 320, 240);
        assert!(((p.focus - cam.focus).length() - cam.width / 320.0).abs() < 1e-12);
    }

    #[test]
    fn zoom_for_both_lenses() {
        let plane = cams()[0];
        let z = zoom(&plane, 0.5);
        assert!((z.width - 0.5 * plane.width).abs() < 1e-12);
        assert_eq!((z.position, z.focus), (plane.position, plane.focus));
        let persp = cams()[2];
        let d = (persp.position - persp.focus).length();
        let z = zoom(&persp, 0.5);
        assert!(((z.position - z.focus).length() - 0.5 * d).abs() < 1e-12);
        assert_eq!(z.basis().unwrap().0, persp.basis().unwrap().0);
        assert_eq!((z.focus, z.fov), (persp.focus, persp.fov));
        // Zooming in forever never reaches the focus; bad factors change nothing.
        let mut c = persp;
        for _ in 0..1000 {
            c = zoom(&c, wheel_factor(5.0));
        }
        assert!(c.basis().is_ok());
        assert_eq!(zoom(&persp, f64::NAN), persp);
        assert_eq!(zoom(&persp, -1.0), persp);
        assert!(wheel_factor(1.0) < 1.0 && wheel_factor(-1.0) > 1.0);
    }

    #[test]
    fn switching_lenses_keeps_the_scene_size_at_the_focus() {
        let (lo, hi) = (DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0));
        let plane = cams()[0];
        let p = switch_lens(&plane, 2.0, lo, hi);
        assert_eq!(p.lens, Lens::Perspective);
        assert_eq!(p.focus, plane.focus);
        let seen = pixel_size_at_focus(&p, 200, 100) * 200.0;
        assert!((seen - plane.width).abs() < 1e-9);
        let back = switch_lens(&p, 2.0, lo, hi);
        assert_eq!(back.lens, Lens::Plane);
        assert!((back.width - plane.width).abs() < 1e-9);
        // The plane camera's image plane lies outside the domain.
        let (f, _, _) = back.basis().unwrap();
        for c in [lo, hi, DVec3::new(2.0, 0.0, 1.0), DVec3::new(0.0, 1.0, 1.0)] {
            assert!((c - back.position).dot(f) > 0.0);
        }
    }

    #[test]
    fn reset_returns_the_framing_camera() {
        let (lo, hi) = (DVec3::ZERO, DVec3::new(2.0, 1.0, 1.0));
        let framing = Camera::framing(View::Y, Lens::Perspective, lo, hi, 1.5);
        let moved = zoom(&pan(&orbit(&framing, 1.0, 0.5), 3.0, 2.0, 64, 64), 0.3);
        assert_ne!(moved, framing);
        assert_eq!(reset(View::Y, Lens::Perspective, lo, hi, 1.5), framing);
    }
}
