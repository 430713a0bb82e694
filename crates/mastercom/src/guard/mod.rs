//! The dispute-event guard: Mastercom's "Avoid Duplicate Dispute Events" rule, enforced by the
//! client.
//!
//! Mastercom cannot detect a duplicate dispute event when two calls come less than a minute
//! apart, and asks callers to wait an hour after a timeout before resubmitting the same event.
//! The guard, a request middleware, therefore:
//!
//! * recognises the operations that create dispute events and what makes two calls the same
//!   event ([`EVENT_POLICIES`]: subject — claim, transaction or case — event type, and the
//!   fields that tell events of one type apart, never free text);
//! * derives the event's ledger keys ([`event_keys`]): the same dispute event, the identical
//!   request (operation, path, canonical body digest streamed from the body), and — in strict
//!   mode — the claim, to space any two event-creating calls on it;
//! * before sending, atomically reserves the keys in a [`DisputeEventLedger`], which applies
//!   the pure rule [`decide`]: the same event accepted less than 60 s ago, or ended with an
//!   unknown outcome less than an hour ago, or in flight, is refused with a typed
//!   [`GuardRefusal`] carrying `retry_after` — or, if the client was built to wait, waited for
//!   within the call's deadline;
//! * after the call, records the outcome: 2xx → sent; timeout, connection lost after sending,
//!   408 or 5xx → unknown; not sent or rejected with another 4xx → forgotten.
//!
//! Refusals surface as [`crate::Error`] with kind `Refused`, always `Delivery::NotSent`, and
//! the typed [`GuardRefusal`] as `source` ([`crate::Error::guard_refusal`]: reason —
//! duplicate, outcome unknown, in flight, spacing, ledger unavailable — and `retry_after`). The client's own retries never cover these operations (see
//! `crate::retry`), so the guard only has to stop the caller's repeats.

mod clock;
mod decide;
mod key;
mod ledger;
mod policy;
mod postgres;
mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mastercard_transport::{CallContext, Middleware, MiddlewareError, OperationSpec, Outcome};
use openssl::sha::Sha256;

pub use clock::{Clock, ManualClock, SystemClock};
pub use decide::{
    Blocking, Decision, Entry, EntryState, GuardRefusal, KeyKind, LedgerKey, RefusalReason,
    Windows, decide, remaining, window,
};
pub use key::{BodyDigest, Digest, body_hash, digest_body, hex};
pub use ledger::{DisputeEventLedger, LedgerError, MemoryLedger, RecordedOutcome, expires_ms};
pub use policy::{EVENT_POLICIES, EventPolicy, EventType, Field, event_policy, path_parameter};
pub use postgres::{PostgresLedger, PostgresOptions};
pub use sqlite::SqliteLedger;

/// Generated method names of the operations in [`EVENT_POLICIES`] (kept for code that works
/// with method names, e.g. the retry table's test; a unit test keeps the two lists equal).
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

/// Whether `operation` (a generated method name, e.g. `create_chargeback`) creates a dispute
/// event.
pub fn is_event_creating(operation: &str) -> bool {
    spec_of(crate::OPERATIONS, operation)
        .is_some_and(|spec| event_policy(spec.operation_id).is_some())
}

/// Which calls are kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spacing {
    /// Calls for the same dispute event (and identical requests): the rule as Mastercom
    /// states it. The default.
    #[default]
    SameEvent,
    /// Also any two event-creating calls on one claim (or transaction, or case), whatever the
    /// event: for those who read "do not send multiple API calls with multiple dispute events
    /// in under 60 seconds" per claim.
    AnyEventOnClaim,
}

/// What the guard does when the window of an event is still closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenClosed {
    /// Refuse at once with a typed error carrying `retry_after`. The default.
    #[default]
    Refuse,
    /// Wait for the window if it opens within the call's deadline (the request's timeout, which
    /// is shortened by the wait), then send; otherwise refuse at once. The wait blocks the
    /// calling thread (on a multi-threaded runtime other tasks move elsewhere), and the OAuth1
    /// timestamp, signed before the guard, is that much older (Mastercard allows minutes).
    WaitWithinDeadline,
}

/// Where the ledger lives, when the client builds it.
#[derive(Clone, Default)]
pub enum LedgerChoice {
    /// SQLite at [`default_ledger_path`]: persistent, per user. The default.
    #[default]
    Default,
    /// SQLite at this path.
    Sqlite(PathBuf),
    /// PostgreSQL at this connection string (shared by machines).
    Postgres(String),
    /// This process's memory: forgets the one-hour rule on restart (warns when built).
    Memory,
    /// A ledger you built.
    Custom(Arc<dyn DisputeEventLedger>),
}

impl std::fmt::Debug for LedgerChoice {
    // Never the connection string: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Default => f.write_str("Default"),
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Self::Postgres(_) => f.write_str("Postgres(<connection string>)"),
            Self::Memory => f.write_str("Memory"),
            Self::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// The per-user default ledger file: `$XDG_STATE_HOME/mastercard-rs/mastercom-ledger.sqlite3`,
/// else `$HOME/.local/state/mastercard-rs/mastercom-ledger.sqlite3`. `None` when neither
/// variable is set (set `MASTERCOM_LEDGER_PATH` or choose a ledger).
pub fn default_ledger_path() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let state =
        var("XDG_STATE_HOME").or_else(|| var("HOME").map(|home| home.join(".local/state")))?;
    Some(state.join("mastercard-rs").join("mastercom-ledger.sqlite3"))
}

impl LedgerChoice {
    /// Opens the chosen ledger.
    pub fn open(self) -> Result<Arc<dyn DisputeEventLedger>, LedgerError> {
        match self {
            Self::Default => {
                let path = default_ledger_path().ok_or_else(|| {
                    LedgerError(
                        "no per-user state folder (neither XDG_STATE_HOME nor HOME is set): set \
                         MASTERCOM_LEDGER_PATH or MASTERCOM_LEDGER_URL"
                            .to_owned(),
                    )
                })?;
                Ok(Arc::new(SqliteLedger::open(path)?))
            }
            Self::Sqlite(path) => Ok(Arc::new(SqliteLedger::open(path)?)),
            Self::Postgres(url) => Ok(Arc::new(PostgresLedger::connect(&url)?)),
            Self::Memory => {
                tracing::warn!(
                    "the dispute-event ledger is in memory: a restart forgets events sent or left \
                     with an unknown outcome, and other processes do not see them, so Mastercom's \
                     60 s / one-hour rule is not enforced across restarts or workers; use the \
                     default SQLite ledger or PostgreSQL (MASTERCOM_LEDGER_URL) in production"
                );
                Ok(Arc::new(MemoryLedger::new()))
            }
            Self::Custom(ledger) => Ok(ledger),
        }
    }
}

/// The guard's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuardSettings {
    /// The windows.
    pub windows: Windows,
    /// Which calls are kept apart.
    pub spacing: Spacing,
    /// Refuse or wait.
    pub when_closed: WhenClosed,
}

fn spec_of(
    operations: &'static [OperationSpec],
    rust_name: &str,
) -> Option<&'static OperationSpec> {
    operations.iter().find(|spec| spec.rust_name == rust_name)
}

/// One guarded call: its policy, its ledger keys and (for messages) its claim id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedEvent {
    /// The operation's policy.
    pub policy: &'static EventPolicy,
    /// The keys to reserve.
    pub keys: Vec<LedgerKey>,
    /// The claim id from the path, if the operation has one.
    pub claim_id: Option<String>,
}

fn key_id(kind: KeyKind, parts: &[&[u8]]) -> LedgerKey {
    let mut hasher = Sha256::new();
    hasher.update(kind.as_str().as_bytes());
    for part in parts {
        // Length-prefixed, so parts cannot run into each other.
        hasher.update(&(part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    LedgerKey {
        id: hex(&hasher.finish()),
        kind,
    }
}

/// The ledger keys of a call to the operation of `policy` on `template` (its path template),
/// sent to `path` (with its query, if any) with `body`.
pub fn event_keys(
    policy: &'static EventPolicy,
    template: &str,
    path: &str,
    body: &[u8],
    spacing: Spacing,
) -> GuardedEvent {
    let body_fields: Vec<&str> = policy::body_fields(policy).collect();
    let digest = digest_body(body, &body_fields);
    let route = path.split('?').next().unwrap_or(path);
    let value = |field: &Field| -> Option<Digest> {
        match field {
            Field::Path(name) => {
                path_parameter(template, route, name).map(|value| key::digest_str(&value))
            }
            Field::Body(name) => body_fields
                .iter()
                .position(|wanted| wanted == name)
                .and_then(|index| digest.fields.get(index).copied().flatten()),
        }
    };
    // An absent field is a value of its own ("absent"), so such calls share one event.
    let values = |fields: &[Field]| -> Vec<[u8; 33]> {
        fields
            .iter()
            .map(|field| {
                let mut out = [0u8; 33];
                if let Some(found) = value(field) {
                    out[0] = 1;
                    out[1..].copy_from_slice(&found);
                }
                out
            })
            .collect()
    };
    let subject = values(policy.subject);
    let distinguishing = values(policy.distinguished_by);
    let mut event_parts: Vec<&[u8]> = vec![policy.event_type.as_str().as_bytes()];
    event_parts.extend(subject.iter().map(|value| value.as_slice()));
    event_parts.push(b"|");
    event_parts.extend(distinguishing.iter().map(|value| value.as_slice()));
    let mut keys = vec![
        key_id(KeyKind::SameEvent, &event_parts),
        key_id(
            KeyKind::IdenticalBody,
            &[
                policy.operation_id.as_bytes(),
                path.as_bytes(),
                &digest.digest,
            ],
        ),
    ];
    if spacing == Spacing::AnyEventOnClaim {
        let subject_parts: Vec<&[u8]> = subject.iter().map(|value| value.as_slice()).collect();
        keys.push(key_id(KeyKind::ClaimSpacing, &subject_parts));
    }
    GuardedEvent {
        policy,
        keys,
        claim_id: path_parameter(template, route, "claim-id"),
    }
}

/// The guard middleware: refuses (or waits for the window of) a dispute event that the ledger
/// says was sent, or may have been sent, too recently.
///
/// [`crate::MastercomClientBuilder`] adds it for you. It is public for users who assemble their
/// own [`Transport`](mastercard_transport::Transport) around the generated client: put it
/// after the signing step (a request that cannot be signed then reserves nothing), and it
/// reserves the event before the request is sent and records the outcome after.
pub struct DisputeEventGuard {
    ledger: Arc<dyn DisputeEventLedger>,
    clock: Arc<dyn Clock>,
    settings: GuardSettings,
    operations: &'static [OperationSpec],
}

impl std::fmt::Debug for DisputeEventGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisputeEventGuard")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl DisputeEventGuard {
    /// A guard over `ledger` (shared by every process that may send the same events), reading
    /// time from `clock`, for the operations of this crate's Mastercom spec.
    pub fn new(
        ledger: Arc<dyn DisputeEventLedger>,
        clock: Arc<dyn Clock>,
        settings: GuardSettings,
    ) -> Self {
        Self {
            ledger,
            clock,
            settings,
            operations: crate::OPERATIONS,
        }
    }

    /// The guarded event of `request`, or `None` for operations the guard ignores.
    fn event(&self, request: &reqwest::Request, operation: &str) -> Option<GuardedEvent> {
        let spec = spec_of(self.operations, operation)?;
        let policy = event_policy(spec.operation_id)?;
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default();
        let path = match request.url().query() {
            Some(query) => format!("{}?{query}", request.url().path()),
            None => request.url().path().to_owned(),
        };
        Some(event_keys(
            policy,
            spec.path,
            &path,
            body,
            self.settings.spacing,
        ))
    }

    /// Reserves `event`, waiting for its window within `budget` if the settings say so.
    /// Returns how long it waited.
    fn reserve(
        &self,
        event: &GuardedEvent,
        budget: Option<Duration>,
    ) -> Result<Duration, GuardRefusal> {
        let mut waited = Duration::ZERO;
        loop {
            let now_ms = self.clock.now_ms();
            let decision = self
                .ledger
                .reserve(&event.keys, now_ms, self.settings.windows)
                .map_err(|error| GuardRefusal {
                    reason: RefusalReason::LedgerUnavailable,
                    retry_after: None,
                    since: None,
                    operation_id: event.policy.operation_id.to_owned(),
                    event_type: Some(event.policy.event_type),
                    claim_id: event.claim_id.clone(),
                    detail: Some(error.to_string()),
                })?;
            let blocking = match decision {
                Decision::Reserve => return Ok(waited),
                Decision::Refuse(blocking) => blocking,
            };
            let refusal = GuardRefusal::from_blocking(
                &blocking,
                now_ms,
                event.policy.operation_id,
                event.policy.event_type,
                event.claim_id.clone(),
            );
            let fits = budget.is_some_and(|budget| waited + blocking.retry_after < budget);
            if self.settings.when_closed == WhenClosed::Refuse || !fits {
                return Err(refusal);
            }
            tracing::info!(
                operation = event.policy.operation_id,
                reason = refusal.reason.as_str(),
                wait_ms = blocking.retry_after.as_millis(),
                "waiting for the dispute event's window"
            );
            self.clock.sleep(blocking.retry_after);
            waited += blocking.retry_after;
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
        let Some(event) = self.event(request, call.operation()) else {
            return Ok(());
        };
        match self.reserve(&event, request.timeout().copied()) {
            Ok(waited) => {
                if !waited.is_zero()
                    && let Some(timeout) = request.timeout_mut()
                {
                    *timeout = timeout.saturating_sub(waited);
                }
                Ok(())
            }
            Err(refusal) => {
                tracing::warn!(
                    operation = event.policy.operation_id,
                    reason = refusal.reason.as_str(),
                    retry_after_ms = refusal.retry_after.map(|after| after.as_millis()),
                    "dispute event refused by the guard"
                );
                Err(MiddlewareError::refused(refusal))
            }
        }
    }

    fn on_outcome(&self, request: &reqwest::Request, outcome: &Outcome<'_>, call: &CallContext) {
        let Some(event) = self.event(request, call.operation()) else {
            return;
        };
        let recorded = classify(outcome);
        if let Err(error) = self.ledger.record(
            &event.keys,
            recorded,
            self.clock.now_ms(),
            self.settings.windows,
        ) {
            // The entries stay in flight, which blocks for the unknown window: safe, but say so.
            tracing::error!(operation = event.policy.operation_id, %error, "could not record a dispute event's outcome");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_match_the_policy_table() {
        let from_table: Vec<&str> = crate::OPERATIONS
            .iter()
            .filter(|spec| event_policy(spec.operation_id).is_some())
            .map(|spec| spec.rust_name)
            .collect();
        assert_eq!(from_table.len(), EVENT_POLICIES.len());
        for name in &from_table {
            assert!(EVENT_CREATING_OPERATIONS.contains(name), "{name}");
        }
        assert_eq!(from_table.len(), EVENT_CREATING_OPERATIONS.len());
        assert!(is_event_creating("create_chargeback") && !is_event_creating("update_claim"));
    }
}
