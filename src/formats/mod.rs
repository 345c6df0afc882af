//! Readers: each format opens a dataset's geometry and field list cheaply, and reads one field
//! on request ("read only the field being rendered"), on every grid or on one grid alone (what
//! the out-of-core renderer reads, a brick at a time).

pub mod amrex;
pub mod athena;
pub mod chombo;
pub mod enzo;
pub mod flash;
pub(crate) mod hdf5;
pub mod hdf5_stream;
pub mod legacy_hdf5;
pub mod uniform;

use crate::amr::{AmrDataset, AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a reader knows about a dataset besides its grids.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    /// Format name as shown by `amrcast info` ("enzo", "athena++", "chombo", "hdf5", "demo").
    pub format: String,
    /// Short dataset name for titles ("DD0046", "demo").
    pub name: String,
    /// Simulation time in code units, where known.
    pub time: Option<f64>,
    /// Unit scales in cgs where known (e.g. "length" -> cm per code unit).
    pub units: BTreeMap<String, f64>,
}

/// An opened dataset: geometry, field names, and field reading.
pub trait DataSource: Send + Sync {
    fn metadata(&self) -> &Metadata;
    fn hierarchy(&self) -> &AmrHierarchy;
    /// Fields that can be rendered, in the file's order.
    fn field_names(&self) -> Vec<String>;
    /// Reads one field on every grid (as stored, converted to f32).
    fn read_field(&self, name: &str) -> Result<AmrField>;
    /// Reads one field on grid `n` of [`DataSource::hierarchy`] only (x fastest, the grid's
    /// cells): what the out-of-core renderer and the streamed statistics read. Readers override
    /// it to read just that grid (one HDF5 dataset, or a hyperslab of one); this default reads
    /// the whole field and keeps one grid, so it is correct but not lazy.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let field = self.read_field(name)?;
        field
            .data
            .get(n)
            .map(|d| d.to_vec())
            .ok_or_else(|| no_grid(name, n, field.data.len()))
    }
    /// Grids the file itself stores per level, where the hierarchy holds more (Athena++ stores
    /// only leaf blocks; their parents are synthesized for rendering). `None`: the hierarchy
    /// is what the file holds.
    fn stored_grids_per_level(&self) -> Option<Vec<usize>> {
        None
    }
}

/// The error for a grid index `n` beyond a hierarchy of `grids` grids.
pub(crate) fn no_grid(field: &str, n: usize, grids: usize) -> Error {
    Error::Invalid(format!(
        "field '{field}': no grid {n} in the hierarchy (it has {grids})"
    ))
}

/// `e` with `label` (the grid being read) put before what it says: "file: label: what".
pub(crate) fn within(e: Error, label: impl std::fmt::Display) -> Error {
    match e {
        Error::Format { path, what } => Error::Format {
            path,
            what: format!("{label}: {what}"),
        },
        Error::Io { path, error } => Error::Format {
            path,
            what: format!("{label}: {error}"),
        },
        other => other,
    }
}

/// The text file at `path` (a parameter file, a header): an error naming it when it cannot
/// be read or is not UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::format(
            path,
            format!("not a text file (invalid UTF-8 at byte {at})"),
        )
    })
}

/// The box of `dims` cells at `offset` inside an array of `stored` cells (x fastest): a grid's
/// values without the ghost cells a file stores around them. `None` when the box does not fit
/// in `raw`.
pub(crate) fn crop(
    raw: &[f32],
    stored: [usize; 3],
    offset: [usize; 3],
    dims: [usize; 3],
) -> Option<Vec<f32>> {
    if stored == dims && raw.len() == dims.iter().product::<usize>() {
        return Some(raw.to_vec());
    }
    let mut out = Vec::with_capacity(dims.iter().product());
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            // Checked: a damaged file's offsets make `None`, never an overflow.
            let plane = stored[1].checked_mul(offset[2].checked_add(k)?)?;
            let line = offset[1].checked_add(j)?.checked_add(plane)?;
            let row = stored[0].checked_mul(line)?.checked_add(offset[0])?;
            out.extend_from_slice(raw.get(row..row.checked_add(dims[0])?)?);
        }
    }
    Some(out)
}

/// Runs a read, turning a panic into the error `on_panic` makes of its message: `hdf5-reader`
/// panics on some damaged files (an arithmetic overflow on the sizes in a corrupt old-format
/// object header), and a damaged file must be an error, never a crash of the renderer.
pub(crate) fn catch_panic<T>(
    read: impl FnOnce() -> Result<T>,
    on_panic: impl FnOnce(String) -> Error,
) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Err(on_panic(format!("reading failed on damaged data ({msg})")))
    })
}

/// The formats `open` recognises, for error messages.
pub const SUPPORTED: &str = "Enzo (parameter file beside NAME.hierarchy), Athena++ (.athdf), Chombo (HDF5 with level_0), FLASH (HDF5 plot or checkpoint file), AMReX plotfile (directory with Header), or FILE.h5:/path/to/dataset (2-D or 3-D)";

/// A recognised dataset format and the path its reader opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Enzo: the parameter file (found from itself, its `.hierarchy` or its directory).
    Enzo(PathBuf),
}

/// Detects an Enzo dataset at `path` by name and content, without reading data.
pub fn detect(path: &Path) -> Option<Format> {
    enzo::detect(path).map(Format::Enzo)
}

/// Opens a dataset, detecting its format by name and content: Enzo first (text files), then
/// the HDF5 formats; a clear error listing the supported formats otherwise.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    if let Some(Format::Enzo(param)) = detect(path) {
        return Ok(Box::new(enzo::EnzoSource::open(&param)?));
    }
    if amrex::looks_like(path) {
        return amrex::open(path);
    }
    if let Some(source) = open_hdf5_format(path) {
        return source;
    }
    // A path that is not there at all says so, rather than "unsupported".
    if let Err(e) = std::fs::metadata(path) {
        return Err(Error::io(path, e));
    }
    if let Some(why) = unlistable_hdf5(path) {
        return Err(Error::format(path, why));
    }
    Err(Error::format(
        path,
        format!("not a supported dataset; supported formats: {SUPPORTED}"),
    ))
}

/// Why the root group of an HDF5 file cannot be listed, `None` when it can (or the file is
/// not HDF5): the format checks then recognise nothing, and "not a supported dataset" would
/// hide the cause.
fn unlistable_hdf5(path: &Path) -> Option<String> {
    let probe = || {
        let Ok(file) = hdf5_reader::Hdf5File::open(path) else {
            return Ok(None);
        };
        let e = match file.root_group().and_then(|g| g.member_names()) {
            Ok(_) => return Ok(None),
            Err(e) => e,
        };
        Ok(Some(format!(
            "cannot list the root group of this HDF5 file: {e}"
        )))
    };
    catch_panic(probe, |msg| Error::format(path, msg)).unwrap_or_else(|e| Some(e.to_string()))
}

/// Opens `path` when it is one of the HDF5 formats of [`athena`], [`chombo`], [`flash`] or
/// [`uniform`] (`FILE.h5:/path/to/dataset`); `None` when it looks like none of them, so
/// that `open` can go on to other formats.
pub fn open_hdf5_format(path: &Path) -> Option<Result<Box<dyn DataSource>>> {
    if !path.exists() {
        if let Some((file, dataset)) = path.to_str().and_then(uniform::split_spec) {
            return Some(uniform::open(&file, &dataset));
        }
        return None;
    }
    if athena::looks_like(path) {
        return Some(athena::open(path));
    }
    if chombo::looks_like(path) {
        return Some(chombo::open(path));
    }
    if flash::looks_like(path) {
        return Some(flash::open(path));
    }
    None
}

/// Reads `field` (or the default field when `None`) from a source into a renderable dataset.
pub fn load(source: &dyn DataSource, field: Option<&str>) -> Result<AmrDataset> {
    let name = field_name(source, field)?;
    let data = source.read_field(&name)?;
    AmrDataset::new(
        source.metadata().name.clone(),
        source.hierarchy().clone(),
        data,
    )
}

/// The field `field` names (checked to exist), or the default field when `None`.
pub fn field_name(source: &dyn DataSource, field: Option<&str>) -> Result<String> {
    let names = source.field_names();
    let name = match field {
        Some(f) => {
            if !names.iter().any(|n| n == f) {
                return Err(Error::UnknownField {
                    name: f.to_string(),
                    available: names.join(", "),
                });
            }
            f.to_string()
        }
        None => default_field(&names)
            .ok_or_else(|| Error::Invalid("the dataset has no fields".into()))?,
    };
    Ok(name)
}

/// Density when there is one (the usual first look), else the first field.
pub fn default_field(names: &[String]) -> Option<String> {
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case("density") || n.eq_ignore_ascii_case("rho"))
        .or_else(|| names.first())
        .cloned()
}
