//! A [`DisputeEventLedger`] in an SQLite file: survives restarts and is shared by every process
//! on the machine that opens the same file.
//!
//! Safety across processes comes from SQLite itself: WAL mode (readers never block the writer),
//! a busy timeout (a second writer waits instead of failing), and `BEGIN IMMEDIATE` for
//! check-and-reserve, which takes the write lock before reading, so two processes cannot both
//! see "no entry" and both send.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::key::EventKey;
use super::ledger::{
    DisputeEventLedger, Entry, EntryState, LedgerError, RecordedOutcome, Reservation, Windows,
    blocks, poisoned,
};

/// The SQLite ledger. Opening it creates the file and table if needed.
#[derive(Debug)]
pub struct SqliteLedger {
    connection: Mutex<Connection>,
}

fn sql(error: rusqlite::Error) -> LedgerError {
    LedgerError(format!("SQLite: {error}"))
}

impl SqliteLedger {
    /// Opens (or creates) the ledger at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let path = path.as_ref();
        let connection = Connection::open(path)
            .map_err(|error| LedgerError(format!("cannot open {}: {error}", path.display())))?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(sql)?;
        let _mode: String = connection
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(sql)?;
        connection
            .execute_batch(
                "PRAGMA synchronous=NORMAL;
                 CREATE TABLE IF NOT EXISTS dispute_events (
                     key TEXT PRIMARY KEY,
                     operation TEXT NOT NULL,
                     claim_id TEXT,
                     state TEXT NOT NULL,
                     at_ms INTEGER NOT NULL
                 );",
            )
            .map_err(sql)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }
}

fn to_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Runs a ledger call that may wait for another process's write lock (up to the busy timeout).
/// The guard calls the ledger from the request hook, on a runtime thread: on a multi-threaded
/// runtime the runtime moves its other tasks to another thread meanwhile, so one slow lock does
/// not stall unrelated requests. (A current-thread runtime has nowhere to move them.)
fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

impl DisputeEventLedger for SqliteLedger {
    fn check_and_reserve(
        &self,
        key: &EventKey,
        now_ms: u64,
        windows: Windows,
    ) -> Result<Reservation, LedgerError> {
        off_the_runtime(|| self.reserve(key, now_ms, windows))
    }

    fn record(
        &self,
        key: &EventKey,
        outcome: RecordedOutcome,
        now_ms: u64,
    ) -> Result<(), LedgerError> {
        off_the_runtime(|| self.store(key, outcome, now_ms))
    }
}

impl SqliteLedger {
    fn reserve(
        &self,
        key: &EventKey,
        now_ms: u64,
        windows: Windows,
    ) -> Result<Reservation, LedgerError> {
        let mut connection = self.connection.lock().map_err(poisoned)?;
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let id = key.id();
        let existing: Option<(String, i64)> = transaction
            .query_row(
                "SELECT state, at_ms FROM dispute_events WHERE key = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        if let Some((state, at_ms)) = existing {
            // An unreadable state is treated as in flight: blocking is the safe reading.
            let entry = Entry {
                state: EntryState::parse(&state).unwrap_or(EntryState::InFlight),
                at_ms: u64::try_from(at_ms).unwrap_or(0),
            };
            if blocks(entry, now_ms, windows) {
                transaction.commit().map_err(sql)?;
                return Ok(Reservation::Refused(entry));
            }
        }
        transaction
            .execute(
                "INSERT OR REPLACE INTO dispute_events (key, operation, claim_id, state, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    key.operation,
                    key.claim_id,
                    EntryState::InFlight.as_str(),
                    to_i64(now_ms)
                ],
            )
            .map_err(sql)?;
        // Entries older than the longest window block nothing; drop them to bound the file.
        let horizon =
            now_ms.saturating_sub(u64::try_from(windows.unknown.as_millis()).unwrap_or(0));
        transaction
            .execute(
                "DELETE FROM dispute_events WHERE at_ms < ?1",
                params![to_i64(horizon)],
            )
            .map_err(sql)?;
        transaction.commit().map_err(sql)?;
        Ok(Reservation::Reserved)
    }

    fn store(
        &self,
        key: &EventKey,
        outcome: RecordedOutcome,
        now_ms: u64,
    ) -> Result<(), LedgerError> {
        let connection = self.connection.lock().map_err(poisoned)?;
        let Some(state) = outcome.state() else {
            connection
                .execute(
                    "DELETE FROM dispute_events WHERE key = ?1",
                    params![key.id()],
                )
                .map_err(sql)?;
            return Ok(());
        };
        connection
            .execute(
                "INSERT OR REPLACE INTO dispute_events (key, operation, claim_id, state, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    key.id(),
                    key.operation,
                    key.claim_id,
                    state.as_str(),
                    to_i64(now_ms)
                ],
            )
            .map_err(sql)?;
        Ok(())
    }
}
