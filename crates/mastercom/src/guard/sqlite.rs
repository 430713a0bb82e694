//! A [`DisputeEventLedger`] in an SQLite file: survives restarts and is shared by every process
//! on the machine that opens the same file. For several machines, see `postgres.rs`.
//!
//! Safety across processes comes from SQLite itself: WAL mode (readers never block the writer),
//! a busy timeout (a second writer waits instead of failing), and `BEGIN IMMEDIATE` for
//! reserve, which takes the write lock before reading, so two processes cannot both see "no
//! entry" and both send. The lock is released when `reserve` returns, before the request is
//! sent.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::decide::{Decision, Entry, EntryState, LedgerKey, Windows, decide};
use super::ledger::{DisputeEventLedger, LedgerError, RecordedOutcome, expires_ms, poisoned};

/// The SQLite ledger. Opening it creates the file, its folder and the table if needed.
#[derive(Debug)]
pub struct SqliteLedger {
    connection: Mutex<Connection>,
}

fn sql(error: rusqlite::Error) -> LedgerError {
    LedgerError(format!("SQLite: {error}"))
}

/// The table. Keys are hex SHA-256 digests: no claim id, transaction id or body is stored.
const SCHEMA: &str = "PRAGMA synchronous=NORMAL;
     CREATE TABLE IF NOT EXISTS mastercom_guard_ledger (
         key TEXT PRIMARY KEY,
         state TEXT NOT NULL,
         at_ms INTEGER NOT NULL,
         expires_ms INTEGER NOT NULL
     );
     CREATE INDEX IF NOT EXISTS mastercom_guard_ledger_expiry
         ON mastercom_guard_ledger (expires_ms);";

impl SqliteLedger {
    /// Opens (or creates) the ledger at `path`, creating its folder if needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let path = path.as_ref();
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            std::fs::create_dir_all(folder).map_err(|error| {
                LedgerError(format!("cannot create {}: {error}", folder.display()))
            })?;
        }
        let connection = Connection::open(path)
            .map_err(|error| LedgerError(format!("cannot open {}: {error}", path.display())))?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(sql)?;
        let _mode: String = connection
            .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
            .map_err(sql)?;
        connection.execute_batch(SCHEMA).map_err(sql)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }
}

fn to_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Runs a ledger call that may wait for another process's lock or a network round trip. The
/// guard calls the ledger from the request hook, on a runtime thread: on a multi-threaded
/// runtime the runtime moves its other tasks to another thread meanwhile, so one slow ledger
/// does not stall unrelated requests. (A current-thread runtime has nowhere to move them.)
pub(super) fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

impl DisputeEventLedger for SqliteLedger {
    fn reserve(
        &self,
        keys: &[LedgerKey],
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError> {
        off_the_runtime(|| self.reserve_now(keys, now_ms, windows))
    }

    fn record(
        &self,
        keys: &[LedgerKey],
        outcome: RecordedOutcome,
        now_ms: u64,
        windows: Windows,
    ) -> Result<(), LedgerError> {
        off_the_runtime(|| self.store(keys, outcome, now_ms, windows))
    }
}

impl SqliteLedger {
    fn reserve_now(
        &self,
        keys: &[LedgerKey],
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError> {
        let mut connection = self.connection.lock().map_err(poisoned)?;
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut current = Vec::with_capacity(keys.len());
        for key in keys {
            let existing: Option<(String, i64)> = transaction
                .query_row(
                    "SELECT state, at_ms FROM mastercom_guard_ledger WHERE key = ?1",
                    params![key.id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .map_err(sql)?;
            let entry = existing.map(|(state, at_ms)| Entry {
                state: EntryState::parse_or_in_flight(&state),
                at_ms: u64::try_from(at_ms).unwrap_or(0),
            });
            current.push((key.kind, entry));
        }
        let decision = decide(&current, now_ms, windows);
        if decision == Decision::Reserve {
            for key in keys {
                upsert(&transaction, key, EntryState::InFlight, now_ms, windows)?;
            }
            // Expired entries block nothing; dropping them bounds the file.
            transaction
                .execute(
                    "DELETE FROM mastercom_guard_ledger WHERE expires_ms <= ?1",
                    params![to_i64(now_ms)],
                )
                .map_err(sql)?;
        }
        transaction.commit().map_err(sql)?;
        Ok(decision)
    }

    fn store(
        &self,
        keys: &[LedgerKey],
        outcome: RecordedOutcome,
        now_ms: u64,
        windows: Windows,
    ) -> Result<(), LedgerError> {
        let mut connection = self.connection.lock().map_err(poisoned)?;
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        for key in keys {
            match outcome.state() {
                Some(state) => upsert(&transaction, key, state, now_ms, windows)?,
                None => {
                    transaction
                        .execute(
                            "DELETE FROM mastercom_guard_ledger WHERE key = ?1",
                            params![key.id],
                        )
                        .map_err(sql)?;
                }
            }
        }
        transaction.commit().map_err(sql)
    }
}

fn upsert(
    transaction: &rusqlite::Transaction<'_>,
    key: &LedgerKey,
    state: EntryState,
    now_ms: u64,
    windows: Windows,
) -> Result<(), LedgerError> {
    transaction
        .execute(
            "INSERT OR REPLACE INTO mastercom_guard_ledger (key, state, at_ms, expires_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                key.id,
                state.as_str(),
                to_i64(now_ms),
                to_i64(expires_ms(key.kind, state, now_ms, windows))
            ],
        )
        .map_err(sql)?;
    Ok(())
}
