#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Which ledger a client gets: persistent by default (per-user SQLite), PostgreSQL from
//! `MASTERCOM_LEDGER_URL`, memory only when asked for (with a warning); and two clients on two
//! "machines" sharing only a PostgreSQL ledger.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mastercom::MastercomClient;
use mastercom::guard::RefusalReason;
use serde_json::json;
use support::Failure;
use support::{SignedServer, manual_clock};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::ResponseTemplate;

const CHILD_ENV: &str = "MASTERCOM_LEDGER_DEFAULTS_CHILD";

/// Runs only as a child of the tests below (the environment of a running test cannot be
/// changed safely): builds a client from the environment and prints the outcome.
#[test]
fn child_builds_from_env() {
    if std::env::var(CHILD_ENV).is_err() {
        return;
    }
    match MastercomClient::from_env().and_then(|builder| builder.build()) {
        Ok(client) => println!("CHILD-BUILT guard={}", client.guard_enabled()),
        Err(error) => println!("CHILD-ERROR {error}"),
    }
}

/// Runs the child with `vars` set (and `removed` unset); returns its stdout.
fn child(vars: &[(&str, &std::ffi::OsStr)], removed: &[&str]) -> String {
    let directory = tempfile::tempdir().unwrap();
    let key_path = directory.path().join("key.pem");
    std::fs::write(&key_path, &support::test_key().pem).unwrap();
    let mut command = mastercard_testkit::child::command("child_builds_from_env");
    command
        .env(CHILD_ENV, "1")
        .env("MASTERCARD_CONSUMER_KEY", "ck")
        .env("MASTERCARD_SIGNING_KEY_PATH", &key_path)
        .env_remove("MASTERCOM_LEDGER_PATH")
        .env_remove("MASTERCOM_LEDGER_URL");
    for name in removed {
        command.env_remove(name);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    mastercard_testkit::child::stdout(command.output().unwrap())
}

#[test]
fn the_default_ledger_is_sqlite_in_the_users_state_folder() {
    let state = tempfile::tempdir().unwrap();
    let out = child(&[("XDG_STATE_HOME", state.path().as_os_str())], &[]);
    assert!(out.contains("CHILD-BUILT guard=true"), "{out}");
    assert!(
        state
            .path()
            .join("mastercard-rs/mastercom-ledger.sqlite3")
            .is_file(),
        "{out}"
    );

    let home = tempfile::tempdir().unwrap();
    let out = child(&[("HOME", home.path().as_os_str())], &["XDG_STATE_HOME"]);
    assert!(out.contains("CHILD-BUILT guard=true"), "{out}");
    assert!(
        home.path()
            .join(".local/state/mastercard-rs/mastercom-ledger.sqlite3")
            .is_file(),
        "{out}"
    );

    // Nowhere to keep it: the build fails and says what to set, rather than fall back to memory.
    let out = child(&[], &["XDG_STATE_HOME", "HOME"]);
    assert!(out.contains("CHILD-ERROR"), "{out}");
    assert!(out.contains("MASTERCOM_LEDGER_PATH"), "{out}");
}

#[test]
fn ledger_variables_are_checked() {
    let state = tempfile::tempdir().unwrap();
    let both = child(
        &[
            ("MASTERCOM_LEDGER_URL", "postgres://u@localhost/db".as_ref()),
            (
                "MASTERCOM_LEDGER_PATH",
                state.path().join("l.sqlite3").as_os_str(),
            ),
        ],
        &[],
    );
    assert!(
        both.contains("CHILD-ERROR") && both.contains("choose one ledger"),
        "{both}"
    );
    let wrong = child(&[("MASTERCOM_LEDGER_URL", "mysql://x".as_ref())], &[]);
    assert!(
        wrong.contains("CHILD-ERROR") && wrong.contains("postgres://"),
        "{wrong}"
    );
    let memory = child(&[("MASTERCOM_LEDGER_URL", "memory:".as_ref())], &[]);
    assert!(memory.contains("CHILD-BUILT guard=true"), "{memory}");
}

#[test]
fn from_env_takes_a_postgres_ledger_and_never_prints_its_password() {
    // Building does not connect: the URL only has to parse.
    let out = child(
        &[(
            "MASTERCOM_LEDGER_URL",
            "postgres://worker:s3cret-pw@127.0.0.1:1/ledger".as_ref(),
        )],
        &[],
    );
    assert!(out.contains("CHILD-BUILT guard=true"), "{out}");
    let builder = MastercomClient::builder()
        .dispute_event_ledger_postgres("postgres://worker:s3cret-pw@db/ledger");
    assert!(!format!("{builder:?}").contains("s3cret-pw"));
}

/// Collects the messages of WARN events.
#[derive(Default, Clone)]
struct Warnings(Arc<Mutex<Vec<String>>>);

struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        }
    }
}

impl Subscriber for Warnings {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = String::new();
        event.record(&mut Message(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn choosing_the_memory_ledger_warns() {
    let key = support::test_key();
    let warnings = Warnings::default();
    let client = tracing::subscriber::with_default(warnings.clone(), || {
        support::loopback_builder("http://127.0.0.1:9/mastercom", &key.pem)
            .build()
            .unwrap()
    });
    assert!(client.guard_enabled());
    let seen = warnings.0.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|message| message.contains("in memory") && message.contains("restart")),
        "{seen:?}"
    );
}

/// Two clients, as on two machines, share only a PostgreSQL ledger: the second's resend of the
/// same chargeback (another amount) is refused, with nothing in common but the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_share_a_postgres_ledger() {
    let Some(url) = mastercard_testkit::postgres::fresh_database("two_machines") else {
        return;
    };
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200).set_body_json(json!({"chargebackId": "300018439680"}))
    })
    .await;
    let (clock, shared) = manual_clock();
    let machine_a = server
        .builder()
        .clock(shared.clone())
        .dispute_event_ledger_postgres(&url)
        .build()
        .unwrap();
    let machine_b = server
        .builder()
        .clock(shared)
        .dispute_event_ledger_postgres(&url)
        .build()
        .unwrap();
    let mut body: mastercom::types::CreateChargebackRequest =
        support::body("CreateChargebackRequest");
    machine_a
        .create_chargeback("200002020654", &body)
        .await
        .unwrap();
    body.amount = "99.00".parse().unwrap();
    clock.advance(Duration::from_secs(10));
    let error = machine_b
        .create_chargeback("200002020654", &body)
        .await
        .unwrap_err();
    assert_eq!(
        support::failure(&error),
        Failure::Refused(RefusalReason::Duplicate)
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(50)));
    assert_eq!(server.seen().len(), 1);
}

/// A ledger that cannot be reached refuses the event (typed, not sent) instead of sending it
/// unguarded; the refusal names the ledger but not the connection string's password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_ledger_refuses_the_event() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let client = server
        .builder()
        .dispute_event_ledger(Arc::new(
            mastercom::guard::PostgresLedger::connect_with(
                "postgres://worker:s3cret-pw@127.0.0.1:1/ledger?connect_timeout=1",
                mastercom::guard::PostgresOptions {
                    pool_size: 1,
                    timeout: Duration::from_secs(2),
                },
            )
            .unwrap(),
        ))
        .build()
        .unwrap();
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");
    let error = client
        .create_chargeback("200002020654", &body)
        .await
        .unwrap_err();
    assert_eq!(
        support::failure(&error),
        Failure::Refused(RefusalReason::LedgerUnavailable),
        "{error}"
    );
    assert!(!error.request_may_have_been_sent());
    assert!(!error.to_string().contains("s3cret-pw"), "{error}");
    assert!(server.seen().is_empty(), "nothing was sent");
    // Reads are not guarded and still work.
    let _ = client.get_claim_detail("200002020654").await;
    assert_eq!(server.seen().len(), 1);
}
