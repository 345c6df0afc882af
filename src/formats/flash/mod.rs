//! FLASH 3 and 4 HDF5 plot and checkpoint files (file format versions 8 and 9), PARAMESH or
//! uniform grid.
//!
//! The file holds every block of the tree, leaves and their parents alike: `refine level`,
//! `node type` and `bounding box` per block, `unknown names` (the variables' 4-character
//! names, shape `(nvar, 1)`) and per variable a dataset of that name shaped
//! `(nblocks, nzb, nyb, nxb)`: single precision in plot files, double in checkpoints. The
//! block size, dimensionality and time are `integer scalars` / `real scalars`; the domain
//! (`xmin` .. `zmax`), the root blocks (`nblockx` ..) and the geometry are runtime parameters
//! (see [`params`] and [`meta`]).
//!
//! Every block is a grid of the hierarchy (level = refine level - 1, ratio 2 on the axes
//! blocks refine): the leaves are what images show; parents (FLASH restricts its data into
//! them) are the coarser data under their children. 2-D files are read as one cell thick.
//! Units are FLASH's: cgs (or MKS, `pc_unitsBase`), the length unknown in cosmological runs.
//! Non-Cartesian geometries and 1-D files are refused.

mod blocks;
mod meta;
mod params;

use crate::amr::{AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{describe, has_member, is_numeric, probe_root, select, stem, H5File};
use crate::formats::{catch_panic, no_grid, within, DataSource, Metadata};
use hdf5_reader::group::Group;
use hdf5_reader::SliceInfoElem;
use std::path::Path;

const ROOT: &str = "the root group";

/// The datasets whose presence marks a FLASH file.
const MARKERS: [&str; 4] = ["bounding box", "refine level", "node type", "unknown names"];

/// An opened FLASH file.
pub struct FlashReader {
    file: H5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    /// The variables, as `unknown names` lists them (each has its dataset).
    variables: Vec<String>,
    /// Per hierarchy grid: its block in the file.
    blocks: Vec<usize>,
    /// Cells per block, x fastest (`nzb` 1 in 2-D).
    cells: usize,
    node_types: [usize; 3],
}

/// Opens a FLASH HDF5 file.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(FlashReader::open(path)?))
}

/// Cheap check by content: an HDF5 file whose root group holds `bounding box` (yt's test)
/// and one of `refine level`, `node type` and `unknown names` (a FLASH file holds all four;
/// `open` names any that is missing).
pub fn looks_like(path: &Path) -> bool {
    probe_root(path).is_some_and(|g| {
        has_member(&g, MARKERS[0]) && MARKERS[1..].iter().any(|m| has_member(&g, m))
    })
}

impl FlashReader {
    pub fn open(path: &Path) -> Result<Self> {
        let file = H5File::open(path)?;
        catch_panic(|| Self::read(file, path), |msg| Error::format(path, msg))
    }

    fn read(file: H5File, path: &Path) -> Result<Self> {
        let g = file.root()?;
        let p = params::Params::read(&file, &g)?;
        let levels = blocks::read_levels(&file, &g)?;
        let mesh = meta::read_mesh(&file, &g, &p, levels.len())?;
        let blocks = blocks::read_blocks(&file, &g, &mesh, &levels)?;
        blocks::check_tree(&file, &mesh, &blocks)?;
        let (grids, order) = blocks::grids(&mesh, &blocks);
        let hierarchy = blocks::hierarchy(&file, &mesh, grids)?;
        let variables = read_variables(&file, &g, &mesh, blocks.len())?;
        let mut node_types = [0usize; 3];
        for k in &blocks {
            node_types[k.node_type as usize - 1] += 1;
        }
        Ok(FlashReader {
            metadata: Metadata {
                format: "flash".into(),
                name: stem(path),
                time: meta::time(&p),
                units: meta::units(&p),
            },
            hierarchy,
            variables,
            blocks: order,
            cells: mesh.cells_per_block(),
            node_types,
            file,
        })
    }

    /// Blocks of each node type in the file: leaves (1), parents (2), ancestors (3).
    pub fn node_types(&self) -> [usize; 3] {
        self.node_types
    }
}

/// The variable names of `unknown names`, each checked to have its dataset, shaped
/// `(nblocks, nzb, nyb, nxb)` and numeric.
fn read_variables(file: &H5File, g: &Group, mesh: &meta::Mesh, n: usize) -> Result<Vec<String>> {
    let ds = file.dataset(g, "unknown names", ROOT)?;
    let names = ds
        .read_strings()
        .map_err(|e| file.error(format!("cannot read dataset 'unknown names': {e}")))?;
    let names: Vec<String> = names
        .iter()
        .map(|s| s.trim_matches(['\0', ' ']).to_string())
        .collect();
    if names.is_empty() {
        return Err(file.error("dataset 'unknown names' lists no variables"));
    }
    let [nx, ny, nz] = mesh.block_dims.map(|v| v as u64);
    let expect = [n as u64, nz, ny, nx];
    for name in &names {
        if !has_member(g, name) {
            return Err(file.error(format!(
                "variable '{name}' of 'unknown names' has no dataset '{name}'"
            )));
        }
        let d = file.dataset(g, name, ROOT)?;
        if d.shape() != expect {
            return Err(file.error(format!(
                "dataset '{name}' has shape {:?}, expected (nblocks, nzb, nyb, nxb) = {expect:?}",
                d.shape()
            )));
        }
        if !is_numeric(d.dtype()) {
            return Err(file.error(format!(
                "dataset '{name}' has type {}, expected numbers",
                describe(d.dtype())
            )));
        }
    }
    Ok(names)
}

impl FlashReader {
    fn check_field(&self, name: &str) -> Result<()> {
        if self.variables.iter().any(|v| v == name) {
            return Ok(());
        }
        Err(Error::UnknownField {
            name: name.to_string(),
            available: self.variables.join(", "),
        })
    }

    /// `name` on file block `block` (`None`: every block), as stored, converted to `f32`.
    fn read_blocks(&self, name: &str, block: Option<usize>) -> Result<Vec<f32>> {
        let g = self.file.root()?;
        let ds = self.file.dataset(&g, name, ROOT)?;
        let what = format!("dataset '{name}'");
        let fixed: Vec<SliceInfoElem> = block
            .map(|b| SliceInfoElem::Index(b as u64))
            .into_iter()
            .collect();
        let sel = block.map(|_| select(&fixed, 4));
        let values = self.file.read_f32(&ds, sel.as_ref(), &what)?;
        let want = self.cells * block.map_or(self.blocks.len(), |_| 1);
        if values.len() != want {
            return Err(self.file.error(format!(
                "{what} gave {} values, expected {want}",
                values.len()
            )));
        }
        Ok(values)
    }
}

impl DataSource for FlashReader {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        self.variables.clone()
    }
    /// One read of the variable's whole dataset, cut into the grids.
    fn read_field(&self, name: &str) -> Result<AmrField> {
        self.check_field(name)?;
        let values = catch_panic(
            || self.read_blocks(name, None),
            |msg| self.file.error(format!("variable '{name}': {msg}")),
        )?;
        let c = self.cells;
        let data = self
            .blocks
            .iter()
            .map(|&b| values[b * c..(b + 1) * c].to_vec())
            .collect();
        Ok(AmrField::new(name, data))
    }
    /// A hyperslab `(block, :, :, :)` of the variable's dataset.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        self.check_field(name)?;
        let &b = self
            .blocks
            .get(n)
            .ok_or_else(|| no_grid(name, n, self.blocks.len()))?;
        catch_panic(
            || self.read_blocks(name, Some(b)),
            |msg| self.file.error(format!("variable '{name}': {msg}")),
        )
        .map_err(|e| within(e, format!("grid {n} (block {b})")))
    }
}
