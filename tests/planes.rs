//! Slice planes inside the 3-D view (`--slice-plane`): hidden by opaque volume in front of
//! them, showing the slice's own colours through empty space, seen through half-transparent
//! volume as `acc + (1 - acc.a) * plane`, the same on the GPU and the CPU reference, and, face
//! on, the `amrcast slice` image of the same plane.

mod common;
use amrcast::annotate::{GeometryLayer, Segment};
use amrcast::camera::{Camera, Lens, RayModel, View};
use amrcast::gpu::{OffscreenTarget, VolumeRenderer};
use amrcast::render::{DisplaySettings, FloatImage, Interpolation, Mode, Prepared, RenderSettings};
use amrcast::slice::{self, Axis, PlaneSpec, SliceImage, SliceRequest};
use amrcast::transfer::{Colormap, Scale, TransferFunction};
use common::*;
use glam::DVec3;
use std::process::Command;

const N: u32 = 48;

/// 1 in the slab 0.4 < z < 0.6; elsewhere 0.3 x (below the opacity ramp: empty space with
/// colours that vary across a plane).
fn slab(p: DVec3) -> f32 {
    if p.z > 0.4 && p.z < 0.6 {
        1.0
    } else {
        0.3 * p.x as f32
    }
}

/// Linear scale over 0..1, opacity `alpha` per reference length at 1 and none below 0.5.
fn settings(alpha: f64) -> RenderSettings {
    RenderSettings {
        mode: Mode::Composite,
        tf: TransferFunction {
            colormap: Colormap::Viridis,
            scale: Scale::Linear,
            bounds: Some((0.0, 1.0)),
            points: vec![[0.0, 0.0], [0.5, 0.0], [1.0, alpha]],
            ..TransferFunction::default()
        },
        ..RenderSettings::default()
    }
}

fn z_plane(coord: f64) -> PlaneSpec {
    PlaneSpec::Axis {
        axis: Axis::Z,
        coord,
        center: None,
    }
}

struct Scene {
    ds: amrcast::amr::AmrDataset,
    rays: RayModel,
}

impl Scene {
    /// Looking down z from +z with the plane lens, the unit domain filling the image.
    fn new(ds: amrcast::amr::AmrDataset) -> Scene {
        let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        Scene {
            ds,
            rays: cam.ray_model(N, N).unwrap(),
        }
    }

    fn planes(&self, specs: &[PlaneSpec], s: &RenderSettings) -> GeometryLayer {
        amrcast::figure::planes_layer(&self.ds, specs, s, &self.rays, (N, N)).unwrap()
    }

    fn gpu(&self, s: &RenderSettings, layer: Option<&GeometryLayer>) -> FloatImage {
        render_gpu(&self.ds, &self.rays, s, layer)
    }

    fn cpu(&self, s: &RenderSettings, layer: Option<&GeometryLayer>) -> FloatImage {
        let prepared = Prepared::new(&self.ds, s).unwrap();
        amrcast::reference::render_with_lines(&self.ds, &self.rays, N, N, &prepared, layer)
    }
}

fn render_gpu(
    ds: &amrcast::amr::AmrDataset,
    rays: &RayModel,
    s: &RenderSettings,
    layer: Option<&GeometryLayer>,
) -> FloatImage {
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, ds, s).unwrap();
    let target = OffscreenTarget::new(ctx, N, N).unwrap();
    target.render_with_lines(ctx, &r, rays, layer).unwrap()
}

#[test]
fn an_opaque_slab_hides_the_plane_behind_it() {
    let scene = Scene::new(dataset(hierarchy([16, 16, 16], &[]), slab));
    let s = settings(0.9);
    let plain = scene.gpu(&s, None);
    // The camera looks down from +z: z = 0.2 is behind the slab.
    let layer = scene.planes(&[z_plane(0.2)], &s);
    assert!(
        layer.colour.iter().all(|c| c[3] == 255),
        "the plane fills the view"
    );
    for (renderer, image) in [
        ("gpu", scene.gpu(&s, Some(&layer))),
        ("cpu", scene.cpu(&s, Some(&layer))),
    ] {
        for (i, (p, q)) in image.pixels.iter().zip(&plain.pixels).enumerate() {
            assert!(q[3] > 0.99, "the slab is opaque: {q:?}");
            for c in 0..4 {
                assert!(
                    (p[c] - q[c]).abs() < 0.011,
                    "{renderer} pixel {i}: {p:?} vs plain {q:?}"
                );
            }
        }
    }
}

/// `amrcast slice`'s colours of the plane `spec` seen face on by [`Scene`]: width 1, N x N.
fn slice_colours(ds: &amrcast::amr::AmrDataset, spec: PlaneSpec, tf: &TransferFunction) -> Vec<u8> {
    let request = SliceRequest {
        plane: spec,
        width: Some(1.0),
        size: (N, N),
        interpolation: Interpolation::Linear,
    };
    let image = slice::slice(ds, &request).unwrap();
    let prepared = slice::prepare(ds, tf).unwrap();
    image.float_image().colours(&SliceImage::display(&prepared))
}

fn composite_colours(image: &FloatImage) -> Vec<u8> {
    let display = DisplaySettings {
        mode: Mode::Composite,
        colormap: Colormap::Viridis,
        scale: Scale::Linear,
        bounds: (0.0, 1.0),
        depth: 1.0,
    };
    image.colours(&display)
}

#[test]
fn through_empty_space_a_plane_shows_exactly_the_slice_colours() {
    let ds = dataset(hierarchy([16, 16, 16], &[(1, [0.25; 3], [0.75; 3])]), blob);
    let scene = Scene::new(ds);
    let s = RenderSettings {
        tf: TransferFunction {
            opacity: 0.0,
            colormap: Colormap::Magma,
            ..TransferFunction::default()
        },
        ..RenderSettings::default()
    };
    for coord in [0.45, 0.62] {
        let layer = scene.planes(&[z_plane(coord)], &s);
        let want = slice_colours(&scene.ds, z_plane(coord), &s.tf);
        for (renderer, image) in [
            ("gpu", scene.gpu(&s, Some(&layer))),
            ("cpu", scene.cpu(&s, Some(&layer))),
        ] {
            let got = composite_colours(&image);
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (*a as i32 - *b as i32).abs())
                .max()
                .unwrap();
            assert!(worst <= 1, "{renderer} z = {coord}: off by {worst}");
            let distinct: std::collections::HashSet<_> = got.chunks(4).collect();
            assert!(
                distinct.len() > 100,
                "{renderer}: the plane shows the field"
            );
        }
    }
}

#[test]
fn half_transparent_volume_in_front_is_composited_over_the_plane() {
    let scene = Scene::new(dataset(hierarchy([16, 16, 16], &[]), slab));
    // About half of the light through 0.2 of depth (51 reference lengths).
    let s = settings(1.0 - 0.5f64.powf(1.0 / 51.2));
    let plain = scene.gpu(&s, None);
    let q = plain.pixels[(N / 2 * N + N / 2) as usize];
    assert!(q[3] > 0.25 && q[3] < 0.75, "partial opacity: {q:?}");
    let layer = scene.planes(&[z_plane(0.2)], &s);
    for (renderer, image) in [
        ("gpu", scene.gpu(&s, Some(&layer))),
        ("cpu", scene.cpu(&s, Some(&layer))),
    ] {
        for (i, (p, q)) in image.pixels.iter().zip(&plain.pixels).enumerate() {
            let plane = layer.colour_at(i);
            for c in 0..4 {
                let want = q[c] + (1.0 - q[3]) * plane[c];
                assert!(
                    (p[c] - want).abs() < 4e-3,
                    "{renderer} pixel {i}: {p:?} vs acc + (1 - acc.a) plane = {want}"
                );
            }
        }
    }
}

#[test]
fn gpu_and_reference_agree_on_planes_and_lines_in_an_oblique_view() {
    let ds = dataset(hierarchy([16, 16, 16], &[(1, [0.25; 3], [0.75; 3])]), blob);
    let mut cam = Camera::framing(View::X, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.0);
    cam.position += DVec3::new(0.4, 0.5, 0.3);
    let rays = cam.ray_model(N, N).unwrap();
    let s = RenderSettings {
        tf: TransferFunction {
            opacity: 4.0,
            ..TransferFunction::default()
        },
        ..RenderSettings::default()
    };
    let specs = [
        z_plane(0.5),
        PlaneSpec::Oblique {
            normal: DVec3::new(1.0, 1.0, 0.0),
            center: DVec3::splat(0.5),
            up: None,
        },
    ];
    let mut layer = amrcast::figure::planes_layer(&ds, &specs, &s, &rays, (N, N)).unwrap();
    let planes = layer.clone();
    let segs: Vec<Segment> = amrcast::annotate::outlines::box_edges(
        DVec3::splat(0.25),
        DVec3::splat(0.75),
        [0.3, 0.8, 1.0, 0.8],
    );
    layer.merge(&GeometryLayer::rasterize(&segs, &rays, N, N));
    let shown = planes.depth.iter().filter(|t| t.is_finite()).count();
    assert!(
        shown > (N * N / 3) as usize,
        "the planes cover {shown} pixels"
    );
    let g = render_gpu(&ds, &rays, &s, Some(&layer));
    let prepared = Prepared::new(&ds, &s).unwrap();
    let c = amrcast::reference::render_with_lines(&ds, &rays, N, N, &prepared, Some(&layer));
    let diff = mean_abs_diff(&g.pixels, &c.pixels, 4);
    assert!(diff < 2e-3, "mean difference {diff}");
    // The planes change the image where they are.
    let plain = render_gpu(&ds, &rays, &s, None);
    assert!(mean_abs_diff(&g.pixels, &plain.pixels, 4) > 0.02);
}

#[test]
fn mip_and_projection_refuse_planes() {
    let ds = dataset(hierarchy([8, 8, 8], &[]), blob);
    let rays = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0)
        .ray_model(8, 8)
        .unwrap();
    for mode in [Mode::Mip, Mode::Projection] {
        let s = RenderSettings {
            mode,
            ..RenderSettings::default()
        };
        let e = amrcast::figure::planes_layer(&ds, &[z_plane(0.5)], &s, &rays, (8, 8))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--slice-plane needs --mode composite"), "{e}");
    }
}

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn face_on_the_render_shows_the_slice_command_image() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let size = ["--size", "64x48"];
    ok(&amrcast(
        &[
            &["slice", "--axis", "z", "--coord", "0.37", "-o", &p("s.png")],
            &size[..],
        ]
        .concat(),
    ));
    let render = [
        "render",
        "--view",
        "z",
        "--opacity",
        "0",
        "--slice-plane",
        "z=0.37",
        "-o",
        &p("r.png"),
        "--values",
        &p("r.npy"),
    ];
    ok(&amrcast(&[&render[..], &size[..]].concat()));
    let a = image::open(p("s.png")).unwrap().to_rgb8();
    let b = image::open(p("r.png")).unwrap().to_rgb8();
    assert_eq!(a.dimensions(), b.dimensions());
    let worst = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (*x as i32 - *y as i32).abs())
        .max()
        .unwrap();
    assert!(worst <= 1, "render vs slice: off by {worst}");
    // The values are the volume's alone: with no opacity, all zero.
    let npy = std::fs::read(p("r.npy")).unwrap();
    let floats = &npy[npy.len() - 64 * 48 * 16..];
    assert!(
        floats.iter().all(|&b| b == 0),
        "--values is the plain render"
    );
}

#[test]
fn bad_planes_fail_with_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.png");
    let o = out.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--slice-plane", "z=7"],
            "slice coordinate z = 7 is outside the domain",
        ),
        (vec!["--slice-plane", "q=1"], "'q' is not x, y or z"),
        (
            vec!["--slice-plane", "z=0.5", "--mode", "mip"],
            "--slice-plane needs --mode composite: mip",
        ),
    ] {
        let r = amrcast(&[&["render", "--size", "16x16", "-o", o][..], &args[..]].concat());
        let e = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success() && !e.contains("panicked"), "{e}");
        assert!(e.contains(says), "{args:?}: {e}");
        assert!(!out.exists());
    }
}
