//! The dispute-event guard: Mastercom's "Avoid Duplicate Dispute Events" rule, enforced by the
//! client.
//!
//! Mastercom cannot detect a duplicate dispute event when two calls come less than a minute
//! apart, and asks callers to wait an hour after a timeout before resubmitting the same event.
//! The guard, a request middleware, therefore:
//!
//! * recognises the operations that create dispute events ([`EVENT_CREATING_OPERATIONS`]);
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
//! Refusals surface as [`crate::Error`] with kind `DuplicatePrevented`, `OutcomeUnknown` or
//! `InFlight`, always `Delivery::NotSent`. The client's own retries never cover these operations
//! (see `crate::retry`), so the guard only has to stop the caller's repeats.

mod clock;
mod key;
mod ledger;
mod sqlite;

use std::sync::Arc;

use mastercard_transport::{Middleware, MiddlewareError, OperationSpec, Outcome};
use progenitor_client::OperationInfo;

pub use clock::{Clock, ManualClock, SystemClock};
pub use key::{EventKey, body_hash, canonical_json};
pub use ledger::{
    DisputeEventLedger, Entry, EntryState, LedgerError, MemoryLedger, RecordedOutcome, Reservation,
    Windows, blocks,
};
pub use sqlite::SqliteLedger;

/// Generated method names of the operations that create a dispute event (or act on a case):
/// claims, chargebacks and their reversals, retrieval requests, acquirer fulfilments and issuer
/// responses, fees, fraud reports, case filings and case actions.
///
/// Not listed, on purpose: `update_claim` and `update_chargeback*` (change an existing record,
/// not a new event), `acknowledge_chargebacks*` and `recon_report_data_acknowledge` (idempotent
/// marks). They are not retried automatically either.
pub const EVENT_CREATING_OPERATIONS: [&str; 15] = [
    "create_claim",
    "create_chargeback",
    "create_chargeback_debit_mc",
    "create_chargeback_reversal",
    "create_chargeback_reversal_debit_mc",
    "create_retrieval_request",
    "create_retrieval_request_debit_mc",
    "acq_fulfill_retrieval_request",
    "issuer_response_retrieval_request",
    "issuer_response_retrieval_debit_mc_request",
    "create_fee",
    "create_fee_debit_mc",
    "create_fraud_master_card",
    "create_case_filing",
    "update_case_filing",
];

/// Whether `operation` (a generated method name) creates a dispute event.
pub fn is_event_creating(operation: &str) -> bool {
    EVENT_CREATING_OPERATIONS.contains(&operation)
}

pub(crate) const DUPLICATE_MARKER: &str = "duplicate dispute event prevented";
pub(crate) const UNKNOWN_MARKER: &str = "earlier identical dispute event has an unknown outcome";
pub(crate) const IN_FLIGHT_MARKER: &str = "identical dispute event is being sent";
pub(crate) const LEDGER_MARKER: &str = "dispute-event ledger unavailable";

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
    fn key(&self, request: &reqwest::Request, operation: &OperationInfo) -> Option<EventKey> {
        if !is_event_creating(operation.operation_id) {
            return None;
        }
        let path = request.url().path();
        let claim_id = self
            .operations
            .iter()
            .find(|spec| spec.rust_name == operation.operation_id)
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
            operation: operation.operation_id.to_owned(),
            claim_id,
            path,
            body_sha256: body_hash(body),
        })
    }

    fn refusal(&self, key: &EventKey, entry: Entry, now_ms: u64) -> MiddlewareError {
        let ago_s = now_ms.saturating_sub(entry.at_ms) / 1000;
        let claim = key
            .claim_id
            .as_deref()
            .map_or_else(|| "the claim".to_owned(), |claim| format!("claim {claim}"));
        let check = key.claim_id.as_deref().map_or_else(
            || "retrieve the claim or case status".to_owned(),
            |claim| format!("call get_claim_detail(\"{claim}\")"),
        );
        let message = match entry.state {
            EntryState::Sent => {
                let left = self.windows.duplicate.as_secs().saturating_sub(ago_s);
                format!(
                    "{DUPLICATE_MARKER}, not sent: an identical {} for {claim} was accepted {ago_s} s \
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
                    "{UNKNOWN_MARKER} ({ago_s} s ago: timeout, lost connection or server error), so \
                     it may already exist; not sent. Check the status first ({check}); Mastercom \
                     asks to wait one hour before resubmitting ({left_min} min left)"
                )
            }
            EntryState::InFlight => format!(
                "{IN_FLIGHT_MARKER} by another caller (reserved {ago_s} s ago) or its sender \
                 stopped before the outcome was known; not sent. Check the status first ({check})"
            ),
        };
        MiddlewareError(message)
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
        operation: &OperationInfo,
    ) -> Result<(), MiddlewareError> {
        let Some(key) = self.key(request, operation) else {
            return Ok(());
        };
        let now_ms = self.clock.now_ms();
        match self.ledger.check_and_reserve(&key, now_ms, self.windows) {
            Ok(Reservation::Reserved) => Ok(()),
            Ok(Reservation::Refused(entry)) => {
                tracing::warn!(
                    operation = operation.operation_id,
                    state = entry.state.as_str(),
                    "dispute event refused by the guard"
                );
                Err(self.refusal(&key, entry, now_ms))
            }
            Err(error) => Err(MiddlewareError(format!(
                "{LEDGER_MARKER} ({error}); not sent, to avoid a possible duplicate"
            ))),
        }
    }

    fn on_outcome(
        &self,
        request: &reqwest::Request,
        outcome: &Outcome<'_>,
        operation: &OperationInfo,
    ) {
        let Some(key) = self.key(request, operation) else {
            return;
        };
        let recorded = classify(outcome);
        if let Err(error) = self.ledger.record(&key, recorded, self.clock.now_ms()) {
            // The entry stays in flight, which blocks for the unknown window: safe, but say so.
            tracing::error!(operation = operation.operation_id, %error, "could not record a dispute event's outcome");
        }
    }
}
