//! Progress of long stages (reading a field, rendering in passes): a bar on a terminal once a
//! stage has taken more than a second, and one line when it ends on standard error when that
//! is not a terminal (a batch job's log). Stages shorter than a second say nothing.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a stage runs before it shows progress.
const QUIET: Duration = Duration::from_secs(1);

/// One stage of work counted in `unit`s up to a total.
pub struct Stage {
    label: String,
    unit: &'static str,
    total: u64,
    start: Instant,
    state: Mutex<State>,
}

struct State {
    done: u64,
    detail: String,
    bar: Option<indicatif::ProgressBar>,
}

impl Stage {
    /// A stage of `total` `unit`s (e.g. "grids", "passes").
    pub fn new(label: impl Into<String>, total: u64, unit: &'static str) -> Stage {
        Stage {
            label: label.into(),
            unit,
            total,
            start: Instant::now(),
            state: Mutex::new(State {
                done: 0,
                detail: String::new(),
                bar: None,
            }),
        }
    }

    /// `n` more units done; `detail` (e.g. "1.2 GB read") replaces the last one.
    pub fn advance(&self, n: u64, detail: impl FnOnce() -> String) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.done += n;
        let terminal = std::io::stderr().is_terminal();
        if !terminal && s.bar.is_none() && self.start.elapsed() < QUIET {
            return;
        }
        s.detail = detail();
        if terminal && self.start.elapsed() >= QUIET {
            let (done, detail) = (s.done, s.detail.clone());
            let bar = s.bar.get_or_insert_with(|| self.bar());
            bar.set_position(done);
            bar.set_message(detail);
        }
    }

    fn bar(&self) -> indicatif::ProgressBar {
        let bar = indicatif::ProgressBar::new(self.total);
        let template = format!(
            "{} {{wide_bar}} {{pos}}/{{len}} {}, {{msg}}, ETA {{eta}}",
            self.label, self.unit
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar
    }

    /// Ends the stage: clears the bar, or prints the stage's line when it took more than a
    /// second and standard error is not a terminal.
    pub fn finish(&self) {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = &s.bar {
            bar.finish_and_clear();
        }
        let secs = self.start.elapsed().as_secs_f64();
        if secs >= QUIET.as_secs_f64() && !std::io::stderr().is_terminal() {
            let detail = if s.detail.is_empty() {
                String::new()
            } else {
                format!(", {}", s.detail)
            };
            eprintln!(
                "amrcast: {}: {} of {} {}{detail} in {secs:.1} s",
                self.label, s.done, self.total, self.unit
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_counts_what_was_done() {
        let s = Stage::new("reading Density", 3, "grids");
        s.advance(2, || "8 MB read".into());
        s.advance(1, || "12 MB read".into());
        assert_eq!(s.state.lock().unwrap().done, 3);
        s.finish();
    }
}
