//! Frames as the server sends them: JPEG while the view changes, its quality adapted to how
//! fast the viewer takes frames; PNG (lossless) for the frame of a view at rest and for
//! screenshots.

use crate::error::{Error, Result};

/// JPEG quality range of interactive frames.
pub const QUALITY_RANGE: (u8, u8) = (50, 85);
/// Milliseconds a frame may take to leave the server (written to the socket) before the
/// quality drops.
pub const SLOW_SEND_MS: f64 = 30.0;

/// An encoded image.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub format: &'static str,
    pub bytes: Vec<u8>,
}

/// Encodes RGBA pixels as JPEG of `quality` (1-100); alpha is dropped.
pub fn jpeg(width: u32, height: u32, rgba: &[u8], quality: u8) -> Result<Encoded> {
    let (w, h) = side(width, height)?;
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, quality)
        .encode(rgba, w, h, jpeg_encoder::ColorType::Rgba)
        .map_err(|e| Error::Settings(format!("encoding a {width}x{height} JPEG: {e}")))?;
    Ok(Encoded {
        format: "jpeg",
        bytes,
    })
}

/// Encodes RGBA pixels as PNG: the bytes `amrcast render` writes for the same pixels.
pub fn png(width: u32, height: u32, rgba: &[u8]) -> Result<Encoded> {
    side(width, height)?;
    let mut bytes = Vec::new();
    crate::output::encode_png_rgba8(&mut bytes, width, height, rgba)
        .map_err(|e| Error::Settings(format!("encoding a {width}x{height} PNG: {e}")))?;
    Ok(Encoded {
        format: "png",
        bytes,
    })
}

fn side(width: u32, height: u32) -> Result<(u16, u16)> {
    match (u16::try_from(width), u16::try_from(height)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(Error::Settings(format!(
            "cannot encode a {width}x{height} image"
        ))),
    }
}

/// The JPEG quality of one viewer's frames: lowered while frames take long to leave (a slow
/// link), raised back while they go quickly.
#[derive(Clone, Debug)]
pub struct Quality {
    pub current: u8,
}

impl Default for Quality {
    fn default() -> Self {
        Quality {
            current: QUALITY_RANGE.1,
        }
    }
}

impl Quality {
    /// Records that the last frame took `send_ms` to be written to the socket.
    pub fn sent(&mut self, send_ms: f64) {
        let (lo, hi) = QUALITY_RANGE;
        self.current = if send_ms > SLOW_SEND_MS {
            self.current.saturating_sub(10).max(lo)
        } else if send_ms < SLOW_SEND_MS / 3.0 {
            (self.current + 5).min(hi)
        } else {
            self.current
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> Vec<u8> {
        (0..w * h)
            .flat_map(|i| [(i % w * 255 / w) as u8, (i / w * 255 / h) as u8, 90, 255])
            .collect()
    }

    #[test]
    fn jpeg_frames_decode_to_the_pixels_within_a_few_levels() {
        let rgba = gradient(64, 48);
        let e = jpeg(64, 48, &rgba, 85).unwrap();
        let back = image::load_from_memory(&e.bytes).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (64, 48));
        let worst = back
            .pixels()
            .zip(rgba.chunks_exact(4))
            .flat_map(|(a, b)| (0..3).map(move |c| (a.0[c] as i32 - b[c] as i32).abs()))
            .max()
            .unwrap();
        assert!(worst <= 12, "worst channel error {worst}");
    }

    #[test]
    fn png_frames_are_lossless() {
        let rgba = gradient(33, 17);
        let e = png(33, 17, &rgba).unwrap();
        let back = image::load_from_memory(&e.bytes).unwrap().to_rgba8();
        assert_eq!(back.into_raw(), rgba);
        assert!(jpeg(0, 5, &[], 80).is_err());
    }

    #[test]
    fn quality_drops_on_slow_sends_and_recovers() {
        let mut q = Quality::default();
        for _ in 0..10 {
            q.sent(100.0);
        }
        assert_eq!(q.current, QUALITY_RANGE.0);
        q.sent(1.0);
        assert_eq!(q.current, QUALITY_RANGE.0 + 5);
        q.sent(20.0);
        assert_eq!(q.current, QUALITY_RANGE.0 + 5);
    }
}
