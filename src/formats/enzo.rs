//! Enzo reader: a text parameter file (`DD0046/DD0046`), a text hierarchy beside it
//! (`DD0046.hierarchy`) and HDF5 data files (`DD0046.cpuNNNN`) with one group `/GridNNNNNNNN`
//! per grid and one dataset per field.
//!
//! The text parsers ([`parse_parameters`], [`parse_hierarchy`]) are pure functions over `&str`
//! that report line numbers; [`build_hierarchy`] turns their output into a validated
//! [`AmrHierarchy`]. File access lives in [`EnzoSource`].

use crate::amr::{AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::legacy_hdf5;
use crate::formats::{DataSource, Metadata};
use glam::DVec3;
use hdf5_reader::{Datatype, Hdf5File};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// Largest number of active cells along one axis of one grid that the reader accepts.
pub const MAX_AXIS_CELLS: u64 = 1 << 16;
/// Largest number of active cells in one grid (16 GiB of `f32`).
pub const MAX_GRID_CELLS: u64 = 1 << 32;
/// Largest root-grid dimension along one axis.
pub const MAX_ROOT_DIM: u64 = 1 << 20;
/// Largest refinement ratio accepted (Enzo uses 2, sometimes 4).
pub const MAX_REFINE_BY: u32 = 16;

/// A parse failure in one of the text files: the line (1-based, where there is one) and what
/// is wrong. The caller adds the file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: Option<usize>,
    pub what: String,
}

impl ParseError {
    fn at(line: usize, what: impl Into<String>) -> Self {
        ParseError {
            line: Some(line),
            what: what.into(),
        }
    }
    fn general(what: impl Into<String>) -> Self {
        ParseError {
            line: None,
            what: what.into(),
        }
    }
    /// The error as the library's [`Error`], naming `path`.
    pub fn into_error(self, path: &Path) -> Error {
        Error::format(path, self.to_string())
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.what),
            None => write!(f, "{}", self.what),
        }
    }
}

/// What the reader takes from the parameter file.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameters {
    pub rank: usize,
    pub top_grid_dims: [usize; 3],
    pub domain_left: [f64; 3],
    pub domain_right: [f64; 3],
    pub refine_by: u32,
    /// `InitialTime`: the output's time in code units.
    pub time: Option<f64>,
    /// `WriteGhostZones = 1`: the data files hold ghost zones around each grid.
    pub write_ghost_zones: bool,
    /// `NumberOfGhostZones` (Enzo's default is 3).
    pub ghost_zones: usize,
    /// Unit scales in cgs per code unit ("length", "density", "time", "velocity"), from
    /// `LengthUnits`/`DensityUnits`/`TimeUnits` or, with `ComovingCoordinates = 1`, from the
    /// cosmology parameters (the same formulas as Enzo and yt).
    pub units: BTreeMap<String, f64>,
}

/// One `Key = values` entry of a text file.
struct Entry<'a> {
    line: usize,
    value: &'a str,
}

/// Splits `line` into key and value at the first `=`, dropping text after `(do`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let line = match line.find("(do") {
        Some(i) => &line[..i],
        None => line,
    };
    let (k, v) = line.split_once('=')?;
    Some((k.trim(), v.trim()))
}

fn parse_num<T: std::str::FromStr>(s: &str, line: usize, key: &str) -> Result<T, ParseError> {
    s.parse::<T>()
        .map_err(|_| ParseError::at(line, format!("{key}: cannot read '{s}' as a number")))
}

/// Reads exactly `n` whitespace-separated numbers.
fn parse_vec<T: std::str::FromStr + Copy>(
    value: &str,
    n: usize,
    line: usize,
    key: &str,
) -> Result<Vec<T>, ParseError> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != n {
        return Err(ParseError::at(
            line,
            format!(
                "{key}: expected {n} values, found {} ('{value}')",
                parts.len()
            ),
        ));
    }
    parts.iter().map(|p| parse_num(p, line, key)).collect()
}

fn to3<T: Copy>(v: &[T], pad: T) -> [T; 3] {
    [0, 1, 2].map(|a| v.get(a).copied().unwrap_or(pad))
}

// Constants as yt's Enzo frontend uses them (yt.utilities.physical_ratios).
const NEWTON_CGS: f64 = 6.67384e-08;
const RHO_CRIT_G_CM3_H2: f64 = 1.8784710838431654e-29;
const CM_PER_MPC: f64 = 3.085677580962325e+24;

/// Parses an Enzo parameter file. Lines without `=` and unknown keys are ignored; the keys the
/// reader needs must parse.
pub fn parse_parameters(text: &str) -> Result<Parameters, ParseError> {
    let mut entries: HashMap<&str, Entry> = HashMap::new();
    for (n, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        if let Some((k, v)) = key_value(t) {
            if !k.is_empty() {
                entries.insert(
                    k,
                    Entry {
                        line: n + 1,
                        value: v,
                    },
                );
            }
        }
    }
    let scalar = |key: &str| -> Result<Option<f64>, ParseError> {
        match entries.get(key) {
            None => Ok(None),
            Some(e) => {
                let first = e.value.split_whitespace().next().unwrap_or("");
                parse_num::<f64>(first, e.line, key).map(Some)
            }
        }
    };
    let int = |key: &str| -> Result<Option<u64>, ParseError> {
        match entries.get(key) {
            None => Ok(None),
            Some(e) => {
                let first = e.value.split_whitespace().next().unwrap_or("");
                parse_num::<u64>(first, e.line, key).map(Some)
            }
        }
    };

    let dims_entry = entries
        .get("TopGridDimensions")
        .ok_or_else(|| ParseError::general("no TopGridDimensions: not an Enzo parameter file"))?;
    let rank = match int("TopGridRank")? {
        Some(r) => r as usize,
        None => dims_entry.value.split_whitespace().count(),
    };
    if rank != 3 {
        let line = entries
            .get("TopGridRank")
            .map_or(dims_entry.line, |e| e.line);
        return Err(ParseError::at(
            line,
            format!("TopGridRank = {rank}: only 3-D datasets are supported"),
        ));
    }
    let dims: Vec<u64> = parse_vec(dims_entry.value, rank, dims_entry.line, "TopGridDimensions")?;
    if dims.iter().any(|&d| d == 0 || d > MAX_ROOT_DIM) {
        return Err(ParseError::at(
            dims_entry.line,
            format!("TopGridDimensions {dims:?} must lie in 1..={MAX_ROOT_DIM}"),
        ));
    }
    let edge = |key: &str, default: f64| -> Result<[f64; 3], ParseError> {
        match entries.get(key) {
            None => Ok([default; 3]),
            Some(e) => {
                let v: Vec<f64> = parse_vec(e.value, rank, e.line, key)?;
                if v.iter().any(|x| !x.is_finite()) {
                    return Err(ParseError::at(e.line, format!("{key} must be finite")));
                }
                Ok(to3(&v, default))
            }
        }
    };
    let domain_left = edge("DomainLeftEdge", 0.0)?;
    let domain_right = edge("DomainRightEdge", 1.0)?;
    let refine_by = match int("RefineBy")? {
        None => 2,
        Some(r) if (2..=MAX_REFINE_BY as u64).contains(&r) => r as u32,
        Some(r) => {
            let line = entries.get("RefineBy").map_or(0, |e| e.line);
            return Err(ParseError::at(
                line,
                format!("RefineBy = {r}: must lie in 2..={MAX_REFINE_BY}"),
            ));
        }
    };
    let time = scalar("InitialTime")?;
    let write_ghost_zones = int("WriteGhostZones")?.unwrap_or(0) != 0;
    let ghost_zones = int("NumberOfGhostZones")?.unwrap_or(3).min(64) as usize;

    let mut units = BTreeMap::new();
    if int("ComovingCoordinates")?.unwrap_or(0) != 0 {
        let h = scalar("CosmologyHubbleConstantNow")?;
        let om = scalar("CosmologyOmegaMatterNow")?;
        let boxsize = scalar("CosmologyComovingBoxSize")?;
        let zi = scalar("CosmologyInitialRedshift")?;
        let z = scalar("CosmologyCurrentRedshift")?;
        if let (Some(h), Some(om), Some(boxsize), Some(zi), Some(z)) = (h, om, boxsize, zi, z) {
            let (zp1, zip1) = (1.0 + z, 1.0 + zi);
            let time_scaling =
                (1.0 / (4.0 * std::f64::consts::PI * NEWTON_CGS * RHO_CRIT_G_CM3_H2)).sqrt();
            let t = time_scaling / om.sqrt() / h / zip1.powf(1.5);
            let cosmo = [
                ("density", RHO_CRIT_G_CM3_H2 * om * h * h * zp1.powi(3)),
                ("length", CM_PER_MPC * boxsize / h / zp1),
                ("time", t),
                (
                    "velocity",
                    CM_PER_MPC / time_scaling * boxsize * om.sqrt() * zip1.sqrt(),
                ),
            ];
            for (k, v) in cosmo {
                if v.is_finite() && v > 0.0 {
                    units.insert(k.to_string(), v);
                }
            }
        }
    } else {
        for (key, name) in [
            ("LengthUnits", "length"),
            ("DensityUnits", "density"),
            ("TimeUnits", "time"),
        ] {
            if let Some(v) = scalar(key)? {
                if v.is_finite() && v > 0.0 {
                    units.insert(name.to_string(), v);
                }
            }
        }
        if let (Some(l), Some(t)) = (units.get("length"), units.get("time")) {
            let v = l / t;
            units.insert("velocity".to_string(), v);
        }
    }

    Ok(Parameters {
        rank,
        top_grid_dims: to3(&dims, 1).map(|d| d as usize),
        domain_left,
        domain_right,
        refine_by,
        time,
        write_ghost_zones,
        ghost_zones,
        units,
    })
}

/// One grid as the hierarchy file describes it, with its level and parent from the pointers.
#[derive(Clone, Debug, PartialEq)]
pub struct HierarchyGrid {
    /// The `Grid = N` number (1-based; names the HDF5 group `/GridNNNNNNNN`).
    pub id: u64,
    /// Line of the `Grid = N` line.
    pub line: usize,
    pub level: u32,
    /// The grid this one refines (`None` for root grids).
    pub parent: Option<u64>,
    /// `GridStartIndex` / `GridEndIndex` (inclusive): the active cells inside the stored array.
    pub start: [u64; 3],
    pub end: [u64; 3],
    /// `GridDimension`, the array size including ghost zones, where given.
    pub dimension: Option<[u64; 3]>,
    pub left: [f64; 3],
    pub right: [f64; 3],
    pub num_baryon_fields: u64,
    /// `BaryonFileName` as written.
    pub baryon_file: Option<String>,
}

impl HierarchyGrid {
    /// Active cells along x, y, z.
    pub fn dims(&self) -> [usize; 3] {
        [0, 1, 2].map(|a| (self.end[a] - self.start[a] + 1) as usize)
    }
    /// The HDF5 group holding this grid's fields.
    pub fn group_name(&self) -> String {
        format!("Grid{:08}", self.id)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PointerKind {
    ThisLevel,
    NextLevel,
}

impl fmt::Display for PointerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PointerKind::ThisLevel => "NextGridThisLevel",
            PointerKind::NextLevel => "NextGridNextLevel",
        })
    }
}

#[derive(Clone, Copy, Debug)]
struct Pointer {
    from: u64,
    kind: PointerKind,
    to: u64,
    line: usize,
}

/// A grid block while it is read.
#[derive(Default)]
struct Block {
    id: u64,
    line: usize,
    start: Option<[u64; 3]>,
    end: Option<[u64; 3]>,
    dimension: Option<[u64; 3]>,
    left: Option<[f64; 3]>,
    right: Option<[f64; 3]>,
    num_baryon_fields: u64,
    baryon_file: Option<String>,
}

/// `Pointer: Grid[a]->NextGridThisLevel = b`.
fn parse_pointer(rest: &str, line: usize) -> Result<Pointer, ParseError> {
    let bad = || {
        ParseError::at(
            line,
            format!("cannot read pointer line 'Pointer:{rest}' (expected 'Pointer: Grid[A]->NextGridThisLevel = B' or NextGridNextLevel)"),
        )
    };
    let (lhs, rhs) = rest.split_once('=').ok_or_else(bad)?;
    let lhs = lhs.trim();
    let inner = lhs.strip_prefix("Grid[").ok_or_else(bad)?;
    let (from, field) = inner.split_once("]->").ok_or_else(bad)?;
    let from: u64 = from.trim().parse().map_err(|_| bad())?;
    let kind = match field.trim() {
        "NextGridThisLevel" => PointerKind::ThisLevel,
        "NextGridNextLevel" => PointerKind::NextLevel,
        _ => return Err(bad()),
    };
    let to: u64 = rhs.trim().parse().map_err(|_| bad())?;
    Ok(Pointer {
        from,
        kind,
        to,
        line,
    })
}

fn finish_block(b: Block) -> Result<HierarchyGrid, ParseError> {
    let missing = |key: &str| {
        ParseError::at(
            b.line,
            format!("grid {} has no {key} line before the next grid", b.id),
        )
    };
    let start = b.start.ok_or_else(|| missing("GridStartIndex"))?;
    let end = b.end.ok_or_else(|| missing("GridEndIndex"))?;
    let left = b.left.ok_or_else(|| missing("GridLeftEdge"))?;
    let right = b.right.ok_or_else(|| missing("GridRightEdge"))?;
    let mut cells: u64 = 1;
    for a in 0..3 {
        if end[a] < start[a] {
            return Err(ParseError::at(
                b.line,
                format!(
                    "grid {}: GridEndIndex {end:?} is below GridStartIndex {start:?}",
                    b.id
                ),
            ));
        }
        let n = end[a] - start[a] + 1;
        if n > MAX_AXIS_CELLS {
            return Err(ParseError::at(
                b.line,
                format!(
                    "grid {}: {n} cells along one axis is beyond the supported {MAX_AXIS_CELLS}",
                    b.id
                ),
            ));
        }
        cells = cells.saturating_mul(n);
        if let Some(d) = b.dimension {
            if end[a] >= d[a] {
                return Err(ParseError::at(
                    b.line,
                    format!(
                        "grid {}: GridEndIndex {end:?} lies outside GridDimension {d:?}",
                        b.id
                    ),
                ));
            }
        }
    }
    if cells > MAX_GRID_CELLS {
        return Err(ParseError::at(
            b.line,
            format!(
                "grid {}: {cells} cells is beyond the supported {MAX_GRID_CELLS}",
                b.id
            ),
        ));
    }
    if left.iter().chain(&right).any(|v| !v.is_finite()) {
        return Err(ParseError::at(
            b.line,
            format!("grid {}: edges must be finite", b.id),
        ));
    }
    Ok(HierarchyGrid {
        id: b.id,
        line: b.line,
        level: 0,
        parent: None,
        start,
        end,
        dimension: b.dimension,
        left,
        right,
        num_baryon_fields: b.num_baryon_fields,
        baryon_file: b.baryon_file,
    })
}

/// Parses an Enzo text hierarchy (`.hierarchy`, 3-D runs) and derives each grid's level and parent from the `Pointer:` lines, which may
/// come after later grid blocks (Enzo writes depth first).
pub fn parse_hierarchy(text: &str) -> Result<Vec<HierarchyGrid>, ParseError> {
    let mut grids: Vec<HierarchyGrid> = Vec::new();
    let mut pointers: Vec<Pointer> = Vec::new();
    let mut current: Option<Block> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix("Pointer:") {
            pointers.push(parse_pointer(rest, line)?);
            continue;
        }
        let (key, value) = key_value(t).ok_or_else(|| {
            ParseError::at(
                line,
                format!("cannot read '{}': expected 'Key = values'", shorten(t)),
            )
        })?;
        if key == "Grid" {
            if let Some(b) = current.take() {
                grids.push(finish_block(b)?);
            }
            let id: u64 = parse_num(value, line, "Grid")?;
            if id == 0 {
                return Err(ParseError::at(line, "grid numbers start at 1"));
            }
            current = Some(Block {
                id,
                line,
                ..Block::default()
            });
            continue;
        }
        let Some(b) = current.as_mut() else {
            return Err(ParseError::at(
                line,
                format!("'{key}' before the first 'Grid = N' line"),
            ));
        };
        match key {
            "GridRank" => {
                let r: u64 = parse_num(value, line, key)?;
                if r != 3 {
                    return Err(ParseError::at(
                        line,
                        format!("GridRank = {r}: only 3-D grids are supported"),
                    ));
                }
            }
            "GridStartIndex" => b.start = Some(to3(&parse_vec(value, 3, line, key)?, 0)),
            "GridEndIndex" => b.end = Some(to3(&parse_vec(value, 3, line, key)?, 0)),
            "GridDimension" => b.dimension = Some(to3(&parse_vec(value, 3, line, key)?, 0)),
            "GridLeftEdge" => b.left = Some(to3(&parse_vec(value, 3, line, key)?, 0.0)),
            "GridRightEdge" => b.right = Some(to3(&parse_vec(value, 3, line, key)?, 0.0)),
            "NumberOfBaryonFields" => b.num_baryon_fields = parse_num(value, line, key)?,
            "BaryonFileName" => {
                if value.is_empty() {
                    return Err(ParseError::at(line, "BaryonFileName is empty"));
                }
                b.baryon_file = Some(value.to_string());
            }
            _ => {}
        }
    }
    if let Some(b) = current.take() {
        grids.push(finish_block(b)?);
    }
    if grids.is_empty() {
        return Err(ParseError::general(
            "no 'Grid = N' blocks: not an Enzo hierarchy",
        ));
    }
    resolve_tree(&mut grids, &pointers)?;
    Ok(grids)
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Sets levels and parents from the pointers: `a->NextGridNextLevel = b` makes `b` the first
/// child of `a`; `a->NextGridThisLevel = b` makes `b` a sibling of `a` (same level and parent).
/// The first grid of the file is the root of the list; every other grid must be reached from
/// it by exactly one pointer.
fn resolve_tree(grids: &mut [HierarchyGrid], pointers: &[Pointer]) -> Result<(), ParseError> {
    let mut index: HashMap<u64, usize> = HashMap::with_capacity(grids.len());
    for (n, g) in grids.iter().enumerate() {
        if let Some(&m) = index.get(&g.id) {
            return Err(ParseError::at(
                g.line,
                format!(
                    "grid {} is defined twice (lines {} and {})",
                    g.id, grids[m].line, g.line
                ),
            ));
        }
        index.insert(g.id, n);
    }
    // Outgoing pointers per grid and kind, and the one incoming pointer per grid.
    let mut out: HashMap<(usize, PointerKind), (usize, usize)> = HashMap::new();
    let mut incoming: Vec<Option<(usize, PointerKind, usize)>> = vec![None; grids.len()];
    for p in pointers {
        let &from = index.get(&p.from).ok_or_else(|| {
            ParseError::at(
                p.line,
                format!("pointer from grid {} which does not exist", p.from),
            )
        })?;
        if p.to == 0 {
            continue;
        }
        let &to = index.get(&p.to).ok_or_else(|| {
            ParseError::at(
                p.line,
                format!(
                    "grid {} points to grid {} which does not exist",
                    p.from, p.to
                ),
            )
        })?;
        if let Some(&(prev, prev_line)) = out.get(&(from, p.kind)) {
            if prev != to {
                return Err(ParseError::at(
                    p.line,
                    format!(
                        "grid {} has two {} pointers (lines {prev_line} and {})",
                        p.from, p.kind, p.line
                    ),
                ));
            }
            continue;
        }
        if let Some((_, _, other_line)) = incoming[to] {
            return Err(ParseError::at(
                p.line,
                format!(
                    "grid {} is the target of two pointers (lines {other_line} and {})",
                    p.to, p.line
                ),
            ));
        }
        out.insert((from, p.kind), (to, p.line));
        incoming[to] = Some((from, p.kind, p.line));
    }
    if let Some((_, _, line)) = incoming[0] {
        return Err(ParseError::at(
            line,
            format!(
                "the pointers form a cycle: grid {} (the first grid) is pointed to",
                grids[0].id
            ),
        ));
    }
    // Walk from the first grid.
    let mut reached = vec![false; grids.len()];
    reached[0] = true;
    let mut stack = vec![0usize];
    while let Some(n) = stack.pop() {
        for kind in [PointerKind::ThisLevel, PointerKind::NextLevel] {
            if let Some(&(m, line)) = out.get(&(n, kind)) {
                if reached[m] {
                    return Err(ParseError::at(
                        line,
                        format!("the pointers form a cycle through grid {}", grids[m].id),
                    ));
                }
                reached[m] = true;
                let (level, parent) = match kind {
                    PointerKind::ThisLevel => (grids[n].level, grids[n].parent),
                    PointerKind::NextLevel => (
                        grids[n]
                            .level
                            .checked_add(1)
                            .ok_or_else(|| ParseError::at(line, "refinement levels overflow"))?,
                        Some(grids[n].id),
                    ),
                };
                grids[m].level = level;
                grids[m].parent = parent;
                stack.push(m);
            }
        }
    }
    if let Some(n) = reached.iter().position(|r| !r) {
        // Follow the incoming pointers back: either to a grid nobody points to, or around a cycle.
        let mut seen = vec![false; grids.len()];
        let mut m = n;
        loop {
            if seen[m] {
                return Err(ParseError::at(
                    grids[m].line,
                    format!(
                        "the pointers form a cycle through grid {} (it is not reached from grid {})",
                        grids[m].id, grids[0].id
                    ),
                ));
            }
            seen[m] = true;
            match incoming[m] {
                Some((from, _, _)) => m = from,
                None => {
                    return Err(ParseError::at(
                        grids[m].line,
                        format!(
                            "no Pointer line leads to grid {}: its level and parent are unknown",
                            grids[m].id
                        ),
                    ))
                }
            }
        }
    }
    Ok(())
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
        let left = DVec3::from(g.left);
        let right = DVec3::from(g.right);
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
    AmrHierarchy::new(dl, dr, params.top_grid_dims, params.refine_by, out)
}

/// Where one grid's data lives and how to cut its active cells out of the stored array.
#[derive(Clone, Debug)]
struct GridData {
    id: u64,
    file: PathBuf,
    group: String,
    /// Active cells (x, y, z).
    dims: [usize; 3],
    /// The stored array including ghost zones (x, y, z) and the active cells' offset in it.
    full: [usize; 3],
    offset: [usize; 3],
}

/// An opened Enzo dataset.
pub struct EnzoSource {
    meta: Metadata,
    hierarchy: AmrHierarchy,
    grids: Vec<GridData>,
    fields: Vec<String>,
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

/// Reads a text file, naming it in errors.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        Error::format(
            path,
            format!(
                "not a text file (invalid UTF-8 at byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
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

/// An open HDF5 data file: old-format files through [`legacy`], newer ones through
/// `hdf5-reader` (also the fallback for features of newer files found in an old-format one).
enum H5 {
    Legacy {
        file: legacy_hdf5::LegacyFile,
        path: PathBuf,
        modern: Option<Hdf5File>,
    },
    Modern(Hdf5File),
}

/// A dataset's name, shape (nz, ny, nx) and whether it holds 32- or 64-bit floats.
struct DsInfo {
    name: String,
    shape: Vec<u64>,
    float: bool,
}

fn open_h5(path: &Path) -> Result<H5> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    match legacy_hdf5::LegacyFile::open(f) {
        Ok(Some(file)) => Ok(H5::Legacy {
            file,
            path: path.to_path_buf(),
            modern: None,
        }),
        Ok(None) => Hdf5File::open(path)
            .map(H5::Modern)
            .map_err(|e| Error::format(path, format!("cannot open as HDF5: {e}"))),
        Err(e) => Err(Error::format(path, format!("cannot open as HDF5: {e}"))),
    }
}

fn modern_of<'a>(modern: &'a mut Option<Hdf5File>, path: &Path) -> Result<&'a Hdf5File, String> {
    if modern.is_none() {
        *modern = Some(Hdf5File::open(path).map_err(|e| e.to_string())?);
    }
    modern.as_ref().ok_or_else(|| "cannot open".to_string())
}

fn modern_datasets(file: &Hdf5File, group: &str) -> Result<Vec<DsInfo>, String> {
    let g = file.group(group).map_err(|e| e.to_string())?;
    let datasets = g.datasets().map_err(|e| e.to_string())?;
    Ok(datasets
        .iter()
        .map(|d| DsInfo {
            name: d.name().rsplit('/').next().unwrap_or(d.name()).to_string(),
            shape: d.shape().to_vec(),
            float: matches!(d.dtype(), Datatype::FloatingPoint { size: 4 | 8, .. }),
        })
        .collect())
}

fn modern_read(
    file: &Hdf5File,
    path: &str,
    check: &dyn Fn(&[u64]) -> Result<(), String>,
) -> Result<Vec<f32>, String> {
    let ds = file.dataset(path).map_err(|e| e.to_string())?;
    check(ds.shape())?;
    let n: usize = ds.shape().iter().map(|&d| d as usize).product();
    match ds.dtype() {
        Datatype::FloatingPoint { size: 4, .. } => {
            let mut v = vec![0f32; n];
            ds.read_into(&mut v).map_err(|e| e.to_string())?;
            Ok(v)
        }
        Datatype::FloatingPoint { size: 8, .. } => {
            let mut v = vec![0f64; n];
            ds.read_into(&mut v).map_err(|e| e.to_string())?;
            Ok(v.into_iter().map(|x| x as f32).collect())
        }
        other => Err(format!(
            "unsupported element type {other:?} (expected 32- or 64-bit floats)"
        )),
    }
}

/// Decodes 4- or 8-byte floats of either byte order to f32.
fn decode_floats(bytes: &[u8], size: usize, big_endian: bool) -> Result<Vec<f32>, String> {
    match size {
        4 => Ok(bytes
            .chunks_exact(4)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3]];
                if big_endian {
                    f32::from_be_bytes(a)
                } else {
                    f32::from_le_bytes(a)
                }
            })
            .collect()),
        8 => Ok(bytes
            .chunks_exact(8)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                (if big_endian {
                    f64::from_be_bytes(a)
                } else {
                    f64::from_le_bytes(a)
                }) as f32
            })
            .collect()),
        n => Err(format!(
            "unsupported {n}-byte floats (expected 32- or 64-bit)"
        )),
    }
}

impl H5 {
    /// The datasets of `group` (e.g. `Grid00000001`).
    fn datasets(&mut self, group: &str) -> Result<Vec<DsInfo>, String> {
        match self {
            H5::Modern(f) => modern_datasets(f, group),
            H5::Legacy { file, path, modern } => match file.datasets(group) {
                Ok(list) => Ok(list
                    .into_iter()
                    .map(|(name, m)| DsInfo {
                        name,
                        float: matches!(m.dtype, legacy_hdf5::Dtype::Float { size: 4 | 8, .. }),
                        shape: m.shape,
                    })
                    .collect()),
                Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                    modern_datasets(modern_of(modern, path)?, group)
                }
                Err(e) => Err(e.to_string()),
            },
        }
    }

    /// Reads dataset `path` as f32 after `check` accepts its shape.
    fn read(
        &mut self,
        dset: &str,
        check: &dyn Fn(&[u64]) -> Result<(), String>,
    ) -> Result<Vec<f32>, String> {
        match self {
            H5::Modern(f) => modern_read(f, dset, check),
            H5::Legacy { file, path, modern } => {
                let meta = match file.dataset(dset) {
                    Ok(m) => m,
                    Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                        return modern_read(modern_of(modern, path)?, dset, check)
                    }
                    Err(e) => return Err(e.to_string()),
                };
                check(&meta.shape)?;
                let (size, big_endian) = match &meta.dtype {
                    legacy_hdf5::Dtype::Float { size, big_endian } => (*size, *big_endian),
                    legacy_hdf5::Dtype::Other(s) => {
                        return Err(format!(
                            "unsupported element type ({s}; expected 32- or 64-bit floats)"
                        ))
                    }
                };
                if size != 4 && size != 8 {
                    return Err(format!("unsupported {size}-byte floats"));
                }
                match file.read_bytes(&meta) {
                    Ok(bytes) => decode_floats(&bytes, size, big_endian),
                    Err(legacy_hdf5::LegacyError::Unsupported(_)) => {
                        modern_read(modern_of(modern, path)?, dset, check)
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
        }
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

        let dir = hpath.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut resolved: HashMap<&str, PathBuf> = HashMap::new();
        let mut grids = Vec::with_capacity(hgrids.len());
        for g in &hgrids {
            let dims = g.dims();
            let written = g.baryon_file.as_deref().ok_or_else(|| {
                Error::format(
                    &hpath,
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
            let offset = g.start.map(|s| s as usize);
            let full = match g.dimension {
                Some(d) => d.map(|v| v as usize),
                None => [0, 1, 2].map(|a| dims[a] + 2 * offset[a]),
            };
            grids.push(GridData {
                id: g.id,
                file,
                group: g.group_name(),
                dims,
                full,
                offset,
            });
        }
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
        })
    }
}

/// Field names: the datasets of the first grid's group whose shape is the grid's cells (with or
/// without ghost zones) and whose values are floats; particle datasets and anything else are
/// skipped.
fn list_fields(grids: &[GridData]) -> Result<Vec<String>> {
    let Some(g) = grids.first() else {
        return Ok(Vec::new());
    };
    let mut file = open_h5(&g.file)?;
    let datasets = file.datasets(&g.group).map_err(|e| {
        Error::format(
            &g.file,
            format!("grid {}: cannot list group /{}: {e}", g.id, g.group),
        )
    })?;
    let active = zyx(g.dims);
    let full = zyx(g.full);
    let mut names: Vec<String> = datasets
        .into_iter()
        .filter(|d| !d.name.starts_with("particle_"))
        .filter(|d| d.float && (d.shape == active || d.shape == full))
        .map(|d| d.name)
        .collect();
    names.dedup();
    Ok(names)
}

/// HDF5 shape (nz, ny, nx) of an (x, y, z) size.
fn zyx(d: [usize; 3]) -> [u64; 3] {
    [d[2] as u64, d[1] as u64, d[0] as u64]
}

/// Reads one grid's dataset as f32 with ghost zones removed.
fn read_grid(file: &mut H5, g: &GridData, field: &str) -> Result<Vec<f32>> {
    let path = format!("/{}/{}", g.group, field);
    let err = |what: String| Error::format(&g.file, format!("grid {}: {path}: {what}", g.id));
    let active = zyx(g.dims);
    let full = zyx(g.full);
    let check = |shape: &[u64]| -> Result<(), String> {
        if shape == active || shape == full {
            Ok(())
        } else {
            Err(format!(
                "shape {shape:?} does not match the hierarchy's {active:?} active cells (nz, ny, nx){}",
                if full != active {
                    format!(" or {full:?} with ghost zones")
                } else {
                    String::new()
                }
            ))
        }
    };
    let values = file.read(&path, &check).map_err(err)?;
    let n_active: usize = g.dims.iter().product();
    if values.len() == n_active {
        return Ok(values);
    }
    let [nx, ny, nz] = g.dims;
    let [fx, fy, _] = g.full;
    let [ox, oy, oz] = g.offset;
    let mut out = Vec::with_capacity(n_active);
    for k in 0..nz {
        for j in 0..ny {
            let row = ox + fx * ((oy + j) + fy * (oz + k));
            let src = values
                .get(row..row + nx)
                .ok_or_else(|| err("ghost-zone layout does not fit the array".into()))?;
            out.extend_from_slice(src);
        }
    }
    Ok(out)
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
        use std::collections::hash_map::Entry as MapEntry;
        // Each data file is opened once per read, each grid's dataset read once.
        let mut files: HashMap<&Path, H5> = HashMap::new();
        let mut data = Vec::with_capacity(self.grids.len());
        for g in &self.grids {
            let file = match files.entry(g.file.as_path()) {
                MapEntry::Occupied(e) => e.into_mut(),
                MapEntry::Vacant(e) => e.insert(open_h5(&g.file)?),
            };
            data.push(read_grid(file, g, name)?);
        }
        Ok(AmrField {
            name: name.to_string(),
            data,
        })
    }
}
