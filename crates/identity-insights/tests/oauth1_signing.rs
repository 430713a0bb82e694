#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Optional OAuth1 signing: encrypt first, then sign the ciphertext (Mastercard's interceptor
//! order). A wiremock server verifies each signature over the exact bytes received with the
//! workspace's verifier, then decrypts them.

mod support;

use mastercard_keys::PublicKey;
use mastercard_oauth1::{Request, Verifier};
use mastercard_testkit::pki::Validity;
use serde_json::Value;
use support::{Kind, Pki, issue};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

const CONSUMER_KEY: &str = "iit-consumer-key!abc";

/// Answers 200 with encrypted insights only if the signature covers the body as received and
/// that body is the JWE envelope of the expected request; 401/400 otherwise, with the reason.
struct VerifyThenAnswer {
    verifier: Verifier,
}

impl Respond for VerifyThenAnswer {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let authorization = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        // The URL as the client addressed it (wiremock's own `url` does not keep the port).
        let host = request
            .headers
            .get("host")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let url = format!("http://{host}{}", request.url.path());
        let signed = Request::new("POST", &url, &request.body);
        if let Err(error) = self.verifier.verify(&signed, authorization) {
            return ResponseTemplate::new(401).set_body_string(error.to_string());
        }
        let pki = Pki::shared();
        let envelope: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let is_envelope = envelope
            .as_object()
            .is_some_and(|fields| fields.len() == 1 && fields.contains_key("encryptedData"));
        let decrypted = pki.server_jwe_config().decrypt_payload(&request.body);
        match decrypted {
            Ok(plaintext)
                if is_envelope
                    && serde_json::from_slice::<Value>(&plaintext).ok()
                        == Some(support::request_json()) =>
            {
                let body = serde_json::to_vec(&support::insights_json()).unwrap();
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/json")
                    .set_body_bytes(pki.server_jwe_config().encrypt_payload(&body).unwrap())
            }
            _ => ResponseTemplate::new(400).set_body_string("not the encrypted request"),
        }
    }
}

/// A client for the mock server, over plain HTTP on loopback, with the test PKI's JWE keys.
fn builder(server: &MockServer) -> identity_insights::IdentityInsightsClientBuilder {
    let pki = Pki::shared();
    identity_insights::IdentityInsightsClient::builder()
        .base_url(format!("{}/identity", server.uri()))
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
}

#[tokio::test]
async fn the_signature_covers_the_encrypted_body() {
    let signing = issue("oauth1", Kind::Client, None, Validity::CURRENT);
    let server = MockServer::start().await;
    let verifier = Verifier::new(PublicKey::from_private_key(&signing.private_key()).unwrap())
        .with_consumer_key(CONSUMER_KEY);
    Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/identity/transactions"))
        .respond_with(VerifyThenAnswer { verifier })
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server)
        .oauth1_signing(CONSUMER_KEY, signing.private_key())
        .build()
        .unwrap();

    // Twice: each request gets its own nonce, or the verifier would refuse the replay.
    for _ in 0..2 {
        let insights = support::call(&client).await.unwrap();
        assert_eq!(insights.id, support::TRANSACTION_ID);
    }
}

#[tokio::test]
async fn without_oauth1_signing_nothing_is_signed() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();

    let _ = support::call(&client).await;

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].headers.get("authorization").is_none());
}
