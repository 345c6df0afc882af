//! Reading `--values` and reference arrays (NPY) in tests.

use std::path::Path;

/// The shape and values of the NPY file at `path` (any element type npyz reads).
pub fn read_npy<T: npyz::Deserialize>(path: &Path) -> (Vec<usize>, Vec<T>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = npy.shape().iter().map(|&n| n as usize).collect();
    (shape, npy.into_vec::<T>().unwrap())
}
