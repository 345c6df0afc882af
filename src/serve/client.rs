//! A headless client of `amrcast serve` (docs/serve-protocol.md): [`Connection`] connects to a
//! server's page URL, sends messages and reads what comes back (text as JSON, images with their
//! header); [`drag`] runs a drag script ([`DragScript`]) and measures the frame rate, the
//! input-to-frame latency and the time to the final frame ([`DragReport`]). `amrcast bench
//! --serve` and the server's tests share it.

use crate::error::{Error, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The WebSocket URL of a server's page URL: `http://HOST:PORT/?token=T` becomes
/// `ws://HOST:PORT/ws?token=T` (`https` becomes `wss`); a `ws://` URL is kept as it is.
pub fn ws_url(page: &str) -> Result<String> {
    let (scheme, rest) = page
        .split_once("://")
        .ok_or_else(|| Error::format(page, "not a URL (http://HOST:PORT/?token=T)"))?;
    let scheme = match scheme {
        "ws" | "wss" => return Ok(page.to_string()),
        "http" => "ws",
        "https" => "wss",
        _ => return Err(Error::format(page, format!("unknown scheme '{scheme}'"))),
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(end);
    let query = tail
        .split_once('?')
        .map_or(String::new(), |(_, q)| format!("?{q}"));
    Ok(format!("{scheme}://{host}/ws{query}"))
}

pub use super::protocol::{FrameHeader, ImageKind};

/// An image message: its header, the image file, and when it arrived.
#[derive(Clone, Debug)]
pub struct Image {
    pub header: FrameHeader,
    pub data: Vec<u8>,
    pub at: Instant,
}

impl Image {
    /// Splits a binary message into its header (after a little-endian `u32` length) and file.
    pub fn parse(bytes: &[u8], at: Instant) -> Result<Image> {
        let (header, data) = super::protocol::decode_image(bytes)
            .ok_or_else(|| Error::format("image message", "no u32 length and JSON image header"))?;
        Ok(Image {
            header,
            data: data.to_vec(),
            at,
        })
    }

    /// The PNG decoded to RGBA.
    pub fn decode_png(&self) -> Result<image::RgbaImage> {
        image::load_from_memory_with_format(&self.data, image::ImageFormat::Png)
            .map(|i| i.to_rgba8())
            .map_err(|e| Error::format("image message", format!("PNG: {e}")))
    }
}

/// One message from the server.
#[derive(Clone, Debug)]
pub enum Incoming {
    /// A text message, parsed.
    Text(Value),
    Image(Image),
    /// The server closed the connection (or it broke).
    Closed,
}

impl Incoming {
    /// The text message's `type`, if it is one.
    pub fn kind(&self) -> Option<&str> {
        match self {
            Incoming::Text(v) => v.get("type").and_then(Value::as_str),
            _ => None,
        }
    }
}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket connection to a server.
pub struct Connection {
    ws: Ws,
    url: String,
}

impl Connection {
    /// Connects to the server of `page` (its page URL, or a `ws://` URL).
    pub async fn connect(page: &str) -> Result<Connection> {
        Connection::connect_with(page, None).await
    }

    /// Connects with an `Origin` header.
    pub async fn connect_with(page: &str, origin: Option<&str>) -> Result<Connection> {
        let url = ws_url(page)?;
        let fail = |what: String| Error::format(&url, what);
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| fail(e.to_string()))?;
        if let Some(origin) = origin {
            let value = origin
                .parse()
                .map_err(|_| fail(format!("origin '{origin}'")))?;
            request.headers_mut().insert("origin", value);
        }
        let (ws, _) = tokio_tungstenite::connect_async_with_config(request, None, true)
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(r) => fail(format!("refused: HTTP {}", r.status())),
                e => fail(e.to_string()),
            })?;
        Ok(Connection { ws, url })
    }

    /// The WebSocket URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one JSON message.
    pub async fn send(&mut self, msg: &Value) -> Result<()> {
        self.send_raw(Message::text(msg.to_string())).await
    }

    /// Sends any WebSocket message (text that need not be JSON, binary).
    pub async fn send_raw(&mut self, msg: Message) -> Result<()> {
        self.ws
            .send(msg)
            .await
            .map_err(|e| Error::format(&self.url, format!("send: {e}")))
    }

    /// The next text or image message, waiting at most `timeout`; ping and pong are skipped.
    pub async fn recv(&mut self, timeout: Duration) -> Result<Incoming> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| Error::format(&self.url, format!("no message within {timeout:?}")))?;
            let at = Instant::now();
            match next {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(Incoming::Closed),
                Some(Ok(Message::Text(t))) => {
                    let v = serde_json::from_str(&t).map_err(|e| {
                        Error::format(&self.url, format!("text message not JSON: {e}: {t}"))
                    })?;
                    return Ok(Incoming::Text(v));
                }
                Some(Ok(Message::Binary(b))) => return Ok(Incoming::Image(Image::parse(&b, at)?)),
                Some(Ok(_)) => {}
            }
        }
    }

    /// Reads messages until one that `want` accepts, waiting at most `timeout` in all; the
    /// messages before it are passed to `skipped`. An error if the connection closes first.
    pub async fn recv_until(
        &mut self,
        timeout: Duration,
        mut want: impl FnMut(&Incoming) -> bool,
        mut skipped: impl FnMut(Incoming),
    ) -> Result<Incoming> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.recv(left).await?;
            if want(&m) {
                return Ok(m);
            }
            if let Incoming::Closed = m {
                return Err(Error::format(&self.url, "the server closed the connection"));
            }
            skipped(m);
        }
    }

    /// The next text message of type `kind`, skipping others (and images).
    pub async fn recv_kind(&mut self, kind: &str, timeout: Duration) -> Result<Value> {
        match self
            .recv_until(timeout, |m| m.kind() == Some(kind), |_| {})
            .await?
        {
            Incoming::Text(v) => Ok(v),
            _ => unreachable!("recv_until returns what `want` accepted"),
        }
    }

    /// The next final frame of at least `seq`, skipping everything else.
    pub async fn recv_final(&mut self, seq: u64, timeout: Duration) -> Result<Image> {
        let want = |m: &Incoming| matches!(m, Incoming::Image(i) if i.header.is_final && i.header.seq >= seq);
        match self.recv_until(timeout, want, |_| {}).await? {
            Incoming::Image(i) => Ok(i),
            _ => unreachable!("recv_until returns what `want` accepted"),
        }
    }

    /// Closes the connection (politely; errors are ignored).
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// A drag: `orbit` messages of `step` pixels at `rate` per second for `seconds`, on an image
/// of `size` (the size [`settle`] asks for).
#[derive(Clone, Debug)]
pub struct DragScript {
    pub size: (u32, u32),
    pub seconds: f64,
    pub rate: f64,
    pub step: (f64, f64),
    /// How long to wait for the first frame and for the final frame after the drag.
    pub patience: Duration,
}

impl Default for DragScript {
    fn default() -> Self {
        DragScript {
            size: (1024, 768),
            seconds: 5.0,
            rate: 60.0,
            step: (3.0, 1.0),
            patience: Duration::from_secs(120),
        }
    }
}

/// What one drag measured. Times are in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct DragReport {
    /// Orbit messages sent, and the time from the first to the last.
    pub inputs: u64,
    pub drag_ms: f64,
    /// Frames that arrived between the first and the last input.
    pub frames_while_dragging: usize,
    /// Input-to-frame latency of every interactive frame reflecting an input of the drag,
    /// sorted.
    pub latencies_ms: Vec<f64>,
    /// The server's render time (`render_ms`) of the same frames, sorted.
    pub render_ms: Vec<f64>,
    /// From the last input to the final frame reflecting it; `None` if none came in time.
    pub final_ms: Option<f64>,
    /// Image messages and their bytes, from the first input to the final frame.
    pub frames: usize,
    pub bytes: u64,
    /// Images received per (format, width, height).
    pub sizes: BTreeMap<(String, u32, u32), usize>,
    /// The text messages received, with their arrival after the first input (ms).
    pub texts: Vec<(f64, Value)>,
}

impl DragReport {
    /// Frames per second while dragging.
    pub fn fps(&self) -> f64 {
        if self.drag_ms <= 0.0 {
            return 0.0;
        }
        self.frames_while_dragging as f64 / (self.drag_ms * 1e-3)
    }

    /// The `q`-quantile (0..=1) of the latencies.
    pub fn latency_ms(&self, q: f64) -> Option<f64> {
        quantile(&self.latencies_ms, q)
    }

    /// The `error` messages received.
    pub fn errors(&self) -> Vec<String> {
        self.texts
            .iter()
            .filter(|(_, v)| v["type"] == "error")
            .map(|(_, v)| v["message"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

/// The `q`-quantile (0..=1) of sorted values, nearest rank; `None` for none.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n.max(1));
    sorted.get(rank - 1).copied()
}

/// The state of a drag while it runs.
struct Recorder {
    start: Instant,
    first_seq: u64,
    sent: Vec<Instant>,
    dragging: bool,
    report: DragReport,
}

impl Recorder {
    fn ms(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64() * 1e3
    }

    fn take(&mut self, m: Incoming) {
        match m {
            Incoming::Text(v) => {
                let t = self.ms(Instant::now());
                self.report.texts.push((t, v));
            }
            Incoming::Image(i) => {
                let h = &i.header;
                let r = &mut self.report;
                r.frames += 1;
                r.bytes += i.data.len() as u64;
                *r.sizes
                    .entry((h.format.clone(), h.width, h.height))
                    .or_default() += 1;
                if self.dragging && h.kind == ImageKind::Frame {
                    r.frames_while_dragging += 1;
                }
                let sent = h
                    .seq
                    .checked_sub(self.first_seq)
                    .and_then(|k| self.sent.get(k as usize));
                if let (Some(sent), false, ImageKind::Frame) = (sent, h.is_final, h.kind) {
                    r.latencies_ms
                        .push(i.at.saturating_duration_since(*sent).as_secs_f64() * 1e3);
                    r.render_ms.push(h.render_ms);
                }
            }
            Incoming::Closed => {}
        }
    }
}

/// Sends `resize` (seq 1) and waits for the first final frame of that size: the view at
/// rest. Returns it and the text messages that came before it.
pub async fn settle(
    conn: &mut Connection,
    size: (u32, u32),
    patience: Duration,
) -> Result<(Image, Vec<Value>)> {
    let (w, h) = size;
    conn.send(&json!({"type": "resize", "seq": 1, "width": w, "height": h}))
        .await?;
    let mut texts = Vec::new();
    let want =
        |m: &Incoming| matches!(m, Incoming::Image(i) if i.header.is_final && i.header.seq >= 1);
    let skipped = |m: Incoming| {
        if let Incoming::Text(v) = m {
            texts.push(v);
        }
    };
    match conn.recv_until(patience, want, skipped).await? {
        Incoming::Image(i) => Ok((i, texts)),
        _ => unreachable!("recv_until returns what `want` accepted"),
    }
}

/// Runs `script` on a connection at rest after [`settle`]: orbits from seq 2 on for the
/// script's time, then waits for the final frame of the last input.
pub async fn drag(conn: &mut Connection, script: &DragScript) -> Result<DragReport> {
    let mut rec = Recorder {
        start: Instant::now(),
        first_seq: 2,
        sent: Vec::new(),
        dragging: true,
        report: DragReport::default(),
    };
    let end = rec.start + Duration::from_secs_f64(script.seconds.max(0.0));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / script.rate.max(1e-3)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    while Instant::now() < end {
        tokio::select! {
            _ = tick.tick() => {
                let seq = rec.first_seq + rec.sent.len() as u64;
                let (dx, dy) = script.step;
                rec.sent.push(Instant::now());
                conn.send(&json!({"type": "orbit", "seq": seq, "dx": dx, "dy": dy})).await?;
            }
            m = conn.recv(Duration::from_secs(3600)) => {
                let m = m?;
                if let Incoming::Closed = m {
                    return Err(Error::format(conn.url(), "closed while dragging"));
                }
                rec.take(m);
            }
        }
    }
    rec.dragging = false;
    let last = *rec.sent.last().unwrap_or(&rec.start);
    rec.report.inputs = rec.sent.len() as u64;
    rec.report.drag_ms = rec.ms(last);
    let last_seq = rec.first_seq + rec.sent.len().saturating_sub(1) as u64;
    let want = |m: &Incoming| matches!(m, Incoming::Image(i) if i.header.is_final && i.header.seq >= last_seq);
    match conn
        .recv_until(script.patience, want, |m| rec.take(m))
        .await
    {
        Ok(Incoming::Image(i)) => {
            rec.report.final_ms = Some(i.at.saturating_duration_since(last).as_secs_f64() * 1e3);
            rec.take(Incoming::Image(i));
        }
        Ok(_) => {}
        Err(e) => log::warn!("{e}"),
    }
    rec.report.latencies_ms.sort_by(f64::total_cmp);
    rec.report.render_ms.sort_by(f64::total_cmp);
    Ok(rec.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_become_socket_urls() {
        let t = "ab".repeat(32);
        let cases = [
            (
                format!("http://127.0.0.1:8765/?token={t}"),
                format!("ws://127.0.0.1:8765/ws?token={t}"),
            ),
            (
                format!("https://host:1/?token={t}"),
                format!("wss://host:1/ws?token={t}"),
            ),
            (
                format!("http://[::1]:9?token={t}"),
                format!("ws://[::1]:9/ws?token={t}"),
            ),
            ("http://h:2".into(), "ws://h:2/ws".into()),
            ("ws://h:2/ws?token=x".into(), "ws://h:2/ws?token=x".into()),
        ];
        for (page, ws) in cases {
            assert_eq!(ws_url(&page).unwrap(), ws);
        }
        assert!(ws_url("ftp://h/").is_err());
        assert!(ws_url("h:2").is_err());
    }

    #[test]
    fn image_messages_give_their_header_and_the_file() {
        use super::super::frames::{jpeg, png};
        use super::super::protocol::encode_image;
        let rgba: Vec<u8> = (0..37 * 21 * 4).map(|i| (i * 7 % 251) as u8).collect();
        for (encoded, format) in [
            (jpeg(37, 21, &rgba, 70).unwrap(), "jpeg"),
            (png(37, 21, &rgba).unwrap(), "png"),
        ] {
            let header = FrameHeader {
                kind: ImageKind::Frame,
                seq: 9,
                id: None,
                format: format.into(),
                width: 37,
                height: 21,
                view: [74, 42],
                is_final: format == "png",
                render_ms: 3.5,
            };
            let image =
                Image::parse(&encode_image(&header, &encoded.bytes), Instant::now()).unwrap();
            assert_eq!(image.header, header);
            assert_eq!(image.data, encoded.bytes);
        }
        assert!(Image::parse(&[200, 0, 0, 0, b'{'], Instant::now()).is_err());
    }

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(5.0));
        assert_eq!(quantile(&v, 0.9), Some(9.0));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        assert_eq!(quantile(&[], 0.5), None);
        let r = DragReport {
            frames_while_dragging: 30,
            drag_ms: 1500.0,
            ..DragReport::default()
        };
        assert_eq!(r.fps(), 20.0);
    }
}
