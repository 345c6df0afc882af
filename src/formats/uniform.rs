//! Any HDF5 file with a 3-D or 2-D numeric dataset, read as one uniform grid:
//! `amrcast render file.h5:/path/to/dataset`.
//!
//! The dataset's shape is (nz, ny, nx) in C order, so x varies fastest as the model wants; a
//! 2-D dataset (ny, nx) is a 2-D dataset of the model (one cell thick, shown as an image). The
//! domain is the unit cube scaled by the aspect ratio: its lower corner is the origin and its
//! upper corner is `[nx, ny, nz] / max(nx, ny, nz)` (nz = 1 for 2-D). Any integer or floating-point type in
//! either byte order is converted to `f32`.

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{describe, is_not_found, is_numeric, stem, H5File};
use crate::formats::{catch_panic, DataSource, Metadata};
use glam::DVec3;
use hdf5_reader::group::Group;
use std::path::{Path, PathBuf};

/// One 3-D or 2-D dataset of an HDF5 file as a single uniform grid.
pub struct Hdf5Uniform {
    dataset: String,
    field: String,
    file: H5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
}

/// Opens `dataset` (an HDF5 path such as `/fields/density`) of the file at `path`.
pub fn open(path: &Path, dataset: &str) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(Hdf5Uniform::open(path, dataset)?))
}

/// Splits `FILE:/path/in/file` into the file and the dataset path. The split is at the first
/// `:/` whose prefix names an existing file, else at the first `:/`; `None` without one.
pub fn split_spec(spec: &str) -> Option<(PathBuf, String)> {
    let splits: Vec<usize> = spec.match_indices(":/").map(|(i, _)| i).collect();
    let pick = splits
        .iter()
        .copied()
        .find(|&i| Path::new(&spec[..i]).is_file())
        .or_else(|| splits.first().copied())?;
    if pick == 0 {
        return None;
    }
    Some((PathBuf::from(&spec[..pick]), spec[pick + 1..].to_string()))
}

impl Hdf5Uniform {
    pub fn open(path: &Path, dataset: &str) -> Result<Self> {
        let file = H5File::open(path)?;
        let name = dataset.trim_matches('/');
        if name.is_empty() {
            return Err(file.error("no dataset path given (use FILE:/path/to/dataset)"));
        }
        let dims = grid_dims(&file, name)?;
        let m = *dims.iter().max().unwrap_or(&1) as f64;
        let right = DVec3::new(dims[0] as f64 / m, dims[1] as f64 / m, dims[2] as f64 / m);
        let grid = AmrGrid {
            id: 0,
            level: 0,
            left: DVec3::ZERO,
            right,
            dims,
        };
        let hierarchy = AmrHierarchy::new(DVec3::ZERO, right, dims, 2, vec![grid])
            .map_err(|e| file.error(e.to_string()))?;
        let field = name.rsplit('/').next().unwrap_or(name).to_string();
        Ok(Hdf5Uniform {
            dataset: name.to_string(),
            field,
            metadata: Metadata {
                format: "hdf5".into(),
                name: stem(path),
                time: None,
                units: Default::default(),
            },
            file,
            hierarchy,
        })
    }

    /// The dataset's path inside the file (without the leading `/`).
    pub fn dataset_path(&self) -> &str {
        &self.dataset
    }
}

/// The cells (x, y, z) of dataset `name` (without the leading `/`), after checking that it
/// can be read as a uniform grid.
fn grid_dims(file: &H5File, name: &str) -> Result<[usize; 3]> {
    let ds = file.dataset_at(name).map_err(|e| {
        if !is_not_found(&e) {
            return file.error(format!("cannot open dataset '/{name}': {e}"));
        }
        let found: Vec<String> = dataset_paths(file)
            .into_iter()
            .filter(|(_, s)| s.len() == 3 || s.len() == 2)
            .map(|(p, s)| format!("{p} {s:?}"))
            .collect();
        file.error(format!(
            "no dataset '/{name}' in the file; 2-D and 3-D datasets found: {}",
            if found.is_empty() {
                "none".to_string()
            } else {
                found.join(", ")
            }
        ))
    })?;
    let shape = ds.shape().to_vec();
    if shape.len() != 3 && shape.len() != 2 {
        return Err(file.error(format!(
            "dataset '/{name}' has shape {shape:?} ({}-D); a uniform grid needs a 2-D or 3-D dataset",
            shape.len()
        )));
    }
    if shape.contains(&0) {
        return Err(file.error(format!(
            "dataset '/{name}' has shape {shape:?} with an empty axis"
        )));
    }
    file.checked_len(&ds, &format!("dataset '/{name}'"))?;
    if !is_numeric(ds.dtype()) {
        return Err(file.error(format!(
            "dataset '/{name}' has type {}; only integer and floating-point data can be rendered",
            describe(ds.dtype())
        )));
    }
    // (nz, ny, nx) or (ny, nx) in C order.
    Ok(match shape[..] {
        [ny, nx] => [nx as usize, ny as usize, 1],
        _ => [shape[2] as usize, shape[1] as usize, shape[0] as usize],
    })
}

/// Paths of the datasets in the file (depth-first, bounded), with their shapes: for messages.
fn dataset_paths(file: &H5File) -> Vec<(String, Vec<u64>)> {
    fn walk(g: &Group, prefix: &str, depth: usize, out: &mut Vec<(String, Vec<u64>)>) {
        if depth > 8 || out.len() >= 50 {
            return;
        }
        let Ok((groups, datasets)) = g.members() else {
            return;
        };
        for d in datasets {
            if out.len() >= 50 {
                return;
            }
            out.push((format!("{prefix}/{}", d.name()), d.shape().to_vec()));
        }
        for sub in groups {
            walk(&sub, &format!("{prefix}/{}", sub.name()), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    if let Ok(r) = file.root() {
        walk(&r, "", 0, &mut out);
    }
    out
}

impl Hdf5Uniform {
    /// The dataset's values (field `name`, which must be the one field), x fastest.
    fn read_values(&self, name: &str) -> Result<Vec<f32>> {
        let what = format!("dataset '/{}'", self.dataset);
        catch_panic(
            || self.read_dataset(name, &what),
            |msg| self.file.error(format!("{what}: {msg}")),
        )
    }

    fn read_dataset(&self, name: &str, what: &str) -> Result<Vec<f32>> {
        if name != self.field {
            return Err(Error::UnknownField {
                name: name.to_string(),
                available: self.field.clone(),
            });
        }
        let ds = self
            .file
            .dataset_at(&self.dataset)
            .map_err(self.file.context(format!("cannot open {what}")))?;
        let values = self.file.read_f32(&ds, None, what)?;
        let cells = self.hierarchy.grids[0].num_cells();
        if values.len() != cells {
            return Err(self.file.error(format!(
                "{what} holds {} values, expected {cells}",
                values.len()
            )));
        }
        Ok(values)
    }
}

impl DataSource for Hdf5Uniform {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        vec![self.field.clone()]
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        Ok(AmrField {
            name: self.field.clone(),
            data: vec![self.read_values(name)?.into()],
        })
    }
    /// The one grid is the whole dataset.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        match n {
            0 => self.read_values(name),
            _ => Err(crate::formats::no_grid(name, n, 1)),
        }
    }
}
