#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A `with_middleware(..)` middleware sees every call and every attempt, in the documented order:
//! `on_request` once per call (after signing), `on_attempt` per attempt, `on_outcome` once,
//! then `on_response`.

mod support;

use std::time::Duration;

use mastercard_testkit::recorder::Recorder;
use mastercom::retry::RetryConfig;
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

/// Records the operation and whether the request it is shown is already signed.
fn recorder() -> Recorder {
    Recorder::new(
        |request, call| {
            let signed = request
                .headers()
                .get("authorization")
                .is_some_and(|value| value.as_bytes().starts_with(b"OAuth "));
            format!("request {} signed={signed}", call.operation())
        },
        |status, _| format!("response {}", status.as_u16()),
    )
}

#[tokio::test]
async fn user_middleware_sees_every_call_and_attempt_in_order() {
    let server = SignedServer::start(|_, index| {
        if index < 2 {
            ResponseTemplate::new(503).insert_header("Retry-After", "0")
        } else {
            ResponseTemplate::new(200).set_body_json(json!({}))
        }
    })
    .await;
    let recorder = recorder();
    let client = server
        .builder()
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            ..RetryConfig::default()
        })
        .with_middleware(recorder.clone())
        .build()
        .unwrap();

    client.get_claim_detail(CLAIM).await.unwrap();
    client.get_claim_detail(CLAIM).await.unwrap();

    let operation = "get_claim_detail";
    let events = recorder.events();
    let first = [
        format!("request {operation} signed=true"),
        "attempt 503".into(),
        "attempt 503".into(),
        "attempt 200".into(),
        "outcome 200".into(),
        "response 200".into(),
    ];
    let second = [
        format!("request {operation} signed=true"),
        "attempt 200".into(),
        "outcome 200".into(),
        "response 200".into(),
    ];
    let expected: Vec<String> = first.into_iter().chain(second).collect();
    assert_eq!(events, expected);
    assert_eq!(server.seen().len(), 4);
    server.assert_all_verified();
}
