//! `amrcast info`: a summary of a dataset (format, domain, grids and cells per level, fields
//! with their ranges, units), as text or as one JSON object.
//!
//! The ranges are gathered grid by grid ([`DataSource::read_grid`]) on a couple of threads,
//! each grid dropped once counted: memory stays at a few grids whatever the dataset's size.

use crate::amr::stream_stats;
use crate::error::Result;
use crate::formats::{self, DataSource};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The range of one field over every stored cell (covered coarse cells included).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldRange {
    pub name: String,
    /// Smallest and largest finite value (`None` when there is none).
    pub min: Option<f32>,
    pub max: Option<f32>,
    /// Smallest finite value above zero.
    pub min_positive: Option<f32>,
    /// Values that are NaN or infinite.
    pub non_finite: usize,
}

/// What `amrcast info` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Info {
    pub path: String,
    pub name: String,
    pub format: String,
    /// Simulation time in code units, where known.
    pub time: Option<f64>,
    /// cgs per code unit ("length" in cm, "density" in g/cm^3, "time" in s, "velocity" in cm/s).
    pub units: BTreeMap<String, f64>,
    pub domain_left_edge: [f64; 3],
    pub domain_right_edge: [f64; 3],
    /// Root-level cells across the domain (x, y, z).
    pub root_dims: [usize; 3],
    /// 2 for a 2-D dataset (one cell thick, an image), else 3.
    pub dimensionality: u32,
    /// The refinement ratio when every level shares one (`None`: mixed, or a single level).
    pub refine_by: Option<u32>,
    /// Per level below the finest, the ratio to the next level.
    pub refinement_ratios: Vec<u32>,
    pub num_grids: usize,
    /// Highest level index (the root is 0).
    pub max_level: u32,
    pub grids_per_level: Vec<usize>,
    pub cells_per_level: Vec<usize>,
    pub total_cells: usize,
    pub fields: Vec<String>,
    pub field_ranges: Vec<FieldRange>,
}

/// Opens the dataset at `path` and summarises it, reading every field once for its range.
pub fn info(path: &Path) -> Result<Info> {
    let source = formats::open(path)?;
    info_from_source(path, source.as_ref())
}

/// [`info`] for an already opened source. Reading a field that takes more than a second shows
/// its progress ([`crate::progress::Stage`]).
pub fn info_from_source(path: &Path, source: &dyn DataSource) -> Result<Info> {
    let h = source.hierarchy();
    let meta = source.metadata();
    let levels = h.max_level() as usize + 1;
    let mut grids_per_level = vec![0usize; levels];
    let mut cells_per_level = vec![0usize; levels];
    for g in &h.grids {
        if let (Some(n), Some(c)) = (
            grids_per_level.get_mut(g.level as usize),
            cells_per_level.get_mut(g.level as usize),
        ) {
            *n += 1;
            *c += g.num_cells();
        }
    }
    // Report what the file stores (e.g. Athena++'s leaf blocks), not synthesized parents.
    let mut num_grids = h.grids.len();
    if let Some(stored) = source.stored_grids_per_level() {
        let cells_per_grid = h.grids.first().map_or(0, |g| g.num_cells());
        cells_per_level = stored.iter().map(|n| n * cells_per_grid).collect();
        num_grids = stored.iter().sum();
        grids_per_level = stored;
    }
    let total_cells = cells_per_level.iter().sum();
    let ratios = h.refinement_ratios();
    let fields = source.field_names();
    let mut field_ranges = Vec::with_capacity(fields.len());
    for name in &fields {
        field_ranges.push(field_range(source, name)?);
    }
    Ok(Info {
        path: path.display().to_string(),
        name: meta.name.clone(),
        format: meta.format.clone(),
        time: meta.time,
        units: meta.units.clone(),
        domain_left_edge: h.domain_left.to_array(),
        domain_right_edge: h.domain_right.to_array(),
        root_dims: h.root_dims,
        dimensionality: h.dimensionality(),
        refine_by: common_ratio(&ratios),
        refinement_ratios: ratios,
        num_grids,
        max_level: h.max_level(),
        grids_per_level,
        cells_per_level,
        total_cells,
        fields,
        field_ranges,
    })
}

/// The ratio every level shares, if there is at least one level above the root.
fn common_ratio(ratios: &[u32]) -> Option<u32> {
    let first = *ratios.first()?;
    ratios.iter().all(|&r| r == first).then_some(first)
}

/// The range of field `name` over every grid of the hierarchy, read grid by grid
/// ([`stream_stats`]); the first error stops the reading.
fn field_range(source: &dyn DataSource, name: &str) -> Result<FieldRange> {
    let grids = source.hierarchy().grids.len();
    let s = stream_stats(grids, &format!("info: {name}"), |n| {
        source.read_grid(name, n)
    })?;
    let finite = |v: f32| v.is_finite().then_some(v);
    Ok(FieldRange {
        name: name.to_string(),
        min: finite(s.min),
        max: finite(s.max),
        min_positive: finite(s.min_positive),
        non_finite: s.non_finite,
    })
}

fn unit_name(key: &str) -> &'static str {
    match key {
        "length" => "cm",
        "density" => "g/cm^3",
        "time" => "s",
        "velocity" => "cm/s",
        "mass" => "g",
        _ => "",
    }
}

fn opt(v: Option<f32>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.6e}"))
}

impl fmt::Display for Info {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [l, r] = [self.domain_left_edge, self.domain_right_edge];
        let d = self.root_dims;
        writeln!(f, "{} ({})", self.name, self.format)?;
        writeln!(f, "  path:      {}", self.path)?;
        match self.time {
            Some(t) => match self.units.get("time") {
                Some(u) => writeln!(f, "  time:      {t} code units ({:.6e} s)", t * u)?,
                None => writeln!(f, "  time:      {t} code units")?,
            },
            None => writeln!(f, "  time:      unknown")?,
        }
        writeln!(
            f,
            "  domain:    [{}, {}, {}] .. [{}, {}, {}]",
            l[0], l[1], l[2], r[0], r[1], r[2]
        )?;
        let root = if self.dimensionality == 2 {
            format!("{} x {} cells (2-D)", d[0], d[1])
        } else {
            format!("{} x {} x {} cells", d[0], d[1], d[2])
        };
        match (self.refine_by, self.refinement_ratios.as_slice()) {
            (_, []) => writeln!(f, "  root grid: {root}, not refined")?,
            (Some(r), _) => writeln!(f, "  root grid: {root}, refined by {r}")?,
            (None, rs) => writeln!(f, "  root grid: {root}, refined by {rs:?} per level")?,
        }
        writeln!(
            f,
            "  grids:     {} on {} level{} (max level {}), {} cells",
            self.num_grids,
            self.grids_per_level.len(),
            if self.grids_per_level.len() == 1 {
                ""
            } else {
                "s"
            },
            self.max_level,
            self.total_cells
        )?;
        writeln!(f, "    level  grids       cells")?;
        for (lev, (g, c)) in self
            .grids_per_level
            .iter()
            .zip(&self.cells_per_level)
            .enumerate()
        {
            writeln!(f, "    {lev:>5}  {g:>5}  {c:>10}")?;
        }
        if self.units.is_empty() {
            writeln!(f, "  units:     unknown (values in code units)")?;
        } else {
            writeln!(f, "  units (cgs per code unit):")?;
            for (k, v) in &self.units {
                writeln!(f, "    {k:<9} {v:.6e} {}", unit_name(k))?;
            }
        }
        writeln!(
            f,
            "  fields ({}; min .. max over all stored cells, code units):",
            self.fields.len()
        )?;
        let width = self.fields.iter().map(|n| n.len()).max().unwrap_or(0);
        for fr in &self.field_ranges {
            write!(
                f,
                "    {:<width$}  {} .. {}",
                fr.name,
                opt(fr.min),
                opt(fr.max)
            )?;
            if fr.non_finite > 0 {
                write!(f, "  ({} NaN/Inf values)", fr.non_finite)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}
