#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! One conformance suite, run against every ledger: memory, SQLite and PostgreSQL (a real
//! server started by `mastercard_testkit::postgres`; skipped with a message when PostgreSQL is
//! not installed, a failure when `MASTERCARD_POSTGRES_REQUIRED=1`). Time is passed in, never
//! slept.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use mastercom::guard::{
    Decision, DisputeEventLedger, KeyKind, LedgerKey, MemoryLedger, PostgresLedger,
    RecordedOutcome, RefusalReason, SqliteLedger, Windows,
};

const T0: u64 = 1_790_000_000_000;
const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;

/// A store, and how to open another handle to it (another connection, pool or process).
enum Backend {
    Memory(Arc<MemoryLedger>),
    Sqlite(tempfile::TempDir),
    Postgres(String),
}

impl Backend {
    fn memory() -> Option<Self> {
        Some(Self::Memory(Arc::new(MemoryLedger::new())))
    }

    fn sqlite() -> Option<Self> {
        Some(Self::Sqlite(tempfile::tempdir().unwrap()))
    }

    fn postgres(test: &str) -> Option<Self> {
        mastercard_testkit::postgres::fresh_database(test).map(Self::Postgres)
    }

    /// A new handle: for SQLite a new connection, for PostgreSQL a new pool.
    fn open(&self) -> Arc<dyn DisputeEventLedger> {
        match self {
            Self::Memory(ledger) => ledger.clone(),
            Self::Sqlite(dir) => {
                Arc::new(SqliteLedger::open(dir.path().join("ledger.sqlite3")).unwrap())
            }
            Self::Postgres(url) => Arc::new(PostgresLedger::connect(url).unwrap()),
        }
    }

    /// What a child process needs to open the same store (`None`: not shared by processes).
    fn for_child(&self) -> Option<String> {
        match self {
            Self::Memory(_) => None,
            Self::Sqlite(dir) => Some(format!(
                "sqlite:{}",
                dir.path().join("ledger.sqlite3").display()
            )),
            Self::Postgres(url) => Some(format!("postgres:{url}")),
        }
    }
}

fn key(name: &str, kind: KeyKind) -> LedgerKey {
    // Ledgers only ever see hex digests.
    LedgerKey {
        id: mastercom::guard::hex(&openssl::sha::sha256(name.as_bytes())),
        kind,
    }
}

fn event(name: &str) -> LedgerKey {
    key(name, KeyKind::SameEvent)
}

fn windows() -> Windows {
    Windows::default()
}

fn reserve(ledger: &dyn DisputeEventLedger, keys: &[LedgerKey], at: u64) -> Decision {
    ledger.reserve(keys, at, windows()).unwrap()
}

fn record(ledger: &dyn DisputeEventLedger, keys: &[LedgerKey], outcome: RecordedOutcome, at: u64) {
    ledger.record(keys, outcome, at, windows()).unwrap();
}

/// The reason and `retry_after` of a refusal.
fn refused(decision: Decision) -> (RefusalReason, Duration) {
    match decision {
        Decision::Refuse(blocking) => (RefusalReason::of(&blocking), blocking.retry_after),
        Decision::Reserve => panic!("expected a refusal"),
    }
}

// ---- the cases ------------------------------------------------------------------------------

fn a_reserved_event_is_in_flight(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a")];
    assert_eq!(reserve(&*ledger, &keys, T0), Decision::Reserve);
    let (reason, after) = refused(reserve(&*ledger, &keys, T0 + SECOND));
    assert_eq!(reason, RefusalReason::InFlight);
    assert_eq!(after, Duration::from_millis(60 * MINUTE - SECOND));
    // Another event is not affected.
    assert_eq!(
        reserve(&*ledger, &[event("b")], T0 + SECOND),
        Decision::Reserve
    );
}

fn a_sent_event_blocks_for_60_s(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a")];
    assert_eq!(reserve(&*ledger, &keys, T0), Decision::Reserve);
    record(&*ledger, &keys, RecordedOutcome::Sent, T0 + 2 * SECOND);
    let (reason, after) = refused(reserve(&*ledger, &keys, T0 + 61 * SECOND));
    assert_eq!(reason, RefusalReason::Duplicate);
    assert_eq!(
        after,
        Duration::from_secs(1),
        "60 s from the recorded outcome"
    );
    assert_eq!(
        reserve(&*ledger, &keys, T0 + 62 * SECOND),
        Decision::Reserve
    );
}

fn an_unknown_outcome_blocks_for_an_hour(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a")];
    assert_eq!(reserve(&*ledger, &keys, T0), Decision::Reserve);
    record(&*ledger, &keys, RecordedOutcome::Unknown, T0);
    let (reason, after) = refused(reserve(&*ledger, &keys, T0 + 60 * MINUTE - 1));
    assert_eq!(reason, RefusalReason::OutcomeUnknown);
    assert_eq!(after, Duration::from_millis(1));
    assert_eq!(
        reserve(&*ledger, &keys, T0 + 60 * MINUTE),
        Decision::Reserve
    );
}

fn an_event_not_created_is_forgotten(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a"), key("a-body", KeyKind::IdenticalBody)];
    assert_eq!(reserve(&*ledger, &keys, T0), Decision::Reserve);
    record(&*ledger, &keys, RecordedOutcome::NotCreated, T0 + SECOND);
    assert_eq!(reserve(&*ledger, &keys, T0 + SECOND), Decision::Reserve);
}

fn a_dead_senders_reservation_expires_after_an_hour(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a")];
    assert_eq!(reserve(&*ledger, &keys, T0), Decision::Reserve);
    // Never recorded: the sender died with the request possibly on the wire.
    let (reason, _) = refused(reserve(&*ledger, &keys, T0 + 59 * MINUTE));
    assert_eq!(reason, RefusalReason::InFlight);
    assert_eq!(
        reserve(&*ledger, &keys, T0 + 60 * MINUTE),
        Decision::Reserve
    );
}

fn a_reservation_is_all_or_nothing(backend: &Backend) {
    let ledger = backend.open();
    assert_eq!(
        reserve(&*ledger, &[event("a"), event("b")], T0),
        Decision::Reserve
    );
    let (reason, _) = refused(reserve(&*ledger, &[event("b"), event("c")], T0));
    assert_eq!(reason, RefusalReason::InFlight);
    // The refused reservation did not take `c`.
    assert_eq!(reserve(&*ledger, &[event("c")], T0), Decision::Reserve);
}

fn the_longest_block_is_reported(backend: &Backend) {
    let ledger = backend.open();
    let spacing = key("claim", KeyKind::ClaimSpacing);
    assert_eq!(
        reserve(&*ledger, &[event("a"), spacing.clone()], T0),
        Decision::Reserve
    );
    record(
        &*ledger,
        &[event("a"), spacing.clone()],
        RecordedOutcome::Unknown,
        T0,
    );
    // Another event on the claim: only the spacing key blocks, for 60 s.
    let (reason, after) = refused(reserve(
        &*ledger,
        &[event("b"), spacing.clone()],
        T0 + 10 * SECOND,
    ));
    assert_eq!(reason, RefusalReason::Spacing);
    assert_eq!(after, Duration::from_secs(50));
    // The same event: the unknown outcome blocks longer than the spacing.
    let (reason, after) = refused(reserve(
        &*ledger,
        &[event("a"), spacing.clone()],
        T0 + 10 * SECOND,
    ));
    assert_eq!(reason, RefusalReason::OutcomeUnknown);
    assert_eq!(after, Duration::from_secs(3590));
    assert_eq!(
        reserve(&*ledger, &[event("b"), spacing], T0 + MINUTE),
        Decision::Reserve
    );
}

fn another_handle_sees_the_entries(backend: &Backend) {
    let first = backend.open();
    let keys = [event("a")];
    assert_eq!(reserve(&*first, &keys, T0), Decision::Reserve);
    record(&*first, &keys, RecordedOutcome::Sent, T0);
    drop(first);
    // A restarted worker (or another machine) with its own connection.
    let second = backend.open();
    assert_eq!(
        refused(reserve(&*second, &keys, T0 + SECOND)).0,
        RefusalReason::Duplicate
    );
}

fn expired_entries_do_not_block_and_are_replaced(backend: &Backend) {
    let ledger = backend.open();
    let keys = [event("a")];
    for round in 0..3 {
        let at = T0 + round * 61 * SECOND;
        assert_eq!(
            reserve(&*ledger, &keys, at),
            Decision::Reserve,
            "round {round}"
        );
        record(&*ledger, &keys, RecordedOutcome::Sent, at);
    }
}

/// Eight threads, each with its own handle (own connection or pool), reserve the same event
/// at once: exactly one wins.
fn concurrent_reservers_exactly_one_wins(backend: &Backend) {
    const WORKERS: usize = 8;
    let handles: Vec<_> = (0..WORKERS).map(|_| backend.open()).collect();
    let barrier = Arc::new(Barrier::new(WORKERS));
    let threads: Vec<_> = handles
        .into_iter()
        .map(|ledger| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                ledger
                    .reserve(&[event("contended")], T0, windows())
                    .unwrap()
            })
        })
        .collect();
    let decisions: Vec<_> = threads
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .collect();
    let winners = decisions
        .iter()
        .filter(|decision| **decision == Decision::Reserve)
        .count();
    assert_eq!(winners, 1, "{decisions:?}");
}

// ---- several processes ------------------------------------------------------------------------

const CHILD_ENV: &str = "MASTERCOM_LEDGER_CONFORMANCE_CHILD";

/// Runs only as a child of `processes_race`: opens the store named in the environment, waits
/// for the parent's go (a line on stdin), reserves the contended event and prints the result.
#[test]
fn child_reserves_the_contended_event() {
    let Ok(store) = std::env::var(CHILD_ENV) else {
        return;
    };
    let ledger: Arc<dyn DisputeEventLedger> = match store.split_once(':') {
        Some(("sqlite", path)) => Arc::new(SqliteLedger::open(path).unwrap()),
        Some(("postgres", url)) => {
            let ledger = PostgresLedger::connect(url).unwrap();
            ledger.check().unwrap(); // connected before the start line
            Arc::new(ledger)
        }
        _ => panic!("unknown store {store}"),
    };
    println!("CHILD-READY");
    std::io::stdout().flush().unwrap();
    let mut go = String::new();
    std::io::stdin().lock().read_line(&mut go).unwrap();
    let decision = ledger
        .reserve(&[event("contended")], T0, windows())
        .unwrap();
    println!(
        "CHILD-DECISION:{}",
        if decision == Decision::Reserve {
            "reserved"
        } else {
            "refused"
        }
    );
}

/// Four processes, each with its own connection or pool, released together: exactly one
/// reserves the event.
fn processes_race(backend: &Backend) {
    let Some(store) = backend.for_child() else {
        return;
    };
    let mut children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "child_reserves_the_contended_event",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, &store)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    // Wait until every child is connected, then release them all.
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|child| std::io::BufReader::new(child.stdout.take().unwrap()))
        .collect();
    for reader in &mut readers {
        let mut line = String::new();
        while !line.contains("CHILD-READY") {
            line.clear();
            assert_ne!(
                reader.read_line(&mut line).unwrap(),
                0,
                "child exited early"
            );
        }
    }
    for child in &mut children {
        writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    }
    let mut decisions = Vec::new();
    for (child, mut reader) in children.into_iter().zip(readers) {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        let status = { child }.wait().unwrap();
        assert!(status.success(), "child failed: {rest}");
        let decision = rest
            .lines()
            .find_map(|line| {
                line.split_once("CHILD-DECISION:")
                    .map(|(_, d)| d.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no decision: {rest}"));
        decisions.push(decision);
    }
    assert_eq!(
        decisions.iter().filter(|d| *d == "reserved").count(),
        1,
        "{decisions:?}"
    );
}

// ---- one module per ledger ------------------------------------------------------------------

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $case() { super::$case(&super::Backend::memory().unwrap()); })*
        }
        mod sqlite {
            $(#[test] fn $case() { super::$case(&super::Backend::sqlite().unwrap()); })*
        }
        mod postgres {
            $(#[test] fn $case() {
                let Some(backend) = super::Backend::postgres(stringify!($case)) else { return };
                super::$case(&backend);
            })*
        }
    };
}

conformance!(
    a_reserved_event_is_in_flight,
    a_sent_event_blocks_for_60_s,
    an_unknown_outcome_blocks_for_an_hour,
    an_event_not_created_is_forgotten,
    a_dead_senders_reservation_expires_after_an_hour,
    a_reservation_is_all_or_nothing,
    the_longest_block_is_reported,
    another_handle_sees_the_entries,
    expired_entries_do_not_block_and_are_replaced,
    concurrent_reservers_exactly_one_wins,
    processes_race,
);

/// The PostgreSQL ledger deletes expired rows (bounded housekeeping after each record).
#[test]
fn postgres_expired_rows_are_deleted() {
    let Some(url) = mastercard_testkit::postgres::fresh_database("expiry") else {
        return;
    };
    let ledger = PostgresLedger::connect(&url).unwrap();
    for index in 0..20 {
        let keys = [event(&format!("old-{index}"))];
        assert_eq!(reserve(&ledger, &keys, T0), Decision::Reserve);
        record(&ledger, &keys, RecordedOutcome::Sent, T0);
    }
    let server = mastercard_testkit::postgres::shared().unwrap();
    let count = |server: &mastercard_testkit::postgres::PostgresServer| {
        server.query(&url, "SELECT count(*) FROM mastercom_guard_ledger")
    };
    assert_eq!(count(server), "20");
    // Two minutes later one more event is recorded; the housekeeping removes the 20 old rows.
    let keys = [event("new")];
    assert_eq!(reserve(&ledger, &keys, T0 + 2 * MINUTE), Decision::Reserve);
    record(&ledger, &keys, RecordedOutcome::Sent, T0 + 2 * MINUTE);
    assert_eq!(count(server), "1");
}

/// An unreachable server is a typed error (the guard then refuses), within the deadline, and
/// the connection string's password is not in it.
#[test]
fn postgres_unreachable_is_a_ledger_error_without_the_password() {
    let ledger = PostgresLedger::connect_with(
        "postgres://worker:s3cret-pw@127.0.0.1:1/ledger?connect_timeout=1",
        mastercom::guard::PostgresOptions {
            pool_size: 1,
            timeout: Duration::from_secs(2),
        },
    )
    .unwrap();
    let error = ledger.reserve(&[event("a")], T0, windows()).unwrap_err();
    let text = error.to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(
        text.contains("PostgreSQL") || text.contains("connection"),
        "{text}"
    );
    assert!(!format!("{ledger:?}").contains("s3cret-pw"));
}
