//! Enzo's HDF5 data files: one group `/GridNNNNNNNN` per grid with one dataset per field, in
//! the file each grid's `BaryonFileName` names (packed `.cpuNNNN` files holding many grids).
//! Old-format files (HDF5 1.4-1.8) are read through [`LegacyFile`], newer ones, and features
//! of newer files found in an old-format one, through [`H5File`]. One grid's field is one
//! dataset ([`read_grid`]); a whole field reads every grid, one file at a time ([`read_field`]).

use super::text::HierarchyGrid;
use crate::error::{Error, Result};
use crate::formats::catch_panic;
use crate::formats::hdf5::{h5_message, is_not_found, H5Error, H5File};
use crate::formats::legacy_hdf5::{Dtype, LegacyError, LegacyFile};
use hdf5_reader::{Dataset, Datatype};
use std::collections::HashMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

/// Where one grid's data lives and how to cut its active cells out of the stored array.
#[derive(Clone, Debug)]
pub(super) struct GridData {
    id: u64,
    file: PathBuf,
    group: String,
    /// 2 or 3: a 2-D grid's datasets are (ny, nx).
    rank: usize,
    /// Active cells (x, y, z).
    dims: [usize; 3],
    /// The stored array including ghost zones (x, y, z) and the active cells' offset in it.
    full: [usize; 3],
    offset: [usize; 3],
}

impl GridData {
    /// The grid's data file.
    pub(super) fn file(&self) -> &Path {
        &self.file
    }

    fn new(g: &HierarchyGrid, file: PathBuf) -> Self {
        let dims = g.dims();
        let offset = g.start.map(|s| s as usize);
        let full = match g.dimension {
            Some(d) => d.map(|v| v as usize),
            None => [0, 1, 2].map(|a| dims[a] + 2 * offset[a]),
        };
        GridData {
            id: g.id,
            file,
            group: g.group_name(),
            rank: g.rank,
            dims,
            full,
            offset,
        }
    }

    /// The HDF5 shapes (nz, ny, nx), or (ny, nx) in 2-D, of a field of this grid: the active
    /// cells, and the stored array with ghost zones.
    fn shapes(&self) -> (Vec<u64>, Vec<u64>) {
        (self.zyx(self.dims), self.zyx(self.full))
    }

    /// HDF5 shape (nz, ny, nx), or (ny, nx) in 2-D, of an (x, y, z) size.
    fn zyx(&self, d: [usize; 3]) -> Vec<u64> {
        let all = [d[2] as u64, d[1] as u64, d[0] as u64];
        all[3 - self.rank..].to_vec()
    }
}

/// Whether a dataset of shape `shape` holds the cells of `want` (an HDF5 shape): the same
/// once leading axes of length 1 are dropped, so a 2-D grid may be stored (ny, nx) or
/// (1, ny, nx).
fn fits(shape: &[u64], want: &[u64]) -> bool {
    let strip = |s: &[u64]| s[s.iter().position(|&d| d != 1).unwrap_or(s.len())..].to_vec();
    strip(shape) == strip(want)
}

/// Finds the data file of every grid of the hierarchy file `hpath` (see
/// [`resolve_data_file`]); a grid without one is an error naming the file it should be.
pub(super) fn locate_grids(hgrids: &[HierarchyGrid], hpath: &Path) -> Result<Vec<GridData>> {
    let dir = hpath.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut resolved: HashMap<&str, PathBuf> = HashMap::new();
    let mut grids = Vec::with_capacity(hgrids.len());
    for g in hgrids {
        let written = g.baryon_file.as_deref().ok_or_else(|| {
            Error::format(
                hpath,
                format!(
                    "line {}: grid {} has no BaryonFileName (no fields stored)",
                    g.line, g.id
                ),
            )
        })?;
        let file = match resolved.get(written) {
            Some(f) => f.clone(),
            None => {
                let f = resolve_data_file(&dir, written).ok_or_else(|| {
                    let name = Path::new(written)
                        .file_name()
                        .map(|n| dir.join(n))
                        .unwrap_or_else(|| dir.join(written));
                    Error::format(
                        &name,
                        format!(
                            "data file of grid {} is missing (BaryonFileName = {written} in {}, line {})",
                            g.id,
                            hpath.display(),
                            g.line
                        ),
                    )
                })?;
                resolved.insert(written, f.clone());
                f
            }
        };
        grids.push(GridData::new(g, file));
    }
    Ok(grids)
}

/// Finds a grid's data file: relative names beside the hierarchy, absolute ones as written,
/// and in both cases the bare file name in the hierarchy's folder (Enzo often writes the
/// absolute path of the machine that ran it).
fn resolve_data_file(dir: &Path, written: &str) -> Option<PathBuf> {
    let w = Path::new(written);
    let mut candidates = Vec::new();
    if w.is_relative() {
        candidates.push(dir.join(w));
    }
    if let Some(name) = w.file_name() {
        candidates.push(dir.join(name));
    }
    if w.is_absolute() {
        candidates.push(w.to_path_buf());
    }
    candidates.into_iter().find(|c| c.is_file())
}

/// What a read is about, for its errors: "`file`: `what`: cause". `file` is the grid's data
/// file as its hierarchy entry names it (names that differ only by `./` share one open file).
struct Context<'a> {
    file: &'a Path,
    what: String,
}

impl Context<'_> {
    fn error(&self, cause: impl Display) -> Error {
        Error::format(self.file, format!("{}: {cause}", self.what))
    }

    /// An error of the HDF5 library.
    fn h5(&self, e: H5Error) -> Error {
        self.error(h5_message(&e))
    }
}

/// An open data file: an old-format file through [`LegacyFile`], a newer one through
/// [`H5File`], which is also the fallback for features of newer files that an old-format one
/// uses.
pub(super) struct DataFile {
    path: PathBuf,
    legacy: Option<LegacyFile>,
    /// Opened at once for a newer file, on first need for an old-format one.
    modern: Option<H5File>,
}

/// A dataset's name, shape (nz, ny, nx) and whether it holds 32- or 64-bit floats.
struct DsInfo {
    name: String,
    shape: Vec<u64>,
    float: bool,
}

impl DataFile {
    fn open(path: &Path) -> Result<Self> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let cannot = |e: &dyn Display| Error::format(path, format!("cannot open as HDF5: {e}"));
        let legacy = LegacyFile::open(f).map_err(|e| cannot(&e))?;
        let modern = match legacy {
            Some(_) => None,
            // With the check that the file is as long as its superblock says.
            None => Some(H5File::open(path)?),
        };
        Ok(DataFile {
            path: path.to_path_buf(),
            legacy,
            modern,
        })
    }

    /// The file through `hdf5-reader`.
    fn modern(&mut self, cx: &Context) -> Result<&H5File> {
        let f = match self.modern.take() {
            Some(f) => f,
            None => H5File::open_plain(&self.path).map_err(|e| cx.h5(e))?,
        };
        Ok(self.modern.insert(f))
    }

    /// The datasets of `group` (e.g. `Grid00000001`).
    fn datasets(&mut self, group: &str, cx: &Context) -> Result<Vec<DsInfo>> {
        if let Some(legacy) = &mut self.legacy {
            match legacy.datasets(group) {
                Ok(list) => {
                    return Ok(list
                        .into_iter()
                        .map(|(name, m)| DsInfo {
                            name,
                            float: matches!(m.dtype, Dtype::Float { size: 4 | 8, .. }),
                            shape: m.shape,
                        })
                        .collect())
                }
                Err(LegacyError::Unsupported(_)) => {}
                Err(e) => return Err(cx.error(e)),
            }
        }
        let f = self.modern(cx)?;
        let g = f.group_at(group).map_err(|e| cx.h5(e))?;
        let datasets = g.datasets().map_err(|e| cx.h5(e))?;
        Ok(datasets
            .iter()
            .map(|d| DsInfo {
                name: d.name().rsplit('/').next().unwrap_or(d.name()).to_string(),
                shape: d.shape().to_vec(),
                float: matches!(d.dtype(), Datatype::FloatingPoint { size: 4 | 8, .. }),
            })
            .collect())
    }

    /// Reads dataset `dset` (e.g. `/Grid00000001/Density`) as f32 after `check` accepts its
    /// shape.
    fn read(
        &mut self,
        dset: &str,
        cx: &Context,
        check: &dyn Fn(&[u64]) -> Result<()>,
    ) -> Result<Vec<f32>> {
        if let Some(legacy) = &mut self.legacy {
            let values = match legacy.dataset(dset) {
                Ok(meta) => {
                    check(&meta.shape)?;
                    legacy.read_f32(&meta)
                }
                Err(e) => Err(e),
            };
            match values {
                Ok(v) => return Ok(v),
                Err(LegacyError::Unsupported(_)) => {}
                Err(e) => return Err(cx.error(e)),
            }
        }
        let f = self.modern(cx)?;
        let ds = f.dataset_at(dset).map_err(|e| match is_not_found(&e) {
            true => cx.error("no such dataset in the file"),
            false => cx.h5(e),
        })?;
        check(ds.shape())?;
        read_floats(&ds, cx)
    }
}

/// Reads a whole dataset of 32- or 64-bit floats as f32.
fn read_floats(ds: &Dataset, cx: &Context) -> Result<Vec<f32>> {
    let n: usize = ds.shape().iter().map(|&d| d as usize).product();
    match ds.dtype() {
        Datatype::FloatingPoint { size: 4, .. } => {
            let mut v = vec![0f32; n];
            ds.read_into(&mut v).map_err(|e| cx.h5(e))?;
            Ok(v)
        }
        Datatype::FloatingPoint { size: 8, .. } => {
            let mut v = vec![0f64; n];
            ds.read_into(&mut v).map_err(|e| cx.h5(e))?;
            Ok(v.into_iter().map(|x| x as f32).collect())
        }
        other => Err(cx.error(format!(
            "unsupported element type {other:?} (expected 32- or 64-bit floats)"
        ))),
    }
}

/// Opens grid `g`'s data file; errors name the file and the grid ("grid 17: ...").
pub(super) fn open_data_file(g: &GridData) -> Result<DataFile> {
    let open = || DataFile::open(&g.file);
    catch_panic(open, |msg| Error::format(&g.file, msg)).map_err(|e| match e {
        Error::Io { path, error } => Error::format(
            path,
            format!("grid {}: cannot open the data file: {error}", g.id),
        ),
        Error::Format { path, what } => Error::format(path, format!("grid {}: {what}", g.id)),
        other => other,
    })
}

/// Field names: the datasets of the first grid's group whose shape is the grid's cells (with or
/// without ghost zones) and whose values are floats; particle datasets and anything else are
/// skipped.
pub(super) fn list_fields(grids: &[GridData]) -> Result<Vec<String>> {
    let Some(g) = grids.first() else {
        return Ok(Vec::new());
    };
    let mut file = open_data_file(g)?;
    let cx = Context {
        file: &g.file,
        what: format!("grid {}: cannot list group /{}", g.id, g.group),
    };
    let datasets = catch_panic(|| file.datasets(&g.group, &cx), |msg| cx.error(msg))?;
    let (active, full) = g.shapes();
    let mut names: Vec<String> = datasets
        .into_iter()
        .filter(|d| !d.name.starts_with("particle_"))
        .filter(|d| d.float && (fits(&d.shape, &active) || fits(&d.shape, &full)))
        .map(|d| d.name)
        .collect();
    names.dedup();
    Ok(names)
}

/// Reads `field` on every grid, as f32 with ghost zones removed: file by file (in the order of
/// each file's first grid), each opened once and closed before the next, so that a dataset of
/// thousands of files never holds more than one open.
pub(super) fn read_field(grids: &[GridData], field: &str) -> Result<Vec<Vec<f32>>> {
    let mut by_file: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<&Path, usize> = HashMap::new();
    for (n, g) in grids.iter().enumerate() {
        let s = *slot.entry(g.file.as_path()).or_insert_with(|| {
            by_file.push(Vec::new());
            by_file.len() - 1
        });
        by_file[s].push(n);
    }
    let mut data = vec![Vec::new(); grids.len()];
    for members in by_file {
        let mut file = open_data_file(&grids[members[0]])?;
        for n in members {
            data[n] = read_grid(&mut file, &grids[n], field)?;
        }
    }
    Ok(data)
}

/// Reads one grid's dataset `/GridNNNNNNNN/<field>` of its open data file, as f32 with ghost
/// zones removed: what [`read_field`] does for every grid, and the Enzo reader's `read_grid`
/// for one.
pub(super) fn read_grid(file: &mut DataFile, g: &GridData, field: &str) -> Result<Vec<f32>> {
    let path = format!("/{}/{}", g.group, field);
    let cx = Context {
        file: &g.file,
        what: format!("grid {}: {path}", g.id),
    };
    catch_panic(|| read_dataset(file, g, &path, &cx), |msg| cx.error(msg))
}

/// [`read_grid`] of dataset `path`.
fn read_dataset(file: &mut DataFile, g: &GridData, path: &str, cx: &Context) -> Result<Vec<f32>> {
    let (active, full) = g.shapes();
    let check = |shape: &[u64]| -> Result<()> {
        if fits(shape, &active) || fits(shape, &full) {
            return Ok(());
        }
        Err(cx.error(format!(
            "shape {shape:?} does not match the hierarchy's {active:?} active cells ({}){}",
            if g.rank == 2 { "ny, nx" } else { "nz, ny, nx" },
            if full != active {
                format!(" or {full:?} with ghost zones")
            } else {
                String::new()
            }
        )))
    };
    let values = file.read(path, cx, &check)?;
    let n_active: usize = g.dims.iter().product();
    if values.len() == n_active {
        return Ok(values);
    }
    crate::formats::crop(&values, g.full, g.offset, g.dims)
        .ok_or_else(|| cx.error("ghost-zone layout does not fit the array"))
}
