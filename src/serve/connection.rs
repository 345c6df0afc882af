//! One viewer's connection as the socket task and the render worker share it: its view (its
//! own, or the one all viewers share with `--shared`), its image size, the newest input it
//! sent, its pending requests, and the channel its messages leave by.

use super::view::ViewCell;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The image size before a viewer sends `resize`.
pub const DEFAULT_SIZE: (u32, u32) = (1024, 768);

/// A message to a viewer.
#[derive(Debug)]
pub enum Outgoing {
    Text(String),
    /// An image; `frame`: an interactive or final frame, counted until it has been sent.
    Image {
        bytes: Vec<u8>,
        frame: bool,
    },
}

/// What a viewer asked for that the worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Field(String),
    /// A dataset inside the data root: its resolved path and the path as the viewer gave it.
    Open(PathBuf, String),
    List,
    Command,
    Screenshot(u64),
}

pub struct Connection {
    pub id: u64,
    pub view: Arc<ViewCell>,
    size: Mutex<(u32, u32)>,
    size_version: AtomicU64,
    /// The newest `seq` applied to the view.
    last_seq: AtomicU64,
    last_input: Mutex<Instant>,
    /// Frames handed to the socket and not yet written.
    pub in_flight: AtomicU32,
    /// Milliseconds the last frame took to be written (f64 bits).
    send_ms: AtomicU64,
    requests: Mutex<VecDeque<Request>>,
    pub out: tokio::sync::mpsc::UnboundedSender<Outgoing>,
    pub closed: AtomicBool,
    /// The viewer's messages, rate-limited whatever carries them.
    pub limit: Mutex<super::rate_limit::RateLimit>,
}

impl Connection {
    pub fn new(
        id: u64,
        view: Arc<ViewCell>,
        out: tokio::sync::mpsc::UnboundedSender<Outgoing>,
    ) -> Self {
        Connection {
            id,
            view,
            size: Mutex::new(DEFAULT_SIZE),
            size_version: AtomicU64::new(0),
            last_seq: AtomicU64::new(0),
            last_input: Mutex::new(Instant::now()),
            in_flight: AtomicU32::new(0),
            send_ms: AtomicU64::new(0f64.to_bits()),
            requests: Mutex::new(VecDeque::new()),
            out,
            closed: AtomicBool::new(false),
            limit: Mutex::new(super::rate_limit::RateLimit::new()),
        }
    }

    pub fn size(&self) -> (u32, u32) {
        *self.size.lock().expect("size lock")
    }

    /// Sets the image size; `(size, version)` lets the worker notice a change.
    pub fn set_size(&self, size: (u32, u32)) {
        *self.size.lock().expect("size lock") = size;
        self.size_version.fetch_add(1, Ordering::AcqRel);
    }

    pub fn size_version(&self) -> u64 {
        self.size_version.load(Ordering::Acquire)
    }

    /// Records that input `seq` was applied now.
    pub fn input(&self, seq: u64) {
        self.last_seq.fetch_max(seq, Ordering::AcqRel);
        *self.last_input.lock().expect("input lock") = Instant::now();
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq.load(Ordering::Acquire)
    }

    /// Seconds since the last input.
    pub fn idle_s(&self) -> f64 {
        self.last_input
            .lock()
            .expect("input lock")
            .elapsed()
            .as_secs_f64()
    }

    pub fn request(&self, r: Request) {
        let mut q = self.requests.lock().expect("request lock");
        // A newer field or dataset replaces one not yet started; screenshots queue.
        if matches!(r, Request::Field(_) | Request::Open(..)) {
            q.retain(|old| !matches!(old, Request::Field(_) | Request::Open(..)));
        }
        if q.len() < 16 {
            q.push_back(r);
        }
    }

    pub fn next_request(&self) -> Option<Request> {
        self.requests.lock().expect("request lock").pop_front()
    }

    /// Sends a text message (dropped when the socket is gone).
    pub fn send_text(&self, text: String) {
        let _ = self.out.send(Outgoing::Text(text));
    }

    /// Hands a frame to the socket task.
    pub fn send_frame(&self, bytes: Vec<u8>) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        if self
            .out
            .send(Outgoing::Image { bytes, frame: true })
            .is_err()
        {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// The socket task wrote a frame in `ms` milliseconds.
    pub fn frame_sent(&self, ms: f64) {
        self.send_ms.store(ms.to_bits(), Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    pub fn last_send_ms(&self) -> f64 {
        f64::from_bits(self.send_ms.load(Ordering::Acquire))
    }

    /// No frame is waiting to be written: the next may be rendered.
    pub fn ready_for_frame(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire) || self.out.is_closed()
    }
}
