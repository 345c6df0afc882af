//! Output files (PNG images, NPY arrays) written atomically: the bytes go to a temporary file in
//! the target's directory, which is renamed over the target only once everything was written.
//! A failure at any point leaves neither a half-written target nor a stray temporary file.

use crate::error::{Error, Result};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `path` by calling `f` with a buffered writer onto a temporary file beside it, then
/// renames that file into place. If `f` or any later step fails, the temporary file is removed
/// and an existing `path` is left untouched.
pub fn write_atomically(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let Some(file_name) = path.file_name() else {
        return Err(Error::io(
            path,
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot create the file: the path does not name a file",
            ),
        ));
    };
    let dir: PathBuf = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        let why = if dir.exists() {
            format!("{} is not a directory", dir.display())
        } else {
            format!("directory {} does not exist", dir.display())
        };
        return Err(Error::io(
            path,
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("cannot create the file: {why}"),
            ),
        ));
    }

    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", file_name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    // NamedTempFile defaults to 0o600; ask for 0o666 so that the umask decides, like File::create.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(|e| Error::io(path, e))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        f(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // On failure the returned NamedTempFile is dropped, which deletes the temporary file.
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes an 8-bit PNG of `width` x `height` pixels from RGBA bytes, row 0 at the top. When every
/// alpha is 255 the file is written as RGB (smaller, and viewers show no checkerboard).
pub fn write_png_rgba8(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(Error::format(
            path,
            format!("cannot write a {width}x{height} image: both sizes must be positive"),
        ));
    }
    let expected = (width as usize)
        .checked_mul(height as usize)
        .and_then(|n| n.checked_mul(4));
    if expected != Some(rgba.len()) {
        return Err(Error::format(
            path,
            format!(
                "image data has {} bytes but {width}x{height} RGBA pixels need {}",
                rgba.len(),
                expected.map_or_else(|| "more than fit in memory".to_string(), |n| n.to_string())
            ),
        ));
    }
    write_atomically(path, |w| encode_png_rgba8(w, width, height, rgba))
}

/// Encodes `width` x `height` RGBA pixels (their number already checked) as PNG into `w`: as
/// RGB when every pixel is opaque.
pub fn encode_png_rgba8(w: impl io::Write, width: u32, height: u32, rgba: &[u8]) -> io::Result<()> {
    use image::{ExtendedColorType, ImageEncoder};
    let opaque = rgba.chunks_exact(4).all(|p| p[3] == 255);
    let rgb: Vec<u8>;
    let (bytes, color) = if opaque {
        rgb = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        (rgb.as_slice(), ExtendedColorType::Rgb8)
    } else {
        (rgba, ExtendedColorType::Rgba8)
    };
    image::codecs::png::PngEncoder::new(w)
        .write_image(bytes, width, height, color)
        .map_err(io::Error::other)
}

/// Writes `data` as a NumPy `.npy` array of little-endian `f32` (`<f4`) with the given shape in
/// C order (last axis fastest). The shape's product must equal `data.len()`.
pub fn write_npy_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    use npyz::WriterBuilder;
    let count = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if count != Some(data.len()) {
        return Err(Error::format(
            path,
            format!(
                "array shape {shape:?} does not match the {} values given",
                data.len()
            ),
        ));
    }
    let dtype = npyz::DType::Plain(
        "<f4"
            .parse()
            .map_err(|e| Error::format(path, format!("NPY type <f4: {e}")))?,
    );
    let shape: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    write_atomically(path, |w| {
        let mut npy = npyz::WriteOptions::<f32>::new()
            .dtype(dtype)
            .shape(&shape)
            .writer(w)
            .begin_nd()?;
        npy.extend(data.iter().copied())?;
        npy.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn npy_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.npy");
        let data: Vec<f32> = vec![1e-30, 1e30, -2.5, 0.0, f32::MIN_POSITIVE, 3.25];
        write_npy_f32(&path, &[2, 3], &data).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        assert_eq!(npy.shape(), &[2, 3]);
        assert_eq!(npy.order(), npyz::Order::C);
        assert_eq!(npy.dtype().descr(), "'<f4'");
        let back: Vec<f32> = npy.into_vec().unwrap();
        assert_eq!(back.len(), 6);
        for (a, b) in back.iter().zip(&data) {
            assert_eq!(a.to_bits(), b.to_bits(), "{a} vs {b}");
        }
        assert_eq!(back[0], 1e-30);
        assert_eq!(back[1], 1e30);
        assert_eq!(entries(dir.path()), vec!["a.npy"]);
    }

    #[test]
    fn npy_shape_mismatch_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.npy");
        let e = write_npy_f32(&path, &[2, 2], &[1.0; 5]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("b.npy") && msg.contains("[2, 2]"), "{msg}");
        let e = write_npy_f32(&path, &[usize::MAX, 2], &[1.0]).unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn png_round_trip_rgba_and_rgb() {
        let dir = tempfile::tempdir().unwrap();
        let (w, h) = (3u32, 2u32);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        for (n, p) in rgba.chunks_exact_mut(4).enumerate() {
            p.copy_from_slice(&[n as u8 * 10, 100, 200 - n as u8, 255]);
        }
        // Opaque: written as RGB.
        let path = dir.path().join("opaque.png");
        write_png_rgba8(&path, w, h, &rgba).unwrap();
        let img = image::open(&path).unwrap();
        assert_eq!((img.width(), img.height()), (3, 2));
        assert_eq!(img.color(), image::ColorType::Rgb8);
        // Pixel (x=1, y=1) is the 5th in memory: row 0 is the top row.
        assert_eq!(img.to_rgba8().get_pixel(1, 1).0, [40, 100, 196, 255]);
        assert_eq!(img.to_rgba8().get_pixel(2, 0).0, [20, 100, 198, 255]);

        // Translucent: written as RGBA.
        rgba[4 * 4 + 3] = 7;
        let path = dir.path().join("alpha.png");
        write_png_rgba8(&path, w, h, &rgba).unwrap();
        let img = image::open(&path).unwrap();
        assert_eq!(img.color(), image::ColorType::Rgba8);
        assert_eq!(img.to_rgba8().get_pixel(1, 1).0, [40, 100, 196, 7]);
        assert_eq!(entries(dir.path()), vec!["alpha.png", "opaque.png"]);
    }

    #[test]
    fn png_size_mismatch_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        let e = write_png_rgba8(&path, 2, 2, &[0; 15]).unwrap_err();
        assert!(e.to_string().contains("15 bytes"), "{e}");
        let e = write_png_rgba8(&path, 0, 2, &[]).unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn failing_writer_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let e = write_atomically(&path, |w| {
            w.write_all(&[1u8; 100_000])?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("out.bin") && msg.contains("disk on fire"),
            "{msg}"
        );
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

        // An existing file survives a failed rewrite unchanged.
        std::fs::write(&path, b"old").unwrap();
        write_atomically(&path, |w| {
            w.write_all(b"new but incomplete")?;
            Err(io::Error::other("interrupted"))
        })
        .unwrap_err();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(dir.path()), vec!["out.bin"]);

        // And a successful one replaces it.
        write_atomically(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(entries(dir.path()), vec!["out.bin"]);
    }

    #[test]
    fn missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no_such_dir").join("x.npy");
        let e = write_npy_f32(&path, &[1], &[1.0]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            msg.contains("no_such_dir") && msg.contains("does not exist"),
            "{msg}"
        );
        assert!(matches!(e, Error::Io { .. }));
        assert!(entries(dir.path()).is_empty());

        // A file where the directory should be.
        let file = dir.path().join("plain");
        std::fs::write(&file, b"").unwrap();
        let e = write_atomically(&file.join("x.png"), |w| w.write_all(b"x")).unwrap_err();
        assert!(e.to_string().contains("is not a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.npy");
        write_npy_f32(&path, &[1], &[1.0]).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // Same mode as a file made the ordinary way (0o666 minus the umask), not tempfile's 0o600.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").unwrap();
        let expected = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "{mode:o} vs {expected:o}");
    }
}
