//! `amrcast serve`: a render server on the data's machine and a viewer in any browser.
//!
//! The pieces, in the order a frame passes them:
//! - [`http`]: the page and one WebSocket per viewer (axum on tokio), the token
//!   ([`token`]) and the origin check; each viewer's messages ([`protocol`]) are checked,
//!   rate-limited and applied to its view ([`view`], shared through its [`connection`]).
//! - [`worker`]: one thread that owns the GPU work: it renders the newest view of each
//!   viewer in turn, coarse while the view changes and refined to full resolution once it
//!   rests ([`render_work`], the desktop viewer's resolution ladder), on the datasets it holds
//!   ([`datasets`]; others from under `--data-root`, [`data_root`]).
//! - [`frames`]: JPEG while moving, PNG at rest, back through the viewer's socket.
//!
//! [`hub`] holds the worker and applies messages whatever carries them: [`http`] for browsers,
//! [`local`] for a client in the same process (the Jupyter widget). The wire protocol is
//! written down in `docs/serve-protocol.md`.

pub mod client;
pub mod connection;
pub mod data_root;
pub mod datasets;
pub mod frames;
pub mod http;
pub mod hub;
pub mod local;
pub mod protocol;
pub mod rate_limit;
pub mod render_work;
pub mod token;
pub mod view;
pub mod worker;

use crate::camera::CameraSpec;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::render::RenderSettings;
use crate::session::DataSpec;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// The port `serve` listens on by default.
pub const DEFAULT_PORT: u16 = 8765;

/// How to serve: the first dataset and look, where to listen, what else may be opened.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The dataset (the demo for `None`) and field every viewer starts on.
    pub data: DataSpec,
    pub settings: RenderSettings,
    pub camera: CameraSpec,
    pub bind: IpAddr,
    /// 0: any free port.
    pub port: u16,
    /// The folder whose datasets viewers may open.
    pub data_root: Option<PathBuf>,
    /// One view for every viewer.
    pub shared: bool,
    /// Certificate and key (PEM): serve HTTPS and WSS.
    pub tls: Option<(PathBuf, PathBuf)>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            data: DataSpec::default(),
            settings: RenderSettings::default(),
            camera: CameraSpec::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            data_root: None,
            shared: false,
            tls: None,
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    token: token::Token,
    https: bool,
    hub: Arc<hub::Hub>,
    handle: axum_server::Handle<SocketAddr>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    /// Opens the data and the GPU, binds, and serves on background threads; returns once
    /// listening.
    pub fn start(options: ServeOptions) -> Result<Server> {
        let token = token::Token::random()?;
        let data_root = options
            .data_root
            .as_deref()
            .map(data_root::DataRoot::new)
            .transpose()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("amrcast-serve")
            .enable_all()
            .build()
            .map_err(|e| Error::Settings(format!("cannot start the server's runtime: {e}")))?;
        // Everything that can be refused is checked before the render thread starts.
        let (listener, addr) = bind(&options)?;
        let tls = tls_config(&runtime, &options)?;
        let ctx = GpuContext::new()?;
        let path = options.data.dataset.as_deref();
        let shown = path.map(|p| p.display().to_string());
        let field = options.data.field.as_deref();
        let first = datasets::load(&ctx, path, shown, field, &options.settings)?;
        let hub = hub::Hub::start(
            ctx,
            first,
            hub::HubOptions {
                camera: options.camera,
                shared: options.shared,
                data_root,
                python_receiver: None,
            },
        )?;
        let state = http::AppState {
            token: token.clone(),
            hub: hub.clone(),
        };
        let handle = axum_server::Handle::new();
        let mut server = Server {
            addr,
            token,
            https: tls.is_some(),
            hub,
            handle: handle.clone(),
            runtime: Some(runtime),
        };
        let rt = server.runtime.as_ref().expect("runtime");
        if let Err(e) = spawn_serving(rt, listener, tls, http::router(state), handle) {
            server.shutdown();
            return Err(e);
        }
        Ok(server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The adapter frames are rendered on ("NAME (BACKEND, TYPE)").
    pub fn adapter(&self) -> &str {
        self.hub.adapter()
    }

    pub fn token(&self) -> &str {
        self.token.as_str()
    }

    /// `http://127.0.0.1:PORT/?token=TOKEN` (https with TLS); an unspecified bind address
    /// (0.0.0.0, ::) is shown as the loopback one.
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip => ip,
        };
        let host = SocketAddr::new(ip, self.addr.port());
        format!("{scheme}://{host}/?token={}", self.token.as_str())
    }

    /// Viewers (WebSocket connections) open now.
    pub fn viewers(&self) -> usize {
        self.hub.viewers()
    }

    /// Stops serving and waits for the threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    /// Blocks until Ctrl-C, then stops.
    pub fn wait(mut self) -> Result<()> {
        if let Some(rt) = &self.runtime {
            rt.block_on(tokio::signal::ctrl_c())
                .map_err(|e| Error::Settings(format!("waiting for Ctrl-C: {e}")))?;
        }
        self.shutdown();
        Ok(())
    }

    fn shutdown(&mut self) {
        self.handle
            .graceful_shutdown(Some(std::time::Duration::from_millis(500)));
        self.hub.stop();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(1));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The listening socket of `options`' address, and the address bound.
fn bind(options: &ServeOptions) -> Result<(std::net::TcpListener, SocketAddr)> {
    let want = SocketAddr::new(options.bind, options.port);
    let failed = |e: std::io::Error| Error::Settings(format!("cannot listen on {want}: {e}"));
    let listener = std::net::TcpListener::bind(want).map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    let addr = listener.local_addr().map_err(failed)?;
    Ok((listener, addr))
}

/// The TLS configuration of `--tls-cert` and `--tls-key`, read and checked.
fn tls_config(
    runtime: &tokio::runtime::Runtime,
    options: &ServeOptions,
) -> Result<Option<axum_server::tls_rustls::RustlsConfig>> {
    let Some((cert, key)) = &options.tls else {
        return Ok(None);
    };
    runtime
        .block_on(axum_server::tls_rustls::RustlsConfig::from_pem_file(
            cert, key,
        ))
        .map(Some)
        .map_err(|e| Error::format(cert, format!("cannot use it with {}: {e}", key.display())))
}

/// Starts serving `app` on `listener` (with TLS when configured) on `runtime`.
fn spawn_serving(
    runtime: &tokio::runtime::Runtime,
    listener: std::net::TcpListener,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    app: axum::Router,
    handle: axum_server::Handle<SocketAddr>,
) -> Result<()> {
    let _guard = runtime.enter();
    let service = app.into_make_service();
    let failed = |e: std::io::Error| Error::Settings(format!("cannot serve: {e}"));
    match tls {
        None => {
            let server = axum_server::from_tcp(listener).map_err(failed)?;
            runtime.spawn(server.handle(handle).serve(service));
        }
        Some(config) => {
            let server = axum_server::from_tcp_rustls(listener, config).map_err(failed)?;
            runtime.spawn(server.handle(handle).serve(service));
        }
    }
    Ok(())
}
