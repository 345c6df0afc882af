//! Slice planes: an axis-aligned plane (an axis and a coordinate) or an oblique one (a normal
//! and a centre), each with an in-plane orientation, "right" and "up", fixed by one rule.
//!
//! Orientation, as yt's `SlicePlot`: a slice across z shows x to the right and y up; across
//! x, (y, z); across y, (z, x). An oblique plane uses the rule of the axis its normal is closest
//! to (the largest `|n_i|`, the first axis on a tie): `up` is that axis's up vector (y for z, z
//! for x, x for y), or the `up` asked for, made perpendicular to the normal; then
//! `right = up x normal`. So (right, up, normal) is right-handed, the normal points toward the
//! viewer, and a normal along +x, +y or +z gives exactly the axis-aligned plane.

use crate::error::{Error, Result};
use glam::DVec3;

/// A coordinate axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    X,
    Y,
    Z,
}

crate::names::named_enum!(Axis, "axis", {
    X => "x",
    Y => "y",
    Z => "z",
});

impl Axis {
    /// 0, 1 or 2.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The unit vector along the axis.
    pub fn unit(self) -> DVec3 {
        DVec3::AXES[self.index()]
    }

    /// The axes of a slice across this one: (right, up), as yt's `SlicePlot` shows them.
    pub fn image_axes(self) -> (Axis, Axis) {
        match self {
            Axis::X => (Axis::Y, Axis::Z),
            Axis::Y => (Axis::Z, Axis::X),
            Axis::Z => (Axis::X, Axis::Y),
        }
    }
}

/// Which plane to slice, as the options give it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaneSpec {
    /// The plane `axis = coord` (domain units), the image centred on `center`'s other two
    /// components (its `axis` component is not used), or on the domain's centre for `None`,
    /// as yt's `SlicePlot(center=)`.
    Axis {
        axis: Axis,
        coord: f64,
        center: Option<DVec3>,
    },
    /// The plane through `center` perpendicular to `normal` (any length but zero); `up`
    /// (optional) fixes the image's vertical, else the rule of the module's documentation.
    Oblique {
        normal: DVec3,
        center: DVec3,
        up: Option<DVec3>,
    },
}

/// A plane placed in a domain, with its image orientation: the image's centre is `center`,
/// its x axis `right` and its y axis `up` (unit vectors; `right x up = normal`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlicePlane {
    pub center: DVec3,
    pub normal: DVec3,
    pub right: DVec3,
    pub up: DVec3,
}

impl PlaneSpec {
    /// The plane in the domain `lo..hi`: an error for a coordinate or centre outside the
    /// domain, a zero normal, or an up vector along the normal.
    pub fn plane(&self, lo: DVec3, hi: DVec3) -> Result<SlicePlane> {
        match *self {
            PlaneSpec::Axis {
                axis,
                coord,
                center,
            } => {
                let a = axis.index();
                if !coord.is_finite() || coord < lo[a] || coord > hi[a] {
                    return Err(Error::Settings(format!(
                        "slice coordinate {axis} = {coord} is outside the domain, which spans {} to {} along {axis}",
                        lo[a], hi[a]
                    )));
                }
                let mut center = match center {
                    Some(c) => inside(c, lo, hi)?,
                    None => (lo + hi) * 0.5,
                };
                center[a] = coord;
                SlicePlane::new(axis.unit(), center, None)
            }
            PlaneSpec::Oblique { normal, center, up } => {
                SlicePlane::new(normal, inside(center, lo, hi)?, up)
            }
        }
    }
}

/// `center`, or an error when it is outside the domain `lo..hi`.
fn inside(center: DVec3, lo: DVec3, hi: DVec3) -> Result<DVec3> {
    if center.is_finite() && center.cmpge(lo).all() && center.cmple(hi).all() {
        return Ok(center);
    }
    Err(Error::Settings(format!(
        "slice centre {} is outside the domain {} to {}",
        fmt(center),
        fmt(lo),
        fmt(hi)
    )))
}

impl SlicePlane {
    /// The plane through `center` perpendicular to `normal`, oriented by `up` or by the rule
    /// of the module's documentation.
    pub fn new(normal: DVec3, center: DVec3, up: Option<DVec3>) -> Result<SlicePlane> {
        let n = normal
            .try_normalize()
            .filter(|n| n.is_finite())
            .ok_or_else(|| {
                Error::Settings(format!(
                    "slice normal {} has no direction: give a non-zero vector",
                    fmt(normal)
                ))
            })?;
        let up_ref = match up {
            Some(u) => u,
            None => {
                let a = n.abs();
                let axis = if a.x >= a.y && a.x >= a.z {
                    Axis::X
                } else if a.y >= a.z {
                    Axis::Y
                } else {
                    Axis::Z
                };
                axis.image_axes().1.unit()
            }
        };
        let up = (up_ref - n * up_ref.dot(n))
            .try_normalize()
            .filter(|u| u.is_finite() && up_ref.normalize().dot(n).abs() < 1.0 - 1e-9)
            .ok_or_else(|| {
                Error::Settings(format!(
                    "slice up vector {} is zero or along the normal {}: give one across the plane",
                    fmt(up_ref),
                    fmt(normal)
                ))
            })?;
        Ok(SlicePlane {
            center,
            normal: n,
            right: up.cross(n),
            up,
        })
    }

    /// The point at in-plane coordinates `(u, v)` (along `right` and `up`, from the centre).
    pub fn point(&self, u: f64, v: f64) -> DVec3 {
        self.center + self.right * u + self.up * v
    }

    /// The smallest extents (along `right`, along `up`) of a rectangle centred on the plane's
    /// centre that holds the box `lo..hi`'s shadow on the plane.
    pub fn extent_of_box(&self, lo: DVec3, hi: DVec3) -> (f64, f64) {
        let (mut eu, mut ev) = (0.0f64, 0.0f64);
        for corner in 0..8 {
            let c = DVec3::new(
                if corner & 1 == 0 { lo.x } else { hi.x },
                if corner & 2 == 0 { lo.y } else { hi.y },
                if corner & 4 == 0 { lo.z } else { hi.z },
            ) - self.center;
            eu = eu.max(c.dot(self.right).abs());
            ev = ev.max(c.dot(self.up).abs());
        }
        (2.0 * eu, 2.0 * ev)
    }
}

/// `x,y,z` as the options take it.
fn fmt(v: DVec3) -> String {
    format!("{},{},{}", v.x, v.y, v.z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_planes_follow_yt() {
        for (axis, right, up) in [
            (Axis::X, DVec3::Y, DVec3::Z),
            (Axis::Y, DVec3::Z, DVec3::X),
            (Axis::Z, DVec3::X, DVec3::Y),
        ] {
            let p = PlaneSpec::Axis {
                axis,
                coord: 0.25,
                center: None,
            }
            .plane(DVec3::ZERO, DVec3::ONE)
            .unwrap();
            assert_eq!((p.right, p.up, p.normal), (right, up, axis.unit()));
            assert_eq!(p.center[axis.index()], 0.25);
        }
    }

    #[test]
    fn oblique_planes_are_right_handed_and_orthonormal() {
        for n in [
            DVec3::new(1.0, 1.0, 1.0),
            DVec3::new(-0.2, 0.3, 0.9),
            DVec3::new(0.0, -2.0, 0.1),
        ] {
            let p = SlicePlane::new(n, DVec3::ZERO, None).unwrap();
            assert!((p.right.cross(p.up) - p.normal).length() < 1e-12);
            assert!(p.right.dot(p.up).abs() < 1e-12 && p.up.dot(p.normal).abs() < 1e-12);
            assert!((p.normal - n.normalize()).length() < 1e-12);
        }
        let p = SlicePlane::new(DVec3::Z, DVec3::ZERO, Some(DVec3::new(1.0, 0.0, 0.5))).unwrap();
        assert_eq!((p.up, p.right), (DVec3::X, -DVec3::Y));
    }

    #[test]
    fn extent_of_a_tilted_plane_holds_the_box() {
        let p = SlicePlane::new(DVec3::new(1.0, 1.0, 0.0), DVec3::splat(0.5), None).unwrap();
        let (eu, ev) = p.extent_of_box(DVec3::ZERO, DVec3::ONE);
        assert!((eu - 2f64.sqrt()).abs() < 1e-12, "{eu}");
        assert!((ev - 1.0).abs() < 1e-12, "{ev}");
    }
}
