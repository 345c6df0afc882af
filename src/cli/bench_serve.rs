//! `amrcast bench --serve N`: starts `amrcast serve` in this process (127.0.0.1, any free
//! port) and connects N headless viewers at once ([`crate::serve::client`]); each settles on
//! its first final frame, then all drag together; prints each one's frame rate while
//! dragging, input-to-frame latency, time to the final frame, what it received, and the
//! process's peak memory before and after.

use super::args::RenderOptions;
use crate::error::{Error, Result};
use crate::measure::own_peak_rss;
use crate::serve::client::{drag, quantile, settle, Connection, DragReport, DragScript};
use crate::serve::{ServeOptions, Server};
use indicatif::HumanBytes;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The image size of each viewer when `--size` is not given.
pub const SERVE_SIZE: (u32, u32) = (1024, 768);

/// `amrcast bench --serve VIEWERS [--drag-seconds SECONDS]`.
pub fn bench_serve(opts: &RenderOptions, viewers: usize, seconds: f64) -> Result<()> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return Err(Error::Settings(format!(
            "--drag-seconds {seconds}: give a time from above 0 to 3600 seconds"
        )));
    }
    let request = opts.request();
    let size = opts.camera.size.unwrap_or(SERVE_SIZE);
    let dataset = request.data.dataset.clone();
    let server = Server::start(ServeOptions {
        data: request.data,
        settings: request.settings,
        camera: request.camera,
        bind: Ipv4Addr::LOCALHOST.into(),
        port: 0,
        ..ServeOptions::default()
    })?;
    let before = own_peak_rss();
    let script = DragScript {
        size,
        seconds,
        ..DragScript::default()
    };
    let reports = run_viewers(&server.url(), viewers, &script);
    let after = own_peak_rss();
    let adapter = server.adapter().to_string();
    server.stop();
    let reports = reports?;
    let name = dataset.map_or("the demo".into(), |p| p.display().to_string());
    println!("adapter:        {adapter}");
    println!("dataset:        {name}");
    println!(
        "viewers:        {viewers} at {}x{}, each dragging {seconds} s ({} orbit inputs per second)",
        size.0, size.1, script.rate
    );
    for (i, r) in reports.iter().enumerate() {
        println!("{:<16}{}", format!("viewer {}:", i + 1), line(r));
        println!("{:<16}{}", "", sizes(r));
    }
    if reports.len() > 1 {
        println!("{:<16}{}", "overall:", overall(&reports));
    }
    println!(
        "peak memory:    {} before the viewers (server started), {} after",
        HumanBytes(before),
        HumanBytes(after)
    );
    Ok(())
}

/// Runs `viewers` clients at once on a runtime of its own: each connects and settles, then all
/// drag together.
fn run_viewers(url: &str, viewers: usize, script: &DragScript) -> Result<Vec<DragReport>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    let barrier = Arc::new(tokio::sync::Barrier::new(viewers));
    rt.block_on(async {
        let tasks: Vec<_> = (0..viewers)
            .map(|_| {
                let (url, script, barrier) = (url.to_string(), script.clone(), barrier.clone());
                tokio::spawn(async move {
                    let settled = async {
                        let mut conn = Connection::connect(&url).await?;
                        settle(&mut conn, script.size, script.patience).await?;
                        Ok::<_, Error>(conn)
                    }
                    .await;
                    // Wait for the others even after an error, so that they do not hang.
                    barrier.wait().await;
                    let mut conn = settled?;
                    let report = drag(&mut conn, &script).await;
                    conn.close().await;
                    report
                })
            })
            .collect();
        let mut reports = Vec::new();
        for t in tasks {
            let r = t
                .await
                .map_err(|e| Error::Settings(format!("bench --serve: a viewer failed: {e}")))?;
            reports.push(r?);
        }
        Ok(reports)
    })
}

/// One viewer's figures on one line.
fn line(r: &DragReport) -> String {
    format!(
        "{:.1} frames/s while dragging ({} inputs in {:.2} s), latency median {} p90 {} (server render median {}), final frame {}, {} images, {:.1} MB{}",
        r.fps(),
        r.inputs,
        r.drag_ms * 1e-3,
        ms(r.latency_ms(0.5)),
        ms(r.latency_ms(0.9)),
        ms(quantile(&r.render_ms, 0.5)),
        r.final_ms
            .map_or("never came".into(), |t| format!("{:.2} s after the last input", t * 1e-3)),
        r.frames,
        r.bytes as f64 * 1e-6,
        match r.errors().len() {
            0 => String::new(),
            n => format!(", {n} errors (first: {})", r.errors()[0]),
        }
    )
}

/// The formats and sizes one viewer received: per format, how many, smallest and largest.
fn sizes(r: &DragReport) -> String {
    let mut parts = Vec::new();
    for format in ["jpeg", "png"] {
        let seen: Vec<_> = r
            .sizes
            .iter()
            .filter(|((f, _, _), _)| f == format)
            .collect();
        let n: usize = seen.iter().map(|(_, n)| **n).sum();
        let area = |((_, w, h), _): &&(&(String, u32, u32), &usize)| w * h;
        if let (Some(lo), Some(hi)) = (seen.iter().min_by_key(area), seen.iter().max_by_key(area)) {
            let ((_, lw, lh), (_, hw, hh)) = (lo.0, hi.0);
            parts.push(if lo.0 == hi.0 {
                format!("{n} {format} {lw}x{lh}")
            } else {
                format!("{n} {format} from {lw}x{lh} to {hw}x{hh}")
            });
        }
    }
    parts.join(", ")
}

/// Every viewer's figures together: the slowest frame rate, latencies over all frames, the
/// latest final frame, the total received.
fn overall(reports: &[DragReport]) -> String {
    let mut all = DragReport::default();
    for r in reports {
        all.latencies_ms.extend(&r.latencies_ms);
        all.frames += r.frames;
        all.bytes += r.bytes;
    }
    all.latencies_ms.sort_by(f64::total_cmp);
    let fps: Vec<f64> = reports.iter().map(DragReport::fps).collect();
    let last_final = reports
        .iter()
        .map(|r| r.final_ms)
        .try_fold(0.0f64, |m, f| f.map(|f| m.max(f)));
    format!(
        "{:.1} frames/s per viewer on average (slowest {:.1}), latency median {} p90 {}, last final frame {}, {} images, {:.1} MB",
        fps.iter().sum::<f64>() / fps.len() as f64,
        fps.iter().copied().fold(f64::INFINITY, f64::min),
        ms(all.latency_ms(0.5)),
        ms(all.latency_ms(0.9)),
        last_final.map_or("missing".into(), |t| format!("{:.2} s after the last input", t * 1e-3)),
        all.frames,
        all.bytes as f64 * 1e-6
    )
}

fn ms(t: Option<f64>) -> String {
    t.map_or("-".into(), |t| format!("{t:.0} ms"))
}
