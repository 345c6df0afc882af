//! The `amrcast` command line.

use amrcast::cli::Cli;
use clap::Parser;

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
    if let Err(e) = amrcast::cli::run(cli) {
        eprintln!("amrcast: error: {e:#}");
        std::process::exit(1);
    }
}
