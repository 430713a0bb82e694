#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Mastercom's rule as written, through the client, for every event-creating operation: the
//! same dispute event (same claim or transaction, same event type) is refused for 60 s whatever
//! else its body says, for an hour after an unknown outcome; strict mode spaces any two events
//! on one claim; a closed window is refused with `retry_after`, or waited for within the
//! deadline. Time moves by an injected clock.

mod support;

use std::sync::Arc;
use std::time::Duration;

use mastercom::guard::RefusalReason;
use mastercom::guard::{ManualClock, Spacing, WhenClosed};
use mastercom::{Error as MastercomError, ErrorKind, MastercomClient};
use serde_json::{Value, json};
use support::Failure;
use support::{SignedServer, manual_clock, short_timeouts};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";
const OTHER_CLAIM: &str = "200002020655";
const CHARGEBACK: &str = "300018439680";
const REQUEST: &str = "300002296235";
const CASE: &str = "536092";

/// Each event-creating operation, its fixture body and a field that is not part of the event's
/// identity (an amount, a memo, a date): changing it does not make another event.
const OPERATIONS: &[(&str, Option<&str>, &str)] = &[
    ("create_claim", Some("CreateClaimRequest"), "disputedAmount"),
    (
        "create_chargeback",
        Some("CreateChargebackRequest"),
        "amount",
    ),
    (
        "create_chargeback_debit_mc",
        Some("CreateChargebackSingleRequest"),
        "replacementAmount",
    ),
    ("create_chargeback_reversal", None, ""),
    (
        "create_chargeback_reversal_debit_mc",
        Some("CreateChargebackSingleReversalRequest"),
        "replacementAmount",
    ),
    (
        "create_retrieval_request",
        Some("CreateRetrievalRequest"),
        "instructionsForHealthcare",
    ),
    (
        "create_retrieval_request_debit_mc",
        Some("CreateRetrievalRequestSingle"),
        "replacementAmount",
    ),
    (
        "acq_fulfill_retrieval_request",
        Some("AcquirerFulfillmentRequest"),
        "memo",
    ),
    (
        "issuer_response_retrieval_request",
        Some("IssuerFulfillmentRequest"),
        "memo",
    ),
    (
        "issuer_response_retrieval_debit_mc_request",
        Some("IssuerFulfillmentRequest"),
        "memo",
    ),
    ("create_fee", Some("CreateFeeRequest"), "feeAmount"),
    (
        "create_fee_debit_mc",
        Some("CreateFeeRequestSingle"),
        "handlingFee",
    ),
    (
        "create_fraud_master_card",
        Some("CreateFraudMasterCardRequest"),
        "reportDate",
    ),
    ("create_case_filing", Some("CreateCaseRequest"), "memo"),
    ("update_case_filing", Some("UpdateCaseRequest"), "memo"),
];

fn fixture(name: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("fixtures/request_bodies.json")).unwrap();
    all[name].clone()
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

/// Calls `operation` on `claim` with its fixture, the free field set to a value depending on
/// `variant`, and `overrides` applied.
async fn call(
    client: &MastercomClient,
    operation: &str,
    claim: &str,
    variant: u32,
    overrides: Value,
) -> Result<(), MastercomError> {
    let (_, fixture_name, free) = OPERATIONS
        .iter()
        .find(|(name, _, _)| *name == operation)
        .unwrap();
    let mut body = fixture_name.map(fixture).unwrap_or(Value::Null);
    if let Some(object) = body.as_object_mut() {
        let free_value = if free.contains("Date") {
            format!("2021-02-{:02}", 10 + variant)
        } else if free.contains("mount") || free.contains("Fee") {
            format!("{}.00", 100 + variant)
        } else {
            format!("memo {variant}")
        };
        object.insert((*free).to_owned(), Value::String(free_value));
        if let Some(overrides) = overrides.as_object() {
            object.extend(overrides.clone());
        }
    }
    let c = client;
    match operation {
        "create_claim" => c.create_claim(&typed(body)).await.map(drop),
        "create_chargeback" => c.create_chargeback(claim, &typed(body)).await.map(drop),
        "create_chargeback_debit_mc" => c
            .create_chargeback_debit_mc(claim, &typed(body))
            .await
            .map(drop),
        "create_chargeback_reversal" => c
            .create_chargeback_reversal(claim, CHARGEBACK)
            .await
            .map(drop),
        "create_chargeback_reversal_debit_mc" => c
            .create_chargeback_reversal_debit_mc(claim, CHARGEBACK, &typed(body))
            .await
            .map(drop),
        "create_retrieval_request" => c
            .create_retrieval_request(claim, &typed(body))
            .await
            .map(drop),
        "create_retrieval_request_debit_mc" => c
            .create_retrieval_request_debit_mc(claim, &typed(body))
            .await
            .map(drop),
        "acq_fulfill_retrieval_request" => c
            .acq_fulfill_retrieval_request(claim, REQUEST, &typed(body))
            .await
            .map(drop),
        "issuer_response_retrieval_request" => c
            .issuer_response_retrieval_request(claim, REQUEST, &typed(body))
            .await
            .map(drop),
        "issuer_response_retrieval_debit_mc_request" => c
            .issuer_response_retrieval_debit_mc_request(claim, REQUEST, &typed(body))
            .await
            .map(drop),
        "create_fee" => c.create_fee(claim, &typed(body)).await.map(drop),
        "create_fee_debit_mc" => c.create_fee_debit_mc(claim, &typed(body)).await.map(drop),
        "create_fraud_master_card" => c
            .create_fraud_master_card(claim, &typed(body))
            .await
            .map(drop),
        "create_case_filing" => c.create_case_filing(&typed(body)).await.map(drop),
        "update_case_filing" => c.update_case_filing(CASE, &typed(body)).await.map(drop),
        other => panic!("not an event-creating operation: {other}"),
    }
}

/// A server answering every request with `status` (and `{}`).
async fn server(status: u16) -> SignedServer {
    SignedServer::start(move |_, _| ResponseTemplate::new(status).set_body_json(json!({}))).await
}

fn kind(result: Result<(), MastercomError>) -> Option<Failure> {
    result.err().map(|error| support::failure(&error))
}

#[test]
fn the_table_covers_every_event_creating_operation() {
    let names: Vec<&str> = OPERATIONS.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(names.len(), mastercom::guard::EVENT_POLICIES.len());
    for name in mastercom::guard::EVENT_CREATING_OPERATIONS {
        assert!(names.contains(&name), "{name}");
    }
}

#[tokio::test]
async fn each_operation_refuses_the_same_event_with_another_body_for_60_s() {
    for (operation, _, _) in OPERATIONS {
        let server = server(200).await;
        let (clock, shared) = manual_clock();
        let client = server.builder().clock(shared).build().unwrap();

        // The first is sent (its response may not fit the schema: it still counts as sent).
        let _ = call(&client, operation, CLAIM, 0, json!({})).await;
        assert_eq!(server.seen().len(), 1, "{operation}");

        clock.advance(Duration::from_secs(30));
        let error = call(&client, operation, CLAIM, 1, json!({}))
            .await
            .unwrap_err();
        assert_eq!(
            support::failure(&error),
            Failure::Refused(RefusalReason::Duplicate),
            "{operation}: {error}"
        );
        assert!(!error.request_may_have_been_sent());
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(30)),
            "{operation}"
        );
        assert_eq!(
            server.seen().len(),
            1,
            "{operation}: the changed resend was not sent"
        );

        clock.advance(Duration::from_secs(30));
        let _ = call(&client, operation, CLAIM, 2, json!({})).await;
        assert_eq!(server.seen().len(), 2, "{operation}: allowed after 60 s");
        server.assert_all_verified();
    }
}

#[tokio::test]
async fn each_operation_after_a_server_error_waits_one_hour() {
    for (operation, _, _) in OPERATIONS {
        let server = server(503).await;
        let (clock, shared) = manual_clock();
        let client = server.builder().clock(shared).build().unwrap();

        assert_eq!(
            kind(call(&client, operation, CLAIM, 0, json!({})).await),
            Some(Failure::Other(ErrorKind::Api))
        );
        clock.advance(Duration::from_secs(59 * 60));
        let error = call(&client, operation, CLAIM, 1, json!({}))
            .await
            .unwrap_err();
        assert_eq!(
            support::failure(&error),
            Failure::Refused(RefusalReason::OutcomeUnknown),
            "{operation}: {error}"
        );
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(60)),
            "{operation}"
        );
        assert!(
            error.to_string().contains("Check the status first"),
            "{error}"
        );
        assert_eq!(server.seen().len(), 1, "{operation}");

        clock.advance(Duration::from_secs(60));
        let _ = call(&client, operation, CLAIM, 2, json!({})).await;
        assert_eq!(
            server.seen().len(),
            2,
            "{operation}: sent again after the hour"
        );
    }
}

#[tokio::test]
async fn each_claim_operation_is_spaced_from_another_event_in_strict_mode() {
    // Strict mode: one event, then any other event-creating call on the same claim.
    for (operation, _, _) in OPERATIONS {
        if ["create_claim", "create_case_filing", "update_case_filing"].contains(operation) {
            continue; // their subject is a transaction or a case, not the claim
        }
        let server = server(200).await;
        let (clock, shared) = manual_clock();
        let client = server
            .builder()
            .clock(shared)
            .dispute_event_spacing(Spacing::AnyEventOnClaim)
            .build()
            .unwrap();
        // The first call is another event type on the claim (fees of both networks are one type).
        let first = if *operation == "create_fraud_master_card" {
            "create_fee"
        } else {
            "create_fraud_master_card"
        };
        let _ = call(&client, first, CLAIM, 0, json!({})).await;
        clock.advance(Duration::from_secs(45));
        let error = call(&client, operation, CLAIM, 0, json!({}))
            .await
            .unwrap_err();
        assert_eq!(
            support::failure(&error),
            Failure::Refused(RefusalReason::Spacing),
            "{operation}: {error}"
        );
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(15)),
            "{operation}"
        );
        // Another claim is not spaced from this one.
        let _ = call(&client, operation, OTHER_CLAIM, 0, json!({})).await;
        assert_eq!(server.seen().len(), 2, "{operation}");
        clock.advance(Duration::from_secs(15));
        let _ = call(&client, operation, CLAIM, 0, json!({})).await;
        assert_eq!(server.seen().len(), 3, "{operation}");
    }
}

#[tokio::test]
async fn different_events_on_one_claim_are_not_duplicates_by_default() {
    let server = server(200).await;
    let (_clock, shared) = manual_clock();
    let client = server.builder().clock(shared).build().unwrap();
    // A chargeback and a second presentment are different cycles; a fee is another type.
    let _ = call(&client, "create_chargeback", CLAIM, 0, json!({})).await;
    let _ = call(
        &client,
        "create_chargeback",
        CLAIM,
        0,
        json!({"chargebackType": "SECOND_PRESENTMENT"}),
    )
    .await;
    let _ = call(&client, "create_fee", CLAIM, 0, json!({})).await;
    // The same chargeback on another claim is another event.
    let _ = call(&client, "create_chargeback", OTHER_CLAIM, 0, json!({})).await;
    assert_eq!(server.seen().len(), 4);
    // A case action other than the first is another event; the same action again is not.
    let _ = call(
        &client,
        "update_case_filing",
        CLAIM,
        0,
        json!({"action": "ACCEPT"}),
    )
    .await;
    let _ = call(
        &client,
        "update_case_filing",
        CLAIM,
        1,
        json!({"action": "REBUT"}),
    )
    .await;
    let again = call(
        &client,
        "update_case_filing",
        CLAIM,
        2,
        json!({"action": "ACCEPT"}),
    )
    .await;
    assert_eq!(
        kind(again),
        Some(Failure::Refused(RefusalReason::Duplicate))
    );
    assert_eq!(server.seen().len(), 6);
}

#[tokio::test]
async fn a_claim_on_the_same_transaction_is_the_same_event() {
    let server = server(200).await;
    let (_clock, shared) = manual_clock();
    let client = server.builder().clock(shared).build().unwrap();
    let _ = call(&client, "create_claim", CLAIM, 0, json!({})).await;
    let same = call(
        &client,
        "create_claim",
        CLAIM,
        1,
        json!({"disputedCurrency": "EUR"}),
    )
    .await;
    assert_eq!(kind(same), Some(Failure::Refused(RefusalReason::Duplicate)));
    let other = call(
        &client,
        "create_claim",
        CLAIM,
        0,
        json!({"clearingTransactionId": "another"}),
    )
    .await;
    assert_ne!(
        kind(other),
        Some(Failure::Refused(RefusalReason::Duplicate))
    );
    assert_eq!(server.seen().len(), 2);
}

fn waiting_client(
    server: &SignedServer,
    clock: Arc<dyn mastercom::guard::Clock>,
    total: Duration,
) -> MastercomClient {
    server
        .builder()
        .clock(clock)
        .timeouts(short_timeouts(total))
        .when_dispute_event_window_closed(WhenClosed::WaitWithinDeadline)
        .build()
        .unwrap()
}

#[tokio::test]
async fn waiting_mode_waits_for_the_window_within_the_deadline() {
    let server = server(200).await;
    let clock = ManualClock::new(1_790_000_000_000);
    let client = waiting_client(&server, Arc::new(clock.clone()), Duration::from_secs(120));
    let start = mastercom::guard::Clock::now_ms(&clock);
    let _ = call(&client, "create_chargeback", CLAIM, 0, json!({})).await;
    clock.advance(Duration::from_secs(20));
    // The window opens in 40 s, within the 120 s deadline: the call waits (the injected clock
    // moves instead of sleeping) and is sent.
    let _ = call(&client, "create_chargeback", CLAIM, 1, json!({})).await;
    assert_eq!(server.seen().len(), 2);
    assert_eq!(mastercom::guard::Clock::now_ms(&clock) - start, 60_000);
}

#[tokio::test]
async fn waiting_mode_refuses_when_the_window_opens_after_the_deadline() {
    let server = server(200).await;
    let clock = ManualClock::new(1_790_000_000_000);
    let client = waiting_client(&server, Arc::new(clock.clone()), Duration::from_secs(10));
    let _ = call(&client, "create_chargeback", CLAIM, 0, json!({})).await;
    let before = mastercom::guard::Clock::now_ms(&clock);
    let error = call(&client, "create_chargeback", CLAIM, 1, json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        support::failure(&error),
        Failure::Refused(RefusalReason::Duplicate)
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    assert_eq!(
        mastercom::guard::Clock::now_ms(&clock),
        before,
        "no time spent waiting in vain"
    );
    assert_eq!(server.seen().len(), 1);
}
