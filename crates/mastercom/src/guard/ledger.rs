//! Where the guard remembers dispute events: the [`DisputeEventLedger`] trait and its in-memory
//! store. SQLite is in `sqlite.rs`, PostgreSQL in `postgres.rs`.
//!
//! A ledger stores, per [`LedgerKey::id`] (a hex SHA-256), an [`Entry`]: a state and when it was
//! entered. [`DisputeEventLedger::reserve`] reads the entries of all of an event's keys, applies
//! [`decide`] and, if nothing blocks, marks every key in flight — in one atomic step shared by
//! every client of the store. [`DisputeEventLedger::record`] stores the outcome after the call.
//! No lock is held between the two: the in-flight entries are what keeps a second caller out
//! while the request is on the wire.
//!
//! If the store cannot be reached, return [`LedgerError`]: the guard then refuses the event
//! (nothing is sent), which is the safe failure for a duplicate-prevention rule.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use super::decide::{Decision, Entry, EntryState, KeyKind, LedgerKey, Windows, decide, window};

/// How a reserved event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedOutcome {
    /// Mastercard accepted it.
    Sent,
    /// It may or may not exist at Mastercard.
    Unknown,
    /// It certainly was not created (never sent, or rejected with a 4xx): forget it.
    NotCreated,
}

impl RecordedOutcome {
    /// The state to store, or `None` when the entries are to be forgotten.
    pub fn state(self) -> Option<EntryState> {
        match self {
            Self::Sent => Some(EntryState::Sent),
            Self::Unknown => Some(EntryState::Unknown),
            Self::NotCreated => None,
        }
    }
}

/// The ledger could not be used; the guard refuses the event rather than risk a duplicate.
/// The message never contains a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError(pub String);

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dispute-event ledger: {}", self.0)
    }
}

impl std::error::Error for LedgerError {}

/// When an entry of `kind` in `state` recorded at `at_ms` stops blocking under `windows` (a
/// store may delete it after that).
pub fn expires_ms(kind: KeyKind, state: EntryState, at_ms: u64, windows: Windows) -> u64 {
    let window_ms = u64::try_from(window(kind, state, windows).as_millis()).unwrap_or(u64::MAX);
    at_ms.saturating_add(window_ms)
}

/// Remembers dispute events. Implementations must make [`reserve`] atomic across every client
/// sharing the store (threads, processes, machines).
///
/// [`reserve`]: DisputeEventLedger::reserve
pub trait DisputeEventLedger: Send + Sync + 'static {
    /// Reads the entries of `keys`, applies [`decide`] at `now_ms`, and on
    /// [`Decision::Reserve`] records every key as `InFlight` at `now_ms` — in one atomic step.
    fn reserve(
        &self,
        keys: &[LedgerKey],
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError>;

    /// Records how a reserved event ended, for all of its keys.
    fn record(
        &self,
        keys: &[LedgerKey],
        outcome: RecordedOutcome,
        now_ms: u64,
        windows: Windows,
    ) -> Result<(), LedgerError>;
}

/// A ledger in this process's memory: shared by clones of one client, lost on restart. Only
/// for tests and single short-lived processes: the one-hour rule does not survive a restart.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    entries: Mutex<HashMap<String, (KeyKind, Entry)>>,
}

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }
}

pub(super) fn poisoned<T>(_: T) -> LedgerError {
    LedgerError("a thread panicked while holding the ledger".to_owned())
}

impl DisputeEventLedger for MemoryLedger {
    fn reserve(
        &self,
        keys: &[LedgerKey],
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError> {
        let mut entries = self.entries.lock().map_err(poisoned)?;
        entries.retain(|_, (kind, entry)| {
            expires_ms(*kind, entry.state, entry.at_ms, windows) > now_ms
        });
        let current: Vec<_> = keys
            .iter()
            .map(|key| (key.kind, entries.get(&key.id).map(|(_, entry)| *entry)))
            .collect();
        let decision = decide(&current, now_ms, windows);
        if decision == Decision::Reserve {
            for key in keys {
                let entry = Entry {
                    state: EntryState::InFlight,
                    at_ms: now_ms,
                };
                entries.insert(key.id.clone(), (key.kind, entry));
            }
        }
        Ok(decision)
    }

    fn record(
        &self,
        keys: &[LedgerKey],
        outcome: RecordedOutcome,
        now_ms: u64,
        _windows: Windows,
    ) -> Result<(), LedgerError> {
        let mut entries = self.entries.lock().map_err(poisoned)?;
        for key in keys {
            match outcome.state() {
                Some(state) => {
                    let entry = Entry {
                        state,
                        at_ms: now_ms,
                    };
                    entries.insert(key.id.clone(), (key.kind, entry));
                }
                None => {
                    entries.remove(&key.id);
                }
            }
        }
        Ok(())
    }
}
