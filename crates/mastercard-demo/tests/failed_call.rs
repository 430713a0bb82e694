#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! What the demo's trace shows for a failed call: the HTTP status whenever an answer arrived
//! (a 500 with an HTML body included), "no answer" when none did.

use mastercard_demo::lifecycle::walk;
use mastercard_demo::{Outcome, Trace};
use mastercard_testkit::hostile::{HostileServer, Mode};
use mastercom::MastercomClient;

#[tokio::test]
async fn a_failed_first_call_shows_its_status_or_no_answer() {
    let key = mastercard_testkit::pki::rsa(2048)
        .private_key_to_pem_pkcs8()
        .unwrap();
    for (mode, expected) in [
        (Mode::Html { status: 500 }, Outcome::Status(500)),
        (Mode::Html { status: 404 }, Outcome::Status(404)),
        (Mode::ResetAfterRequest, Outcome::NoAnswer),
    ] {
        let server = HostileServer::start(mode).await;
        let client = MastercomClient::builder()
            .dispute_event_ledger_memory()
            .base_url(server.url("/mastercom"))
            .consumer_key("demo-consumer-key")
            .signing_key_pem(key.clone())
            .retry(mastercom::retry::RetryConfig {
                max_attempts: 1,
                ..Default::default()
            })
            .build()
            .unwrap();
        let mut trace = Trace::silent();
        assert!(walk(&client, &mut trace).await.is_err());
        let first = &trace.steps()[0];
        assert_eq!(first.operation, "transactionSearch");
        assert_eq!(first.outcome, expected);
    }
}
