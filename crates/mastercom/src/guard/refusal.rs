//! The guard's refusal as a typed value: the `source` of the call's error (`ErrorKind::Refused`),
//! reached with [`crate::Error::guard_refusal`].

use std::fmt;
use std::time::Duration;

/// Why the guard kept a dispute event off the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The same event was accepted less than the duplicate window (60 s) ago.
    Duplicate,
    /// An earlier attempt of the same event ended with an unknown outcome (timeout, lost
    /// connection, 5xx) less than an hour ago.
    OutcomeUnknown,
    /// Another caller is sending the same event right now (or stopped before its outcome was
    /// known).
    InFlight,
    /// The ledger could not be read or written; refused to avoid a possible duplicate.
    LedgerUnavailable,
}

/// A dispute event the guard refused to send. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardRefusal {
    /// Why.
    pub reason: RefusalReason,
    /// When the same event may be sent again, if the guard knows.
    pub retry_after: Option<Duration>,
    /// What happened and what to do, without bodies or card numbers.
    pub message: String,
}

impl fmt::Display for GuardRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GuardRefusal {}
