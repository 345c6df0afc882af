//! Enzo's HDF5 data files: one group `/GridNNNNNNNN` per grid with one dataset per field,
//! in packed `.cpuNNNN` files (or any file a grid's `BaryonFileName` names). Old-format files
//! (HDF5 1.4-1.8) are read through [`legacy_hdf5`], newer ones through `hdf5-reader`.

use crate::error::{Error, Result};
use crate::formats::legacy_hdf5;
use hdf5_reader::{Datatype, Hdf5File};
use std::path::{Path, PathBuf};

/// Where one grid's data lives and how to cut its active cells out of the stored array.
#[derive(Clone, Debug)]
pub(super) struct GridData {
    pub(super) id: u64,
    pub(super) file: PathBuf,
    pub(super) group: String,
    /// Active cells (x, y, z).
    pub(super) dims: [usize; 3],
    /// The stored array including ghost zones (x, y, z) and the active cells' offset in it.
    pub(super) full: [usize; 3],
    pub(super) offset: [usize; 3],
}

/// An open HDF5 data file: old-format files through [`legacy`], newer ones through
/// `hdf5-reader` (also the fallback for features of newer files found in an old-format one).
pub(super) enum H5 {
    Legacy {
        file: legacy_hdf5::LegacyFile,
        path: PathBuf,
        modern: Option<Hdf5File>,
    },
    Modern(Hdf5File),
}

/// A dataset's name, shape (nz, ny, nx) and whether it holds 32- or 64-bit floats.
struct DsInfo {
    name: String,
    shape: Vec<u64>,
    float: bool,
}

pub(super) fn open_h5(path: &Path) -> Result<H5> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    match legacy_hdf5::LegacyFile::open(f) {
        Ok(Some(file)) => Ok(H5::Legacy {
            file,
            path: path.to_path_buf(),
            modern: None,
        }),
        Ok(None) => Hdf5File::open(path)
            .map(H5::Modern)
            .map_err(|e| Error::format(path, format!("cannot open as HDF5: {e}"))),
        Err(e) => Err(Error::format(path, format!("cannot open as HDF5: {e}"))),
    }
}

fn modern_of<'a>(modern: &'a mut Option<Hdf5File>, path: &Path) -> Result<&'a Hdf5File, String> {
    if modern.is_none() {
        *modern = Some(Hdf5File::open(path).map_err(|e| e.to_string())?);
    }
    modern.as_ref().ok_or_else(|| "cannot open".to_string())
}

fn modern_datasets(file: &Hdf5File, group: &str) -> Result<Vec<DsInfo>, String> {
    let g = file.group(group).map_err(|e| e.to_string())?;
    let datasets = g.datasets().map_err(|e| e.to_string())?;
    Ok(datasets
        .iter()
        .map(|d| DsInfo {
            name: d.name().rsplit('/').next().unwrap_or(d.name()).to_string(),
            shape: d.shape().to_vec(),
            float: matches!(d.dtype(), Datatype::FloatingPoint { size: 4 | 8, .. }),
        })
        .collect())
}

fn modern_read(
    file: &Hdf5File,
    path: &str,
    check: &dyn Fn(&[u64]) -> Result<(), String>,
) -> Result<Vec<f32>, String> {
    let ds = file.dataset(path).map_err(|e| e.to_string())?;
    check(ds.shape())?;
    let n: usize = ds.shape().iter().map(|&d| d as usize).product();
    match ds.dtype() {
        Datatype::FloatingPoint { size: 4, .. } => {
            let mut v = vec![0f32; n];
            ds.read_into(&mut v).map_err(|e| e.to_string())?;
            Ok(v)
        }
        Datatype::FloatingPoint { size: 8, .. } => {
            let mut v = vec![0f64; n];
            ds.read_into(&mut v).map_err(|e| e.to_string())?;
            Ok(v.into_iter().map(|x| x as f32).collect())
        }
        other => Err(format!(
            "unsupported element type {other:?} (expected 32- or 64-bit floats)"
        )),
    }
}

/// Decodes 4- or 8-byte floats of either byte order to f32.
fn decode_floats(bytes: &[u8], size: usize, big_endian: bool) -> Result<Vec<f32>, String> {
    match size {
        4 => Ok(bytes
            .chunks_exact(4)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3]];
                if big_endian {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                }
            })
            .collect()),
        8 => Ok(bytes
            .chunks_exact(8)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                (if big_endian {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            })
            .collect()),
        n => Err(format!(
            "unsupported {n}-byte floats (expected 32- or 64-bit)"
        )),
    }
}

impl H5 {
    /// The datasets of `group` (e.g. `Grid00000001`).
    fn datasets(&mut self, group: &str) -> Result<Vec<DsInfo>, String> {
        match self {
            H5::Modern(f) => modern_datasets(f, group),
            H5::Legacy { file, path, modern } => match file.datasets(group) {
                Ok(list) => Ok(list
                    .into_iter()
                    .map(|(name, m)| DsInfo {
                        name,
                        float: matches!(m.dtype, legacy_hdf5::Dtype::Float { size: 4 | 8, .. }),
                        shape: m.shape,
                    })
                    .collect()),
                Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                    modern_datasets(modern_of(modern, path)?, group)
                }
                Err(e) => Err(e.to_string()),
            },
        }
    }

    /// Reads dataset `path` as f32 after `check` accepts its shape.
    fn read(
        &mut self,
        dset: &str,
        check: &dyn Fn(&[u64]) -> Result<(), String>,
    ) -> Result<Vec<f32>, String> {
        match self {
            H5::Modern(f) => modern_read(f, dset, check),
            H5::Legacy { file, path, modern } => {
                let meta = match file.dataset(dset) {
                    Ok(m) => m,
                    Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                        return modern_read(modern_of(modern, path)?, dset, check)
                    }
                    Err(e) => return Err(e.to_string()),
                };
                check(&meta.shape)?;
                let (size, big_endian) = match &meta.dtype {
                    legacy_hdf5::Dtype::Float { size, big_endian } => (*size, *big_endian),
                    legacy_hdf5::Dtype::Other(s) => {
                        return Err(format!(
                            "unsupported element type ({s}; expected 32- or 64-bit floats)"
                        ))
                    }
                };
                if size != 4 && size != 8 {
                    return Err(format!("unsupported {size}-byte floats"));
                }
                match file.read_bytes(&meta) {
                    Ok(bytes) => decode_floats(&bytes, size, big_endian),
                    Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                        modern_read(modern_of(modern, path)?, dset, check)
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    }
}

/// Field names: the datasets of the first grid's group whose shape is the grid's cells (with or
/// without ghost zones) and whose values are floats; particle datasets and anything else are
/// skipped.
pub(super) fn list_fields(grids: &[GridData]) -> Result<Vec<String>> {
    let Some(g) = grids.first() else {
        return Ok(Vec::new());
    };
    let mut file = open_h5(&g.file)?;
    let datasets = file.datasets(&g.group).map_err(|e| {
        Error::format(
            &g.file,
            format!("grid {}: cannot list group /{}: {e}", g.id, g.group),
        )
    })?;
    let active = zyx(g.dims);
    let full = zyx(g.full);
    let mut names: Vec<String> = datasets
        .into_iter()
        .filter(|d| !d.name.starts_with("particle_"))
        .filter(|d| d.float && (d.shape == active || d.shape == full))
        .map(|d| d.name)
        .collect();
    names.dedup();
    Ok(names)
}

/// HDF5 shape (nz, ny, nx) of an (x, y, z) size.
fn zyx(d: [usize; 3]) -> [u64; 3] {
    [d[2] as u64, d[1] as u64, d[0] as u64]
}

/// Reads one grid's dataset as f32 with ghost zones removed.
pub(super) fn read_grid(file: &mut H5, g: &GridData, field: &str) -> Result<Vec<f32>> {
    let path = format!("/{}/{}", g.group, field);
    let err = |what: String| Error::format(&g.file, format!("grid {}: {path}: {what}", g.id));
    let active = zyx(g.dims);
    let full = zyx(g.full);
    let check = |shape: &[u64]| -> Result<(), String> {
        if shape == active || shape == full {
            Ok(())
        } else {
            Err(format!(
                "shape {shape:?} does not match the hierarchy's {active:?} active cells (nz, ny, nx){}",
                if full != active {
                    format!(" or {full:?} with ghost zones")
                } else {
                    String::new()
                }
            ))
        }
    };
    let values = file.read(&path, &check).map_err(err)?;
    let n_active: usize = g.dims.iter().product();
    if values.len() == n_active {
        return Ok(values);
    }
    let [nx, ny, nz] = g.dims;
    let [fx, fy, _] = g.full;
    let [ox, oy, oz] = g.offset;
    let mut out = Vec::with_capacity(n_active);
    for k in 0..nz {
        for j in 0..ny {
            let row = ox + fx * ((oy + j) + fy * (oz + k));
            let src = values
                .get(row..row + nx)
                .ok_or_else(|| err("ghost-zone layout does not fit the array".into()))?;
            out.extend_from_slice(src);
        }
    }
    Ok(out)
}
