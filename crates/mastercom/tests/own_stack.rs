#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A user who assembles their own middleware stack around the generated client (instead of
//! `MastercomClientBuilder`) can still use the public guard, the signing step and the timeout
//! rule: the second identical chargeback is refused before it is sent, and the refusal is the
//! guard's typed value in the call's context.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mastercard_keys::PrivateKey;
use mastercard_oauth1::Signer;
use mastercard_transport::{
    CallContext, ConnectionReuse, HttpConfig, Middleware, MiddlewareError, OAuth1Signing, Problem,
    Transport,
};
use mastercom::guard::{
    DisputeEventGuard, GuardRefusal, GuardSettings, MemoryLedger, RefusalReason,
};
use serde_json::json;
use support::{CONSUMER_KEY, SignedServer};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

/// Records the deadline each request carries when it reaches the end of the stack.
#[derive(Default)]
struct DeadlineSeen(Mutex<Vec<Option<Duration>>>);

impl Middleware for DeadlineSeen {
    fn name(&self) -> &'static str {
        "deadline-seen"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        _call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        self.0.lock().unwrap().push(request.timeout().copied());
        Ok(())
    }
}

#[tokio::test]
async fn a_hand_assembled_stack_signs_guards_and_bounds_each_call() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200).set_body_json(json!({"chargebackId": "300018439680"}))
    })
    .await;
    let signer = Signer::new(CONSUMER_KEY, PrivateKey::from_pem(&server.key.pem).unwrap()).unwrap();
    let (_clock, clock) = support::manual_clock();
    let deadlines = Arc::new(DeadlineSeen::default());
    let transport = Transport::new()
        .with_operations(mastercom::OPERATIONS)
        .with_deadline(|_operation, _body_len| Duration::from_secs(10))
        .with(OAuth1Signing::new(signer))
        .with(DisputeEventGuard::new(
            Arc::new(MemoryLedger::new()),
            clock,
            GuardSettings::default(),
        ))
        .with_shared(deadlines.clone());
    // The shared configuration core builds the HTTP client (TLS roots, no redirects, limits);
    // the same `ConnectionReuse` goes to the client and the transport.
    let reuse = ConnectionReuse::new();
    let http = HttpConfig::new("own-stack-test")
        .build_client(None, &reuse)
        .unwrap();
    let transport = transport.with_connection_reuse(reuse);
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");

    let call = |context: &Arc<CallContext>| {
        mastercom::Client::new_with_client(
            &server.base_url(),
            http.clone(),
            transport.for_call(context.clone()),
        )
    };
    let first = Arc::new(CallContext::new("create_chargeback"));
    call(&first).create_chargeback(CLAIM, &body).await.unwrap();
    assert!(!first.has_failure());

    let second = Arc::new(CallContext::new("create_chargeback"));
    let error = call(&second)
        .create_chargeback(CLAIM, &body)
        .await
        .unwrap_err();
    // The generated client's own error names the step; the context holds the typed refusal.
    assert!(error.to_string().contains("dispute-event-guard"), "{error}");
    let failure = second.take_failure().expect("the refusal is recorded");
    assert_eq!(failure.step, "dispute-event-guard");
    let Problem::Refused(source) = failure.problem else {
        panic!("expected a refusal, got {:?}", failure.problem);
    };
    let refusal = source
        .downcast_ref::<GuardRefusal>()
        .expect("the guard's own value");
    assert_eq!(refusal.reason, RefusalReason::Duplicate);
    assert_eq!(second.observed().attempts, 0, "nothing was sent");

    // The first call passed the guard and carried the deadline rule's 10 s; the refused one
    // never reached the last step.
    assert_eq!(
        *deadlines.0.lock().unwrap(),
        [Some(Duration::from_secs(10))]
    );

    // One request reached the server, and it verified.
    assert_eq!(server.seen().len(), 1);
    server.assert_all_verified();
}
