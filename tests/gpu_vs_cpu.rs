//! The GPU ray caster against the CPU reference.

mod common;
use amrcast::camera::{Camera, Lens, View};
use amrcast::gpu::{render_image, VolumeRenderer};
use amrcast::reference;
use amrcast::render::{Mode, RenderSettings};
use common::*;
use glam::DVec3;

#[test]
fn blob_matches_reference_in_every_mode_and_lens() {
    let ctx = gpu();
    let h = hierarchy(
        [16, 16, 16],
        &[
            (1, [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]),
            (2, [0.375, 0.375, 0.375], [0.625, 0.625, 0.625]),
        ],
    );
    let ds = dataset(h, blob);
    for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
        for lens in [Lens::Plane, Lens::Perspective] {
            let settings = RenderSettings {
                mode,
                ..Default::default()
            };
            let r = VolumeRenderer::new(ctx, &ds, &settings).unwrap();
            let mut cam = Camera::framing(View::Z, lens, DVec3::ZERO, DVec3::ONE, 1.0);
            cam.position = cam.focus
                + (cam.position - cam.focus).length() * DVec3::new(0.3, 0.4, 1.0).normalize();
            let rays = cam.ray_model(48, 48).unwrap();
            let g = render_image(ctx, &r, &rays, 48, 48).unwrap();
            let c = reference::render(&ds, &rays, 48, 48, &r.prepared);
            let channels = if mode == Mode::Composite { 4 } else { 1 };
            let err = mean_abs_diff(&g.pixels, &c.pixels, channels);
            let scale = mean_abs_diff(&c.pixels, &vec![[0.0; 4]; c.pixels.len()], channels);
            eprintln!("{mode:?} {lens:?}: mean error {err:.3e}, mean value {scale:.3e}");
            assert!(scale > 0.0);
            assert!(
                err < 0.01 * scale,
                "{mode:?} {lens:?}: mean error {err} vs mean {scale}"
            );
        }
    }
}
