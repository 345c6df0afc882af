//! Properties of the GPU renderer that must hold on any adapter: correct level choice without
//! seams, exact line integrals, front-to-back compositing, step and distance independence,
//! orientation, and bad values.

mod common;
use amrcast::camera::{Camera, Lens, View};
use amrcast::gpu::{render_image, VolumeRenderer};
use amrcast::render::{FloatImage, Interpolation, Mode, RenderSettings};
use amrcast::transfer::{Colormap, Scale, TransferFunction};
use common::*;
use glam::DVec3;

fn linear(p: DVec3) -> f32 {
    (1.0 + p.x + 2.0 * p.y + 3.0 * p.z) as f32
}

fn render(
    ds: &amrcast::amr::AmrDataset,
    settings: &RenderSettings,
    cam: &Camera,
    n: u32,
) -> FloatImage {
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, ds, settings).unwrap();
    render_image(ctx, &r, &cam.ray_model(n, n).unwrap(), n, n).unwrap()
}

/// Three levels; level-1 grids touch each other and the domain faces.
fn multilevel() -> amrcast::amr::AmrHierarchy {
    hierarchy(
        [16, 16, 16],
        &[
            (1, [0.0, 0.25, 0.25], [0.5, 0.75, 0.75]),
            (1, [0.5, 0.25, 0.25], [1.0, 0.5, 0.75]),
            (2, [0.25, 0.375, 0.375], [0.5, 0.625, 0.5]),
            (2, [0.5, 0.25, 0.5], [0.625, 0.5, 0.75]),
        ],
    )
}

#[test]
fn linear_field_renders_like_a_uniform_grid_and_integrates_exactly() {
    let amr = dataset(multilevel(), linear);
    let uniform = dataset(hierarchy([64, 64, 64], &[]), linear);
    let n = 64;
    for view in [View::Z, View::X] {
        let mut cam = Camera::framing(view, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        cam.position += DVec3::new(0.013, -0.021, 0.017); // rays off the cell centres
        cam.position = cam.focus + (cam.position - cam.focus);
        let a = render(&amr, &projection(), &cam, n);
        let u = render(&uniform, &projection(), &cam, n);
        let (f, r, up) = cam.basis().unwrap();
        let mut worst = 0.0f64;
        for y in 0..n {
            for x in 0..n {
                let (o, _) = cam
                    .ray_model(n, n)
                    .unwrap()
                    .ray(x as f64 + 0.5, y as f64 + 0.5);
                // Away from the side faces, where constant extrapolation differs from linear.
                let side = [
                    (o.dot(r) - cam.focus.dot(r)),
                    (o.dot(up) - cam.focus.dot(up)),
                ];
                if side.iter().any(|s| s.abs() > 0.5 - 1.0 / 16.0) {
                    continue;
                }
                // Analytic integral of the linear field along the ray through the unit cube.
                let (t0, t1) =
                    amrcast::camera::intersect_box(o, f, DVec3::ZERO, DVec3::ONE).unwrap();
                let mid = o + f * (0.5 * (t0 + t1));
                let exact = linear(mid) as f64 * (t1 - t0);
                let i = (y * n + x) as usize;
                let (ga, gu) = (a.pixels[i][0] as f64, u.pixels[i][0] as f64);
                worst = worst.max(((ga - exact) / exact).abs());
                assert!(
                    ((ga - exact) / exact).abs() < 1e-3,
                    "{view:?} ({x},{y}): AMR {ga} vs exact {exact}"
                );
                assert!(
                    ((ga - gu) / exact).abs() < 1e-3,
                    "{view:?} ({x},{y}): AMR {ga} vs uniform {gu}"
                );
            }
        }
        eprintln!("{view:?}: worst relative error of the line integral {worst:.2e}");
    }
}

#[test]
fn mip_of_a_linear_field_shows_no_seams() {
    // MIP through a field linear in x and y only, viewed along z: every pixel's value is the
    // field at that (x, y), whatever levels the ray crosses.
    let f = |p: DVec3| (2.0 + p.x + 0.5 * p.y) as f32;
    let amr = dataset(multilevel(), f);
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let settings = RenderSettings {
        mode: Mode::Mip,
        tf: TransferFunction {
            scale: Scale::Linear,
            ..Default::default()
        },
        ..Default::default()
    };
    let n = 64u32;
    let img = render(&amr, &settings, &cam, n);
    // One root cell (4 pixels) from the domain faces, where values are extrapolated.
    for y in 4..n - 4 {
        for x in 4..n - 4 {
            let p = DVec3::new(
                (x as f64 + 0.5) / n as f64,
                1.0 - (y as f64 + 0.5) / n as f64,
                0.5,
            );
            let v = img.pixels[(y * n + x) as usize];
            assert_eq!(v[1], 1.0);
            assert!(
                (v[0] - f(p)).abs() < 1e-4,
                "({x},{y}): {} vs {}",
                v[0],
                f(p)
            );
        }
    }
}

/// Two slabs across z: a dim one at z in [0.2, 0.4] and a bright one at z in [0.6, 0.8].
fn slabs(p: DVec3) -> f32 {
    if (0.2..0.4).contains(&p.z) {
        1.0
    } else if (0.6..0.8).contains(&p.z) {
        100.0
    } else {
        1e-6
    }
}

#[test]
fn the_nearer_of_two_opaque_slabs_wins_from_both_sides() {
    let ds = dataset(
        hierarchy([32, 32, 32], &[(1, [0.25, 0.25, 0.5], [0.75, 0.75, 1.0])]),
        slabs,
    );
    let settings = RenderSettings {
        mode: Mode::Composite,
        tf: TransferFunction {
            colormap: Colormap::Gray,
            bounds: Some((0.05, 200.0)),
            opacity: 1e4,
            ..Default::default()
        },
        ..Default::default()
    };
    let t = |v: f64| (v.log10() - 0.05f64.log10()) / (200f64.log10() - 0.05f64.log10());
    let (dim, bright) = (
        Colormap::Gray.eval(t(1.0))[0],
        Colormap::Gray.eval(t(100.0))[0],
    );
    for lens in [Lens::Plane, Lens::Perspective] {
        for (view, want) in [(View::Z, bright), (View::NegZ, dim)] {
            let cam = Camera::framing(view, lens, DVec3::ZERO, DVec3::ONE, 1.0);
            let img = render(&ds, &settings, &cam, 32);
            let c = img.pixels[(16 * 32 + 16) as usize];
            assert!(c[3] > 0.98, "{lens:?} {view:?}: not opaque: {c:?}");
            assert!(
                (c[0] - want).abs() < 0.03,
                "{lens:?} {view:?}: grey {} but the nearer slab is {want} (far {})",
                c[0],
                if want == dim { bright } else { dim }
            );
        }
    }
}

#[test]
fn composite_does_not_depend_on_step_or_camera_distance() {
    let ds = dataset(multilevel(), blob);
    // The opacity ramp: the default's thin layers need more than one sample per cell of this
    // coarse grid to converge (4% between 1 and 2 samples per cell).
    let settings = RenderSettings {
        tf: TransferFunction {
            opacity: 20.0,
            layers: Vec::new(),
            ..Default::default()
        },
        ..Default::default()
    };
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let base = render(&ds, &settings, &cam, 64);
    let mean = mean_abs_diff(&base.pixels, &vec![[0.0; 4]; base.pixels.len()], 4);
    assert!(
        mean > 0.02,
        "the test image is too faint to mean anything: {mean}"
    );
    let spc = |n: f64| {
        render(
            &ds,
            &RenderSettings {
                samples_per_cell: n,
                ..settings.clone()
            },
            &cam,
            64,
        )
    };
    let (half, quarter) = (spc(2.0), spc(4.0));
    let step_err = mean_abs_diff(&base.pixels, &half.pixels, 4);
    let step_err2 = mean_abs_diff(&half.pixels, &quarter.pixels, 4);
    eprintln!("step errors {step_err:.3e} {step_err2:.3e} mean {mean:.3e}");
    assert!(
        step_err < 0.02 * mean,
        "step 1 vs 1/2 cell: {step_err} (mean {mean})"
    );
    assert!(
        step_err2 < 0.6 * step_err,
        "halving the step again converges: {step_err2} vs {step_err}"
    );
    let mut far = cam;
    far.position = cam.focus + (cam.position - cam.focus) * 10.0;
    let moved = render(&ds, &settings, &far, 64);
    let dist_err = mean_abs_diff(&base.pixels, &moved.pixels, 4);
    assert!(
        dist_err < 1e-4 * mean.max(1.0),
        "camera 10x further: {dist_err}"
    );
    eprintln!("mean {mean:.3e}, step error {step_err:.3e}, distance error {dist_err:.3e}");
}

#[test]
fn views_put_an_off_centre_blob_where_yt_does() {
    let c = DVec3::new(0.8, 0.3, 0.6);
    let ds = dataset(hierarchy([32, 32, 32], &[]), |p| {
        (1e-3 + (-(p - c).length_squared() / 0.002).exp()) as f32
    });
    let settings = RenderSettings {
        mode: Mode::Mip,
        ..Default::default()
    };
    // Expected (right, up) offsets from the image centre, in domain units.
    let o = c - DVec3::splat(0.5);
    for (view, want) in [
        (View::Z, (o.x, o.y)),
        (View::X, (o.y, o.z)),
        (View::Y, (o.z, o.x)),
        (View::NegZ, (-o.x, o.y)),
        (View::NegX, (-o.y, o.z)),
        (View::NegY, (-o.z, o.x)),
    ] {
        let cam = Camera::framing(view, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        let n = 64;
        let img = render(&ds, &settings, &cam, n);
        let (i, _) = img
            .pixels
            .iter()
            .enumerate()
            .max_by(|a, b| a.1[0].total_cmp(&b.1[0]))
            .unwrap();
        let (x, y) = ((i % n as usize) as f64 + 0.5, (i / n as usize) as f64 + 0.5);
        let got = (
            (x / n as f64 - 0.5) * cam.width,
            (0.5 - y / n as f64) * cam.width,
        );
        assert!(
            (got.0 - want.0).abs() < 0.03 && (got.1 - want.1).abs() < 0.03,
            "{view:?}: blob at {got:?}, expected {want:?}"
        );
    }
}

#[test]
fn nan_and_infinite_values_are_transparent_and_reported() {
    let ds = dataset(hierarchy([32, 32, 32], &[]), |p| {
        if (0.4..0.6).contains(&p.z) && p.x < 0.5 {
            f32::NAN
        } else if p.z > 0.9 && p.x < 0.5 {
            f32::INFINITY
        } else {
            1.0
        }
    });
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, &ds, &projection()).unwrap();
    let warnings = r.prepared.warnings("f");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("NaN or infinite") && w.contains("transparent")),
        "{warnings:?}"
    );
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let img = render_image(ctx, &r, &cam.ray_model(32, 32).unwrap(), 32, 32).unwrap();
    assert!(img.pixels.iter().all(|p| p.iter().all(|c| c.is_finite())));
    // Left half: 1 minus the missing slabs (0.2 + 0.1, give or take the one-cell fringe).
    let left = img.pixels[16 * 32 + 8][0];
    let right = img.pixels[16 * 32 + 24][0];
    assert!((right - 1.0).abs() < 1e-3, "{right}");
    assert!(left > 0.7 - 3.0 / 32.0 && left < 0.7 + 1e-3, "{left}");
    // Composite: no NaN leaks into the image.
    let comp = render(
        &ds,
        &RenderSettings {
            tf: TransferFunction {
                scale: Scale::Linear,
                bounds: Some((0.0, 2.0)),
                ..Default::default()
            },
            ..Default::default()
        },
        &cam,
        32,
    );
    assert!(comp.pixels.iter().all(|p| p.iter().all(|c| c.is_finite())));
}

#[test]
fn non_positive_values_under_log_scale() {
    let ds = dataset(hierarchy([16, 16, 16], &[]), |p| {
        if p.x < 0.25 {
            0.0
        } else if p.x < 0.5 {
            -1.0
        } else {
            10.0 * p.x as f32
        }
    });
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, &ds, &RenderSettings::default()).unwrap();
    let w = r.prepared.warnings("f");
    assert!(
        w.iter()
            .any(|w| w.contains("<= 0") && w.contains("--scale linear")),
        "{w:?}"
    );
    let (lo, hi) = r.prepared.bounds;
    assert!(
        (lo - 5.3125f32.log10()).abs() < 1e-5 && (hi - 9.6875f32.log10()).abs() < 1e-5,
        "{lo} {hi}"
    );
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let img = render_image(ctx, &r, &cam.ray_model(32, 32).unwrap(), 32, 32).unwrap();
    assert!(img.pixels.iter().all(|p| p.iter().all(|c| c.is_finite())));
    assert!(
        img.pixels[16 * 32 + 4][3] < 1e-6,
        "the non-positive region is transparent"
    );
    assert!(
        img.pixels[16 * 32 + 28][3] > 0.01,
        "the positive region is drawn"
    );
    let all_negative = dataset(hierarchy([8, 8, 8], &[]), |_| -1.0);
    let e = VolumeRenderer::new(ctx, &all_negative, &RenderSettings::default())
        .err()
        .expect("must fail");
    assert!(e.to_string().contains("--scale linear"), "{e}");
}

/// Composite rays skip samples below `opaque_from`: the table must be transparent there and
/// opaque just above it.
#[test]
fn composite_skips_only_transparent_values() {
    let ds = dataset(multilevel(), linear);
    let p = amrcast::render::Prepared::new(&ds, &RenderSettings::default()).unwrap();
    let (lo, hi) = p.bounds;
    let from = p.opaque_from();
    assert!(lo < from && from < hi, "{lo} {from} {hi}");
    let alpha = |v: f32| amrcast::transfer::lookup(&p.table, (v - lo) / (hi - lo))[3];
    for k in 0..=100 {
        let v = lo + (from - lo) * k as f32 / 100.0;
        assert_eq!(alpha(v), 0.0, "opacity at {v}");
    }
    assert!(alpha(from + 1e-3 * (hi - lo)) > 0.0);

    let clear = RenderSettings {
        tf: TransferFunction {
            opacity: 0.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let p = amrcast::render::Prepared::new(&ds, &clear).unwrap();
    assert_eq!(p.opaque_from(), f32::MAX);
}

#[test]
fn a_gpu_error_outside_a_scope_is_an_error_not_a_panic() {
    // A context of its own: the error must not reach the other tests' shared one.
    let ctx = amrcast::gpu::GpuContext::new().unwrap();
    assert!(ctx.check().is_ok());
    // Mapping for reading and writing at once is invalid on every adapter.
    let _ = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("invalid"),
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::MAP_WRITE,
        mapped_at_creation: false,
    });
    let err = ctx.wait().unwrap_err().to_string();
    assert!(
        err.contains("create_buffer") && err.contains("MAP") && !err.contains('\n'),
        "{err}"
    );
    // Taken once: the next check is clean again.
    assert!(ctx.check().is_ok());
}

/// A value per cell that differs from its neighbours' (and is positive, for the log scale).
fn distinct(p: DVec3) -> f32 {
    (1.0 + (p.x * 97.13 + p.y * 179.71 + p.z * 311.37).sin().abs()) as f32
}

/// Nearest-cell sampling draws each finest cell as a constant: on an on-axis plane lens, MIP
/// takes only values stored in the data (exactly), and every pixel whose centre lies in the
/// same column of finest cells has the same line integral. With linear sampling MIP does not.
#[test]
fn nearest_sampling_is_piecewise_constant() {
    let h = multilevel();
    let finest = h.level_dims(2);
    let ds = dataset(h, distinct);
    let stored: std::collections::HashSet<u32> = ds
        .field
        .data
        .iter()
        .flat_map(|d| d.iter())
        .map(|v| v.to_bits())
        .collect();
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let n = 128;
    let rays = cam.ray_model(n, n).unwrap();
    // The finest-level column of each pixel's centre, None when it is within a hair of a face.
    let column = |x: u32, y: u32| {
        let (o, _) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
        let c = [o.x * finest[0] as f64, o.y * finest[1] as f64];
        let clear = c.iter().all(|v| (v - v.round()).abs() > 1e-3 && *v > 0.0);
        clear.then(|| (c[0].floor() as i64, c[1].floor() as i64))
    };
    let look = TransferFunction {
        scale: Scale::Linear,
        ..Default::default()
    };
    for interpolation in [Interpolation::Nearest, Interpolation::Linear] {
        let mip = RenderSettings {
            mode: Mode::Mip,
            tf: look.clone(),
            interpolation,
            ..Default::default()
        };
        let img = render(&ds, &mip, &cam, n);
        let (_, values) = img.values(Scale::Linear);
        let foreign = values
            .iter()
            .filter(|v| !v.is_nan() && !stored.contains(&v.to_bits()))
            .count();
        assert!(values.iter().all(|v| !v.is_nan()));
        match interpolation {
            Interpolation::Nearest => assert_eq!(foreign, 0, "MIP values not in the data"),
            Interpolation::Linear => assert!(foreign > values.len() / 2, "{foreign}"),
        }
    }
    let proj = RenderSettings {
        interpolation: Interpolation::Nearest,
        ..projection()
    };
    let img = render(&ds, &proj, &cam, n);
    let mut seen: std::collections::HashMap<(i64, i64), f32> = Default::default();
    let mut checked = 0;
    for y in 0..n {
        for x in 0..n {
            let Some(key) = column(x, y) else { continue };
            let v = img.pixels[(y * n + x) as usize][0];
            let first = *seen.entry(key).or_insert(v);
            assert!(
                (v - first).abs() <= 1e-6 * first.abs(),
                "pixel {x},{y} in column {key:?}: {v} vs {first}"
            );
            checked += 1;
        }
    }
    assert!(checked > (n * n) as usize / 2, "{checked}");
    assert!(seen.len() > 1000, "{} columns", seen.len());
}
