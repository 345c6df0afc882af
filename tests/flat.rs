//! 2-D datasets as images from the command line: `render` writes the field at the pixel
//! centres (the domain's aspect by default, the camera options framing it), `movie` pans and
//! zooms over it, `info` reports the dimensionality, and options that need depth are refused.
//! The fixture is a 2-D HDF5 dataset (a uniform 2-D grid) whose cells hold known values.

use hdf5_writer::{DatasetBuilder, Hdf5Builder, WriteOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_amrcast");
/// Cells along x and y: the domain is 1 x 0.75 (the uniform reader's aspect scaling).
const NX: usize = 64;
const NY: usize = 48;

/// The value of cell (i, j): distinct in every cell.
fn cell_value(i: usize, j: usize) -> f32 {
    1.0 + i as f32 + 100.0 * j as f32
}

/// Writes the fixture; returns its `FILE:/dataset` spec.
fn fixture(dir: &Path) -> String {
    let path = dir.join("flat.h5");
    let values: Vec<f32> = (0..NY)
        .flat_map(|j| (0..NX).map(move |i| cell_value(i, j)))
        .collect();
    let bytes = Hdf5Builder::new()
        .dataset(DatasetBuilder::typed_data("rho", vec![NY as u64, NX as u64], &values).unwrap())
        .into_plan()
        .unwrap()
        .encode(WriteOptions::default())
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    format!("{}:/rho", path.display())
}

fn amrcast(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Runs `render` with `args` on `spec` and returns the values' shape and data.
fn render_values(dir: &Path, spec: &str, args: &[&str]) -> (Vec<usize>, Vec<f32>) {
    let (png, npy): (PathBuf, PathBuf) = (dir.join("o.png"), dir.join("o.npy"));
    let mut all = vec!["render", spec, "-o", png.to_str().unwrap()];
    all.extend([
        "--values",
        npy.to_str().unwrap(),
        "--interpolation",
        "nearest",
    ]);
    all.extend(args);
    let out = amrcast(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = image::open(&png).unwrap();
    read_npy(&npy, (png.width(), png.height()))
}

fn read_npy(path: &Path, png_size: (u32, u32)) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&n| n as usize).collect();
    assert_eq!(shape, vec![png_size.1 as usize, png_size.0 as usize]);
    (shape, npy.into_vec::<f32>().unwrap())
}

/// The value nearest-cell sampling gives at `(x, y)`, NaN outside the domain.
fn expected_at(x: f64, y: f64) -> f32 {
    let cell = 1.0 / NX as f64;
    if !(0.0..1.0).contains(&x) || !(0.0..0.75).contains(&y) {
        return f32::NAN;
    }
    cell_value((x / cell) as usize, (y / cell) as usize)
}

/// Checks every pixel of an image of `shape` whose pixel `(i, j)` has its centre at
/// `(x0 + (i + 0.5) p, y1 - (j + 0.5) p)`.
fn assert_pixels(shape: &[usize], v: &[f32], (x0, y1, p): (f64, f64, f64)) {
    let (h, w) = (shape[0], shape[1]);
    for j in 0..h {
        for i in 0..w {
            let want = expected_at(x0 + (i as f64 + 0.5) * p, y1 - (j as f64 + 0.5) * p);
            let got = v[j * w + i];
            assert!(
                got == want || (got.is_nan() && want.is_nan()),
                "pixel ({i}, {j}): {got} against {want}"
            );
        }
    }
}

#[test]
fn render_writes_the_field_with_the_domain_s_aspect() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture(dir.path());
    let (shape, v) = render_values(dir.path(), &spec, &[]);
    assert_eq!(shape, vec![384, 512]);
    assert_pixels(&shape, &v, (0.0, 0.75, 1.0 / 512.0));
    // A square image shows the whole domain, with missing values above and below it.
    let (shape, v) = render_values(dir.path(), &spec, &["--size", "96x96"]);
    assert_pixels(&shape, &v, (0.0, 0.875, 1.0 / 96.0));
    assert!(v[..12 * 96].iter().all(|x| x.is_nan()));
}

/// With --antialias each pixel is the mean of the 2x2 cells under it.
#[test]
fn antialiased_pixels_are_the_means_of_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture(dir.path());
    let (shape, v) = render_values(dir.path(), &spec, &["--size", "32x24", "--antialias"]);
    assert_eq!(shape, vec![24, 32]);
    for j in 0..24 {
        for i in 0..32 {
            let (ci, cj) = (2 * i, NY - 2 - 2 * j);
            let cells = [(0, 0), (1, 0), (0, 1), (1, 1)].map(|(a, b)| cell_value(ci + a, cj + b));
            let want = cells.iter().sum::<f32>() / 4.0;
            assert_eq!(v[j * 32 + i], want, "pixel ({i}, {j})");
        }
    }
    // Only images of 2-D data average: a 3-D render refuses it.
    let out = amrcast(&["render", "-o", "x.png", "--antialias"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("--antialias applies to 2-D"),
        "{err}"
    );
}

#[test]
fn the_camera_options_pan_and_zoom() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture(dir.path());
    // (A focus off the cells' edges: no pixel centre falls on one.)
    let args = [
        "--size",
        "80x60",
        "--focus",
        "0.2501,0.5003,0",
        "--width",
        "0.2",
    ];
    let (shape, v) = render_values(dir.path(), &spec, &args);
    assert_pixels(&shape, &v, (0.1501, 0.5753, 0.2 / 80.0));
    // The perspective lens shows what it sees at the focus distance: its framing view has a
    // margin of 5%, so the domain's width is 64 / 1.05 = 61 of the 64 columns.
    let args = ["--size", "64x48", "--lens", "perspective"];
    let (shape, v) = render_values(dir.path(), &spec, &args);
    assert_eq!(shape, vec![48, 64]);
    let row = &v[24 * 64..25 * 64];
    let data = row.iter().filter(|x| !x.is_nan()).count();
    assert!((60..=62).contains(&data), "{data} columns of data");
}

#[test]
fn options_that_need_depth_are_refused_and_info_says_2d() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture(dir.path());
    let png = dir.path().join("s.png");
    let out = amrcast(&[
        "render",
        &spec,
        "-o",
        png.to_str().unwrap(),
        "--stereo",
        "parallel",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("flat is a 2-D dataset") && err.contains("--stereo does not apply"),
        "{err}"
    );
    assert!(!png.exists());
    let out = amrcast(&["bench", &spec, "--size", "32x32"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("flat is a 2-D dataset, an image: `amrcast bench` ray-casts volumes"),
        "{err}"
    );
    let out = amrcast(&["info", "--json", &spec]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dimensionality"], 2);
    assert_eq!(v["refinement_ratios"], serde_json::json!([]));
    assert_eq!(v["root_dims"], serde_json::json!([64, 48, 1]));
    let out = amrcast(&["info", &spec]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("64 x 48 cells (2-D), not refined"), "{text}");
}

/// A zoom of 4 over three frames: the first frame shows the whole domain, the last a quarter
/// of its width about the centre.
#[test]
fn a_movie_zooms_into_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let spec = fixture(dir.path());
    let frames = dir.path().join("frames");
    let out = amrcast(&[
        "movie",
        &spec,
        "--zoom-in",
        "4",
        "--count",
        "3",
        "--size",
        "64x48",
        "--values",
        "--interpolation",
        "nearest",
        "-o",
        frames.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = read_npy(&frames.join("frame_00000.npy"), (64, 48));
    assert_pixels(&first.0, &first.1, (0.0, 0.75, 1.0 / 64.0));
    let last = read_npy(&frames.join("frame_00002.npy"), (64, 48));
    assert_pixels(&last.0, &last.1, (0.375, 0.46875, 0.25 / 64.0));
}
