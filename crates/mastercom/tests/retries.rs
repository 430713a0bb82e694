#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Automatic retries: only safe operations, honouring `Retry-After`, re-signed on every attempt.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use mastercom::Delivery;
use mastercom::retry::RetryConfig;
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

/// 503 with `Retry-After: 0` for the first two requests, then 200.
async fn flaky_server() -> SignedServer {
    SignedServer::start(|_, index| {
        if index < 2 {
            ResponseTemplate::new(503).insert_header("Retry-After", "0")
        } else {
            ResponseTemplate::new(200).set_body_json(json!({}))
        }
    })
    .await
}

fn fast_retries() -> RetryConfig {
    RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryConfig::default()
    }
}

#[tokio::test]
async fn safe_get_is_retried_and_re_signed() {
    let server = flaky_server().await;
    let client = server.builder().retry(fast_retries()).build().unwrap();
    let result = client.get_claim_detail(CLAIM).await;
    assert!(result.is_ok(), "{:?}", result.err());
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    server.assert_all_verified();
    let nonces: BTreeSet<_> = seen
        .iter()
        .map(|request| request.nonce.clone().unwrap())
        .collect();
    assert_eq!(nonces.len(), 3, "every attempt has a fresh nonce");
}

#[tokio::test]
async fn read_only_put_is_retried() {
    let server = flaky_server().await;
    let client = server.builder().retry(fast_retries()).build().unwrap();
    let body = support::body("ChargebackStatusRequest");
    let _ = client.retrieve_chargeback_status(&body).await;
    assert_eq!(server.seen().len(), 3);
    server.assert_all_verified();
    // The body is sent unchanged each time.
    let bodies: BTreeSet<_> = server
        .seen()
        .into_iter()
        .map(|request| request.body)
        .collect();
    assert_eq!(bodies.len(), 1);
}

/// The call's total timeout bounds all attempts together: with room for ten attempts of a
/// slow 503, the call still ends near its 1 s budget.
#[tokio::test]
async fn the_total_timeout_bounds_the_retries_not_each_attempt() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(503)
            .insert_header("Retry-After", "0")
            .set_delay(Duration::from_millis(400))
    })
    .await;
    let client = server
        .builder()
        .retry(RetryConfig {
            max_attempts: 10,
            ..fast_retries()
        })
        .timeouts(mastercom::Timeouts {
            total: Duration::from_secs(1),
            ..Default::default()
        })
        .build()
        .unwrap();
    let started = std::time::Instant::now();

    let error = client.get_claim_detail(CLAIM).await.unwrap_err();

    let elapsed = started.elapsed();
    // Per-attempt timeouts would allow 10 × 400 ms; one budget ends it after about 1 s.
    assert!(
        elapsed < Duration::from_millis(2500),
        "{elapsed:?} ({error})"
    );
    let attempts = server.seen().len();
    assert!((2..=3).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn retries_are_bounded() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(503).insert_header("Retry-After", "0"))
            .await;
    let client = server.builder().retry(fast_retries()).build().unwrap();
    let error = client.get_queues().await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 503);
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn event_creating_operation_is_not_retried() {
    let server = flaky_server().await;
    let client = server.builder().retry(fast_retries()).build().unwrap();
    let body = support::body("CreateChargebackRequest");
    let error = client.create_chargeback(CLAIM, &body).await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 503);
    assert_eq!(error.delivery(), Delivery::Received);
    assert_eq!(
        server.seen().len(),
        1,
        "a dispute event is never resent by the client"
    );
}

#[tokio::test]
async fn acknowledgement_is_not_retried() {
    let server = flaky_server().await;
    let client = server.builder().retry(fast_retries()).build().unwrap();
    let body = support::body("ChargebackMarkProcessedRequest");
    let _ = client.acknowledge_chargebacks(&body).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn retry_list_excludes_every_event_creating_operation() {
    let retried: Vec<_> = mastercom::policy::retryable_operations().collect();
    for operation in mastercom::OPERATIONS {
        if mastercom::guard::is_event_creating(operation.rust_name) {
            assert!(
                !retried.contains(&operation.rust_name),
                "{}",
                operation.rust_name
            );
        }
    }
    assert!(retried.contains(&"transaction_search"));
}
