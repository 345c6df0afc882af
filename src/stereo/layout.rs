//! Packing a stereo pair of 8-bit RGBA images (rows from the top) into one image.
//!
//! - side-by-side: left eye in the left half, right eye in the right half, `2w x h`; with
//!   `half`, each eye squeezed to half the width so that the result is `w x h` (3D TVs' "half
//!   side-by-side"; left `ceil(w/2)` columns, right `floor(w/2)`).
//! - top-bottom: left eye on top, `w x 2h`; with `half`, `w x h`.
//! - anaglyph (red-cyan, left eye red): `plain` takes red from the left image and green and blue
//!   from the right; `dubois` uses Eric Dubois' least-squares matrices for red-cyan glasses,
//!   applied in linear light (less retinal rivalry, better colours), clamped and re-encoded.
//! - interleaved: `w x h`, even rows (0, 2, ...) from the left eye, odd rows from the right
//!   (row-interleaved passive displays).
//!
//! Squeezing averages the covered pixels with area weights in linear light.

use crate::error::{Error, Result};
use crate::stereo::Eye;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Colours of a red-cyan anaglyph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Anaglyph {
    /// Red from the left eye, green and blue from the right.
    Plain,
    /// Dubois' least-squares projection for red-cyan glasses.
    #[default]
    Dubois,
}

crate::names::named_enum!(Anaglyph, "anaglyph colours", {
    Plain => "plain",
    Dubois => "dubois",
});

/// Where a stereo pair goes: two files, or one packed image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Layout {
    /// Two images, `OUT_L.png` and `OUT_R.png`.
    #[default]
    Separate,
    SideBySide,
    TopBottom,
    Anaglyph,
    Interleaved,
}

crate::names::named_enum!(Layout, "stereo layout", {
    Separate => "separate",
    SideBySide => "side-by-side",
    TopBottom => "top-bottom",
    Anaglyph => "anaglyph",
    Interleaved => "interleaved",
});

impl Layout {
    /// The packing for this layout (`None` for separate files); an error when `half` or an
    /// anaglyph colour choice does not apply to it.
    pub fn packing(self, half: bool, anaglyph: Option<Anaglyph>) -> Result<Option<Packing>> {
        if half && !matches!(self, Layout::SideBySide | Layout::TopBottom) {
            return Err(Error::Settings(
                "--half applies only to --stereo-layout side-by-side or top-bottom".into(),
            ));
        }
        if anaglyph.is_some() && self != Layout::Anaglyph {
            return Err(Error::Settings(
                "--anaglyph applies only to --stereo-layout anaglyph".into(),
            ));
        }
        Ok(match self {
            Layout::Separate => None,
            Layout::SideBySide => Some(Packing::SideBySide { half }),
            Layout::TopBottom => Some(Packing::TopBottom { half }),
            Layout::Anaglyph => Some(Packing::Anaglyph(anaglyph.unwrap_or_default())),
            Layout::Interleaved => Some(Packing::Interleaved),
        })
    }
}

/// How [`compose`] packs a pair into one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    SideBySide { half: bool },
    TopBottom { half: bool },
    Anaglyph(Anaglyph),
    Interleaved,
}

impl Packing {
    /// Size of the packed image for eyes of `w` x `h`.
    pub fn size(self, w: u32, h: u32) -> (u32, u32) {
        match self {
            Packing::SideBySide { half: false } => (2 * w, h),
            Packing::TopBottom { half: false } => (w, 2 * h),
            _ => (w, h),
        }
    }
}

/// `OUT.png` -> `OUT_L.png` / `OUT_R.png` (the same for `.npy` or any other name).
pub fn eye_path(path: &Path, eye: Eye) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}_{}.{}", eye.letter(), ext.to_string_lossy()),
        None => format!("{stem}_{}", eye.letter()),
    };
    path.with_file_name(name)
}

/// Packs the RGBA8 images of the left and right eye (each `w` x `h`, rows from the top) into one
/// image; returns its bytes, width and height.
pub fn compose(
    packing: Packing,
    left: &[u8],
    right: &[u8],
    w: u32,
    h: u32,
) -> Result<(Vec<u8>, u32, u32)> {
    let (wu, hu) = (w as usize, h as usize);
    let n = wu * hu * 4;
    if w == 0 || h == 0 || left.len() != n || right.len() != n {
        return Err(Error::Settings(format!(
            "a stereo pair of {w}x{h} needs two images of {n} bytes, got {} and {}",
            left.len(),
            right.len()
        )));
    }
    let (ow, oh) = packing.size(w, h);
    let out = match packing {
        Packing::SideBySide { half } => {
            let (lw, rw) = if half { (w.div_ceil(2), w / 2) } else { (w, w) };
            let l = resample(left, w, h, lw, h);
            let r = resample(right, w, h, rw, h);
            let (lw, rw) = (lw as usize * 4, rw as usize * 4);
            let mut out = Vec::with_capacity(ow as usize * oh as usize * 4);
            for y in 0..hu {
                out.extend_from_slice(&l[y * lw..(y + 1) * lw]);
                out.extend_from_slice(&r[y * rw..(y + 1) * rw]);
            }
            out
        }
        Packing::TopBottom { half } => {
            let (lh, rh) = if half { (h.div_ceil(2), h / 2) } else { (h, h) };
            let mut out = resample(left, w, h, w, lh);
            out.extend_from_slice(&resample(right, w, h, w, rh));
            out
        }
        Packing::Interleaved => {
            let row = wu * 4;
            let mut out = Vec::with_capacity(n);
            for y in 0..hu {
                let src = if y % 2 == 0 { left } else { right };
                out.extend_from_slice(&src[y * row..(y + 1) * row]);
            }
            out
        }
        Packing::Anaglyph(kind) => left
            .chunks_exact(4)
            .zip(right.chunks_exact(4))
            .flat_map(|(l, r)| {
                let alpha = (l[3] as u16 + r[3] as u16).div_ceil(2) as u8;
                match kind {
                    Anaglyph::Plain => [l[0], r[1], r[2], alpha],
                    Anaglyph::Dubois => {
                        let (ll, rl) = (linear3(l), linear3(r));
                        let mut c = [0u8; 4];
                        for (k, c) in c.iter_mut().take(3).enumerate() {
                            let v = (0..3)
                                .map(|j| DUBOIS_LEFT[k][j] * ll[j] + DUBOIS_RIGHT[k][j] * rl[j])
                                .sum::<f32>();
                            *c = encode(v);
                        }
                        c[3] = alpha;
                        c
                    }
                }
            })
            .collect(),
    };
    debug_assert_eq!(out.len(), ow as usize * oh as usize * 4);
    Ok((out, ow, oh))
}

/// Dubois' least-squares red-cyan matrices (rows: output R, G, B; columns: input R, G, B), for
/// linear RGB.
const DUBOIS_LEFT: [[f32; 3]; 3] = [
    [0.456_100, 0.500_484, 0.176_381],
    [-0.040_082_2, -0.037_824_6, -0.015_758_9],
    [-0.015_216_1, -0.020_597_1, -0.005_468_56],
];
const DUBOIS_RIGHT: [[f32; 3]; 3] = [
    [-0.043_470_6, -0.087_938_8, -0.001_555_29],
    [0.378_476, 0.733_640, -0.018_450_3],
    [-0.072_152_7, -0.112_961, 1.226_4],
];

/// sRGB byte -> linear light.
fn linear(v: u8) -> f32 {
    static LUT: OnceLock<[f32; 256]> = OnceLock::new();
    LUT.get_or_init(|| {
        std::array::from_fn(|i| {
            let c = i as f32 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
    })[v as usize]
}

fn linear3(p: &[u8]) -> [f32; 3] {
    [linear(p[0]), linear(p[1]), linear(p[2])]
}

/// Linear light -> sRGB byte, clamped.
fn encode(v: f32) -> u8 {
    let v = v.clamp(0.0, 1.0);
    let c = if v <= 0.003_130_8 {
        12.92 * v
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    (c * 255.0).round() as u8
}

/// Resizes an RGBA8 image by area averaging in linear light (alpha linearly); the identity
/// when the size does not change.
fn resample(src: &[u8], w: u32, h: u32, nw: u32, nh: u32) -> Vec<u8> {
    if (w, h) == (nw, nh) {
        return src.to_vec();
    }
    let xs = weights(w, nw);
    let ys = weights(h, nh);
    let mut out = Vec::with_capacity(nw as usize * nh as usize * 4);
    for yw in &ys {
        for xw in &xs {
            let mut acc = [0.0f32; 4];
            for &(y, wy) in yw {
                for &(x, wx) in xw {
                    let p = &src[(y * w as usize + x) * 4..][..4];
                    let wt = wx * wy;
                    for (c, a) in acc.iter_mut().take(3).enumerate() {
                        *a += wt * linear(p[c]);
                    }
                    acc[3] += wt * p[3] as f32;
                }
            }
            out.extend([
                encode(acc[0]),
                encode(acc[1]),
                encode(acc[2]),
                acc[3].round().clamp(0.0, 255.0) as u8,
            ]);
        }
    }
    out
}

/// For each of `m` output pixels along an axis of `n` source pixels: the source pixels it
/// covers and their weights (summing to 1).
fn weights(n: u32, m: u32) -> Vec<Vec<(usize, f32)>> {
    let scale = n as f64 / m as f64;
    (0..m)
        .map(|j| {
            let (a, b) = (j as f64 * scale, (j + 1) as f64 * scale);
            let mut v = Vec::new();
            let mut i = a.floor() as usize;
            while (i as f64) < b && i < n as usize {
                let overlap = (b.min(i as f64 + 1.0) - a.max(i as f64)).max(0.0);
                if overlap > 0.0 {
                    v.push((i, (overlap / scale) as f32));
                }
                i += 1;
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A w x h image whose pixel (x, y) is (x, y, tag, 255).
    fn tagged(w: u32, h: u32, tag: u8) -> Vec<u8> {
        let mut v = Vec::new();
        for y in 0..h {
            for x in 0..w {
                v.extend([x as u8, y as u8, tag, 255]);
            }
        }
        v
    }

    fn px(img: &[u8], w: u32, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * w + x) * 4) as usize;
        [img[i], img[i + 1], img[i + 2], img[i + 3]]
    }

    #[test]
    fn side_by_side_and_top_bottom_put_the_left_eye_first() {
        let (w, h) = (5, 3);
        let (l, r) = (tagged(w, h, 10), tagged(w, h, 20));
        let (img, ow, oh) = compose(Packing::SideBySide { half: false }, &l, &r, w, h).unwrap();
        assert_eq!((ow, oh), (10, 3));
        assert_eq!(px(&img, ow, 0, 0), [0, 0, 10, 255]);
        assert_eq!(px(&img, ow, 4, 2), [4, 2, 10, 255]);
        assert_eq!(px(&img, ow, 5, 0), [0, 0, 20, 255]);
        assert_eq!(px(&img, ow, 9, 1), [4, 1, 20, 255]);
        let (img, ow, oh) = compose(Packing::TopBottom { half: false }, &l, &r, w, h).unwrap();
        assert_eq!((ow, oh), (5, 6));
        assert_eq!(px(&img, ow, 3, 2), [3, 2, 10, 255]);
        assert_eq!(px(&img, ow, 3, 3), [3, 0, 20, 255]);
        assert_eq!(px(&img, ow, 4, 5), [4, 2, 20, 255]);
    }

    #[test]
    fn half_layouts_keep_the_size_and_average_pairs() {
        let (w, h) = (4, 2);
        // Left: columns alternate black and white; right: uniform grey 100.
        let mut l = Vec::new();
        for _ in 0..h {
            for x in 0..w {
                let v = if x % 2 == 0 { 0 } else { 255 };
                l.extend([v, v, v, 255]);
            }
        }
        let r: Vec<u8> = [100, 100, 100, 255].repeat((w * h) as usize);
        let (img, ow, oh) = compose(Packing::SideBySide { half: true }, &l, &r, w, h).unwrap();
        assert_eq!((ow, oh), (4, 2));
        // Black and white average to half the light: sRGB 188, not 128.
        for x in 0..2 {
            assert_eq!(px(&img, ow, x, 1), [188, 188, 188, 255]);
        }
        for x in 2..4 {
            assert_eq!(px(&img, ow, x, 0), [100, 100, 100, 255]);
        }
        // Top-bottom half: rows are squeezed, the columns stay.
        let (img, ow, oh) = compose(Packing::TopBottom { half: true }, &l, &r, w, h).unwrap();
        assert_eq!((ow, oh), (4, 2));
        assert_eq!(px(&img, ow, 1, 0), [255, 255, 255, 255]);
        assert_eq!(px(&img, ow, 2, 0), [0, 0, 0, 255]);
        assert_eq!(px(&img, ow, 2, 1), [100, 100, 100, 255]);
        // Odd sizes: the left eye gets the extra column.
        let (l, r) = (tagged(5, 1, 1), tagged(5, 1, 2));
        let (img, ow, _) = compose(Packing::SideBySide { half: true }, &l, &r, 5, 1).unwrap();
        assert_eq!(ow, 5);
        assert_eq!(
            img.chunks(4).map(|p| p[2]).collect::<Vec<_>>(),
            [1, 1, 1, 2, 2]
        );
    }

    #[test]
    fn interleaved_rows_alternate_starting_with_the_left_eye() {
        let (w, h) = (3, 5);
        let (l, r) = (tagged(w, h, 1), tagged(w, h, 2));
        let (img, ow, oh) = compose(Packing::Interleaved, &l, &r, w, h).unwrap();
        assert_eq!((ow, oh), (3, 5));
        for y in 0..h {
            assert_eq!(
                px(&img, w, 2, y),
                [2, y as u8, if y % 2 == 0 { 1 } else { 2 }, 255]
            );
        }
    }

    #[test]
    fn anaglyphs_show_the_left_eye_in_red_and_the_right_in_cyan() {
        let white = [255u8, 255, 255, 255];
        let black = [0u8, 0, 0, 255];
        let (l, r) = ([12u8, 34, 56, 255], [78u8, 90, 123, 255]);
        let (img, _, _) = compose(Packing::Anaglyph(Anaglyph::Plain), &l, &r, 1, 1).unwrap();
        assert_eq!(img, [12, 90, 123, 255]);
        // Dubois: a white left eye alone lights red only; a white right eye alone green and
        // blue only (the matrices' negative terms clamp to zero).
        let (img, _, _) =
            compose(Packing::Anaglyph(Anaglyph::Dubois), &white, &black, 1, 1).unwrap();
        assert!(img[0] > 200 && img[1] == 0 && img[2] == 0, "{img:?}");
        let (img, _, _) =
            compose(Packing::Anaglyph(Anaglyph::Dubois), &black, &white, 1, 1).unwrap();
        assert!(img[0] == 0 && img[1] > 200 && img[2] > 200, "{img:?}");
        // White in both eyes stays near white (within the glasses' gamut).
        let (img, _, _) =
            compose(Packing::Anaglyph(Anaglyph::Dubois), &white, &white, 1, 1).unwrap();
        assert!(img[..3].iter().all(|&c| c > 200), "{img:?}");
    }

    #[test]
    fn layouts_check_their_options_and_inputs() {
        assert_eq!(Layout::Separate.packing(false, None).unwrap(), None);
        assert_eq!(
            Layout::Anaglyph.packing(false, None).unwrap(),
            Some(Packing::Anaglyph(Anaglyph::Dubois))
        );
        let e = Layout::Anaglyph.packing(true, None).unwrap_err();
        assert!(e.to_string().contains("--half"), "{e}");
        let e = Layout::Separate.packing(true, None).unwrap_err();
        assert!(e.to_string().contains("--half"), "{e}");
        let e = Layout::SideBySide
            .packing(false, Some(Anaglyph::Plain))
            .unwrap_err();
        assert!(e.to_string().contains("--anaglyph"), "{e}");
        assert!("checkerboard".parse::<Layout>().is_err());
        let e = compose(Packing::Interleaved, &[0; 16], &[0; 12], 2, 2).unwrap_err();
        assert!(e.to_string().contains("2x2"), "{e}");
    }

    #[test]
    fn eye_paths_insert_the_eye_letter() {
        assert_eq!(
            eye_path(Path::new("out/a.b.png"), Eye::Left),
            Path::new("out/a.b_L.png")
        );
        assert_eq!(
            eye_path(Path::new("v.npy"), Eye::Right),
            Path::new("v_R.npy")
        );
        assert_eq!(eye_path(Path::new("img"), Eye::Left), Path::new("img_L"));
    }
}
