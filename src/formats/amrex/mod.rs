//! AMReX (BoxLib) plotfiles, the native output of Castro, Nyx, WarpX, MAESTROeX, Quokka,
//! PeleC and the other AMReX codes: a directory holding
//!
//! - `Header` (`header.rs`): the version (`HyperCLaw-V1.1`), the component names, the
//!   dimension (2 or 3), time, the domain, per-level refinement ratios, domain boxes, cell
//!   sizes and grids, and the path of each level's data (`Level_0/Cell`);
//! - per level, `Level_N/Cell_H` (`fab_array.rs`): the grids' index boxes and where each
//!   grid's FAB lies (`FabOnDisk: Cell_D_00000 OFFSET`);
//! - the `Cell_D_*` files (`fab.rs`): the FABs, each a header line and the values of every
//!   component, float or double, either byte order.
//!
//! Opening reads the three kinds of text header only; [`DataSource::read_grid`] seeks to one
//! component of one FAB and reads just it. Only cell-centred data in Cartesian coordinates is
//! read; other directories of the plotfile (`raw_fields/`, particles) are ignored. A 2-D
//! plotfile is one cell thick along z (`geometry.rs`).

pub mod fab;
pub mod fab_array;
mod geometry;
pub mod header;
pub mod text;

use crate::amr::{AmrField, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::read_text;
use crate::formats::{no_grid, within, DataSource, Metadata};
use fab::{read_fab_header, read_values, RealFormat};
use fab_array::{parse_fab_array, FabArrayHeader};
use header::{is_plotfile_version, parse_header, PlotHeader};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use text::IndexBox;

/// Where one grid's values are.
#[derive(Clone, Debug)]
struct GridFab {
    level: u32,
    /// Index of the FAB within its level.
    index: usize,
    file: PathBuf,
    offset: u64,
    /// The valid cells.
    valid: IndexBox,
    /// Ghost cells stored around them.
    ngrow: [i64; 3],
    /// The data's format when `Cell_H` gives it (FABs without header lines).
    real: Option<RealFormat>,
}

/// An opened plotfile.
pub struct AmrexReader {
    metadata: Metadata,
    hierarchy: AmrHierarchy,
    names: Vec<String>,
    dim: usize,
    /// Per hierarchy grid.
    grids: Vec<GridFab>,
}

/// Opens an AMReX plotfile: its directory or its `Header`.
pub fn open(path: &Path) -> Result<Box<dyn DataSource>> {
    Ok(Box::new(AmrexReader::open(path)?))
}

/// The `Header` of the plotfile at `path` (its directory, or the file itself).
fn header_file(path: &Path) -> Option<PathBuf> {
    if path.is_dir() {
        let h = path.join("Header");
        return h.is_file().then_some(h);
    }
    (path.file_name().is_some_and(|n| n == "Header") && path.is_file()).then(|| path.to_path_buf())
}

/// The first line of `path` (at most 256 bytes of it).
fn first_line(path: &Path) -> Option<String> {
    let mut buf = Vec::new();
    File::open(path)
        .ok()?
        .take(256)
        .read_to_end(&mut buf)
        .ok()?;
    let text = String::from_utf8_lossy(&buf);
    Some(text.lines().next().unwrap_or("").trim().to_string())
}

/// Detection by content: a directory (or its `Header`) whose `Header` starts with a plotfile
/// version, or any AMReX output directory (a `Header` beside `Level_0/`, such as a
/// checkpoint), which [`open`] then refuses with a clear error.
pub fn looks_like(path: &Path) -> bool {
    let Some(h) = header_file(path) else {
        return false;
    };
    let amrex_dir = h.parent().is_some_and(|d| d.join("Level_0").is_dir());
    amrex_dir || first_line(&h).is_some_and(|l| is_plotfile_version(&l))
}

impl AmrexReader {
    /// Opens the plotfile at `path` (its directory or its `Header`): reads the `Header` and
    /// every level's `Cell_H`, checks that the data files they name exist.
    pub fn open(path: &Path) -> Result<Self> {
        let header_path = header_file(path).ok_or_else(|| {
            if path.is_dir() {
                Error::format(
                    path,
                    "no Header file in this directory (not an AMReX plotfile)",
                )
            } else {
                Error::format(path, "not an AMReX plotfile (a directory with a Header)")
            }
        })?;
        let dir = header_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let h = parse_header(&header_path, &read_text(&header_path)?)?;
        let mut cell_h = Vec::new();
        let mut levels = Vec::new();
        for lev in &h.levels {
            let p = dir.join(format!("{}_H", lev.cell_path));
            let fa = parse_fab_array(&p, &read_text(&p)?, h.dim)?;
            check_components(&p, &h, &fa)?;
            cell_h.push(p);
            levels.push(fa);
        }
        let hierarchy = geometry::build_hierarchy(&header_path, &h, &cell_h, &levels)?;
        let grids = locate_fabs(&cell_h, &levels)?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        Ok(AmrexReader {
            metadata: Metadata {
                format: "amrex".into(),
                name,
                time: Some(h.time),
                units: Default::default(),
            },
            hierarchy,
            names: h.names,
            dim: h.dim,
            grids,
        })
    }

    fn component(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownField {
                name: name.to_string(),
                available: self.names.join(", "),
            })
    }

    /// Component `c` (called `name`) of grid `n`, from its FAB in `file` (already open).
    fn read_fab(&self, file: &mut File, n: usize, c: usize, name: &str) -> Result<Vec<f32>> {
        let g = &self.grids[n];
        let stored = g.valid.grow(g.ngrow, self.dim);
        let (real, start) = match g.real {
            Some(real) => (real, g.offset),
            None => {
                let fh = read_fab_header(file, &g.file, g.offset, self.dim)?;
                if fh.bx.lo != stored.lo || fh.bx.hi != stored.hi {
                    return Err(Error::format(
                        &g.file,
                        format!(
                            "FAB at byte {} holds box {}, but Cell_H gives box {} with {:?} ghost cells",
                            g.offset,
                            fh.bx.text(self.dim),
                            g.valid.text(self.dim),
                            &g.ngrow[..self.dim]
                        ),
                    ));
                }
                if c >= fh.ncomp {
                    return Err(Error::format(
                        &g.file,
                        format!(
                            "FAB at byte {} holds {} components; component '{name}' is number {c}",
                            g.offset, fh.ncomp
                        ),
                    ));
                }
                (fh.real, fh.data_start)
            }
        };
        let cells = stored.cells();
        // Saturating: a damaged header's sizes make a read past the end (an error), not a wrap.
        let offset = (c as u64)
            .saturating_mul(cells)
            .saturating_mul(real.bytes as u64);
        let start = start.saturating_add(offset);
        let what = format!("component '{name}' of the FAB at byte {}", g.offset);
        let raw = read_values(file, &g.file, start, cells as usize, real, &what)?;
        let offset = [0, 1, 2].map(|a| (g.valid.lo[a] - stored.lo[a]) as usize);
        crate::formats::crop(&raw, stored.dims(), offset, g.valid.dims())
            .ok_or_else(|| Error::format(&g.file, format!("{what}: its box does not fit")))
    }

    fn label(&self, n: usize) -> String {
        let g = &self.grids[n];
        format!("grid {n} (level {} FAB {})", g.level, g.index)
    }

    fn open_fab_file(&self, n: usize) -> Result<File> {
        let path = &self.grids[n].file;
        File::open(path).map_err(|e| Error::io(path, e))
    }
}

/// Fails unless the `Cell_H` at `path` holds as many components as the `Header` names.
fn check_components(path: &Path, h: &PlotHeader, fa: &FabArrayHeader) -> Result<()> {
    if fa.ncomp != h.names.len() {
        return Err(Error::format(
            path,
            format!(
                "{} components, but the plotfile's Header names {} ({})",
                fa.ncomp,
                h.names.len(),
                h.names.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Every grid's FAB: its data file (checked to exist and to reach past the FAB's offset).
fn locate_fabs(cell_h: &[PathBuf], levels: &[FabArrayHeader]) -> Result<Vec<GridFab>> {
    let mut grids = Vec::new();
    let mut checked = BTreeSet::new();
    for (l, (p, fa)) in cell_h.iter().zip(levels).enumerate() {
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        for (i, (b, fod)) in fa.boxes.iter().zip(&fa.fabs).enumerate() {
            let file = dir.join(&fod.file);
            if checked.insert(file.clone()) && !file.is_file() {
                return Err(Error::format(
                    &file,
                    format!(
                        "the data file of level {l} FAB {i} is missing (named in {})",
                        p.display()
                    ),
                ));
            }
            grids.push(GridFab {
                level: l as u32,
                index: i,
                file,
                offset: fod.offset,
                valid: *b,
                ngrow: fa.ngrow,
                real: fa.real,
            });
        }
    }
    Ok(grids)
}

impl DataSource for AmrexReader {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }
    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }
    fn field_names(&self) -> Vec<String> {
        self.names.clone()
    }
    /// Every grid's FAB in turn, each data file opened once per run of grids in it.
    fn read_field(&self, name: &str) -> Result<AmrField> {
        let c = self.component(name)?;
        let mut open: Option<(&Path, File)> = None;
        let mut data = Vec::with_capacity(self.grids.len());
        for n in 0..self.grids.len() {
            let path = self.grids[n].file.as_path();
            if open.as_ref().is_none_or(|(p, _)| *p != path) {
                open = Some((path, self.open_fab_file(n)?));
            }
            if let Some((_, file)) = open.as_mut() {
                let values = self.read_fab(file, n, c, name);
                data.push(values.map_err(|e| within(e, self.label(n)))?);
            }
        }
        Ok(AmrField::new(name, data))
    }
    /// One component of one FAB: its header line, then a seek to the component's values.
    fn read_grid(&self, name: &str, n: usize) -> Result<Vec<f32>> {
        let c = self.component(name)?;
        if n >= self.grids.len() {
            return Err(no_grid(name, n, self.grids.len()));
        }
        let mut file = self.open_fab_file(n)?;
        self.read_fab(&mut file, n, c, name)
            .map_err(|e| within(e, self.label(n)))
    }
}
