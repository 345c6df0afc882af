//! Stereo walls and CAVEs: several screens arranged in the room, each with its own off-axis
//! frustum per eye from its physical corners and the viewer's eye positions (Kooima's
//! generalized perspective projection), so all screens show one continuous scene.
//!
//! GPU-free: [`config`] (the wall file), [`pvx`] (ParaView import), [`frustum`] (the maths),
//! [`state`] (head and data placement). With the GPU: [`offscreen`] (every screen and eye to
//! PNG files), [`window`] (fullscreen windows or one split window, drawn by the viewer's display pass).

pub mod command;
pub mod config;
pub mod frustum;
pub mod offscreen;
pub mod pvx;
pub mod state;
pub mod window;

pub use config::{Eye, Screen, Wall};
pub use state::{Head, Placement, WallState};
