//! A viewer in the same process as the hub, for transports that are not a WebSocket: the
//! Jupyter widget carries the protocol's messages through the notebook's own channel (the
//! kernel's comm), so that it works wherever the notebook does, local or remote.
//!
//! The transport hands each message the browser sent to [`LocalViewer::send`], forwards
//! what [`LocalViewer::recv`] returns, and calls [`LocalViewer::frame_delivered`] when the
//! browser acknowledges a frame: until then the viewer gets no new frame, as a WebSocket
//! viewer gets none while its last frame is still being written.

use super::connection::{Connection, Outgoing};
use super::hub::Hub;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// One in-process viewer of a [`Hub`]; dropping it disconnects.
pub struct LocalViewer {
    hub: Arc<Hub>,
    conn: Arc<Connection>,
    inbox: Mutex<UnboundedReceiver<Outgoing>>,
    /// When each frame not yet acknowledged was handed out.
    handed: Mutex<std::collections::VecDeque<Instant>>,
    /// Times [`LocalViewer::recv`]'s wait.
    clock: tokio::runtime::Runtime,
}

impl LocalViewer {
    /// Connects a new viewer to `hub`: the first messages waiting are `hello`, the dataset,
    /// the state and a frame.
    pub fn connect(hub: Arc<Hub>) -> crate::Result<LocalViewer> {
        let clock = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| crate::Error::Settings(format!("cannot start a viewer's clock: {e}")))?;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let conn = hub.connect(tx);
        Ok(LocalViewer {
            hub,
            conn,
            inbox: Mutex::new(rx),
            handed: Mutex::new(Default::default()),
            clock,
        })
    }

    /// One message from the browser (JSON text), checked and rate-limited as a WebSocket
    /// viewer's; a refused one gets an error reply.
    pub fn send(&self, text: &str) {
        self.hub.handle(&self.conn, text);
    }

    /// The next message for the browser, waiting at most `timeout`; `None` when nothing came
    /// (or the hub stopped).
    pub fn recv(&self, timeout: Duration) -> Option<Outgoing> {
        let mut inbox = self.inbox.lock().expect("inbox lock");
        let out = self
            .clock
            .block_on(async { tokio::time::timeout(timeout, inbox.recv()).await })
            .ok()
            .flatten()?;
        if matches!(out, Outgoing::Image { frame: true, .. }) {
            let mut handed = self.handed.lock().expect("handed lock");
            handed.push_back(Instant::now());
        }
        Some(out)
    }

    /// The browser received the oldest frame not yet acknowledged: the next may be rendered.
    pub fn frame_delivered(&self) {
        let handed = self.handed.lock().expect("handed lock").pop_front();
        if let Some(t) = handed {
            self.conn.frame_sent(t.elapsed().as_secs_f64() * 1e3);
        }
    }

    /// The hub stopped: nothing more will come.
    pub fn is_closed(&self) -> bool {
        self.conn.is_closed()
    }

    /// Viewers connected to the hub now (this one included).
    pub fn viewers(&self) -> usize {
        self.hub.viewers()
    }
}

impl Drop for LocalViewer {
    fn drop(&mut self) {
        self.hub.disconnect(&self.conn);
    }
}
