//! Stereo pairs: the geometry of the two eyes ([`StereoRig`]) and the ways a pair is packed into
//! one image ([`compose`]). Free of any GPU code: the window and the command line render each
//! eye's [`RayModel`](crate::camera::RayModel) with the same renderer, then compose the two 8-bit
//! images here.

mod layout;
mod rig;

pub use layout::{compose, eye_path, Anaglyph, Layout, Packing};
pub use rig::{Eye, Projection, StereoRig, DEFAULT_SEPARATION_FRACTION};
