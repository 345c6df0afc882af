//! The HTTP side of `amrcast serve` (axum): the page and its two assets, and one WebSocket per
//! viewer. The page and the WebSocket need the token; a WebSocket upgrade from another origin
//! is refused; each viewer's messages are checked, rate-limited and applied to its view, and
//! the worker's messages go out through its socket.

use super::connection::{Connection, Outgoing};
use super::hub::Hub;
use super::protocol::{self, MAX_MESSAGE_BYTES};
use super::token::Token;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

const INDEX: &str = include_str!("../../web/index.html");
/// The browser client (`AmrcastClient`), also what the notebook widget runs.
pub const SCRIPT: &str = include_str!("../../web/viewer.js");
/// The client's style sheet.
pub const STYLE: &str = include_str!("../../web/viewer.css");

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub token: Token,
    pub hub: Arc<Hub>,
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
struct Gone(Arc<Connection>, Arc<Hub>);

impl Drop for Gone {
    fn drop(&mut self) {
        self.1.disconnect(&self.0);
    }
}

/// One viewer: its messages in, the worker's messages out, until either side closes.
async fn viewer(ws: WebSocket, state: AppState) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let conn = state.hub.connect(tx);
    let _gone = Gone(conn.clone(), state.hub.clone());
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
        while let Some(Ok(msg)) = stream.next().await {
            match msg {
                Message::Text(t) => state.hub.handle(&conn, t.as_str()),
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
}
