//! The viewer's stereo modes (S cycles them): where each eye goes in the window, how big its
//! image is, and the `amrcast render` layout that writes the same composed image.

use crate::stereo::{Anaglyph, Packing};

/// Stereo modes, cycled by S: off -> anaglyph -> side-by-side -> off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StereoMode {
    #[default]
    Off,
    /// Both eyes over the whole window, combined red-cyan (left eye red, Dubois colours).
    Anaglyph,
    /// The left eye in the left half of the window, the right eye in the right half, each at
    /// half the width with square pixels.
    SideBySide,
}

/// The anaglyph colours the viewer shows (`render --stereo-layout anaglyph`'s default).
pub const ANAGLYPH: Anaglyph = Anaglyph::Dubois;

impl StereoMode {
    pub const ALL: [StereoMode; 3] = [
        StereoMode::Off,
        StereoMode::Anaglyph,
        StereoMode::SideBySide,
    ];

    /// The mode S switches to.
    pub fn next(self) -> Self {
        match self {
            StereoMode::Off => StereoMode::Anaglyph,
            StereoMode::Anaglyph => StereoMode::SideBySide,
            StereoMode::SideBySide => StereoMode::Off,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StereoMode::Off => "off",
            StereoMode::Anaglyph => "anaglyph",
            StereoMode::SideBySide => "side-by-side",
        }
    }

    /// How the two eyes' images are packed into one (`None`: mono).
    pub fn packing(self) -> Option<Packing> {
        match self {
            StereoMode::Off => None,
            StereoMode::Anaglyph => Some(Packing::Anaglyph(ANAGLYPH)),
            StereoMode::SideBySide => Some(Packing::SideBySide { half: false }),
        }
    }

    /// Size of each eye's full-resolution image in a `w` x `h` window (the one image when off).
    pub fn eye_size(self, w: u32, h: u32) -> (u32, u32) {
        match self {
            StereoMode::SideBySide => ((w / 2).max(1), h),
            _ => (w, h),
        }
    }

    /// Viewports of the eyes (left first) in a `w` x `h` window: `(offset, size)`.
    pub fn viewports(self, w: u32, h: u32) -> Vec<([u32; 2], [u32; 2])> {
        let (ew, eh) = self.eye_size(w, h);
        match self {
            StereoMode::Off => vec![([0, 0], [w, h])],
            StereoMode::Anaglyph => vec![([0, 0], [w, h]); 2],
            StereoMode::SideBySide => vec![([0, 0], [ew, eh]), ([ew, 0], [ew, eh])],
        }
    }

    /// Width of the float image that holds every eye side by side at full resolution.
    pub fn image_width(self, w: u32, h: u32) -> u32 {
        self.viewports(w, h).iter().map(|(_, s)| s[0]).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_cycles_off_anaglyph_side_by_side() {
        let mut m = StereoMode::default();
        let mut seen = vec![m];
        for _ in 0..3 {
            m = m.next();
            seen.push(m);
        }
        assert_eq!(
            seen,
            [
                StereoMode::Off,
                StereoMode::Anaglyph,
                StereoMode::SideBySide,
                StereoMode::Off
            ]
        );
        assert_eq!(
            StereoMode::ALL.map(|m| m.name()),
            ["off", "anaglyph", "side-by-side"]
        );
    }

    #[test]
    fn eyes_fill_the_window_and_fit_the_image() {
        let (w, h) = (301, 200);
        assert_eq!(StereoMode::Off.viewports(w, h), [([0, 0], [w, h])]);
        assert_eq!(StereoMode::Off.image_width(w, h), w);
        // Anaglyph: both eyes over the whole window, side by side in the float image.
        assert_eq!(StereoMode::Anaglyph.eye_size(w, h), (w, h));
        assert_eq!(StereoMode::Anaglyph.viewports(w, h), [([0, 0], [w, h]); 2]);
        assert_eq!(StereoMode::Anaglyph.image_width(w, h), 2 * w);
        // Side by side: two equal halves with square pixels (an odd column stays black).
        assert_eq!(StereoMode::SideBySide.eye_size(w, h), (150, h));
        assert_eq!(
            StereoMode::SideBySide.viewports(w, h),
            [([0, 0], [150, h]), ([150, 0], [150, h])]
        );
        assert!(StereoMode::SideBySide.image_width(w, h) <= w);
        assert_eq!(StereoMode::SideBySide.eye_size(1, 5), (1, 5));
        // The composed screenshot has the window's size (side by side, even widths).
        let packing = StereoMode::SideBySide.packing().unwrap();
        let (ew, eh) = StereoMode::SideBySide.eye_size(300, h);
        assert_eq!(packing.size(ew, eh), (300, h));
        let packing = StereoMode::Anaglyph.packing().unwrap();
        assert_eq!(packing.size(w, h), (w, h));
        assert_eq!(StereoMode::Off.packing(), None);
    }
}
