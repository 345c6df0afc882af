//! Annotations: lines hidden correctly by the volume on the GPU (and as the CPU reference
//! does it), the colour bar's colours, the scale bar's length, and the command line.

mod common;
use amrcast::annotate::colorbar::{bar_box, ColorbarSpec};
use amrcast::annotate::{text_size, Canvas, GeometryLayer, ScaleSpec, Segment};
use amrcast::camera::{Camera, Lens, RayModel, View};
use amrcast::gpu::{OffscreenTarget, VolumeRenderer};
use amrcast::render::{DisplaySettings, FloatImage, Mode, RenderSettings};
use amrcast::transfer::{Colormap, Scale, TransferFunction};
use common::*;
use glam::DVec3;
use std::process::Command;

const N: u32 = 48;

/// 1 in the slab 0.4 < z < 0.6, 0 elsewhere.
fn slab(p: DVec3) -> f32 {
    if p.z > 0.4 && p.z < 0.6 {
        1.0
    } else {
        0.0
    }
}

/// Linear scale over 0..1, opacity `alpha` per reference length at 1 and none at 0.
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

/// A red line along x at height `z`, through the middle of the image.
fn line_at(z: f64, rays: &RayModel) -> (GeometryLayer, usize) {
    let y = 0.5 + 0.5 / N as f64; // on a row's centre
    let seg = Segment {
        a: DVec3::new(0.2, y, z),
        b: DVec3::new(0.8, y, z),
        colour: [1.0, 0.0, 0.0, 1.0],
    };
    let layer = GeometryLayer::rasterize(&[seg], rays, N, N);
    let (px, py) = rays.pixel_of(DVec3::new(0.5, y, z)).unwrap();
    let i = (py.floor() as u32 * N + px.floor() as u32) as usize;
    assert_eq!(
        layer.colour[i],
        [255, 0, 0, 255],
        "the line is fully over pixel {i}"
    );
    (layer, i)
}

struct Scene {
    ds: amrcast::amr::AmrDataset,
    rays: RayModel,
}

impl Scene {
    fn new() -> Scene {
        let cam = Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0);
        Scene {
            ds: dataset(hierarchy([16, 16, 16], &[]), slab),
            rays: cam.ray_model(N, N).unwrap(),
        }
    }

    fn gpu(&self, settings: &RenderSettings, lines: Option<&GeometryLayer>) -> FloatImage {
        let ctx = gpu();
        let r = VolumeRenderer::new(ctx, &self.ds, settings).unwrap();
        let target = OffscreenTarget::new(ctx, N, N).unwrap();
        target
            .render_with_lines(ctx, &r, &self.rays, lines)
            .unwrap()
    }

    fn cpu(&self, settings: &RenderSettings, lines: Option<&GeometryLayer>) -> FloatImage {
        let prepared = amrcast::render::Prepared::new(&self.ds, settings).unwrap();
        amrcast::reference::render_with_lines(&self.ds, &self.rays, N, N, &prepared, lines)
    }
}

#[test]
fn opaque_volume_hides_the_line_behind_it_and_not_the_one_in_front() {
    let scene = Scene::new();
    let s = settings(0.9);
    let plain = scene.gpu(&s, None);
    // The camera looks down from +z: z = 0.8 is in front of the slab, z = 0.2 behind it.
    let (front, i) = line_at(0.8, &scene.rays);
    let (behind, j) = line_at(0.2, &scene.rays);
    assert!(
        plain.pixels[i][3] > 0.99,
        "the slab is opaque: {:?}",
        plain.pixels[i]
    );
    for (renderer, image) in [
        ("gpu", scene.gpu(&s, Some(&front))),
        ("cpu", scene.cpu(&s, Some(&front))),
    ] {
        // Nothing in front of the line: it shows as drawn, red and opaque.
        let p = image.pixels[i];
        assert!(
            p[0] > 0.99 && p[1] < 0.01 && p[3] > 0.99,
            "{renderer}: {p:?}"
        );
    }
    for (renderer, image) in [
        ("gpu", scene.gpu(&s, Some(&behind))),
        ("cpu", scene.cpu(&s, Some(&behind))),
    ] {
        // Behind the slab: at most the 1% the slab lets through.
        let (p, q) = (image.pixels[j], plain.pixels[j]);
        for c in 0..4 {
            assert!(
                (p[c] - q[c]).abs() < 0.011,
                "{renderer}: {p:?} vs plain {q:?}"
            );
        }
    }
    // Away from the line, the image is the plain one.
    let lined = scene.gpu(&s, Some(&front));
    assert_eq!(lined.pixels[3], plain.pixels[3]);
}

#[test]
fn half_transparent_volume_shows_the_line_through_what_it_lets_pass() {
    let scene = Scene::new();
    // About half of the light through 0.2 of depth (51 reference lengths).
    let s = settings(1.0 - 0.5f64.powf(1.0 / 51.2));
    let plain = scene.gpu(&s, None);
    let (behind, j) = line_at(0.2, &scene.rays);
    let q = plain.pixels[j];
    assert!(q[3] > 0.25 && q[3] < 0.75, "partial opacity: {q:?}");
    let line = behind.colour_at(j);
    let expect: Vec<f32> = (0..4).map(|c| q[c] + (1.0 - q[3]) * line[c]).collect();
    for (renderer, image) in [
        ("gpu", scene.gpu(&s, Some(&behind))),
        ("cpu", scene.cpu(&s, Some(&behind))),
    ] {
        let p = image.pixels[j];
        for c in 0..4 {
            assert!(
                (p[c] - expect[c]).abs() < 4e-3,
                "{renderer}: {p:?} vs acc + (1 - acc.a) line = {expect:?}"
            );
        }
    }
    // The line shows partly: it adds a part of its red, and nothing to the green.
    let p = scene.gpu(&s, Some(&behind)).pixels[j];
    let shown = p[0] - q[0];
    assert!(
        shown > 0.25 && shown < 0.75 && (p[1] - q[1]).abs() < 1e-4,
        "{p:?} vs {q:?}"
    );
}

#[test]
fn gpu_and_reference_agree_on_an_annotated_oblique_view() {
    let ds = dataset(hierarchy([16, 16, 16], &[(1, [0.25; 3], [0.75; 3])]), blob);
    let mut cam = Camera::framing(View::X, Lens::Perspective, DVec3::ZERO, DVec3::ONE, 1.0);
    cam.position += DVec3::new(0.4, 0.5, 0.3);
    let rays = cam.ray_model(N, N).unwrap();
    let segs: Vec<Segment> = amrcast::annotate::outlines::box_edges(
        DVec3::splat(0.25),
        DVec3::splat(0.75),
        [0.3, 0.8, 1.0, 0.8],
    );
    let layer = GeometryLayer::rasterize(&segs, &rays, N, N);
    let s = RenderSettings {
        tf: TransferFunction {
            opacity: 4.0,
            ..TransferFunction::default()
        },
        ..RenderSettings::default()
    };
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, &ds, &s).unwrap();
    let g = OffscreenTarget::new(ctx, N, N)
        .unwrap()
        .render_with_lines(ctx, &r, &rays, Some(&layer))
        .unwrap();
    let prepared = amrcast::render::Prepared::new(&ds, &s).unwrap();
    let c = amrcast::reference::render_with_lines(&ds, &rays, N, N, &prepared, Some(&layer));
    let diff = mean_abs_diff(&g.pixels, &c.pixels, 4);
    assert!(diff < 2e-3, "mean difference {diff}");
}

#[test]
fn the_colour_bar_shows_the_colormap_between_its_bounds() {
    let display = DisplaySettings {
        mode: Mode::Mip,
        colormap: Colormap::Magma,
        scale: Scale::Log,
        bounds: (-2.0, 1.0),
        depth: 1.0,
    };
    let spec = ColorbarSpec::new(&display, &TransferFunction::default(), "Density", None);
    assert!((spec.bounds.0 - 0.01).abs() < 1e-15 && (spec.bounds.1 - 10.0).abs() < 1e-12);
    assert!(spec.title.contains("Density") && spec.title.contains("code units"));
    let (w, h) = (400, 300);
    let mut canvas = Canvas::new(w, h, vec![0; (w * h * 4) as usize]);
    let size = text_size(w, h);
    amrcast::annotate::colorbar::draw(&mut canvas, &spec, size);
    let b = bar_box(&spec, (w, h), size);
    let x = ((b.x0 + b.x1) * 0.5) as u32;
    for y in b.y0 as u32..b.y1 as u32 {
        let f = 1.0 - (y as f64 + 0.5 - b.y0 as f64) / (b.y1 - b.y0) as f64;
        let want = display.colormap.eval(f).map(|c| (c * 255.0).round() as i32);
        let got = canvas.pixel(x, y);
        for c in 0..3 {
            assert!(
                (got[c] as i32 - want[c]).abs() <= 3,
                "row {y}: {got:?} vs {want:?}"
            );
        }
    }
    // The top is the upper bound's colour, the bottom the lower one's.
    let top = canvas.pixel(x, b.y0 as u32);
    let bottom = canvas.pixel(x, b.y1 as u32 - 1);
    let (hi, lo) = (display.colormap.eval(1.0), display.colormap.eval(0.0));
    assert!((top[0] as f32 - hi[0] * 255.0).abs() < 4.0, "{top:?}");
    assert!((bottom[0] as f32 - lo[0] * 255.0).abs() < 4.0, "{bottom:?}");
    // Log ticks at the decades 0.01 .. 10 sit where their values lie on the bar.
    assert!((spec.position(0.1) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn the_scale_bar_is_as_long_as_its_label_says() {
    let cam = Camera {
        width: 2.0,
        ..Camera::framing(View::Z, Lens::Plane, DVec3::ZERO, DVec3::ONE, 1.0)
    };
    let (w, h) = (500, 300);
    // 1 domain unit = 1 pc: the image is 2 pc wide, 250 pixels per pc.
    let pc = amrcast::annotate::scalebar::UNITS[3].1;
    let spec = ScaleSpec::for_camera(&cam, (w, h), Some(pc)).unwrap();
    let (pixels, label) = spec.choose(w);
    assert_eq!(label, "0.2 pc");
    assert!((pixels - 0.2 * 250.0).abs() < 1e-9, "{pixels}");
    // Measured on the image: the white bar's extent along its row.
    let mut canvas = Canvas::new(w, h, vec![0; (w * h * 4) as usize]);
    amrcast::annotate::scalebar::draw(&mut canvas, &spec, text_size(w, h));
    let y = (h as f64 - 0.9 * text_size(w, h) as f64).floor() as u32;
    let lit: Vec<u32> = (0..w).filter(|&x| canvas.pixel(x, y)[0] > 128).collect();
    let span = (lit.last().unwrap() - lit.first().unwrap() + 1) as f64;
    // The bar plus its 2-pixel-wide end ticks.
    assert!(
        (span - (pixels + 2.0)).abs() <= 2.0,
        "{span} px vs {pixels} px"
    );
}

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn bad_annotation_names_fail_with_the_list_of_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.png");
    let o = amrcast(&[
        "render",
        "--annotate",
        "grids,ticks",
        "-o",
        out.to_str().unwrap(),
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && !e.contains("panicked"), "{e}");
    assert!(
        e.contains("unknown annotation 'ticks' (expected domain, grids, colorbar, scale or axes)"),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn values_stay_unannotated_and_the_png_is_annotated() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for mode in ["composite", "mip"] {
        let base = ["render", "--size", "96x80", "--mode", mode, "--view", "x"];
        let plain = amrcast(&[&base[..], &["-o", &p("a.png"), "--values", &p("a.npy")]].concat());
        assert!(
            plain.status.success(),
            "{}",
            String::from_utf8_lossy(&plain.stderr)
        );
        let all = "domain,grids,colorbar,scale,axes";
        let args = [
            "-o",
            &p("b.png"),
            "--values",
            &p("b.npy"),
            "--annotate",
            all,
        ];
        let ann = amrcast(&[&base[..], &args].concat());
        assert!(
            ann.status.success(),
            "{}",
            String::from_utf8_lossy(&ann.stderr)
        );
        let (va, vb) = (
            std::fs::read(p("a.npy")).unwrap(),
            std::fs::read(p("b.npy")).unwrap(),
        );
        assert_eq!(va, vb, "{mode}: the values are the plain render's");
        let (ia, ib) = (
            image::open(p("a.png")).unwrap().to_rgba8(),
            image::open(p("b.png")).unwrap().to_rgba8(),
        );
        assert_eq!(ia.dimensions(), ib.dimensions());
        let changed = ia.pixels().zip(ib.pixels()).filter(|(a, b)| a != b).count();
        assert!(changed > 500, "{mode}: {changed} pixels annotated");
    }
}

#[test]
fn stereo_eyes_get_their_own_lines_and_plain_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let base = [
        "render",
        "--size",
        "96x80",
        "--mode",
        "mip",
        "--view",
        "x",
        "--stereo",
        "parallel",
        "--eye-separation",
        "0.15",
    ];
    let run = |extra: &[&str]| {
        let o = amrcast(&[&base[..], extra].concat());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&["-o", &p("a.png"), "--values", &p("a.npy")]);
    let ann = ["--annotate", "domain,grids,colorbar"];
    run(&[&["-o", &p("b.png"), "--values", &p("b.npy")][..], &ann].concat());
    let mut masks = Vec::new();
    for eye in ["L", "R"] {
        let f = |n: &str| p(&format!("{n}_{eye}"));
        assert_eq!(
            std::fs::read(f("a") + ".npy").unwrap(),
            std::fs::read(f("b") + ".npy").unwrap(),
            "{eye}: the values are the plain render's"
        );
        let (a, b) = (
            image::open(f("a") + ".png").unwrap().to_rgba8(),
            image::open(f("b") + ".png").unwrap().to_rgba8(),
        );
        let mask: Vec<bool> = a.pixels().zip(b.pixels()).map(|(x, y)| x != y).collect();
        assert!(mask.iter().filter(|m| **m).count() > 500, "{eye}");
        masks.push(mask);
    }
    // Each eye's lines are drawn from its own rays: parallax moves them between the eyes,
    // while the colour bar (the same 2-D overlay on both) does not move.
    let moved = masks[0]
        .iter()
        .zip(&masks[1])
        .filter(|(l, r)| l != r)
        .count();
    assert!(
        moved > 50,
        "{moved} pixels differ between the eyes' annotations"
    );
    // A packed layout is one PNG of both annotated eyes.
    run(&[
        &["-o", &p("c.png"), "--stereo-layout", "side-by-side"][..],
        &ann,
    ]
    .concat());
    let c = image::open(p("c.png")).unwrap().to_rgba8();
    let l = image::open(p("b_L.png")).unwrap().to_rgba8();
    assert_eq!(c.dimensions(), (192, 80));
    assert_eq!(c.get_pixel(10, 40), l.get_pixel(10, 40));
}

#[test]
fn an_annotated_stereo_movie_has_annotated_eyes_and_plain_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let base = [
        "movie", "--orbit", "40", "--count", "2", "--size", "64x48", "--values", "--stereo",
        "parallel",
    ];
    let run = |out: &str, extra: &[&str]| {
        let o = p(out);
        let args = [&base[..], &["-o", o.to_str().unwrap()], extra].concat();
        let r = amrcast(&args);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    };
    run("plain", &[]);
    run("annotated", &["--annotate", "domain,colorbar"]);
    for k in 0..2 {
        for eye in ["L", "R"] {
            let name = |ext: &str| format!("frame_{k:05}_{eye}.{ext}");
            assert_eq!(
                std::fs::read(p("plain").join(name("npy"))).unwrap(),
                std::fs::read(p("annotated").join(name("npy"))).unwrap(),
                "frame {k} {eye}: the values are the plain render's"
            );
            let a = image::open(p("plain").join(name("png")))
                .unwrap()
                .to_rgba8();
            let b = image::open(p("annotated").join(name("png")))
                .unwrap()
                .to_rgba8();
            let changed = a.pixels().zip(b.pixels()).filter(|(x, y)| x != y).count();
            assert!(changed > 150, "frame {k} {eye}: {changed} pixels annotated");
        }
    }
}
