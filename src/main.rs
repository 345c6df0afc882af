//! The `amrcast` command line.

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

#[derive(Subcommand)]
enum Command {
    /// Print a dataset's format, domain, grids per level, fields with ranges, and units.
    Info {
        /// The dataset: an Enzo parameter file (or its .hierarchy, or its directory).
        dataset: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("amrcast: error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Info { dataset, json } => {
            // The library error's message already carries its cause (`Error::Io` shows its
            // io::Error), so pass the message alone: `{:#}` would repeat the cause.
            let info = amrcast::info::info(&dataset).map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                println!("{}", serde_json::to_string(&info)?);
            } else {
                print!("{info}");
            }
            Ok(())
        }
    }
}
