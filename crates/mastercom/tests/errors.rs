#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Typed errors: both Mastercard error shapes, and whether a failed request may have been sent.

mod support;

use std::time::Duration;

use mastercom::{Delivery, ErrorKind};
use serde_json::json;
use support::{SignedServer, closing_server, refused_url, short_timeouts, silent_server};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";
const PAN: &str = "5555555555554444";

fn spec_shape() -> serde_json::Value {
    json!({"Errors": [{
        "Source": "Mastercom",
        "ReasonCode": "INVALID_CLAIM",
        "Description": format!("Claim not found for card {PAN}"),
        "Recoverable": false,
        "RequestId": "req-123",
        "Details": [{"Name": "claimId", "Value": CLAIM}]
    }]})
}

#[tokio::test]
async fn spec_shaped_error_body_is_typed_with_correlation_id() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(404)
            .insert_header("correlation-id", "corr-abc")
            .set_body_json(spec_shape())
    })
    .await;
    let client = server.builder().build().unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.delivery(), Delivery::Received);
    assert_eq!(error.status().unwrap().as_u16(), 404);
    assert_eq!(error.correlation_id(), Some("corr-abc"));
    let entry = &error.mastercard_errors()[0];
    assert_eq!(entry.source.as_deref(), Some("Mastercom"));
    assert_eq!(entry.reason_code.as_deref(), Some("INVALID_CLAIM"));
    assert!(!entry.recoverable);
    assert_eq!(entry.request_id.as_deref(), Some("req-123"));
    assert_eq!(
        entry.details,
        vec![(Some("claimId".into()), Some(CLAIM.into()))]
    );
    assert!(String::from_utf8_lossy(error.raw_body().unwrap()).contains("INVALID_CLAIM"));
    // Display and Debug carry the reason, never the card number or the body.
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("INVALID_CLAIM"), "{shown}");
    assert!(!shown.contains(PAN), "{shown}");
    server.assert_all_verified();
}

#[tokio::test]
async fn gateway_shaped_error_body_is_typed_too() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(401)
            .insert_header("X-MC-Correlation-ID", "gw-corr-1")
            .set_body_json(json!({"Errors": {"Error": [{
                "Source": "OAuth.ConsumerKey",
                "ReasonCode": "INVALID_CLIENT_ID",
                "Description": "Something went wrong",
                "Recoverable": false,
                "Details": null
            }]}}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().unwrap().as_u16(), 401);
    assert_eq!(error.correlation_id(), Some("gw-corr-1"));
    assert_eq!(
        error.mastercard_errors()[0].reason_code.as_deref(),
        Some("INVALID_CLIENT_ID")
    );
    assert_eq!(
        error.mastercard_errors()[0].source.as_deref(),
        Some("OAuth.ConsumerKey")
    );
}

/// The raw body is the bytes received, not the normalised or typed form: field order, spacing
/// and fields the spec does not know all survive, for both shapes and for an undocumented status.
#[tokio::test]
async fn raw_body_is_the_bytes_received() {
    const SPEC_SHAPE: &[u8] = br#"{ "Errors": [ {"ReasonCode":"INVALID_CLAIM", "Source":"Mastercom", "Unknown": {"x": 1}} ] }"#;
    const GATEWAY_SHAPE: &[u8] =
        br#"{"Errors":{"Error":[{"Source":"Gateway","ReasonCode":"SYSTEM_ERROR","Recoverable":true,"Extra":"kept"}]}}"#;
    for (status, body) in [
        (404, SPEC_SHAPE),
        (401, GATEWAY_SHAPE),
        (502, GATEWAY_SHAPE),
    ] {
        let server = SignedServer::start(move |_, _| {
            ResponseTemplate::new(status).set_body_raw(body, "application/json")
        })
        .await;
        let client = server
            .builder()
            .retry(mastercom::retry::RetryConfig {
                max_attempts: 1,
                ..Default::default()
            })
            .build()
            .unwrap();
        let error = client.get_claim_detail(CLAIM).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(!error.mastercard_errors().is_empty(), "{status}: parsed");
        assert_eq!(error.raw_body(), Some(body), "{status}");
    }
}

#[tokio::test]
async fn undocumented_status_body_is_read() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(502).set_body_json(json!({"Errors": {"Error": {
            "Source": "Gateway", "ReasonCode": "SYSTEM_ERROR", "Recoverable": true
        }}}))
    })
    .await;
    // Retries off, so the one 502 is final.
    let client = server
        .builder()
        .retry(mastercom::retry::RetryConfig {
            max_attempts: 1,
            ..Default::default()
        })
        .build()
        .unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 502);
    assert_eq!(error.delivery(), Delivery::Received);
    assert!(error.is_recoverable());
    assert_eq!(
        error.mastercard_errors()[0].reason_code.as_deref(),
        Some("SYSTEM_ERROR")
    );
}

#[tokio::test]
async fn body_that_is_not_json_is_an_invalid_response_with_raw_body() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_string("<html>oops</html>"))
            .await;
    let client = server.builder().build().unwrap();
    let error = client.healthcheck().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(error.request_may_have_been_sent());
    assert_eq!(error.raw_body(), Some(&b"<html>oops</html>"[..]));
    assert!(!error.to_string().contains("oops"));
}

fn builder_for(url: &str, key: &support::TestKey) -> mastercom::MastercomClientBuilder {
    support::loopback_builder(url, &key.pem)
        .timeouts(short_timeouts(Duration::from_millis(400)))
        .retry(mastercom::retry::RetryConfig {
            max_attempts: 1,
            ..Default::default()
        })
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let key = support::test_key();
    let client = builder_for(&refused_url().await, &key).build().unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!error.request_may_have_been_sent());
}

#[tokio::test]
async fn connection_closed_after_sending_may_have_been_sent() {
    let key = support::test_key();
    let (url, connections) = closing_server().await;
    let client = builder_for(&url, &key).build().unwrap();
    let body = support::body("CreateChargebackRequest");
    let error = client.create_chargeback(CLAIM, &body).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionLost);
    assert_eq!(error.delivery(), Delivery::MayHaveBeenSent);
    assert!(error.to_string().contains("check the claim"), "{error}");
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn server_that_never_answers_times_out_and_may_have_been_sent() {
    let key = support::test_key();
    let (url, connections) = silent_server().await;
    let client = builder_for(&url, &key).build().unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.delivery(), Delivery::MayHaveBeenSent);
    assert_eq!(*connections.lock().unwrap(), 1);
}

#[tokio::test]
async fn server_error_was_received() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(500).set_body_json(spec_shape())).await;
    let client = server.builder().build().unwrap();
    let body = support::body("CreateChargebackRequest");
    let error = client.create_chargeback(CLAIM, &body).await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 500);
    assert!(error.request_may_have_been_sent());
    assert_eq!(error.delivery(), Delivery::Received);
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_client_setting() {
    let key = support::test_key();
    let (url, _connections) = silent_server().await;
    // The client would wait a minute; this one call gives up after 200 ms.
    let client = support::loopback_builder(&url, &key.pem)
        .timeouts(short_timeouts(Duration::from_secs(60)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let result = client
        .with_timeout(Duration::from_millis(200))
        .get_claim_detail(CLAIM)
        .await;
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
