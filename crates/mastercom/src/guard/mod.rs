//! The dispute-event guard: Mastercom's "Avoid Duplicate Dispute Events" rule, enforced by the
//! client.
//!
//! Mastercom cannot detect a duplicate dispute event when two calls come less than a minute
//! apart, and asks callers to wait an hour after a timeout before resubmitting the same event.
//! The guard, a request middleware, therefore:
//!
//! * recognises the operations that create dispute events (the operation-policy table,
//!   [`crate::policy`]);
//! * keys each call by operation, path (claim id and other ids) and a canonical SHA-256 of the
//!   JSON body ([`EventKey`]);
//! * before sending, atomically checks and reserves the key in a [`DisputeEventLedger`]; an
//!   identical event sent less than 60 s ago is refused ("duplicate prevented, not sent"); one
//!   whose earlier attempt ended with an unknown outcome less than an hour ago is refused with
//!   the advice to check the claim's status first;
//! * after the call, records the outcome: 2xx → sent (blocks 60 s); timeout, connection lost
//!   after sending, 408 or 5xx → unknown (blocks 1 h); not sent or rejected with a 4xx →
//!   forgotten.
//!
//! Refusals surface as [`crate::Error`] with kind `Refused`, always `Delivery::NotSent`, and a
//! typed [`GuardRefusal`] (reason, `retry_after`) as `source` ([`crate::Error::guard_refusal`]). The client's own retries never cover these operations
//! (see `crate::retry`), so the guard only has to stop the caller's repeats.

mod clock;
mod key;
mod ledger;
mod refusal;
mod sqlite;

use std::sync::Arc;

use std::time::Duration;

use mastercard_transport::{CallContext, Middleware, MiddlewareError, OperationSpec, Outcome};

pub use clock::{Clock, ManualClock, SystemClock};
pub use key::{EventKey, body_hash, canonical_json};
pub use ledger::{
    DisputeEventLedger, Entry, EntryState, LedgerError, MemoryLedger, RecordedOutcome, Reservation,
    Windows, blocks,
};
pub use refusal::{GuardRefusal, RefusalReason};
pub use sqlite::SqliteLedger;

/// Whether `operation` (a generated method name) creates a dispute event.
/// The operation-policy table decides ([`crate::policy::Effect::CreatesDisputeEvent`]).
pub fn is_event_creating(operation: &str) -> bool {
    crate::policy::effect(operation) == Some(crate::policy::Effect::CreatesDisputeEvent)
}

/// The guard middleware. Built by [`crate::MastercomClientBuilder`].
pub(crate) struct DisputeEventGuard {
    ledger: Arc<dyn DisputeEventLedger>,
    clock: Arc<dyn Clock>,
    windows: Windows,
    operations: &'static [OperationSpec],
}

impl DisputeEventGuard {
    pub(crate) fn new(
        ledger: Arc<dyn DisputeEventLedger>,
        clock: Arc<dyn Clock>,
        windows: Windows,
    ) -> Self {
        Self {
            ledger,
            clock,
            windows,
            operations: crate::OPERATIONS,
        }
    }

    /// The key of `request`, or `None` for operations the guard ignores.
    fn key(&self, request: &reqwest::Request, operation: &str) -> Option<EventKey> {
        if !is_event_creating(operation) {
            return None;
        }
        let path = request.url().path();
        let claim_id = self
            .operations
            .iter()
            .find(|spec| spec.rust_name == operation)
            .and_then(|spec| key::claim_id_from_path(spec.path, path));
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default();
        let path = match request.url().query() {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        };
        Some(EventKey {
            operation: operation.to_owned(),
            claim_id,
            path,
            body_sha256: body_hash(body),
        })
    }

    fn refusal(&self, key: &EventKey, entry: Entry, now_ms: u64) -> GuardRefusal {
        let ago_s = now_ms.saturating_sub(entry.at_ms) / 1000;
        let claim = key
            .claim_id
            .as_deref()
            .map_or_else(|| "the claim".to_owned(), |claim| format!("claim {claim}"));
        let check = key.claim_id.as_deref().map_or_else(
            || "retrieve the claim or case status".to_owned(),
            |claim| format!("call get_claim_detail(\"{claim}\")"),
        );
        let (reason, window) = match entry.state {
            EntryState::Sent => (RefusalReason::Duplicate, Some(self.windows.duplicate)),
            EntryState::Unknown => (RefusalReason::OutcomeUnknown, Some(self.windows.unknown)),
            EntryState::InFlight => (RefusalReason::InFlight, None),
        };
        let retry_after = window.map(|window| {
            window.saturating_sub(Duration::from_millis(now_ms.saturating_sub(entry.at_ms)))
        });
        let message = match entry.state {
            EntryState::Sent => {
                let left = self.windows.duplicate.as_secs().saturating_sub(ago_s);
                format!(
                    "duplicate dispute event prevented, not sent: an identical {} for {claim} was accepted {ago_s} s \
                     ago, and Mastercom cannot detect duplicates less than {} s apart. If a second \
                     event is really meant, wait {left} s",
                    key.operation,
                    self.windows.duplicate.as_secs()
                )
            }
            EntryState::Unknown => {
                let left_min = self
                    .windows
                    .unknown
                    .as_secs()
                    .saturating_sub(ago_s)
                    .div_ceil(60);
                format!(
                    "an earlier identical dispute event has an unknown outcome ({ago_s} s ago: timeout, lost connection or server error), so \
                     it may already exist; not sent. Check the status first ({check}); Mastercom \
                     asks to wait one hour before resubmitting ({left_min} min left)"
                )
            }
            EntryState::InFlight => format!(
                "an identical dispute event is being sent by another caller (reserved {ago_s} s ago) or its sender \
                 stopped before the outcome was known; not sent. Check the status first ({check})"
            ),
        };
        GuardRefusal {
            reason,
            retry_after,
            message,
        }
    }
}

/// How an outcome is recorded. Only the status is used: a 5xx may come after Mastercom created
/// the event, so it counts as unknown even with an error body.
fn classify(outcome: &Outcome<'_>) -> RecordedOutcome {
    match outcome {
        Outcome::Failed(_) if !outcome.request_may_have_been_sent() => RecordedOutcome::NotCreated,
        Outcome::Failed(_) => RecordedOutcome::Unknown,
        Outcome::Response { status, .. } if status.is_success() => RecordedOutcome::Sent,
        Outcome::Response { status, .. } if status.is_server_error() || status.as_u16() == 408 => {
            RecordedOutcome::Unknown
        }
        Outcome::Response { .. } => RecordedOutcome::NotCreated,
    }
}

impl Middleware for DisputeEventGuard {
    fn name(&self) -> &'static str {
        "dispute-event-guard"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        let operation = call.operation();
        let Some(key) = self.key(request, operation) else {
            return Ok(());
        };
        let now_ms = self.clock.now_ms();
        match self.ledger.check_and_reserve(&key, now_ms, self.windows) {
            Ok(Reservation::Reserved) => Ok(()),
            Ok(Reservation::Refused(entry)) => {
                tracing::warn!(
                    operation,
                    state = entry.state.as_str(),
                    "dispute event refused by the guard"
                );
                Err(MiddlewareError::refused(self.refusal(&key, entry, now_ms)))
            }
            Err(error) => Err(MiddlewareError::refused(GuardRefusal {
                reason: RefusalReason::LedgerUnavailable,
                retry_after: None,
                message: format!(
                    "the dispute-event ledger is unavailable ({error}); not sent, to avoid a \
                     possible duplicate"
                ),
            })),
        }
    }

    fn on_outcome(&self, request: &reqwest::Request, outcome: &Outcome<'_>, call: &CallContext) {
        let operation = call.operation();
        let Some(key) = self.key(request, operation) else {
            return;
        };
        let recorded = classify(outcome);
        if let Err(error) = self.ledger.record(&key, recorded, self.clock.now_ms()) {
            // The entry stays in flight, which blocks for the unknown window: safe, but say so.
            tracing::error!(operation, %error, "could not record a dispute event's outcome");
        }
    }
}
