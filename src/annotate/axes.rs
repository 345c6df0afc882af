//! The axes triad: the domain's x, y and z as arrows from one point in a corner, turned as the
//! camera sees them (an arrow toward the viewer is short, one across the image long).

use super::text::{self, Align};
use super::Canvas;
use crate::camera::Camera;
use crate::error::Result;
use glam::DVec3;

/// Colours of the x, y and z arrows.
pub const AXIS_COLOURS: [[f32; 3]; 3] = [[1.0, 0.38, 0.32], [0.42, 0.92, 0.38], [0.38, 0.62, 1.0]];

/// The camera's orientation, all a triad needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AxesSpec {
    /// Unit vectors of the image's right, its up, and the view direction (into the image).
    pub right: DVec3,
    pub up: DVec3,
    pub forward: DVec3,
    /// Leave out the arrows that point along the view (a slice shows only its plane's axes).
    pub in_plane: bool,
}

impl AxesSpec {
    /// The orientation of `cam`.
    pub fn for_camera(cam: &Camera) -> Result<AxesSpec> {
        let (forward, right, up) = cam.basis()?;
        Ok(AxesSpec {
            right,
            up,
            forward,
            in_plane: false,
        })
    }

    /// The axes of an image whose x axis is `right` and y axis `up` (unit vectors), seen
    /// along `-right x up`, showing only the arrows across it: a slice's plane.
    pub fn for_plane(right: DVec3, up: DVec3) -> AxesSpec {
        AxesSpec {
            right,
            up,
            forward: -right.cross(up),
            in_plane: true,
        }
    }

    /// Each axis's arrow on the image for a triad of `length` pixels: (dx, dy) from the
    /// triad's centre (y down), and its depth (larger is farther).
    pub fn arrows(&self, length: f64) -> [([f64; 2], f64); 3] {
        [DVec3::X, DVec3::Y, DVec3::Z].map(|e| {
            (
                [e.dot(self.right) * length, -e.dot(self.up) * length],
                e.dot(self.forward),
            )
        })
    }
}

/// Draws `spec`'s triad at the bottom right of `canvas`, labels `size` pixels high.
pub fn draw(canvas: &mut Canvas, spec: &AxesSpec, size: f32) {
    let length = 2.2 * size as f64;
    let margin = 1.1 * size as f64;
    let c = [
        canvas.width as f64 - margin - length,
        canvas.height as f64 - margin - length,
    ];
    let mut order: Vec<(usize, ([f64; 2], f64))> =
        spec.arrows(length).into_iter().enumerate().collect();
    // Farthest first, so that nearer arrows are drawn over it.
    order.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
    for (axis, (v, _)) in order {
        let tip = [c[0] + v[0], c[1] + v[1]];
        let rgb = AXIS_COLOURS[axis];
        let len = (v[0] * v[0] + v[1] * v[1]).sqrt();
        if spec.in_plane && len <= 0.2 * length {
            continue;
        }
        canvas.line(c, tip, 4.0, [0.0; 3]);
        canvas.line(c, tip, 2.0, rgb);
        if len > 0.2 * length {
            // The arrowhead: two strokes back from the tip.
            let (ux, uy) = (v[0] / len, v[1] / len);
            let head = 0.3 * size as f64;
            for s in [-1.0, 1.0] {
                let back = [
                    tip[0] - head * (ux - 0.6 * s * uy),
                    tip[1] - head * (uy + 0.6 * s * ux),
                ];
                canvas.line(tip, back, 2.0, rgb);
            }
        }
        // The label just beyond the tip (beside the centre for an arrow along the view).
        let (lx, ly) = if len > 0.2 * length {
            (
                tip[0] + v[0] / len * 0.6 * size as f64,
                tip[1] + v[1] / len * 0.6 * size as f64,
            )
        } else {
            (c[0] + 0.7 * size as f64, c[1] - 0.7 * size as f64)
        };
        let name = ["x", "y", "z"][axis];
        let baseline = ly as f32 + 0.5 * text::cap_height(size);
        text::draw(canvas, name, (lx as f32, baseline), Align::Centre, size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::{Lens, View};

    #[test]
    fn the_z_view_shows_x_right_y_up_and_z_toward_the_viewer() {
        let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        let a = AxesSpec::for_camera(&cam).unwrap().arrows(10.0);
        assert!((a[0].0[0] - 10.0).abs() < 1e-9 && a[0].0[1].abs() < 1e-9);
        assert!((a[1].0[1] + 10.0).abs() < 1e-9 && a[1].0[0].abs() < 1e-9);
        assert!(a[2].0[0].abs() < 1e-9 && a[2].0[1].abs() < 1e-9);
        // z points at the camera: nearest of the three.
        assert!(a[2].1 < a[0].1 && a[2].1 < a[1].1);
    }
}
