//! Writing an Enzo dataset in Enzo's own layout: the parameter file `NAME`, the text hierarchy
//! `NAME.hierarchy` (grids numbered and listed depth first, with Enzo's `Pointer:` lines) and
//! one HDF5 file `NAME.cpuNNNN` per MPI task holding a group `/GridNNNNNNNN` per grid of that
//! task, with one dataset per field (active cells only, as Enzo writes without ghost zones).
//!
//! Values come from a function of the field and the cell centre, evaluated in parallel a slab
//! of cells at a time and streamed to disk ([`StreamWriter`]): memory stays at one slab,
//! whatever the size of the grids and files.

use crate::error::{Error, Result};
use crate::formats::hdf5_stream::{StreamDataset, StreamWriter};
use glam::DVec3;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One grid to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteGrid {
    pub level: u32,
    /// The grid it refines (an index into [`EnzoLayout::grids`]); `None` at level 0.
    pub parent: Option<usize>,
    /// First cell in the level's index space (the domain has `root_dims * 2^level` cells).
    pub start: [u64; 3],
    /// Active cells along x, y, z.
    pub dims: [usize; 3],
    /// The MPI task, hence the `.cpuNNNN` file, that holds it.
    pub task: usize,
}

impl WriteGrid {
    pub fn num_cells(&self) -> u64 {
        self.dims.iter().map(|&d| d as u64).product()
    }
}

/// An Enzo dataset to write, on the domain `[0, 1]^3`, refined by 2.
#[derive(Clone, Debug)]
pub struct EnzoLayout {
    /// The output's name (`DD0000`): the parameter file and the prefix of the others.
    pub name: String,
    pub root_dims: [usize; 3],
    /// Grids in any order; children are listed under their parent in the order given.
    pub grids: Vec<WriteGrid>,
    /// MPI tasks: one `.cpuNNNN` file each.
    pub tasks: usize,
    /// Field names, in the order each grid's group holds them.
    pub fields: Vec<String>,
    pub time: f64,
    /// `LengthUnits`, `DensityUnits`, `TimeUnits` (cgs per code unit).
    pub units: [f64; 3],
}

/// What was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The parameter file (what `amrcast info` and `render` open).
    pub param: PathBuf,
    /// The data files, by task.
    pub files: Vec<PathBuf>,
    /// Bytes of all files.
    pub bytes: u64,
}

/// Enzo's number for a baryon field; `None` for derived outputs (Temperature), which Enzo
/// writes beside the baryon fields without counting them.
fn field_type(name: &str) -> Option<u32> {
    match name {
        "Density" => Some(0),
        "TotalEnergy" => Some(1),
        "GasEnergy" => Some(2),
        "x-velocity" => Some(4),
        "y-velocity" => Some(5),
        "z-velocity" => Some(6),
        _ => None,
    }
}

impl EnzoLayout {
    fn level_dims(&self, level: u32) -> [u64; 3] {
        self.root_dims.map(|d| (d as u64) << level)
    }

    /// Checks the grids against each other and the domain; a plain message otherwise.
    fn check(&self) -> std::result::Result<(), String> {
        if self.root_dims.contains(&0) || self.tasks == 0 || self.fields.is_empty() {
            return Err("empty root grid, no tasks or no fields".into());
        }
        for (n, g) in self.grids.iter().enumerate() {
            let dims = self.level_dims(g.level);
            let inside = (0..3).all(|a| g.dims[a] > 0 && g.start[a] + g.dims[a] as u64 <= dims[a]);
            let parent_ok = match g.parent {
                None => g.level == 0,
                Some(p) => self.grids.get(p).is_some_and(|p| {
                    p.level + 1 == g.level
                        && (0..3).all(|a| {
                            g.start[a] >= 2 * p.start[a]
                                && g.start[a] + g.dims[a] as u64
                                    <= 2 * (p.start[a] + p.dims[a] as u64)
                        })
                }),
            };
            if !inside || !parent_ok || g.task >= self.tasks {
                return Err(format!(
                    "grid {n} ({g:?}) lies outside the domain or its parent, or has no task"
                ));
            }
        }
        Ok(())
    }

    fn children(&self, parent: Option<usize>) -> Vec<usize> {
        (0..self.grids.len())
            .filter(|&n| self.grids[n].parent == parent)
            .collect()
    }
}

/// Writes `layout` into `dir` (created if needed); `value(field, centre)` gives the value of
/// field number `field` of [`EnzoLayout::fields`] at a cell centre in `[0, 1]^3`.
pub fn write_enzo(
    dir: &Path,
    layout: &EnzoLayout,
    value: &(dyn Fn(usize, DVec3) -> f32 + Sync),
) -> Result<Written> {
    layout.check().map_err(|e| Error::format(dir, e))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (hierarchy, order) = hierarchy_text(layout);
    let param = dir.join(&layout.name);
    let write =
        |path: &Path, text: String| std::fs::write(path, text).map_err(|e| Error::io(path, e));
    write(&param, parameter_text(layout))?;
    write(&super::hierarchy_path(&param), hierarchy)?;
    let mut files = Vec::with_capacity(layout.tasks);
    let mut bytes = 0;
    for task in 0..layout.tasks {
        let path = dir.join(cpu_file(&layout.name, task));
        bytes += write_task(&path, layout, &order, task, value)?;
        files.push(path);
    }
    for p in [param.clone(), super::hierarchy_path(&param)] {
        bytes += std::fs::metadata(&p).map_err(|e| Error::io(&p, e))?.len();
    }
    Ok(Written {
        param,
        files,
        bytes,
    })
}

fn cpu_file(name: &str, task: usize) -> String {
    format!("{name}.cpu{task:04}")
}

/// One task's data file: its grids in Enzo's order, each grid's fields in order.
fn write_task(
    path: &Path,
    layout: &EnzoLayout,
    order: &[usize],
    task: usize,
    value: &(dyn Fn(usize, DVec3) -> f32 + Sync),
) -> Result<u64> {
    let grids: Vec<(usize, usize)> = order
        .iter()
        .enumerate()
        .filter(|&(_, &n)| layout.grids[n].task == task)
        .map(|(id, &n)| (id + 1, n))
        .collect();
    let mut datasets = Vec::new();
    for &(id, n) in &grids {
        let d = layout.grids[n].dims;
        for f in &layout.fields {
            datasets.push(StreamDataset::new(
                format!("Grid{id:08}/{f}"),
                [d[2] as u64, d[1] as u64, d[0] as u64],
            ));
        }
    }
    let mut out = StreamWriter::create(path, &datasets)?;
    for &(_, n) in &grids {
        for field in 0..layout.fields.len() {
            write_grid(&mut out, layout, &layout.grids[n], field, value)?;
        }
    }
    out.finish()
}

/// Values per slab: a few MB, split over the threads.
const SLAB_VALUES: usize = 1 << 22;

/// Evaluates one field of one grid at its cell centres, a slab of z-planes at a time, each
/// slab shared plane by plane between the threads.
fn write_grid(
    out: &mut StreamWriter,
    layout: &EnzoLayout,
    g: &WriteGrid,
    field: usize,
    value: &(dyn Fn(usize, DVec3) -> f32 + Sync),
) -> Result<()> {
    let [nx, ny, nz] = g.dims;
    let plane = nx * ny;
    let per_slab = (SLAB_VALUES / plane).clamp(1, nz);
    let inv = layout.level_dims(g.level).map(|d| 1.0 / d as f64);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let centre = |i: usize, j: usize, k: usize| {
        let c = [i, j, k];
        DVec3::from([0, 1, 2].map(|a| (g.start[a] as f64 + c[a] as f64 + 0.5) * inv[a]))
    };
    let mut slab = vec![0f32; per_slab * plane];
    for k0 in (0..nz).step_by(per_slab) {
        let planes = per_slab.min(nz - k0);
        let buf = &mut slab[..planes * plane];
        let per_thread = planes.div_ceil(threads.min(planes));
        std::thread::scope(|s| {
            for (t, part) in buf.chunks_mut(per_thread * plane).enumerate() {
                s.spawn(move || {
                    for (m, v) in part.iter_mut().enumerate() {
                        let (i, j) = (m % nx, (m / nx) % ny);
                        let k = k0 + t * per_thread + m / plane;
                        *v = value(field, centre(i, j, k));
                    }
                });
            }
        });
        out.write(buf)?;
    }
    Ok(())
}

fn parameter_text(layout: &EnzoLayout) -> String {
    let [r0, r1, r2] = layout.root_dims;
    let max_level = layout.grids.iter().map(|g| g.level).max().unwrap_or(0);
    let [length, density, time] = layout.units;
    let mut s = format!(
        "InitialCycleNumber  = 0\nInitialTime         = {}\nInitialCPUTime      = 0\n\
         MetaDataIdentifier  = amrcast-synthetic\n\n\
         TopGridRank         = 3\nTopGridDimensions   = {r0} {r1} {r2}\n\
         TopGridGravityBoundary = 0\nParallelRootGridIO  = 1\n\
         DomainLeftEdge      = 0 0 0\nDomainRightEdge     = 1 1 1\n\
         RefineBy            = 2\nMaximumRefinementLevel = {max_level}\n\
         NumberOfGhostZones  = 3\nWriteGhostZones     = 0\n\
         ComovingCoordinates = 0\nLengthUnits         = {length:e}\n\
         DensityUnits        = {density:e}\nTimeUnits           = {time:e}\n",
        layout.time
    );
    let derived = layout.fields.iter().any(|f| field_type(f).is_none());
    let _ = writeln!(s, "OutputTemperature   = {}", u8::from(derived));
    for (n, f) in layout.fields.iter().enumerate() {
        let _ = writeln!(s, "DataLabel[{n}]        = {f}");
    }
    s
}

/// The hierarchy file and the grids in the order it numbers them (grid `k + 1` is
/// `order[k]`).
fn hierarchy_text(layout: &EnzoLayout) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut order = Vec::with_capacity(layout.grids.len());
    write_siblings(layout, &layout.children(None), &mut order, &mut text);
    (text, order)
}

/// Enzo's recursion (`WriteDataHierarchy`): a grid, its sibling pointer, its later siblings'
/// whole subtrees, then its child pointer and its children; grids are numbered as written.
fn write_siblings(layout: &EnzoLayout, siblings: &[usize], order: &mut Vec<usize>, s: &mut String) {
    let Some((&n, rest)) = siblings.split_first() else {
        return;
    };
    order.push(n);
    let id = order.len();
    grid_block(layout, &layout.grids[n], id, s);
    let next = if rest.is_empty() { 0 } else { id + 1 };
    let _ = writeln!(s, "Pointer: Grid[{id}]->NextGridThisLevel = {next}");
    write_siblings(layout, rest, order, s);
    let children = layout.children(Some(n));
    let first = if children.is_empty() {
        0
    } else {
        order.len() + 1
    };
    let _ = writeln!(s, "Pointer: Grid[{id}]->NextGridNextLevel = {first}");
    write_siblings(layout, &children, order, s);
}

/// One grid's block: three ghost zones around the active cells in `GridDimension`, as Enzo
/// counts them, though the data files hold the active cells only.
fn grid_block(layout: &EnzoLayout, g: &WriteGrid, id: usize, s: &mut String) {
    let dims = layout.level_dims(g.level);
    let edge = |at: [u64; 3]| {
        let e: Vec<String> = (0..3)
            .map(|a| (at[a] as f64 / dims[a] as f64).to_string())
            .collect();
        e.join(" ")
    };
    let end: [u64; 3] = [0, 1, 2].map(|a| g.start[a] + g.dims[a] as u64);
    let baryon: Vec<String> = layout
        .fields
        .iter()
        .filter_map(|f| field_type(f).map(|t| t.to_string()))
        .collect();
    let [nx, ny, nz] = g.dims;
    let _ = write!(
        s,
        "\nGrid = {id}\nGridRank          = 3\nGridDimension     = {} {} {}\n\
         GridStartIndex    = 3 3 3\nGridEndIndex      = {} {} {}\n\
         GridLeftEdge      = {}\nGridRightEdge     = {}\nTime              = {}\n\
         SubgridsAreStatic = 0\nNumberOfBaryonFields = {}\nFieldType = {}\n\
         BaryonFileName = {}\nCourantSafetyNumber    = 0.500000\n\
         PPMFlatteningParameter = 0\nPPMDiffusionParameter  = 0\n\
         PPMSteepeningParameter = 0\nNumberOfParticles   = 0\n\
         GravityBoundaryType = {}\n",
        nx + 6,
        ny + 6,
        nz + 6,
        nx + 2,
        ny + 2,
        nz + 2,
        edge(g.start),
        edge(end),
        layout.time,
        baryon.len(),
        baryon.join(" "),
        cpu_file(&layout.name, g.task),
        if g.level == 0 { 0 } else { 2 },
    );
}
