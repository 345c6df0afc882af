//! Opening an `.athdf` file: the mesh from the root attributes, the stored blocks, the octree
//! completed with the synthesized parents, the hierarchy and the variables, each checked.

use super::{Source, Variable, ROOT};
use crate::amr::{AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::hdf5::{describe, has_member, is_numeric, H5File, MAX_VALUES};
use glam::DVec3;
use hdf5_reader::group::Group;
use std::collections::HashMap;
use std::path::Path;

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

/// The mesh as the root attributes describe it.
pub(super) struct Mesh {
    /// Domain corners.
    pub(super) lo: [f64; 3],
    pub(super) hi: [f64; 3],
    pub(super) root_dims: [usize; 3],
    pub(super) block_dims: [usize; 3],
    /// Blocks along each axis at level 0.
    pub(super) root_blocks: [i64; 3],
    pub(super) num_blocks: usize,
    pub(super) max_level: u32,
    /// Refinement ratio per axis: 2 on every axis in 3-D, [2, 2, 1] in 2-D (one cell along x3,
    /// which Athena++ never refines).
    pub(super) ratio: [i64; 3],
}

impl Mesh {
    /// Blocks along axis `a` across the domain at `level`.
    fn blocks_at(&self, level: u32, a: usize) -> i64 {
        self.root_blocks[a] * self.ratio[a].pow(level)
    }

    /// The width along axis `a` of a block at `level`.
    fn width(&self, level: u32, a: usize) -> f64 {
        (self.hi[a] - self.lo[a]) / self.blocks_at(level, a) as f64
    }

    /// The offsets of a block's children in units of child blocks: 8 in 3-D, 4 in 2-D, in
    /// the order `ox + 2 oy + 4 oz`.
    pub(super) fn child_offsets(&self) -> Vec<[i64; 3]> {
        let n = self.ratio.iter().product::<i64>() as usize;
        (0..n)
            .map(|o| [o & 1, (o >> 1) & 1, (o >> 2) & 1].map(|v| v as i64))
            .collect()
    }
}

/// A stored block: its level and logical location.
type Block = (u32, [i64; 3]);

/// A block of the complete octree: level, logical location and, where stored, its index in
/// the file.
type Node = (u32, [i64; 3], Option<usize>);

/// The index in the complete octree of each `(level, logical location)`.
type Index = HashMap<Block, usize>;

/// Refuses `Coordinates` other than `cartesian`.
fn check_coordinates(file: &H5File, g: &Group, path: &Path) -> Result<()> {
    if let Some(a) = file.try_attr(g, "Coordinates", ROOT)? {
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
    Ok(())
}

/// The domain corners from `RootGridX1/X2/X3`, each of which must have ratio 1.
fn root_extent(file: &H5File, g: &Group, path: &Path) -> Result<([f64; 3], [f64; 3])> {
    let mut lo = [0.0f64; 3];
    let mut hi = [0.0f64; 3];
    for a in 0..3 {
        let name = format!("RootGridX{}", a + 1);
        let [min, max, ratio] = file.attr_n::<f64, 3>(g, &name, ROOT)?;
        if !(min.is_finite() && max.is_finite() && max > min) {
            return Err(Error::format(
                path,
                format!("{name} = [{min}, {max}, {ratio}]: the maximum must exceed the minimum"),
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
    Ok((lo, hi))
}

/// The mesh from the root attributes: extent, sizes, block count and maximum level, checked
/// against each other.
pub(super) fn read_mesh(file: &H5File, g: &Group, path: &Path) -> Result<Mesh> {
    check_coordinates(file, g, path)?;
    let (lo, hi) = root_extent(file, g, path)?;
    let root_size = file.attr_n::<i64, 3>(g, "RootGridSize", ROOT)?;
    let block_size = file.attr_n::<i64, 3>(g, "MeshBlockSize", ROOT)?;
    let [num_blocks] = file.attr_n::<i64, 1>(g, "NumMeshBlocks", ROOT)?;
    let [max_level] = file.attr_n::<i64, 1>(g, "MaxLevel", ROOT)?;
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
                format!(
                    "RootGridSize {root_size:?} is not a multiple of MeshBlockSize {block_size:?}"
                ),
            ));
        }
        root_dims[a] = r as usize;
        block_dims[a] = b as usize;
        root_blocks[a] = r / b;
    }
    // A 2-D mesh (one cell along x3) refines x1 and x2 only.
    let ratio = if root_dims[2] == 1 { [2, 2, 1] } else { [2; 3] };
    let mesh = Mesh {
        lo,
        hi,
        root_dims,
        block_dims,
        root_blocks,
        num_blocks,
        max_level,
        ratio,
    };
    check_mesh(path, &mesh, root_size, block_size)?;
    Ok(mesh)
}

/// Refuses meshes too large to load, refined 1-D meshes, and refined meshes with blocks odd
/// along a refined axis.
fn check_mesh(path: &Path, mesh: &Mesh, root_size: [i64; 3], block_size: [i64; 3]) -> Result<()> {
    let Mesh {
        root_dims,
        block_dims,
        num_blocks,
        max_level,
        ratio,
        ..
    } = *mesh;
    let cells_per_block: usize = block_dims.iter().product();
    if (cells_per_block as u64).saturating_mul(num_blocks as u64) > MAX_VALUES {
        return Err(Error::format(
            path,
            format!("{num_blocks} blocks of {block_dims:?} cells is beyond what can be loaded"),
        ));
    }
    if root_dims[1] == 1 && max_level > 0 {
        return Err(Error::format(
            path,
            format!(
                "this is a refined 1-D Athena++ mesh (RootGridSize {root_size:?}, MaxLevel {max_level}); only 2-D and 3-D meshes can be refined here"
            ),
        ));
    }
    if max_level > 0 && (0..3).any(|a| ratio[a] == 2 && block_dims[a] % 2 != 0) {
        return Err(Error::format(
            path,
            format!(
                "MeshBlockSize {block_size:?} must be even along every refined axis ({}) in a refined mesh",
                if ratio[2] == 1 { "x1, x2" } else { "x1, x2, x3" }
            ),
        ));
    }
    Ok(())
}

/// The level and logical location of each stored (leaf) block, from `Levels` and
/// `LogicalLocations`, and how many blocks are stored at each level.
pub(super) fn read_blocks(
    file: &H5File,
    g: &Group,
    path: &Path,
    mesh: &Mesh,
) -> Result<(Vec<Block>, Vec<usize>)> {
    let (num_blocks, max_level) = (mesh.num_blocks, mesh.max_level);
    let levels_ds = file.dataset(g, "Levels", ROOT)?;
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
    let loc_ds = file.dataset(g, "LogicalLocations", ROOT)?;
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
    let mut blocks: Vec<Block> = Vec::with_capacity(num_blocks);
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
            let extent = mesh.blocks_at(level, a);
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
    Ok((blocks, stored_per_level))
}

/// Cross-checks the stored face coordinates `x1f/x2f/x3f`, where present, against the blocks'
/// logical locations.
pub(super) fn check_faces(
    file: &H5File,
    g: &Group,
    path: &Path,
    mesh: &Mesh,
    blocks: &[Block],
) -> Result<()> {
    let num_blocks = mesh.num_blocks;
    for a in 0..3 {
        let name = format!("x{}f", a + 1);
        if !has_member(g, &name) {
            continue;
        }
        let ds = file.dataset(g, &name, ROOT)?;
        let n1 = mesh.block_dims[a] as u64 + 1;
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
            let w = mesh.width(level, a);
            let left = mesh.lo[a] + loc[a] as f64 * w;
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
    Ok(())
}

/// The stored blocks plus their missing parents (synthesized, finest level first, down to
/// level 0 even where the file stores no level-0 block), and the index of each
/// `(level, location)` among them. In 2-D a block has 4 children (a quadtree).
pub(super) fn complete_octree(
    path: &Path,
    blocks: &[Block],
    mesh: &Mesh,
) -> Result<(Vec<Node>, Index)> {
    let (max_level, ratio) = (mesh.max_level, mesh.ratio);
    let num_blocks = blocks.len();
    let mut index: Index = HashMap::with_capacity(num_blocks * 2);
    let mut all: Vec<Node> = Vec::with_capacity(num_blocks * 2);
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
        let children: Vec<[i64; 3]> = all.iter().filter(|b| b.0 == level).map(|b| b.1).collect();
        for c in children {
            let p = [0, 1, 2].map(|a| c[a].div_euclid(ratio[a]));
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
    Ok((all, index))
}

/// The hierarchy positions of the children (8, or 4 in 2-D) of the synthesized block
/// `(level, loc)`.
fn children(
    path: &Path,
    mesh: &Mesh,
    (level, loc): Block,
    index: &Index,
    position: &[usize],
) -> Result<Vec<usize>> {
    let mut kids = Vec::with_capacity(8);
    for o in mesh.child_offsets() {
        let c = [0, 1, 2].map(|a| mesh.ratio[a] * loc[a] + o[a]);
        let &k = index.get(&(level + 1, c)).ok_or_else(|| {
            Error::format(
                path,
                format!(
                    "the octree is incomplete: level {} location {c:?} is missing, but its siblings are refined from level {level} location {loc:?}",
                    level + 1
                ),
            )
        })?;
        kids.push(position[k]);
    }
    Ok(kids)
}

/// The hierarchy of the complete octree `all` (ordered by level, then z, y, x of the logical
/// location) and where each of its grids gets its values.
pub(super) fn build_hierarchy(
    path: &Path,
    mesh: &Mesh,
    all: &[Node],
    index: &Index,
) -> Result<(AmrHierarchy, Vec<Source>)> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by_key(|&i| (all[i].0, all[i].1[2], all[i].1[1], all[i].1[0]));
    let mut position = vec![0usize; all.len()];
    for (pos, &i) in order.iter().enumerate() {
        position[i] = pos;
    }
    let mut grids = Vec::with_capacity(all.len());
    let mut sources = Vec::with_capacity(all.len());
    let mut next_id = mesh.num_blocks as u64;
    for &i in &order {
        let (level, loc, stored) = all[i];
        let width = DVec3::from([0, 1, 2].map(|a| mesh.width(level, a)));
        let left = DVec3::from([0, 1, 2].map(|a| mesh.lo[a] + loc[a] as f64 * width[a]));
        let right = left + width;
        let id = match stored {
            Some(n) => {
                sources.push(Source::Stored(n));
                n as u64
            }
            None => {
                let kids = children(path, mesh, (level, loc), index, &position)?;
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
            dims: mesh.block_dims,
        });
    }
    let ratios = vec![mesh.ratio.map(|r| r as u32); mesh.max_level as usize];
    let hierarchy = AmrHierarchy::with_ratios(
        DVec3::from(mesh.lo),
        DVec3::from(mesh.hi),
        mesh.root_dims,
        ratios,
        grids,
    )
    .map_err(|e| Error::format(path, e.to_string()))?;
    Ok((hierarchy, sources))
}

/// The variables: data dataset i holds `NumVariables[i]` consecutive `VariableNames`.
pub(super) fn read_variables(
    file: &H5File,
    g: &Group,
    path: &Path,
    mesh: &Mesh,
) -> Result<Vec<Variable>> {
    let (num_blocks, block_dims) = (mesh.num_blocks, mesh.block_dims);
    let dataset_names = file.attr_strings(&file.attr(g, "DatasetNames", ROOT)?, ROOT)?;
    let num_vars = file.attr_i64s(&file.attr(g, "NumVariables", ROOT)?, ROOT)?;
    let var_names = file.attr_strings(&file.attr(g, "VariableNames", ROOT)?, ROOT)?;
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
        let ds = file.dataset(g, dname, ROOT)?;
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
    Ok(variables)
}
