//! Data larger than the GPU budget: a renderer whose brick pool holds a small share of the
//! bricks renders in passes, loading and evicting bricks, and makes the same image as one
//! that holds them all, in every mode, both lenses and stereo.

mod common;
use amrcast::amr::{AmrDataset, FieldSource, LazyField};
use amrcast::camera::{Camera, Lens, RayModel, View};
use amrcast::gpu::{OffscreenTarget, PassReport, VolumeRenderer};
use amrcast::render::{Mode, RenderSettings};
use amrcast::stereo::{Projection, StereoRig};
use common::*;
use glam::DVec3;
use std::sync::Arc;

fn moving7() -> AmrDataset {
    let source = amrcast::formats::open(std::path::Path::new("tests/data/moving7_0010")).unwrap();
    amrcast::formats::load(source.as_ref(), Some("Density")).unwrap()
}

/// Bytes of `n` pool slots of `r`'s bricks.
fn slots_bytes(r: &VolumeRenderer, n: usize) -> u64 {
    4 * r
        .layout
        .slot_dims()
        .iter()
        .map(|&d| d as u64)
        .product::<u64>()
        * n as u64
}

fn render(r: &VolumeRenderer, rays: &RayModel, size: [u32; 2]) -> (Vec<[f32; 4]>, PassReport) {
    let ctx = gpu();
    let target = OffscreenTarget::new(ctx, size[0], size[1]).unwrap();
    let report = r
        .render_passes(ctx, &target.region(), rays, [0, 0], None)
        .unwrap();
    (target.read(ctx).unwrap(), report)
}

/// Largest difference between two images relative to the largest magnitude of `want`; a
/// value missing (MIP where a ray meets no data) must be missing in both.
fn relative_difference(got: &[[f32; 4]], want: &[[f32; 4]]) -> f64 {
    let missing = |v: f32| v <= amrcast::transfer::MISSING_BELOW;
    let pairs = || got.iter().flatten().zip(want.iter().flatten());
    assert!(pairs().all(|(a, b)| missing(*a) == missing(*b)));
    let present = || pairs().filter(|(_, b)| !missing(**b));
    let scale = present()
        .map(|(_, b)| b.abs() as f64)
        .fold(0.0, f64::max)
        .max(1e-30);
    present()
        .map(|(a, b)| (a - b).abs() as f64)
        .fold(0.0, f64::max)
        / scale
}

fn settings(mode: Mode) -> RenderSettings {
    let mut s = match mode {
        Mode::Projection => projection(),
        _ => RenderSettings::default(),
    };
    s.mode = mode;
    s
}

#[test]
fn a_budget_sixteen_times_smaller_gives_the_same_image_in_every_mode_lens_and_eye() {
    let ctx = gpu();
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let size = [96, 80];
    for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
        let s = settings(mode);
        let full = VolumeRenderer::new(ctx, &ds, &s).unwrap();
        assert!(full.all_resident());
        let bricks = full.layout.bricks.len();
        let budget = slots_bytes(&full, bricks / 16);
        let small =
            VolumeRenderer::with_source(ctx, Arc::new(ds.clone()), &s, Some(budget)).unwrap();
        assert_eq!(small.capacity(), bricks / 16);
        assert!(!small.all_resident());
        for lens in [Lens::Plane, Lens::Perspective] {
            let cam = Camera {
                position: DVec3::new(2.1, 1.4, -0.9),
                focus: (lo + hi) / 2.0,
                up: DVec3::new(0.1, 1.0, 0.2),
                lens,
                width: 1.1,
                fov: 45.0,
            };
            let rig = StereoRig::new(Projection::Parallel);
            for rays in StereoRig::views(Some(&rig), &cam, size[0], size[1])
                .unwrap()
                .into_iter()
                .chain([cam.ray_model(size[0], size[1]).unwrap()])
            {
                let (want, one) = render(&full, &rays, size);
                assert_eq!(one.passes, 1);
                let (got, report) = render(&small, &rays, size);
                assert!(
                    report.passes > 2,
                    "{mode:?} {lens:?}: {} passes",
                    report.passes
                );
                // The same samples in the same order; only the texture coordinates of the
                // slots differ (rounding in the last bits, in the adapter's filtering or in
                // the shader's own interpolation on GL): a few 1e-5 of the image's largest
                // value (measured up to 2.4e-5), far below one PNG level (3.9e-3).
                let d = relative_difference(&got, &want);
                let tolerance = 1e-4;
                eprintln!(
                    "{mode:?} {lens:?}: {} passes, relative difference {d:.2e}",
                    report.passes
                );
                assert!(d <= tolerance, "{mode:?} {lens:?}: relative difference {d}");
                assert!(want.iter().any(|p| p[0] != 0.0), "{mode:?}: an empty image");
            }
        }
        // The pool never held more than its slots, and bricks were evicted and loaded again.
        assert!(small.bricks_loaded() > bricks as u64, "{mode:?}");
    }
}

#[test]
fn a_lazy_field_renders_like_the_field_in_memory_within_its_host_budget() {
    let ctx = gpu();
    let path = std::path::Path::new("tests/data/moving7_0010");
    let ds = moving7();
    let largest = ds
        .field
        .data
        .iter()
        .map(|d| 4 * d.len() as u64)
        .max()
        .unwrap();
    let source: Arc<dyn amrcast::formats::DataSource> =
        Arc::from(amrcast::formats::open(path).unwrap());
    let lazy = Arc::new(LazyField::new(source, "Density", 2 * largest).unwrap());
    let s = RenderSettings::default();
    let full = VolumeRenderer::new(ctx, &ds, &s).unwrap();
    let budget = slots_bytes(&full, full.layout.bricks.len() / 8);
    let small = VolumeRenderer::with_source(ctx, lazy.clone(), &s, Some(budget)).unwrap();
    let cam = Camera::framing(View::X, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.0);
    let rays = cam.ray_model(64, 64).unwrap();
    let (want, _) = render(&full, &rays, [64, 64]);
    let (got, report) = render(&small, &rays, [64, 64]);
    assert!(report.passes > 1);
    assert!(relative_difference(&got, &want) <= 1e-5);
    // Values held at once: at most the cache plus what the fill threads have in hand (a few
    // bricks' grids each), far less than the field.
    let m = lazy.host_memory();
    let field: u64 = ds.field.data.iter().map(|d| 4 * d.len() as u64).sum();
    let threads = amrcast::bricks::fill_threads() as u64;
    assert!(
        m.peak <= 2 * largest + threads * 8 * largest,
        "peak {} bytes",
        m.peak
    );
    assert!(
        m.read >= field,
        "every grid was read: {} of {field}",
        m.read
    );
}

#[test]
fn a_budget_smaller_than_one_brick_is_refused_with_its_size() {
    let ds = moving7();
    let e =
        VolumeRenderer::with_source(gpu(), Arc::new(ds), &RenderSettings::default(), Some(1000))
            .err()
            .unwrap();
    assert!(e.to_string().contains("holds no brick"), "{e}");
}

/// Renders the leaves `keep` accepts into an image of `size`.
fn render_part(
    r: &VolumeRenderer,
    rays: &RayModel,
    size: [u32; 2],
    keep: impl Fn(usize) -> bool,
) -> amrcast::render::FloatImage {
    let ctx = gpu();
    let target = OffscreenTarget::new(ctx, size[0], size[1]).unwrap();
    r.render_subset(ctx, &target.region(), rays, keep).unwrap();
    amrcast::render::FloatImage {
        width: size[0],
        height: size[1],
        mode: r.prepared.settings.mode,
        pixels: target.read(ctx).unwrap(),
    }
}

#[test]
fn parts_rendered_alone_and_composited_make_the_whole_image() {
    use amrcast::composite::composite_front_to_back;
    let ctx = gpu();
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    let size = [80, 64];
    let cam = Camera::framing(
        View::Z,
        Lens::Plane,
        ds.hierarchy.domain_left,
        ds.hierarchy.domain_right,
        1.25,
    );
    let rays = cam.ray_model(size[0], size[1]).unwrap();
    for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
        let s = settings(mode);
        let full = VolumeRenderer::new(ctx, &ds, &s).unwrap();
        let (whole, _) = render(&full, &rays, size);
        // Two pieces on either side of the kd-tree's first split, nearest first.
        let root = full.layout.nodes[0];
        assert!(root.kind < 3, "the demo's tree splits");
        let axis = root.kind as usize;
        let boxes = amrcast::tiles::leaf_boxes(
            &full.layout,
            ds.hierarchy.cell_size(full.layout.fine_level),
        );
        let upper = |l: usize| boxes[l][0][axis] >= root.split;
        let dir = rays.to_frame(full.layout.origin, full.layout.scale).d0;
        let upper_first = dir[axis] < 0.0;
        // A small pool too: each part is then made in passes of its own.
        let budget = slots_bytes(&full, full.layout.bricks.len() / 8);
        let small =
            VolumeRenderer::with_source(ctx, Arc::new(ds.clone()), &s, Some(budget)).unwrap();
        for r in [&full, &small] {
            let near = render_part(r, &rays, size, |l| upper(l) == upper_first);
            let far = render_part(r, &rays, size, |l| upper(l) != upper_first);
            assert!(near.pixels != far.pixels);
            let got = composite_front_to_back(&[near, far]).unwrap();
            let d = relative_difference(&got.pixels, &whole);
            eprintln!("{mode:?}: two parts composited, relative difference {d:.2e}");
            assert!(d <= 1e-4, "{mode:?}: relative difference {d}");
        }
        if mode != Mode::Composite {
            // Order does not matter for MIP and projection: any partition will do.
            let parts: Vec<_> = (0..3)
                .map(|k| render_part(&small, &rays, size, |l| l % 3 == k))
                .collect();
            let got = composite_front_to_back(&parts).unwrap();
            let d = relative_difference(&got.pixels, &whole);
            assert!(d <= 1e-5, "{mode:?}: three parts, relative difference {d}");
        }
    }
}

#[test]
fn a_data_file_cut_while_streaming_is_one_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("tests/data/moving7_0010").unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let spec = amrcast::session::DataSpec {
        dataset: Some(dir.path().join("moving7_0010")),
        field: Some("Density".into()),
        memory: amrcast::gpu::MemoryBudget {
            gpu: None,
            host: Some(1),
        },
    };
    let (field, _) = spec.open_field().unwrap();
    let s = RenderSettings::default();
    let ds = moving7();
    let full = VolumeRenderer::new(gpu(), &ds, &s).unwrap();
    let budget = slots_bytes(&full, 2);
    let small = VolumeRenderer::with_source(gpu(), field, &s, Some(budget)).unwrap();
    // Cut in half (an open file that is deleted stays readable; one cut short does not).
    let data = dir.path().join("moving7_0010.cpu0000");
    let len = std::fs::metadata(&data).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&data).unwrap();
    f.set_len(len / 2).unwrap();
    let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
    let rays = cam.ray_model(32, 32).unwrap();
    let target = OffscreenTarget::new(gpu(), 32, 32).unwrap();
    let e = small
        .render_passes(gpu(), &target.region(), &rays, [0, 0], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("moving7_0010.cpu0000") && e.contains("grid"),
        "{e}"
    );
}
