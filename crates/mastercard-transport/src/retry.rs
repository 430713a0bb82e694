//! Which calls `exec` retries, and how long it waits between attempts.
//!
//! The policy only decides; the loop lives in [`crate::exec`], which re-runs every middleware
//! whose [`Middleware::reapply_on_retry`](crate::Middleware::reapply_on_retry) is `true` (the
//! OAuth1 signer) before each new attempt, so no attempt replays an old nonce or timestamp.

use std::collections::BTreeSet;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::Outcome;

/// Bounded exponential backoff with full jitter, honouring `Retry-After`, for an explicit set of
/// operations (generated method names). Operations not in the set are sent exactly once.
#[derive(Clone)]
pub struct RetryPolicy {
    operations: BTreeSet<&'static str>,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("operations", &self.operations.len())
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_retry_after", &self.max_retry_after)
            .finish()
    }
}

impl RetryPolicy {
    /// Retries `operations` (generated method names): 3 attempts, backoff from 200 ms up to 5 s,
    /// `Retry-After` honoured up to 30 s.
    pub fn new(operations: impl IntoIterator<Item = &'static str>) -> Self {
        Self {
            operations: operations.into_iter().collect(),
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }

    /// Total attempts including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry (doubled per retry, capped by `max`).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The longest `Retry-After` obeyed; a longer one ends the retries instead of stalling.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The backoff before the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest `Retry-After` obeyed.
    pub fn max_retry_after_limit(&self) -> Duration {
        self.max_retry_after
    }

    /// Whether the policy may retry this operation at all.
    pub fn applies_to(&self, rust_name: &str) -> bool {
        self.operations.contains(rust_name)
    }

    /// Total attempts including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `attempt + 1`, or `None` when `outcome` is final.
    /// Retried: connection failures, timeouts, 408, 429, 500, 502, 503, 504.
    pub fn delay_after(&self, attempt: u32, outcome: &Outcome<'_>) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let backoff = self.jittered_backoff(attempt);
        match outcome {
            Outcome::Failed(error) => {
                (error.is_connect() || error.is_timeout() || error.is_request()).then_some(backoff)
            }
            Outcome::Response { status, headers } => {
                if !is_retryable_status(*status) {
                    return None;
                }
                match retry_after(headers, SystemTime::now()) {
                    Some(wait) if wait > self.max_retry_after => None,
                    Some(wait) => Some(wait),
                    None => Some(backoff),
                }
            }
        }
    }

    /// Full jitter: uniformly in `[0, min(max, initial * 2^(attempt-1))]`.
    fn jittered_backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        if ceiling_ms == 0 {
            return Duration::ZERO;
        }
        // Jitter only spreads clients apart; it needs no cryptographic randomness. `RandomState`
        // is seeded per process, and hashing the time varies it per call.
        let noise = RandomState::new().hash_one(SystemTime::now());
        Duration::from_millis(noise % (ceiling_ms + 1))
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as the wait from `now`: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3; a
/// date in the past means "now"). An unparseable value is treated as absent.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let policy = RetryPolicy::new(["op"]).max_retry_after(Duration::from_secs(10));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        let outcome = Outcome::Response {
            status: StatusCode::SERVICE_UNAVAILABLE,
            headers: &headers,
        };
        assert_eq!(
            policy.delay_after(1, &outcome),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.delay_after(3, &outcome),
            None,
            "attempts are bounded"
        );
        headers.insert(RETRY_AFTER, "60".parse().unwrap());
        let outcome = Outcome::Response {
            status: StatusCode::SERVICE_UNAVAILABLE,
            headers: &headers,
        };
        assert_eq!(
            policy.delay_after(1, &outcome),
            None,
            "too long a wait ends retries"
        );
    }

    #[test]
    fn retry_after_accepts_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_784_000_000);
        let header = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            headers
        };
        assert_eq!(
            retry_after(&header(" 7 "), now),
            Some(Duration::from_secs(7))
        );
        let in_twelve_seconds = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(
            retry_after(&header(&in_twelve_seconds), now),
            Some(Duration::from_secs(12))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(retry_after(&header(&past), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&header("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn client_errors_are_final_and_backoff_is_capped() {
        let policy = RetryPolicy::new(["op"])
            .max_attempts(10)
            .backoff(Duration::from_millis(100), Duration::from_millis(300));
        let headers = HeaderMap::new();
        let bad_request = Outcome::Response {
            status: StatusCode::BAD_REQUEST,
            headers: &headers,
        };
        assert_eq!(policy.delay_after(1, &bad_request), None);
        let unavailable = Outcome::Response {
            status: StatusCode::BAD_GATEWAY,
            headers: &headers,
        };
        for attempt in 1..10 {
            let delay = policy.delay_after(attempt, &unavailable).unwrap();
            assert!(delay <= Duration::from_millis(300), "{delay:?}");
        }
        assert!(policy.applies_to("op") && !policy.applies_to("other"));
    }
}
