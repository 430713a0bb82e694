#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Optional OAuth1 signing: encrypt first, then sign the ciphertext (Mastercard's interceptor
//! order). The testkit's verifying mock (`mastercard_testkit::signed`) checks each signature over
//! the exact bytes received with the workspace's verifier, then the test decrypts them. Signing
//! with RSA-PSS, and through a `SignatureProvider` (the testkit's, written against the public
//! trait only) instead of a local key.

mod support;

use std::sync::Arc;

use identity_insights::{BuildError, Delivery, ErrorKind, ProviderError, SignatureMethod};
use mastercard_keys::PrivateKey;
use mastercard_testkit::providers::{ExternalProvider, FailingProvider, KmsUnavailable};
use mastercard_testkit::signed::{SignedServer, test_key};
use serde_json::Value;
use support::Pki;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CONSUMER_KEY: &str = "iit-consumer-key!abc";

/// Answers (a request whose signature already verified) 200 with encrypted insights only if it
/// is the insights POST and its body is the JWE envelope of the expected request; 400 with the
/// reason otherwise.
fn answer_the_encrypted_request(request: &wiremock::Request) -> ResponseTemplate {
    if request.method.as_str() != "POST" || request.url.path() != "/identity/transactions" {
        return ResponseTemplate::new(400).set_body_string("not the insights POST");
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

/// A client for a mock server at `uri`, over plain HTTP on loopback, with the test PKI's JWE
/// keys.
fn builder(uri: &str) -> identity_insights::IdentityInsightsClientBuilder {
    let pki = Pki::shared();
    identity_insights::IdentityInsightsClient::builder()
        .base_url(format!("{uri}/identity"))
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
}

/// The testkit's verifying server checks each signature over the exact bytes received (the
/// ciphertext) before the answer above decrypts them.
#[tokio::test]
async fn the_signature_covers_the_encrypted_body() {
    let server = SignedServer::start_with(test_key(), CONSUMER_KEY, |request, _| {
        answer_the_encrypted_request(request)
    })
    .await;
    let signing = PrivateKey::from_pkey(server.key.key.clone()).unwrap();
    let client = builder(&server.uri())
        .oauth1_signing(CONSUMER_KEY, signing)
        .build()
        .unwrap();

    // Twice: each request gets its own nonce, or the verifier would refuse the replay.
    for _ in 0..2 {
        let insights = support::call(&client).await.unwrap();
        assert_eq!(insights.id, support::TRANSACTION_ID);
    }
    assert_eq!(server.seen().len(), 2);
    server.assert_all_verified();
    let nonces: Vec<_> = server.seen().into_iter().map(|seen| seen.nonce).collect();
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn without_oauth1_signing_nothing_is_signed() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = builder(&server.uri()).build().unwrap();

    let _ = support::call(&client).await;

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].headers.get("authorization").is_none());
}

/// A verifying server for the insights POST, with a fresh key and [`CONSUMER_KEY`].
async fn verifying_server() -> SignedServer {
    SignedServer::start_with(test_key(), CONSUMER_KEY, |request, _| {
        answer_the_encrypted_request(request)
    })
    .await
}

#[tokio::test]
async fn rsa_pss_signatures_with_a_local_key_verify() {
    let server = verifying_server().await;
    let signing = PrivateKey::from_pkey(server.key.key.clone()).unwrap();
    let client = builder(&server.uri())
        .oauth1_signing(CONSUMER_KEY, signing)
        .oauth1_signature_method(SignatureMethod::RsaPss)
        .build()
        .unwrap();

    for _ in 0..2 {
        let insights = support::call(&client).await.unwrap();
        assert_eq!(insights.id, support::TRANSACTION_ID);
    }
    server.assert_all_verified();
    let methods: Vec<_> = server
        .seen()
        .into_iter()
        .map(|seen| seen.signature_method)
        .collect();
    assert_eq!(methods, vec![Some(SignatureMethod::RsaPss); 2]);
}

#[tokio::test]
async fn a_signature_provider_signs_with_both_methods() {
    for method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
        let server = verifying_server().await;
        let provider = Arc::new(ExternalProvider::new(server.key.key.clone()));
        let client = builder(&server.uri())
            .oauth1_signature_provider(CONSUMER_KEY, provider.clone())
            .oauth1_signature_method(method)
            .build()
            .unwrap();

        let insights = support::call(&client).await.unwrap();
        assert_eq!(insights.id, support::TRANSACTION_ID, "{method}");
        server.assert_all_verified();
        assert_eq!(server.seen()[0].signature_method, Some(method));
        assert_eq!(provider.count(), 1, "{method}");
    }
}

#[tokio::test]
async fn a_failing_provider_fails_the_call_as_not_sent() {
    let server = verifying_server().await;
    let provider = Arc::new(FailingProvider::default());
    let client = builder(&server.uri())
        .oauth1_signature_provider(CONSUMER_KEY, provider.clone())
        .oauth1_signature_method(SignatureMethod::RsaPss)
        .build()
        .unwrap();

    let error = support::call(&client).await.unwrap_err();

    assert_eq!(error.delivery(), Delivery::NotSent);
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.find_source::<KmsUnavailable>().is_some(), "{error:?}");
    assert!(error.find_source::<ProviderError>().is_some());
    assert_eq!(provider.count(), 1);
    // Nothing reached the server.
    assert!(server.seen().is_empty());
    assert!(server.server.received_requests().await.unwrap().is_empty());
}

#[test]
fn oauth1_settings_that_contradict_each_other_fail_the_build() {
    let signing = PrivateKey::from_pkey(test_key().key).unwrap();
    let base = || builder("http://127.0.0.1:9");
    let both = base()
        .oauth1_signing(CONSUMER_KEY, signing)
        .oauth1_signature_provider(CONSUMER_KEY, Arc::new(FailingProvider::default()))
        .build()
        .unwrap_err();
    assert!(
        matches!(both, BuildError::ConflictingOAuth1Keys),
        "{both:?}"
    );

    let method_alone = base()
        .oauth1_signature_method(SignatureMethod::RsaPss)
        .build()
        .unwrap_err();
    assert!(
        matches!(method_alone, BuildError::Missing(_)),
        "{method_alone:?}"
    );
    assert!(method_alone.to_string().contains("oauth1_signature_method"));

    let debug = format!(
        "{:?}",
        base().oauth1_signature_provider(CONSUMER_KEY, Arc::new(FailingProvider::default()))
    );
    assert!(debug.contains(FailingProvider::KEY_ID), "{debug}");
}
