//! Where the real outputs of ../shared/data/external are: `$AMRCAST_EXTERNAL_DATA` when set,
//! else `../shared/data/external` beside the crate root. Tests that use them skip, with a
//! printed message, when the folder is absent.

use std::path::{Path, PathBuf};

/// The external data folder, or `None` (with a message saying where it was looked for) when
/// it is absent.
pub fn external_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("AMRCAST_EXTERNAL_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/external"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the external data folder {} is absent (set AMRCAST_EXTERNAL_DATA)",
            dir.display()
        );
        None
    }
}

/// A 2-D `.npy` array of floats as f64: its shape `(rows, cols)` and values, row-major.
pub fn read_npy_2d(path: &Path) -> ((usize, usize), Vec<f64>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&n| n as usize).collect();
    assert_eq!(shape.len(), 2, "{}: shape {shape:?}", path.display());
    let v = match npy.dtype().num_bytes() {
        Some(4) => npy
            .into_vec::<f32>()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect(),
        _ => npy.into_vec::<f64>().unwrap(),
    };
    ((shape[0], shape[1]), v)
}

/// A reference image of the folder (`[row, col] = [y, x]`, row 0 at the LOWEST y) with its
/// rows flipped to amrcast's order (row 0 at the top).
pub fn reference_top_down(path: &Path) -> ((usize, usize), Vec<f64>) {
    let ((h, w), v) = read_npy_2d(path);
    let flipped = (0..h)
        .rev()
        .flat_map(|r| v[r * w..(r + 1) * w].to_vec())
        .collect();
    ((h, w), flipped)
}

/// L1 difference `sum |a - b| / sum |b|` of `ours` against the reference `theirs`.
pub fn l1(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len());
    let (mut diff, mut total) = (0.0f64, 0.0f64);
    for (a, b) in ours.iter().zip(theirs) {
        diff += (a - b).abs();
        total += b.abs();
    }
    diff / total
}
