//! `amrcast slice` and nearest-cell projections against yt's fixed-resolution buffers
//! (tests/data/yt/, written by scripts/yt_reference.py; the tests do not need yt).
//!
//! yt's buffers are (ny, nx) with row 0 at the lowest vertical coordinate; amrcast's values
//! have row 0 at the top, so rows are flipped before comparing. Both use yt's image axes and
//! code units (projections: field times code length). The measure is L1 over the image,
//! `sum |a - b| / sum |b|`, b being yt's.

use std::path::{Path, PathBuf};
use std::process::Command;
#[path = "common/npy.rs"]
mod npy;
use npy::read_npy;

const MOVING7: &str = "tests/data/moving7_0010/moving7_0010";
const SYNTHETIC: &str = "tests/data/enzo_h5py_sb0/DD0003";
/// The target of issue 16.
const TOLERANCE: f64 = 0.005;

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

/// Runs amrcast with `args` plus `--values FILE` and returns the values.
fn amrcast_values(args: &[&str]) -> (Vec<usize>, Vec<f32>) {
    let dir = tempfile::tempdir().unwrap();
    let (png, npy): (PathBuf, PathBuf) = (dir.path().join("o.png"), dir.path().join("o.npy"));
    let o = Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .args([
            "--values",
            npy.to_str().unwrap(),
            "-o",
            png.to_str().unwrap(),
        ])
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read_npy::<f32>(&npy)
}

/// L1 difference over the image of `ours` against yt's `name`.
fn l1_against(name: &str, ours: (Vec<usize>, Vec<f32>)) -> f64 {
    let (n, theirs) = reference(name);
    assert_eq!(ours.0, [n, n], "{name}");
    let (mut diff, mut total) = (0.0f64, 0.0f64);
    for (a, b) in ours.1.iter().zip(&theirs) {
        assert!(a.is_finite() && b.is_finite(), "{name}: {a} vs {b}");
        diff += (*a as f64 - *b as f64).abs();
        total += (*b as f64).abs();
    }
    let l1 = diff / total;
    eprintln!("{name}: L1 {l1:.3e}");
    l1
}

fn slice_l1(name: &str, dataset: &str, axis: &str, coord: &str, extra: &[&str]) -> f64 {
    let mut args = vec![
        "slice",
        dataset,
        "--axis",
        axis,
        "--coord",
        coord,
        "--interpolation",
        "nearest",
    ];
    args.extend_from_slice(extra);
    l1_against(name, amrcast_values(&args))
}

/// A nearest-cell projection along `view` of `n * k` pixels square, each `k x k` block
/// averaged into one pixel: yt's antialiased buffer of `n x n` when the big image's pixels lie
/// inside single finest columns. Four samples per cell keep the ray caster's steps (equal
/// steps per leaf, not cut at cell faces) within 1e-3 of the cells' exact integral.
fn projection_l1(name: &str, dataset: &str, view: &str, k: usize, extra: &[&str]) -> f64 {
    let (n, _) = reference(name);
    let size = format!("{0}x{0}", n * k);
    let mut args = vec![
        "render",
        dataset,
        "--mode",
        "projection",
        "--interpolation",
        "nearest",
        "--lens",
        "plane",
        "--view",
        view,
        "--samples-per-cell",
        "4",
        "--size",
        &size,
    ];
    args.extend_from_slice(extra);
    let (shape, v) = amrcast_values(&args);
    assert_eq!(shape, [n * k, n * k]);
    let mut mean = vec![0.0f32; n * n];
    for (r, row) in v.chunks(n * k).enumerate() {
        for (c, x) in row.iter().enumerate() {
            mean[(r / k) * n + c / k] += x / (k * k) as f32;
        }
    }
    l1_against(name, (vec![n, n], mean))
}

#[test]
fn slices_of_a_real_enzo_output_match_yt() {
    let whole = ["--size", "128x128"];
    assert!(slice_l1("moving7_slice_z", MOVING7, "z", "0.7", &whole) < TOLERANCE);
    let small = ["--size", "64x64"];
    assert!(slice_l1("moving7_slice_x", MOVING7, "x", "0.6", &small) < TOLERANCE);
    assert!(slice_l1("moving7_slice_y", MOVING7, "y", "0.6", &small) < TOLERANCE);
}

#[test]
fn a_slice_through_the_finest_levels_matches_yt() {
    // 64 x 64 level-7 cells around the density peak, one pixel each.
    let l1 = amrcast_values(&[
        "slice",
        MOVING7,
        "--normal",
        "0,0,1",
        "--center",
        "0.75,0.75,0.7507",
        "--width",
        "0.03125",
        "--size",
        "64x64",
        "--interpolation",
        "nearest",
    ]);
    assert!(l1_against("moving7_slice_peak", l1) < TOLERANCE);
}

#[test]
fn a_slice_of_a_synthetic_enzo_dataset_matches_yt() {
    let size = ["--size", "64x64"];
    assert!(slice_l1("synthetic_slice_z", SYNTHETIC, "z", "0.45", &size) < TOLERANCE);
}

#[test]
fn nearest_projections_match_yt() {
    // Cells of 1/32 or larger, 64 pixels: one pixel per column, no averaging.
    assert!(projection_l1("synthetic_proj_y", SYNTHETIC, "y", 1, &[]) < TOLERANCE);
    // 64 x 64 level-7 columns around the density peak.
    let peak = ["--focus", "0.75,0.75,0.5", "--width", "0.03125"];
    assert!(projection_l1("moving7_proj_peak", MOVING7, "z", 1, &peak) < 1e-5);
}

#[test]
fn whole_domain_projections_of_a_real_enzo_output_match_yt() {
    // Through the peak: levels 0-7 (cells of 1/16 to 1/2048) under 128 pixels; averaging
    // 2048^2 pixel centres (one per level-7 column) is what yt's antialiasing does. Along x,
    // 64 pixels from 1024^2 (2x2 level-7 columns per pixel in the peak's 8x10 cells).
    assert!(projection_l1("moving7_proj_z", MOVING7, "z", 16, &[]) < TOLERANCE);
    assert!(projection_l1("moving7_proj_x", MOVING7, "x", 16, &[]) < TOLERANCE);
}
