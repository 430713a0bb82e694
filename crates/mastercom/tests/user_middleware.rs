#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A `with_middleware(..)` middleware sees every call and every attempt, in the documented order:
//! `on_request` once per call (after signing), `on_attempt` per attempt, `on_outcome` once,
//! then `on_response`.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use mastercard_transport::{CallContext, Middleware, MiddlewareError, Outcome};
use mastercom::retry::RetryConfig;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

fn outcome(outcome: &Outcome<'_>) -> String {
    match outcome {
        Outcome::Response { status, .. } => status.as_u16().to_string(),
        Outcome::Failed(_) => "failed".into(),
    }
}

impl Middleware for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    fn on_request(
        &self,
        request: &mut reqwest::Request,
        call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        let signed = request
            .headers()
            .get("authorization")
            .is_some_and(|value| value.as_bytes().starts_with(b"OAuth "));
        self.0
            .lock()
            .unwrap()
            .push(format!("request {} signed={signed}", call.operation()));
        Ok(())
    }
    fn on_attempt(&self, _: &reqwest::Request, result: &Outcome<'_>, _: &CallContext) {
        self.0
            .lock()
            .unwrap()
            .push(format!("attempt {}", outcome(result)));
    }
    fn on_outcome(&self, _: &reqwest::Request, result: &Outcome<'_>, _: &CallContext) {
        self.0
            .lock()
            .unwrap()
            .push(format!("outcome {}", outcome(result)));
    }
    fn on_response(
        &self,
        status: StatusCode,
        _: &mut HeaderMap,
        body: Bytes,
        _: &CallContext,
    ) -> Result<Bytes, MiddlewareError> {
        self.0
            .lock()
            .unwrap()
            .push(format!("response {}", status.as_u16()));
        Ok(body)
    }
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
    let recorder = Recorder::default();
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
    let events = recorder.0.lock().unwrap().clone();
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
