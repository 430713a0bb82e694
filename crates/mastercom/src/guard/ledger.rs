//! Where the guard remembers dispute events: the [`DisputeEventLedger`] trait and its in-memory
//! store. The SQLite store is in `sqlite.rs`.
//!
//! # Adding a shared network store (many machines)
//!
//! Implement the two methods against a store with an atomic conditional write, keyed by
//! [`EventKey::id`]: e.g. Redis (a Lua script that reads the entry, applies [`blocks`] and sets
//! `InFlight` with an expiry of [`Windows::unknown`]), or PostgreSQL (`SELECT … FOR UPDATE` +
//! upsert in one transaction, as the SQLite store does). The methods are synchronous because the
//! guard runs inside the request hook; use a blocking client with short timeouts (and a
//! multi-threaded runtime, or `tokio::task::block_in_place`). If the store cannot be reached,
//! return [`LedgerError`]: the guard then refuses the event (nothing is sent), which is the safe
//! failure for a duplicate-prevention rule.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use super::key::EventKey;

/// How long entries block an identical event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// After a successful (or accepted) send: Mastercom cannot detect duplicates less than a
    /// minute apart. Default 60 s.
    pub duplicate: Duration,
    /// After an outcome-unknown failure (and while a send is in flight): Mastercom asks to wait
    /// an hour after a timeout before resubmitting. Default 1 h.
    pub unknown: Duration,
}

impl Default for Windows {
    fn default() -> Self {
        Self {
            duplicate: Duration::from_secs(60),
            unknown: Duration::from_secs(3600),
        }
    }
}

/// The state of a remembered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Reserved and being sent — or its sender died, or the caller dropped the call's future,
    /// before the outcome was recorded; either way the request may have gone out, so it blocks
    /// like an unknown outcome.
    InFlight,
    /// Mastercard answered 2xx.
    Sent,
    /// The outcome is unknown (timeout, connection lost after sending, 5xx).
    Unknown,
}

impl EntryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "in_flight",
            Self::Sent => "sent",
            Self::Unknown => "unknown",
        }
    }

    /// Parses [`EntryState::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::InFlight, Self::Sent, Self::Unknown]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// A remembered event: its state and when it entered it (ms since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The state.
    pub state: EntryState,
    /// When the state was recorded.
    pub at_ms: u64,
}

/// What the ledger decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// No blocking entry: the event is now `InFlight` and may be sent.
    Reserved,
    /// An entry blocks it.
    Refused(Entry),
}

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
    /// The state to store, or `None` when the entry is to be forgotten.
    pub fn state(self) -> Option<EntryState> {
        match self {
            Self::Sent => Some(EntryState::Sent),
            Self::Unknown => Some(EntryState::Unknown),
            Self::NotCreated => None,
        }
    }
}

/// The ledger could not be used; the guard refuses the event rather than risk a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError(pub String);

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dispute-event ledger: {}", self.0)
    }
}

impl std::error::Error for LedgerError {}

/// Remembers dispute events. Implementations must make [`check_and_reserve`] atomic across
/// every client sharing the store (threads, processes, machines).
///
/// [`check_and_reserve`]: DisputeEventLedger::check_and_reserve
pub trait DisputeEventLedger: Send + Sync + 'static {
    /// If an entry for `key` [`blocks`] at `now_ms`, returns it; otherwise records `key` as
    /// `InFlight` at `now_ms` — in one atomic step.
    fn check_and_reserve(
        &self,
        key: &EventKey,
        now_ms: u64,
        windows: Windows,
    ) -> Result<Reservation, LedgerError>;

    /// Records how a reserved event ended.
    fn record(
        &self,
        key: &EventKey,
        outcome: RecordedOutcome,
        now_ms: u64,
    ) -> Result<(), LedgerError>;
}

/// Whether `entry` still blocks an identical event at `now_ms`. Shared by every store so they
/// agree on the rule.
pub fn blocks(entry: Entry, now_ms: u64, windows: Windows) -> bool {
    let window = match entry.state {
        EntryState::Sent => windows.duplicate,
        EntryState::InFlight | EntryState::Unknown => windows.unknown,
    };
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
    now_ms.saturating_sub(entry.at_ms) < window_ms
}

/// A ledger in this process's memory: shared by clones of one client, lost on restart.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    entries: Mutex<HashMap<String, Entry>>,
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
    fn check_and_reserve(
        &self,
        key: &EventKey,
        now_ms: u64,
        windows: Windows,
    ) -> Result<Reservation, LedgerError> {
        let mut entries = self.entries.lock().map_err(poisoned)?;
        entries.retain(|_, entry| blocks(*entry, now_ms, windows));
        let id = key.id();
        if let Some(entry) = entries.get(&id) {
            return Ok(Reservation::Refused(*entry));
        }
        entries.insert(
            id,
            Entry {
                state: EntryState::InFlight,
                at_ms: now_ms,
            },
        );
        Ok(Reservation::Reserved)
    }

    fn record(
        &self,
        key: &EventKey,
        outcome: RecordedOutcome,
        now_ms: u64,
    ) -> Result<(), LedgerError> {
        let mut entries = self.entries.lock().map_err(poisoned)?;
        match outcome.state() {
            Some(state) => entries.insert(
                key.id(),
                Entry {
                    state,
                    at_ms: now_ms,
                },
            ),
            None => entries.remove(&key.id()),
        };
        Ok(())
    }
}
