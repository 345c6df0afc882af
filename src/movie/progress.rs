//! Progress of a movie: a bar on a terminal, one line per frame otherwise.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

/// Progress: a bar on a terminal, one log line per frame otherwise.
pub(super) enum Progress {
    Bar(indicatif::ProgressBar),
    Lines {
        start: Instant,
        total: usize,
        done: usize,
    },
}

impl Progress {
    pub(super) fn new(total: usize) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{wide_bar} {pos}/{len} frames, {per_sec}, ETA {eta}",
            ) {
                bar.set_style(style);
            }
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                start: Instant::now(),
                total,
                done: 0,
            }
        }
    }

    pub(super) fn frame_done(&mut self, file: &Path) {
        match self {
            Progress::Bar(b) => b.inc(1),
            Progress::Lines { start, total, done } => {
                *done += 1;
                let secs = start.elapsed().as_secs_f64();
                let rate = *done as f64 / secs.max(1e-9);
                let eta = (*total - *done) as f64 / rate;
                eprintln!(
                    "amrcast: {} ({}/{}, {rate:.2} frames/s, ETA {eta:.0} s)",
                    file.display(),
                    done,
                    total
                );
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish();
        }
    }
}
