//! Stereo walls on the GPU: tiles stitch into the image of one large screen (with and without
//! bezels), zero disparity on the screen plane and crossed disparity in front of it, a straight
//! rod stays straight and continuous across an angled seam, the window display pass's colours, and the
//! `amrcast wall` command as a user runs it (files, sizes, .pvx import, one-line errors).

mod common;

use amrcast::amr::AmrDataset;
use amrcast::gpu::display::{display_to_rgba8, DisplaySettings, Rect};
use amrcast::gpu::VolumeRenderer;
use amrcast::render::{FloatImage, Mode, RenderSettings};
use amrcast::transfer::{Scale, TransferFunction};
use amrcast::wall::config::DataSpec;
use amrcast::wall::frustum::{project, screen_rays};
use amrcast::wall::offscreen::render_tile;
use amrcast::wall::{Eye, Head, Placement, Screen, Wall, WallState};
use common::{blob, dataset, gpu, hierarchy};
use glam::{DQuat, DVec3};
use std::process::Command;

/// Metres per pixel of every test screen.
const PITCH: f64 = 0.02;
const TILE: [u32; 2] = [48, 32];

fn screen(name: &str, lower_left: DVec3, size: [u32; 2]) -> Screen {
    Screen {
        name: name.into(),
        lower_left,
        lower_right: lower_left + DVec3::X * (size[0] as f64 * PITCH),
        upper_left: lower_left + DVec3::Y * (size[1] as f64 * PITCH),
        size,
        eyes: vec![Eye::Left, Eye::Right],
        monitor: None,
        offset: None,
    }
}

/// A 2 x 2 wall of `TILE` screens in the plane z = 0, with `bezel` pixels of frame between
/// neighbours, centred on the origin; and the virtual screen covering it all at the same pitch.
fn two_by_two(bezel: u32) -> (Wall, Screen) {
    let full = [2 * TILE[0] + bezel, 2 * TILE[1] + bezel];
    let origin = DVec3::new(
        -0.5 * full[0] as f64 * PITCH,
        -0.5 * full[1] as f64 * PITCH,
        0.0,
    );
    let mut screens = Vec::new();
    for row in 0..2u32 {
        for col in 0..2u32 {
            // Row 0 is the top row; lower_left of the top row sits above the bottom row's top.
            let ll = origin
                + DVec3::new(
                    (col * (TILE[0] + bezel)) as f64 * PITCH,
                    ((1 - row) * (TILE[1] + bezel)) as f64 * PITCH,
                    0.0,
                );
            screens.push(screen(&format!("r{row}c{col}"), ll, TILE));
        }
    }
    let wall = Wall {
        head: Head {
            position: DVec3::new(0.15, 0.08, 1.6),
            forward: -DVec3::Z,
            up: DVec3::Y,
            eye_separation: 0.065,
        },
        data: DataSpec::default(),
        screens,
    };
    wall.validate().unwrap();
    (wall, screen("virtual", origin, full))
}

fn amr_blob() -> AmrDataset {
    dataset(hierarchy([16; 3], &[(1, [0.25; 3], [0.75; 3])]), blob)
}

/// `big`'s pixels from (x0, y0), `w` x `h`.
fn crop(big: &FloatImage, x0: u32, y0: u32, w: u32, h: u32) -> Vec<[f32; 4]> {
    let mut out = Vec::new();
    for y in y0..y0 + h {
        let row = (y * big.width) as usize;
        out.extend_from_slice(&big.pixels[row + x0 as usize..row + (x0 + w) as usize]);
    }
    out
}

fn max_abs_diff(a: &[[f32; 4]], b: &[[f32; 4]]) -> f32 {
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| (0..4).map(move |c| (x[c] - y[c]).abs()))
        .fold(0.0, f32::max)
}

fn alpha_sum(p: &[[f32; 4]]) -> f64 {
    p.iter().map(|p| p[3] as f64).sum()
}

/// Renders every tile and the virtual screen for both eyes and compares tile by tile.
fn tiles_match_the_virtual_screen(bezel: u32) {
    let ctx = gpu();
    let ds = amr_blob();
    let (wall, virtual_screen) = two_by_two(bezel);
    let state = wall
        .state(ds.hierarchy.domain_left, ds.hierarchy.domain_right)
        .unwrap();
    // Without jitter: each tile takes its sampling offsets from its own pixels (a wall's
    // screens need not lie in one plane), so with jitter a tile and the same pixels of the
    // virtual screen differ by sampling noise; the geometry is what this test compares.
    let settings = RenderSettings {
        jitter: false,
        ..RenderSettings::default()
    };
    let renderer = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
    let mut worst = (0.0f64, 0.0f32);
    let mut bigs = Vec::new();
    for eye in [Eye::Left, Eye::Right] {
        let big = render_tile(ctx, &renderer, &state, &virtual_screen, eye).unwrap();
        for (n, s) in wall.screens.iter().enumerate() {
            let (row, col) = (n as u32 / 2, n as u32 % 2);
            let tile = render_tile(ctx, &renderer, &state, s, eye).unwrap();
            assert_eq!((tile.width, tile.height), (TILE[0], TILE[1]));
            let want = crop(
                &big,
                col * (TILE[0] + bezel),
                row * (TILE[1] + bezel),
                TILE[0],
                TILE[1],
            );
            // Every tile shows a good part of the blob, so the comparison means something.
            assert!(
                alpha_sum(&want) > 20.0,
                "{} {eye:?}: {}",
                s.name,
                alpha_sum(&want)
            );
            let mean = common::mean_abs_diff(&tile.pixels, &want, 4);
            let max = max_abs_diff(&tile.pixels, &want);
            worst = (worst.0.max(mean), worst.1.max(max));
            assert!(
                mean < 1e-5 && max < 1e-3,
                "bezel {bezel}, {} {eye:?}: mean {mean:.2e} max {max:.2e}",
                s.name
            );
        }
        bigs.push(big);
    }
    eprintln!(
        "bezel {bezel}: worst tile mean diff {:.2e}, max {:.2e}",
        worst.0, worst.1
    );
    // The eyes see different images: stereo is on.
    let stereo = common::mean_abs_diff(&bigs[0].pixels, &bigs[1].pixels, 4);
    assert!(
        stereo > 20.0 * worst.0.max(1e-6),
        "left/right differ by only {stereo:.2e}"
    );
}

#[test]
fn seamless_tiles_stitch_into_one_screen() {
    tiles_match_the_virtual_screen(0);
}

#[test]
fn bezels_hide_the_matching_strip_of_one_large_screen() {
    tiles_match_the_virtual_screen(3);
}

/// Distance between the line `o + t d` and the line `a + s u` (unit `d`, `u`), and `s` at the
/// closest point.
fn line_line(o: DVec3, d: DVec3, a: DVec3, u: DVec3) -> (f64, f64) {
    let w0 = o - a;
    let b = d.dot(u);
    let s = (u.dot(w0) - b * d.dot(w0)) / (1.0 - b * b);
    let t = (b * u.dot(w0) - d.dot(w0)) / (1.0 - b * b);
    ((o + d * t - (a + u * s)).length(), s)
}

#[test]
fn a_rod_stays_straight_and_continuous_across_a_corner() {
    // Two screens meeting at 90 degrees along the edge x = z = -1: the left wall (plane x = -1)
    // and the front wall (plane z = -1), 2 m x 1 m each, with the head at the origin.
    let size = [96, 48];
    let front = Screen {
        name: "front".into(),
        lower_left: DVec3::new(-1.0, -0.5, -1.0),
        lower_right: DVec3::new(1.0, -0.5, -1.0),
        upper_left: DVec3::new(-1.0, 0.5, -1.0),
        size,
        eyes: vec![Eye::Left, Eye::Right],
        monitor: None,
        offset: None,
    };
    let left = Screen {
        name: "side".into(),
        lower_left: DVec3::new(-1.0, -0.5, 1.0),
        lower_right: DVec3::new(-1.0, -0.5, -1.0),
        upper_left: DVec3::new(-1.0, 0.5, 1.0),
        ..front.clone()
    };
    let wall = Wall {
        head: Head {
            position: DVec3::ZERO,
            forward: -DVec3::Z,
            up: DVec3::Y,
            eye_separation: 0.065,
        },
        data: DataSpec::default(),
        screens: vec![left.clone(), front.clone()],
    };
    wall.validate().unwrap();
    // The unit cube, 1 m wide, centred on the corner's diagonal; a thin rod through its centre.
    let placement = Placement {
        focus: DVec3::new(-0.6, 0.0, -0.6),
        center: DVec3::splat(0.5),
        scale: 1.0,
        orientation: DQuat::IDENTITY,
    };
    let dir = DVec3::new(1.0, 0.2, -1.0).normalize();
    let sigma = 0.02;
    let ds = dataset(hierarchy([64; 3], &[]), |p| {
        let w = p - DVec3::splat(0.5);
        let d2 = (w - dir * w.dot(dir)).length_squared();
        (1e-3 + (-d2 / (2.0 * sigma * sigma)).exp()) as f32
    });
    let settings = RenderSettings {
        mode: Mode::Mip,
        tf: TransferFunction {
            scale: Scale::Linear,
            ..Default::default()
        },
        samples_per_cell: 2.0,
        ..Default::default()
    };
    let ctx = gpu();
    let renderer = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
    let rod_point = placement.to_wall(DVec3::splat(0.5));
    let rod_dir = dir; // identity orientation, scale 1
    for eye in [Eye::Left, Eye::Right] {
        let state = WallState {
            head: wall.head,
            placement,
        };
        let e = wall.head.eye(eye);
        // Per screen: the rod pixels' closest rod parameters next to the seam, and their rows.
        let mut at_seam = Vec::new();
        for (s, seam_col) in [(&left, size[0] - 1), (&front, 0)] {
            let img = render_tile(ctx, &renderer, &state, s, eye).unwrap();
            let rays = screen_rays(s.lower_left, s.lower_right, s.upper_left, s.size, e);
            let mut count = 0;
            let mut worst: f64 = 0.0;
            let (mut rows, mut params) = (Vec::new(), Vec::new());
            for y in 0..size[1] {
                for x in 0..size[0] {
                    let v = img.pixels[(y * size[0] + x) as usize][0];
                    if v < 0.5 {
                        continue;
                    }
                    count += 1;
                    let (o, d) = rays.ray(x as f64 + 0.5, y as f64 + 0.5);
                    let (dist, sp) = line_line(o, d, rod_point, rod_dir);
                    worst = worst.max(dist);
                    if x == seam_col {
                        rows.push(y as f64 + 0.5);
                        params.push(sp);
                    }
                }
            }
            // Every bright pixel looks at the rod: its ray passes within the rod's half-maximum
            // radius (1.18 sigma) plus a little for the trilinear sampling.
            assert!(count > 20, "{} {eye:?}: {count} rod pixels", s.name);
            assert!(
                worst < 1.5 * sigma,
                "{} {eye:?}: a bright pixel's ray passes {worst:.4} m from the rod",
                s.name
            );
            assert!(
                !rows.is_empty(),
                "{} {eye:?}: the rod does not reach the seam",
                s.name
            );
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            // Where the rod meets the seam on this screen: the projection of the rod's point on
            // the plane through the eye and the corner edge.
            at_seam.push((s.name.clone(), mean(&rows), mean(&params)));
        }
        // The rod crosses the seam at the same height on both screens and the same point of the
        // rod is seen on both sides of the edge: continuous.
        let (l, f) = (&at_seam[0], &at_seam[1]);
        eprintln!(
            "{eye:?}: side row {:.2} s {:.4}, front row {:.2} s {:.4}",
            l.1, l.2, f.1, f.2
        );
        assert!((l.1 - f.1).abs() < 0.5, "{eye:?}: rows {} vs {}", l.1, f.1);
        assert!(
            (l.2 - f.2).abs() < 0.03,
            "{eye:?}: rod parameters {} vs {}",
            l.2,
            f.2
        );
        // And that is where the rod really crosses the plane through the eye and the edge.
        let edge = DVec3::new(-1.0, 0.0, -1.0) - e;
        let n = edge.cross(DVec3::Y);
        let s_cross = (e - rod_point).dot(n) / rod_dir.dot(n);
        let p = rod_point + rod_dir * s_cross;
        let row = project(
            &screen_rays(
                front.lower_left,
                front.lower_right,
                front.upper_left,
                size,
                e,
            ),
            p,
        )
        .unwrap()
        .y;
        assert!(
            (f.1 - row).abs() < 1.0,
            "{eye:?}: seam row {} vs predicted {row}",
            f.1
        );
        assert!(
            (f.2 - s_cross).abs() < 0.03,
            "{eye:?}: {} vs {s_cross}",
            f.2
        );
    }
}

#[test]
fn rendered_disparity_is_zero_on_the_screen_and_crossed_in_front() {
    // A small blob seen through one screen 2 m away: at the screen's plane both eyes see it at
    // the same place; 0.5 m in front of it the left eye sees it further right, by
    // e (Z - D) / Z on the screen, and never higher or lower.
    let ctx = gpu();
    let ds = dataset(hierarchy([32; 3], &[]), |p| {
        (1e-3 + (-(p - DVec3::splat(0.5)).length_squared() / (2.0 * 0.05 * 0.05)).exp()) as f32
    });
    let settings = RenderSettings {
        mode: Mode::Mip,
        tf: TransferFunction {
            scale: Scale::Linear,
            ..Default::default()
        },
        samples_per_cell: 2.0,
        ..Default::default()
    };
    let renderer = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
    let size = [64, 48];
    let s = screen("s", DVec3::new(-0.64, -0.48, 0.0), size);
    let (d, e) = (2.0, 0.065);
    let head = Head {
        position: DVec3::new(0.0, 0.0, d),
        forward: -DVec3::Z,
        up: DVec3::Y,
        eye_separation: e,
    };
    let centroid = |img: &FloatImage| {
        let (mut sw, mut sx, mut sy) = (0.0, 0.0, 0.0);
        for (n, p) in img.pixels.iter().enumerate() {
            let w = (p[0] as f64 - 0.01).max(0.0);
            sw += w;
            sx += w * ((n % size[0] as usize) as f64 + 0.5);
            sy += w * ((n / size[0] as usize) as f64 + 0.5);
        }
        assert!(sw > 1.0, "the blob is visible");
        (sx / sw, sy / sw)
    };
    for z in [0.0, 0.5] {
        let state = WallState {
            head,
            placement: Placement {
                focus: DVec3::new(0.1, -0.05, z),
                center: DVec3::splat(0.5),
                scale: 0.5,
                orientation: DQuat::IDENTITY,
            },
        };
        let l = centroid(&render_tile(ctx, &renderer, &state, &s, Eye::Left).unwrap());
        let r = centroid(&render_tile(ctx, &renderer, &state, &s, Eye::Right).unwrap());
        let want = e * ((d - z) - d) / (d - z) / PITCH;
        eprintln!(
            "blob at z = {z}: disparity {:.3} px (expected {want:.3}), vertical {:.4}",
            r.0 - l.0,
            r.1 - l.1
        );
        assert!(
            (r.0 - l.0 - want).abs() < 0.1,
            "z {z}: {l:?} {r:?}, want {want}"
        );
        assert!((r.1 - l.1).abs() < 0.02, "z {z}: {l:?} {r:?}");
    }
}

#[test]
fn window_display_shows_the_colours_of_the_png() {
    // Two outputs side by side in one window target, as --single-window draws them; the display
    // pass
    // must give the PNG's colours in every mode, on plain and sRGB surfaces.
    let ctx = gpu();
    let ds = amr_blob();
    let (wall, _) = two_by_two(0);
    let state = wall
        .state(ds.hierarchy.domain_left, ds.hierarchy.domain_right)
        .unwrap();
    let outputs = [
        (&wall.screens[0], Eye::Left),
        (&wall.screens[1], Eye::Right),
    ];
    for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
        let settings = RenderSettings {
            mode,
            ..Default::default()
        };
        let renderer = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
        let depth = amrcast::wall::offscreen::projection_depth(
            &state,
            ds.hierarchy.domain_left,
            ds.hierarchy.domain_right,
        );
        let target = amrcast::gpu::OffscreenTarget::new(ctx, 2 * TILE[0], TILE[1]).unwrap();
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        for (n, (s, eye)) in outputs.iter().enumerate() {
            renderer.encode(
                ctx,
                &mut enc,
                &amrcast::gpu::RenderTarget {
                    view: &target.view,
                    offset: [n as u32 * TILE[0], 0],
                    size: TILE,
                },
                &state.rays(s, *eye),
            );
        }
        ctx.queue.submit([enc.finish()]);
        for format in [
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureFormat::Rgba8UnormSrgb,
        ] {
            let whole = Rect {
                offset: [0, 0],
                size: [2 * TILE[0], TILE[1]],
            };
            let shown = display_to_rgba8(
                ctx,
                &target.view,
                whole,
                whole.size,
                &DisplaySettings::new(&renderer.prepared, depth),
                format,
            )
            .unwrap();
            let mut worst = 0i32;
            let mut lit = 0;
            for (n, (s, eye)) in outputs.iter().enumerate() {
                let png = render_tile(ctx, &renderer, &state, s, *eye)
                    .unwrap()
                    .to_rgba8(&renderer.prepared, depth);
                for y in 0..TILE[1] as usize {
                    for x in 0..TILE[0] as usize {
                        let a = &png[(y * TILE[0] as usize + x) * 4..][..3];
                        let wx = n * TILE[0] as usize + x;
                        let b = &shown[(y * 2 * TILE[0] as usize + wx) * 4..][..3];
                        for c in 0..3 {
                            worst = worst.max((a[c] as i32 - b[c] as i32).abs());
                        }
                        lit += a.iter().any(|&c| c > 40) as usize;
                    }
                }
            }
            assert!(lit > 200, "{mode:?}: only {lit} lit pixels");
            assert!(
                worst <= 2,
                "{mode:?} {format:?}: colours differ by {worst}/255"
            );
        }
    }
}

// ---- the command ----

fn amrcast(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_amrcast"))
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_clean_failure(o: &std::process::Output, needle: &str) {
    let e = stderr(o);
    assert!(!o.status.success(), "should fail: {e}");
    assert!(!e.contains("panicked") && !e.contains("backtrace"), "{e}");
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert!(e.contains(needle), "expected '{needle}' in: {e}");
}

const WALL: &str = r#"
[viewer]
position = [0.0, 0.0, 2.5]
eye_separation = 0.065

[data]
scale = 1.5

[[screen]]
name = "left"
lower_left = [-1.02, -0.5, 0.0]
lower_right = [-0.02, -0.5, 0.0]
upper_left = [-1.02, 0.5, 0.0]
size = [40, 40]
eyes = ["left", "right"]

[[screen]]
name = "right"
lower_left = [0.02, -0.5, 0.0]
lower_right = [1.02, -0.5, 0.0]
upper_left = [0.02, 0.5, 0.0]
size = [48, 32]
"#;

#[test]
fn wall_command_writes_every_screen_and_eye() {
    let dir = tempfile::tempdir().unwrap();
    let wall = dir.path().join("wall.toml");
    std::fs::write(&wall, WALL).unwrap();
    let out = dir.path().join("tiles");
    let w = wall.to_str().unwrap();
    let o = amrcast(&["wall", w, "--offscreen", out.to_str().unwrap(), "--values"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "left_left.npy",
            "left_left.png",
            "left_right.npy",
            "left_right.png",
            "right_mono.npy",
            "right_mono.png",
            "wall-state.json"
        ]
    );
    let img = image::open(out.join("right_mono.png")).unwrap();
    assert_eq!((img.width(), img.height()), (48, 32));
    let l = image::open(out.join("left_left.png")).unwrap().to_rgb8();
    let r = image::open(out.join("left_right.png")).unwrap().to_rgb8();
    assert_eq!((l.width(), l.height()), (40, 40));
    // The demo is visible, and the two eyes differ.
    assert!(l.pixels().any(|p| p.0.iter().any(|&c| c > 60)));
    assert!(l.pixels().zip(r.pixels()).any(|(a, b)| a != b));
    let npy = std::fs::read(out.join("left_left.npy")).unwrap();
    let npy = npyz::NpyFile::new(&npy[..]).unwrap();
    assert_eq!(npy.shape(), &[40, 40, 4]);
    // The state file reads back as the head and placement used.
    let state: WallState =
        serde_json::from_str(&std::fs::read_to_string(out.join("wall-state.json")).unwrap())
            .unwrap();
    assert_eq!(state.head.position, DVec3::new(0.0, 0.0, 2.5));
    assert_eq!(state.placement.scale, 1.5);

    // --screens and --head.
    let only = dir.path().join("only");
    let o = amrcast(&[
        "wall",
        w,
        "--offscreen",
        only.to_str().unwrap(),
        "--screens",
        "right",
        "--head",
        "0.3,0.1,1.5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(only.join("right_mono.png").is_file() && !only.join("left_left.png").exists());
    let state: WallState =
        serde_json::from_str(&std::fs::read_to_string(only.join("wall-state.json")).unwrap())
            .unwrap();
    assert_eq!(state.head.position, DVec3::new(0.3, 0.1, 1.5));
}

#[test]
fn wall_command_imports_pvx() {
    let dir = tempfile::tempdir().unwrap();
    let pvx = dir.path().join("cave.pvx");
    std::fs::write(
        &pvx,
        r#"<?xml version="1.0" ?>
<pvx>
  <Process Type="server">
    <EyeSeparation Value="0.06"/>
    <Machine Name="localhost" Environment="DISPLAY=:0" Geometry="40x24+0+0"
             LowerLeft="-1 -0.6 -1" LowerRight="1 -0.6 -1" UpperRight="1 0.6 -1"/>
    <Machine Name="localhost" Environment="DISPLAY=:1" Geometry="40x24+40+0" StereoType="Right"
             LowerLeft="-1 -0.6 1" LowerRight="-1 -0.6 -1" UpperRight="-1 0.6 -1"/>
  </Process>
</pvx>
"#,
    )
    .unwrap();
    let out = dir.path().join("o");
    let o = amrcast(&[
        "wall",
        pvx.to_str().unwrap(),
        "--offscreen",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["localhost-1_mono.png", "localhost-2_right.png"] {
        let img = image::open(out.join(f)).unwrap();
        assert_eq!((img.width(), img.height()), (40, 24), "{f}");
    }
}

#[test]
fn wall_command_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let bad = write(
        "bad.toml",
        &WALL.replace(
            "upper_left = [0.02, 0.5, 0.0]",
            "upper_left = [0.04, 0.5, 0.0]",
        ),
    );
    assert_clean_failure(
        &amrcast(&["wall", &bad, "--offscreen", out]),
        "bad.toml: screen \"right\": corners are not a rectangle (angle at lower_left is 88.9 deg)",
    );
    let typo = write("typo.toml", &WALL.replace("eyes = [", "eye = ["));
    assert_clean_failure(
        &amrcast(&["wall", &typo, "--offscreen", out]),
        "typo.toml: line 15: unknown field `eye`",
    );
    let good = write("good.toml", WALL);
    assert_clean_failure(
        &amrcast(&["wall", &good, "--offscreen", out, "--head", "0,0,-1"]),
        "good.toml: --head 0,0,-1: screen \"left\": the viewer's left eye",
    );
    // The wall's views come from its screens: it takes no camera options at all, so the
    // command-line parser refuses them (with its usage lines).
    let o = amrcast(&["wall", &good, "--offscreen", out, "--fov", "40"]);
    let e = stderr(&o);
    assert!(!o.status.success() && !e.contains("panicked"), "{e}");
    assert!(e.contains("unexpected argument '--fov'"), "{e}");
    assert_clean_failure(
        &amrcast(&["wall", &good, "--offscreen", out, "--screens", "middle"]),
        "good.toml: --screens: no screen named \"middle\" (screens: left, right)",
    );
    assert_clean_failure(
        &amrcast(&[
            "wall",
            &write("x.pvx", "<pvx><Machine Name=\"a\"/></pvx>"),
            "--offscreen",
            out,
        ]),
        "x.pvx: line 1: Machine \"a\": no LowerLeft attribute",
    );
    assert!(
        !std::path::Path::new(out).exists(),
        "nothing written on bad input"
    );
}
