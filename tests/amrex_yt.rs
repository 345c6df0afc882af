//! AMReX plotfiles against yt: the fixtures in tests/data/amrex/ (written by
//! `common/amrex_writer.rs`; `AMRCAST_WRITE_AMREX_FIXTURES=1 cargo test --test amrex_yt`
//! rewrites them) and yt's fixed-resolution buffers of them in tests/data/yt/amrex*.npy
//! (written by scripts/yt_amrex.py, which also checks that yt reads every cell's value as
//! written). The tests do not need yt.
//!
//! yt's buffers are antialiased (a pixel is the area-weighted mean of the cells it overlaps);
//! amrcast renders `k` times as many pixels per axis, each the value at its centre (nearest
//! cell), and averages `k x k` blocks: the same numbers wherever each small pixel lies inside
//! one finest cell, which these sizes ensure (64 yt pixels over 128 finest cells in 3-D, 256
//! in 2-D). Slices are also compared at yt's pixels with `--antialias` (exact area averages).
//! The measure is L1 over the image, `sum |a - b| / sum |b|`, b being yt's.

#[path = "common/amrex_fixtures.rs"]
mod amrex_fixtures;
#[path = "common/amrex_writer.rs"]
mod amrex_writer;

use amrex_fixtures::{plt2d, plt3d, value2d, value3d};
use std::path::{Path, PathBuf};
use std::process::Command;
#[path = "common/npy.rs"]
mod npy;
use npy::read_npy;

const PLT3D: &str = "tests/data/amrex/plt3d";
const PLT2D: &str = "tests/data/amrex/plt2d";
/// The target of issue 17.
const TOLERANCE: f64 = 0.005;

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_fixtures_are_what_the_writer_writes() {
    let fixtures = [
        (PLT3D, plt3d(), value3d as fn(usize, usize, [f64; 3]) -> f64),
        (PLT2D, plt2d(), value2d),
    ];
    for (path, pf, value) in fixtures {
        if std::env::var_os("AMRCAST_WRITE_AMREX_FIXTURES").is_some() {
            let _ = std::fs::remove_dir_all(path);
            pf.write(Path::new(path), value).unwrap();
        }
        let tmp = tempfile::tempdir().unwrap();
        pf.write(tmp.path(), value).unwrap();
        let (ours, theirs) = (files(tmp.path()), files(Path::new(path)));
        assert_eq!(ours, theirs, "{path}");
        for f in ours {
            let a = std::fs::read(tmp.path().join(&f)).unwrap();
            let b = std::fs::read(Path::new(path).join(&f)).unwrap();
            assert!(
                a == b,
                "{path}/{}: differs from what the writer writes",
                f.display()
            );
        }
    }
}

/// yt's reference `name`, rows flipped to amrcast's order (row 0 at the top).
fn reference(name: &str) -> (usize, Vec<f32>) {
    let (shape, v) = read_npy::<f32>(&Path::new("tests/data/yt").join(format!("{name}.npy")));
    let (h, w) = (shape[0], shape[1]);
    assert_eq!(h, w);
    let flipped = (0..h)
        .rev()
        .flat_map(|r| v[r * w..(r + 1) * w].to_vec())
        .collect();
    (w, flipped)
}

/// amrcast `args` at `n * k` pixels square with `--values`, each `k x k` block averaged.
fn amrcast_mean(args: &[&str], n: usize, k: usize) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let (png, npy) = (dir.path().join("o.png"), dir.path().join("o.npy"));
    let size = format!("{0}x{0}", n * k);
    let o = Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .args([
            "--size",
            &size,
            "--values",
            npy.to_str().unwrap(),
            "-o",
            png.to_str().unwrap(),
        ])
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (shape, v) = read_npy::<f32>(&npy);
    assert_eq!(shape, [n * k, n * k]);
    let mut mean = vec![0.0f64; n * n];
    for (r, row) in v.chunks(n * k).enumerate() {
        for (c, x) in row.iter().enumerate() {
            mean[(r / k) * n + c / k] += *x as f64 / (k * k) as f64;
        }
    }
    mean.into_iter().map(|x| x as f32).collect()
}

/// L1 difference of amrcast `args` (averaged over `k x k` pixels) against yt's `name`.
fn l1(name: &str, args: &[&str], k: usize) -> f64 {
    let (n, theirs) = reference(name);
    let ours = amrcast_mean(args, n, k);
    let (mut diff, mut total) = (0.0f64, 0.0f64);
    for (a, b) in ours.iter().zip(&theirs) {
        assert!(a.is_finite() && b.is_finite(), "{name}: {a} vs {b}");
        diff += (*a as f64 - *b as f64).abs();
        total += (*b as f64).abs();
    }
    let l1 = diff / total;
    eprintln!("{name}: L1 {l1:.3e}");
    l1
}

fn slice(data: &str, axis: &str, coord: &str, field: &str) -> Vec<String> {
    [
        "slice",
        data,
        "--axis",
        axis,
        "--coord",
        coord,
        "--field",
        field,
        "--interpolation",
        "nearest",
    ]
    .map(String::from)
    .to_vec()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `slice` at `k` times yt's pixels, averaged; and `slice --antialias` at yt's pixels (each
/// the exact area average of the finest cells under it).
fn slice_l1s(name: &str, args: &[String], k: usize) -> [f64; 2] {
    let antialiased = [args, &["--antialias".to_string()]].concat();
    [l1(name, &strs(args), k), l1(name, &strs(&antialiased), 1)]
}

#[test]
fn slices_of_the_3d_plotfile_match_yt() {
    let z = slice(PLT3D, "z", "0.8", "density");
    for e in slice_l1s("amrex3d_slice_z_density", &z, 2) {
        assert!(e < TOLERANCE);
    }
    let x = slice(PLT3D, "x", "-0.05", "temperature");
    for e in slice_l1s("amrex3d_slice_x_temperature", &x, 2) {
        assert!(e < TOLERANCE);
    }
}

#[test]
fn slices_of_the_2d_plotfile_match_yt() {
    for field in ["density", "pressure"] {
        let args = slice(PLT2D, "z", "0.01", field);
        for e in slice_l1s(&format!("amrex2d_slice_{field}"), &args, 4) {
            assert!(e < TOLERANCE);
        }
    }
}

#[test]
fn nearest_projections_of_the_3d_plotfile_match_yt() {
    let base = [
        "render",
        PLT3D,
        "--field",
        "density",
        "--mode",
        "projection",
        "--interpolation",
        "nearest",
        "--lens",
        "plane",
        "--samples-per-cell",
        "4",
    ];
    for view in ["z", "x"] {
        let name = format!("amrex3d_proj_{view}_density");
        let args = [&base[..], &["--view", view]].concat();
        assert!(l1(&name, &args, 2) < TOLERANCE);
        // Out of core: a pool of one brick (27 passes), grids read one at a time through
        // read_grid into a host cache smaller than one level-1 grid.
        let small = ["--gpu-memory", "32KiB", "--host-memory", "16KiB"];
        assert!(l1(&name, &[&args[..], &small].concat(), 2) < TOLERANCE);
    }
}
