//! Progress of `amrcast info` while it reads the fields: a bar on a terminal (grids and bytes
//! read, time left), one line per field on standard error otherwise, nothing when quiet.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Where reading progress goes.
pub(super) enum Progress {
    Quiet,
    Bar {
        bar: indicatif::ProgressBar,
        bytes: AtomicU64,
    },
    Lines,
}

impl Progress {
    /// A bar when standard error is a terminal, lines otherwise; `grids` is the number of
    /// grid reads to come (grids times fields).
    pub(super) fn stderr(grids: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress::Lines;
        }
        let bar = indicatif::ProgressBar::new(grids);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{prefix} {wide_bar} {pos}/{len} grids, {msg} read, ETA {eta}",
        ) {
            bar.set_style(style);
        }
        Progress::Bar {
            bar,
            bytes: AtomicU64::new(0),
        }
    }

    pub(super) fn start_field(&self, name: &str) {
        if let Progress::Bar { bar, .. } = self {
            bar.set_prefix(name.to_string());
        }
    }

    /// One grid of `bytes` read (from any thread).
    pub(super) fn grid_read(&self, bytes: u64) {
        if let Progress::Bar { bar, bytes: total } = self {
            let t = total.fetch_add(bytes, Ordering::Relaxed) + bytes;
            bar.set_message(indicatif::HumanBytes(t).to_string());
            bar.inc(1);
        }
    }

    /// A field read: `grids` grids, `bytes` bytes since `start`.
    pub(super) fn field_done(&self, name: &str, grids: usize, bytes: u64, start: Instant) {
        if let Progress::Lines = self {
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "amrcast: info: {name}: {grids} grids, {} read in {secs:.1} s",
                indicatif::HumanBytes(bytes)
            );
        }
    }

    pub(super) fn finish(&self) {
        if let Progress::Bar { bar, .. } = self {
            bar.finish_and_clear();
        }
    }
}
