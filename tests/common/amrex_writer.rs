//! A writer of AMReX plotfiles for the tests, byte for byte in the layout AMReX's own writers
//! produce: `Header` as `amrex::WriteGenericPlotfileHeader` writes it (reals at precision 17,
//! every listed value followed by a space), `Level_N/Cell_H` as `VisMF::Header` version 1
//! (`how` 1 = NFiles, per-FAB minima and maxima in scientific notation at precision 16) and
//! `Level_N/Cell_D_NNNNN` FABs as `FABio_binary` (an ASCII header line with the real
//! descriptor, box and component count, then the values in Fortran order, one component after
//! the other).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// The values' binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Real {
    F64,
    F32,
}

/// A cell box `lo..=hi` of one level (3 entries; a 2-D plotfile uses the first two).
pub type Box3 = ([i64; 3], [i64; 3]);

/// One level: its domain box and its grids' boxes.
#[derive(Clone, Debug)]
pub struct Level {
    pub domain: Box3,
    pub boxes: Vec<Box3>,
    pub step: i64,
}

/// A plotfile to write.
#[derive(Clone, Debug)]
pub struct Plotfile {
    pub version: String,
    pub dim: usize,
    pub names: Vec<String>,
    pub time: f64,
    pub prob_lo: [f64; 3],
    pub prob_hi: [f64; 3],
    /// Per level below the finest (AMReX writes the x ratio).
    pub ref_ratios: Vec<i64>,
    pub levels: Vec<Level>,
    pub real: Real,
    pub big_endian: bool,
    /// A level's FABs go to Cell_D_00000, Cell_D_00001, ... this many per file.
    pub fabs_per_file: usize,
    /// Ghost cells stored around every FAB (their values are `GHOST`).
    pub ghost: i64,
    /// `Cell_H`'s version: 1 (FABs with header lines, per-FAB minima and maxima) or 2
    /// (`NoFabHeader_v1`: bare values, the real descriptor on `Cell_H`'s last line).
    pub vismf_version: u32,
}

/// The value written in ghost cells.
pub const GHOST: f64 = -999.0;

impl Plotfile {
    /// A plotfile with AMReX's defaults (HyperCLaw-V1.1, little-endian doubles, one file per
    /// level, no ghost cells).
    pub fn new(dim: usize, names: &[&str], prob: ([f64; 3], [f64; 3]), levels: Vec<Level>) -> Self {
        let ref_ratios = levels
            .windows(2)
            .map(|w| {
                (w[1].domain.1[0] + 1 - w[1].domain.0[0])
                    / (w[0].domain.1[0] + 1 - w[0].domain.0[0])
            })
            .collect();
        Plotfile {
            version: "HyperCLaw-V1.1".into(),
            dim,
            names: names.iter().map(|s| s.to_string()).collect(),
            time: 0.0,
            prob_lo: prob.0,
            prob_hi: prob.1,
            ref_ratios,
            levels,
            real: Real::F64,
            big_endian: false,
            fabs_per_file: usize::MAX,
            ghost: 0,
            vismf_version: 1,
        }
    }

    /// Level `l`'s cell size (`Geometry::CellSize`: the domain over the level's cells).
    pub fn cell_size(&self, l: usize) -> [f64; 3] {
        let (lo, hi) = self.levels[l].domain;
        [0, 1, 2].map(|a| (self.prob_hi[a] - self.prob_lo[a]) / (hi[a] - lo[a] + 1) as f64)
    }

    /// The centre of cell `ijk` of level `l` (z 0 in 2-D).
    pub fn centre(&self, l: usize, ijk: [i64; 3]) -> [f64; 3] {
        let dx = self.cell_size(l);
        let lo = self.levels[l].domain.0;
        let mut c =
            [0, 1, 2].map(|a| self.prob_lo[a] + (ijk[a] - lo[a]) as f64 * dx[a] + 0.5 * dx[a]);
        if self.dim == 2 {
            c[2] = 0.0;
        }
        c
    }

    /// Writes the plotfile into `dir` (created); `value(component, level, centre)` gives
    /// every valid cell's value.
    pub fn write(
        &self,
        dir: &Path,
        value: impl Fn(usize, usize, [f64; 3]) -> f64,
    ) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join("Header"), self.header())?;
        for l in 0..self.levels.len() {
            let ldir = dir.join(format!("Level_{l}"));
            fs::create_dir_all(&ldir)?;
            self.write_level(&ldir, l, &value)?;
        }
        Ok(())
    }

    fn boxtext(&self, b: &Box3) -> String {
        let v = |x: &[i64; 3]| {
            let s: Vec<String> = x[..self.dim].iter().map(|n| n.to_string()).collect();
            format!("({})", s.join(","))
        };
        format!("({} {} {})", v(&b.0), v(&b.1), v(&[0; 3]))
    }

    /// `WriteGenericPlotfileHeader`.
    fn header(&self) -> String {
        let d = self.dim;
        let finest = self.levels.len() - 1;
        let mut h = format!("{}\n{}\n", self.version, self.names.len());
        for n in &self.names {
            h += &format!("{n}\n");
        }
        h += &format!("{d}\n{}\n{finest}\n", g17(self.time));
        let spaced = |v: Vec<String>| v.iter().map(|s| format!("{s} ")).collect::<String>() + "\n";
        h += &spaced(self.prob_lo[..d].iter().map(|&x| g17(x)).collect());
        h += &spaced(self.prob_hi[..d].iter().map(|&x| g17(x)).collect());
        h += &spaced(self.ref_ratios.iter().map(|r| r.to_string()).collect());
        h += &spaced(
            self.levels
                .iter()
                .map(|l| self.boxtext(&l.domain))
                .collect(),
        );
        h += &spaced(self.levels.iter().map(|l| l.step.to_string()).collect());
        for l in 0..=finest {
            h += &spaced(self.cell_size(l)[..d].iter().map(|&x| g17(x)).collect());
        }
        h += "0\n0\n";
        for (l, lev) in self.levels.iter().enumerate() {
            h += &format!("{l} {} {}\n{}\n", lev.boxes.len(), g17(self.time), lev.step);
            let dx = self.cell_size(l);
            for b in &lev.boxes {
                for (a, dx) in dx.iter().enumerate().take(d) {
                    let lo = self.prob_lo[a] + dx * (b.0[a] - lev.domain.0[a]) as f64;
                    let hi = self.prob_lo[a] + dx * (b.1[a] - lev.domain.0[a] + 1) as f64;
                    h += &format!("{} {}\n", g17(lo), g17(hi));
                }
            }
            h += &format!("Level_{l}/Cell\n");
        }
        h
    }

    fn descriptor(&self) -> &'static str {
        match (self.real, self.big_endian) {
            (Real::F64, false) => "((8, (64 11 52 0 1 12 0 1023)),(8, (8 7 6 5 4 3 2 1)))",
            (Real::F64, true) => "((8, (64 11 52 0 1 12 0 1023)),(8, (1 2 3 4 5 6 7 8)))",
            (Real::F32, false) => "((8, (32 8 23 0 1 9 0 127)),(4, (4 3 2 1)))",
            (Real::F32, true) => "((8, (32 8 23 0 1 9 0 127)),(4, (1 2 3 4)))",
        }
    }

    fn encode(&self, v: f64) -> Vec<u8> {
        match (self.real, self.big_endian) {
            (Real::F64, false) => v.to_le_bytes().to_vec(),
            (Real::F64, true) => v.to_be_bytes().to_vec(),
            (Real::F32, false) => (v as f32).to_le_bytes().to_vec(),
            (Real::F32, true) => (v as f32).to_be_bytes().to_vec(),
        }
    }

    /// The FABs of level `l` into `Cell_D_*` and their `Cell_H` (`VisMF::Write`).
    fn write_level(
        &self,
        ldir: &Path,
        l: usize,
        value: &impl Fn(usize, usize, [f64; 3]) -> f64,
    ) -> io::Result<()> {
        let lev = &self.levels[l];
        let mut fod = Vec::new();
        let mut minmax = Vec::new();
        let mut files: Vec<Vec<u8>> = Vec::new();
        for (n, b) in lev.boxes.iter().enumerate() {
            let f = n / self.fabs_per_file;
            if files.len() <= f {
                files.push(Vec::new());
            }
            fod.push(format!("FabOnDisk: Cell_D_{f:05} {}", files[f].len()));
            minmax.push(self.write_fab(&mut files[f], l, b, value)?);
        }
        for (f, buf) in files.iter().enumerate() {
            fs::write(ldir.join(format!("Cell_D_{f:05}")), buf)?;
        }
        fs::write(ldir.join("Cell_H"), self.cell_header(l, &fod, &minmax))
    }

    /// One FAB (`FArrayBox::writeOn`) of box `b` of level `l` at the end of `buf`; returns
    /// its valid cells' minimum and maximum per component.
    fn write_fab(
        &self,
        buf: &mut Vec<u8>,
        l: usize,
        b: &Box3,
        value: &impl Fn(usize, usize, [f64; 3]) -> f64,
    ) -> io::Result<Vec<(f64, f64)>> {
        let nc = self.names.len();
        let mut grown = *b;
        for a in 0..self.dim {
            grown.0[a] -= self.ghost;
            grown.1[a] += self.ghost;
        }
        if self.vismf_version == 1 {
            let (d, bx) = (self.descriptor(), self.boxtext(&grown));
            writeln!(buf, "FAB {d}{bx} {nc}")?;
        }
        let mut minmax = vec![(f64::MAX, f64::MIN); nc];
        for (c, (mn, mx)) in minmax.iter_mut().enumerate() {
            for k in grown.0[2]..=grown.1[2] {
                for j in grown.0[1]..=grown.1[1] {
                    for i in grown.0[0]..=grown.1[0] {
                        let ijk = [i, j, k];
                        let inside = (0..3).all(|a| b.0[a] <= ijk[a] && ijk[a] <= b.1[a]);
                        let v = if inside {
                            value(c, l, self.centre(l, ijk))
                        } else {
                            GHOST
                        };
                        if inside {
                            *mn = mn.min(v);
                            *mx = mx.max(v);
                        }
                        buf.extend(self.encode(v));
                    }
                }
            }
        }
        Ok(minmax)
    }

    /// Level `l`'s `Cell_H` (`VisMF::Header`'s `operator<<`).
    fn cell_header(&self, l: usize, fod: &[String], minmax: &[Vec<(f64, f64)>]) -> String {
        let lev = &self.levels[l];
        let (v, nc, nb) = (self.vismf_version, self.names.len(), lev.boxes.len());
        let mut h = format!("{v}\n1\n{nc}\n{}\n({nb} 0\n", self.ghost);
        for b in &lev.boxes {
            h += &format!("{}\n", self.boxtext(b));
        }
        h += &format!(")\n{nb}\n");
        for line in fod {
            h += &format!("{line}\n");
        }
        h += "\n";
        if v != 1 {
            return h + self.descriptor() + "\n";
        }
        for pick in [|m: &(f64, f64)| m.0, |m: &(f64, f64)| m.1] {
            h += &format!("{nb},{nc}\n");
            for row in minmax {
                h += &row
                    .iter()
                    .map(|m| format!("{},", sci16(pick(m))))
                    .collect::<String>();
                h += "\n";
            }
            h += "\n";
        }
        h
    }
}

/// `x` as C++ streams write a double at precision 17 (`%.17g`): fixed or scientific,
/// trailing zeros dropped.
pub fn g17(x: f64) -> String {
    let e = format!("{x:.16e}");
    let (mant, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..17).contains(&exp) {
        format!(
            "{}e{}{:02}",
            strip(mant),
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    } else {
        strip(&format!("{x:.*}", (16 - exp) as usize))
    }
}

/// `x` in C++'s scientific notation at precision 16 (`1.0000000000000000e+00`).
pub fn sci16(x: f64) -> String {
    let e = format!("{x:.16e}");
    let (mant, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}
