//! The mesh of a FLASH file from its scalars and runtime parameters: file format version,
//! geometry, dimensionality, block size (`nxb`, `nyb`, `nzb`), domain (`xmin` .. `zmax`) and
//! the root blocks (`nblockx`, `nblocky`, `nblockz` for PARAMESH; `iprocs`, `jprocs`,
//! `kprocs` for the uniform grid), each checked.

use super::params::{format_version, Params};
use crate::error::Result;
use crate::formats::hdf5::{H5File, MAX_VALUES};
use hdf5_reader::group::Group;
use std::collections::BTreeMap;

const SCALARS: &str = "scalars";
const RUNTIME: &str = "runtime parameters";
const AXES: [&str; 3] = ["x", "y", "z"];

/// The mesh the parameters describe.
#[derive(Clone, Debug)]
pub(super) struct Mesh {
    /// 2 or 3.
    pub(super) dimensionality: u32,
    /// Domain corners; a 2-D file's z range is the file's, or one level-0 cell wide.
    pub(super) lo: [f64; 3],
    pub(super) hi: [f64; 3],
    /// Cells per block (`nzb` is 1 in 2-D).
    pub(super) block_dims: [usize; 3],
    /// Blocks of refine level 1 along each axis (1 along z in 2-D).
    pub(super) root_blocks: [i64; 3],
}

impl Mesh {
    /// The width along axis `a` of a block at `level` (0 for FLASH's refine level 1).
    pub(super) fn block_width(&self, level: u32, a: usize) -> f64 {
        (self.hi[a] - self.lo[a]) / (self.root_blocks[a] as f64 * (1u64 << level) as f64)
    }

    /// Cells of level 0 along each axis across the domain.
    pub(super) fn root_dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| self.root_blocks[a] as usize * self.block_dims[a])
    }

    /// Axes that blocks refine: x, y and, in 3-D, z.
    pub(super) fn axes(&self) -> usize {
        self.dimensionality as usize
    }

    pub(super) fn cells_per_block(&self) -> usize {
        self.block_dims.iter().product()
    }
}

/// A required integer.
fn need_int(file: &H5File, p: &Params, suffix: &str, name: &str) -> Result<i64> {
    p.int(suffix, name).ok_or_else(|| {
        file.error(format!(
            "missing integer {} '{name}' (dataset 'integer {suffix}')",
            singular(suffix)
        ))
    })
}

/// A required real.
fn need_real(file: &H5File, p: &Params, suffix: &str, name: &str) -> Result<f64> {
    p.real(suffix, name).ok_or_else(|| {
        file.error(format!(
            "missing real {} '{name}' (dataset 'real {suffix}')",
            singular(suffix)
        ))
    })
}

fn singular(suffix: &str) -> &str {
    suffix.strip_suffix('s').unwrap_or(suffix)
}

/// Refuses FLASH 2 files (format version 7 and below: a different layout of the parameters)
/// and files without the FLASH 3/4 tables.
fn check_version(file: &H5File, root: &Group, p: &Params) -> Result<()> {
    if let Some(v) = format_version(file, root)? {
        if v < 8 {
            return Err(file.error(format!(
                "FLASH file format version {v} (FLASH 2) is not supported, only versions 8 and 9 (FLASH 3 and 4)"
            )));
        }
    }
    for table in ["integer scalars", "real runtime parameters"] {
        if !p.has(table) {
            return Err(file.error(format!(
                "missing dataset '{table}' in the root group (a FLASH 3 or 4 file has it)"
            )));
        }
    }
    Ok(())
}

/// Refuses geometries other than Cartesian (`geometry` is a string runtime parameter).
fn check_geometry(file: &H5File, p: &Params) -> Result<()> {
    if let Some(g) = p.string(RUNTIME, "geometry") {
        if !g.eq_ignore_ascii_case("cartesian") {
            return Err(file.error(format!(
                "FLASH geometry '{g}' is not supported: only Cartesian meshes can be rendered"
            )));
        }
    }
    Ok(())
}

/// Dimensionality (the integer scalar, else guessed from the block size as yt does) and the
/// block size, checked against each other.
fn dimensionality_and_blocks(file: &H5File, p: &Params) -> Result<(u32, [usize; 3])> {
    let mut nb = [0usize; 3];
    for (a, axis) in AXES.iter().enumerate() {
        let name = format!("n{axis}b");
        let v = need_int(file, p, SCALARS, &name)?;
        if !(1..=1 << 16).contains(&v) {
            return Err(file.error(format!(
                "integer scalar '{name}' is {v}, expected 1..=65536"
            )));
        }
        nb[a] = v as usize;
    }
    let dims = match p.int(SCALARS, "dimensionality") {
        Some(d) => d,
        None if nb[1] == 1 => 1,
        None if nb[2] == 1 => 2,
        None => 3,
    };
    match dims {
        2 | 3 => {}
        1 => {
            return Err(
                file.error("this is a 1-D FLASH file; only 2-D and 3-D files can be rendered")
            )
        }
        d => {
            return Err(file.error(format!(
                "integer scalar 'dimensionality' is {d}, expected 1, 2 or 3"
            )))
        }
    }
    if dims == 2 && nb[2] != 1 {
        return Err(file.error(format!(
            "a 2-D FLASH file must have nzb 1, this one has nxb, nyb, nzb = {nb:?}"
        )));
    }
    Ok((dims as u32, nb))
}

/// Blocks of refine level 1 along each axis: PARAMESH's `nblockx/y/z`, the uniform grid's
/// `iprocs/jprocs/kprocs`, or one block when the file holds one.
fn root_blocks(file: &H5File, p: &Params, dims: u32, num_blocks: usize) -> Result<[i64; 3]> {
    let names = if p.int(RUNTIME, "nblockx").is_some() {
        ["nblockx", "nblocky", "nblockz"]
    } else if p.int(RUNTIME, "iprocs").is_some() {
        ["iprocs", "jprocs", "kprocs"]
    } else if num_blocks == 1 {
        return Ok([1, 1, 1]);
    } else {
        return Err(file.error(
            "missing integer runtime parameters 'nblockx', 'nblocky', 'nblockz' (the root blocks along each axis)",
        ));
    };
    let mut r = [1i64; 3];
    for a in 0..dims as usize {
        let v = need_int(file, p, RUNTIME, names[a])?;
        if !(1..=1 << 20).contains(&v) {
            return Err(file.error(format!(
                "integer runtime parameter '{}' is {v}, expected a positive number of blocks",
                names[a]
            )));
        }
        r[a] = v;
    }
    Ok(r)
}

/// The domain along the axes blocks refine; a 2-D file's z range is the file's `zmin`..`zmax`
/// when it is not empty, else one level-0 cell wide from `zmin` (or 0).
fn domain(
    file: &H5File,
    p: &Params,
    dims: u32,
    nb: [usize; 3],
    root: [i64; 3],
) -> Result<([f64; 3], [f64; 3])> {
    let (mut lo, mut hi) = ([0.0f64; 3], [0.0f64; 3]);
    for (a, axis) in AXES.iter().enumerate().take(dims as usize) {
        lo[a] = need_real(file, p, RUNTIME, &format!("{axis}min"))?;
        hi[a] = need_real(file, p, RUNTIME, &format!("{axis}max"))?;
        if !(lo[a].is_finite() && hi[a].is_finite() && hi[a] > lo[a]) {
            return Err(file.error(format!(
                "the domain along {axis} is {}..{}: {axis}max must exceed {axis}min",
                lo[a], hi[a]
            )));
        }
    }
    if dims == 2 {
        let z0 = p.real(RUNTIME, "zmin").filter(|v| v.is_finite());
        let z1 = p.real(RUNTIME, "zmax").filter(|v| v.is_finite());
        (lo[2], hi[2]) = match (z0, z1) {
            (Some(z0), Some(z1)) if z1 > z0 => (z0, z1),
            _ => {
                let w = (hi[0] - lo[0]) / (root[0] as f64 * nb[0] as f64);
                let z0 = z0.unwrap_or(0.0);
                (z0, z0 + w)
            }
        };
    }
    Ok((lo, hi))
}

/// The mesh of a FLASH file holding `num_blocks` blocks (the length of `refine level`).
pub(super) fn read_mesh(
    file: &H5File,
    root: &Group,
    p: &Params,
    num_blocks: usize,
) -> Result<Mesh> {
    check_version(file, root, p)?;
    check_geometry(file, p)?;
    let (dimensionality, block_dims) = dimensionality_and_blocks(file, p)?;
    if let Some(g) = p.int(SCALARS, "globalnumblocks") {
        if g != num_blocks as i64 {
            return Err(file.error(format!(
                "integer scalar 'globalnumblocks' is {g} but dataset 'refine level' has {num_blocks} blocks"
            )));
        }
    }
    let cells: usize = block_dims.iter().product();
    if (cells as u64).saturating_mul(num_blocks as u64) > MAX_VALUES {
        return Err(file.error(format!(
            "{num_blocks} blocks of {block_dims:?} cells is beyond what can be loaded"
        )));
    }
    let root_blocks = root_blocks(file, p, dimensionality, num_blocks)?;
    let (lo, hi) = domain(file, p, dimensionality, block_dims, root_blocks)?;
    Ok(Mesh {
        dimensionality,
        lo,
        hi,
        block_dims,
        root_blocks,
    })
}

/// The simulation time: the real scalar `time`.
pub(super) fn time(p: &Params) -> Option<f64> {
    p.real(SCALARS, "time")
}

/// Units in cgs per code unit: FLASH works in its physical constants' unit system, CGS unless
/// the string runtime parameter `pc_unitsBase` says MKS. The length is left unknown for
/// cosmological runs (comoving coordinates).
pub(super) fn units(p: &Params) -> BTreeMap<String, f64> {
    let mks = p
        .string(RUNTIME, "pc_unitsbase")
        .is_some_and(|u| u.eq_ignore_ascii_case("mks"));
    let mut units = BTreeMap::from([("time".to_string(), 1.0)]);
    if p.logical(RUNTIME, "usecosmology") != Some(true) {
        units.insert("length".into(), if mks { 100.0 } else { 1.0 });
    }
    units
}
