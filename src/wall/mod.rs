//! Stereo walls and CAVEs: several screens arranged in the room, each with its own off-axis
//! frustum per eye from its physical corners and the viewer's eye positions (Kooima's
//! generalized perspective projection), so all screens show one continuous scene.
//!
//! GPU-free: [`config`] (the wall file), [`pvx`] (ParaView import), [`frustum`] (the maths),
//! [`state`] (head and data placement). With the GPU: [`offscreen`] (every screen and eye to
//! PNG files), [`window`] (fullscreen windows or one split window, drawn by the viewer's display pass).

pub mod config;
pub mod frustum;
pub mod offscreen;
pub mod pvx;
pub mod state;
pub mod window;

pub use config::{Eye, Screen, Wall};
pub use state::{Head, Placement, WallState};

use crate::error::{Error, Result};
use glam::DVec3;
use std::path::Path;

/// Loads the wall file (TOML or ParaView `.pvx`) and applies a selection of screens by name
/// and a head position (wall coordinates, metres); errors name the file.
pub fn open(file: &Path, screens: Option<&[String]>, head: Option<DVec3>) -> Result<Wall> {
    let mut wall = Wall::load(file)?;
    let in_file = |what: String| Error::format(file, what);
    if let Some(names) = screens {
        wall.select(names)
            .map_err(|e| in_file(format!("--screens: {e}")))?;
    }
    if let Some(p) = head {
        wall.set_head_position(p)
            .map_err(|e| in_file(format!("--head {},{},{}: {e}", p.x, p.y, p.z)))?;
    }
    Ok(wall)
}
