//! `amrcast serve`'s page in a real browser: headless Chromium driven through chromedriver
//! (WebDriver). The page loads and a final frame arrives; the canvas shows the volume; a drag
//! turns it, with frames that carry the drag's `seq`; the page's frame rate and latency are
//! numbers; and the page and its WebSocket want the token. Skipped (with a message) when
//! `chromium` or `chromedriver` is not on PATH.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the page may take to show its first final frame (a software adapter renders it).
const FIRST_FRAME: Duration = Duration::from_secs(90);
/// How long the frames of a drag may take to arrive.
const AFTER_DRAG: Duration = Duration::from_secs(60);

/// A child process in a process group of its own, killed with the group when dropped (so
/// chromedriver takes the browser it started with it).
struct Group(Child);

impl Group {
    fn spawn(cmd: &mut Command) -> std::io::Result<Group> {
        cmd.process_group(0).spawn().map(Group)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group of the child this test started.
        unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `amrcast serve --port 0` on the demo, its URL (the one line of its standard output) and
/// its log (standard error, collected for failure messages).
struct Server {
    _child: Group,
    url: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        let mut child = Group::spawn(
            Command::new(env!("CARGO_BIN_EXE_amrcast"))
                .args(["serve", "--port", "0"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
        .expect("amrcast serve starts");
        let log = Arc::new(Mutex::new(String::new()));
        let (stdout, stderr) = (child.0.stdout.take(), child.0.stderr.take());
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr.unwrap())
                .lines()
                .map_while(|l| l.ok())
            {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout.unwrap()).lines();
            let _ = tx.send(lines.next().and_then(|l| l.ok()));
            lines.for_each(drop);
        });
        let server = Server {
            _child: child,
            url: String::new(),
            log,
        };
        match rx.recv_timeout(FIRST_FRAME) {
            Ok(Some(url)) => Server {
                url: url.trim().to_string(),
                ..server
            },
            _ => panic!("amrcast serve printed no URL; its log:\n{}", server.log()),
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `host:port` of the server.
    fn authority(&self) -> &str {
        let rest = self.url.split("://").nth(1).unwrap();
        rest.split('/').next().unwrap()
    }
}

/// The status code of a plain `GET path` to `authority` (with `extra` header lines).
fn status_of(authority: &str, path: &str, extra: &str) -> u16 {
    let mut s = TcpStream::connect(authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\n{extra}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let head = String::from_utf8_lossy(&answer);
    let status = head.split_whitespace().nth(1).unwrap_or("");
    status
        .parse()
        .unwrap_or_else(|_| panic!("no status: {head}"))
}

/// chromedriver on a free port, once it accepts connections.
fn start_chromedriver() -> (Group, u16) {
    let port = free_port();
    let child = Group::spawn(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .expect("chromedriver starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver never listened"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

#[test]
fn the_page_shows_and_turns_the_volume() {
    for tool in ["chromium", "chromedriver"] {
        if !on_path(tool) {
            println!("skipped: {tool} is not on PATH");
            return;
        }
    }
    let server = Server::start();
    let token = server
        .url
        .split("token=")
        .nth(1)
        .expect("the URL has a token");
    // The page and the WebSocket want the token; the script and style do not.
    let a = server.authority();
    assert_eq!(status_of(a, "/", ""), 403);
    assert_eq!(status_of(a, "/?token=0123", ""), 403);
    let wrong: String = token.chars().rev().collect();
    assert_eq!(status_of(a, &format!("/?token={wrong}"), ""), 403);
    assert_eq!(status_of(a, &format!("/?token={token}"), ""), 200);
    assert_eq!(status_of(a, "/viewer.js", ""), 200);
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    assert_eq!(status_of(a, &format!("/ws?token={wrong}"), upgrade), 403);
    let foreign = format!("{upgrade}Origin: http://elsewhere.example\r\n");
    assert_eq!(status_of(a, &format!("/ws?token={token}"), &foreign), 403);

    let (_driver, port) = start_chromedriver();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = rt.block_on(async {
        let caps = json!({"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,800"
        ]}});
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        let outcome = drive(&client, &server.url).await;
        let _ = client.close().await;
        outcome
    });
    if let Err(e) = outcome {
        panic!("{e:#}\nthe server's log:\n{}", server.log());
    }
}

/// The checks in the browser; errors rather than panics, so the session is closed after.
async fn drive(c: &Client, url: &str) -> anyhow::Result<()> {
    c.goto(url).await?;
    let stats = wait_for(c, FIRST_FRAME, "a final frame", |s| {
        s["finals"].as_u64() >= Some(1)
    })
    .await?;
    let before = signature(c).await?;
    anyhow::ensure!(
        before.centre_spread > 0.03,
        "the centre is uniform: {before:?}"
    );
    anyhow::ensure!(
        before.centre_vs_background > 0.02,
        "the centre looks like the background: {before:?}"
    );

    // A drag to the right across the canvas, in steps.
    let canvas = c.find(Locator::Css("canvas.amc-canvas")).await?;
    let mut drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: -150.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        });
    for _ in 0..10 {
        drag = drag.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(30)),
            x: 30.0,
            y: 4.0,
        });
    }
    drag = drag.then(PointerAction::Up {
        button: MOUSE_BUTTON_LEFT,
    });
    c.perform_actions(drag).await?;
    c.release_actions().await?;

    let orbits = |s: &Value| s["sent"]["orbit"].as_u64().unwrap_or(0);
    anyhow::ensure!(
        orbits(&page_stats(c).await?) > orbits(&stats),
        "the drag sent no orbit"
    );
    let seq_before = stats["sentSeq"].as_u64().unwrap();
    let after = wait_for(c, AFTER_DRAG, "the drag's final frame", |s| {
        let sent = s["sentSeq"].as_u64().unwrap_or(0);
        sent > seq_before
            && s["lastFinalSeq"].as_u64() == Some(sent)
            && s["drawnSeq"].as_u64() == Some(sent)
    })
    .await?;
    let turned = signature(c).await?;
    // The halo looks much the same from most sides: the drag changes parts of the image.
    let (mean, most) = before.distance(&turned);
    anyhow::ensure!(
        mean > 0.002 && most > 0.05,
        "the drag did not change the image (mean {mean}, most {most})"
    );
    anyhow::ensure!(
        after["lastSeq"].as_u64() > Some(seq_before),
        "no frame carries the drag's seq: {after}"
    );
    anyhow::ensure!(after["fps"].is_number(), "fps is not a number: {after}");
    let latency = after["latencyMs"].as_f64();
    anyhow::ensure!(
        latency.is_some_and(|l| l.is_finite() && l > 0.0),
        "latency is not a positive number: {after}"
    );
    let errors = after["errors"].as_array().map_or(0, Vec::len);
    anyhow::ensure!(errors == 0, "the page shows errors: {after}");
    let frames = after["frames"].as_u64().unwrap_or(0);
    let finals = after["finals"].as_u64().unwrap_or(0);
    anyhow::ensure!(
        frames > finals && finals >= 2,
        "frames {frames}, finals {finals}"
    );
    println!(
        "frames {frames} ({finals} final), latency {:.1} ms, image change {mean:.4} (most \
         {most:.3}), centre spread {:.3}",
        latency.unwrap(),
        before.centre_spread
    );
    Ok(())
}

/// `window.amrcastStats`, or null before the page set it.
async fn page_stats(c: &Client) -> anyhow::Result<Value> {
    Ok(c.execute("return window.amrcastStats || null;", vec![])
        .await?)
}

/// Polls the page's statistics until `ready` holds them.
async fn wait_for(
    c: &Client,
    limit: Duration,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> anyhow::Result<Value> {
    let start = Instant::now();
    loop {
        let s = page_stats(c).await?;
        if !s.is_null() && ready(&s) {
            return Ok(s);
        }
        if start.elapsed() > limit {
            anyhow::bail!("no {what} within {limit:?}; the page's stats: {s}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The canvas downscaled to a grid of mean colours (0..1), with how much its centre varies
/// and how far the centre is from the background (the corners).
#[derive(Debug)]
struct Signature {
    cells: Vec<f64>,
    centre_spread: f64,
    centre_vs_background: f64,
}

impl Signature {
    /// The mean and the largest absolute difference per cell and channel.
    fn distance(&self, other: &Signature) -> (f64, f64) {
        let d: Vec<f64> = self
            .cells
            .iter()
            .zip(&other.cells)
            .map(|(a, b)| (a - b).abs())
            .collect();
        let most = d.iter().cloned().fold(0.0, f64::max);
        (d.iter().sum::<f64>() / d.len().max(1) as f64, most)
    }
}

/// Grid cells across and down of the signature.
const GRID: usize = 24;

const SIGNATURE_JS: &str = r#"
const n = arguments[0];
const c = document.querySelector("canvas.amc-canvas");
const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
const cells = [];
for (let gy = 0; gy < n; gy++) for (let gx = 0; gx < n; gx++) {
  const x0 = Math.floor(gx * c.width / n), x1 = Math.floor((gx + 1) * c.width / n);
  const y0 = Math.floor(gy * c.height / n), y1 = Math.floor((gy + 1) * c.height / n);
  const s = [0, 0, 0]; let k = 0;
  for (let y = y0; y < y1; y += 2) for (let x = x0; x < x1; x += 2) {
    const i = 4 * (y * c.width + x);
    s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2]; k++;
  }
  for (const v of s) cells.push(v / Math.max(k, 1) / 255);
}
return cells;
"#;

async fn signature(c: &Client) -> anyhow::Result<Signature> {
    let v = c.execute(SIGNATURE_JS, vec![json!(GRID)]).await?;
    let cells: Vec<f64> = v
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("no pixels: {v}"))?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    anyhow::ensure!(cells.len() == 3 * GRID * GRID, "{} values", cells.len());
    let cell = |x: usize, y: usize| &cells[3 * (y * GRID + x)..3 * (y * GRID + x) + 3];
    let luma = |c: &[f64]| 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2];
    let corners = [(0, 0), (GRID - 1, 0), (0, GRID - 1), (GRID - 1, GRID - 1)];
    let background: Vec<f64> = (0..3)
        .map(|k| corners.iter().map(|&(x, y)| cell(x, y)[k]).sum::<f64>() / 4.0)
        .collect();
    let centre: Vec<&[f64]> = (GRID / 3..2 * GRID / 3)
        .flat_map(|y| (GRID / 3..2 * GRID / 3).map(move |x| (x, y)))
        .map(|(x, y)| cell(x, y))
        .collect();
    let lumas: Vec<f64> = centre.iter().map(|c| luma(c)).collect();
    let spread = lumas.iter().cloned().fold(f64::MIN, f64::max)
        - lumas.iter().cloned().fold(f64::MAX, f64::min);
    let far = centre
        .iter()
        .map(|c| (0..3).map(|k| (c[k] - background[k]).abs()).sum::<f64>() / 3.0)
        .sum::<f64>()
        / centre.len() as f64;
    Ok(Signature {
        cells,
        centre_spread: spread,
        centre_vs_background: far,
    })
}
