//! Compositing partial images of one render: images of disjoint pieces of the data, each
//! rendered from an empty state, combined per pixel in the pieces' front-to-back order into
//! the image of the whole.
//!
//! Front-to-back compositing is associative. With `C, A` the premultiplied colour and opacity
//! of the nearer part and `c, a` those of the farther part, the whole is `C + (1 - A) c`,
//! `A + (1 - A) a`; MIP combines with `max`, projection with `+`. This is the step the
//! renderer's passes carry on the GPU (`prior` in shaders/raycast.wgsl: keep the two in
//! sync) and the step sort-last rendering over several processes needs.
//!
//! Pixels are [`FloatImage`] pixels: composite `[r, g, b, a]` premultiplied; MIP
//! `[maximum, 1 where there is one, 0, 0]`; projection `[integral, 0, 0, 0]`.
//!
//! As on the GPU, a composite pixel whose nearer part is already opaque ([`OPAQUE`]) takes
//! nothing from behind: the one-pass render stops its ray there too.

use crate::error::{Error, Result};
use crate::render::{FloatImage, Mode, OPAQUE};

/// One pixel of a farther part, `back`, composited behind `front`.
#[inline]
pub fn behind(mode: Mode, front: [f32; 4], back: [f32; 4]) -> [f32; 4] {
    match mode {
        Mode::Composite => {
            if front[3] >= OPAQUE {
                return front;
            }
            let t = 1.0 - front[3];
            [0, 1, 2, 3].map(|c| front[c] + t * back[c])
        }
        Mode::Mip => {
            if back[1] > 0.0 && (front[1] <= 0.0 || back[0] > front[0]) {
                back
            } else {
                front
            }
        }
        Mode::Projection => [front[0] + back[0], 0.0, 0.0, 0.0],
    }
}

/// Composites `back` behind `front` in place (both of one size and mode).
pub fn composite_behind(front: &mut FloatImage, back: &FloatImage) -> Result<()> {
    if (front.width, front.height, front.mode) != (back.width, back.height, back.mode) {
        return Err(Error::Settings(format!(
            "cannot composite a {}x{} {:?} image behind a {}x{} {:?} one",
            back.width, back.height, back.mode, front.width, front.height, front.mode
        )));
    }
    composite_pixels_behind(front.mode, &mut front.pixels, &back.pixels);
    Ok(())
}

/// Composites the pixels `back` behind `front` in place, pixel by pixel (a run of an image's
/// pixels: the parts that sort-last ranks exchange). Extra pixels of the longer run are left.
pub fn composite_pixels_behind(mode: Mode, front: &mut [[f32; 4]], back: &[[f32; 4]]) {
    for (f, b) in front.iter_mut().zip(back) {
        *f = behind(mode, *f, *b);
    }
}

/// The image of the whole from the images of its parts, nearest first.
pub fn composite_front_to_back(parts: &[FloatImage]) -> Result<FloatImage> {
    let (first, rest) = parts
        .split_first()
        .ok_or_else(|| Error::Settings("no images to composite".into()))?;
    let mut out = first.clone();
    for p in rest {
        composite_behind(&mut out, p)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mode: Mode, pixels: Vec<[f32; 4]>) -> FloatImage {
        FloatImage {
            width: pixels.len() as u32,
            height: 1,
            mode,
            pixels,
        }
    }

    /// Premultiplied layers of (colour, opacity), composited one by one front to back.
    fn layers(list: &[([f32; 3], f32)]) -> [f32; 4] {
        list.iter().fold([0.0; 4], |acc, &(c, a)| {
            behind(Mode::Composite, acc, [c[0] * a, c[1] * a, c[2] * a, a])
        })
    }

    #[test]
    fn composite_is_associative_and_a_transparent_part_changes_nothing() {
        let l = [
            ([1.0, 0.0, 0.0], 0.3),
            ([0.0, 1.0, 0.0], 0.5),
            ([0.0, 0.0, 1.0], 0.8),
            ([1.0, 1.0, 0.0], 0.2),
        ];
        let whole = layers(&l);
        for split in 0..=l.len() {
            let (near, far) = l.split_at(split);
            let got = behind(Mode::Composite, layers(near), layers(far));
            for c in 0..4 {
                assert!(
                    (got[c] - whole[c]).abs() < 1e-6,
                    "{split}: {got:?} {whole:?}"
                );
            }
        }
        let p = [0.2, 0.1, 0.0, 0.4];
        assert_eq!(behind(Mode::Composite, p, [0.0; 4]), p);
        assert_eq!(behind(Mode::Composite, [0.0; 4], p), p);
        // An opaque front hides everything behind it, as the ray stops there on the GPU.
        let opaque = [0.5, 0.5, 0.5, 1.0];
        assert_eq!(behind(Mode::Composite, opaque, p), opaque);
        let nearly = [0.5, 0.5, 0.5, OPAQUE];
        assert_eq!(behind(Mode::Composite, nearly, p), nearly);
    }

    #[test]
    fn mip_keeps_the_largest_valid_value_and_projection_adds() {
        let none = [f32::MIN, 0.0, 0.0, 0.0];
        assert_eq!(
            behind(Mode::Mip, none, [3.0, 1.0, 0.0, 0.0]),
            [3.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            behind(Mode::Mip, [-2.0, 1.0, 0.0, 0.0], none),
            [-2.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            behind(Mode::Mip, [5.0, 1.0, 0.0, 0.0], [4.0, 1.0, 0.0, 0.0])[0],
            5.0
        );
        assert_eq!(behind(Mode::Mip, none, none)[1], 0.0);
        assert_eq!(
            behind(Mode::Projection, [1.5, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0])[0],
            3.5
        );
    }

    #[test]
    fn images_composite_in_order_and_mismatches_are_refused() {
        let a = image(Mode::Projection, vec![[1.0, 0.0, 0.0, 0.0]; 3]);
        let b = image(Mode::Projection, vec![[2.0, 0.0, 0.0, 0.0]; 3]);
        let sum = composite_front_to_back(&[a.clone(), b.clone(), a.clone()]).unwrap();
        assert!(sum.pixels.iter().all(|p| p[0] == 4.0));
        let other = image(Mode::Mip, vec![[0.0; 4]; 3]);
        assert!(composite_front_to_back(&[a.clone(), other]).is_err());
        assert!(composite_front_to_back(&[]).is_err());
    }
}
