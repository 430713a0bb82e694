#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A `with_middleware(..)` middleware sees every call and every attempt in the documented order:
//! `on_request` after JWE encryption (it sees the encrypted body), `on_attempt`, `on_outcome`,
//! then `on_response` before decryption (response steps run in reverse order).

mod support;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use mastercard_transport::{CallContext, Middleware, MiddlewareError, Outcome};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use support::{Pki, Server, TRANSACTION_ID};

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
        _: &CallContext,
    ) -> Result<(), MiddlewareError> {
        let body = request
            .body()
            .and_then(|body| body.as_bytes())
            .unwrap_or_default();
        let plaintext = String::from_utf8_lossy(body).contains("merchantName");
        self.0
            .lock()
            .unwrap()
            .push(format!("request plaintext={plaintext}"));
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
        let plaintext = String::from_utf8_lossy(&body).contains(TRANSACTION_ID);
        self.0.lock().unwrap().push(format!(
            "response {} plaintext={plaintext}",
            status.as_u16()
        ));
        Ok(body)
    }
}

#[tokio::test]
async fn user_middleware_sees_every_call_in_order_around_encryption() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let recorder = Recorder::default();
    let client = pki
        .builder(&server)
        .with_middleware(recorder.clone())
        .build()
        .unwrap();

    for _ in 0..2 {
        let response = support::call(&client).await.unwrap();
        assert_eq!(response.id, TRANSACTION_ID);
    }

    let one_call = [
        "request plaintext=false",
        "attempt 200",
        "outcome 200",
        "response 200 plaintext=false",
    ];
    let expected: Vec<&str> = one_call.iter().chain(one_call.iter()).copied().collect();
    assert_eq!(*recorder.0.lock().unwrap(), expected);
    assert_eq!(server.seen().len(), 2);
}
