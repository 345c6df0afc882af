//! The ray caster's per-frame state: renders recorded into one submission each keep their own
//! parameters and tile lists, and frame after frame the renderer reuses what it made.

mod common;
use amrcast::camera::{Camera, Lens, RayModel, View};
use amrcast::gpu::{render_image, GpuContext, OffscreenTarget, RenderTarget, VolumeRenderer};
use amrcast::render::{FloatImage, RenderSettings};
use amrcast::transfer::TransferFunction;
use common::*;
use glam::DVec3;

fn renderer(settings: &RenderSettings) -> VolumeRenderer {
    let h = hierarchy(
        [16, 16, 16],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]),
            (2, [0.375, 0.375, 0.375], [0.625, 0.625, 0.5]),
        ],
    );
    VolumeRenderer::new(gpu(), &dataset(h, blob), settings).unwrap()
}

/// A camera looking at the unit cube from a direction turned by `angle` about y.
fn camera(lens: Lens, angle: f64) -> Camera {
    let mut cam = Camera::framing(View::Z, lens, DVec3::ZERO, DVec3::ONE, 1.0);
    let d = (cam.position - cam.focus).length();
    cam.position = cam.focus + d * DVec3::new(angle.sin(), 0.3, angle.cos()).normalize();
    cam
}

/// The pixels of `size` at `offset` in an image `width` wide.
fn region(pixels: &[[f32; 4]], width: u32, offset: [u32; 2], size: [u32; 2]) -> Vec<[f32; 4]> {
    (offset[1]..offset[1] + size[1])
        .flat_map(|y| {
            let row = (y * width + offset[0]) as usize;
            pixels[row..row + size[0] as usize].to_vec()
        })
        .collect()
}

/// Two renders into two regions of one target, side by side, each `sizes[i]`: recorded into
/// one encoder when `one_encoder`, else into two encoders submitted together. Returns the
/// target's pixels and its width.
fn render_pair(
    ctx: &GpuContext,
    r: &VolumeRenderer,
    rays: [&RayModel; 2],
    sizes: [[u32; 2]; 2],
    one_encoder: bool,
) -> (Vec<[f32; 4]>, u32) {
    let width = sizes[0][0] + sizes[1][0];
    let target = OffscreenTarget::new(ctx, width, sizes[0][1].max(sizes[1][1])).unwrap();
    let offsets = [[0, 0], [sizes[0][0], 0]];
    let mut encoders = vec![ctx.device.create_command_encoder(&Default::default())];
    for i in 0..2 {
        if i == 1 && !one_encoder {
            encoders.push(ctx.device.create_command_encoder(&Default::default()));
        }
        let region = RenderTarget {
            view: &target.view,
            offset: offsets[i],
            size: sizes[i],
        };
        r.encode(ctx, encoders.last_mut().unwrap(), &region, rays[i]);
    }
    ctx.queue.submit(encoders.into_iter().map(|e| e.finish()));
    (target.read(ctx).unwrap(), width)
}

#[test]
fn renders_sharing_a_submission_equal_renders_made_alone() {
    let ctx = gpu();
    let r = renderer(&RenderSettings::default());
    let sizes = [[40, 32], [24, 36]];
    let rays = [
        camera(Lens::Perspective, 0.4)
            .ray_model(sizes[0][0], sizes[0][1])
            .unwrap(),
        camera(Lens::Plane, -1.1)
            .ray_model(sizes[1][0], sizes[1][1])
            .unwrap(),
    ];
    let alone: Vec<FloatImage> = (0..2)
        .map(|i| render_image(ctx, &r, &rays[i], sizes[i][0], sizes[i][1]).unwrap())
        .collect();
    let common = |i: usize| region(&alone[i].pixels, sizes[i][0], [0, 0], [24, 32]);
    assert_ne!(common(0), common(1), "the two renders must differ");
    for one_encoder in [true, false] {
        let (pixels, width) = render_pair(ctx, &r, [&rays[0], &rays[1]], sizes, one_encoder);
        for (i, offset) in [[0, 0], [sizes[0][0], 0]].into_iter().enumerate() {
            assert!(
                region(&pixels, width, offset, sizes[i]) == alone[i].pixels,
                "render {i} differs from its render alone (one encoder: {one_encoder})"
            );
        }
    }
}

#[test]
fn frames_reuse_the_renderers_per_frame_resources() {
    let ctx = gpu();
    let r = renderer(&RenderSettings::default());
    let target = OffscreenTarget::new(ctx, 48, 40).unwrap();
    let frame = |angle: f64| {
        let rays = camera(Lens::Perspective, angle).ray_model(48, 40).unwrap();
        target.render(ctx, &r, &rays).unwrap()
    };
    frame(0.0);
    let warm = r.frame_allocations();
    assert_eq!((warm.slots, warm.bind_groups), (1, 1), "{warm:?}");
    for i in 1..20 {
        frame(i as f64 * 0.3);
    }
    assert_eq!(r.frame_allocations(), warm);

    // Two renders per submission, frame after frame: two slots, made once.
    let rays = camera(Lens::Plane, 0.7).ray_model(16, 16).unwrap();
    for _ in 0..10 {
        render_pair(ctx, &r, [&rays, &rays], [[16, 16], [16, 16]], true);
    }
    let pairs = r.frame_allocations();
    assert_eq!(pairs.slots, 2, "{pairs:?}");
    for _ in 0..5 {
        render_pair(ctx, &r, [&rays, &rays], [[16, 16], [16, 16]], true);
    }
    let again = r.frame_allocations();
    assert_eq!(again.slots, 2, "{again:?}");
}

#[test]
fn list_textures_grow_for_a_larger_frame_and_are_kept() {
    let ctx = gpu();
    let r = renderer(&RenderSettings::default());
    let render = |n: u32| {
        let rays = camera(Lens::Perspective, 0.5).ray_model(n, n).unwrap();
        render_image(ctx, &r, &rays, n, n).unwrap()
    };
    let small = render(16);
    let before = r.frame_allocations();
    render(600);
    let grown = r.frame_allocations();
    assert!(
        grown.regrown_textures > before.regrown_textures,
        "{grown:?}"
    );
    assert_eq!(render(16).pixels, small.pixels);
    render(600);
    let after = r.frame_allocations();
    assert_eq!(after.slots, 1, "{after:?}");
    assert_eq!(after.regrown_textures, grown.regrown_textures, "{after:?}");
}

#[test]
fn new_settings_apply_to_the_next_render_with_the_same_target() {
    let ctx = gpu();
    let mut r = renderer(&RenderSettings::default());
    let target = OffscreenTarget::new(ctx, 32, 32).unwrap();
    let rays = camera(Lens::Perspective, 0.2).ray_model(32, 32).unwrap();
    let first = target.render(ctx, &r, &rays).unwrap();
    let settings = RenderSettings {
        tf: TransferFunction {
            bounds: Some((1e-2, 5.0)),
            ..Default::default()
        },
        ..Default::default()
    };
    r.set_settings(ctx, &settings).unwrap();
    let updated = target.render(ctx, &r, &rays).unwrap();
    let fresh = render_image(ctx, &renderer(&settings), &rays, 32, 32).unwrap();
    assert_ne!(updated.pixels, first.pixels);
    assert!(updated.pixels == fresh.pixels);
}

#[test]
fn the_renderer_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<VolumeRenderer>();
}
