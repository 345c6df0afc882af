//! The render worker: one thread that owns the GPU work of every viewer. It answers their
//! requests, tells them of their dataset and look, and renders one piece of work at a time,
//! taking viewers in turn so that each gets frames however many there are.
//!
//! Only the newest view is ever rendered: input changes the view, the worker notices the new
//! version and starts from a coarse frame again. A viewer whose last frame has not left yet
//! gets nothing new until it has (no queue of stale frames). Refinement to full resolution
//! waits until the viewer's input has rested for [`REST_S`], so that a band of refinement
//! never delays the next interactive frame.

use super::connection::{Connection, Request};
use super::datasets::Loaded;
use super::frames::{jpeg, png, Quality};
use super::protocol::{self, encode_image, FrameHeader, ImageKind};
use super::render_work::{render_work, screenshot, Rgba};
use super::view::{DataKey, ViewState};
use crate::camera::View;
use crate::gpu::{GpuContext, OffscreenTarget};
use crate::viewer::progressive::Progressive;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Seconds without input before a view counts as resting and is refined.
pub const REST_S: f64 = 0.12;

/// What the worker is told.
pub enum Job {
    Add(Arc<Connection>),
    /// A viewer's view or requests changed.
    Wake,
    /// A dataset read in the background: what was asked (path, field) and the result.
    Loaded(Option<PathBuf>, Option<String>, Box<Result<Loaded, String>>),
    Stop,
}

/// One viewer as the worker sees it.
struct Slot {
    conn: Arc<Connection>,
    progressive: Progressive,
    /// An interactive frame is due (the view changed).
    dirty: bool,
    /// Versions of view, look and size last acted on.
    seen: (u64, u64, u64),
    /// The dataset the viewer was told of.
    told: Option<DataKey>,
    /// A dataset or field being read for this viewer: (path, field) as asked.
    pending: Option<(Option<PathBuf>, Option<String>)>,
    quality: Quality,
    targets: Vec<OffscreenTarget>,
    /// The last full-resolution interactive frame, to send losslessly once the view rests.
    unsent_final: Option<(Rgba, u64)>,
    /// Rendering this view failed: nothing more is tried until the view changes.
    stalled: bool,
}

pub struct Worker {
    pub ctx: GpuContext,
    pub datasets: Vec<Loaded>,
    slots: Vec<Slot>,
    next: usize,
    jobs: Receiver<Job>,
    to_self: Sender<Job>,
    pub data_root: Option<super::data_root::DataRoot>,
    /// Answer `command` with a Python call on this name (see [`super::hub::HubOptions`]).
    pub python_receiver: Option<String>,
    /// The dataset new viewers start on: always kept.
    home: DataKey,
}

impl Worker {
    pub fn new(ctx: GpuContext, first: Loaded, jobs: Receiver<Job>, to_self: Sender<Job>) -> Self {
        Worker {
            ctx,
            home: first.key.clone(),
            datasets: vec![first],
            slots: Vec::new(),
            next: 0,
            jobs,
            to_self,
            data_root: None,
            python_receiver: None,
        }
    }

    /// Runs until told to stop.
    pub fn run(mut self) {
        let mut wait = Duration::ZERO;
        loop {
            let job = match self.jobs.recv_timeout(wait) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if let Some(job) = job {
                if !self.take(job) {
                    return;
                }
                while let Ok(job) = self.jobs.try_recv() {
                    if !self.take(job) {
                        return;
                    }
                }
            }
            self.slots.retain(|s| !s.conn.is_closed());
            self.drop_unused();
            for i in 0..self.slots.len() {
                self.sync(i);
            }
            wait = match self.step() {
                true => Duration::ZERO,
                false => self.idle_wait(),
            };
        }
    }

    /// How long to sleep when there is no work: until the first viewer's view rests.
    fn idle_wait(&self) -> Duration {
        let soonest = self
            .slots
            .iter()
            .filter(|s| s.progressive.busy() || s.unsent_final.is_some())
            .map(|s| (REST_S - s.conn.idle_s()).max(0.005))
            .fold(1.0f64, f64::min);
        Duration::from_secs_f64(soonest)
    }

    /// Takes one job; false to stop.
    fn take(&mut self, job: Job) -> bool {
        match job {
            Job::Add(conn) => {
                let (w, h) = conn.size();
                self.slots.push(Slot {
                    progressive: Progressive::new(w, h),
                    dirty: true,
                    seen: (0, 0, conn.size_version()),
                    told: None,
                    pending: None,
                    quality: Quality::default(),
                    targets: Vec::new(),
                    unsent_final: None,
                    stalled: false,
                    conn,
                });
            }
            Job::Wake => {}
            Job::Loaded(path, field, result) => self.loaded(path, field, *result),
            Job::Stop => return false,
        }
        true
    }

    /// Datasets no view shows any more are dropped (their GPU memory with them).
    fn drop_unused(&mut self) {
        let used: Vec<DataKey> = self.slots.iter().map(|s| s.conn.view.get().data).collect();
        let home = &self.home;
        self.datasets
            .retain(|d| &d.key == home || used.contains(&d.key));
    }

    fn dataset(&mut self, key: &DataKey) -> Option<&mut Loaded> {
        self.datasets.iter_mut().find(|d| &d.key == key)
    }

    /// Brings viewer `i` up to date: messages it is owed, requests, and whether its view
    /// changed since its last frame.
    fn sync(&mut self, i: usize) {
        if let Some(r) = self.slots[i].conn.next_request() {
            self.request(i, r);
        }
        let conn = self.slots[i].conn.clone();
        let (version, look) = conn.view.versions();
        let v = conn.view.get();
        let new_data = self.slots[i].told.as_ref() != Some(&v.data);
        if new_data {
            let Some(d) = self.dataset(&v.data) else {
                return;
            };
            conn.send_text(protocol::text("dataset", d.dataset_json()));
            self.slots[i].told = Some(v.data.clone());
        }
        if new_data || look != self.slots[i].seen.1 {
            self.send_state(i, &v);
        }
        let slot = &mut self.slots[i];
        let size_version = conn.size_version();
        if size_version != slot.seen.2 {
            let (w, h) = conn.size();
            slot.progressive.resize(w, h);
            slot.dirty = true;
        }
        if version != slot.seen.0 || size_version != slot.seen.2 {
            slot.progressive.invalidate();
            slot.dirty = true;
            slot.unsent_final = None;
            slot.stalled = false;
        }
        // The look version after `send_state`, which may have put the look in force back.
        slot.seen = (version, conn.view.versions().1, size_version);
    }

    /// Applies viewer `i`'s look to its dataset and sends `state`; a look the dataset cannot
    /// take is refused and the view goes back to the look in force.
    fn send_state(&mut self, i: usize, v: &ViewState) {
        let conn = self.slots[i].conn.clone();
        let Some(d) = self.dataset(&v.data) else {
            return;
        };
        let v = match d.apply(&v.settings) {
            Ok(()) => v.clone(),
            Err(e) => {
                conn.send_text(protocol::error(&format!("cannot use that look: {e}")));
                let applied = d.applied().clone();
                conn.view.update(true, |s| s.settings = applied);
                // The viewer is told of the look in force.
                conn.view.get()
            }
        };
        let state = serde_json::json!({
            "seq": conn.last_seq(),
            "camera": v.camera_json(),
            "look": v.look_json(d.bounds()),
            "histogram": d.histogram_json(),
        });
        conn.send_text(protocol::text("state", state));
    }

    /// Answers a request of viewer `i`.
    fn request(&mut self, i: usize, r: Request) {
        let conn = self.slots[i].conn.clone();
        let v = conn.view.get();
        match r {
            Request::List => {
                let paths = self
                    .data_root
                    .as_ref()
                    .map(|r| r.list())
                    .unwrap_or_default();
                conn.send_text(protocol::text(
                    "datasets",
                    serde_json::json!({ "paths": paths }),
                ));
            }
            Request::Command => {
                let text = self.command(&v, conn.size());
                conn.send_text(protocol::text(
                    "command",
                    serde_json::json!({ "text": text }),
                ));
            }
            Request::Screenshot(id) => self.screenshot(&conn, &v, id),
            Request::Field(name) => self.load(i, v.data.path.clone(), None, Some(name)),
            Request::Open(path, shown) => self.load(i, Some(path), Some(shown), None),
        }
    }

    /// The view as an `amrcast render` command (or a Python call).
    fn command(&self, v: &ViewState, size: (u32, u32)) -> String {
        let rig = super::render_work::rig();
        let stereo = v.stereo.packing().map(|p| (&rig, p));
        let line = crate::viewer::render_flags::render_command(
            v.data.path.as_deref(),
            &v.data.field,
            v.eye_size(size),
            &v.camera,
            stereo,
            &v.settings,
            &Default::default(),
        )
        .0;
        match &self.python_receiver {
            Some(receiver) => crate::viewer::render_flags::python_call(&line, receiver),
            None => line,
        }
    }

    fn screenshot(&mut self, conn: &Connection, v: &ViewState, id: u64) {
        let size = conn.size();
        let seq = conn.last_seq();
        let Some(d) = self.dataset(&v.data) else {
            return;
        };
        let t = Instant::now();
        let shot = d
            .apply(&v.settings)
            .and_then(|_| screenshot(&d.session, v, size))
            .and_then(|img| Ok((png(img.width, img.height, &img.pixels)?, img)));
        match shot {
            Ok((encoded, img)) => {
                let header = FrameHeader {
                    kind: ImageKind::Screenshot,
                    seq,
                    id: Some(id),
                    format: encoded.format.into(),
                    width: img.width,
                    height: img.height,
                    view: [img.width, img.height],
                    is_final: true,
                    render_ms: t.elapsed().as_secs_f64() * 1e3,
                };
                let _ = conn.out.send(super::connection::Outgoing::Image {
                    bytes: encode_image(&header, &encoded.bytes),
                    frame: false,
                });
            }
            Err(e) => conn.send_text(protocol::error(&format!("screenshot failed: {e}"))),
        }
    }

    /// Reads a dataset or field for viewer `i` in the background (the current one renders
    /// meanwhile).
    fn load(
        &mut self,
        i: usize,
        path: Option<PathBuf>,
        shown: Option<String>,
        field: Option<String>,
    ) {
        let conn = self.slots[i].conn.clone();
        let what = match (&shown, &field) {
            (Some(s), _) => s.clone(),
            (None, Some(f)) => format!("field {f}"),
            (None, None) => "the demo".into(),
        };
        if let (Some(f), None) = (&field, &shown) {
            let key = DataKey {
                path: path.clone(),
                field: f.clone(),
            };
            if self.datasets.iter().any(|d| d.key == key) {
                return self.switch(&[i], &key);
            }
            let current = conn.view.get().data;
            let known = self.datasets.iter().find(|d| d.key == current);
            if let Some(d) = known.filter(|d| !d.fields.contains(f)) {
                let fields = d.fields.join(", ");
                let text = format!("no field '{f}' in {}; its fields: {fields}", d.name);
                return conn.send_text(protocol::error(&text));
            }
        }
        conn.send_text(protocol::text(
            "loading",
            serde_json::json!({ "what": what }),
        ));
        self.slots[i].pending = Some((path.clone(), field.clone()));
        let mut settings = conn.view.get().settings;
        settings.tf.bounds = None;
        let (ctx, tx) = (self.ctx.clone(), self.to_self.clone());
        let shown = shown.or_else(|| {
            let key = conn.view.get().data;
            self.datasets
                .iter()
                .find(|d| d.key == key)
                .and_then(|d| d.shown_path.clone())
        });
        std::thread::spawn(move || {
            let result =
                super::datasets::load(&ctx, path.as_deref(), shown, field.as_deref(), &settings)
                    .map_err(|e| format!("cannot open {what}: {e}; keeping the current dataset"));
            let _ = tx.send(Job::Loaded(path, field, Box::new(result)));
        });
    }

    /// A background read finished: the viewers that asked for it switch to it.
    fn loaded(
        &mut self,
        path: Option<PathBuf>,
        field: Option<String>,
        result: Result<Loaded, String>,
    ) {
        let asked = Some((path, field));
        let waiting: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].pending == asked)
            .collect();
        for &i in &waiting {
            self.slots[i].pending = None;
        }
        let loaded = match result {
            Ok(l) => l,
            Err(e) => {
                for &i in &waiting {
                    self.slots[i].conn.send_text(protocol::error(&e));
                }
                return;
            }
        };
        let key = loaded.key.clone();
        self.datasets.retain(|d| d.key != key);
        self.datasets.push(loaded);
        self.switch(&waiting, &key);
    }

    /// Viewers `slots` show the loaded dataset `key` from now on, with their own look and the
    /// field's range as bounds; a new dataset starts from the framing view.
    fn switch(&mut self, slots: &[usize], key: &DataKey) {
        let Some(d) = self.datasets.iter().find(|d| &d.key == key) else {
            return;
        };
        let h = &d.ds.hierarchy;
        let domain = (h.domain_left, h.domain_right);
        for &i in slots {
            let conn = &self.slots[i].conn;
            let (w, hgt) = conn.size();
            let same_dataset = conn.view.get().data.path == key.path;
            conn.view.update(true, |s| {
                s.data = key.clone();
                s.domain = domain;
                s.settings.tf.bounds = None;
                if !same_dataset {
                    s.reset(View::Z, w as f64 / hgt as f64);
                }
            });
        }
    }

    /// Does one piece of work for the next viewer that has some; false when none has.
    fn step(&mut self) -> bool {
        let n = self.slots.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            let slot = &self.slots[i];
            if slot.stalled || !slot.conn.ready_for_frame() {
                continue;
            }
            let rested = slot.conn.idle_s() >= REST_S;
            let due =
                slot.dirty || (rested && (slot.progressive.busy() || slot.unsent_final.is_some()));
            if due {
                self.next = (i + 1) % n;
                self.frame(i);
                return true;
            }
        }
        false
    }

    /// Renders the next piece of viewer `i`'s frame and sends the frame when it is complete.
    fn frame(&mut self, i: usize) {
        let conn = self.slots[i].conn.clone();
        let seq = conn.last_seq();
        let v = conn.view.get();
        let size = self.slots[i].progressive.size();
        if let Some((img, seq)) = self.slots[i].unsent_final.take() {
            if !self.slots[i].dirty && !self.slots[i].progressive.busy() {
                self.send(i, &img, seq, size, true, 0.0);
                return;
            }
        }
        let Some(work) = self.slots[i].progressive.next_work() else {
            return;
        };
        self.slots[i].dirty = false;
        let slot = &mut self.slots[i];
        let Some(d) = self.datasets.iter_mut().find(|d| d.key == v.data) else {
            return;
        };
        let t = Instant::now();
        let result = d
            .apply(&v.settings)
            .and_then(|_| render_work(&d.session, &v, size, work, &mut slot.targets));
        let secs = t.elapsed().as_secs_f64();
        slot.progressive.done(work, secs);
        match result {
            Ok(Some(img)) => {
                let full = work.divisor == 1;
                if full && work.interactive {
                    self.slots[i].unsent_final = Some((img.clone(), seq));
                }
                let lossless = full && !work.interactive;
                let t = Instant::now();
                self.send(i, &img, seq, size, lossless, secs * 1e3);
                if work.interactive {
                    self.slots[i]
                        .progressive
                        .frame_overhead(t.elapsed().as_secs_f64());
                }
            }
            Ok(None) => {}
            Err(e) => {
                conn.send_text(protocol::error(&format!("rendering failed: {e}")));
                self.slots[i].stalled = true;
            }
        }
    }

    /// Encodes and sends a frame: PNG when `lossless` (the final frame), else JPEG.
    fn send(&mut self, i: usize, img: &Rgba, seq: u64, view: (u32, u32), lossless: bool, ms: f64) {
        let slot = &mut self.slots[i];
        slot.quality.sent(slot.conn.last_send_ms());
        let encoded = match lossless {
            true => png(img.width, img.height, &img.pixels),
            false => jpeg(img.width, img.height, &img.pixels, slot.quality.current),
        };
        let encoded = match encoded {
            Ok(e) => e,
            Err(e) => return slot.conn.send_text(protocol::error(&e.to_string())),
        };
        let header = FrameHeader {
            kind: ImageKind::Frame,
            seq,
            id: None,
            format: encoded.format.into(),
            width: img.width,
            height: img.height,
            view: [view.0, view.1],
            is_final: lossless,
            render_ms: ms,
        };
        slot.conn.send_frame(encode_image(&header, &encoded.bytes));
    }
}
