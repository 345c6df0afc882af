//! `amrcast serve`: options into [`crate::serve::ServeOptions`], the URL on standard output,
//! then serving until Ctrl-C.

use super::args::RenderOptions;
use crate::serve::{ServeOptions, Server, DEFAULT_PORT};
use clap::Args;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub opts: RenderOptions,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on. Anything but loopback is reachable from the network: use TLS
    /// (--tls-cert, --tls-key) or an SSH tunnel.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Folder whose datasets the page may open (nothing outside it).
    #[arg(long, value_name = "DIR")]
    pub data_root: Option<PathBuf>,
    /// One camera for every viewer: everyone's input moves it (teaching, presentations).
    #[arg(long)]
    pub shared: bool,
    /// TLS certificate chain (PEM): serve https and wss.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl ServeArgs {
    pub fn options(&self) -> ServeOptions {
        let request = self.opts.request();
        ServeOptions {
            data: request.data,
            settings: request.settings,
            camera: request.camera,
            bind: self.bind,
            port: self.port,
            data_root: self.data_root.clone(),
            shared: self.shared,
            tls: self.tls_cert.clone().zip(self.tls_key.clone()),
        }
    }
}

/// Serves until Ctrl-C: the URL is the one line on standard output.
pub fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let options = args.options();
    if !options.bind.is_loopback() && options.tls.is_none() {
        eprintln!(
            "amrcast: warning: listening on {} without TLS: frames and the token cross the network unencrypted; give --tls-cert and --tls-key, or keep the default 127.0.0.1 and use an SSH tunnel",
            options.bind
        );
    }
    let server = Server::start(options)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", server.url())?;
    out.flush()?;
    drop(out);
    eprintln!(
        "amrcast: serving on {}; on a laptop: ssh -L {port}:127.0.0.1:{port} THIS_HOST, then open the URL; Ctrl-C stops",
        server.addr(),
        port = server.addr().port()
    );
    Ok(server.wait()?)
}
