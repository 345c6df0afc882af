//! The HTTP side of `amrcast serve` (axum): the page and its two assets, and one WebSocket per
//! viewer. The page and the WebSocket need the token; a WebSocket upgrade from another origin
//! is refused; each viewer's messages are checked, rate-limited and applied to its view, and
//! the worker's messages go out through its socket.

use super::connection::{Connection, Outgoing, Request};
use super::data_root::DataRoot;
use super::protocol::{self, ClientMessage, MAX_MESSAGE_BYTES};
use super::token::Token;
use super::view::{ViewCell, ViewState};
use super::worker::Job;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const INDEX: &str = include_str!("../../web/index.html");
const SCRIPT: &str = include_str!("../../web/viewer.js");
const STYLE: &str = include_str!("../../web/viewer.css");

/// Messages a viewer may send in a burst, and per second on average.
pub const BURST: f64 = 200.0;
pub const PER_SECOND: f64 = 120.0;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub token: Token,
    pub worker: Arc<Mutex<std::sync::mpsc::Sender<Job>>>,
    /// With `--shared`, the one view every viewer moves.
    pub shared: Option<Arc<ViewCell>>,
    /// The view a new viewer starts from.
    pub initial: ViewState,
    pub data_root: Option<DataRoot>,
    pub next_id: Arc<AtomicU64>,
    pub viewers: Arc<AtomicUsize>,
}

impl AppState {
    fn wake(&self, job: Job) {
        let _ = self.worker.lock().expect("worker lock").send(job);
    }
}

/// The routes: `/`, `/viewer.js`, `/viewer.css`, `/ws`; everything else is 404.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/viewer.js",
            get(|| asset(SCRIPT, "text/javascript; charset=utf-8")),
        )
        .route(
            "/viewer.css",
            get(|| asset(STYLE, "text/css; charset=utf-8")),
        )
        .route("/ws", get(socket))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(state)
}

/// Headers on every answer: nothing cached (pages carry the token), no referrer (the URL
/// holds it), no sniffing, no framing by other sites.
async fn secure_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

async fn asset(body: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn forbidden(why: &'static str) -> Response {
    (StatusCode::FORBIDDEN, why).into_response()
}

fn admitted(state: &AppState, query: &HashMap<String, String>) -> bool {
    state
        .token
        .matches(query.get("token").map(String::as_str).unwrap_or(""))
}

async fn page(State(state): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    if !admitted(&state, &q) {
        return forbidden("403: this page needs the token printed by `amrcast serve`\n");
    }
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
}

/// Whether a WebSocket upgrade comes from this server's own page: no `Origin` (not a
/// browser), or an origin whose host is the request's `Host`.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|h| h.to_str()),
    ) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

async fn socket(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if !admitted(&state, &q) {
        return forbidden("403: the WebSocket needs the token\n");
    }
    if !same_origin(&headers) {
        return forbidden("403: WebSocket connections from other origins are refused\n");
    }
    match upgrade {
        Ok(u) => u
            .max_message_size(MAX_MESSAGE_BYTES)
            .max_frame_size(MAX_MESSAGE_BYTES)
            .on_upgrade(move |ws| viewer(ws, state)),
        Err(e) => e.into_response(),
    }
}

/// Marks a viewer gone however its task ends, so the worker frees what it held.
struct Gone(Arc<Connection>, AppState);

impl Drop for Gone {
    fn drop(&mut self) {
        self.0.closed.store(true, Ordering::Release);
        self.1.viewers.fetch_sub(1, Ordering::AcqRel);
        self.1.wake(Job::Wake);
    }
}

/// One viewer: its messages in, the worker's messages out, until either side closes.
async fn viewer(ws: WebSocket, state: AppState) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let view = match &state.shared {
        Some(v) => v.clone(),
        None => Arc::new(ViewCell::new(state.initial.clone())),
    };
    let id = state.next_id.fetch_add(1, Ordering::AcqRel);
    let conn = Arc::new(Connection::new(id, view, tx));
    state.viewers.fetch_add(1, Ordering::AcqRel);
    let _gone = Gone(conn.clone(), state.clone());
    conn.send_text(protocol::text(
        "hello",
        serde_json::json!({
            "version": protocol::VERSION,
            "shared": state.shared.is_some(),
            "data_root": state.data_root.is_some(),
        }),
    ));
    state.wake(Job::Add(conn.clone()));
    let (mut sink, mut stream) = ws.split();
    let writer = async {
        while let Some(out) = rx.recv().await {
            let (msg, frame) = match out {
                Outgoing::Text(t) => (Message::Text(t.into()), false),
                Outgoing::Image { bytes, frame } => (Message::Binary(bytes.into()), frame),
            };
            let t = Instant::now();
            let sent = sink.send(msg).await;
            if frame {
                conn.frame_sent(t.elapsed().as_secs_f64() * 1e3);
            }
            if sent.is_err() {
                break;
            }
        }
    };
    let reader = async {
        let mut limit = RateLimit::new();
        while let Some(Ok(msg)) = stream.next().await {
            match msg {
                Message::Text(t) => {
                    if let Some(warning) = limit.take() {
                        if let Some(w) = warning {
                            conn.send_text(protocol::error(&w));
                        }
                        continue;
                    }
                    handle(&conn, &state, t.as_str());
                }
                Message::Binary(_) => {
                    conn.send_text(protocol::error("binary messages are not accepted"));
                }
                Message::Close(_) => break,
                Message::Ping(_) | Message::Pong(_) => {}
            }
        }
    };
    tokio::select! {
        _ = writer => {}
        _ = reader => {}
    }
}

/// A token bucket of [`BURST`] messages refilled at [`PER_SECOND`].
struct RateLimit {
    tokens: f64,
    at: Instant,
    dropped: u64,
    warned: Option<Instant>,
}

impl RateLimit {
    fn new() -> Self {
        RateLimit {
            tokens: BURST,
            at: Instant::now(),
            dropped: 0,
            warned: None,
        }
    }

    /// `None`: the message may pass; `Some(warning)`: drop it, telling the viewer at most
    /// once a second.
    fn take(&mut self) -> Option<Option<String>> {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * PER_SECOND).min(BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return None;
        }
        self.dropped += 1;
        let due = self
            .warned
            .is_none_or(|w| now.duration_since(w).as_secs_f64() >= 1.0);
        Some(due.then(|| {
            self.warned = Some(now);
            format!(
                "too many messages: {} dropped so far; send at most {PER_SECOND} per second",
                self.dropped
            )
        }))
    }
}

/// Parses one message and applies it; a refused one changes nothing and gets an error.
fn handle(conn: &Connection, state: &AppState, text: &str) {
    match protocol::parse(text) {
        Ok(msg) => {
            if let Err(e) = apply(conn, state, msg) {
                conn.send_text(protocol::error(&e));
            }
            state.wake(Job::Wake);
        }
        Err(e) => conn.send_text(protocol::error(&e)),
    }
}

fn apply(conn: &Connection, state: &AppState, msg: ClientMessage) -> Result<(), String> {
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
            let root = state.data_root.as_ref().ok_or(
                "this server opens no other datasets: start it with --data-root DIR".to_string(),
            )?;
            let full = root
                .resolve(&path)
                .map_err(|e| format!("cannot open {e}"))?;
            conn.request(Request::Open(full, path));
        }
        ClientMessage::List {} => {
            if state.data_root.is_none() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_must_be_the_host_when_given() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8765"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8765"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:9999"),
        );
        assert!(!same_origin(&h));
        h.remove(header::HOST);
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8765"),
        );
        assert!(!same_origin(&h));
    }

    #[test]
    fn the_rate_limit_lets_a_burst_through_then_drops_and_warns_once() {
        let mut r = RateLimit::new();
        let passed = (0..BURST as usize).filter(|_| r.take().is_none()).count();
        assert_eq!(passed, BURST as usize);
        let first = r.take().expect("dropped");
        assert!(first.unwrap().contains("too many messages"));
        assert_eq!(r.take(), Some(None), "one warning a second");
    }
}
