//! Athena++ `.athdf` files (HDF5).
//!
//! Root attributes `RootGridX1/X2/X3` (`[min, max, ratio]`), `RootGridSize`, `MeshBlockSize`,
//! `NumMeshBlocks`, `MaxLevel`, `DatasetNames`, `NumVariables`, `VariableNames`,
//! `Coordinates` and `Time`; datasets `Levels`, `LogicalLocations`, `x1f/x2f/x3f` and one data
//! dataset per entry of `DatasetNames` (`prim`, `cons`, ...) shaped
//! `(nvar, nblock, nx3, nx2, nx1)`.
//!
//! Athena++ stores only the leaf blocks of its octree, so where the mesh is refined the
//! coarser levels have holes (a 2-D file may hold no level-0 block at all). The AMR model
//! wants every level inside the one below, so the reader synthesizes each missing parent
//! block by restriction: a parent cell is the mean of its child cells (8 in 3-D, 4 in 2-D:
//! the volume average on a uniform Cartesian mesh), recursively down to level 0.
//! [`AthenaReader::stored_blocks_per_level`] reports what the file itself holds.
//!
//! Supported: uniform Cartesian meshes (every `RootGridX` ratio 1, `Coordinates` absent or
//! `cartesian`). 3-D meshes are refined by 2 on every axis. A 2-D mesh (one cell along x3)
//! is a hierarchy one cell thick, refined by [2, 2, 1], whose z extent is the file's x3
//! range. 1-D meshes are read as one cell thick when they are not refined and refused when
//! they are.

mod meta;

use crate::amr::{AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{has_attr, probe_root, select, stem, H5File};
use crate::formats::{catch_panic, within, DataSource, Metadata};
use hdf5_reader::{Dataset, SliceInfoElem};
use meta::{build_hierarchy, check_faces, complete_octree, read_blocks, read_mesh, read_variables};
use std::path::Path;

const ROOT: &str = "the root group";

/// Where a block of the hierarchy gets its values.
#[derive(Clone, Debug)]
enum Source {
    /// Block `n` of the file (index along the data datasets' block axis).
    Stored(usize),
    /// Restricted from its children (8, or 4 in 2-D): hierarchy grid indices, child
    /// `(ox, oy, oz)` at `ox + 2 * oy + 4 * oz`.
    Synthesized(Vec<usize>),
}

/// One variable: which data dataset holds it and at which index.
#[derive(Clone, Debug)]
struct Variable {
    name: String,
    dataset: String,
    index: usize,
}

/// An opened `.athdf` file.
pub struct AthenaReader {
    file: H5File,
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    /// Per hierarchy grid.
    sources: Vec<Source>,
    variables: Vec<Variable>,
    stored_per_level: Vec<usize>,
    num_blocks: usize,
    block_dims: [usize; 3],
    /// Refinement ratio per axis ([2, 2, 1] in 2-D).
    ratio: [usize; 3],
}

/// Opens an Athena++ `.athdf` file.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(AthenaReader::open(path)?))
}

/// Cheap check: the extension is `.athdf`, or the file is HDF5 with a `RootGridSize` root
/// attribute.
pub fn looks_like(path: &Path) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("athdf"))
    {
        return true;
    }
    probe_root(path).is_some_and(|g| has_attr(&g, "RootGridSize"))
}

impl AthenaReader {
    pub fn open(path: &Path) -> Result<Self> {
        let file = H5File::open(path)?;
        let g = file.root()?;
        let mesh = read_mesh(&file, &g, path)?;
        let (blocks, stored_per_level) = read_blocks(&file, &g, path, &mesh)?;
        check_faces(&file, &g, path, &mesh, &blocks)?;
        let (all, index) = complete_octree(path, &blocks, &mesh)?;
        let (hierarchy, sources) = build_hierarchy(path, &mesh, &all, &index)?;
        let variables = read_variables(&file, &g, path, &mesh)?;
        let time = match file.try_attr(&g, "Time", ROOT)? {
            Some(a) => file.attr_f64s(&a, ROOT)?.first().copied(),
            None => None,
        };
        Ok(AthenaReader {
            file,
            metadata: Metadata {
                format: "athena++".into(),
                name: stem(path),
                time,
                units: Default::default(),
            },
            hierarchy,
            sources,
            variables,
            stored_per_level,
            num_blocks: mesh.num_blocks,
            block_dims: mesh.block_dims,
            ratio: mesh.ratio.map(|r| r as usize),
        })
    }

    /// Leaf blocks the file stores at each level (index = level); the hierarchy also holds the
    /// parents synthesized by restriction.
    pub fn stored_blocks_per_level(&self) -> &[usize] {
        &self.stored_per_level
    }

    /// Blocks synthesized by restriction (hierarchy grids not stored in the file).
    pub fn synthesized_blocks(&self) -> usize {
        self.sources
            .iter()
            .filter(|s| matches!(s, Source::Synthesized(_)))
            .count()
    }
}

/// Fills `parent` (dims `d`) with the means of its children's cells: child `o` (in the order
/// of [`Source::Synthesized`]) covers the part `(ox, oy, oz) * d / r` of the parent, and each
/// parent cell is the mean of the `r[0] * r[1] * r[2]` child cells under it.
fn restrict(parent: &mut [f32], children: &[&[f32]], d: [usize; 3], r: [usize; 3]) {
    let h = [0, 1, 2].map(|a| d[a] / r[a]);
    let n = (r[0] * r[1] * r[2]) as f64;
    for (o, child) in children.iter().enumerate() {
        let off = [(o & 1) * h[0], ((o >> 1) & 1) * h[1], ((o >> 2) & 1) * h[2]];
        for k in 0..h[2] {
            for j in 0..h[1] {
                for i in 0..h[0] {
                    let mut sum = 0.0f64;
                    for ck in r[2] * k..r[2] * (k + 1) {
                        for cj in r[1] * j..r[1] * (j + 1) {
                            for ci in r[0] * i..r[0] * (i + 1) {
                                sum += child[ci + d[0] * (cj + d[1] * ck)] as f64;
                            }
                        }
                    }
                    parent[(off[0] + i) + d[0] * ((off[1] + j) + d[1] * (off[2] + k))] =
                        (sum / n) as f32;
                }
            }
        }
    }
}

impl AthenaReader {
    fn variable(&self, name: &str) -> Result<&Variable> {
        self.variables
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| Error::UnknownField {
                name: name.to_string(),
                available: self.field_names().join(", "),
            })
    }

    fn cells(&self) -> usize {
        self.block_dims.iter().product()
    }

    /// The data dataset holding `var`, looked up once per read (a synthesized grid reads many
    /// stored blocks from it).
    fn dataset_of(&self, var: &Variable) -> Result<Dataset> {
        let g = self.file.root()?;
        self.file.dataset(&g, &var.dataset, ROOT)
    }

    /// Reads `var` on the stored blocks `blocks` (`None`: all of them) of its dataset `ds`: a
    /// hyperslab `(index, blocks, :, :, :)`; `what` says what for messages.
    fn read_stored(
        &self,
        ds: &Dataset,
        var: &Variable,
        blocks: Option<usize>,
        what: &str,
    ) -> Result<Vec<f32>> {
        let mut fixed = vec![SliceInfoElem::Index(var.index as u64)];
        fixed.extend(blocks.map(|b| SliceInfoElem::Index(b as u64)));
        let sel = select(&fixed, 5);
        let values = self.file.read_f32(ds, Some(&sel), what)?;
        let want = self.cells() * blocks.map_or(self.num_blocks, |_| 1);
        if values.len() != want {
            return Err(self.file.error(format!(
                "{what} holds {} values, expected {want} ({} blocks of {:?} cells)",
                values.len(),
                want / self.cells(),
                self.block_dims
            )));
        }
        Ok(values)
    }

    /// `var` on hierarchy grid `n` only: a stored block's hyperslab, or a synthesized block
    /// restricted from its children's values (read the same way, recursively).
    fn read_block(&self, ds: &Dataset, var: &Variable, n: usize) -> Result<Vec<f32>> {
        match &self.sources[n] {
            Source::Stored(b) => {
                let what = format!("variable '{}' of dataset '{}'", var.name, var.dataset);
                self.read_stored(ds, var, Some(*b), &what)
                    .map_err(|e| within(e, format!("grid {n} (MeshBlock {b})")))
            }
            Source::Synthesized(kids) => {
                let children = kids
                    .iter()
                    .map(|&k| self.read_block(ds, var, k))
                    .collect::<Result<Vec<_>>>()?;
                let views: Vec<&[f32]> = children.iter().map(Vec::as_slice).collect();
                Ok(self.synthesize(&views))
            }
        }
    }

    /// One hyperslab read of the variable on every stored block, then the synthesized blocks
    /// from the finest level down (as [`DataSource::read_grid`] computes them one by one).
    fn read_all(&self, name: &str) -> Result<AmrField> {
        let var = self.variable(name)?;
        let what = format!("variable '{name}' of dataset '{}'", var.dataset);
        let values = self.read_stored(&self.dataset_of(var)?, var, None, &what)?;
        let cells = self.cells();
        let mut data: Vec<Vec<f32>> = vec![Vec::new(); self.sources.len()];
        for (n, s) in self.sources.iter().enumerate() {
            if let Source::Stored(b) = s {
                data[n] = values[b * cells..(b + 1) * cells].to_vec();
            }
        }
        drop(values);
        // Children are finer, so later in the (level-sorted) order: fill from the end.
        for n in (0..self.sources.len()).rev() {
            if let Source::Synthesized(kids) = &self.sources[n] {
                let views: Vec<&[f32]> = kids.iter().map(|&k| data[k].as_slice()).collect();
                data[n] = self.synthesize(&views);
            }
        }
        Ok(AmrField::new(name, data))
    }

    /// A synthesized block from its children's values.
    fn synthesize(&self, children: &[&[f32]]) -> Vec<f32> {
        let mut parent = vec![0.0f32; self.cells()];
        restrict(&mut parent, children, self.block_dims, self.ratio);
        parent
    }
}

impl DataSource for AthenaReader {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn stored_grids_per_level(&self) -> Option<Vec<usize>> {
        Some(self.stored_per_level.clone())
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        self.variables.iter().map(|v| v.name.clone()).collect()
    }
    fn read_field(&self, name: &str) -> Result<AmrField> {
        catch_panic(
            || self.read_all(name),
            |msg| self.file.error(format!("variable '{name}': {msg}")),
        )
    }
    /// A stored block through a hyperslab `(variable, block, :, :, :)`; a synthesized one from
    /// its children's `read_grid`.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let var = self.variable(name)?;
        if n >= self.sources.len() {
            return Err(crate::formats::no_grid(name, n, self.sources.len()));
        }
        let values = catch_panic(
            || self.read_block(&self.dataset_of(var)?, var, n),
            |msg| {
                self.file
                    .error(format!("grid {n}: variable '{name}': {msg}"))
            },
        );
        match self.sources[n] {
            Source::Stored(_) => values,
            Source::Synthesized(_) => {
                values.map_err(|e| within(e, format!("grid {n} (restricted from its children)")))
            }
        }
    }
}
