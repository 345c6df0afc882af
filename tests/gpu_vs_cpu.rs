//! The GPU ray caster against the CPU reference (an independent walk through the AMR model).

mod common;
use amrcast::amr::AmrDataset;
use amrcast::camera::{Camera, Lens, View};
use amrcast::gpu::{render_image, VolumeRenderer};
use amrcast::reference;
use amrcast::render::{FloatImage, Interpolation, Mode, RenderSettings};
use amrcast::transfer::TransferFunction;
use common::*;
use glam::DVec3;

/// Mean absolute error between the images and the mean magnitude of the reference, over the
/// channels that carry the mode's value (for MIP: the decoded maximum where both have one).
fn compare(
    g: &FloatImage,
    c: &FloatImage,
    mode: Mode,
    encoding: amrcast::transfer::Scale,
) -> (f64, f64) {
    match mode {
        Mode::Composite => (
            mean_abs_diff(&g.pixels, &c.pixels, 4),
            mean_abs_diff(&c.pixels, &vec![[0.0; 4]; c.pixels.len()], 4),
        ),
        Mode::Projection => (
            mean_abs_diff(&g.pixels, &c.pixels, 1),
            mean_abs_diff(&c.pixels, &vec![[0.0; 4]; c.pixels.len()], 1),
        ),
        Mode::Mip => {
            let (_, gv) = g.values(encoding);
            let (_, cv) = c.values(encoding);
            let (mut err, mut mag, mut n) = (0.0, 0.0, 0);
            for (a, b) in gv.iter().zip(&cv) {
                assert_eq!(
                    a.is_nan(),
                    b.is_nan(),
                    "GPU and CPU disagree on which rays hit data"
                );
                if !b.is_nan() {
                    err += (a - b).abs() as f64;
                    mag += b.abs() as f64;
                    n += 1;
                }
            }
            assert!(n > 0);
            (err / n as f64, mag / n as f64)
        }
    }
}

fn check(ds: &AmrDataset, n: u32, tf: TransferFunction, tolerance: f64) {
    check_with(ds, n, tf, tolerance, Interpolation::Linear);
}

fn check_with(
    ds: &AmrDataset,
    n: u32,
    tf: TransferFunction,
    tolerance: f64,
    interpolation: Interpolation,
) {
    let h = &ds.hierarchy;
    for lens in [Lens::Plane, Lens::Perspective] {
        let mut cam = Camera::framing(View::Z, lens, h.domain_left, h.domain_right, 1.0);
        cam.position =
            cam.focus + (cam.position - cam.focus).length() * DVec3::new(0.3, 0.4, 1.0).normalize();
        check_camera(ds, &cam, n, tf.clone(), tolerance, interpolation);
    }
}

fn check_camera(
    ds: &AmrDataset,
    cam: &Camera,
    n: u32,
    tf: TransferFunction,
    tolerance: f64,
    interpolation: Interpolation,
) {
    let ctx = gpu();
    let lens = cam.lens;
    for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
        {
            let settings = RenderSettings {
                mode,
                tf: tf.clone(),
                interpolation,
                // Point samples of a piecewise-constant field pick a cell by where they fall:
                // the GPU's steps restart at every kd-tree leaf, the reference's at every grid,
                // so one sample per cell may pick neighbouring cells; finer steps converge.
                samples_per_cell: match interpolation {
                    Interpolation::Linear => 1.0,
                    Interpolation::Nearest => 4.0,
                },
                // As by default: the reference samples at the same per-pixel offsets.
                jitter: true,
            };
            let r = VolumeRenderer::new(ctx, ds, &settings).unwrap();
            let rays = cam.ray_model(n, n).unwrap();
            let g = render_image(ctx, &r, &rays, n, n).unwrap();
            let c = reference::render(ds, &rays, n, n, &r.prepared);
            let (err, mag) = compare(&g, &c, mode, r.prepared.encoding);
            eprintln!(
                "{mode:?} {lens:?} {interpolation:?}: mean error {err:.3e}, mean value {mag:.3e}"
            );
            assert!(mag > 0.0);
            assert!(
                err < tolerance * mag,
                "{mode:?} {lens:?}: mean error {err} vs mean {mag}"
            );
        }
    }
}

fn blob_dataset() -> AmrDataset {
    let h = hierarchy(
        [16, 16, 16],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]),
            (2, [0.375, 0.375, 0.375], [0.625, 0.625, 0.625]),
        ],
    );
    dataset(h, blob)
}

/// The opacity ramp, ten times as opaque: rays end inside the blob. (The default's thin layers
/// are checked on the demo; on this 16^3 blob at one sample per cell they pick up the
/// difference between the GPU's steps, which restart at every kd-tree leaf, and the
/// reference's, which restart at every grid.)
fn opaque_tf() -> TransferFunction {
    TransferFunction {
        opacity: 10.0,
        layers: Vec::new(),
        ..Default::default()
    }
}

/// Refined by 4 and then by 2 (as Chombo and AMReX runs often are): bricks, tree and steps
/// follow each level's own ratio.
fn mixed_ratio_dataset() -> AmrDataset {
    let h = hierarchy_with_ratios(
        [16, 16, 16],
        &[4, 2],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]),
            (2, [0.375, 0.375, 0.4375], [0.625, 0.5625, 0.625]),
        ],
    );
    assert_eq!(h.refinement_ratios(), vec![4, 2]);
    assert_eq!(h.cell_size(2), DVec3::splat(1.0 / 128.0));
    dataset(h, blob)
}

#[test]
fn mixed_ratios_match_reference_in_every_mode_and_lens() {
    check(&mixed_ratio_dataset(), 48, opaque_tf(), 0.01);
}

#[test]
fn blob_matches_reference_in_every_mode_and_lens() {
    check(&blob_dataset(), 48, opaque_tf(), 0.01);
}

/// Every ray of a perspective camera starts at its position: with the camera exactly on grid
/// faces (the kd-tree's split planes), each ray must still go into the child it moves into.
#[test]
fn perspective_camera_on_split_planes_matches_reference() {
    let ds = blob_dataset();
    let mut cam = Camera::framing(View::Z, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.0);
    for (x, y) in [(0.375, 0.625), (0.25, 0.75), (0.625, 0.375)] {
        cam.focus = DVec3::new(x, y, 0.5);
        cam.position = DVec3::new(x, y, 2.5);
        check_camera(&ds, &cam, 48, opaque_tf(), 0.01, Interpolation::Linear);
    }
}

#[test]
fn demo_matches_reference_at_64x64() {
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    check(&ds, 64, TransferFunction::default(), 0.01);
}

#[test]
fn blob_matches_reference_with_nearest_sampling() {
    check_with(
        &blob_dataset(),
        48,
        opaque_tf(),
        0.01,
        Interpolation::Nearest,
    );
}

#[test]
fn demo_matches_reference_with_nearest_sampling() {
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    check_with(
        &ds,
        64,
        TransferFunction::default(),
        0.01,
        Interpolation::Nearest,
    );
}
