//! The FLASH fixtures (tests/data/flash/, written by tests/common/flash_writer.rs) through the
//! command line, against yt's slices and projections of them (tests/data/yt/flash_*.npy,
//! written by scripts/yt_flash_reference.py after checking that yt reads every value as
//! written; the tests do not need yt). `amrcast info`, `slice --axis` and `render`.
//!
//! yt's buffers are (ny, nx), row 0 at the lowest vertical coordinate; amrcast's row 0 is at
//! the top, so rows are flipped. The measure is L1 over the image, `sum |a - b| / sum |b|`.

use std::path::{Path, PathBuf};
use std::process::Command;
#[path = "common/npy.rs"]
mod npy;
use npy::read_npy;

const SEDOV: &str = "tests/data/flash/sedov3d_hdf5_plt_cnt_0002";
const BLAST: &str = "tests/data/flash/blast3d_hdf5_chk_0001";
const SOD: &str = "tests/data/flash/sod2d_hdf5_plt_cnt_0001";
/// The target of issue 17.
const TOLERANCE: f64 = 0.005;

/// yt's reference `name` as (rows, columns) and values, rows flipped (row 0 at the top).
fn reference(name: &str) -> ([usize; 2], Vec<f32>) {
    let (shape, v) = read_npy::<f32>(&Path::new("tests/data/yt").join(format!("{name}.npy")));
    let (h, w) = (shape[0], shape[1]);
    let flipped = (0..h)
        .rev()
        .flat_map(|r| v[r * w..(r + 1) * w].to_vec())
        .collect();
    ([h, w], flipped)
}

fn amrcast(args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "amrcast {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Runs amrcast with `args` plus `--values FILE -o PNG` and returns the values.
fn amrcast_values(args: &[&str]) -> (Vec<usize>, Vec<f32>) {
    let dir = tempfile::tempdir().unwrap();
    let (png, npy): (PathBuf, PathBuf) = (dir.path().join("o.png"), dir.path().join("o.npy"));
    let mut all = args.to_vec();
    all.extend([
        "--values",
        npy.to_str().unwrap(),
        "-o",
        png.to_str().unwrap(),
    ]);
    amrcast(&all);
    assert!(png.exists());
    read_npy::<f32>(&npy)
}

/// L1 difference of `ours` against yt's `name`.
fn l1_against(name: &str, ours: (Vec<usize>, Vec<f32>)) -> f64 {
    let (shape, theirs) = reference(name);
    assert_eq!(ours.0, shape, "{name}");
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

fn slice_l1(name: &str, data: &str, field: &str, axis: &str, coord: &str, size: &str) -> f64 {
    let args = [
        "slice",
        data,
        "--field",
        field,
        "--axis",
        axis,
        "--coord",
        coord,
        "--size",
        size,
        "--interpolation",
        "nearest",
    ];
    l1_against(name, amrcast_values(&args))
}

/// A nearest-cell projection along `view`, plane lens, one pixel per yt pixel (every
/// reference's pixels lie inside single finest columns). Four samples per cell keep the ray
/// caster's steps within 1e-3 of the cells' exact integral.
fn projection_l1(name: &str, data: &str, field: &str, view: &str) -> f64 {
    let (shape, _) = reference(name);
    let size = format!("{}x{}", shape[1], shape[0]);
    let args = [
        "render",
        data,
        "--field",
        field,
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
    l1_against(name, amrcast_values(&args))
}

#[test]
fn slices_of_a_3d_plot_file_match_yt() {
    let z = slice_l1("flash_sedov3d_slice_z", SEDOV, "dens", "z", "0.3", "64x64");
    let x = slice_l1("flash_sedov3d_slice_x", SEDOV, "pres", "x", "0.55", "64x64");
    assert!(z < TOLERANCE && x < TOLERANCE, "{z} {x}");
}

#[test]
fn a_slice_of_a_3d_checkpoint_matches_yt() {
    let y = slice_l1("flash_blast3d_slice_y", BLAST, "velx", "y", "0.7", "64x64");
    assert!(y < TOLERANCE, "{y}");
}

#[test]
fn slices_of_a_2d_plot_file_match_yt() {
    let d = slice_l1("flash_sod2d_slice_z", SOD, "dens", "z", "0.5", "96x64");
    let v = slice_l1("flash_sod2d_slice_z_velx", SOD, "velx", "z", "0.5", "96x64");
    assert!(d < TOLERANCE && v < TOLERANCE, "{d} {v}");
}

#[test]
fn nearest_projections_of_3d_files_match_yt() {
    let z = projection_l1("flash_sedov3d_proj_z", SEDOV, "dens", "z");
    let x = projection_l1("flash_sedov3d_proj_x", SEDOV, "pres", "x");
    let y = projection_l1("flash_blast3d_proj_y", BLAST, "ener", "y");
    assert!(
        z < TOLERANCE && x < TOLERANCE && y < TOLERANCE,
        "{z} {x} {y}"
    );
}

#[test]
fn info_describes_a_flash_file() {
    let o = amrcast(&["info", SEDOV]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("sedov3d_hdf5_plt_cnt_0002 (flash)"), "{out}");
    let info = amrcast::info::info(Path::new(SEDOV)).unwrap();
    assert_eq!(info.format, "flash");
    assert_eq!(info.grids_per_level, vec![8, 16, 8]);
    assert_eq!(info.cells_per_level, vec![8 * 512, 16 * 512, 8 * 512]);
    assert_eq!(info.max_level, 2);
    assert_eq!(info.dimensionality, 3);
    assert_eq!(info.units.get("length"), Some(&1.0));
    // The field's range over every stored cell: leaves and parents.
    assert_eq!(info.field_ranges[0].min, Some(10_000.0));
    // Level 2 covers global cells 16..=31 on every axis: 10000 + 2000 + 9 * 31.
    assert_eq!(info.field_ranges[0].max, Some(12_279.0));
    let o = amrcast(&["info", SOD]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("24 x 16 cells (2-D)"), "{out}");
    let info = amrcast::info::info(Path::new(SOD)).unwrap();
    assert_eq!((info.dimensionality, info.root_dims), (2, [24, 16, 1]));
    assert_eq!(info.grids_per_level, vec![6, 4, 4]);
    assert_eq!(info.fields, ["dens", "pres", "velx"]);
}
