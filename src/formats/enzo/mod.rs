//! Enzo reader: a text parameter file (`DD0046/DD0046`), a text hierarchy beside it
//! (`DD0046.hierarchy`) and HDF5 data files (`DD0046.cpuNNNN`) with one group `/GridNNNNNNNN`
//! per grid and one dataset per field.
//!
//! The text parsers ([`parse_parameters`], [`parse_hierarchy`], in `text.rs`) are pure
//! functions over `&str` that report line numbers; [`build_hierarchy`] turns their output into
//! a validated [`AmrHierarchy`]. The data files are read in `files.rs`, grid by grid through
//! the open files of `file_cache.rs`; [`EnzoSource`] puts them together, and [`detect`] finds a
//! dataset's parameter file. [`write_enzo`] (`write.rs`) writes a dataset in the same layout.
//!
//! Opening reads the two text files and lists the fields in the first grid's data file; every
//! other data file is opened only when a grid in it is read.
//!
//! 2-D runs (`TopGridRank = 2`, `GridRank = 2`, datasets (ny, nx)) are hierarchies one cell
//! thick: refined by `[RefineBy, RefineBy, 1]`, every grid spanning the domain's z extent.

mod file_cache;
mod files;
mod text;
mod write;

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::read_text;
use crate::formats::{DataSource, Metadata};
use file_cache::{FileCache, OPEN_FILES};
use files::{list_fields, locate_grids, GridData};
use glam::DVec3;
use std::fmt;
use std::path::{Path, PathBuf};
pub use text::{
    parse_hierarchy, parse_parameters, HierarchyGrid, Parameters, ParseError, MAX_AXIS_CELLS,
    MAX_GRID_CELLS, MAX_REFINE_BY, MAX_ROOT_DIM,
};
pub use write::{write_enzo, EnzoLayout, WriteGrid, Written};

/// An opened Enzo dataset.
pub struct EnzoSource {
    meta: Metadata,
    hierarchy: AmrHierarchy,
    grids: Vec<GridData>,
    fields: Vec<String>,
    /// The data files `read_grid` keeps open.
    files: FileCache,
}

impl fmt::Debug for EnzoSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnzoSource")
            .field("name", &self.meta.name)
            .field("grids", &self.grids.len())
            .field("fields", &self.fields)
            .finish()
    }
}

impl EnzoSource {
    /// Opens the dataset whose parameter file is `param` (see [`detect`] for other paths).
    pub fn open(param: &Path) -> Result<Self> {
        let ptext = read_text(param)?;
        let params = parse_parameters(&ptext).map_err(|e| e.into_error(param))?;
        let hpath = hierarchy_path(param);
        if !hpath.is_file() {
            return Err(Error::format(
                param,
                format!(
                    "Enzo hierarchy file {} is missing (expected beside the parameter file)",
                    hpath.display()
                ),
            ));
        }
        let htext = read_text(&hpath)?;
        let hgrids = parse_hierarchy(&htext).map_err(|e| e.into_error(&hpath))?;
        let hierarchy = build_hierarchy(&params, &hgrids).map_err(|e| match e {
            Error::Invalid(msg) => Error::format(&hpath, msg),
            other => other,
        })?;

        let grids = locate_grids(&hgrids, &hpath)?;
        let fields = list_fields(&grids)?;
        let name = param
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "enzo".into());
        Ok(EnzoSource {
            meta: Metadata {
                format: "enzo".into(),
                name,
                time: params.time,
                units: params.units.clone(),
            },
            hierarchy,
            grids,
            fields,
            files: FileCache::new(OPEN_FILES),
        })
    }

    /// Keeps at most `n` data files open for reading grid by grid (default 8; 0: each
    /// `read_grid` opens its file and closes it after).
    pub fn with_open_files(mut self, n: usize) -> Self {
        self.files = FileCache::new(n);
        self
    }

    /// Data files held open for reading grid by grid (none right after `open`).
    pub fn open_data_files(&self) -> usize {
        self.files.open_files()
    }
}

impl DataSource for EnzoSource {
    fn metadata(&self) -> &Metadata {
        &self.meta
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        self.fields.clone()
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        let data = files::read_field(&self.grids, name)?;
        Ok(AmrField::new(name, data))
    }
    /// Reads dataset `/GridNNNNNNNN/<name>` of grid `n`'s data file only.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let g = self
            .grids
            .get(n)
            .ok_or_else(|| crate::formats::no_grid(name, n, self.grids.len()))?;
        self.files
            .with_file(g, |file| files::read_grid(file, g, name))
    }
}

/// Checks the parsed grids against the parameters and builds the validated hierarchy. Errors
/// are plain messages; the caller names the file.
pub fn build_hierarchy(params: &Parameters, grids: &[HierarchyGrid]) -> Result<AmrHierarchy> {
    let dl = DVec3::from(params.domain_left);
    let dr = DVec3::from(params.domain_right);
    let max_level = grids.iter().map(|g| g.level).max().unwrap_or(0);
    if max_level > 30 {
        return Err(Error::Invalid(format!(
            "level {max_level} is beyond the supported 30"
        )));
    }
    // Global cell indices at the finest level must stay far from i64 overflow.
    let finest = params
        .top_grid_dims
        .iter()
        .map(|&d| (d as f64) * (params.refine_by as f64).powi(max_level as i32))
        .fold(0.0, f64::max);
    if finest > 2f64.powi(52) {
        return Err(Error::Invalid(format!(
            "{max_level} levels refined by {} over {:?} root cells is beyond the supported resolution",
            params.refine_by, params.top_grid_dims
        )));
    }
    let width = dr - dl;
    let mut out = Vec::with_capacity(grids.len());
    for g in grids {
        if g.rank != params.rank {
            return Err(Error::Invalid(format!(
                "line {}: grid {} is {}-D (GridRank = {}) but the parameter file's TopGridRank is {}",
                g.line, g.id, g.rank, g.rank, params.rank
            )));
        }
        let (mut left, mut right) = (DVec3::from(g.left), DVec3::from(g.right));
        if params.rank == 2 {
            // One cell thick: every grid spans the domain's z extent.
            (left.z, right.z) = (dl.z, dr.z);
        }
        // A coarse check before the model's exact one: keeps absurd edges out of its index math.
        let slack = width * 0.5;
        if left.cmplt(dl - slack).any() || right.cmpgt(dr + slack).any() {
            return Err(Error::Invalid(format!(
                "grid {} (level {}): edges {left:?}..{right:?} lie outside the domain {dl:?}..{dr:?}",
                g.id, g.level
            )));
        }
        out.push(AmrGrid {
            id: g.id,
            level: g.level,
            left,
            right,
            dims: g.dims(),
        });
    }
    let r = params.refine_by;
    let ratio = if params.rank == 2 { [r, r, 1] } else { [r; 3] };
    let ratios = vec![ratio; max_level as usize];
    AmrHierarchy::with_ratios(dl, dr, params.top_grid_dims, ratios, out)
}

/// The parameter file of an Enzo dataset at `path`, if it looks like one: the parameter file
/// itself (a text file with `<path>.hierarchy` beside it, or one that mentions `TopGridRank`),
/// its `.hierarchy` file, or the directory `DD0046/` holding `DD0046` and `DD0046.hierarchy`.
pub fn detect(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        let name = path.file_name()?;
        let candidate = path.join(name);
        if candidate.is_file() && hierarchy_path(&candidate).is_file() {
            return Some(candidate);
        }
        // Otherwise a directory with exactly one `X.hierarchy` whose `X` is there too.
        let mut found = Vec::new();
        for entry in std::fs::read_dir(path).ok()?.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "hierarchy") {
                let param = p.with_extension("");
                if param.is_file() {
                    found.push(param);
                }
            }
        }
        return if found.len() == 1 { found.pop() } else { None };
    }
    if !path.is_file() {
        return None;
    }
    if path.extension().is_some_and(|e| e == "hierarchy") {
        let param = path.with_extension("");
        return param.is_file().then_some(param);
    }
    let head = read_head(path, 1 << 16)?;
    if head.starts_with(b"\x89HDF") {
        return None;
    }
    if hierarchy_path(path).is_file() {
        return Some(path.to_path_buf());
    }
    // A parameter file whose hierarchy is missing: claim it so the error says so.
    let text = String::from_utf8_lossy(&head);
    (text.contains("TopGridRank") && text.contains("TopGridDimensions")).then(|| path.to_path_buf())
}

fn read_head(path: &Path, n: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(n).read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// `DD0046/DD0046` -> `DD0046/DD0046.hierarchy`.
pub fn hierarchy_path(param: &Path) -> PathBuf {
    let mut s = param.as_os_str().to_owned();
    s.push(".hierarchy");
    PathBuf::from(s)
}
