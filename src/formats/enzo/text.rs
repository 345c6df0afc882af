//! The Enzo text files as pure functions over `&str`: the parameter file
//! ([`parse_parameters`]) and the `.hierarchy` file ([`parse_hierarchy`]). Errors carry the
//! line number; the caller names the file.

use crate::error::Error;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

mod pointers;

use pointers::{parse_pointer, resolve_tree, Pointer};

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

/// The `Key = values` entries of a parameter file, by key (the last one of a key wins), with
/// their line numbers.
struct Entries<'a>(HashMap<&'a str, (usize, &'a str)>);

impl<'a> Entries<'a> {
    /// Lines without `=`, blank lines and comments (`#`, `//`) are skipped.
    fn parse(text: &'a str) -> Self {
        let mut entries = HashMap::new();
        for (n, raw) in text.lines().enumerate() {
            let t = raw.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
                continue;
            }
            if let Some((k, v)) = key_value(t) {
                if !k.is_empty() {
                    entries.insert(k, (n + 1, v));
                }
            }
        }
        Entries(entries)
    }

    /// The line and value of `key`.
    fn get(&self, key: &str) -> Option<(usize, &'a str)> {
        self.0.get(key).copied()
    }

    /// The first number of `key`'s value.
    fn first<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some((line, value)) => {
                let first = value.split_whitespace().next().unwrap_or("");
                parse_num::<T>(first, line, key).map(Some)
            }
        }
    }

    fn scalar(&self, key: &str) -> Result<Option<f64>, ParseError> {
        self.first(key)
    }

    fn int(&self, key: &str) -> Result<Option<u64>, ParseError> {
        self.first(key)
    }

    /// A domain edge of `rank` finite values, `default` on every axis when absent.
    fn edge(&self, key: &str, rank: usize, default: f64) -> Result<[f64; 3], ParseError> {
        let Some((line, value)) = self.get(key) else {
            return Ok([default; 3]);
        };
        let v: Vec<f64> = parse_vec(value, rank, line, key)?;
        if v.iter().any(|x| !x.is_finite()) {
            return Err(ParseError::at(line, format!("{key} must be finite")));
        }
        Ok(to3(&v, default))
    }
}

/// Parses an Enzo parameter file. Lines without `=` and unknown keys are ignored; the keys the
/// reader needs must parse.
pub fn parse_parameters(text: &str) -> Result<Parameters, ParseError> {
    let entries = Entries::parse(text);
    let (dims_line, dims_value) = entries
        .get("TopGridDimensions")
        .ok_or_else(|| ParseError::general("no TopGridDimensions: not an Enzo parameter file"))?;
    let rank = match entries.int("TopGridRank")? {
        Some(r) => r as usize,
        None => dims_value.split_whitespace().count(),
    };
    if rank != 3 {
        let line = entries.get("TopGridRank").map_or(dims_line, |e| e.0);
        return Err(ParseError::at(
            line,
            format!("TopGridRank = {rank}: only 3-D datasets are supported"),
        ));
    }
    let dims: Vec<u64> = parse_vec(dims_value, rank, dims_line, "TopGridDimensions")?;
    if dims.iter().any(|&d| d == 0 || d > MAX_ROOT_DIM) {
        return Err(ParseError::at(
            dims_line,
            format!("TopGridDimensions {dims:?} must lie in 1..={MAX_ROOT_DIM}"),
        ));
    }
    let domain_left = entries.edge("DomainLeftEdge", rank, 0.0)?;
    let domain_right = entries.edge("DomainRightEdge", rank, 1.0)?;
    let refine_by = match entries.int("RefineBy")? {
        None => 2,
        Some(r) if (2..=MAX_REFINE_BY as u64).contains(&r) => r as u32,
        Some(r) => {
            let line = entries.get("RefineBy").map_or(0, |e| e.0);
            return Err(ParseError::at(
                line,
                format!("RefineBy = {r}: must lie in 2..={MAX_REFINE_BY}"),
            ));
        }
    };
    Ok(Parameters {
        rank,
        top_grid_dims: to3(&dims, 1).map(|d| d as usize),
        domain_left,
        domain_right,
        refine_by,
        time: entries.scalar("InitialTime")?,
        write_ghost_zones: entries.int("WriteGhostZones")?.unwrap_or(0) != 0,
        ghost_zones: entries.int("NumberOfGhostZones")?.unwrap_or(3).min(64) as usize,
        units: units(&entries)?,
    })
}

/// Unit scales in cgs: from the cosmology parameters with `ComovingCoordinates = 1`, else
/// from `LengthUnits`, `DensityUnits` and `TimeUnits` (and the velocity unit from the last
/// two); scales that are not finite and positive are left out.
fn units(entries: &Entries) -> Result<BTreeMap<String, f64>, ParseError> {
    let mut units = BTreeMap::new();
    if entries.int("ComovingCoordinates")?.unwrap_or(0) != 0 {
        for (k, v) in cosmology_units(entries)? {
            if v.is_finite() && v > 0.0 {
                units.insert(k.to_string(), v);
            }
        }
        return Ok(units);
    }
    for (key, name) in [
        ("LengthUnits", "length"),
        ("DensityUnits", "density"),
        ("TimeUnits", "time"),
    ] {
        if let Some(v) = entries.scalar(key)? {
            if v.is_finite() && v > 0.0 {
                units.insert(name.to_string(), v);
            }
        }
    }
    if let (Some(l), Some(t)) = (units.get("length"), units.get("time")) {
        let v = l / t;
        units.insert("velocity".to_string(), v);
    }
    Ok(units)
}

/// The units of a cosmological run (the same formulas as Enzo and yt); none unless all five
/// cosmology parameters are given.
fn cosmology_units(entries: &Entries) -> Result<Vec<(&'static str, f64)>, ParseError> {
    let h = entries.scalar("CosmologyHubbleConstantNow")?;
    let om = entries.scalar("CosmologyOmegaMatterNow")?;
    let boxsize = entries.scalar("CosmologyComovingBoxSize")?;
    let zi = entries.scalar("CosmologyInitialRedshift")?;
    let z = entries.scalar("CosmologyCurrentRedshift")?;
    let (Some(h), Some(om), Some(boxsize), Some(zi), Some(z)) = (h, om, boxsize, zi, z) else {
        return Ok(Vec::new());
    };
    let (zp1, zip1) = (1.0 + z, 1.0 + zi);
    let time_scaling = (1.0 / (4.0 * std::f64::consts::PI * NEWTON_CGS * RHO_CRIT_G_CM3_H2)).sqrt();
    let t = time_scaling / om.sqrt() / h / zip1.powf(1.5);
    Ok(vec![
        ("density", RHO_CRIT_G_CM3_H2 * om * h * h * zp1.powi(3)),
        ("length", CM_PER_MPC * boxsize / h / zp1),
        ("time", t),
        (
            "velocity",
            CM_PER_MPC / time_scaling * boxsize * om.sqrt() * zip1.sqrt(),
        ),
    ])
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
    let bad = |what: String| Err(ParseError::at(b.line, format!("grid {}: {what}", b.id)));
    let mut cells: u64 = 1;
    for a in 0..3 {
        if end[a] < start[a] {
            return bad(format!(
                "GridEndIndex {end:?} is below GridStartIndex {start:?}"
            ));
        }
        let n = end[a] - start[a] + 1;
        if n > MAX_AXIS_CELLS {
            return bad(format!(
                "{n} cells along one axis is beyond the supported {MAX_AXIS_CELLS}"
            ));
        }
        cells = cells.saturating_mul(n);
        if let Some(d) = b.dimension.filter(|d| end[a] >= d[a]) {
            return bad(format!(
                "GridEndIndex {end:?} lies outside GridDimension {d:?}"
            ));
        }
    }
    if cells > MAX_GRID_CELLS {
        return bad(format!(
            "{cells} cells is beyond the supported {MAX_GRID_CELLS}"
        ));
    }
    if left.iter().chain(&right).any(|v| !v.is_finite()) {
        return bad("edges must be finite".into());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_skip_comments_and_notes_and_take_the_last_entry() {
        let p = parse_parameters(
            "# a comment\n// another\nTopGridRank = 3\nTopGridDimensions = 4 4 4\n\
             RefineBy = 4 (do not modify)\nRefineBy = 3\nLengthUnits = 2\nTimeUnits = 4\n\
             DensityUnits = -1\n",
        )
        .unwrap();
        assert_eq!(p.top_grid_dims, [4, 4, 4]);
        assert_eq!(p.refine_by, 3);
        assert_eq!((p.domain_left, p.domain_right), ([0.0; 3], [1.0; 3]));
        assert_eq!(
            (p.write_ghost_zones, p.ghost_zones, p.time),
            (false, 3, None)
        );
        // A unit that is not positive is left out; velocity is length over time.
        let units: Vec<(&str, f64)> = p.units.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(units, [("length", 2.0), ("time", 4.0), ("velocity", 0.5)]);
    }

    #[test]
    fn cosmology_units_need_every_parameter() {
        let base = "TopGridDimensions = 2 2 2\nComovingCoordinates = 1\nLengthUnits = 5\n\
                    CosmologyHubbleConstantNow = 0.7\nCosmologyOmegaMatterNow = 0.3\n\
                    CosmologyComovingBoxSize = 10\nCosmologyInitialRedshift = 50\n";
        assert!(parse_parameters(base).unwrap().units.is_empty());
        let p = parse_parameters(&format!("{base}CosmologyCurrentRedshift = 0\n")).unwrap();
        let names: Vec<&str> = p.units.keys().map(String::as_str).collect();
        assert_eq!(names, ["density", "length", "time", "velocity"]);
        assert!((p.units["length"] / (CM_PER_MPC * 10.0 / 0.7) - 1.0).abs() < 1e-12);
    }

    const HIERARCHY: &str = "Grid = 1\nGridStartIndex = 0 0 0\nGridEndIndex = 3 3 3\n\
        GridLeftEdge = 0 0 0\nGridRightEdge = 1 1 1\nBaryonFileName = a.cpu0000\n\
        Pointer: Grid[1]->NextGridThisLevel = 0\n\
        Grid = 2\nGridStartIndex = 3 3 3\nGridEndIndex = 6 6 6\nGridDimension = 10 10 10\n\
        GridLeftEdge = 0.25 0.25 0.25\nGridRightEdge = 0.75 0.75 0.75\n\
        Pointer: Grid[2]->NextGridThisLevel = 0\nPointer: Grid[1]->NextGridNextLevel = 2\n";

    #[test]
    fn hierarchy_levels_and_parents_come_from_late_pointers() {
        let g = parse_hierarchy(HIERARCHY).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].level, g[0].parent), (0, None));
        assert_eq!((g[1].level, g[1].parent, g[1].line), (1, Some(1), 8));
        assert_eq!((g[1].dims(), g[1].dimension), ([4; 3], Some([10; 3])));
        assert_eq!(g[0].baryon_file.as_deref(), Some("a.cpu0000"));
        assert_eq!(g[1].group_name(), "Grid00000002");
    }

    #[test]
    fn hierarchy_errors_name_the_line() {
        let e = parse_hierarchy(&HIERARCHY.replace("GridEndIndex = 6 6 6\n", "")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 8: grid 2 has no GridEndIndex line before the next grid"
        );
        let e = parse_hierarchy(&HIERARCHY.replace("NextLevel = 2", "NextLevel = 3")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 15: grid 1 points to grid 3 which does not exist"
        );
        let e = parse_hierarchy(&HIERARCHY.replace("NextLevel = 2", "NextLevel = 0")).unwrap_err();
        assert!(e.what.contains("no Pointer line leads to grid 2"), "{e}");
    }
}
