//! A synthetic Enzo dataset of any size, for benchmarks (`amrcast bench --synthetic 536M`):
//! the demo's halo model (an NFW-like halo, subhalos, filaments, a noisy background: six
//! decades of density) evaluated at every cell centre and written in Enzo's layout by
//! [`write_enzo`], grid by grid, in bounded memory.
//!
//! For a root grid of `R^3` cells (`R` a multiple of 4, chosen so that the total is closest to
//! the request): level 0 is 2x2x2 tiles of `(R/2)^3` cells; level 1 a box of `R^3` cells half
//! the domain across around the main halo, level 2 a box of `R^3` cells a quarter of the domain
//! across around its centre, each cut by the faces of its parents into 8 grids; level 3 one
//! grid of `(R/2)^3` cells, a sixteenth of the domain across, around the halo. That is
//! `3.125 R^3` cells in 25 grids of 0.7 to 1.4 times the mean size (536,870,912 cells:
//! `R = 556`, 537 M cells, about 21 M cells and 86 MB of `f32` per grid), shared
//! among 8 MPI tasks (files) by size. Deterministic: the same request writes the same bytes.

use super::model::{FieldKind, Model};
use crate::error::{Error, Result};
use crate::formats::enzo::{write_enzo, EnzoLayout, WriteGrid, Written};
use glam::DVec3;
use std::path::Path;

/// Centre of the level-3 grid; the main halo is at the centre of a finest cell beside it
/// ([`halo_centre`]), so that the densest cell is a finest one.
pub const HALO: [f64; 3] = [17.0 / 32.0, 15.0 / 32.0, 17.0 / 32.0];
/// The dataset's name (`DD0000/DD0000` and its companions).
pub const NAME: &str = "DD0000";
/// Smallest and largest root grid (cells per axis).
const MIN_ROOT: usize = 8;
const MAX_ROOT: usize = 16384;

/// What to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticOptions {
    /// Cells wanted (the dataset has the nearest count its layout allows).
    pub cells: u64,
    /// MPI tasks, one data file each.
    pub tasks: usize,
    /// Also write `Temperature` (Enzo's derived output) besides `Density`.
    pub temperature: bool,
}

impl SyntheticOptions {
    /// `cells` cells of `Density` in 8 files.
    pub fn new(cells: u64) -> Self {
        SyntheticOptions {
            cells,
            tasks: 8,
            temperature: false,
        }
    }
}

/// Cells of the layout with a root of `r^3` cells.
pub fn layout_cells(r: usize) -> u64 {
    let r = r as u64;
    3 * r * r * r + r * r * r / 8
}

/// The root grid's cells per axis whose layout is closest to `cells`.
pub fn root_cells(cells: u64) -> Result<usize> {
    let lo = layout_cells(MIN_ROOT);
    let hi = layout_cells(MAX_ROOT);
    if !(lo..=hi).contains(&cells) {
        return Err(Error::Settings(format!(
            "a synthetic dataset has {lo} to {hi} cells, not {cells}"
        )));
    }
    let guess = ((cells as f64 / 3.125).cbrt() / 4.0).floor() as usize * 4;
    let r = [guess, guess + 4]
        .into_iter()
        .map(|r| r.clamp(MIN_ROOT, MAX_ROOT))
        .min_by_key(|&r| layout_cells(r).abs_diff(cells))
        .unwrap_or(MIN_ROOT);
    Ok(r)
}

/// `x` rounded to the nearest even integer, at least 0.
fn even(x: f64) -> u64 {
    ((x / 2.0).round().max(0.0) as u64) * 2
}

/// The grids of the layout for a root of `r^3` cells, shared among `tasks` tasks.
pub fn synthetic_grids(r: usize, tasks: usize) -> Vec<WriteGrid> {
    let half = (r / 2) as u64;
    let mut grids = Vec::with_capacity(25);
    for k in 0..8u64 {
        grids.push(WriteGrid {
            level: 0,
            parent: None,
            start: [k & 1, (k >> 1) & 1, k >> 2].map(|b| b * half),
            dims: [r / 2; 3],
            task: 0,
        });
    }
    // (level, centre, cells across).
    let r64 = r as u64;
    for (level, centre, side) in [(1u32, HALO, r64), (2, [0.5; 3], r64), (3, HALO, r64 / 2)] {
        let n = r64 << level;
        let lo = centre.map(|c| even(c * n as f64 - side as f64 / 2.0).min(n - side));
        refine(&mut grids, level, lo, lo.map(|l| l + side));
    }
    // Tasks by size: each grid to the task holding the fewest cells so far.
    let mut load = vec![0u64; tasks.max(1)];
    for g in &mut grids {
        let t = (0..load.len()).min_by_key(|&t| load[t]).unwrap_or(0);
        g.task = t;
        load[t] += g.num_cells();
    }
    grids
}

/// Adds the grids of `level` covering the box `lo..hi` (level indices): one per parent grid
/// the box overlaps, cut to that parent.
fn refine(grids: &mut Vec<WriteGrid>, level: u32, lo: [u64; 3], hi: [u64; 3]) {
    let parents: Vec<usize> = (0..grids.len())
        .filter(|&p| grids[p].level + 1 == level)
        .collect();
    for p in parents {
        let g = &grids[p];
        let a = [0, 1, 2].map(|i| lo[i].max(2 * g.start[i]));
        let b = [0, 1, 2].map(|i| hi[i].min(2 * (g.start[i] + g.dims[i] as u64)));
        if (0..3).all(|i| a[i] < b[i]) {
            grids.push(WriteGrid {
                level,
                parent: Some(p),
                start: a,
                dims: [0, 1, 2].map(|i| (b[i] - a[i]) as usize),
                task: 0,
            });
        }
    }
}

/// The dataset [`write_synthetic`] writes.
pub fn synthetic_layout(opts: &SyntheticOptions) -> Result<EnzoLayout> {
    let r = root_cells(opts.cells)?;
    if opts.tasks == 0 {
        return Err(Error::Settings(
            "a synthetic dataset needs 1 task or more".into(),
        ));
    }
    let mut fields = vec!["Density".to_string()];
    if opts.temperature {
        fields.push("Temperature".into());
    }
    Ok(EnzoLayout {
        name: NAME.into(),
        root_dims: [r; 3],
        grids: synthetic_grids(r, opts.tasks),
        tasks: opts.tasks,
        fields,
        time: 0.0,
        // 1 Mpc, 1e-27 g/cm^3, 1 Gyr.
        units: [3.0857e24, 1e-27, 3.15576e16],
    })
}

/// The main halo's centre for a root of `r^3` cells: half a finest cell (of `8 r` across the
/// domain) above [`HALO`], on no coarser cell's centre.
pub fn halo_centre(r: usize) -> DVec3 {
    DVec3::from(HALO) + 0.5 / (8 * r) as f64
}

/// The value of field `field` ([`EnzoLayout::fields`]) at `p`.
fn model_value(model: &Model, field: usize, p: DVec3) -> f32 {
    let kind = if field == 0 {
        FieldKind::Density
    } else {
        FieldKind::Temperature
    };
    model.field(kind, p) as f32
}

/// Writes the synthetic dataset into `dir` (as `dir/DD0000`, `dir/DD0000.hierarchy`,
/// `dir/DD0000.cpuNNNN`).
pub fn write_synthetic(dir: &Path, opts: &SyntheticOptions) -> Result<Written> {
    let layout = synthetic_layout(opts)?;
    let model = Model::around(halo_centre(layout.root_dims[0]));
    write_enzo(dir, &layout, &|field, p| model_value(&model, field, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats;

    #[test]
    fn root_and_cells_for_the_issue_sizes() {
        assert_eq!(root_cells(536_870_912).unwrap(), 556);
        assert_eq!(layout_cells(556), 537_123_800);
        assert_eq!(root_cells(67_108_864).unwrap(), 276);
        assert_eq!(layout_cells(16), 12_800);
        assert_eq!(root_cells(12_800).unwrap(), 16);
        assert!(root_cells(1000).is_err());
        for r in [556, 276, 16, 8] {
            let grids = synthetic_grids(r, 8);
            assert_eq!(grids.len(), 25, "{r}");
            let cells: u64 = grids.iter().map(|g| g.num_cells()).sum();
            assert_eq!(cells, layout_cells(r));
            let per_level: Vec<usize> = (0..4)
                .map(|l| grids.iter().filter(|g| g.level == l).count())
                .collect();
            assert_eq!(per_level, [8, 8, 8, 1]);
            // Several grids per file, no file without one; large layouts' grid sizes within a
            // factor of 2.2.
            for t in 0..8 {
                let n = grids.iter().filter(|g| g.task == t).count();
                assert!((2..=5).contains(&n), "task {t}: {n} grids");
            }
            let (min, max) = grids.iter().fold((u64::MAX, 0), |(a, b), g| {
                (a.min(g.num_cells()), b.max(g.num_cells()))
            });
            eprintln!("{r}: grids of {min} to {max} cells");
            assert!(r < 200 || max * 5 <= min * 11, "{min} .. {max}");
        }
    }

    #[test]
    fn written_dataset_reads_back_with_the_model_at_cell_centres() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = SyntheticOptions {
            cells: 12_800,
            tasks: 3,
            temperature: true,
        };
        let w = write_synthetic(tmp.path(), &opts).unwrap();
        assert_eq!(w.files.len(), 3);
        let src = formats::open(&w.param).unwrap();
        let h = src.hierarchy();
        assert_eq!(h.grids.len(), 25);
        assert_eq!(
            (h.max_level(), h.root_dims, h.num_cells()),
            (3, [16; 3], 12_800)
        );
        assert_eq!(src.field_names(), ["Density", "Temperature"]);
        let units = &src.metadata().units;
        assert_eq!(units["length"], 3.0857e24);
        let model = Model::around(halo_centre(16));
        let (dens, temp) = (
            src.read_field("Density").unwrap(),
            src.read_field("Temperature").unwrap(),
        );
        for (n, g) in h.grids.iter().enumerate() {
            for c in [0, g.num_cells() / 2, g.num_cells() - 1] {
                let (i, j, k) = (
                    c % g.dims[0],
                    (c / g.dims[0]) % g.dims[1],
                    c / (g.dims[0] * g.dims[1]),
                );
                let p = g.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * g.cell_size();
                assert_eq!(
                    dens.data[n][c],
                    model_value(&model, 0, p),
                    "grid {n} cell {c}"
                );
                assert_eq!(
                    temp.data[n][c],
                    model_value(&model, 1, p),
                    "grid {n} cell {c}"
                );
            }
        }
        // The densest cell is on the finest level, and density spans several decades.
        let s = crate::amr::field_stats(dens.data.iter().map(|v| &v[..]));
        assert!(s.max / s.min > 1e4, "{s:?}");
        let finest = h.grids.iter().position(|g| g.level == 3).unwrap();
        let top = dens.data[finest].iter().fold(f32::MIN, |a, &b| a.max(b));
        assert_eq!(top, s.max);
    }

    #[test]
    fn deterministic() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = SyntheticOptions::new(12_800);
        let a = write_synthetic(&tmp.path().join("a"), &opts).unwrap();
        let b = write_synthetic(&tmp.path().join("b"), &opts).unwrap();
        assert_eq!(a.bytes, b.bytes);
        for (fa, fb) in a.files.iter().zip(&b.files).chain([(&a.param, &b.param)]) {
            assert!(
                std::fs::read(fa).unwrap() == std::fs::read(fb).unwrap(),
                "{fa:?}"
            );
        }
    }
}
