#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The dispute-event guard: Mastercom's "Avoid Duplicate Dispute Events" rule. Time moves by an
//! injected clock, never by sleeping.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mastercom::guard::RefusalReason;
use mastercom::guard::{ManualClock, SqliteLedger};
use mastercom::{Error as MastercomError, ErrorKind, MastercomClient};
use serde_json::json;
use support::{SignedServer, manual_clock, short_timeouts, silent_server};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

fn chargeback() -> mastercom::types::CreateChargebackRequest {
    support::body("CreateChargebackRequest")
}

/// Sends the test's one chargeback.
async fn send_chargeback(client: &MastercomClient) -> Result<(), MastercomError> {
    client
        .create_chargeback(CLAIM, &chargeback())
        .await
        .map(drop)
}

/// The guard's reason for a refusal (`ErrorKind::Refused`, nothing sent).
fn refusal(error: &MastercomError) -> RefusalReason {
    assert_eq!(error.kind(), ErrorKind::Refused, "{error}");
    assert_eq!(error.delivery(), mastercom::Delivery::NotSent);
    error.guard_refusal().expect("a guard refusal").reason
}

async fn accepting_server() -> SignedServer {
    SignedServer::start(|_, _| {
        ResponseTemplate::new(200).set_body_json(json!({"chargebackId": "300018439680"}))
    })
    .await
}

#[tokio::test]
async fn identical_event_within_60_s_is_refused_and_allowed_after() {
    let server = accepting_server().await;
    let (clock, shared) = manual_clock();
    let client = server.builder().clock(shared).build().unwrap();

    send_chargeback(&client).await.unwrap();
    clock.advance(Duration::from_secs(59));
    let error = send_chargeback(&client).await.unwrap_err();
    assert_eq!(refusal(&error), RefusalReason::Duplicate);
    assert!(!error.request_may_have_been_sent());
    let message = error.to_string();
    assert!(
        message.contains("duplicate dispute event prevented") && message.contains("not sent"),
        "{message}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(
        server.seen().len(),
        1,
        "the duplicate never reached the server"
    );

    // Another amount is still the same dispute event (same claim, same chargeback cycle)...
    let mut other = chargeback();
    other.amount = "101.00".parse().unwrap();
    let error = client.create_chargeback(CLAIM, &other).await.unwrap_err();
    assert_eq!(refusal(&error), RefusalReason::Duplicate);
    // ...another claim is not.
    client
        .create_chargeback("200002020655", &other)
        .await
        .unwrap();
    assert_eq!(server.seen().len(), 2);

    clock.advance(Duration::from_secs(2));
    send_chargeback(&client).await.unwrap();
    assert_eq!(server.seen().len(), 3, "allowed after 60 s");
    server.assert_all_verified();
}

#[tokio::test]
async fn same_body_with_other_key_order_is_the_same_event() {
    // The canonical hash ignores key order and whitespace.
    let a = mastercom::guard::body_hash(br#"{"amount":"1.00","currency":"USD"}"#);
    let b = mastercom::guard::body_hash(b"{ \"currency\": \"USD\",\n \"amount\": \"1.00\" }");
    assert_eq!(a, b);
}

#[tokio::test]
async fn after_a_timeout_the_same_event_is_refused_for_an_hour() {
    let key = support::test_key();
    let (url, connections) = silent_server().await;
    let (clock, shared) = manual_clock();
    let client = support::loopback_builder(&url, &key.pem)
        .timeouts(short_timeouts(Duration::from_millis(300)))
        .clock(shared)
        .build()
        .unwrap();

    let error = send_chargeback(&client).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.request_may_have_been_sent());

    clock.advance(Duration::from_secs(59 * 60));
    let error = send_chargeback(&client).await.unwrap_err();
    assert_eq!(refusal(&error), RefusalReason::OutcomeUnknown);
    assert!(!error.request_may_have_been_sent());
    let message = error.to_string();
    assert!(message.contains("Check the status first"), "{message}");
    assert!(
        message.contains(&format!("get_claim_detail(\"{CLAIM}\")")),
        "{message}"
    );
    assert_eq!(
        *connections.lock().unwrap(),
        1,
        "the resubmission was not sent"
    );

    clock.advance(Duration::from_secs(61));
    let error = send_chargeback(&client).await.unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::Timeout,
        "sent again after the hour"
    );
    assert_eq!(*connections.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_server_error_holds_the_event_and_a_rejection_releases_it() {
    let server = SignedServer::start(|request, _| {
        if request.url.path().contains("/chargebacks") {
            ResponseTemplate::new(503)
        } else {
            ResponseTemplate::new(400).set_body_json(json!({"Errors": [{"ReasonCode": "INVALID"}]}))
        }
    })
    .await;
    let (_clock, shared) = manual_clock();
    let client = server.builder().clock(shared).build().unwrap();

    send_chargeback(&client).await.unwrap_err();
    let error = send_chargeback(&client).await.unwrap_err();
    assert_eq!(refusal(&error), RefusalReason::OutcomeUnknown);

    // A 400 means Mastercom did not create the event: the caller may fix and resend at once.
    let fee = support::body::<mastercom::types::CreateFeeRequest>("CreateFeeRequest");
    let _ = client.create_fee(CLAIM, &fee).await.unwrap_err();
    let error = client.create_fee(CLAIM, &fee).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(server.seen().len(), 3, "503 once (not retried), 400 twice");
}

#[tokio::test]
async fn disabled_guard_sends_both() {
    let server = accepting_server().await;
    let client = server
        .builder()
        .disable_dispute_event_guard()
        .build()
        .unwrap();
    assert!(!client.guard_enabled());
    send_chargeback(&client).await.unwrap();
    send_chargeback(&client).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

// Multi-threaded, so the ledger's lock waits go through `block_in_place`; the cross-process
// test below runs the same ledger on a current-thread runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_ledger_survives_a_new_client() {
    let server = accepting_server().await;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ledger.sqlite");
    let (clock, shared) = manual_clock();
    let first = server
        .builder()
        .clock(shared.clone())
        .dispute_event_ledger_sqlite(&path)
        .build()
        .unwrap();
    send_chargeback(&first).await.unwrap();
    drop(first);

    // A "restarted" client with a fresh connection to the same file.
    let second = server
        .builder()
        .clock(shared)
        .dispute_event_ledger(Arc::new(SqliteLedger::open(&path).unwrap()))
        .build()
        .unwrap();
    let error = send_chargeback(&second).await.unwrap_err();
    assert_eq!(refusal(&error), RefusalReason::Duplicate);
    clock.advance(Duration::from_secs(61));
    send_chargeback(&second).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

const CHILD_ENV: &str = "MASTERCOM_GUARD_TEST_CHILD";

/// Runs only as the child of `sqlite_ledger_is_shared_between_processes` (selected by an
/// environment variable); in a normal test run it returns at once.
#[tokio::test]
async fn child_process_sends_the_same_event() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, '|');
    let (url, ledger, key_path) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let client = support::loopback_builder(url, &std::fs::read(key_path).unwrap())
        .dispute_event_ledger_sqlite(ledger)
        .build()
        .unwrap();
    // The parent decides what was expected: one line with the outcome.
    match send_chargeback(&client).await {
        Ok(()) => println!("CHILD-OUTCOME:sent"),
        Err(error) => match error.guard_refusal() {
            Some(refusal) => println!("CHILD-OUTCOME:{:?}", refusal.reason),
            None => println!("CHILD-OUTCOME:{:?}", error.kind()),
        },
    }
}

/// Starts the child test in another process, sending the same chargeback through `ledger`.
fn spawn_child(server: &SignedServer, ledger: &Path, key_path: &Path) -> std::process::Child {
    mastercard_testkit::child::command("child_process_sends_the_same_event")
        .env(
            CHILD_ENV,
            format!(
                "{}|{}|{}",
                server.base_url(),
                ledger.display(),
                key_path.display()
            ),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a child printed as its outcome (`sent`, or the error kind).
fn child_outcome(child: std::process::Child) -> String {
    let stdout = mastercard_testkit::child::stdout(child.wait_with_output().unwrap());
    stdout
        .lines()
        .find_map(|line| {
            line.split_once("CHILD-OUTCOME:")
                .map(|(_, outcome)| outcome.trim())
        })
        .unwrap_or_else(|| panic!("child did not run: {stdout}"))
        .to_owned()
}

#[tokio::test]
async fn sqlite_ledger_is_shared_between_processes() {
    let server = accepting_server().await;
    let directory = tempfile::tempdir().unwrap();
    let ledger = directory.path().join("ledger.sqlite");
    let key_path = directory.path().join("key.pem");
    std::fs::write(&key_path, &server.key.pem).unwrap();
    let client = server
        .builder()
        .dispute_event_ledger_sqlite(&ledger)
        .build()
        .unwrap();
    send_chargeback(&client).await.unwrap();

    let outcome = child_outcome(spawn_child(&server, &ledger, &key_path));
    assert_eq!(outcome, "Duplicate");
    assert_eq!(
        server.seen().len(),
        1,
        "the other process's duplicate never reached the server"
    );
}

/// Four processes race to send the same event through one SQLite ledger while the server is
/// still answering the first: exactly one request reaches Mastercom, the others are refused
/// (in flight, or a duplicate once the first has been answered).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_racing_on_one_sqlite_ledger_send_the_event_once() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200)
            .set_body_json(json!({"chargebackId": "300018439680"}))
            .set_delay(Duration::from_millis(800))
    })
    .await;
    let directory = tempfile::tempdir().unwrap();
    let ledger = directory.path().join("ledger.sqlite");
    let key_path = directory.path().join("key.pem");
    std::fs::write(&key_path, &server.key.pem).unwrap();

    let children: Vec<_> = (0..4)
        .map(|_| spawn_child(&server, &ledger, &key_path))
        .collect();
    let outcomes = tokio::task::spawn_blocking(move || {
        children.into_iter().map(child_outcome).collect::<Vec<_>>()
    })
    .await
    .unwrap();

    println!("outcomes: {outcomes:?}");
    let sent = outcomes.iter().filter(|outcome| *outcome == "sent").count();
    assert_eq!(sent, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|outcome| ["sent", "InFlight", "Duplicate"].contains(&outcome.as_str())),
        "{outcomes:?}"
    );
    assert_eq!(server.seen().len(), 1, "{outcomes:?}");
}

#[test]
fn manual_clock_clones_share_time() {
    use mastercom::guard::Clock;
    let clock = ManualClock::new(1_000);
    let other = clock.clone();
    clock.advance(Duration::from_millis(500));
    assert_eq!(other.now_ms(), 1_500);
}

#[tokio::test]
async fn concurrent_identical_events_send_once() {
    // The server answers slowly, so the second call is made while the first is in flight.
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200)
            .set_body_json(json!({}))
            .set_delay(Duration::from_millis(300))
    })
    .await;
    let client = server.builder().build().unwrap();
    let (first, second) = tokio::join!(send_chargeback(&client), send_chargeback(&client));
    let errors: Vec<_> = [first, second]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(refusal(&errors[0]), RefusalReason::InFlight);
    assert_eq!(server.seen().len(), 1);
}
