//! Rendering a wall without windows: every screen and eye into a float image, then to files
//! `<screen>_<eye>.png` (and `.npy` with the raw values), written atomically.

use crate::error::Result;
use crate::gpu::{render_image, GpuContext, VolumeRenderer};
use crate::render::{depth_along, FloatImage};
use crate::wall::config::{Eye, Screen, Wall};
use crate::wall::state::WallState;
use glam::DVec3;
use std::path::{Path, PathBuf};

/// One screen's image for one eye, at the screen's pixel size.
pub fn render_tile(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    state: &WallState,
    screen: &Screen,
    eye: Eye,
) -> Result<FloatImage> {
    render_image(
        ctx,
        renderer,
        &state.rays(screen, eye),
        screen.size[0],
        screen.size[1],
    )
}

/// The depth that normalises projection colours, the same for every tile so that colours match
/// across seams: the domain's extent along the viewer's forward direction.
pub fn projection_depth(state: &WallState, lo: DVec3, hi: DVec3) -> f64 {
    let f = state
        .placement
        .vector_to_domain(state.head.forward)
        .normalize();
    depth_along(f, lo, hi)
}

/// File stem of a tile: `<screen>_<eye>`.
pub fn tile_stem(screen: &Screen, eye: Eye) -> String {
    format!("{}_{}", screen.name, eye.name())
}

/// Renders every screen and eye of `wall` into `dir` (which must exist); returns the files
/// written, in order.
pub fn write_tiles(
    ctx: &GpuContext,
    renderer: &VolumeRenderer,
    wall: &Wall,
    state: &WallState,
    domain: (DVec3, DVec3),
    dir: &Path,
    values: bool,
) -> Result<Vec<PathBuf>> {
    let depth = projection_depth(state, domain.0, domain.1);
    let mut written = Vec::new();
    for screen in &wall.screens {
        for &eye in &screen.eyes {
            let image = render_tile(ctx, renderer, state, screen, eye)?;
            let stem = tile_stem(screen, eye);
            let png = dir.join(format!("{stem}.png"));
            let rgba = image.to_rgba8(&renderer.prepared, depth);
            crate::output::write_png_rgba8(&png, image.width, image.height, &rgba)?;
            written.push(png);
            if values {
                let npy = dir.join(format!("{stem}.npy"));
                let (shape, data) = image.values(renderer.prepared.encoding);
                crate::output::write_npy_f32(&npy, &shape, &data)?;
                written.push(npy);
            }
        }
    }
    Ok(written)
}
