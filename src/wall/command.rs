//! `amrcast wall`: its options and the command.

use crate::camera::Lens;
use crate::cli::{load_dataset, parse_vec3, RenderOptions};
use crate::error::{Error, Result};
use crate::gpu::{GpuContext, VolumeRenderer};
use crate::wall::config::Wall;
use clap::Args;
use glam::DVec3;
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct WallArgs {
    /// Wall description: TOML (see the README), or a ParaView .pvx file.
    #[arg(value_name = "WALL")]
    pub wall: PathBuf,
    #[command(flatten)]
    pub opts: RenderOptions,
    /// Render every screen and eye once into DIR (created when missing) as <screen>_<eye>.png
    /// instead of opening windows.
    #[arg(long, value_name = "DIR")]
    pub offscreen: Option<PathBuf>,
    /// Only these screens (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub screens: Option<Vec<String>>,
    /// Head position X,Y,Z in wall coordinates, metres (instead of the file's viewer.position).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true, value_name = "X,Y,Z")]
    pub head: Option<DVec3>,
    /// With --offscreen: also write each tile's raw float image as <screen>_<eye>.npy.
    #[arg(long)]
    pub values: bool,
    /// Window mode: one window split into the screens' viewports instead of one borderless
    /// fullscreen window per screen and eye.
    #[arg(long)]
    pub single_window: bool,
}

/// The wall file with the command line's selections applied, checked before any work.
pub fn prepare(args: &WallArgs) -> Result<Wall> {
    let o = &args.opts;
    let camera_options = [
        ("--view", o.view.is_some()),
        ("--camera-position", o.camera_position.is_some()),
        ("--focus", o.focus.is_some()),
        ("--up", o.up.is_some()),
        ("--width", o.width.is_some()),
        ("--fov", o.fov.is_some()),
        ("--lens", o.lens != Lens::Plane),
        ("--size", o.size != (512, 512)),
    ];
    let given: Vec<&str> = camera_options
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
    if !given.is_empty() {
        return Err(Error::Settings(format!(
            "{}: a wall's views come from its screens' corners and sizes and the viewer (set [viewer] and [data] in the wall file, or --head)",
            given.join(", ")
        )));
    }
    if args.values && args.offscreen.is_none() {
        return Err(Error::Settings("--values needs --offscreen DIR".into()));
    }
    if args.single_window && args.offscreen.is_some() {
        return Err(Error::Settings(
            "--single-window is for window mode; leave out --offscreen".into(),
        ));
    }
    let mut wall = Wall::load(&args.wall)?;
    let in_file = |what: String| Error::format(&args.wall, what);
    if let Some(names) = &args.screens {
        wall.select(names)
            .map_err(|e| in_file(format!("--screens: {e}")))?;
    }
    if let Some(p) = args.head {
        wall.set_head_position(p)
            .map_err(|e| in_file(format!("--head {},{},{}: {e}", p.x, p.y, p.z)))?;
    }
    Ok(wall)
}

/// `amrcast wall`.
pub fn wall(args: &WallArgs) -> anyhow::Result<()> {
    let wall = prepare(args)?;
    let Some(dir) = &args.offscreen else {
        let ds = load_dataset(&args.opts)?;
        let state = wall
            .state(ds.hierarchy.domain_left, ds.hierarchy.domain_right)
            .map_err(|e| Error::format(&args.wall, e))?;
        return crate::wall::window::run(wall, state, ds, args.opts.settings(), args.single_window);
    };
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let ds = load_dataset(&args.opts)?;
    let domain = (ds.hierarchy.domain_left, ds.hierarchy.domain_right);
    let state = wall
        .state(domain.0, domain.1)
        .map_err(|e| Error::format(&args.wall, e))?;
    let ctx = GpuContext::new()?;
    let renderer = VolumeRenderer::new(&ctx, &ds, &args.opts.settings())?;
    renderer.prepared.print_warnings(&ds.field.name);
    drop(ds);
    let files = crate::wall::offscreen::write_tiles(
        &ctx,
        &renderer,
        &wall,
        &state,
        domain,
        dir,
        args.values,
    )?;
    let state_file = dir.join("wall-state.json");
    let json = serde_json::to_string_pretty(&state)?;
    crate::output::write_atomically(&state_file, |w| w.write_all(json.as_bytes()))?;
    println!(
        "wrote {} files and {} to {}",
        files.len(),
        state_file.file_name().unwrap_or_default().to_string_lossy(),
        dir.display()
    );
    Ok(())
}
