//! The plotfile's `Header` (AMReX's `WriteGenericPlotfileHeader`):
//!
//! ```text
//! HyperCLaw-V1.1                      version
//! 2                                   number of components, then one name per line
//! density
//! temperature
//! 3                                   dimension (2 or 3)
//! 0.5                                 time
//! 1                                   finest level
//! 0 0 0                               prob_lo
//! 1 1 1                               prob_hi
//! 2                                   refinement ratio per level below the finest (x's)
//! ((0,0,0) (15,15,15) (0,0,0)) ((0,0,0) (31,31,31) (0,0,0))    domain box per level
//! 10 20                               steps per level
//! 0.0625 0.0625 0.0625                cell size, one line per level
//! 0.03125 0.03125 0.03125
//! 0                                   coordinate system (0: Cartesian)
//! 0                                   boundary width
//! 0 2 0.5                             per level: level, grids, time
//! 10                                    step
//! 0 0.5                                 per grid, per axis: physical lo hi
//! ...
//! Level_0/Cell                          the level's FabArray (Level_0/Cell_H, Cell_D_*)
//! ```

use super::text::{clip, parse_boxes, IndexBox, Lines};
use crate::error::{Error, Result};
use std::path::Path;

/// The most components, levels and grids per level a header may declare (guards against
/// absurd numbers in damaged files before anything is allocated).
const MAX_COMPONENTS: usize = 100_000;
const MAX_LEVEL: usize = 30;
const MAX_GRIDS: usize = 10_000_000;

/// What the plotfile header says about one level's grids.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelHeader {
    pub time: f64,
    pub step: i64,
    /// Per grid, per axis (padded to 3 with `[0, 0]`): the physical `[lo, hi]`.
    pub boxes: Vec<[[f64; 2]; 3]>,
    /// The FabArray's path relative to the plotfile, `Level_0/Cell`.
    pub cell_path: String,
}

/// A parsed plotfile `Header`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotHeader {
    pub version: String,
    pub names: Vec<String>,
    /// 2 or 3.
    pub dim: usize,
    pub time: f64,
    pub finest_level: usize,
    /// The domain's corners (z 0 for 2-D files).
    pub prob_lo: [f64; 3],
    pub prob_hi: [f64; 3],
    /// The ratios the header lists (x's), one per level below the finest when present.
    pub ref_ratios: Vec<i64>,
    /// Each level's domain box.
    pub domains: Vec<IndexBox>,
    pub level_steps: Vec<i64>,
    /// Each level's cell size (z 0 for 2-D files).
    pub cell_sizes: Vec<[f64; 3]>,
    pub levels: Vec<LevelHeader>,
}

/// AMReX's plotfile versions: `NAME-V<digits>[.<digits>...]` (`HyperCLaw-V1.1` from
/// `amrex::WriteMultiLevelPlotfile` and `Amr`, `NavierStokes-V1.1` from older codes).
pub fn is_plotfile_version(line: &str) -> bool {
    let Some((name, v)) = line.trim().rsplit_once("-V") else {
        return false;
    };
    let name_ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let v_ok = !v.is_empty()
        && v.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    name_ok && v_ok
}

/// What a first line that is not a plotfile version is, for the error.
fn not_a_plotfile(first: &str) -> String {
    let kind = if first.starts_with("CheckPointVersion") || first.contains("heckpoint") {
        "an AMReX checkpoint header"
    } else if first.starts_with("Version_") {
        "an AMReX particle header"
    } else {
        "not a plotfile version"
    };
    format!(
        "first line '{}' is {kind}; an AMReX plotfile's Header starts with a version such as HyperCLaw-V1.1",
        clip(first)
    )
}

/// `v` (of `dim` entries) padded to 3 with zeros.
fn pad(v: &[f64]) -> [f64; 3] {
    let mut out = [0.0; 3];
    out[..v.len()].copy_from_slice(v);
    out
}

/// Parses the plotfile header `text` of the file `path`.
pub fn parse_header(path: &Path, text: &str) -> Result<PlotHeader> {
    let mut l = Lines::new(path, text);
    let version = l.next("the plotfile version")?.to_string();
    if !is_plotfile_version(&version) {
        return Err(Error::format(path, not_a_plotfile(&version)));
    }
    let ncomp: usize = l.value("the number of components")?;
    if !(1..=MAX_COMPONENTS).contains(&ncomp) {
        return Err(l.error(format!(
            "{ncomp} components; expected 1 to {MAX_COMPONENTS}"
        )));
    }
    let names = (0..ncomp)
        .map(|c| {
            l.next(&format!("the name of component {c}"))
                .map(String::from)
        })
        .collect::<Result<Vec<_>>>()?;
    let dim: usize = l.value("the dimension")?;
    match dim {
        2 | 3 => {}
        1 => return Err(l.error("1-D plotfiles are not supported (2-D and 3-D are)")),
        _ => return Err(l.error(format!("dimension {dim}; expected 2 or 3"))),
    }
    let time = l.reals("the time", Some(1))?[0];
    let finest_level: usize = l.value("the finest level")?;
    if finest_level > MAX_LEVEL {
        return Err(l.error(format!(
            "finest level {finest_level}; expected at most {MAX_LEVEL}"
        )));
    }
    let nlev = finest_level + 1;
    let (prob_lo, prob_hi) = parse_extent(&mut l, dim)?;
    let ref_ratios = l.ints("the refinement ratios", None)?;
    let domain_line = l.next("the domain boxes")?;
    let domains = parse_boxes(domain_line, dim)
        .filter(|d| d.len() == nlev && d.iter().all(IndexBox::is_sane))
        .ok_or_else(|| {
            l.error(format!(
                "expected {nlev} domain boxes such as {}, found '{}'",
                example_box(dim),
                clip(domain_line)
            ))
        })?;
    let level_steps = l.ints("the steps per level", Some(nlev))?;
    let cell_sizes = (0..nlev)
        .map(|lev| {
            l.reals(&format!("the cell size of level {lev}"), Some(dim))
                .map(|v| pad(&v))
        })
        .collect::<Result<Vec<_>>>()?;
    let coord: i64 = l.value("the coordinate system")?;
    if coord != 0 {
        let name = match coord {
            1 => "cylindrical (RZ)",
            2 => "spherical",
            _ => "unknown",
        };
        return Err(l.error(format!(
            "coordinate system {coord} ({name}); only Cartesian (0) plotfiles are supported"
        )));
    }
    let _boundary_width: i64 = l.value("the boundary width")?;
    let levels = (0..nlev)
        .map(|lev| parse_level(&mut l, lev, dim))
        .collect::<Result<Vec<_>>>()?;
    Ok(PlotHeader {
        version,
        names,
        dim,
        time,
        finest_level,
        prob_lo,
        prob_hi,
        ref_ratios,
        domains,
        level_steps,
        cell_sizes,
        levels,
    })
}

/// The `prob_lo` and `prob_hi` lines: the domain's corners, ordered on every axis.
fn parse_extent(l: &mut Lines, dim: usize) -> Result<([f64; 3], [f64; 3])> {
    let prob_lo = pad(&l.reals("prob_lo", Some(dim))?);
    let prob_hi = pad(&l.reals("prob_hi", Some(dim))?);
    let ordered = (0..dim).all(|a| prob_hi[a] > prob_lo[a] && prob_lo[a].is_finite());
    if !ordered {
        return Err(l.error(format!(
            "prob_hi {:?} must exceed prob_lo {:?} on every axis",
            &prob_hi[..dim],
            &prob_lo[..dim]
        )));
    }
    Ok((prob_lo, prob_hi))
}

fn example_box(dim: usize) -> &'static str {
    if dim == 2 {
        "((0,0) (15,15) (0,0))"
    } else {
        "((0,0,0) (15,15,15) (0,0,0))"
    }
}

/// One level's part: `level ngrids time`, the step, the grids' physical boxes, the path.
fn parse_level(l: &mut Lines, lev: usize, dim: usize) -> Result<LevelHeader> {
    let what = format!("level {lev}'s 'level grids time' line");
    let line = l.next_nonblank(&what)?;
    let t: Vec<&str> = line.split_whitespace().collect();
    let parsed = match t.as_slice() {
        [a, b, c] => a
            .parse::<usize>()
            .ok()
            .zip(b.parse::<usize>().ok())
            .zip(super::text::parse_real(c)),
        _ => None,
    };
    let ((number, ngrids), time) =
        parsed.ok_or_else(|| l.error(format!("expected {what}, found '{}'", clip(line))))?;
    if number != lev {
        return Err(l.error(format!("expected level {lev}, found level {number}")));
    }
    if ngrids == 0 || ngrids > MAX_GRIDS {
        return Err(l.error(format!(
            "level {lev} has {ngrids} grids; expected 1 to {MAX_GRIDS}"
        )));
    }
    let step = l.ints(&format!("level {lev}'s step"), Some(1))?[0];
    let mut boxes = Vec::with_capacity(ngrids.min(1 << 16));
    for g in 0..ngrids {
        let mut b = [[0.0; 2]; 3];
        for (a, edge) in b.iter_mut().enumerate().take(dim) {
            let axis = ["x", "y", "z"][a];
            let v = l.reals(
                &format!("level {lev} grid {g}'s {axis} extent 'lo hi'"),
                Some(2),
            )?;
            *edge = [v[0], v[1]];
        }
        boxes.push(b);
    }
    let cell_path = l
        .next(&format!("level {lev}'s data path (Level_{lev}/Cell)"))?
        .to_string();
    if cell_path.is_empty() || cell_path.split_whitespace().count() != 1 {
        return Err(l.error(format!(
            "expected level {lev}'s data path such as Level_{lev}/Cell, found '{}'",
            clip(&cell_path)
        )));
    }
    Ok(LevelHeader {
        time,
        step,
        boxes,
        cell_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_LEVELS: &str = "HyperCLaw-V1.1\n2\ndensity\nTemp\n3\n0.5\n1\n0 0 0 \n1 1 1 \n2 \n\
        ((0,0,0) (3,3,3) (0,0,0)) ((0,0,0) (7,7,7) (0,0,0)) \n3 6 \n\
        0.25 0.25 0.25 \n0.125 0.125 0.125 \n0\n0\n\
        0 1 0.5\n3\n0 1\n0 1\n0 1\nLevel_0/Cell\n\
        1 1 0.5\n6\n0.25 0.5\n0 0.25\n0.5 1\nLevel_1/Cell\n";

    #[test]
    fn a_two_level_header_parses() {
        let h = parse_header(Path::new("Header"), TWO_LEVELS).unwrap();
        assert_eq!(h.names, ["density", "Temp"]);
        assert_eq!((h.dim, h.time, h.finest_level), (3, 0.5, 1));
        assert_eq!(h.ref_ratios, [2]);
        assert_eq!(h.domains[1].hi, [7, 7, 7]);
        assert_eq!(h.level_steps, [3, 6]);
        assert_eq!(h.cell_sizes[1], [0.125; 3]);
        assert_eq!(
            h.levels[1].boxes,
            vec![[[0.25, 0.5], [0.0, 0.25], [0.5, 1.0]]]
        );
        assert_eq!(h.levels[1].cell_path, "Level_1/Cell");
        assert_eq!(h.levels[1].step, 6);
    }

    #[test]
    fn versions() {
        for v in ["HyperCLaw-V1.1", "NavierStokes-V1.1", "MyCode-V2"] {
            assert!(is_plotfile_version(v), "{v}");
        }
        for v in [
            "CheckPointVersion_1.0",
            "1",
            "HyperCLaw-V",
            "-V1.1",
            "Hyper CLaw-V1.1",
        ] {
            assert!(!is_plotfile_version(v), "{v}");
        }
    }

    #[test]
    fn damaged_headers_say_which_line_holds_what() {
        let cases = [
            (
                "HyperCLaw-V1.1",
                "CheckPointVersion_1.0",
                "is an AMReX checkpoint header",
            ),
            (
                "\n3\n0.5",
                "\n1\n0.5",
                "line 5: 1-D plotfiles are not supported",
            ),
            (
                "0 0 0 \n1 1 1",
                "0 0 0 \n1 x 1",
                "line 9: expected prob_hi (3 numbers), found '1 x 1'",
            ),
            (
                "0 1 0.5\n3",
                "0 2 0.5\n3",
                "level 0 grid 1's x extent 'lo hi' (2 numbers), found 'Level_0/Cell'",
            ),
            (
                "(7,7,7) (0,0,0))",
                "(7,7,7) (0,0,0)",
                "line 11: expected 2 domain boxes",
            ),
            (
                "\n0\n0\n0 1",
                "\n1\n0\n0 1",
                "coordinate system 1 (cylindrical (RZ))",
            ),
            (
                "Level_1/Cell\n",
                "",
                "where level 1's data path (Level_1/Cell) was expected",
            ),
        ];
        for (from, to, want) in cases {
            assert!(TWO_LEVELS.contains(from), "{from}");
            let text = TWO_LEVELS.replacen(from, to, 1);
            let e = parse_header(Path::new("plt/Header"), &text)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("plt/Header: ") && e.contains(want), "{e}");
        }
    }
}
