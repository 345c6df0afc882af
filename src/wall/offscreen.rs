//! Rendering a wall without windows: every screen and eye into a float image, then to files
//! `<screen>_<eye>.png` (and `.npy` with the raw values), written atomically.

use crate::error::Result;
use crate::gpu::{render_image, GpuContext, OffscreenTarget, VolumeRenderer};
use crate::render::{depth_along, DisplaySettings, FloatImage};
use crate::session::{write_images, Outputs, Session};
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

/// How every tile's float image becomes colours, with the one projection depth of the wall.
pub fn tile_display(session: &Session, state: &WallState) -> DisplaySettings {
    let (lo, hi) = session.domain;
    DisplaySettings::new(session.prepared(), projection_depth(state, lo, hi))
}

/// File stem of a tile: `<screen>_<eye>`.
pub fn tile_stem(screen: &Screen, eye: Eye) -> String {
    format!("{}_{}", screen.name, eye.name())
}

/// Renders every screen and eye of `wall` into `dir` (which must exist) as
/// `<screen>_<eye>.png` (and `.npy` with `values`), then the state as `wall-state.json`;
/// returns the files written, in order.
pub fn write_tiles(
    session: &Session,
    wall: &Wall,
    state: &WallState,
    dir: &Path,
    values: bool,
) -> Result<Vec<PathBuf>> {
    let mut written = write_screens(session, wall, state, dir, values, |_| true)?;
    written.push(write_state(state, dir)?);
    Ok(written)
}

/// The tiles of the screens `pick` takes (by index in `wall`), as [`write_tiles`] writes them,
/// without the state file: one process's share of a wall rendered by several.
pub fn write_screens(
    session: &Session,
    wall: &Wall,
    state: &WallState,
    dir: &Path,
    values: bool,
    pick: impl Fn(usize) -> bool,
) -> Result<Vec<PathBuf>> {
    let display = tile_display(session, state);
    let mut written = Vec::new();
    for (_, screen) in wall.screens.iter().enumerate().filter(|(i, _)| pick(*i)) {
        let target = OffscreenTarget::new(&session.ctx, screen.size[0], screen.size[1])?;
        for &eye in &screen.eyes {
            let image = session.render_rays(&target, &state.rays(screen, eye), display)?;
            let stem = tile_stem(screen, eye);
            let outputs = Outputs {
                pngs: vec![dir.join(format!("{stem}.png"))],
                npys: match values {
                    true => vec![dir.join(format!("{stem}.npy"))],
                    false => Vec::new(),
                },
                packing: None,
            };
            write_images(std::slice::from_ref(&image), &outputs)?;
            written.extend(outputs.pngs.into_iter().chain(outputs.npys));
        }
    }
    Ok(written)
}

/// Writes the state as `dir/wall-state.json` (atomically) and returns its path.
pub fn write_state(state: &WallState, dir: &Path) -> Result<PathBuf> {
    let state_file = dir.join("wall-state.json");
    let json = serde_json::to_string_pretty(state)
        .map_err(|e| crate::error::Error::Invalid(format!("the wall's state: {e}")))?;
    crate::output::write_atomically(&state_file, |w| w.write_all(json.as_bytes()))?;
    Ok(state_file)
}
