//! What changes while a wall runs: the viewer's head and where the dataset sits in the room.
//! Both are small serde structs, so the state can be saved, logged or sent to other nodes.

use crate::camera::RayModel;
use crate::wall::config::{Eye, Screen};
use crate::wall::frustum::screen_rays;
use glam::{DQuat, DVec3};
use serde::{Deserialize, Serialize};

/// The viewer's head in wall coordinates (metres).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// Midpoint between the eyes.
    pub position: DVec3,
    /// Where the head faces; with `up` it fixes the eyes' axis (`forward x up`).
    pub forward: DVec3,
    pub up: DVec3,
    /// Distance between the eyes.
    pub eye_separation: f64,
}

impl Head {
    /// Unit vector from the left eye to the right eye.
    pub fn right(&self) -> DVec3 {
        self.forward.cross(self.up).normalize()
    }

    /// Position of an eye (the head itself for `Mono`).
    pub fn eye(&self, eye: Eye) -> DVec3 {
        let side = match eye {
            Eye::Left => -0.5,
            Eye::Right => 0.5,
            Eye::Mono => 0.0,
        };
        self.position + self.right() * (side * self.eye_separation)
    }

    /// Checks the head on its own: finite vectors, `up` not parallel to `forward`, a
    /// separation of zero or more. The message names the `[viewer]` key.
    pub fn check(&self) -> Result<(), String> {
        for (key, v) in [
            ("position", self.position),
            ("forward", self.forward),
            ("up", self.up),
        ] {
            if !v.is_finite() {
                return Err(format!("viewer.{key} = {v}: must be finite"));
            }
        }
        for (key, v) in [("forward", self.forward), ("up", self.up)] {
            if v.length() < 1e-12 {
                return Err(format!("viewer.{key} must not be the zero vector"));
            }
        }
        let angle = self.forward.angle_between(self.up).to_degrees();
        if !(1.0..=179.0).contains(&angle) {
            return Err(format!(
                "viewer.up {} is parallel to viewer.forward {} (the eyes' axis is their cross product)",
                self.up, self.forward
            ));
        }
        if !(self.eye_separation.is_finite() && self.eye_separation >= 0.0) {
            return Err(format!(
                "viewer.eye_separation = {}: must be zero or more (metres)",
                self.eye_separation
            ));
        }
        Ok(())
    }

    /// An error unless every eye that `screen` shows lies in front of its plane.
    pub fn check_in_front(&self, screen: &Screen) -> Result<(), String> {
        for &eye in &screen.eyes {
            let d = screen.distance(self.eye(eye));
            if d <= 1e-6 {
                let which = match eye {
                    Eye::Mono => "the viewer".to_string(),
                    e => format!("the viewer's {} eye", e.name()),
                };
                return Err(format!(
                    "screen \"{}\": {which} at {} is {} the screen (the front side is where lower_left -> lower_right -> upper_left turns counter-clockwise, {:.3} m from the plane)",
                    screen.name,
                    self.eye(eye),
                    if d < 0.0 { "behind" } else { "on the plane of" },
                    -d
                ));
            }
        }
        Ok(())
    }
}

/// Where the dataset sits in the room: the domain point `center` is at the wall point `focus`,
/// one domain unit is `scale` metres, and `orientation` turns the domain's axes into the room's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// Wall coordinates, metres.
    pub focus: DVec3,
    /// Domain coordinates.
    pub center: DVec3,
    /// Metres per domain unit.
    pub scale: f64,
    /// Rotation taking domain directions to wall directions.
    pub orientation: DQuat,
}

impl Placement {
    /// Wall coordinates of a domain point.
    pub fn to_wall(&self, p: DVec3) -> DVec3 {
        self.focus + self.orientation * (p - self.center) * self.scale
    }

    /// Domain coordinates of a wall point.
    pub fn to_domain(&self, p: DVec3) -> DVec3 {
        self.center + self.orientation.inverse() * (p - self.focus) / self.scale
    }

    /// A domain direction for a wall direction (lengths in domain units).
    pub fn vector_to_domain(&self, v: DVec3) -> DVec3 {
        self.orientation.inverse() * v / self.scale
    }

    /// The same rays in domain coordinates.
    pub fn rays_to_domain(&self, m: &RayModel) -> RayModel {
        RayModel {
            o0: self.to_domain(m.o0),
            ox: self.vector_to_domain(m.ox),
            oy: self.vector_to_domain(m.oy),
            d0: self.vector_to_domain(m.d0),
            dx: self.vector_to_domain(m.dx),
            dy: self.vector_to_domain(m.dy),
        }
    }
}

/// Everything a frame of a wall depends on besides the screens and the render settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WallState {
    pub head: Head,
    pub placement: Placement,
}

impl WallState {
    /// The rays of `screen` for `eye`, in domain coordinates, ready for the renderer.
    pub fn rays(&self, screen: &Screen, eye: Eye) -> RayModel {
        let wall = screen_rays(
            screen.lower_left,
            screen.lower_right,
            screen.upper_left,
            screen.size,
            self.head.eye(eye),
        );
        self.placement.rays_to_domain(&wall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_round_trips_and_keeps_angles() {
        let p = Placement {
            focus: DVec3::new(0.1, -0.2, 0.3),
            center: DVec3::splat(0.5),
            scale: 2.5,
            orientation: DQuat::from_axis_angle(DVec3::new(1.0, 2.0, 0.5).normalize(), 0.7),
        };
        let d = DVec3::new(0.2, 0.9, 0.4);
        assert!((p.to_domain(p.to_wall(d)) - d).length() < 1e-12);
        assert!((p.to_wall(p.center) - p.focus).length() < 1e-12);
        // One domain unit is 2.5 m.
        assert!(((p.to_wall(d + DVec3::X) - p.to_wall(d)).length() - 2.5).abs() < 1e-12);
        // A wall ray and its domain version pass through corresponding points.
        let m = screen_rays(
            DVec3::new(-1.0, -1.0, 0.0),
            DVec3::new(1.0, -1.0, 0.0),
            DVec3::new(-1.0, 1.0, 0.0),
            [10, 10],
            DVec3::new(0.0, 0.0, 2.0),
        );
        let dm = p.rays_to_domain(&m);
        let (o, dir) = m.ray(3.5, 6.5);
        let (od, dird) = dm.ray(3.5, 6.5);
        assert!((p.to_domain(o + dir * 1.7) - (od + dird * 1.7 / 2.5)).length() < 1e-12);
    }

    #[test]
    fn eyes_sit_on_the_head_axis() {
        let h = Head {
            position: DVec3::new(0.0, 1.6, 2.0),
            forward: -DVec3::Z,
            up: DVec3::Y,
            eye_separation: 0.064,
        };
        assert!((h.eye(Eye::Left) - DVec3::new(-0.032, 1.6, 2.0)).length() < 1e-15);
        assert!((h.eye(Eye::Right) - DVec3::new(0.032, 1.6, 2.0)).length() < 1e-15);
        assert_eq!(h.eye(Eye::Mono), h.position);
        let back: WallState = serde_json::from_str(
            &serde_json::to_string(&WallState {
                head: h,
                placement: Placement {
                    focus: DVec3::ZERO,
                    center: DVec3::splat(0.5),
                    scale: 2.0,
                    orientation: DQuat::IDENTITY,
                },
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(back.head, h);
        let mut bad = h;
        bad.up = -DVec3::Z;
        assert!(bad.check().unwrap_err().contains("parallel"));
        bad = h;
        bad.eye_separation = -0.1;
        assert!(bad.check().unwrap_err().contains("eye_separation"));
    }
}
