//! The serving core without a transport: the render worker, the view new viewers start from
//! (or the one view they all share), and how one viewer's messages are checked and applied.
//!
//! [`super::Server`] puts it behind HTTP and WebSockets; [`super::local::LocalViewer`] connects
//! to it in-process (the Jupyter widget, whose messages travel through the notebook's own
//! channel). Every transport sends the same protocol (`docs/serve-protocol.md`).

use super::connection::{Connection, Outgoing, Request};
use super::data_root::DataRoot;
use super::datasets::Loaded;
use super::protocol::{self, ClientMessage};
use super::view::{ViewCell, ViewState};
use super::worker::{Job, Worker};
use crate::camera::CameraSpec;
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// What the hub serves besides its first dataset.
#[derive(Clone, Debug, Default)]
pub struct HubOptions {
    /// The camera viewers start with (framing the domain by default).
    pub camera: CameraSpec,
    /// One view for every viewer.
    pub shared: bool,
    /// The folder whose datasets viewers may open.
    pub data_root: Option<DataRoot>,
    /// Answer `command` with a Python call on this name (`sc.render(...)`) instead of an
    /// `amrcast render` command line: for data that lives in a Python process.
    pub python_receiver: Option<String>,
}

/// The render worker and what every viewer's messages are applied against.
pub struct Hub {
    jobs: Mutex<Sender<Job>>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
    shared: Option<Arc<ViewCell>>,
    initial: ViewState,
    data_root: Option<DataRoot>,
    next_id: AtomicU64,
    viewers: AtomicUsize,
    adapter: String,
}

impl Hub {
    /// Starts the render thread on `ctx` with `first` as the dataset every viewer starts on.
    pub fn start(ctx: GpuContext, first: Loaded, options: HubOptions) -> Result<Arc<Hub>> {
        let adapter = ctx.describe();
        let initial = initial_view(&options.camera, &first)?;
        let (jobs, rx) = std::sync::mpsc::channel();
        let mut w = Worker::new(ctx, first, rx, jobs.clone());
        w.data_root = options.data_root.clone();
        w.python_receiver = options.python_receiver.clone();
        let worker = std::thread::Builder::new()
            .name("amrcast-render".into())
            .spawn(move || w.run())
            .map_err(|e| Error::Gpu(format!("cannot start the render thread: {e}")))?;
        Ok(Arc::new(Hub {
            jobs: Mutex::new(jobs),
            worker: Mutex::new(Some(worker)),
            shared: options
                .shared
                .then(|| Arc::new(ViewCell::new(initial.clone()))),
            initial,
            data_root: options.data_root,
            next_id: AtomicU64::new(1),
            viewers: AtomicUsize::new(0),
            adapter,
        }))
    }

    /// The adapter frames are rendered on ("NAME (BACKEND, TYPE)").
    pub fn adapter(&self) -> &str {
        &self.adapter
    }

    /// Viewers connected now.
    pub fn viewers(&self) -> usize {
        self.viewers.load(Ordering::Acquire)
    }

    /// A new viewer whose messages leave through `out`: it is sent `hello`, then its dataset,
    /// its state and its frames.
    pub fn connect(&self, out: tokio::sync::mpsc::UnboundedSender<Outgoing>) -> Arc<Connection> {
        let view = match &self.shared {
            Some(v) => v.clone(),
            None => Arc::new(ViewCell::new(self.initial.clone())),
        };
        let id = self.next_id.fetch_add(1, Ordering::AcqRel);
        let conn = Arc::new(Connection::new(id, view, out));
        self.viewers.fetch_add(1, Ordering::AcqRel);
        conn.send_text(protocol::text(
            "hello",
            serde_json::json!({
                "version": protocol::VERSION,
                "shared": self.shared.is_some(),
                "data_root": self.data_root.is_some(),
            }),
        ));
        self.wake(Job::Add(conn.clone()));
        conn
    }

    /// The viewer is gone: the worker frees what it held.
    pub fn disconnect(&self, conn: &Connection) {
        if !conn.closed.swap(true, Ordering::AcqRel) {
            self.viewers.fetch_sub(1, Ordering::AcqRel);
        }
        self.wake(Job::Wake);
    }

    /// Takes one message of `conn`, whatever carried it: over the size limit or the flood
    /// limit it is dropped (the viewer told), else parsed and applied; a refused one changes
    /// nothing and gets an error reply.
    pub fn handle(&self, conn: &Connection, text: &str) {
        if text.len() > protocol::MAX_MESSAGE_BYTES {
            let why = format!(
                "message of {} bytes refused: at most {}",
                text.len(),
                protocol::MAX_MESSAGE_BYTES
            );
            return conn.send_text(protocol::error(&why));
        }
        let over = conn.limit.lock().expect("limit lock").take();
        if let Some(warning) = over {
            if let Some(w) = warning {
                conn.send_text(protocol::error(&w));
            }
            return;
        }
        match protocol::parse(text) {
            Ok(msg) => {
                if let Err(e) = self.apply(conn, msg) {
                    conn.send_text(protocol::error(&e));
                }
                self.wake(Job::Wake);
            }
            Err(e) => conn.send_text(protocol::error(&e)),
        }
    }

    /// Stops the render thread and waits for it (viewers get nothing more).
    pub fn stop(&self) {
        self.wake(Job::Stop);
        if let Some(w) = self.worker.lock().expect("worker lock").take() {
            let _ = w.join();
        }
    }

    fn wake(&self, job: Job) {
        let _ = self.jobs.lock().expect("jobs lock").send(job);
    }

    fn apply(&self, conn: &Connection, msg: ClientMessage) -> std::result::Result<(), String> {
        let (w, h) = conn.size();
        let aspect = w as f64 / h as f64;
        let seq = msg.seq();
        match msg {
            ClientMessage::Resize { width, height, .. } => conn.set_size((width, height)),
            ClientMessage::Orbit { dx, dy, .. } => conn.view.update(false, |v| v.orbit(dx, dy, h)),
            ClientMessage::Pan { dx, dy, .. } => conn.view.update(false, |v| v.pan(dx, dy, (w, h))),
            ClientMessage::Zoom { steps, .. } => conn.view.update(false, |v| v.zoom(steps)),
            ClientMessage::Reset { view, .. } => {
                let view = view.map_or(Ok(crate::camera::View::Z), |s| {
                    s.parse().map_err(|e| format!("{e}"))
                })?;
                conn.view.update(true, |v| v.reset(view, aspect));
            }
            ClientMessage::Look(change) => {
                let look = change.check()?;
                conn.view.update(true, |v| v.apply_look(&look, aspect));
            }
            ClientMessage::Field { name, .. } => conn.request(Request::Field(name)),
            ClientMessage::Open { path, .. } => {
                let root = self.data_root.as_ref().ok_or(
                    "this server opens no other datasets: start it with --data-root DIR"
                        .to_string(),
                )?;
                let full = root
                    .resolve(&path)
                    .map_err(|e| format!("cannot open {e}"))?;
                conn.request(Request::Open(full, path));
            }
            ClientMessage::List {} => {
                if self.data_root.is_none() {
                    return Err("no --data-root: this server lists no datasets".into());
                }
                conn.request(Request::List);
            }
            ClientMessage::Command {} => conn.request(Request::Command),
            ClientMessage::Screenshot { id } => conn.request(Request::Screenshot(id)),
        }
        if let Some(seq) = seq {
            conn.input(seq);
        }
        Ok(())
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The view a viewer starts from: `camera` (framing the domain by default) and the first
/// dataset's look, at the default size.
fn initial_view(camera: &CameraSpec, first: &Loaded) -> Result<ViewState> {
    let h = &first.ds.hierarchy;
    let (lo, hi) = (h.domain_left, h.domain_right);
    Ok(ViewState {
        data: first.key.clone(),
        camera: camera.camera(lo, hi, super::connection::DEFAULT_SIZE)?,
        settings: first.applied().clone(),
        stereo: Default::default(),
        domain: (lo, hi),
    })
}
