//! `amrcast serve` through the library: `Server::start` on the demo (port 0) and the headless
//! client of `amrcast::serve::client`, checking the protocol of docs/serve-protocol.md (the
//! token, the origin, the message order, the frames' sizes and formats, refusals of bad
//! messages and paths, the flood limit, disconnects, screenshots and `--shared`). No test is
//! timed: the timeouts only keep a broken server from hanging the tests.

mod common;

use amrcast::serve::client::{settle, Connection, Image, Incoming};
use amrcast::serve::{ServeOptions, Server};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Malformed messages, the flood limit, a viewer leaving mid-frame.
#[path = "serve/abuse.rs"]
mod abuse;
/// `amrcast bench --serve`.
#[path = "serve/bench.rs"]
mod bench;
/// `open` and `list` inside and outside `--data-root`.
#[path = "serve/data_root.rs"]
mod data_root;
/// The message order, the frames' sizes, formats and seq, screenshots against `render`.
#[path = "serve/frames.rs"]
mod frames;
/// The token, the origin and the static files.
#[path = "serve/http.rs"]
mod http;
/// An in-process viewer (the notebook widget's) on a dataset held in memory.
#[path = "serve/local.rs"]
mod local;
/// `--shared`: one camera for every viewer.
#[path = "serve/shared.rs"]
mod shared;

/// Against hangs only.
const PATIENCE: Duration = Duration::from_secs(180);
/// The image size of most tests' viewers: small, so that lavapipe renders it quickly.
const SIZE: (u32, u32) = (160, 120);

/// A server's page URL and address.
#[derive(Clone)]
struct Url {
    page: String,
    addr: SocketAddr,
    token: String,
}

impl Url {
    fn of(server: &Server) -> Url {
        Url {
            page: server.url(),
            addr: server.addr(),
            token: server.token().to_string(),
        }
    }
}

/// Starts a server on the demo with `options` on any free port.
fn start(options: ServeOptions) -> Server {
    Server::start(ServeOptions { port: 0, ..options }).expect("the server starts on the demo")
}

/// One demo server for the tests that neither count viewers nor share a camera; it runs until
/// the test binary exits.
fn demo() -> Url {
    static URL: OnceLock<Url> = OnceLock::new();
    URL.get_or_init(|| {
        let server = start(ServeOptions::default());
        let url = Url::of(&server);
        std::mem::forget(server);
        url
    })
    .clone()
}

/// A runtime for one test's clients (the server runs its own).
fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A viewer at rest at `size`: connected, resized (seq 1), its first final frame received;
/// with the text messages before that frame.
async fn viewer(url: &Url, size: (u32, u32)) -> (Connection, Vec<Value>, Image) {
    let mut conn = Connection::connect(&url.page).await.unwrap();
    let (image, texts) = settle(&mut conn, size, PATIENCE).await.unwrap();
    (conn, texts, image)
}

/// Sends `msg` and returns the next message, which must be text.
async fn ask(conn: &mut Connection, msg: Value) -> Value {
    conn.send(&msg).await.unwrap();
    text(conn.recv(PATIENCE).await.unwrap())
}

fn text(m: Incoming) -> Value {
    match m {
        Incoming::Text(v) => v,
        Incoming::Image(i) => panic!("an image ({:?}) where a text message was due", i.header),
        Incoming::Closed => panic!("the connection closed where a text message was due"),
    }
}

/// The current view as an `amrcast render` command.
async fn command(conn: &mut Connection) -> String {
    conn.send(&json!({"type": "command"})).await.unwrap();
    let reply = conn.recv_kind("command", PATIENCE).await.unwrap();
    reply["text"].as_str().expect("command text").to_string()
}

/// An orbit of (dx, dy) as `seq`, and the final frame that reflects it.
async fn orbit(conn: &mut Connection, seq: u64, dx: f64, dy: f64) -> Image {
    conn.send(&json!({"type": "orbit", "seq": seq, "dx": dx, "dy": dy}))
        .await
        .unwrap();
    conn.recv_final(seq, PATIENCE).await.unwrap()
}

/// An HTTP/1.1 response's status and header lines (lower-case names).
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A GET of `path` with extra headers over a plain TCP connection; reads up to the end of the
/// response's headers.
fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (n, v) in headers {
        req += &format!("{n}: {v}\r\n");
    }
    s.write_all(format!("{req}\r\n").as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response { status, headers }
}

/// The headers of a WebSocket upgrade request.
fn upgrade() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ]
}

/// Polls `f` until it is true or `PATIENCE` passed; whether it became true.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < PATIENCE {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The largest difference of any channel of two images of one size (255 for sizes that
/// differ).
fn max_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> u8 {
    if a.dimensions() != b.dimensions() {
        return 255;
    }
    let pairs = a.as_raw().iter().zip(b.as_raw());
    pairs.map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0)
}
