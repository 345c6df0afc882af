//! Jittered sampling: the GPU's per-pixel offsets are the CPU's ([`amrcast::jitter::offset`]),
//! depend on the pixel's place in the image only (a part rendered alone keeps them), keep nearest-cell projections exact,
//! and remove the banding of close-up views.

mod common;
use amrcast::amr::AmrDataset;
use amrcast::camera::{Camera, Lens, RayModel};
use amrcast::gpu::{render_image, OffscreenTarget, RenderTarget, VolumeRenderer};
use amrcast::render::{FloatImage, Interpolation, Mode, RenderSettings};
use amrcast::transfer::{Layer, Scale, TransferFunction};
use common::*;
use glam::DVec3;

fn render(
    ds: &AmrDataset,
    settings: &RenderSettings,
    rays: &RayModel,
    w: u32,
    h: u32,
) -> FloatImage {
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, ds, settings).unwrap();
    render_image(ctx, &r, rays, w, h).unwrap()
}

/// Holds the tests of this file to one at a time: wgpu's GL backend failed to create
/// resources while these tests ran in parallel on llvmpipe.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pinhole at `position` looking at `focus`.
fn pinhole(position: DVec3, focus: DVec3, fov: f64) -> Camera {
    Camera {
        position,
        focus,
        up: DVec3::Y,
        lens: Lens::Perspective,
        width: 1.0,
        fov,
    }
}

/// MIP of `1 + z` seen from inside the domain looking down z: the maximum is the ray's first
/// sample, at `j * ds` from the camera, so each pixel's offset `j` can be read back from the
/// image. One 16^3 grid is one brick and one leaf, so the GPU's step is the CPU's.
fn offsets_read_back(jitter: bool, n: u32) -> Vec<f64> {
    let ds = dataset(hierarchy([16, 16, 16], &[]), |p| (1.0 + p.z) as f32);
    let settings = RenderSettings {
        mode: Mode::Mip,
        tf: TransferFunction {
            scale: Scale::Linear,
            ..Default::default()
        },
        jitter,
        ..Default::default()
    };
    let (z0, cell) = (0.7, 1.0 / 16.0);
    let cam = pinhole(DVec3::new(0.5, 0.5, z0), DVec3::new(0.5, 0.5, 0.0), 40.0);
    let rays = cam.ray_model(n, n).unwrap();
    let img = render(&ds, &settings, &rays, n, n);
    let mut offsets = Vec::new();
    for y in 0..n {
        for x in 0..n {
            let (o, d) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
            let (_, exit) = amrcast::camera::intersect_box(o, d, DVec3::ZERO, DVec3::ONE).unwrap();
            let step = exit / (exit / cell).ceil();
            let v = img.pixels[(y * n + x) as usize][0] as f64;
            offsets.push((1.0 + z0 - v) / (-d.z * step));
        }
    }
    offsets
}

#[test]
fn the_gpu_samples_at_the_offsets_of_the_cpu() {
    let _serial = one_at_a_time();
    let n = 32;
    let on = offsets_read_back(true, n);
    let bin = 1.0 / (1u32 << amrcast::jitter::JITTER_BITS) as f64;
    for y in 0..n {
        for x in 0..n {
            let got = on[(y * n + x) as usize];
            let want = amrcast::jitter::offset(x, y) as f64;
            assert!(
                (got - want).abs() < 0.25 * bin,
                "pixel ({x},{y}): the GPU sampled at {got} of the step, the CPU at {want}"
            );
        }
    }
    for (i, got) in offsets_read_back(false, n).iter().enumerate() {
        assert!(
            (got - 0.5).abs() < 0.25 * bin,
            "pixel {i}: {got} without jitter"
        );
    }
}

#[test]
fn a_part_rendered_alone_has_the_offsets_it_has_in_the_whole_image() {
    let _serial = one_at_a_time();
    let ds = dataset(hierarchy([32, 32, 32], &[]), blob);
    let settings = RenderSettings::default();
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
    let cam = pinhole(DVec3::new(0.9, 0.6, 1.6), DVec3::new(0.5, 0.5, 0.5), 35.0);
    let n = 48;
    let rays = cam.ray_model(n, n).unwrap();
    let whole = render_image(ctx, &r, &rays, n, n).unwrap();
    // The lower right part alone, drawn where it belongs in a target of the whole size (as the
    // viewer draws bands of rows), with the ray model of that part and its first pixel.
    let (x0, y0) = (13, 21);
    let part = RayModel {
        o0: rays.o0 + rays.ox * x0 as f64 + rays.oy * y0 as f64,
        d0: rays.d0 + rays.dx * x0 as f64 + rays.dy * y0 as f64,
        ..rays
    };
    let target = OffscreenTarget::new(ctx, n, n).unwrap();
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    let region = RenderTarget {
        view: &target.view,
        offset: [x0, y0],
        size: [n - x0, n - y0],
    };
    r.encode_part(ctx, &mut enc, &region, &part, [x0, y0], None);
    ctx.queue.submit([enc.finish()]);
    let pixels = target.read(ctx).unwrap();
    let mut worst = 0.0f32;
    for y in y0..n {
        for x in x0..n {
            let i = (y * n + x) as usize;
            for (a, b) in pixels[i].iter().zip(&whole.pixels[i]) {
                worst = worst.max((a - b).abs());
            }
        }
    }
    assert!(worst < 1e-4, "the part differs from the whole by {worst}");
    let lit = whole.pixels.iter().filter(|p| p[3] > 0.05).count();
    assert!(lit > (n * n / 4) as usize, "{lit} pixels show the blob");
}

/// Nearest-cell sampling with a whole number of samples per cell on an on-axis plane lens:
/// every cell gets the same samples, wherever in their steps they lie, so the jitter changes
/// nothing.
#[test]
fn nearest_on_axis_images_do_not_depend_on_the_jitter() {
    let _serial = one_at_a_time();
    let h = hierarchy(
        [16, 16, 16],
        &[
            (1, [0.0, 0.25, 0.25], [0.5, 0.75, 0.75]),
            (2, [0.25, 0.375, 0.375], [0.5, 0.625, 0.5]),
        ],
    );
    let ds = dataset(h, |p| {
        (1.0 + (p.x * 97.13 + p.y * 179.71 + p.z * 311.37).sin().abs()) as f32
    });
    let n = 64;
    for view in [amrcast::camera::View::Z, amrcast::camera::View::NegX] {
        let cam = Camera::framing(view, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        let rays = cam.ray_model(n, n).unwrap();
        for (mode, spc) in [
            (Mode::Composite, 1.0),
            (Mode::Composite, 3.0),
            (Mode::Mip, 2.0),
        ] {
            let settings = |jitter| RenderSettings {
                mode,
                tf: TransferFunction {
                    opacity: 5.0,
                    ..Default::default()
                },
                samples_per_cell: spc,
                interpolation: Interpolation::Nearest,
                jitter,
            };
            let on = render(&ds, &settings(true), &rays, n, n);
            let off = render(&ds, &settings(false), &rays, n, n);
            let diff = mean_abs_diff(&on.pixels, &off.pixels, 4);
            let mean = mean_abs_diff(&on.pixels, &vec![[0.0; 4]; on.pixels.len()], 4);
            assert!(mean > 0.05, "{view:?} {mode:?}: blank image ({mean})");
            assert!(
                diff < 1e-6 * mean,
                "{view:?} {mode:?} x{spc}: {diff} (mean {mean})"
            );
        }
    }
}

/// The error of `img` against `reference` averaged over blocks of `b` x `b` pixels, RMS over
/// the blocks and the colour channels: the error's energy at spatial frequencies below 1/b.
/// Bands (errors coherent over many pixels) keep theirs; the jitter's noise (independent from
/// pixel to pixel) loses a factor b of its amplitude.
fn banding(img: &FloatImage, reference: &FloatImage, b: u32) -> f64 {
    let (w, h) = (img.width, img.height);
    let mut sum = 0.0;
    let mut count = 0;
    for by in 0..h / b {
        for bx in 0..w / b {
            for c in 0..3 {
                let mut e = 0.0;
                for y in by * b..(by + 1) * b {
                    for x in bx * b..(bx + 1) * b {
                        let i = (y * w + x) as usize;
                        e += img.pixels[i][c] as f64 - reference.pixels[i][c] as f64;
                    }
                }
                sum += (e / (b * b) as f64).powi(2);
                count += 1;
            }
        }
    }
    (sum / count as f64).sqrt()
}

/// A close-up of a smooth blob on a coarse grid (32^3), from a pinhole inside the domain, one
/// sample per cell, through thin Gaussian layers: without jitter every ray samples at the same
/// depths and the layers show as bands (the "wood grain" of ray casters); with jitter the bands
/// become pixel noise. Banding is measured as the error against a render at 32 samples per cell,
/// averaged over blocks of 32 x 32 pixels.
#[test]
fn jitter_removes_the_banding_of_close_up_views() {
    let _serial = one_at_a_time();
    let ds = dataset(hierarchy([32, 32, 32], &[]), |p| {
        let r2 = (p - DVec3::new(0.5, 0.45, 0.5)).length_squared();
        (1e-2 + 10.0 * (-r2 / 0.02).exp()) as f32
    });
    let n = 512;
    let cam = pinhole(
        DVec3::new(0.55, 0.5, 0.95),
        DVec3::new(0.5, 0.45, 0.4),
        60.0,
    );
    let rays = cam.ray_model(n, n).unwrap();
    let layers = (1..=4)
        .map(|i| Layer {
            center: 0.1 + 0.2 * i as f64,
            width: 0.03,
            alpha: 0.05,
        })
        .collect();
    let tf = TransferFunction {
        layers,
        ..Default::default()
    };
    let look = |jitter, samples_per_cell| RenderSettings {
        tf: tf.clone(),
        jitter,
        samples_per_cell,
        ..Default::default()
    };
    let reference = render(&ds, &look(false, 32.0), &rays, n, n);
    let off = render(&ds, &look(false, 1.0), &rays, n, n);
    let on = render(&ds, &look(true, 1.0), &rays, n, n);
    let mean = mean_abs_diff(
        &reference.pixels,
        &vec![[0.0; 4]; reference.pixels.len()],
        3,
    );
    assert!(mean > 0.1, "the blob is too faint to show bands: {mean}");
    let (b_off, b_on) = (banding(&off, &reference, 32), banding(&on, &reference, 32));
    // Per pixel the jittered image is no closer to the reference: the error is noise instead.
    let (e_off, e_on) = (
        mean_abs_diff(&off.pixels, &reference.pixels, 3),
        mean_abs_diff(&on.pixels, &reference.pixels, 3),
    );
    eprintln!(
        "banding without jitter {b_off:.3e}, with {b_on:.3e} ({:.1}x); per-pixel error {e_off:.3e} and {e_on:.3e}; mean {mean:.3e}",
        b_off / b_on
    );
    assert!(b_off > 0.02 * mean, "no bands to remove: {b_off:.3e}");
    assert!(
        b_on * 10.0 < b_off,
        "banding {b_on:.3e} with jitter, {b_off:.3e} without"
    );
    assert!(
        e_on < 2.0 * e_off,
        "jitter adds too much noise: {e_on:.3e} vs {e_off:.3e}"
    );
}
