#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A `with_middleware(..)` middleware sees every call and every attempt in the documented order:
//! `on_request` after JWE encryption (it sees the encrypted body), `on_attempt`, `on_outcome`,
//! then `on_response` before decryption (response steps run in reverse order).

mod support;

use mastercard_testkit::recorder::Recorder;
use support::{Pki, Server, TRANSACTION_ID};

/// Records whether the request body and the response body it is shown are plaintext.
fn recorder() -> Recorder {
    Recorder::new(
        |request, _| {
            let body = request
                .body()
                .and_then(|body| body.as_bytes())
                .unwrap_or_default();
            let plaintext = String::from_utf8_lossy(body).contains("merchantName");
            format!("request plaintext={plaintext}")
        },
        |status, body| {
            let plaintext = String::from_utf8_lossy(body).contains(TRANSACTION_ID);
            format!("response {} plaintext={plaintext}", status.as_u16())
        },
    )
}

#[tokio::test]
async fn user_middleware_sees_every_call_in_order_around_encryption() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let recorder = recorder();
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
    assert_eq!(recorder.events(), expected);
    assert_eq!(server.seen().len(), 2);
}
