//! AMReX plotfiles: written by `common/amrex_writer.rs` in AMReX's layout (3-D and 2-D,
//! levels refined by 4 then 2 and by 2 then 4, several grids and components, doubles and
//! floats in both byte orders, ghost cells, FABs with and without header lines), read back
//! value for value through `read_grid`, the slice library and the command line; damaged
//! plotfiles give one error naming the file and the problem.

#[path = "common/amrex_fixtures.rs"]
mod amrex_fixtures;
#[path = "common/amrex_writer.rs"]
mod amrex_writer;
mod common;

use amrcast::formats::{self, amrex::AmrexReader, DataSource};
use amrcast::render::Interpolation;
use amrcast::slice::value_at;
use amrex_fixtures::{plt2d, plt3d, value2d, value3d};
use amrex_writer::{Box3, Plotfile, Real};
use common::read_grid::assert_read_grid_matches;
use glam::DVec3;
use std::path::{Path, PathBuf};
use std::process::Command;

type Value = fn(usize, usize, [f64; 3]) -> f64;

fn write(pf: &Plotfile, value: Value) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("plt00040");
    pf.write(&dir, value).unwrap();
    (tmp, dir)
}

/// Every grid of the plotfile in the hierarchy's order: (level, box).
fn grids(pf: &Plotfile) -> Vec<(usize, Box3)> {
    let mut v = Vec::new();
    for (l, lev) in pf.levels.iter().enumerate() {
        v.extend(lev.boxes.iter().map(|b| (l, *b)));
    }
    v
}

/// Every cell of every grid and component read alone equals the value written, as f32.
fn assert_cells(src: &dyn DataSource, pf: &Plotfile, value: Value) -> usize {
    let mut checked = 0;
    for (c, name) in pf.names.iter().enumerate() {
        for (n, (l, b)) in grids(pf).into_iter().enumerate() {
            let got = src.read_grid(name, n).unwrap();
            let mut want = Vec::new();
            for k in b.0[2]..=b.1[2] {
                for j in b.0[1]..=b.1[1] {
                    for i in b.0[0]..=b.1[0] {
                        want.push(value(c, l, pf.centre(l, [i, j, k])) as f32);
                    }
                }
            }
            assert_eq!(got.len(), want.len(), "{name} grid {n}");
            let same = got
                .iter()
                .zip(&want)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{name} grid {n}: {:?} vs {:?}", &got[..4], &want[..4]);
            checked += got.len();
        }
    }
    checked
}

fn open(dir: &Path) -> Box<dyn DataSource> {
    formats::open(dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_3d_plotfile_with_ratios_4_then_2_reads_every_cell() {
    let pf = plt3d();
    let (_tmp, dir) = write(&pf, value3d);
    let src = open(&dir);
    assert_eq!(src.metadata().format, "amrex");
    assert_eq!(src.metadata().name, "plt00040");
    assert_eq!(src.metadata().time, Some(0.125));
    assert_eq!(src.field_names(), ["density", "temperature"]);
    let h = src.hierarchy();
    assert_eq!(h.refinement_ratios(), [4, 2]);
    assert_eq!((h.ratio(0), h.ratio(1)), ([4; 3], [2; 3]));
    assert_eq!(h.dimensionality(), 3);
    assert_eq!(h.root_dims, [16; 3]);
    assert_eq!(h.domain_left, DVec3::new(-1.0, -1.0, 0.0));
    assert_eq!(h.domain_right, DVec3::new(1.0, 1.0, 2.0));
    assert_eq!(h.grids.len(), 6);
    // Level 1 grid 1: cells (20, 28, 16)..=(35, 39, 31) of 1/32 from (-1, -1, 0).
    let g = &h.grids[3];
    assert_eq!((g.level, g.dims), (1, [16, 12, 16]));
    assert_eq!(
        g.left,
        DVec3::new(-1.0 + 20.0 / 32.0, -1.0 + 28.0 / 32.0, 0.5)
    );
    assert_eq!(assert_cells(&*src, &pf, value3d), 2 * 13440);
    assert_eq!(assert_read_grid_matches(&*src, None), 12);
}

#[test]
fn a_2d_plotfile_is_one_cell_thick_and_reads_every_cell() {
    let pf = plt2d();
    let (_tmp, dir) = write(&pf, value2d);
    let src = open(&dir);
    assert_eq!(src.field_names(), ["density", "pressure", "vx"]);
    let h = src.hierarchy();
    assert_eq!(h.dimensionality(), 2);
    assert_eq!(h.refinement_ratios(), [2, 4]);
    assert_eq!((h.ratio(0), h.ratio(1)), ([2, 2, 1], [4, 4, 1]));
    assert_eq!(h.root_dims, [32, 32, 1]);
    // z from 0 to level 0's cell width along x.
    assert_eq!(h.domain_left, DVec3::new(0.5, -0.5, 0.0));
    assert_eq!(h.domain_right, DVec3::new(1.5, 0.5, 1.0 / 32.0));
    for g in &h.grids {
        assert_eq!((g.dims[2], g.left.z, g.right.z), (1, 0.0, 1.0 / 32.0));
    }
    assert_eq!(assert_cells(&*src, &pf, value2d), 3 * 7680);
    assert_eq!(assert_read_grid_matches(&*src, None), 21);
}

#[test]
fn floats_doubles_byte_orders_ghost_cells_and_bare_fabs() {
    type Change = fn(&mut Plotfile);
    let variants: [(&str, Change); 5] = [
        ("big-endian doubles", |p| p.big_endian = true),
        ("little-endian floats", |p| p.real = Real::F32),
        ("one FAB per file", |p| p.fabs_per_file = 1),
        ("one ghost cell", |p| p.ghost = 1),
        ("Cell_H version 2, no FAB headers, 2 ghost cells", |p| {
            p.vismf_version = 2;
            p.ghost = 2;
        }),
    ];
    for (what, change) in variants {
        for (mut pf, value) in [(plt3d(), value3d as Value), (plt2d(), value2d as Value)] {
            change(&mut pf);
            let (_tmp, dir) = write(&pf, value);
            let src = AmrexReader::open(&dir).unwrap_or_else(|e| panic!("{what}: {e}"));
            let cells = assert_cells(&src, &pf, value);
            eprintln!("{what}, {}-D: {cells} values", pf.dim);
            assert_read_grid_matches(&src, None);
        }
    }
}

/// The value at `p` of the finest cell holding it (what a nearest-cell slice shows).
fn finest_value(pf: &Plotfile, value: Value, c: usize, p: [f64; 3]) -> f64 {
    for (l, lev) in pf.levels.iter().enumerate().rev() {
        let dx = pf.cell_size(l);
        let ijk = [0, 1, 2].map(|a| {
            if a < pf.dim {
                ((p[a] - pf.prob_lo[a]) / dx[a]).floor() as i64
            } else {
                0
            }
        });
        if lev
            .boxes
            .iter()
            .any(|b| (0..3).all(|a| b.0[a] <= ijk[a] && ijk[a] <= b.1[a]))
        {
            return value(c, l, pf.centre(l, ijk));
        }
    }
    panic!("{p:?} is outside the domain");
}

#[test]
fn nearest_slices_show_the_finest_cell_everywhere() {
    for (pf, value) in [(plt3d(), value3d as Value), (plt2d(), value2d as Value)] {
        let (_tmp, dir) = write(&pf, value);
        let src = open(&dir);
        let h = src.hierarchy().clone();
        for (c, name) in pf.names.iter().enumerate() {
            let ds = formats::load(&*src, Some(name)).unwrap();
            let (lo, w) = (h.domain_left, h.domain_width());
            let n = 37;
            for s in 0..n * n * 5 {
                // A lattice of points off every cell face.
                let f = [s % n, (s / n) % n, s / (n * n)].map(|i| i as f64);
                let p = lo
                    + w * DVec3::new(
                        (f[0] + 0.31) / n as f64,
                        (f[1] + 0.53) / n as f64,
                        (f[2] + 0.27) / 5.0,
                    );
                let got = value_at(&ds, p, Interpolation::Nearest);
                let want = finest_value(&pf, value, c, p.to_array()) as f32;
                assert_eq!(got, want, "{}-D {name} at {p}", pf.dim);
            }
        }
    }
}

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn read_npy(path: &Path) -> (Vec<u64>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    (npy.shape().to_vec(), npy.into_vec::<f32>().unwrap())
}

#[test]
fn info_reports_the_plotfile() {
    for (pf, value, dims, ratios) in [
        (plt3d(), value3d as Value, 3, [4, 2]),
        (plt2d(), value2d as Value, 2, [2, 4]),
    ] {
        let (_tmp, dir) = write(&pf, value);
        let out = amrcast(&["info", "--json", dir.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["format"], "amrex");
        assert_eq!(v["dimensionality"], dims);
        assert_eq!(v["refinement_ratios"], serde_json::json!(ratios));
        assert_eq!(v["max_level"], 2);
        let per_level: Vec<usize> = pf.levels.iter().map(|l| l.boxes.len()).collect();
        assert_eq!(v["grids_per_level"], serde_json::json!(per_level));
        let names: Vec<&str> = pf.names.iter().map(String::as_str).collect();
        assert_eq!(v["fields"], serde_json::json!(names));
        // The density range: the smallest and largest value written.
        let mut all = Vec::new();
        for (l, b) in grids(&pf) {
            for k in b.0[2]..=b.1[2] {
                for j in b.0[1]..=b.1[1] {
                    for i in b.0[0]..=b.1[0] {
                        all.push(value(0, l, pf.centre(l, [i, j, k])) as f32);
                    }
                }
            }
        }
        let r = &v["field_ranges"][0];
        let min = all.iter().copied().fold(f32::MAX, f32::min);
        let max = all.iter().copied().fold(f32::MIN, f32::max);
        assert_eq!(r["min"].as_f64().unwrap() as f32, min);
        assert_eq!(r["max"].as_f64().unwrap() as f32, max);
    }
}

#[test]
fn slice_and_render_from_the_command_line() {
    let p3 = (plt3d(), value3d as Value, "0.8");
    let p2 = (plt2d(), value2d as Value, "0.01");
    // Slices across z of both; the 2-D plotfile's render is the same image.
    for (pf, value, coord, command) in [
        (&p3.0, p3.1, p3.2, "slice"),
        (&p2.0, p2.1, p2.2, "slice"),
        (&p2.0, p2.1, p2.2, "render"),
    ] {
        let (tmp, dir) = write(pf, value);
        let npy = tmp.path().join("v.npy");
        let png = tmp.path().join("s.png");
        let mut args = vec![command, dir.to_str().unwrap()];
        if command == "slice" {
            args.extend(["--axis", "z", "--coord", coord]);
        }
        args.extend([
            "--field",
            "density",
            "--size",
            "64x64",
            "--interpolation",
            "nearest",
        ]);
        args.extend([
            "--values",
            npy.to_str().unwrap(),
            "-o",
            png.to_str().unwrap(),
        ]);
        let out = amrcast(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        let (shape, v) = read_npy(&npy);
        assert_eq!(shape, [64, 64]);
        let (lo, hi) = (pf.prob_lo, pf.prob_hi);
        for r in 0..64 {
            for c in 0..64 {
                let x = lo[0] + (c as f64 + 0.5) * (hi[0] - lo[0]) / 64.0;
                let y = hi[1] - (r as f64 + 0.5) * (hi[1] - lo[1]) / 64.0;
                let want = finest_value(pf, value, 0, [x, y, 0.8]) as f32;
                let at = format!("{}-D {command} pixel ({r}, {c})", pf.dim);
                assert_eq!(v[r * 64 + c], want, "{at}");
            }
        }
        assert!(png.is_file());
    }
    // A volume rendering of the 3-D plotfile.
    let (tmp, dir) = write(&plt3d(), value3d);
    let png = tmp.path().join("r.png");
    let out = amrcast(&[
        "render",
        dir.to_str().unwrap(),
        "--size",
        "96x64",
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (96, 64));
    let distinct: std::collections::BTreeSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
    assert!(distinct.len() > 20, "{} colours", distinct.len());
}
