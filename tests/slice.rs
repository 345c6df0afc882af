//! Slices: values against analytic fields, exact finest cells with nearest sampling,
//! orientation per axis, oblique planes, and bad input (library and `amrcast slice`).

mod common;

use amrcast::amr::AmrDataset;
use amrcast::render::Interpolation;
use amrcast::slice::{slice, Axis, PlaneSpec, SliceImage, SliceRequest};
use glam::DVec3;
use std::path::Path;
use std::process::{Command, Output};

/// A three-level layout on the unit cube, 8^3 root cells.
fn amr_layout() -> amrcast::amr::AmrHierarchy {
    common::hierarchy(
        [8, 8, 8],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.625]),
            (1, [0.0, 0.75, 0.0], [0.25, 1.0, 0.5]),
            (2, [0.375, 0.4375, 0.375], [0.5625, 0.625, 0.5]),
        ],
    )
}

fn linear(p: DVec3) -> f32 {
    (1.0 + p.x + 10.0 * p.y + 100.0 * p.z) as f32
}

fn axis_slice(
    ds: &AmrDataset,
    axis: Axis,
    coord: f64,
    width: Option<f64>,
    size: (u32, u32),
    interpolation: Interpolation,
) -> SliceImage {
    let request = SliceRequest {
        plane: PlaneSpec::Axis {
            axis,
            coord,
            center: None,
        },
        width,
        size,
        interpolation,
    };
    slice(ds, &request).unwrap()
}

#[test]
fn linear_slices_reproduce_a_linear_field_at_pixel_centres() {
    let ds = common::dataset(amr_layout(), linear);
    // Away from the domain faces (half a root cell) interpolation on any layout is exact.
    for axis in Axis::ALL.iter().copied() {
        let s = axis_slice(&ds, axis, 0.43, Some(0.75), (40, 30), Interpolation::Linear);
        assert_eq!(s.values.len(), 40 * 30);
        assert!((s.frame.pixel - 0.75 / 40.0).abs() < 1e-15);
        for j in 0..30 {
            for i in 0..40 {
                let p = s.frame.pixel_point(i, j);
                assert!((p[axis.index()] - 0.43).abs() < 1e-15);
                let v = s.values[(j * 40 + i) as usize];
                assert!(
                    (v - linear(p)).abs() < 2e-4,
                    "{axis} {i},{j}: {v} vs {}",
                    linear(p)
                );
            }
        }
    }
}

/// The finest cell containing `p`, found by walking every grid (independent of the index).
fn finest_cell_value(ds: &AmrDataset, p: DVec3) -> f32 {
    let h = &ds.hierarchy;
    let n = (0..h.grids.len())
        .filter(|&n| h.grids[n].contains(p))
        .max_by_key(|&n| h.grids[n].level)
        .expect("point outside the domain");
    let g = &h.grids[n];
    let ijk = ((p - g.left) / g.cell_size()).floor();
    ds.grid_value(n, ijk.x as usize, ijk.y as usize, ijk.z as usize)
}

#[test]
fn nearest_slices_give_exactly_the_finest_cells_value() {
    // A field that differs between levels, so a coarse cell's value would show.
    let ds = common::dataset(amr_layout(), |p| {
        common::blob(p) + (13.0 * p.x + 7.0 * p.y * p.z).sin() as f32
    });
    let planes = [
        PlaneSpec::Axis {
            axis: Axis::Z,
            coord: 0.4321,
            center: None,
        },
        PlaneSpec::Axis {
            axis: Axis::X,
            coord: 0.4567,
            center: None,
        },
        PlaneSpec::Oblique {
            normal: DVec3::new(0.3, -0.5, 1.0),
            center: DVec3::new(0.47, 0.52, 0.44),
            up: None,
        },
    ];
    let mut fine = 0;
    for plane in planes {
        let request = SliceRequest {
            plane,
            width: Some(0.9),
            size: (61, 47),
            interpolation: Interpolation::Nearest,
        };
        let s = slice(&ds, &request).unwrap();
        for j in 0..47 {
            for i in 0..61 {
                let p = s.frame.pixel_point(i, j);
                let v = s.values[(j * 61 + i) as usize];
                assert_eq!(
                    v.to_bits(),
                    finest_cell_value(&ds, p).to_bits(),
                    "{plane:?} {p}"
                );
                fine += (ds.hierarchy.finest_level_at(p) == 2) as usize;
            }
        }
    }
    assert!(fine > 50, "only {fine} pixels on level 2");
}

#[test]
fn each_axis_is_oriented_as_yt_shows_it() {
    let ds = common::dataset(common::hierarchy([16, 16, 16], &[]), linear);
    // (axis, d value / d column, d value / d row): right and up per yt, row 0 at the top.
    let px = 0.5 / 20.0;
    for (axis, per_column, per_row) in [
        (Axis::Z, 1.0, -10.0),
        (Axis::X, 10.0, -100.0),
        (Axis::Y, 100.0, -1.0),
    ] {
        let s = axis_slice(&ds, axis, 0.5, Some(0.5), (20, 20), Interpolation::Linear);
        let v = |i: usize, j: usize| s.values[j * 20 + i] as f64;
        let (dc, dr) = (v(11, 7) - v(10, 7), v(10, 8) - v(10, 7));
        assert!((dc - per_column * px).abs() < 1e-3, "{axis}: {dc}");
        assert!((dr - per_row * px).abs() < 1e-3, "{axis}: {dr}");
        // The centre of the image is the domain's centre.
        let centre = (v(9, 9) + v(10, 10)) / 2.0;
        assert!((centre - linear(DVec3::splat(0.5)) as f64).abs() < 1e-3);
    }
}

#[test]
fn an_oblique_plane_along_an_axis_is_that_axis_slice() {
    let ds = common::dataset(amr_layout(), |p| common::blob(p) + p.x as f32);
    for axis in Axis::ALL.iter().copied() {
        for interpolation in [Interpolation::Nearest, Interpolation::Linear] {
            let a = axis_slice(&ds, axis, 0.47, None, (33, 21), interpolation);
            let mut center = DVec3::splat(0.5);
            center[axis.index()] = 0.47;
            let request = SliceRequest {
                plane: PlaneSpec::Oblique {
                    normal: axis.unit() * 3.0,
                    center,
                    up: None,
                },
                width: None,
                size: (33, 21),
                interpolation,
            };
            let b = slice(&ds, &request).unwrap();
            assert_eq!(a.frame, b.frame, "{axis} {interpolation}");
            let bits = |s: &SliceImage| s.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "{axis} {interpolation}");
            assert!(a.values.iter().any(|v| v.is_nan()) && a.values.iter().any(|v| *v > 1.0));
        }
    }
}

#[test]
fn an_axis_slice_centred_anywhere_shows_that_region() {
    let ds = common::dataset(amr_layout(), linear);
    // The axis component of --center is not used: the plane is at coord.
    let center = DVec3::new(0.2, 0.7, 0.9);
    for axis in Axis::ALL.iter().copied() {
        let a = axis.index();
        let request = SliceRequest {
            plane: PlaneSpec::Axis {
                axis,
                coord: 0.43,
                center: Some(center),
            },
            width: Some(0.2),
            size: (20, 16),
            interpolation: Interpolation::Nearest,
        };
        let s = slice(&ds, &request).unwrap();
        let mut expect = center;
        expect[a] = 0.43;
        assert_eq!(s.frame.plane.center, expect, "{axis}");
        // The image's middle is the centre; its corners 0.1 and 0.08 from it.
        let mid = (s.frame.pixel_point(9, 7) + s.frame.pixel_point(10, 8)) * 0.5;
        assert!((mid - expect).length() < 1e-12, "{axis}: {mid}");
        let (r, u) = axis.image_axes();
        let corner = s.frame.pixel_point(0, 0);
        assert!((corner[r.index()] - (expect[r.index()] - 0.095)).abs() < 1e-12);
        assert!((corner[u.index()] - (expect[u.index()] + 0.075)).abs() < 1e-12);
        // The same pixels as the oblique plane through that centre along the axis.
        let oblique = SliceRequest {
            plane: PlaneSpec::Oblique {
                normal: axis.unit(),
                center: expect,
                up: None,
            },
            ..request
        };
        let o = slice(&ds, &oblique).unwrap();
        assert_eq!(o.frame, s.frame, "{axis}");
        let bits = |s: &SliceImage| s.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&o), bits(&s), "{axis}");
        assert!(s.values.iter().all(|v| v.is_finite()));
    }
    // A centre outside the domain, even in the unused component, is an error.
    for c in [DVec3::new(1.2, 0.5, 0.5), DVec3::new(0.5, 0.5, -0.1)] {
        let request = SliceRequest {
            plane: PlaneSpec::Axis {
                axis: Axis::Z,
                coord: 0.5,
                center: Some(c),
            },
            width: Some(0.2),
            size: (8, 8),
            interpolation: Interpolation::Linear,
        };
        let e = slice(&ds, &request).unwrap_err().to_string();
        assert!(e.contains("is outside the domain 0,0,0 to 1,1,1"), "{e}");
    }
}

#[test]
fn an_oblique_slice_samples_its_plane() {
    let ds = common::dataset(amr_layout(), linear);
    let normal = DVec3::new(1.0, 1.0, 1.0);
    let request = SliceRequest {
        plane: PlaneSpec::Oblique {
            normal,
            center: DVec3::splat(0.5),
            up: Some(DVec3::Z),
        },
        width: Some(0.5),
        size: (24, 24),
        interpolation: Interpolation::Linear,
    };
    let s = slice(&ds, &request).unwrap();
    let plane = s.frame.plane;
    // Up is z made perpendicular to the normal; right x up = normal.
    assert!(plane.up.z > 0.8 && plane.right.cross(plane.up).dot(normal) > 0.0);
    for j in 0..24 {
        for i in 0..24 {
            let p = s.frame.pixel_point(i, j);
            assert!((p - DVec3::splat(0.5)).dot(normal).abs() < 1e-12);
            let v = s.values[(j * 24 + i) as usize];
            assert!((v - linear(p)).abs() < 2e-4, "{p}: {v}");
        }
    }
    // The top row is higher in z than the bottom one.
    assert!(s.frame.pixel_point(5, 0).z > s.frame.pixel_point(5, 23).z);
}

#[test]
fn the_default_width_shows_the_domain_and_outside_is_missing() {
    let ds = common::dataset(amr_layout(), linear);
    let s = axis_slice(&ds, Axis::Z, 0.3, None, (16, 8), Interpolation::Nearest);
    // 16x8 over a unit square: pixels of 1/8, the domain in the middle 8 columns.
    assert!((s.frame.pixel - 0.125).abs() < 1e-15);
    for j in 0..8 {
        for i in 0..16 {
            let v = s.values[j * 16 + i];
            assert_eq!(v.is_nan(), !(4..12).contains(&i), "{i},{j}: {v}");
        }
    }
    let wide = axis_slice(
        &ds,
        Axis::Y,
        0.3,
        Some(3.0),
        (30, 30),
        Interpolation::Linear,
    );
    let nan = wide.values.iter().filter(|v| v.is_nan()).count();
    assert_eq!(nan, 30 * 30 - 10 * 10);
}

#[test]
fn bad_planes_are_clear_errors() {
    let ds = common::dataset(amr_layout(), linear);
    let request = |plane, width| SliceRequest {
        plane,
        width,
        size: (8, 8),
        interpolation: Interpolation::Linear,
    };
    let cases = [
        (
            request(
                PlaneSpec::Axis {
                    axis: Axis::Y,
                    coord: 1.5,
                    center: None,
                },
                None,
            ),
            "slice coordinate y = 1.5 is outside the domain, which spans 0 to 1 along y",
        ),
        (
            request(
                PlaneSpec::Oblique {
                    normal: DVec3::ZERO,
                    center: DVec3::splat(0.5),
                    up: None,
                },
                None,
            ),
            "slice normal 0,0,0 has no direction",
        ),
        (
            request(
                PlaneSpec::Oblique {
                    normal: DVec3::X,
                    center: DVec3::new(0.5, -0.1, 0.5),
                    up: None,
                },
                None,
            ),
            "slice centre 0.5,-0.1,0.5 is outside the domain",
        ),
        (
            request(
                PlaneSpec::Oblique {
                    normal: DVec3::X,
                    center: DVec3::splat(0.5),
                    up: Some(DVec3::new(-2.0, 0.0, 0.0)),
                },
                None,
            ),
            "is zero or along the normal",
        ),
        (
            request(
                PlaneSpec::Axis {
                    axis: Axis::X,
                    coord: 0.5,
                    center: None,
                },
                Some(0.0),
            ),
            "slice width 0 must be a positive length",
        ),
    ];
    for (request, message) in cases {
        let e = slice(&ds, &request).unwrap_err().to_string();
        assert!(e.contains(message), "{e}");
    }
}

fn amrcast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .output()
        .unwrap()
}

fn read_npy(path: &Path) -> (Vec<u64>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = npy.shape().to_vec();
    (shape, npy.into_vec::<f32>().unwrap())
}

const SYNTHETIC: &str = "tests/data/enzo_h5py_sb0/DD0003";

#[test]
fn the_command_writes_oriented_values_and_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let (png, npy) = (dir.path().join("s.png"), dir.path().join("s.npy"));
    let o = amrcast(&[
        "slice",
        SYNTHETIC,
        "--axis",
        "x",
        "--coord",
        "0.45",
        "--width",
        "2",
        "--size",
        "32x16",
        "--interpolation",
        "nearest",
        "--scale",
        "linear",
        "--values",
        npy.to_str().unwrap(),
        "-o",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (shape, v) = read_npy(&npy);
    assert_eq!(shape, [16, 32]);
    // Pixels of 1/16: the unit domain spans columns 8..24 (y) and rows 0..16 (z, top = 1).
    let at = |i: usize, j: usize| v[j * 32 + i];
    assert!(at(7, 5).is_nan() && at(24, 5).is_nan());
    // Field 1 + x + 2y + 3z on cells of 1/8 or finer: pixel (8, 15) is y, z in (0, 1/16).
    let centre = |n: usize| (n as f32 + 0.5) / 16.0;
    for (i, j) in [(8, 15), (10, 0), (23, 7), (15, 9)] {
        let (y, z) = (centre(i - 8), 1.0 - centre(j));
        let f = 1.0 + 0.45 + 2.0 * y + 3.0 * z;
        // Nearest: the centre of a root cell (1/8) is at most 1/32 from the pixel's in y and
        // z, 0.0125 in x.
        assert!(
            (at(i, j) - f).abs() <= 0.0125 + 5.0 / 32.0 + 1e-5,
            "{i},{j}"
        );
    }
    assert!(at(10, 0) > at(10, 15) && at(20, 7) > at(9, 7));
    let img = image::open(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (32, 16));
    assert_eq!(img.get_pixel(3, 8).0, [0, 0, 0]);
    assert_ne!(img.get_pixel(16, 8).0, [0, 0, 0]);
    // Viridis: the largest values are yellow-green, the smallest dark purple.
    let (top, bottom) = (img.get_pixel(23, 0).0, img.get_pixel(8, 15).0);
    assert!(top[0] > 150 && top[1] > 180 && top[2] < 100, "{top:?}");
    assert!(bottom[0] > bottom[1] && bottom[2] > bottom[1], "{bottom:?}");
}

/// A failure: non-zero exit, one `amrcast: error:` line naming the problem, no panic.
fn assert_clean_failure(args: &[&str], needle: &str) {
    let o = amrcast(args);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "should fail: {e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
}

/// `--axis` alone slices through the domain's middle, as yt's `SlicePlot` does.
#[test]
fn an_axis_slice_defaults_to_the_domain_s_middle() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], name: &str| -> image::RgbaImage {
        let png = dir.path().join(name);
        let mut args = vec![
            "slice",
            SYNTHETIC,
            "--axis",
            "y",
            "-o",
            png.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_amrcast"))
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        image::open(&png).unwrap().to_rgba8()
    };
    let (a, b) = (run(&[], "a.png"), run(&["--coord", "0.5"], "b.png"));
    assert_eq!(a.dimensions(), b.dimensions());
    let worst = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| x.abs_diff(*y))
        .max();
    assert_eq!(worst, Some(0));
}

#[test]
fn the_command_rejects_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("s.png");
    let out = png.to_str().unwrap();
    let base = ["slice", SYNTHETIC, "-o", out];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    assert_clean_failure(
        &with(&["--axis", "z", "--coord", "2"]),
        "slice coordinate z = 2 is outside the domain",
    );
    assert_clean_failure(
        &with(&["--normal", "0,0,0", "--center", "0.5,0.5,0.5"]),
        "slice normal 0,0,0 has no direction",
    );
    assert_clean_failure(
        &with(&["--axis", "z", "--coord", "0.5", "--field", "Pressure"]),
        "unknown field 'Pressure'",
    );
    assert_clean_failure(
        &with(&["--axis", "z", "--center", "0.5,1.5,0.5", "--width", "0.2"]),
        "slice centre 0.5,1.5,0.5 is outside the domain 0,0,0 to 1,1,1",
    );
    assert_clean_failure(
        &with(&["--center", "0.5,0.5,0.5"]),
        "--center needs --axis or --normal",
    );
    assert_clean_failure(
        &with(&["--axis", "z", "--coord", "0.5", "--normal", "0,0,1"]),
        "not both",
    );
    assert_clean_failure(&with(&[]), "no slice plane");
    assert_clean_failure(
        &with(&["--axis", "w", "--coord", "0.5"]),
        "unknown axis 'w'",
    );
    assert!(!png.exists());
}
