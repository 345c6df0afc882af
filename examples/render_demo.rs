//! The library in a few lines: the built-in demo, rendered offscreen with the perspective lens
//! and Gaussian layers, written as a PNG.
//!
//! `cargo run --release --example render_demo -- out.png`

use amrcast::camera::{Camera, Lens, View};
use amrcast::render::RenderSettings;
use amrcast::session::{write_images, DataSpec, Outputs, Session};
use amrcast::transfer::{layers, Colormap, TransferFunction};
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "render_demo.png".into());
    let settings = RenderSettings {
        tf: TransferFunction {
            colormap: Colormap::Magma,
            layers: layers(5, 0.03),
            ..Default::default()
        },
        ..Default::default()
    };
    let demo = DataSpec {
        field: Some("Density".into()),
        ..Default::default()
    };
    let session = Session::open(&demo, &settings)?;
    let (lo, hi) = session.domain;
    let mut camera = Camera::framing(View::Z, Lens::Perspective, lo, hi, 1.0);
    camera.position = camera.focus
        + (camera.position - camera.focus).length() * glam::DVec3::new(0.5, 0.4, 1.0).normalize();

    let image = session.render(&camera, (400, 400))?;
    write_images(&[image], &Outputs::new(Path::new(&out), None, None))?;
    println!("wrote {out} on {}", session.ctx.describe());
    Ok(())
}
