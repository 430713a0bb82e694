//! A [`DisputeEventLedger`] in PostgreSQL, for workers on several machines.
//!
//! * **Atomic reserve**: one transaction takes a transaction-scoped advisory lock per key
//!   (`pg_advisory_xact_lock`, in sorted order so two reservations cannot deadlock), reads the
//!   keys' rows, applies [`decide`] and upserts the in-flight rows, then commits. Two workers
//!   on any machines reserving an overlapping key are serialised by the server; the locks end
//!   with the transaction, before the HTTP request is sent.
//! * **Record**: one upsert (or delete) of the keys after the call.
//! * **Schema** created on first use (`CREATE TABLE IF NOT EXISTS` under an advisory lock, so
//!   workers starting together do not race on the catalog).
//! * **Expiry**: every row carries `expires_ms`; after recording, one bounded
//!   `DELETE … FOR UPDATE SKIP LOCKED` removes up to 500 expired rows without waiting on anyone.
//! * **Pool**: `deadpool-postgres` over `tokio-postgres`, on a one-thread runtime the ledger
//!   owns, so the guard's synchronous hook can use it from any runtime (even a current-thread
//!   one) without blocking that runtime's reactor. Every operation has a deadline; past it the
//!   ledger reports [`LedgerError`] and the guard refuses the event.
//! * **TLS** through OpenSSL (the workspace's one crypto backend): `sslmode` from the
//!   connection string (`prefer` by default, `require` to insist; server certificates verified
//!   against the system's CAs).
//!
//! Connection strings are never printed: errors name host, port, database and user only.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use openssl::ssl::{SslConnector, SslMethod};
use postgres_openssl::MakeTlsConnector;

use super::decide::{Decision, Entry, EntryState, LedgerKey, Windows, decide};
use super::ledger::{DisputeEventLedger, LedgerError, RecordedOutcome, expires_ms};
use super::sqlite::off_the_runtime;

/// The table every client of one database shares.
const TABLE: &str = "mastercom_guard_ledger";

/// Tuning of a [`PostgresLedger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Connections kept by this client's pool. Default 4.
    pub pool_size: usize,
    /// Deadline of one ledger operation (connect, wait for a pooled connection, the
    /// transaction). Default 5 s.
    pub timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            pool_size: 4,
            timeout: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL ledger. Cheap to share (`Arc`); dropping the last handle closes its pool.
pub struct PostgresLedger {
    inner: Arc<Inner>,
    runtime: Option<tokio::runtime::Runtime>,
    timeout: Duration,
    /// host/port/database/user, for messages.
    target: String,
}

struct Inner {
    pool: Pool,
    schema_ready: AtomicBool,
}

impl std::fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{} port {port}, database {}, user {}",
        if hosts.is_empty() {
            "localhost".to_owned()
        } else {
            hosts.join(",")
        },
        config.get_dbname().unwrap_or("(default)"),
        config.get_user().unwrap_or("(default)")
    )
}

impl PostgresLedger {
    /// A ledger for `connection_string` (`postgres://user:password@host:port/db?sslmode=…`, or
    /// the `host=… user=…` form; a Unix socket folder as host works too) with default options.
    /// No connection is made yet: the first reservation connects and creates the table.
    pub fn connect(connection_string: &str) -> Result<Self, LedgerError> {
        Self::connect_with(connection_string, PostgresOptions::default())
    }

    /// As [`PostgresLedger::connect`], with `options`.
    pub fn connect_with(
        connection_string: &str,
        options: PostgresOptions,
    ) -> Result<Self, LedgerError> {
        // The parser's message may quote the string (and so a password): not passed on.
        let config = tokio_postgres::Config::from_str(connection_string).map_err(|_| {
            LedgerError(
                "the PostgreSQL connection string is not valid (expected \
                 postgres://user:password@host:port/database or host=… user=… dbname=…)"
                    .to_owned(),
            )
        })?;
        let target = describe(&config);
        let connector = SslConnector::builder(SslMethod::tls())
            .map_err(|error| LedgerError(format!("TLS for PostgreSQL: {error}")))?
            .build();
        let manager = Manager::from_config(
            config,
            MakeTlsConnector::new(connector),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.timeout))
            .create_timeout(Some(options.timeout))
            .recycle_timeout(Some(options.timeout))
            .build()
            .map_err(|error| LedgerError(format!("PostgreSQL pool: {error}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("mastercom-ledger-pg")
            .enable_all()
            .build()
            .map_err(|error| LedgerError(format!("cannot start the ledger's runtime: {error}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                schema_ready: AtomicBool::new(false),
            }),
            runtime: Some(runtime),
            timeout: options.timeout,
            target,
        })
    }

    /// Connects now and creates the table if needed: call at start-up to fail early.
    pub fn check(&self) -> Result<(), LedgerError> {
        let inner = Arc::clone(&self.inner);
        self.run(async move { inner.client().await.map(drop) })
    }

    /// Runs `work` on the ledger's runtime and waits for it, at most the deadline.
    fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, LedgerError>> + Send + 'static,
    ) -> Result<T, LedgerError> {
        let Some(runtime) = &self.runtime else {
            return Err(LedgerError("the PostgreSQL ledger is shut down".to_owned()));
        };
        let timeout = self.timeout;
        let target = self.target.clone();
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        runtime.spawn(async move {
            let result = match tokio::time::timeout(timeout, work).await {
                Ok(result) => result,
                Err(_) => Err(LedgerError(format!(
                    "PostgreSQL at {target} did not answer within {} ms",
                    timeout.as_millis()
                ))),
            };
            let _ = sender.send(result);
        });
        // The task above ends by the deadline; the margin covers scheduling.
        off_the_runtime(|| receiver.recv_timeout(timeout + Duration::from_secs(1)))
            .map_err(|_| LedgerError("the PostgreSQL ledger's task did not finish".to_owned()))?
    }
}

impl Drop for PostgresLedger {
    fn drop(&mut self) {
        // Dropping a runtime may not block inside another runtime; this does not.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn pg(context: &str) -> impl Fn(tokio_postgres::Error) -> LedgerError + '_ {
    move |error| {
        // `Display` of a server error is its message only; `source` adds the detail.
        let detail = std::error::Error::source(&error)
            .map(|source| format!(": {source}"))
            .unwrap_or_default();
        LedgerError(format!("PostgreSQL {context}: {error}{detail}"))
    }
}

/// A 64-bit advisory-lock id for a hex key (its first 16 hex digits). Two keys sharing an id
/// only wait for each other; correctness does not depend on ids being distinct.
fn lock_id(key: &str) -> i64 {
    key.get(..16)
        .and_then(|prefix| u64::from_str_radix(prefix, 16).ok())
        .map_or(0, |id| i64::from_ne_bytes(id.to_ne_bytes()))
}

fn to_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

impl Inner {
    async fn client(&self) -> Result<deadpool_postgres::Object, LedgerError> {
        let mut client =
            self.pool.get().await.map_err(|error| {
                LedgerError(format!("cannot get a PostgreSQL connection: {error}"))
            })?;
        if !self.schema_ready.load(Ordering::Acquire) {
            let transaction = client
                .transaction()
                .await
                .map_err(pg("creating the ledger table"))?;
            transaction
                .batch_execute(&format!(
                    "SELECT pg_advisory_xact_lock({SCHEMA_LOCK});
                     CREATE TABLE IF NOT EXISTS {TABLE} (
                         key TEXT PRIMARY KEY,
                         state TEXT NOT NULL,
                         at_ms BIGINT NOT NULL,
                         expires_ms BIGINT NOT NULL
                     );
                     CREATE INDEX IF NOT EXISTS {TABLE}_expiry ON {TABLE} (expires_ms);"
                ))
                .await
                .map_err(pg("creating the ledger table"))?;
            transaction
                .commit()
                .await
                .map_err(pg("creating the ledger table"))?;
            self.schema_ready.store(true, Ordering::Release);
        }
        Ok(client)
    }

    async fn reserve(
        &self,
        keys: Vec<LedgerKey>,
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(pg("BEGIN"))?;
        let mut locks: Vec<i64> = keys.iter().map(|key| lock_id(&key.id)).collect();
        locks.sort_unstable();
        locks.dedup();
        transaction
            .execute(
                "SELECT pg_advisory_xact_lock(id) FROM unnest($1::int8[]) AS id",
                &[&locks],
            )
            .await
            .map_err(pg("locking the keys"))?;
        let ids: Vec<&str> = keys.iter().map(|key| key.id.as_str()).collect();
        let rows = transaction
            .query(
                &format!("SELECT key, state, at_ms FROM {TABLE} WHERE key = ANY($1::text[])"),
                &[&ids],
            )
            .await
            .map_err(pg("reading the keys"))?;
        let mut current = Vec::with_capacity(keys.len());
        for key in &keys {
            let entry = rows
                .iter()
                .find(|row| row.try_get::<_, &str>(0).is_ok_and(|id| id == key.id))
                .map(|row| -> Result<Entry, LedgerError> {
                    let state: &str = row.try_get(1).map_err(pg("reading a row"))?;
                    let at_ms: i64 = row.try_get(2).map_err(pg("reading a row"))?;
                    Ok(Entry {
                        state: EntryState::parse_or_in_flight(state),
                        at_ms: u64::try_from(at_ms).unwrap_or(0),
                    })
                })
                .transpose()?;
            current.push((key.kind, entry));
        }
        let decision = decide(&current, now_ms, windows);
        if decision == Decision::Reserve {
            upsert(&transaction, &keys, EntryState::InFlight, now_ms, windows).await?;
        }
        transaction.commit().await.map_err(pg("COMMIT"))?;
        Ok(decision)
    }

    async fn record(
        &self,
        keys: Vec<LedgerKey>,
        outcome: RecordedOutcome,
        now_ms: u64,
        windows: Windows,
    ) -> Result<(), LedgerError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await.map_err(pg("BEGIN"))?;
        match outcome.state() {
            Some(state) => upsert(&transaction, &keys, state, now_ms, windows).await?,
            None => {
                let ids: Vec<&str> = keys.iter().map(|key| key.id.as_str()).collect();
                transaction
                    .execute(
                        &format!("DELETE FROM {TABLE} WHERE key = ANY($1::text[])"),
                        &[&ids],
                    )
                    .await
                    .map_err(pg("forgetting the keys"))?;
            }
        }
        transaction.commit().await.map_err(pg("COMMIT"))?;
        // Housekeeping after the outcome is safe: bounded, never waits for a locked row.
        if let Err(error) = client
            .execute(
                &format!(
                    "DELETE FROM {TABLE} WHERE key IN (
                         SELECT key FROM {TABLE} WHERE expires_ms <= $1
                         LIMIT 500 FOR UPDATE SKIP LOCKED)"
                ),
                &[&to_i64(now_ms)],
            )
            .await
        {
            tracing::debug!(%error, "could not delete expired ledger entries");
        }
        Ok(())
    }
}

/// The advisory lock taken while creating the table (any fixed id; "mcguard" in ASCII).
const SCHEMA_LOCK: i64 = 0x006d_6367_7561_7264;

async fn upsert(
    transaction: &deadpool_postgres::Transaction<'_>,
    keys: &[LedgerKey],
    state: EntryState,
    now_ms: u64,
    windows: Windows,
) -> Result<(), LedgerError> {
    let ids: Vec<&str> = keys.iter().map(|key| key.id.as_str()).collect();
    let expires: Vec<i64> = keys
        .iter()
        .map(|key| to_i64(expires_ms(key.kind, state, now_ms, windows)))
        .collect();
    transaction
        .execute(
            &format!(
                "INSERT INTO {TABLE} (key, state, at_ms, expires_ms)
                 SELECT id, $2::text, $3::int8, expires FROM unnest($1::text[], $4::int8[]) AS k(id, expires)
                 ON CONFLICT (key) DO UPDATE
                 SET state = EXCLUDED.state, at_ms = EXCLUDED.at_ms, expires_ms = EXCLUDED.expires_ms"
            ),
            &[&ids, &state.as_str(), &to_i64(now_ms), &expires],
        )
        .await
        .map_err(pg("writing the keys"))?;
    Ok(())
}

impl DisputeEventLedger for PostgresLedger {
    fn reserve(
        &self,
        keys: &[LedgerKey],
        now_ms: u64,
        windows: Windows,
    ) -> Result<Decision, LedgerError> {
        let inner = Arc::clone(&self.inner);
        let keys = keys.to_vec();
        self.run(async move { inner.reserve(keys, now_ms, windows).await })
    }

    fn record(
        &self,
        keys: &[LedgerKey],
        outcome: RecordedOutcome,
        now_ms: u64,
        windows: Windows,
    ) -> Result<(), LedgerError> {
        let inner = Arc::clone(&self.inner);
        let keys = keys.to_vec();
        self.run(async move { inner.record(keys, outcome, now_ms, windows).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids_come_from_the_key_prefix() {
        assert_eq!(lock_id("0000000000000001ffff"), 1);
        assert_eq!(lock_id("ffffffffffffffff"), -1);
        assert_eq!(lock_id("short"), 0);
    }

    #[test]
    fn a_bad_connection_string_is_not_echoed() {
        let error = PostgresLedger::connect("postgres://user:s3cret@host:notaport/db")
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("not valid"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }
}
