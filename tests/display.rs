//! The display pass (shaders/display.wgsl) against the CPU colour conversion
//! (`FloatImage::to_rgba8`): every mode, linear and sRGB targets, upscaled images, and
//! anaglyphs against `stereo::compose`.

mod common;
use amrcast::camera::{Camera, Lens, View};
use amrcast::gpu::display::{display_pair_to_rgba8, display_to_rgba8, DisplaySettings, Rect};
use amrcast::gpu::{OffscreenTarget, VolumeRenderer};
use amrcast::render::{depth_along, FloatImage, Mode, RenderSettings};
use amrcast::stereo::{compose, Anaglyph, Eye, Packing, Projection, StereoRig};
use amrcast::transfer::{Colormap, Scale, TransferFunction};
use common::*;

const N: u32 = 64;

/// Renders the demo into the top-left `N` x `N` region of a larger float target (so the region
/// offset is exercised), returns the target, the CPU image and its display settings.
fn render(
    settings: &RenderSettings,
    lens: Lens,
) -> (OffscreenTarget, FloatImage, DisplaySettings, Vec<u8>) {
    let ctx = gpu();
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let mut cam = Camera::framing(View::X, lens, lo, hi, 1.0);
    cam = amrcast::viewer::camera_control::orbit(&cam, 0.4, 0.3);
    let renderer = VolumeRenderer::new(ctx, &ds, settings).unwrap();
    let target = OffscreenTarget::new(ctx, N + 7, N + 5).unwrap();
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    renderer.encode(
        ctx,
        &mut enc,
        &amrcast::gpu::RenderTarget {
            view: &target.view,
            offset: [7, 5],
            size: [N, N],
        },
        &cam.ray_model(N, N).unwrap(),
    );
    ctx.queue.submit([enc.finish()]);
    let all = target.read(ctx).unwrap();
    let w = (N + 7) as usize;
    let pixels = (0..N as usize)
        .flat_map(|y| all[(y + 5) * w + 7..(y + 5) * w + 7 + N as usize].to_vec())
        .collect();
    let image = FloatImage {
        width: N,
        height: N,
        mode: settings.mode,
        pixels,
    };
    let (f, _, _) = cam.basis().unwrap();
    let depth = depth_along(f, lo, hi);
    let cpu = image.to_rgba8(&renderer.prepared, depth);
    let display = DisplaySettings::new(&renderer.prepared, depth);
    (target, image, display, cpu)
}

fn region() -> Rect {
    Rect {
        offset: [7, 5],
        size: [N, N],
    }
}

/// Largest and mean absolute difference over the colour channels.
fn diff(a: &[u8], b: &[u8]) -> (u8, f64) {
    assert_eq!(a.len(), b.len());
    let (mut max, mut sum, mut n) = (0u8, 0u64, 0u64);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if i % 4 == 3 {
            assert_eq!(*x, 255);
            continue;
        }
        let d = x.abs_diff(*y);
        max = max.max(d);
        sum += d as u64;
        n += 1;
    }
    (max, sum as f64 / n as f64)
}

#[test]
fn display_pass_matches_the_cpu_conversion_in_every_mode() {
    let ctx = gpu();
    for (mode, scale, lens) in [
        (Mode::Composite, Scale::Log, Lens::Perspective),
        (Mode::Mip, Scale::Log, Lens::Plane),
        (Mode::Mip, Scale::Linear, Lens::Perspective),
        (Mode::Projection, Scale::Log, Lens::Plane),
        (Mode::Projection, Scale::Linear, Lens::Plane),
    ] {
        let settings = RenderSettings {
            mode,
            tf: TransferFunction {
                colormap: Colormap::Inferno,
                scale,
                // The linear scale over the whole range would put most pixels in one colour.
                bounds: (scale == Scale::Linear).then_some((0.0, 2.0)),
                opacity: 4.0,
                ..Default::default()
            },
            ..Default::default()
        };
        let (target, _, display, cpu) = render(&settings, lens);
        // The image has content: not one colour.
        let distinct: std::collections::HashSet<&[u8]> = cpu.chunks(4).collect();
        assert!(distinct.len() > 10, "{mode:?}: {} colours", distinct.len());
        for format in [
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureFormat::Rgba8UnormSrgb,
        ] {
            let gpu_bytes =
                display_to_rgba8(ctx, &target.view, region(), [N, N], &display, format).unwrap();
            let (max, mean) = diff(&gpu_bytes, &cpu);
            eprintln!("{mode:?} {scale:?} {format:?}: max {max}, mean {mean:.3}");
            // The colormap is a 1024-sample table on the GPU and continuous on the CPU; sRGB
            // targets round twice.
            assert!(
                max <= 3,
                "{mode:?} {scale:?} {format:?}: max difference {max}"
            );
            assert!(
                mean < 0.3,
                "{mode:?} {scale:?} {format:?}: mean difference {mean}"
            );
        }
    }
}

#[test]
fn upscaled_images_interpolate_between_neighbouring_pixels() {
    let ctx = gpu();
    let settings = RenderSettings {
        mode: Mode::Mip,
        ..Default::default()
    };
    let (target, _, display, cpu) = render(&settings, Lens::Plane);
    // Three times the size: pixel (3i + 1, 3j + 1) sits on the centre of source pixel (i, j);
    // every pixel lies within the range of the source pixels around it.
    let m = 3 * N;
    let up = display_to_rgba8(
        ctx,
        &target.view,
        region(),
        [m, m],
        &display,
        wgpu::TextureFormat::Rgba8Unorm,
    )
    .unwrap();
    let src = |x: u32, y: u32, c: usize| cpu[((y.min(N - 1) * N + x.min(N - 1)) * 4) as usize + c];
    let mut worst = 0u8;
    for y in 0..m {
        for x in 0..m {
            for c in 0..3 {
                let v = up[((y * m + x) * 4) as usize + c];
                if x % 3 == 1 && y % 3 == 1 {
                    worst = worst.max(v.abs_diff(src(x / 3, y / 3, c)));
                }
                // Neighbouring source pixels of this output pixel.
                let (sx, sy) = ((x as f64 + 0.5) / 3.0 - 0.5, (y as f64 + 0.5) / 3.0 - 0.5);
                let (x0, y0) = (sx.floor().max(0.0) as u32, sy.floor().max(0.0) as u32);
                let near = [
                    src(x0, y0, c),
                    src(x0 + 1, y0, c),
                    src(x0, y0 + 1, c),
                    src(x0 + 1, y0 + 1, c),
                ];
                let (lo, hi) = (*near.iter().min().unwrap(), *near.iter().max().unwrap());
                assert!(
                    v + 3 >= lo && v <= hi.saturating_add(3),
                    "pixel ({x}, {y}) channel {c}: {v} outside {lo}..{hi}"
                );
            }
        }
    }
    assert!(worst <= 3, "centres differ by {worst}");
}

#[test]
fn display_shader_is_the_one_validated_by_naga() {
    // tests/shaders.rs validates every file in shaders/; the pass compiles that same file.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders/display.wgsl");
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        amrcast::gpu::display::DISPLAY_WGSL
    );
}

#[test]
fn anaglyphs_match_the_cpu_composition() {
    let ctx = gpu();
    let ds = amrcast::demo::demo_dataset(None).unwrap();
    let (lo, hi) = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let cam = amrcast::viewer::camera_control::orbit(
        &Camera::framing(View::X, Lens::Perspective, lo, hi, 1.0),
        0.4,
        0.3,
    );
    let settings = RenderSettings {
        tf: TransferFunction {
            opacity: 4.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let renderer = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
    // A wide separation, so the eyes differ visibly. Left eye at x 0, right eye at x N.
    let rig = StereoRig {
        eye_separation: Some(0.3),
        ..StereoRig::new(Projection::Parallel)
    };
    let target = OffscreenTarget::new(ctx, 2 * N, N).unwrap();
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    for (i, eye) in Eye::BOTH.into_iter().enumerate() {
        renderer.encode(
            ctx,
            &mut enc,
            &amrcast::gpu::RenderTarget {
                view: &target.view,
                offset: [i as u32 * N, 0],
                size: [N, N],
            },
            &rig.eye_rays(&cam, N, N, eye).unwrap(),
        );
    }
    ctx.queue.submit([enc.finish()]);
    let all = target.read(ctx).unwrap();
    let (f, _, _) = cam.basis().unwrap();
    let depth = depth_along(f, lo, hi);
    let eye = |x0: usize| {
        let pixels = (0..N as usize)
            .flat_map(|y| all[y * 2 * N as usize + x0..][..N as usize].to_vec())
            .collect();
        FloatImage {
            width: N,
            height: N,
            mode: settings.mode,
            pixels,
        }
        .to_rgba8(&renderer.prepared, depth)
    };
    let (left, right) = (eye(0), eye(N as usize));
    let (eyes_max, _) = diff(&left, &right);
    assert!(eyes_max > 15, "the eyes differ: {eyes_max}");
    let display = DisplaySettings::new(&renderer.prepared, depth);
    let src = Rect {
        offset: [0, 0],
        size: [N, N],
    };
    for kind in [Anaglyph::Dubois, Anaglyph::Plain] {
        let (cpu, _, _) = compose(Packing::Anaglyph(kind), &left, &right, N, N).unwrap();
        let red: u64 = cpu.chunks(4).map(|p| p[0] as u64).sum();
        assert!(red > 0, "{kind:?}: not black");
        for format in [
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureFormat::Rgba8UnormSrgb,
        ] {
            let gpu_bytes = display_pair_to_rgba8(
                ctx,
                &target.view,
                src,
                Some(([N, 0], kind)),
                [N, N],
                &display,
                format,
            )
            .unwrap();
            let (max, mean) = diff(&gpu_bytes, &cpu);
            eprintln!("anaglyph {kind:?} {format:?}: max {max}, mean {mean:.3}");
            assert!(max <= 3, "{kind:?} {format:?}: max difference {max}");
            assert!(mean < 0.3, "{kind:?} {format:?}: mean difference {mean}");
        }
    }
}
