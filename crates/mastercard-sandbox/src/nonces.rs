//! Where the OAuth1 verifier remembers nonces: in memory, or (with persistence) in the state's
//! SQLite file, so that a request accepted before a restart is a replay after it.
//!
//! A nonce is kept for twice the timestamp window: a request whose timestamp is still accepted
//! can never find its nonce forgotten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mastercard_oauth1::{InMemoryNonceStore, NonceStore};
use parking_lot::Mutex;
use rusqlite::{Connection, params};

use crate::{Credentials, SandboxConfig, SandboxError};

/// Nonces kept in memory without persistence (the oldest go first beyond it).
const IN_MEMORY_CAPACITY: usize = 1_000_000;

/// The verifier's nonce store for `config`.
pub fn store(config: &SandboxConfig, creds: &Credentials) -> Result<Nonces, SandboxError> {
    let retention = retention(config.oauth_window);
    if config.persistence {
        Ok(Nonces::Persistent(PersistentNonces::open(
            &creds.database,
            retention,
        )?))
    } else {
        Ok(Nonces::Memory(InMemoryNonceStore::new(
            IN_MEMORY_CAPACITY,
            retention,
        )))
    }
}

fn retention(window: Duration) -> u64 {
    window.as_secs().saturating_mul(2).max(1)
}

/// Either store; the verifier takes one concrete type.
pub enum Nonces {
    /// Forgotten on restart.
    Memory(InMemoryNonceStore),
    /// Kept in `sandbox.sqlite`.
    Persistent(PersistentNonces),
}

impl NonceStore for Nonces {
    fn check_and_record(&self, consumer_key: &str, nonce: &str, timestamp: u64, now: u64) -> bool {
        match self {
            Self::Memory(store) => store.check_and_record(consumer_key, nonce, timestamp, now),
            Self::Persistent(store) => store.check_and_record(consumer_key, nonce, timestamp, now),
        }
    }
}

/// Nonces in the `oauth1_nonce` table of the state's SQLite file.
pub struct PersistentNonces {
    path: PathBuf,
    retention_secs: u64,
    state: Mutex<Ledger>,
}

struct Ledger {
    conn: Connection,
    /// When expired rows were last deleted (seconds since the epoch).
    purged_at: u64,
}

/// How often expired nonces are deleted; between purges an expired row is overwritten when its
/// nonce comes again, so expiry is exact either way.
const PURGE_EVERY_SECS: u64 = 60;

impl PersistentNonces {
    /// Opens (or creates) the table in the SQLite file at `path`.
    pub fn open(path: &Path, retention_secs: u64) -> Result<Self, SandboxError> {
        let in_file = |e: rusqlite::Error| SandboxError::in_file(path, SandboxError::Store(e));
        let conn = Connection::open(path).map_err(in_file)?;
        // WAL lets the dispute model's connection write beside this one; NORMAL syncs at
        // checkpoints instead of every insert: the ledger must survive a restart of the process,
        // not a power cut, and one fsync per request would cap the request rate. A writer
        // waits at most 2 s for the other connection's lock.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             PRAGMA busy_timeout=2000;
             CREATE TABLE IF NOT EXISTS oauth1_nonce (
                 consumer_key TEXT NOT NULL,
                 nonce        TEXT NOT NULL,
                 seen_at      INTEGER NOT NULL,
                 PRIMARY KEY (consumer_key, nonce)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS oauth1_nonce_seen_at ON oauth1_nonce (seen_at);",
        )
        .map_err(in_file)?;
        Ok(Self {
            path: path.to_path_buf(),
            retention_secs,
            state: Mutex::new(Ledger { conn, purged_at: 0 }),
        })
    }

    fn record(&self, consumer_key: &str, nonce: &str, now: u64) -> rusqlite::Result<bool> {
        let expired_before = i64::try_from(now.saturating_sub(self.retention_secs)).unwrap_or(0);
        let now_db = i64::try_from(now).unwrap_or(i64::MAX);
        let mut ledger = self.state.lock();
        if now.saturating_sub(ledger.purged_at) >= PURGE_EVERY_SECS {
            ledger.conn.execute(
                "DELETE FROM oauth1_nonce WHERE seen_at < ?1",
                params![expired_before],
            )?;
            ledger.purged_at = now;
        }
        // A new nonce is inserted; a known one counts as new only when its row has expired.
        let changed = ledger.conn.execute(
            "INSERT INTO oauth1_nonce (consumer_key, nonce, seen_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (consumer_key, nonce) DO UPDATE SET seen_at = excluded.seen_at
             WHERE oauth1_nonce.seen_at < ?4",
            params![consumer_key, nonce, now_db, expired_before],
        )?;
        Ok(changed == 1)
    }
}

impl NonceStore for PersistentNonces {
    fn check_and_record(&self, consumer_key: &str, nonce: &str, _timestamp: u64, now: u64) -> bool {
        match self.record(consumer_key, nonce, now) {
            Ok(fresh) => fresh,
            Err(error) => {
                // Fail closed: without the ledger a replay cannot be told apart.
                eprintln!(
                    "mastercard-sandbox: nonce ledger {}: {error}; refusing the request",
                    self.path.display()
                );
                false
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_a_replay_until_it_expires_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.sqlite");
        let ledger = PersistentNonces::open(&path, 600).unwrap();
        assert!(ledger.check_and_record("key", "n1", 1_000, 1_000));
        assert!(!ledger.check_and_record("key", "n1", 1_000, 1_001));
        assert!(
            ledger.check_and_record("other-key", "n1", 1_000, 1_001),
            "nonces are per consumer key"
        );
        drop(ledger);
        let reopened = PersistentNonces::open(&path, 600).unwrap();
        assert!(!reopened.check_and_record("key", "n1", 1_000, 1_500));
        assert!(
            reopened.check_and_record("key", "n1", 1_700, 1_700),
            "kept 600 s, then forgotten"
        );
        assert!(!reopened.check_and_record("key", "n1", 1_700, 1_701));
    }

    #[test]
    fn expired_rows_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.sqlite");
        let ledger = PersistentNonces::open(&path, 10).unwrap();
        for n in 0..5 {
            assert!(ledger.check_and_record("key", &format!("n{n}"), 100, 100));
        }
        assert!(ledger.check_and_record("key", "late", 1_000, 1_000));
        let rows: i64 = ledger
            .state
            .lock()
            .conn
            .query_row("SELECT COUNT(*) FROM oauth1_nonce", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
