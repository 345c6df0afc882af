//! The command line: the top layer. It parses options into the library's types and calls the
//! library; nothing below it imports it.
//!
//! The option names are a contract that other tools depend on: see the README.

pub mod args;
pub mod bench;
pub mod bench_composite;
#[cfg(feature = "mpi")]
pub mod bench_ranks;
pub mod bench_serve;
pub mod movie;
pub mod render;
#[cfg(feature = "mpi")]
pub mod render_mpi;
pub mod serve;
pub mod slice;
pub mod synthetic;
pub mod wall;
#[cfg(feature = "mpi")]
pub mod wall_mpi;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "amrcast",
    version,
    about = "GPU ray caster for block-structured AMR data"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct ViewArgs {
    #[command(flatten)]
    opts: args::RenderOptions,
    #[command(flatten)]
    annotate: args::AnnotateArgs,
    #[command(flatten)]
    planes: args::SlicePlaneArgs,
}

impl ViewArgs {
    /// The slice plane shown in the volume at first: the viewer shows one, across an axis.
    fn plane(&self) -> anyhow::Result<Option<(crate::slice::Axis, f64)>> {
        match self.planes.slice_plane.as_slice() {
            [] => Ok(None),
            [crate::slice::PlaneSpec::Axis { axis, coord, .. }] => Ok(Some((*axis, *coord))),
            _ => Err(anyhow::anyhow!(
                "view shows one slice plane across an axis: give one --slice-plane x=C, y=C or z=C"
            )),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Render one image (the built-in demo when no dataset is given).
    Render(render::RenderArgs),
    /// Open an interactive window on a dataset (the built-in demo when none is given): drag to
    /// orbit and pan, wheel to zoom, a side panel for the transfer function.
    View(ViewArgs),
    /// The field on a plane (yt's SlicePlot): an axis and a coordinate, or a normal and a
    /// centre; the finest data at each pixel's centre, to PNG and NPY.
    Slice(slice::SliceArgs),
    /// Time repeated renders: median ms per frame and samples per second; or, with
    /// --synthetic CELLS, `info` and `render` on a generated dataset: wall time, peak memory.
    Bench(bench::BenchArgs),
    /// Render an image sequence along a camera path (TOML, or --zoom-in / --orbit): one colour
    /// scale for every frame, resumable, splittable with --frames and --shard.
    Movie(movie::MovieArgs),
    /// Drive a stereo wall or CAVE: one off-axis view per screen and eye from the screens'
    /// physical corners and the viewer's head (TOML wall file or ParaView .pvx).
    Wall(wall::WallArgs),
    /// Serve a browser viewer: render on this machine, view in any browser (through an SSH
    /// tunnel, or TLS); prints the URL with its access token.
    Serve(serve::ServeArgs),
    /// Print a dataset's format, domain, grids and cells per level, fields with ranges, units.
    Info {
        /// The dataset (Enzo parameter file, its .hierarchy or directory; .athdf; Chombo HDF5;
        /// AMReX plotfile directory).
        dataset: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command `cli` names.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Render(args) => render::render(&args),
        Command::View(args) => crate::viewer::view(
            &args.opts.request(),
            args.opts.camera.size,
            args.annotate.annotations(),
            args.plane()?,
        ),
        Command::Slice(args) => slice::slice(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Movie(args) => movie::movie(&args),
        Command::Wall(args) => wall::wall(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Info { dataset, json } => {
            let info = crate::info::info(&dataset)?;
            if json {
                println!("{}", serde_json::to_string(&info)?);
            } else {
                print!("{info}");
            }
            Ok(())
        }
    }
}
