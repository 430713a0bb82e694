//! Mastercom's blind spot (its API basics: it "is unable to check for duplicate dispute events
//! if a customer sends multiple API calls with dispute events in less than a minute"): two
//! events of the same type on the same claim less than 60 s apart are both created; the same
//! event later is refused with Mastercom's error. The model's clock is injected, so the tests
//! step over the window without waiting.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use mastercard_sandbox::{DuplicateEvents, ManualClock};
use serde_json::{Value, json};
use support::Env;

async fn start() -> (Env, ManualClock) {
    let clock = ManualClock::starting_now();
    let env = support::start_with(|c| c.with_clock(Arc::new(clock.clone()))).await;
    (env, clock)
}

async fn new_claim(env: &Env) -> String {
    let reply = env
        .call("POST", "/v6/claims", Some(&json!({"claimType": "Standard",
            "clearingTransactionId": "CLR-0000000003", "disputedAmount": "980.10", "disputedCurrency": "EUR"})))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["claimId"].as_str().unwrap().to_owned()
}

fn chargeback(memo: &str) -> Value {
    json!({"chargebackType": "CHARGEBACK", "amount": "980.10", "currency": "EUR",
        "documentIndicator": "false", "reasonCode": "4853", "messageText": memo})
}

async fn chargebacks_on(env: &Env, claim: &str) -> usize {
    env.call("GET", &format!("/v6/claims/{claim}"), None)
        .await
        .body["chargebackDetails"]
        .as_array()
        .unwrap()
        .len()
}

/// The counts, read from the admin route (loopback only) and the handle; both must agree.
async fn counts(env: &Env) -> DuplicateEvents {
    let url = format!(
        "https://{}/__sandbox/duplicate-events",
        env.sandbox
            .mastercom_url
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap()
    );
    let route: Value = env
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let handle = env.sandbox.duplicate_events();
    assert_eq!(
        route,
        json!({"created": handle.created, "refused": handle.refused})
    );
    handle
}

#[tokio::test]
async fn same_type_events_less_than_60_seconds_apart_are_both_created() {
    let (env, clock) = start().await;
    let claim = new_claim(&env).await;
    let path = format!("/v6/claims/{claim}/chargebacks");
    assert_eq!(counts(&env).await, DuplicateEvents::default());

    // Not byte-identical (a different message text): still the same dispute event.
    let first = env.call("POST", &path, Some(&chargeback("first"))).await;
    clock.advance(Duration::from_secs(59));
    let second = env.call("POST", &path, Some(&chargeback("resent"))).await;
    assert_eq!((first.status, second.status), (200, 200), "{}", second.body);
    assert_ne!(first.body["chargebackId"], second.body["chargebackId"]);
    assert_eq!(
        chargebacks_on(&env, &claim).await,
        2,
        "Mastercom keeps both"
    );
    assert_eq!(
        counts(&env).await,
        DuplicateEvents {
            created: 1,
            refused: 0
        }
    );

    // Retrieval requests and reversals too.
    let retrievals = format!("/v6/claims/{claim}/retrievalrequests");
    let body = json!({"docNeeded": "2", "retrievalRequestReason": "6343"});
    assert_eq!(env.call("POST", &retrievals, Some(&body)).await.status, 200);
    clock.advance(Duration::from_secs(10));
    assert_eq!(env.call("POST", &retrievals, Some(&body)).await.status, 200);
    let cb = first.body["chargebackId"].as_str().unwrap();
    let reversal = format!("/v6/claims/{claim}/chargebacks/{cb}/reversal");
    assert_eq!(env.call("POST", &reversal, None).await.status, 200);
    assert_eq!(env.call("POST", &reversal, None).await.status, 200);
    assert_eq!(
        counts(&env).await,
        DuplicateEvents {
            created: 3,
            refused: 0
        }
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn the_same_event_60_seconds_later_is_refused_as_a_duplicate() {
    let (env, clock) = start().await;
    let claim = new_claim(&env).await;
    let path = format!("/v6/claims/{claim}/chargebacks");
    assert_eq!(
        env.call("POST", &path, Some(&chargeback("first")))
            .await
            .status,
        200
    );
    clock.advance(Duration::from_secs(60));
    let again = env.call("POST", &path, Some(&chargeback("first"))).await;
    assert_eq!(again.status, 400);
    let error = &again.body["Errors"][0];
    assert_eq!(error["Source"], "Mastercom");
    assert_eq!(error["ReasonCode"], "DUPLICATE_EVENT");
    assert_eq!(error["Recoverable"], false);
    assert_eq!(chargebacks_on(&env, &claim).await, 1);

    let cb = env
        .call("GET", &format!("/v6/claims/{claim}"), None)
        .await
        .body["chargebackDetails"][0]["chargebackId"]
        .as_str()
        .unwrap()
        .to_owned();
    let reversal = format!("/v6/claims/{claim}/chargebacks/{cb}/reversal");
    assert_eq!(env.call("POST", &reversal, None).await.status, 200);
    clock.advance(Duration::from_secs(61));
    let twice = env.call("POST", &reversal, None).await;
    assert_eq!(
        twice.body["Errors"][0]["ReasonCode"], "DUPLICATE_EVENT",
        "{}",
        twice.body
    );
    assert_eq!(
        counts(&env).await,
        DuplicateEvents {
            created: 0,
            refused: 2
        }
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_client_that_sends_each_event_once_creates_no_duplicate() {
    let (env, clock) = start().await;
    let claim = new_claim(&env).await;
    let path = format!("/v6/claims/{claim}/chargebacks");
    // Different events in quick succession (a chargeback, its second presentment, the
    // arbitration chargeback): none is a duplicate of another.
    assert_eq!(
        env.call("POST", &path, Some(&chargeback("cb")))
            .await
            .status,
        200
    );
    clock.advance(Duration::from_secs(1));
    let second = json!({"chargebackType": "SECOND_PRESENTMENT", "amount": "980.10", "currency": "EUR",
        "documentIndicator": "false", "reasonCode": "2700"});
    assert_eq!(env.call("POST", &path, Some(&second)).await.status, 200);
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        env.call("POST", &path, Some(&chargeback("arbitration")))
            .await
            .status,
        200
    );
    assert_eq!(chargebacks_on(&env, &claim).await, 3);
    assert_eq!(counts(&env).await, DuplicateEvents::default());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fees_fraud_reports_and_case_filings_follow_the_same_rule() {
    let (env, clock) = start().await;
    let claim = new_claim(&env).await;
    let fee = |reason: &str| {
        json!({"creditReceiver": false, "creditSender": true, "currency": "EUR",
            "destinationMember": "001234", "feeAmount": "10.00", "feeDate": "2024-07-22", "reason": reason})
    };
    let fees = format!("/v6/claims/{claim}/fee");
    assert_eq!(
        env.call("POST", &fees, Some(&fee("7600"))).await.status,
        200
    );
    clock.advance(Duration::from_secs(30));
    // The same reason inside the window: created again; another reason is another fee.
    assert_eq!(
        env.call("POST", &fees, Some(&fee("7600"))).await.status,
        200
    );
    assert_eq!(
        env.call("POST", &fees, Some(&fee("7601"))).await.status,
        200
    );
    assert_eq!(
        counts(&env).await,
        DuplicateEvents {
            created: 1,
            refused: 0
        }
    );
    clock.advance(Duration::from_secs(60));
    let refused = env.call("POST", &fees, Some(&fee("7600"))).await;
    assert_eq!(
        refused.body["Errors"][0]["ReasonCode"], "DUPLICATE_EVENT",
        "{}",
        refused.body
    );

    let fraud = format!("/v6/claims/{claim}/fraud/mastercard");
    let report = json!({"chgbkIndicator": "1", "cvcInvalidIndicator": "Y", "fraudType": "04",
        "reportDate": "2024-07-22", "subType": "N"});
    assert_eq!(env.call("POST", &fraud, Some(&report)).await.status, 200);
    clock.advance(Duration::from_secs(60));
    assert_eq!(env.call("POST", &fraud, Some(&report)).await.status, 400);

    let case = |refs: &[&str]| {
        json!({"caseType": "1", "chargebackReasonCode": "4863", "chargebackRefNum": refs,
            "currencyCode": "EUR", "disputeAmount": "980.10", "filedAgainstIca": "1234",
            "filingAs": "I", "filingIca": "5678", "memo": "pre-arbitration"})
    };
    assert_eq!(
        env.call("POST", "/v6/cases", Some(&case(&["111", "222"])))
            .await
            .status,
        200
    );
    clock.advance(Duration::from_secs(5));
    // The same chargebacks in another order: the same filing, inside the window.
    assert_eq!(
        env.call("POST", "/v6/cases", Some(&case(&["222", "111"])))
            .await
            .status,
        200
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        env.call("POST", "/v6/cases", Some(&case(&["111", "222"])))
            .await
            .status,
        400
    );
    assert_eq!(
        env.call("POST", "/v6/cases", Some(&case(&["333"])))
            .await
            .status,
        200
    );
    assert_eq!(
        counts(&env).await,
        DuplicateEvents {
            created: 2,
            refused: 3
        }
    );
    env.sandbox.shutdown().await;
}
