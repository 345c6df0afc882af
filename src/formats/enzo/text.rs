//! The Enzo text files as pure functions over `&str`: the parameter file
//! ([`parse_parameters`], here) and the `.hierarchy` file ([`parse_hierarchy`], in
//! `text/hierarchy.rs`, with its `Pointer:` lines in `text/pointers.rs`). Errors carry the
//! line number; the caller names the file.
//!
//! A 2-D run (`TopGridRank = 2`) has two values per vector; its root grid is one cell along
//! z, and its z extent is the third `DomainLeftEdge`/`DomainRightEdge` entry where both give
//! one, else `[0, dx]` with `dx` the root cell's width along x.

use crate::error::Error;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

mod hierarchy;
mod pointers;

pub use hierarchy::{parse_hierarchy, HierarchyGrid};

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

    /// A domain edge of `rank` finite values (or 3 in a 2-D file, whose third is the z
    /// extent), `default` on every axis when absent; also whether a z value was given.
    fn edge(&self, key: &str, rank: usize, default: f64) -> Result<([f64; 3], bool), ParseError> {
        let Some((line, value)) = self.get(key) else {
            return Ok(([default; 3], false));
        };
        let n = value.split_whitespace().count();
        let n = if rank == 2 && n == 3 { 3 } else { rank };
        let v: Vec<f64> = parse_vec(value, n, line, key)?;
        if v.iter().any(|x| !x.is_finite()) {
            return Err(ParseError::at(line, format!("{key} must be finite")));
        }
        Ok((to3(&v, default), n == 3))
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
    if rank != 2 && rank != 3 {
        let line = entries.get("TopGridRank").map_or(dims_line, |e| e.0);
        return Err(ParseError::at(
            line,
            format!("TopGridRank = {rank}: only 2-D and 3-D datasets are supported"),
        ));
    }
    let top_grid_dims = top_grid_dims(dims_value, rank, dims_line)?;
    let (mut domain_left, z_left) = entries.edge("DomainLeftEdge", rank, 0.0)?;
    let (mut domain_right, z_right) = entries.edge("DomainRightEdge", rank, 1.0)?;
    if rank == 2 && !(z_left && z_right) {
        // One cell thick: as deep as a root cell is wide.
        domain_left[2] = 0.0;
        domain_right[2] = (domain_right[0] - domain_left[0]) / top_grid_dims[0] as f64;
    }
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
        top_grid_dims,
        domain_left,
        domain_right,
        refine_by,
        time: entries.scalar("InitialTime")?,
        write_ghost_zones: entries.int("WriteGhostZones")?.unwrap_or(0) != 0,
        ghost_zones: entries.int("NumberOfGhostZones")?.unwrap_or(3).min(64) as usize,
        units: units(&entries)?,
    })
}

/// `TopGridDimensions`: `rank` values, each in `1..=MAX_ROOT_DIM`; a 2-D file may give a
/// third, which must be 1.
fn top_grid_dims(value: &str, rank: usize, line: usize) -> Result<[usize; 3], ParseError> {
    let n = value.split_whitespace().count();
    let n = if rank == 2 && n == 3 { 3 } else { rank };
    let dims: Vec<u64> = parse_vec(value, n, line, "TopGridDimensions")?;
    if dims.iter().any(|&d| d == 0 || d > MAX_ROOT_DIM) {
        return Err(ParseError::at(
            line,
            format!("TopGridDimensions {dims:?} must lie in 1..={MAX_ROOT_DIM}"),
        ));
    }
    if rank == 2 && dims.len() == 3 && dims[2] != 1 {
        return Err(ParseError::at(
            line,
            format!(
                "TopGridDimensions {dims:?}: a 2-D dataset (TopGridRank = 2) has one cell along z"
            ),
        ));
    }
    Ok(to3(&dims, 1).map(|d| d as usize))
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

    #[test]
    fn two_d_parameters_are_one_root_cell_deep_unless_the_file_says() {
        let p = parse_parameters(
            "TopGridRank = 2\nTopGridDimensions = 100 50 \nDomainLeftEdge = 0 0 \n\
             DomainRightEdge = 2 1 \n",
        )
        .unwrap();
        assert_eq!((p.rank, p.top_grid_dims), (2, [100, 50, 1]));
        assert_eq!(
            (p.domain_left, p.domain_right),
            ([0.0; 3], [2.0, 1.0, 0.02])
        );
        // The rank from TopGridDimensions; a third entry of both edges is the z extent.
        let p = parse_parameters(
            "TopGridDimensions = 8 8\nDomainLeftEdge = 0 0 -1\nDomainRightEdge = 1 1 1\n",
        )
        .unwrap();
        assert_eq!((p.rank, p.top_grid_dims), (2, [8, 8, 1]));
        assert_eq!(
            (p.domain_left, p.domain_right),
            ([0.0, 0.0, -1.0], [1.0; 3])
        );
        let e = parse_parameters(
            "TopGridRank = 2\nTopGridDimensions = 8 8\nDomainLeftEdge = 0 0 0 0\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: DomainLeftEdge: expected 2 values, found 4 ('0 0 0 0')"
        );
    }
}
