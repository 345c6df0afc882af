//! Athena++ `.athdf` files (HDF5).
//!
//! Root attributes `RootGridX1/X2/X3` (`[min, max, ratio]`), `RootGridSize`, `MeshBlockSize`,
//! `NumMeshBlocks`, `MaxLevel`, `DatasetNames`, `NumVariables`, `VariableNames`,
//! `Coordinates` and `Time`; datasets `Levels`, `LogicalLocations`, `x1f/x2f/x3f` and one data
//! dataset per entry of `DatasetNames` (`prim`, `cons`, ...) shaped
//! `(nvar, nblock, nx3, nx2, nx1)`.
//!
//! Athena++ stores only the leaf blocks of its octree, so where the mesh is refined the
//! coarser levels have holes. The AMR model wants every level inside the one below, so the
//! reader synthesizes each missing parent block by restriction: a parent cell is the mean of
//! its 8 child cells (the volume average on a uniform Cartesian mesh), recursively down to
//! level 0. [`AthenaReader::stored_blocks_per_level`] reports what the file itself holds.
//!
//! Supported: uniform Cartesian meshes (every `RootGridX` ratio 1, `Coordinates` absent or
//! `cartesian`). 3-D meshes may be refined; 2-D (and 1-D) meshes are read as one cell thick
//! when they are not refined (`MaxLevel` 0) and refused when they are, since a refined 2-D
//! mesh has no place in a model that refines all three axes.

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{
    describe, has_attr, has_member, is_numeric, probe_root, select, stem, H5File, MAX_VALUES,
};
use crate::formats::{DataSource, Metadata};
use glam::DVec3;
use hdf5_reader::SliceInfoElem;
use std::collections::HashMap;
use std::path::Path;

const ROOT: &str = "the root group";

/// Where a block of the hierarchy gets its values.
#[derive(Clone, Debug)]
enum Source {
    /// Block `n` of the file (index along the data datasets' block axis).
    Stored(usize),
    /// Restricted from 8 children: hierarchy grid indices, child `(ox, oy, oz)` at
    /// `ox + 2 * oy + 4 * oz`.
    Synthesized([usize; 8]),
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

/// An integer that must lie in `lo..=hi`.
fn in_range(path: &Path, v: i64, lo: i64, hi: i64, what: &str) -> Result<i64> {
    if v < lo || v > hi {
        return Err(Error::format(
            path,
            format!("{what} is {v}, expected {lo}..={hi}"),
        ));
    }
    Ok(v)
}

impl AthenaReader {
    pub fn open(path: &Path) -> Result<Self> {
        let file = H5File::open(path)?;
        let g = file.root()?;

        if let Some(a) = file.try_attr(&g, "Coordinates", ROOT)? {
            let c = file.attr_strings(&a, ROOT)?;
            let c = c.first().map(|s| s.trim().to_string()).unwrap_or_default();
            if !c.eq_ignore_ascii_case("cartesian") {
                return Err(Error::format(
                    path,
                    format!(
                        "Athena++ coordinates '{c}' are not supported: only uniform Cartesian meshes can be rendered"
                    ),
                ));
            }
        }
        let mut lo = [0.0f64; 3];
        let mut hi = [0.0f64; 3];
        for a in 0..3 {
            let name = format!("RootGridX{}", a + 1);
            let [min, max, ratio] = file.attr_n::<f64, 3>(&g, &name, ROOT)?;
            if !(min.is_finite() && max.is_finite() && max > min) {
                return Err(Error::format(
                    path,
                    format!(
                        "{name} = [{min}, {max}, {ratio}]: the maximum must exceed the minimum"
                    ),
                ));
            }
            if (ratio - 1.0).abs() > 1e-12 {
                return Err(Error::format(
                    path,
                    format!(
                        "{name} has ratio {ratio}: non-uniform (logarithmically spaced) meshes are not supported, only ratio 1"
                    ),
                ));
            }
            lo[a] = min;
            hi[a] = max;
        }
        let root_size = file.attr_n::<i64, 3>(&g, "RootGridSize", ROOT)?;
        let block_size = file.attr_n::<i64, 3>(&g, "MeshBlockSize", ROOT)?;
        let [num_blocks] = file.attr_n::<i64, 1>(&g, "NumMeshBlocks", ROOT)?;
        let [max_level] = file.attr_n::<i64, 1>(&g, "MaxLevel", ROOT)?;
        let max_level = in_range(path, max_level, 0, 30, "MaxLevel")? as u32;
        let num_blocks = in_range(path, num_blocks, 1, 1 << 31, "NumMeshBlocks")? as usize;
        let mut root_dims = [0usize; 3];
        let mut block_dims = [0usize; 3];
        let mut root_blocks = [0i64; 3];
        for a in 0..3 {
            let axis = ["x1", "x2", "x3"][a];
            let r = in_range(
                path,
                root_size[a],
                1,
                1 << 24,
                &format!("RootGridSize along {axis}"),
            )?;
            let b = in_range(
                path,
                block_size[a],
                1,
                1 << 16,
                &format!("MeshBlockSize along {axis}"),
            )?;
            if r % b != 0 {
                return Err(Error::format(
                    path,
                    format!("RootGridSize {root_size:?} is not a multiple of MeshBlockSize {block_size:?}"),
                ));
            }
            root_dims[a] = r as usize;
            block_dims[a] = b as usize;
            root_blocks[a] = r / b;
        }
        let cells_per_block: usize = block_dims.iter().product();
        if (cells_per_block as u64).saturating_mul(num_blocks as u64) > MAX_VALUES {
            return Err(Error::format(
                path,
                format!("{num_blocks} blocks of {block_dims:?} cells is beyond what can be loaded"),
            ));
        }
        let flat = root_dims[2] == 1 || root_dims[1] == 1;
        if flat && max_level > 0 {
            return Err(Error::format(
                path,
                format!(
                    "this is a refined {}-D Athena++ mesh (RootGridSize {root_size:?}, MaxLevel {max_level}); only 3-D meshes can be refined here (unrefined 2-D meshes are read as one cell thick)",
                    if root_dims[1] == 1 { 1 } else { 2 }
                ),
            ));
        }
        if max_level > 0 && block_dims.iter().any(|&d| d % 2 != 0) {
            return Err(Error::format(
                path,
                format!(
                    "MeshBlockSize {block_size:?} must be even on every axis in a refined mesh"
                ),
            ));
        }

        // Levels and logical locations of the stored (leaf) blocks.
        let levels_ds = file.dataset(&g, "Levels", ROOT)?;
        let levels = file.read_i64(&levels_ds, "dataset 'Levels'")?;
        if levels.len() != num_blocks {
            return Err(Error::format(
                path,
                format!(
                    "dataset 'Levels' has {} entries for NumMeshBlocks {num_blocks}",
                    levels.len()
                ),
            ));
        }
        let loc_ds = file.dataset(&g, "LogicalLocations", ROOT)?;
        if loc_ds.shape() != [num_blocks as u64, 3] {
            return Err(Error::format(
                path,
                format!(
                    "dataset 'LogicalLocations' has shape {:?}, expected [{num_blocks}, 3]",
                    loc_ds.shape()
                ),
            ));
        }
        let locs = file.read_i64(&loc_ds, "dataset 'LogicalLocations'")?;
        let width = |level: u32, a: usize| {
            (hi[a] - lo[a]) / (root_blocks[a] as f64 * (1u64 << level) as f64)
        };

        // Each block: (level, logical location).
        let mut blocks: Vec<(u32, [i64; 3])> = Vec::with_capacity(num_blocks);
        let mut stored_per_level = vec![0usize; max_level as usize + 1];
        for n in 0..num_blocks {
            let what = format!("block {n}");
            let level = in_range(
                path,
                levels[n],
                0,
                max_level as i64,
                &format!("the level of {what}"),
            )? as u32;
            let mut loc = [0i64; 3];
            for a in 0..3 {
                let extent = root_blocks[a] << level;
                loc[a] = in_range(
                    path,
                    locs[3 * n + a],
                    0,
                    extent - 1,
                    &format!(
                        "the logical location along x{} of {what} (level {level})",
                        a + 1
                    ),
                )?;
            }
            stored_per_level[level as usize] += 1;
            blocks.push((level, loc));
        }

        // Cross-check the stored face coordinates where present.
        for a in 0..3 {
            let name = format!("x{}f", a + 1);
            if !has_member(&g, &name) {
                continue;
            }
            let ds = file.dataset(&g, &name, ROOT)?;
            let n1 = block_dims[a] as u64 + 1;
            if ds.shape() != [num_blocks as u64, n1] {
                return Err(Error::format(
                    path,
                    format!(
                        "dataset '{name}' has shape {:?}, expected [{num_blocks}, {n1}]",
                        ds.shape()
                    ),
                ));
            }
            let faces = file.read_f64(&ds, &format!("dataset '{name}'"))?;
            for (n, &(level, loc)) in blocks.iter().enumerate() {
                let w = width(level, a);
                let left = lo[a] + loc[a] as f64 * w;
                let (f0, f1) = (faces[n * n1 as usize], faces[(n + 1) * n1 as usize - 1]);
                let tol = 1e-4 * w;
                if (f0 - left).abs() > tol || (f1 - (left + w)).abs() > tol {
                    return Err(Error::format(
                        path,
                        format!(
                            "block {n} (level {level}, location {loc:?}) spans {f0}..{f1} along x{} in '{name}', but its logical location puts it at {left}..{}",
                            a + 1,
                            left + w
                        ),
                    ));
                }
            }
        }

        // Synthesize the missing parents, finest level first.
        let mut index: HashMap<(u32, [i64; 3]), usize> = HashMap::with_capacity(num_blocks * 2);
        let mut all: Vec<(u32, [i64; 3], Option<usize>)> = Vec::with_capacity(num_blocks * 2);
        for (n, &(level, loc)) in blocks.iter().enumerate() {
            if let Some(&m) = index.get(&(level, loc)) {
                return Err(Error::format(
                    path,
                    format!(
                        "blocks {} and {n} share level {level} and logical location {loc:?}",
                        all[m].2.unwrap_or(m)
                    ),
                ));
            }
            index.insert((level, loc), all.len());
            all.push((level, loc, Some(n)));
        }
        for level in (1..=max_level).rev() {
            let children: Vec<[i64; 3]> =
                all.iter().filter(|b| b.0 == level).map(|b| b.1).collect();
            for c in children {
                let p = c.map(|v| v >> 1);
                match index.get(&(level - 1, p)) {
                    Some(&m) => {
                        if let Some(n) = all[m].2 {
                            return Err(Error::format(
                                path,
                                format!(
                                    "block {n} (level {}, location {p:?}) is stored as a leaf but finer blocks lie inside it",
                                    level - 1
                                ),
                            ));
                        }
                    }
                    None => {
                        index.insert((level - 1, p), all.len());
                        all.push((level - 1, p, None));
                    }
                }
            }
        }
        // Hierarchy order: by level, then z, y, x of the logical location.
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&i| (all[i].0, all[i].1[2], all[i].1[1], all[i].1[0]));
        let mut position = vec![0usize; all.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let mut grids = Vec::with_capacity(all.len());
        let mut sources = Vec::with_capacity(all.len());
        let mut next_id = num_blocks as u64;
        for &i in &order {
            let (level, loc, stored) = all[i];
            let left = DVec3::new(
                lo[0] + loc[0] as f64 * width(level, 0),
                lo[1] + loc[1] as f64 * width(level, 1),
                lo[2] + loc[2] as f64 * width(level, 2),
            );
            let right = left + DVec3::new(width(level, 0), width(level, 1), width(level, 2));
            let id = match stored {
                Some(n) => {
                    sources.push(Source::Stored(n));
                    n as u64
                }
                None => {
                    let mut kids = [0usize; 8];
                    for (o, kid) in kids.iter_mut().enumerate() {
                        let c = [
                            2 * loc[0] + (o & 1) as i64,
                            2 * loc[1] + ((o >> 1) & 1) as i64,
                            2 * loc[2] + ((o >> 2) & 1) as i64,
                        ];
                        let &k = index.get(&(level + 1, c)).ok_or_else(|| {
                            Error::format(
                                path,
                                format!(
                                    "the octree is incomplete: level {} location {c:?} is missing, but its siblings are refined from level {level} location {loc:?}",
                                    level + 1
                                ),
                            )
                        })?;
                        *kid = position[k];
                    }
                    sources.push(Source::Synthesized(kids));
                    next_id += 1;
                    next_id - 1
                }
            };
            grids.push(AmrGrid {
                id,
                level,
                left,
                right,
                dims: block_dims,
            });
        }
        let hierarchy = AmrHierarchy::new(DVec3::from(lo), DVec3::from(hi), root_dims, 2, grids)
            .map_err(|e| Error::format(path, e.to_string()))?;

        // Variables: dataset i holds NumVariables[i] consecutive VariableNames.
        let dataset_names = file.attr_strings(&file.attr(&g, "DatasetNames", ROOT)?, ROOT)?;
        let num_vars = file.attr_i64s(&file.attr(&g, "NumVariables", ROOT)?, ROOT)?;
        let var_names = file.attr_strings(&file.attr(&g, "VariableNames", ROOT)?, ROOT)?;
        if num_vars.len() != dataset_names.len() {
            return Err(Error::format(
                path,
                format!(
                    "NumVariables has {} entries but DatasetNames has {}",
                    num_vars.len(),
                    dataset_names.len()
                ),
            ));
        }
        let total: i64 = num_vars.iter().map(|&v| v.max(0)).sum();
        if num_vars.iter().any(|&v| v < 0) || total != var_names.len() as i64 {
            return Err(Error::format(
                path,
                format!(
                    "NumVariables {num_vars:?} does not add up to the {} VariableNames",
                    var_names.len()
                ),
            ));
        }
        let mut variables = Vec::with_capacity(var_names.len());
        let mut names = var_names.into_iter();
        for (dname, &nv) in dataset_names.iter().zip(&num_vars) {
            let ds = file.dataset(&g, dname, ROOT)?;
            let expect = [
                nv as u64,
                num_blocks as u64,
                block_dims[2] as u64,
                block_dims[1] as u64,
                block_dims[0] as u64,
            ];
            if ds.shape() != expect {
                return Err(Error::format(
                    path,
                    format!(
                        "dataset '{dname}' has shape {:?}, expected (nvar, nblock, nx3, nx2, nx1) = {expect:?}",
                        ds.shape()
                    ),
                ));
            }
            if !is_numeric(ds.dtype()) {
                return Err(Error::format(
                    path,
                    format!(
                        "dataset '{dname}' has type {}, expected numbers",
                        describe(ds.dtype())
                    ),
                ));
            }
            for index in 0..nv as usize {
                if let Some(name) = names.next() {
                    variables.push(Variable {
                        name,
                        dataset: dname.clone(),
                        index,
                    });
                }
            }
        }

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
            num_blocks,
            block_dims,
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

/// Fills `parent` (dims `d`) with the means of the 8 children's cells.
fn restrict(parent: &mut [f32], children: [&[f32]; 8], d: [usize; 3]) {
    let h = [d[0] / 2, d[1] / 2, d[2] / 2];
    for (o, child) in children.iter().enumerate() {
        let off = [(o & 1) * h[0], ((o >> 1) & 1) * h[1], ((o >> 2) & 1) * h[2]];
        for k in 0..h[2] {
            for j in 0..h[1] {
                for i in 0..h[0] {
                    let mut sum = 0.0f64;
                    for c in 0..8 {
                        let (ci, cj, ck) =
                            (2 * i + (c & 1), 2 * j + ((c >> 1) & 1), 2 * k + (c >> 2));
                        sum += child[ci + d[0] * (cj + d[1] * ck)] as f64;
                    }
                    parent[(off[0] + i) + d[0] * ((off[1] + j) + d[1] * (off[2] + k))] =
                        (sum / 8.0) as f32;
                }
            }
        }
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
        let var = self
            .variables
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| Error::UnknownField {
                name: name.to_string(),
                available: self.field_names().join(", "),
            })?;
        let g = self.file.root()?;
        let ds = self.file.dataset(&g, &var.dataset, ROOT)?;
        let what = format!("variable '{name}' of dataset '{}'", var.dataset);
        let sel = select(&[SliceInfoElem::Index(var.index as u64)], 5);
        let values = self.file.read_f32(&ds, Some(&sel), &what)?;
        let cells: usize = self.block_dims.iter().product();
        if values.len() != cells * self.num_blocks {
            return Err(self.file.error(format!(
                "{what} holds {} values, expected {} blocks of {cells}",
                values.len(),
                self.num_blocks
            )));
        }
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
                let mut parent = vec![0.0f32; cells];
                restrict(
                    &mut parent,
                    kids.map(|k| data[k].as_slice()),
                    self.block_dims,
                );
                data[n] = parent;
            }
        }
        Ok(AmrField {
            name: name.to_string(),
            data,
        })
    }
}
