//! Stereo pairs rendered on the GPU: where small bright blobs land in each eye, measured by
//! centroid to sub-pixel precision and compared with the geometry worked out here from first
//! principles (not with the rig's own formulas); the layouts written by `amrcast render`.

mod common;
use amrcast::amr::AmrDataset;
use amrcast::camera::{Camera, Lens, RayModel};
use amrcast::gpu::{render_image, VolumeRenderer};
use amrcast::reference;
use amrcast::render::{FloatImage, Prepared};
use amrcast::stereo::{Eye, Projection, StereoRig};
use common::*;
use glam::DVec3;
use std::path::Path;
use std::process::{Command, Output};

const N: u32 = 96;
const SIGMA: f64 = 0.016;

/// Gaussian blobs of width SIGMA at `centres`, zero elsewhere, on a 64^3 root grid with a finer
/// level around the domain's centre.
fn blobs(centres: &[DVec3]) -> AmrDataset {
    let h = hierarchy(
        [64, 64, 64],
        &[(1, [0.375, 0.375, 0.375], [0.625, 0.625, 0.625])],
    );
    let centres = centres.to_vec();
    dataset(h, move |p| {
        centres
            .iter()
            .map(|c| (-(p - *c).length_squared() / (2.0 * SIGMA * SIGMA)).exp())
            .sum::<f64>() as f32
    })
}

fn render(ds: &AmrDataset, rays: &RayModel) -> FloatImage {
    let ctx = gpu();
    let r = VolumeRenderer::new(ctx, ds, &projection()).unwrap();
    render_image(ctx, &r, rays, N, N).unwrap()
}

/// Centroid (in pixel coordinates, centres at +0.5) of the projected values within 7 pixels of
/// `near`, recentred once on the first estimate.
fn centroid(img: &FloatImage, near: (f64, f64)) -> (f64, f64) {
    let mut c = near;
    for _ in 0..2 {
        let (mut sx, mut sy, mut s) = (0.0, 0.0, 0.0);
        let (cx, cy) = (c.0.floor() as i64, c.1.floor() as i64);
        for y in cy - 7..=cy + 7 {
            for x in cx - 7..=cx + 7 {
                if x < 0 || y < 0 || x >= N as i64 || y >= N as i64 {
                    continue;
                }
                let v = img.pixels[(y as u32 * N + x as u32) as usize][0] as f64;
                sx += v * (x as f64 + 0.5);
                sy += v * (y as f64 + 0.5);
                s += v;
            }
        }
        assert!(s > 0.0, "no blob near {near:?}");
        c = (sx / s, sy / s);
    }
    c
}

/// The test camera: at (0.5, 0.5, 2.5) looking at the centre of the unit cube along -z, x
/// right, y up; zero-parallax plane z = 0.5 (D = 2).
fn camera(lens: Lens) -> Camera {
    Camera {
        position: DVec3::new(0.5, 0.5, 2.5),
        focus: DVec3::splat(0.5),
        up: DVec3::Y,
        lens,
        width: 0.9,
        fov: 25.0,
    }
}

const D: f64 = 2.0;

/// Where a pinhole at `eye` looking along `forward` (up y) with the vertical field of view
/// `fov` and, off axis, the image rectangle centred at `centre` puts point `p`: the pixel of
/// the intersection of the line eye-p with the image plane through `centre`.
fn pinhole(eye: DVec3, forward: DVec3, centre: DVec3, fov: f64, p: DVec3) -> (f64, f64) {
    let right = forward.cross(DVec3::Y).normalize();
    let up = right.cross(forward);
    let dist = (centre - eye).dot(forward);
    let q = eye + (p - eye) * (dist / (p - eye).dot(forward));
    let half = dist * (0.5 * fov).to_radians().tan(); // square image: same both ways
    let n = N as f64;
    (
        ((q - centre).dot(right) + half) / (2.0 * half) * n,
        (half - (q - centre).dot(up)) / (2.0 * half) * n,
    )
}

fn rig(projection: Projection, e: f64) -> StereoRig {
    StereoRig {
        projection,
        eye_separation: Some(e),
        focal_distance: None,
    }
}

/// Both eyes' centroids of every blob, starting from `predict(eye, blob)`.
fn measure(
    ds: &AmrDataset,
    rig: &StereoRig,
    cam: &Camera,
    centres: &[DVec3],
    predict: impl Fn(Eye, DVec3) -> (f64, f64),
) -> Vec<[(f64, f64); 2]> {
    let images = Eye::BOTH.map(|eye| render(ds, &rig.eye_rays(cam, N, N, eye).unwrap()));
    centres
        .iter()
        .map(|&c| {
            let got = [0, 1].map(|k| centroid(&images[k], predict(Eye::BOTH[k], c)));
            for (k, eye) in Eye::BOTH.into_iter().enumerate() {
                let want = predict(eye, c);
                assert!(
                    (got[k].0 - want.0).abs() < 0.3 && (got[k].1 - want.1).abs() < 0.3,
                    "{eye:?} eye, blob at {c}: centroid {:?}, geometry says {want:?}",
                    got[k]
                );
            }
            got
        })
        .collect()
}

#[test]
fn parallel_rig_zero_parallax_plane_crossed_and_uncrossed_disparity() {
    let a = 0.36; // corners of the image on the zero-parallax plane sit at +-0.443
    let on_plane = [
        DVec3::new(0.5, 0.5, 0.5),
        DVec3::new(0.5 - a, 0.5 + a, 0.5),
        DVec3::new(0.5 + a, 0.5 + a, 0.5),
        DVec3::new(0.5 - a, 0.5 - a, 0.5),
        DVec3::new(0.5 + a, 0.5 - a, 0.5),
    ];
    let front = DVec3::new(0.5, 0.25, 0.85); // depth 1.65 from the camera
    let back = DVec3::new(0.5, 0.75, 0.15); // depth 2.35
    let mut centres = on_plane.to_vec();
    centres.extend([front, back]);
    let ds = blobs(&centres);
    let cam = camera(Lens::Perspective);
    let e = 0.2;
    let rig = rig(Projection::Parallel, e);
    // Eyes at -+e/2 along x, both looking along -z, the image rectangle centred on the axis
    // at z = 0.5.
    let predict = |eye: Eye, p: DVec3| {
        let pos = cam.position + DVec3::X * (eye.sign() * e / 2.0);
        pinhole(pos, -DVec3::Z, cam.focus, cam.fov, p)
    };
    let got = measure(&ds, &rig, &cam, &centres, predict);
    for (c, [l, r]) in centres.iter().zip(&got) {
        eprintln!(
            "blob {c}: disparity {:+.3} px horizontal, {:+.3} px vertical",
            r.0 - l.0,
            r.1 - l.1
        );
        assert!((r.1 - l.1).abs() < 0.1, "vertical disparity at {c}");
    }
    for [l, r] in &got[..5] {
        assert!((r.0 - l.0).abs() < 0.25, "zero parallax on the focal plane");
    }
    // Disparity e (1 - D/z) / p, p the pixel size on the zero-parallax plane.
    let p = 2.0 * D * (0.5 * cam.fov).to_radians().tan() / N as f64;
    for (k, z) in [(5, 1.65), (6, 2.35)] {
        let [l, r] = got[k];
        let want = e * (1.0 - D / z) / p;
        assert!(
            (r.0 - l.0 - want).abs() < 0.2,
            "depth {z}: {} vs {want}",
            r.0 - l.0
        );
    }
    assert!(got[5][1].0 - got[5][0].0 < -3.0, "in front: crossed");
    assert!(got[6][1].0 - got[6][0].0 > 2.0, "behind: uncrossed");
}

#[test]
fn toe_in_has_vertical_parallax_at_the_corners_only() {
    let a = 0.36;
    let centres = [
        DVec3::new(0.5, 0.5, 0.5),
        DVec3::new(0.5 - a, 0.5 + a, 0.5),
        DVec3::new(0.5 + a, 0.5 + a, 0.5),
        DVec3::new(0.5 - a, 0.5 - a, 0.5),
        DVec3::new(0.5 + a, 0.5 - a, 0.5),
    ];
    let ds = blobs(&centres);
    let cam = camera(Lens::Perspective);
    let e = 0.3;
    let rig = rig(Projection::ToeIn, e);
    // Each eye a symmetric pinhole at -+e/2 along x aimed at the focus.
    let predict = |eye: Eye, p: DVec3| {
        let pos = cam.position + DVec3::X * (eye.sign() * e / 2.0);
        let forward = (cam.focus - pos).normalize();
        pinhole(
            pos,
            forward,
            pos + forward * (cam.focus - pos).length(),
            cam.fov,
            p,
        )
    };
    let got = measure(&ds, &rig, &cam, &centres, predict);
    let [l, r] = got[0];
    assert!(
        (r.1 - l.1).abs() < 0.1 && (r.0 - l.0).abs() < 0.1,
        "the centre converges"
    );
    for (c, [l, r]) in centres.iter().zip(&got).skip(1) {
        let want = predict(Eye::Right, *c).1 - predict(Eye::Left, *c).1;
        let dy = r.1 - l.1;
        eprintln!("corner {c}: vertical disparity {dy:+.3} px (geometry {want:+.3})");
        // The eye nearer a corner sees it larger: right eye higher at top right, lower at
        // bottom right (rows grow downward), mirrored on the left.
        let (right_side, top) = (c.x > 0.5, c.y > 0.5);
        assert_eq!(want < 0.0, right_side == top, "{c}");
        assert!(
            want.abs() > 0.8,
            "{c}: the geometry predicts a clear parallax"
        );
        assert!((dy - want).abs() < 0.2, "{c}: {dy} vs {want}");
    }
}

#[test]
fn plane_lens_shear_disparity_is_linear_in_depth() {
    // Blobs at several depths, spread in y so that they do not overlap.
    let zs = [0.15, 0.35, 0.5, 0.65, 0.85];
    let centres: Vec<DVec3> = zs
        .iter()
        .enumerate()
        .map(|(k, &z)| DVec3::new(0.45 + 0.03 * k as f64, 0.2 + 0.15 * k as f64, z))
        .collect();
    let ds = blobs(&centres);
    let cam = camera(Lens::Plane);
    let e = 0.1;
    let rig = rig(Projection::Parallel, e);
    // Rays of eye s leave the image plane z = 2.5 at x + s e/2 tilted by atan(e / 2D) toward
    // the axis: a point at depth z is seen at x - s (e/2)(1 - z/D) on the plane.
    let pw = cam.width / N as f64;
    let predict = |eye: Eye, p: DVec3| {
        let z = cam.position.z - p.z;
        let x = p.x - eye.sign() * (e / 2.0) * (1.0 - z / D);
        (
            (x - (cam.position.x - cam.width / 2.0)) / pw,
            (cam.position.y + cam.width / 2.0 - p.y) / pw,
        )
    };
    let got = measure(&ds, &rig, &cam, &centres, predict);
    let depth: Vec<f64> = zs.iter().map(|z| cam.position.z - z).collect();
    let disparity: Vec<f64> = got.iter().map(|[l, r]| r.0 - l.0).collect();
    eprintln!("depths {depth:?}: disparities {disparity:?}");
    for [l, r] in &got {
        assert!((r.1 - l.1).abs() < 0.1, "no vertical parallax");
    }
    assert!(
        disparity[2].abs() < 0.25,
        "zero on the plane through the focus"
    );
    // A least-squares line through (depth, disparity): slope e / (D pw), zero at D, small
    // residuals.
    let n = depth.len() as f64;
    let (mx, my) = (
        depth.iter().sum::<f64>() / n,
        disparity.iter().sum::<f64>() / n,
    );
    let sxy: f64 = depth
        .iter()
        .zip(&disparity)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum();
    let sxx: f64 = depth.iter().map(|x| (x - mx).powi(2)).sum();
    let slope = sxy / sxx;
    let want = e / (D * pw);
    assert!((slope / want - 1.0).abs() < 0.05, "slope {slope} vs {want}");
    assert!(
        ((my - slope * mx) + slope * D).abs() < 0.15,
        "zero crossing at D"
    );
    for (x, y) in depth.iter().zip(&disparity) {
        assert!((my + slope * (x - mx) - y).abs() < 0.15, "linear: {x} {y}");
    }
}

#[test]
fn zero_separation_renders_the_mono_image() {
    let ds = blobs(&[DVec3::new(0.5, 0.5, 0.5), DVec3::new(0.3, 0.6, 0.8)]);
    for lens in [Lens::Perspective, Lens::Plane] {
        let cam = camera(lens);
        let mono = render(&ds, &cam.ray_model(N, N).unwrap());
        let peak = mono.pixels.iter().map(|p| p[0]).fold(0.0f32, f32::max) as f64;
        assert!(peak > 0.0);
        for projection in [Projection::Parallel, Projection::ToeIn] {
            for eye in Eye::BOTH {
                let img = render(
                    &ds,
                    &rig(projection, 0.0).eye_rays(&cam, N, N, eye).unwrap(),
                );
                let diff = mean_abs_diff(&img.pixels, &mono.pixels, 1);
                assert!(
                    diff < 1e-4 * peak,
                    "{lens:?} {projection:?} {eye:?}: {diff}"
                );
            }
        }
    }
}

#[test]
fn eyes_render_as_the_cpu_reference_does() {
    // Off-axis eyes, and an on-axis perspective eye whose origin lies on the kd-tree's split
    // planes x = y = 0.5, against the independent CPU walk.
    let ds = blobs(&[DVec3::new(0.5, 0.5, 0.5), DVec3::new(0.3, 0.6, 0.8)]);
    let prepared = Prepared::new(&ds, &projection()).unwrap();
    for lens in [Lens::Perspective, Lens::Plane] {
        let cam = camera(lens);
        for (projection, e) in [
            (Projection::Parallel, 0.2),
            (Projection::ToeIn, 0.2),
            (Projection::Parallel, 0.0),
        ] {
            let rays = rig(projection, e).eye_rays(&cam, N, N, Eye::Left).unwrap();
            let gpu = render(&ds, &rays);
            let cpu = reference::render(&ds, &rays, N, N, &prepared);
            let diff = mean_abs_diff(&gpu.pixels, &cpu.pixels, 1);
            let mag = mean_abs_diff(&cpu.pixels, &vec![[0.0; 4]; cpu.pixels.len()], 1);
            eprintln!(
                "{lens:?} {projection:?} e {e}: GPU vs CPU {:.2e} of the mean",
                diff / mag
            );
            assert!(
                diff < 0.01 * mag,
                "{lens:?} {projection:?} e {e}: {diff} vs {mag}"
            );
        }
    }
}

// ---- The command line ----

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/moving7_0010/moving7_0010"
);

fn amrcast(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

fn ok(o: Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn rgb(path: &Path) -> (u32, u32, Vec<[i32; 3]>) {
    let img = image::open(path).unwrap().to_rgb8();
    let (w, h) = img.dimensions();
    (w, h, img.pixels().map(|p| p.0.map(i32::from)).collect())
}

/// Largest channel difference between region `(x0, y0, w, h)` of `a` and all of `b`.
fn max_diff(a: &(u32, u32, Vec<[i32; 3]>), at: (u32, u32), b: &(u32, u32, Vec<[i32; 3]>)) -> i32 {
    let mut worst = 0;
    for y in 0..b.1 {
        for x in 0..b.0 {
            let pa = a.2[((y + at.1) * a.0 + x + at.0) as usize];
            let pb = b.2[(y * b.0 + x) as usize];
            for c in 0..3 {
                worst = worst.max((pa[c] - pb[c]).abs());
            }
        }
    }
    worst
}

#[test]
fn render_writes_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let base = [
        "render",
        DATA,
        "--lens",
        "perspective",
        "--mode",
        "mip",
        "--size",
        "40x30",
        "--stereo",
        "parallel",
        "--eye-separation",
        "0.08",
    ];
    let run = |extra: &[&str]| ok(amrcast(&[&base[..], extra].concat()));
    run(&["-o", &p("pair.png"), "--values", &p("v.npy")]);
    assert!(!dir.path().join("pair.png").exists() && !dir.path().join("v.npy").exists());
    let (l, r) = (
        rgb(&dir.path().join("pair_L.png")),
        rgb(&dir.path().join("pair_R.png")),
    );
    assert_eq!((l.0, l.1, r.0, r.1), (40, 30, 40, 30));
    assert!(max_diff(&l, (0, 0), &r) > 20, "the eyes differ");
    for eye in ["L", "R"] {
        let bytes = std::fs::read(dir.path().join(format!("v_{eye}.npy"))).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        assert_eq!(npy.shape(), &[30, 40]);
    }

    run(&["--stereo-layout", "side-by-side", "-o", &p("sbs.png")]);
    let sbs = rgb(&dir.path().join("sbs.png"));
    assert_eq!((sbs.0, sbs.1), (80, 30));
    assert!(max_diff(&sbs, (0, 0), &l) <= 2 && max_diff(&sbs, (40, 0), &r) <= 2);

    run(&[
        "--stereo-layout",
        "top-bottom",
        "-o",
        &p("tb.png"),
        "--values",
        &p("tv.npy"),
    ]);
    let tb = rgb(&dir.path().join("tb.png"));
    assert_eq!((tb.0, tb.1), (40, 60));
    assert!(max_diff(&tb, (0, 0), &l) <= 2 && max_diff(&tb, (0, 30), &r) <= 2);
    assert!(dir.path().join("tv_L.npy").exists() && dir.path().join("tv_R.npy").exists());

    for layout in ["side-by-side", "top-bottom"] {
        run(&["--stereo-layout", layout, "--half", "-o", &p("half.png")]);
        let half = rgb(&dir.path().join("half.png"));
        assert_eq!((half.0, half.1), (40, 30), "{layout} --half keeps the size");
    }

    run(&["--stereo-layout", "interleaved", "-o", &p("il.png")]);
    let il = rgb(&dir.path().join("il.png"));
    assert_eq!((il.0, il.1), (40, 30));
    for y in 0..30u32 {
        let eye = if y % 2 == 0 { &l } else { &r };
        let row = |img: &(u32, u32, Vec<[i32; 3]>)| img.2[(y * 40) as usize..][..40].to_vec();
        let (a, b) = (row(&il), row(eye));
        assert!(
            a.iter()
                .zip(&b)
                .all(|(p, q)| (0..3).all(|c| (p[c] - q[c]).abs() <= 2)),
            "row {y}"
        );
    }

    run(&[
        "--stereo-layout",
        "anaglyph",
        "--anaglyph",
        "plain",
        "-o",
        &p("ana.png"),
    ]);
    let ana = rgb(&dir.path().join("ana.png"));
    assert_eq!((ana.0, ana.1), (40, 30));
    for k in 0..ana.2.len() {
        assert!(
            (ana.2[k][0] - l.2[k][0]).abs() <= 2,
            "red from the left eye"
        );
        assert!(
            (ana.2[k][1] - r.2[k][1]).abs() <= 2,
            "green from the right eye"
        );
        assert!(
            (ana.2[k][2] - r.2[k][2]).abs() <= 2,
            "blue from the right eye"
        );
    }
    run(&["--stereo-layout", "anaglyph", "-o", &p("dubois.png")]);
    assert_eq!(rgb(&dir.path().join("dubois.png")).0, 40);
}

#[test]
fn bad_stereo_options_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let out = out.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["--stereo-layout", "anaglyph"],
            "--stereo-layout needs --stereo",
        ),
        (
            vec!["--eye-separation", "0.1"],
            "--eye-separation needs --stereo",
        ),
        (
            vec!["--stereo", "parallel", "--half"],
            "--half applies only",
        ),
        (
            vec![
                "--stereo",
                "toe-in",
                "--stereo-layout",
                "anaglyph",
                "--half",
            ],
            "--half applies only",
        ),
        (
            vec!["--stereo", "parallel", "--eye-separation", "-0.1"],
            "eye separation -0.1",
        ),
        (
            vec!["--stereo", "parallel", "--focal-distance", "0"],
            "focal distance 0",
        ),
        (vec!["--stereo", "sideways"], "parallel or toe-in"),
    ] {
        let o = amrcast(&[&["render", DATA, "--size", "8x8", "-o", out][..], &args].concat());
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(!e.contains("panicked"), "{e}");
        assert!(e.contains(needle), "{args:?}: expected '{needle}' in {e}");
        assert_eq!(
            e.trim().lines().filter(|l| l.contains("error")).count(),
            1,
            "{e}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
