//! The library in a few lines: the built-in demo, rendered offscreen with the perspective lens
//! and Gaussian layers, written as a PNG.
//!
//! `cargo run --release --example render_demo -- out.png`

use amrcast::camera::{Camera, Lens, View};
use amrcast::gpu::{render_image, GpuContext, VolumeRenderer};
use amrcast::render::{depth_along, RenderSettings};
use amrcast::transfer::{layers, Colormap, TransferFunction};

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "render_demo.png".into());
    let ds = amrcast::demo::demo_dataset(Some("Density"))?;
    let h = &ds.hierarchy;

    let settings = RenderSettings {
        tf: TransferFunction {
            colormap: Colormap::Magma,
            layers: layers(5, 0.03),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut camera = Camera::framing(
        View::Z,
        Lens::Perspective,
        h.domain_left,
        h.domain_right,
        1.0,
    );
    camera.position = camera.focus
        + (camera.position - camera.focus).length() * glam::DVec3::new(0.5, 0.4, 1.0).normalize();

    let ctx = GpuContext::new()?;
    let renderer = VolumeRenderer::new(&ctx, &ds, &settings)?;
    let (w, hgt) = (400, 400);
    let image = render_image(&ctx, &renderer, &camera.ray_model(w, hgt)?, w, hgt)?;
    let (forward, _, _) = camera.basis()?;
    let rgba = image.to_rgba8(
        &renderer.prepared,
        depth_along(forward, h.domain_left, h.domain_right),
    );
    amrcast::output::write_png_rgba8(std::path::Path::new(&out), w, hgt, &rgba)?;
    println!("wrote {out} on {}", ctx.describe());
    Ok(())
}
