//! Labels, drawn with the bundled DejaVu Sans (assets/fonts/, Bitstream Vera licence) through
//! `ab_glyph`. Text is light with a dark halo, so that it reads on any volume; `^{...}` raises
//! a superscript (`10^{-3}`).

use super::Canvas;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;

/// DejaVu Sans, bundled.
const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Colour of labels.
pub const TEXT_COLOUR: [f32; 3] = [1.0, 1.0, 1.0];
/// Colour and opacity of the halo around labels.
const HALO: ([f32; 3], f32) = ([0.0, 0.0, 0.0], 0.75);
/// A superscript's size and raise, as fractions of the text size.
const SUPER_SIZE: f32 = 0.7;
const SUPER_RAISE: f32 = 0.42;

/// The bundled font.
pub fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).expect("the bundled font parses"))
}

/// Where a label's position is on it, horizontally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// A piece of a label: text, its size factor and its raise (fractions of the size).
fn runs(text: &str) -> Vec<(String, f32, f32)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("^{") {
        let Some(end) = rest[i..].find('}') else {
            break;
        };
        out.push((rest[..i].to_string(), 1.0, 0.0));
        out.push((rest[i + 2..i + end].to_string(), SUPER_SIZE, SUPER_RAISE));
        rest = &rest[i + end + 1..];
    }
    out.push((rest.to_string(), 1.0, 0.0));
    out.retain(|(s, _, _)| !s.is_empty());
    out
}

/// Lays out `text` at `size` pixels from a baseline origin at (0, 0); calls `glyph` with each
/// glyph positioned; returns the advance width.
fn layout(text: &str, size: f32, mut glyph: impl FnMut(ab_glyph::Glyph)) -> f32 {
    let f = font();
    let mut x = 0.0f32;
    for (s, k, raise) in runs(text) {
        let scaled = f.as_scaled(PxScale::from(size * k));
        let mut prev = None;
        for ch in s.chars() {
            let id = f.glyph_id(ch);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            glyph(id.with_scale_and_position(
                PxScale::from(size * k),
                ab_glyph::point(x, -raise * size),
            ));
            x += scaled.h_advance(id);
            prev = Some(id);
        }
    }
    x
}

/// The advance width of `text` at `size` pixels.
pub fn width(text: &str, size: f32) -> f32 {
    layout(text, size, |_| {})
}

/// The height above the baseline of capital letters at `size` pixels.
pub fn cap_height(size: f32) -> f32 {
    0.73 * size
}

/// Draws `text` with its baseline at `y`, its left end, centre or right end at `x` (`align`),
/// `size` pixels high (the font's em), in [`TEXT_COLOUR`] with a halo; returns the pixel box
/// `(x0, y0, x1, y1)` its ink covers (empty when nothing was drawn).
pub fn draw(
    canvas: &mut Canvas,
    text: &str,
    (x, y): (f32, f32),
    align: Align,
    size: f32,
) -> (i64, i64, i64, i64) {
    let w = width(text, size);
    let left = match align {
        Align::Left => x,
        Align::Centre => x - 0.5 * w,
        Align::Right => x - w,
    };
    // The coverage of the ink, in a mask over the text's box with a margin for the halo.
    let margin = 2i64;
    let (mx0, my0) = (
        left.floor() as i64 - margin,
        (y - 1.2 * size).floor() as i64,
    );
    let (mw, mh) = (
        (w.ceil() as i64 + 2 * margin + 2),
        (1.6 * size).ceil() as i64 + 2,
    );
    let mut mask = vec![0.0f32; (mw * mh) as usize];
    let f = font();
    layout(text, size, |g| {
        let Some(outline) = f.outline_glyph(g) else {
            return;
        };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, c| {
            let px = (left + b.min.x).floor() as i64 + gx as i64 - mx0;
            let py = (y + b.min.y).floor() as i64 + gy as i64 - my0;
            if px >= 0 && py >= 0 && px < mw && py < mh {
                let m = &mut mask[(py * mw + px) as usize];
                *m = (*m + c).min(1.0);
            }
        });
    });
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= mw || y >= mh {
            0.0
        } else {
            mask[(y * mw + x) as usize]
        }
    };
    let mut ink = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
    for my in 0..mh {
        for mx in 0..mw {
            let halo = (-1..=1)
                .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
                .map(|(dx, dy)| at(mx + dx, my + dy))
                .fold(0.0f32, f32::max);
            let (cx, cy) = (mx + mx0, my + my0);
            canvas.blend(cx, cy, HALO.0, halo * HALO.1);
            let c = at(mx, my);
            canvas.blend(cx, cy, TEXT_COLOUR, c);
            if c > 0.0 {
                ink = (
                    ink.0.min(cx),
                    ink.1.min(cy),
                    ink.2.max(cx + 1),
                    ink.3.max(cy + 1),
                );
            }
        }
    }
    ink
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superscripts_split_into_runs() {
        assert_eq!(
            runs("10^{-3} g"),
            vec![
                ("10".to_string(), 1.0, 0.0),
                ("-3".to_string(), SUPER_SIZE, SUPER_RAISE),
                (" g".to_string(), 1.0, 0.0)
            ]
        );
        assert_eq!(runs("plain"), vec![("plain".to_string(), 1.0, 0.0)]);
    }

    #[test]
    fn text_puts_ink_inside_its_box_and_nowhere_else() {
        let mut c = Canvas::new(120, 40, vec![0; 120 * 40 * 4]);
        let size = 16.0;
        let (x0, y0, x1, y1) = draw(&mut c, "Density", (10.0, 25.0), Align::Left, size);
        // The ink spans the advance width from x = 10 and rises about a cap height.
        let w = width("Density", size);
        assert!((9..=12).contains(&x0), "{x0}");
        assert!((x1 as f32 - (10.0 + w)).abs() < 3.0, "{x1} vs {w}");
        assert!(
            y0 <= 25 - cap_height(size) as i64 + 1 && y0 >= 25 - size as i64,
            "{y0}"
        );
        assert!(
            y1 > 25 && y1 <= 25 + (0.3 * size) as i64,
            "{y1}: the y descends"
        );
        // Coverage: a good part of the box is bright, and outside the halo nothing changed.
        let bright = (0..40)
            .flat_map(|y| (0..120).map(move |x| (x, y)))
            .filter(|&(x, y)| c.pixel(x, y)[0] > 128)
            .count();
        let area = ((x1 - x0) * (y1 - y0)) as usize;
        assert!(bright > area / 8 && bright < area, "{bright} of {area}");
        assert_eq!(c.pixel(110, 5), [0; 4]);
        assert!(width("10^{5}", size) < width("105", size));
    }
}
