//! FLASH's blocks: `refine level` (1-based), `node type` (1 leaf, 2 parent, 3 ancestor) and
//! `bounding box` (`(nblocks, 3 or ndim, 2)`, single precision in plot files), each block put
//! on its level's block lattice; the checks that they form PARAMESH's tree (root blocks tiling
//! the domain, every finer block inside a parent, leaves without children, parents with all
//! of theirs); and the hierarchy: every block a grid, parents coarser data under their
//! children.

use super::meta::Mesh;
use crate::amr::{AmrGrid, AmrHierarchy};
use crate::error::Result;
use crate::formats::hdf5::H5File;
use glam::DVec3;
use hdf5_reader::group::Group;
use std::collections::HashMap;

const ROOT: &str = "the root group";
const AXES: [&str; 3] = ["x", "y", "z"];

/// One block of the file: level (refine level - 1), node type and logical location on its
/// level's block lattice (z 0 in 2-D).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) level: u32,
    pub(super) node_type: i64,
    pub(super) loc: [i64; 3],
}

/// The blocks' levels from `refine level` (the length of which is the file's block count).
pub(super) fn read_levels(file: &H5File, g: &Group) -> Result<Vec<i64>> {
    let ds = file.dataset(g, "refine level", ROOT)?;
    if ds.shape().len() != 1 {
        return Err(file.error(format!(
            "dataset 'refine level' has shape {:?}, expected (nblocks,)",
            ds.shape()
        )));
    }
    let levels = file.read_i64(&ds, "dataset 'refine level'")?;
    if levels.is_empty() {
        return Err(file.error("dataset 'refine level' is empty: the file has no blocks"));
    }
    Ok(levels)
}

/// Each block's level, node type and location, from `refine level` (read by
/// [`read_levels`]), `node type` and `bounding box`.
pub(super) fn read_blocks(
    file: &H5File,
    g: &Group,
    mesh: &Mesh,
    levels: &[i64],
) -> Result<Vec<Block>> {
    let n = levels.len();
    let nt_ds = file.dataset(g, "node type", ROOT)?;
    let node_types = file.read_i64(&nt_ds, "dataset 'node type'")?;
    if nt_ds.shape().len() != 1 || node_types.len() != n {
        return Err(file.error(format!(
            "dataset 'node type' has shape {:?} but dataset 'refine level' has {n} blocks",
            nt_ds.shape()
        )));
    }
    let bb_ds = file.dataset(g, "bounding box", ROOT)?;
    let shape = bb_ds.shape().to_vec();
    let d = mesh.axes() as u64;
    if shape.len() != 3
        || shape[0] != n as u64
        || !(shape[1] == 3 || shape[1] == d)
        || shape[2] != 2
    {
        return Err(file.error(format!(
            "dataset 'bounding box' has shape {shape:?}, expected ({n}, 3, 2) for the {n} blocks of 'refine level'"
        )));
    }
    let bb = file.read_f64(&bb_ds, "dataset 'bounding box'")?;
    let stride = shape[1] as usize * 2;
    if bb.len() != n * stride {
        return Err(file.error(format!(
            "dataset 'bounding box' holds {} values, expected {} for its shape {shape:?}",
            bb.len(),
            n * stride
        )));
    }
    let mut blocks = Vec::with_capacity(n);
    for b in 0..n {
        let level = levels[b] - 1;
        if !(0..=30).contains(&level) {
            return Err(file.error(format!(
                "block {b} has refine level {}, expected 1..=31",
                levels[b]
            )));
        }
        let node_type = node_types[b];
        if !(1..=3).contains(&node_type) {
            return Err(file.error(format!(
                "block {b} has node type {node_type}, expected 1 (leaf), 2 (parent) or 3 (ancestor)"
            )));
        }
        let edges = &bb[b * stride..(b + 1) * stride];
        let loc = locate(file, mesh, b, level as u32, edges)?;
        blocks.push(Block {
            level: level as u32,
            node_type,
            loc,
        });
    }
    Ok(blocks)
}

/// The logical location of block `b` at `level` from its bounding box `edges`
/// (`[lo, hi]` per axis): one block of its level, on the lattice, inside the domain.
fn locate(file: &H5File, mesh: &Mesh, b: usize, level: u32, edges: &[f64]) -> Result<[i64; 3]> {
    let mut loc = [0i64; 3];
    for a in 0..mesh.axes() {
        let (e0, e1) = (edges[2 * a], edges[2 * a + 1]);
        let w = mesh.block_width(level, a);
        // A hundredth of a cell: far above single-precision rounding, far below a cell.
        let tol = 0.01 * w / mesh.block_dims[a] as f64;
        let extent = mesh.root_blocks[a] << level;
        let name = format!(
            "block {b} (refine level {}) spans {e0}..{e1} along {}",
            level + 1,
            AXES[a]
        );
        if !(e0.is_finite() && e1.is_finite()) || e0 < mesh.lo[a] - tol || e1 > mesh.hi[a] + tol {
            return Err(file.error(format!(
                "{name}, outside the domain {}..{}",
                mesh.lo[a], mesh.hi[a]
            )));
        }
        let l = ((e0 - mesh.lo[a]) / w).round();
        let left = mesh.lo[a] + l * w;
        if (e0 - left).abs() > tol || (e1 - (left + w)).abs() > tol || l < 0.0 || l >= extent as f64
        {
            return Err(file.error(format!(
                "{name}, which is not one block of its level (blocks of width {w} from {})",
                mesh.lo[a]
            )));
        }
        loc[a] = l as i64;
    }
    Ok(loc)
}

/// Where each `(level, location)` is among the blocks.
type Index = HashMap<(u32, [i64; 3]), usize>;

/// The offsets of a block's children (x fastest): 4 in 2-D, 8 in 3-D.
fn child_offsets(axes: usize) -> Vec<[i64; 3]> {
    (0..1usize << axes)
        .map(|o| [(o & 1) as i64, ((o >> 1) & 1) as i64, ((o >> 2) & 1) as i64])
        .collect()
}

/// Checks that the blocks form PARAMESH's tree: no two at one place, the root blocks tiling
/// the domain, each finer block inside a parent, leaves (node type 1) without children and
/// other blocks with all of theirs.
pub(super) fn check_tree(file: &H5File, mesh: &Mesh, blocks: &[Block]) -> Result<()> {
    let mut index: Index = HashMap::with_capacity(blocks.len());
    for (b, k) in blocks.iter().enumerate() {
        if let Some(first) = index.insert((k.level, k.loc), b) {
            return Err(file.error(format!(
                "blocks {first} and {b} both lie at refine level {} location {:?}",
                k.level + 1,
                k.loc
            )));
        }
    }
    let roots = blocks.iter().filter(|k| k.level == 0).count() as i64;
    let want: i64 = mesh.root_blocks.iter().product();
    if roots != want {
        return Err(file.error(format!(
            "{roots} blocks of refine level 1 do not tile the domain's {} root blocks ({:?} from nblockx, nblocky, nblockz)",
            want, mesh.root_blocks
        )));
    }
    let offsets = child_offsets(mesh.axes());
    for (b, k) in blocks.iter().enumerate() {
        if k.level > 0 && !index.contains_key(&(k.level - 1, k.loc.map(|v| v >> 1))) {
            return Err(file.error(format!(
                "block {b} (refine level {}) has no parent block",
                k.level + 1
            )));
        }
        let kids = offsets
            .iter()
            .filter(|o| {
                let c = [0, 1, 2].map(|a| 2 * k.loc[a] + o[a]);
                index.contains_key(&(k.level + 1, c))
            })
            .count();
        let what = format!(
            "block {b} (refine level {}) has node type {}",
            k.level + 1,
            k.node_type
        );
        if k.node_type == 1 && kids > 0 {
            return Err(file.error(format!(
                "{what} (leaf) but {kids} finer blocks lie inside it"
            )));
        }
        if k.node_type != 1 && kids != offsets.len() {
            return Err(file.error(format!(
                "{what} (not a leaf) but {kids} of its {} children are in the file",
                offsets.len()
            )));
        }
    }
    Ok(())
}

/// The grids of the blocks, ordered by level (then as in the file), and for each the block it
/// reads. Grid ids are block indices in the file.
pub(super) fn grids(mesh: &Mesh, blocks: &[Block]) -> (Vec<AmrGrid>, Vec<usize>) {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by_key(|&b| (blocks[b].level, b));
    let mut dims = mesh.block_dims;
    if mesh.axes() == 2 {
        dims[2] = 1;
    }
    let grids = order
        .iter()
        .map(|&b| {
            let k = &blocks[b];
            let mut left = DVec3::from(mesh.lo);
            let mut right = DVec3::from(mesh.hi);
            for a in 0..mesh.axes() {
                let w = mesh.block_width(k.level, a);
                left[a] = mesh.lo[a] + k.loc[a] as f64 * w;
                right[a] = left[a] + w;
            }
            AmrGrid {
                id: b as u64,
                level: k.level,
                left,
                right,
                dims,
            }
        })
        .collect();
    (grids, order)
}

/// The hierarchy of `grids`: refinement by 2 along the axes blocks refine (x and y in 2-D,
/// where the hierarchy is one cell thick).
pub(super) fn hierarchy(file: &H5File, mesh: &Mesh, grids: Vec<AmrGrid>) -> Result<AmrHierarchy> {
    let levels = grids.iter().map(|g| g.level).max().unwrap_or(0) as usize;
    let ratio = if mesh.axes() == 3 {
        [2, 2, 2]
    } else {
        [2, 2, 1]
    };
    AmrHierarchy::with_ratios(
        DVec3::from(mesh.lo),
        DVec3::from(mesh.hi),
        mesh.root_dims(),
        vec![ratio; levels],
        grids,
    )
    .map_err(|e| file.error(e.to_string()))
}
