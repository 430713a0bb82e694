//! Which operations the client retries (the reads of the operation-policy table,
//! [`crate::policy`]), and the backoff settings.

use std::time::Duration;

use mastercard_transport::RetryPolicy;

/// Backoff settings for the retryable operations. Operations that create dispute events,
/// update records or acknowledge are never retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Total attempts including the first.
    pub max_attempts: u32,
    /// The backoff before the first retry (doubled per retry, with full jitter).
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` obeyed; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        let policy = RetryPolicy::new([]);
        Self {
            max_attempts: policy.attempts(),
            initial_backoff: policy.initial_backoff(),
            max_backoff: policy.max_backoff(),
            max_retry_after: policy.max_retry_after_limit(),
        }
    }
}

impl RetryConfig {
    pub(crate) fn policy(self) -> RetryPolicy {
        RetryPolicy::new(crate::policy::retryable_operations())
            .max_attempts(self.max_attempts)
            .backoff(self.initial_backoff, self.max_backoff)
            .max_retry_after(self.max_retry_after)
    }
}
