//! `amrcast wall`: its options (data and look; the views come from the wall file) and the
//! command.

use super::args::{parse_vec3, DataArgs, LookArgs};
use crate::error::Error;
use crate::gpu::GpuContext;
use crate::session::Session;
use clap::Args;
use glam::DVec3;
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct WallArgs {
    /// Wall description: TOML (see the README), or a ParaView .pvx file.
    #[arg(value_name = "WALL")]
    pub wall: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub look: LookArgs,
    /// Render every screen and eye once into DIR (created when missing) as `<screen>_<eye>.png`
    /// instead of opening windows.
    #[arg(long, value_name = "DIR")]
    pub offscreen: Option<PathBuf>,
    /// Only these screens (comma-separated names).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub screens: Option<Vec<String>>,
    /// Head position X,Y,Z in wall coordinates, metres (instead of the file's viewer.position).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true, value_name = "X,Y,Z")]
    pub head: Option<DVec3>,
    /// With --offscreen: also write each tile's raw float image as `<screen>_<eye>.npy`.
    #[arg(long)]
    pub values: bool,
    /// Window mode: one window split into the screens' viewports instead of one borderless
    /// fullscreen window per screen and eye.
    #[arg(long)]
    pub single_window: bool,
}

/// `amrcast wall`.
pub fn wall(args: &WallArgs) -> anyhow::Result<()> {
    if args.values && args.offscreen.is_none() {
        return Err(Error::Settings("--values needs --offscreen DIR".into()).into());
    }
    if args.single_window && args.offscreen.is_some() {
        return Err(Error::Settings(
            "--single-window is for window mode; leave out --offscreen".into(),
        )
        .into());
    }
    #[cfg(feature = "mpi")]
    if let Some(done) = super::wall_mpi::wall_if_launched(args) {
        return done;
    }
    let wall = crate::wall::open(&args.wall, args.screens.as_deref(), args.head)?;
    let settings = args.look.settings();
    let ds = args.data.spec().load()?;
    crate::slice::flat::refuse(&ds.hierarchy, &ds.name, "wall")?;
    let state = wall
        .state(ds.hierarchy.domain_left, ds.hierarchy.domain_right)
        .map_err(|e| Error::format(&args.wall, e))?;
    let Some(dir) = &args.offscreen else {
        return crate::wall::window::run(wall, state, ds, settings, args.single_window);
    };
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let session = Session::new(GpuContext::new()?, &ds, &settings)?;
    drop(ds);
    let files = crate::wall::offscreen::write_tiles(&session, &wall, &state, dir, args.values)?;
    println!(
        "wrote {} files and wall-state.json to {}",
        files.len() - 1,
        dir.display()
    );
    Ok(())
}
