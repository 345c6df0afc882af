//! The `amrcast` command line.

use amrcast::cli::{BenchArgs, RenderArgs};
use amrcast::movie::MovieArgs;
use amrcast::wall::command::WallArgs;
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "amrcast",
    version,
    about = "GPU ray caster for block-structured AMR data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct ViewArgs {
    #[command(flatten)]
    opts: amrcast::cli::RenderOptions,
}

#[derive(Subcommand)]
enum Command {
    /// Render one image (the built-in demo when no dataset is given).
    Render(RenderArgs),
    /// Open an interactive window on a dataset (the built-in demo when none is given): drag to
    /// orbit and pan, wheel to zoom, a side panel for the transfer function.
    View(ViewArgs),
    /// Time repeated renders: median ms per frame and samples per second.
    Bench(BenchArgs),
    /// Render an image sequence along a camera path (TOML, or --zoom-in / --orbit): one colour
    /// scale for every frame, resumable, splittable with --frames and --shard.
    Movie(MovieArgs),
    /// Drive a stereo wall or CAVE: one off-axis view per screen and eye from the screens'
    /// physical corners and the viewer's head (TOML wall file or ParaView .pvx).
    Wall(WallArgs),
    /// Print a dataset's format, domain, grids and cells per level, fields with ranges, units.
    Info {
        /// The dataset (Enzo parameter file, its .hierarchy or directory; .athdf; Chombo HDF5).
        dataset: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`amrcast info DATA | head`) would
    // panic; restore the default action so the output simply stops, as with other Unix tools.
    #[cfg(unix)]
    // SAFETY: first thing in main, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Mesa's drivers print "XDG_RUNTIME_DIR is invalid" on every start where it is unset (CI,
    // batch jobs); nothing here needs it, so point it at the temporary directory.
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir());
    }
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("warn,wgpu_hal=off"),
    )
    .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("amrcast: error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render(args) => amrcast::cli::render(&args),
        Command::View(args) => amrcast::viewer::view(&args.opts),
        Command::Bench(args) => amrcast::cli::bench(&args),
        Command::Movie(args) => Ok(amrcast::movie::movie(&args)?),
        Command::Wall(args) => amrcast::wall::command::wall(&args),
        Command::Info { dataset, json } => {
            let info = amrcast::info::info(&dataset)?;
            if json {
                println!("{}", serde_json::to_string(&info)?);
            } else {
                print!("{info}");
            }
            Ok(())
        }
    }
}
