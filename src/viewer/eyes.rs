//! The eyes of a frame: one without stereo, two in a stereo mode, each with its rays, its part
//! of the window and its region of the float image. Rendering ([`super::schedule`]) and
//! display ([`super::draw`]) both walk the eyes through [`level_regions`].

use crate::camera::{Camera, RayModel};
use crate::gpu::display::Rect;
use crate::stereo::{Eye, StereoRig};
use crate::viewer::progressive::level_size;
use crate::viewer::stereo_mode::StereoMode;

/// One eye's view of a frame: the rays of its full-resolution image and the part of the window
/// it is shown in. Without stereo there is one; a stereo mode gives two, rendered into two
/// regions of the float image and composed by the display pass.
pub struct EyeView {
    pub rays: RayModel,
    pub viewport: Rect,
}

/// The eyes of `cam` for a window of `w` x `h` pixels: the mono camera, or the rig's left and
/// right eyes (see [`StereoMode::viewports`]).
pub fn eye_views(
    cam: &Camera,
    stereo: StereoMode,
    rig: &StereoRig,
    w: u32,
    h: u32,
) -> crate::Result<Vec<EyeView>> {
    let viewports = stereo.viewports(w, h);
    let (ew, eh) = stereo.eye_size(w, h);
    viewports
        .into_iter()
        .zip(Eye::BOTH)
        .map(|((offset, size), eye)| {
            let rays = match stereo {
                StereoMode::Off => cam.ray_model(w, h)?,
                _ => rig.eye_rays(cam, ew, eh, eye)?,
            };
            Ok(EyeView {
                rays,
                viewport: Rect { offset, size },
            })
        })
        .collect()
}

/// Each eye with the region its level-`d` image has in the float image: the eyes' images
/// side by side from the left edge, each `level_size` of its viewport.
pub fn level_regions(eyes: &[EyeView], d: u32) -> Vec<(&EyeView, Rect)> {
    let mut x = 0;
    eyes.iter()
        .map(|eye| {
            let [vw, vh] = eye.viewport.size;
            let (lw, lh) = level_size(vw, vh, d);
            let region = Rect {
                offset: [x, 0],
                size: [lw, lh],
            };
            x += lw;
            (eye, region)
        })
        .collect()
}
