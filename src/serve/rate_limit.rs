//! A token bucket per viewer: a burst of [`BURST`] messages, then [`PER_SECOND`] on average;
//! what is over is dropped, and the viewer told at most once a second.

use std::time::Instant;

/// Messages a viewer may send in a burst, and per second on average.
pub const BURST: f64 = 200.0;
pub const PER_SECOND: f64 = 120.0;

/// A token bucket of [`BURST`] messages refilled at [`PER_SECOND`].
pub struct RateLimit {
    tokens: f64,
    at: Instant,
    dropped: u64,
    warned: Option<Instant>,
}

impl RateLimit {
    pub fn new() -> Self {
        RateLimit {
            tokens: BURST,
            at: Instant::now(),
            dropped: 0,
            warned: None,
        }
    }

    /// `None`: the message may pass; `Some(warning)`: drop it, telling the viewer at most
    /// once a second.
    pub fn take(&mut self) -> Option<Option<String>> {
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

impl Default for RateLimit {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
