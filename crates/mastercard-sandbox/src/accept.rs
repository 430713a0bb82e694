//! What the accept loop does when `accept()` fails.
//!
//! Some errors concern one connection only (the peer reset it while it waited in the backlog):
//! the next `accept()` is unaffected, so the loop simply goes on. The others (out of file
//! descriptors: `EMFILE`/`ENFILE`; out of memory: `ENOBUFS`/`ENOMEM`) repeat at once for as long
//! as the condition lasts, because the pending connection stays in the backlog: retrying
//! immediately would spin a CPU. Those pause the loop, doubling the pause on each further
//! failure, and say so once per streak on stderr.

use std::io;
use std::time::Duration;

/// Pauses the accept loop while accepting keeps failing.
#[derive(Debug)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
    failures: u64,
}

impl Backoff {
    /// Starts at `min`, doubles up to `max`.
    pub fn new(min: Duration, max: Duration) -> Self {
        let max = max.max(min);
        Self {
            min,
            max,
            next: min,
            failures: 0,
        }
    }

    /// How long to wait before the next `accept()` after `error` (`None`: go on at once).
    pub fn failed(&mut self, listener: &str, error: &io::Error) -> Option<Duration> {
        if concerns_one_connection(error) {
            return None;
        }
        if self.failures == 0 {
            eprintln!(
                "mastercard-sandbox: {listener} listener: accept failed: {error}; pausing accepts (up to {:?} between attempts) until it succeeds",
                self.max
            );
        }
        self.failures = self.failures.saturating_add(1);
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        Some(delay)
    }

    /// A connection was accepted: the next failure starts a new streak.
    pub fn succeeded(&mut self, listener: &str) {
        if self.failures > 0 {
            eprintln!(
                "mastercard-sandbox: {listener} listener: accepting again after {} failed attempts",
                self.failures
            );
        }
        self.failures = 0;
        self.next = self.min;
    }

    /// Failed attempts in the current streak.
    #[cfg(test)]
    pub fn failures(&self) -> u64 {
        self.failures
    }
}

/// Whether `error` is about the one connection being accepted (the listener itself is fine).
fn concerns_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn emfile() -> io::Error {
        // EMFILE on Linux and the BSDs.
        io::Error::from_raw_os_error(24)
    }

    #[test]
    fn resource_errors_back_off_exponentially_up_to_the_cap_and_reset_on_success() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(75));
        let delays: Vec<_> = (0..5)
            .map(|_| backoff.failed("test", &emfile()).unwrap())
            .collect();
        assert_eq!(
            delays,
            [10, 20, 40, 75, 75].map(Duration::from_millis).to_vec()
        );
        assert_eq!(backoff.failures(), 5);
        backoff.succeeded("test");
        assert_eq!(backoff.failures(), 0);
        assert_eq!(
            backoff.failed("test", &emfile()),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn errors_about_one_connection_do_not_pause() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(1));
        for kind in [
            io::ErrorKind::ConnectionAborted,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::Interrupted,
        ] {
            assert_eq!(backoff.failed("test", &io::Error::from(kind)), None);
        }
        assert_eq!(backoff.failures(), 0);
    }
}
