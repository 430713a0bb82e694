#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The typed client against a real rustls server on 127.0.0.1 that requires a client
//! certificate and speaks Mastercard's JWE envelope. Certificates and keys are generated per
//! test with OpenSSL.

mod support;

use identity_insights::{BuildError, Delivery, Error, ErrorKind, IdentityInsightsClient};
use mastercard_transport::HttpConfigError;
use mastercard_transport::tls::TlsError;
use support::{CORRELATION_ID, Kind, Pki, Server, TRANSACTION_ID};

use mastercard_testkit::pki::Validity;

#[tokio::test]
async fn encrypted_round_trip_over_mutual_tls() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = pki.builder(&server).build().unwrap();

    let response = support::call(&client).await.unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.correlation_id(), Some(CORRELATION_ID));
    let insights = response.into_inner();
    assert_eq!(insights.id, TRANSACTION_ID);
    let device = insights.device_insights.unwrap();
    assert_eq!(device.device_info.unwrap().browser, "Chrome");
    let scores = insights.individual_insights.unwrap().scores.unwrap();
    let identity_risk = scores.identity_risk.unwrap();
    assert_eq!(identity_risk.score, Some(120));
    assert_eq!(identity_risk.reason_code.as_deref(), Some("RA"));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].kid, pki.expected_kid());
    assert_eq!(seen[0].plaintext, support::request_json());
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(server.handshakes(), 1);
}

#[tokio::test]
async fn pkcs12_identity_round_trip() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("client.p12");
    let container = mastercard_testkit::pki::pkcs12(
        &pki.client.key,
        &pki.client.cert,
        &[],
        "iit",
        "keystore-pass",
    );
    std::fs::write(&path, container).unwrap();

    let client = pki
        .builder(&server)
        .client_identity_pkcs12(&path, Some("iit"), "keystore-pass")
        .build()
        .unwrap();
    let response = support::call(&client).await.unwrap();
    assert_eq!(response.id, TRANSACTION_ID);

    let wrong = pki
        .builder(&server)
        .client_identity_pkcs12(&path, Some("iit"), "not-the-password")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            wrong,
            BuildError::HttpClient(HttpConfigError::Tls(TlsError::Key(
                mastercard_keys::KeyError::WrongPassword
            )))
        ),
        "{wrong:?}"
    );
    let missing = pki
        .builder(&server)
        .client_identity_pkcs12(dir.path().join("absent.p12"), None, "x")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            missing,
            BuildError::HttpClient(HttpConfigError::Tls(TlsError::Key(
                mastercard_keys::KeyError::Unreadable { .. }
            )))
        ),
        "{missing:?}"
    );
}

/// Calls `server` with `client`: the handshake must be refused and the error must say the
/// request was not sent.
async fn assert_refused_not_sent(server: &Server, client: IdentityInsightsClient) {
    let error = support::call(&client).await.unwrap_err();
    assert!(!error.request_may_have_been_sent(), "{error:?}");
    assert_eq!(
        (error.kind(), error.delivery()),
        (ErrorKind::Tls, Delivery::NotSent),
        "{error:?}"
    );
    assert!(error.to_string().contains("[not sent]"), "{error}");
    assert_eq!(server.handshakes(), 0);
    assert!(server.seen().is_empty());
}

/// The error of one call to a server that answers with `respond`.
async fn error_answering(respond: std::sync::Arc<support::Responder>) -> Error {
    let pki = Pki::shared();
    let server = Server::start(pki, respond).await;
    let client = pki.builder(&server).build().unwrap();
    let error = support::call(&client).await.unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error:?}");
    error
}

#[tokio::test]
async fn handshake_without_client_certificate_is_refused_and_not_sent() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = IdentityInsightsClient::builder()
        .base_url(server.base_url())
        .trust_roots(mastercard_transport::tls::TrustRoots::from_pem(&pki.ca.cert_pem()).unwrap())
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .build()
        .unwrap();

    assert_refused_not_sent(&server, client).await;
}

#[tokio::test]
async fn client_certificate_from_another_ca_is_refused_and_not_sent() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let other_ca = support::issue("Other CA", Kind::Ca, None, Validity::CURRENT);
    let stranger = support::issue(
        "iit-client",
        Kind::Client,
        Some(&other_ca),
        Validity::CURRENT,
    );
    let client = pki
        .builder(&server)
        .client_identity_pem(stranger.cert_pem(), stranger.key_pem())
        .build()
        .unwrap();

    assert_refused_not_sent(&server, client).await;
}

#[tokio::test]
async fn one_handshake_serves_many_sequential_requests() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = pki.builder(&server).build().unwrap();

    for _ in 0..20 {
        let response = support::call(&client).await.unwrap();
        assert_eq!(response.id, TRANSACTION_ID);
    }

    assert_eq!(server.seen().len(), 20);
    assert_eq!(server.connections(), 1);
    assert_eq!(server.handshakes(), 1);
}

#[tokio::test]
async fn plaintext_error_body_is_typed() {
    let body = br#"{"Errors":{"Error":[{"Source":"IIT","ReasonCode":"VALIDATION_ERROR","Description":"Invalid Format","Recoverable":false,"Details":"purchaseDate, ipAddress"}]}}"#;
    let error = error_answering(support::plain(400, body)).await;

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().unwrap(), 400);
    let errors = error.mastercard_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].source.as_deref(), Some("IIT"));
    assert_eq!(errors[0].reason_code.as_deref(), Some("VALIDATION_ERROR"));
    assert_eq!(errors[0].description.as_deref(), Some("Invalid Format"));
    assert!(!errors[0].recoverable);
    assert_eq!(
        errors[0].details,
        vec![(None, Some("purchaseDate, ipAddress".to_owned()))]
    );
    assert_eq!(error.raw_body(), Some(&body[..]));
    assert_eq!(error.correlation_id(), Some(CORRELATION_ID));
}

#[tokio::test]
async fn server_error_with_mastercard_body_is_typed() {
    let body = br#"{"Errors":{"Error":[{"Source":"IIT","ReasonCode":"SYSTEM_ERROR","Description":"Transient System Failure","Recoverable":true,"Details":null}]}}"#;
    let error = error_answering(support::plain(503, body)).await;

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().unwrap(), 503);
    let errors = error.mastercard_errors();
    assert!(errors[0].recoverable);
    assert!(errors[0].details.is_empty());
}

#[tokio::test]
async fn response_encrypted_for_another_key_is_a_decryption_error() {
    let someone_else = support::issue("someone-else", Kind::Client, None, Validity::CURRENT);
    let config = Pki::shared().jwe_config_for(&someone_else.certificate());
    let error = error_answering(support::encrypted_insights(config)).await;

    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert_eq!(error.delivery(), Delivery::Received);
    assert!(error.jwe_error().is_some(), "{error:?}");
    assert_eq!(error.status().unwrap(), 200);
    assert_eq!(error.correlation_id(), Some(CORRELATION_ID));
}

#[tokio::test]
async fn body_that_is_not_json_is_an_invalid_response() {
    let error = error_answering(support::plain(200, b"<html>Gateway says hello</html>")).await;

    // Not an encrypted envelope: refused as such, never typed as insights.
    assert_eq!(error.kind(), ErrorKind::InvalidResponse);
    assert!(
        error
            .find_source::<identity_insights::UnencryptedResponse>()
            .is_some(),
        "{error:?}"
    );
    assert_eq!(error.status().unwrap(), 200);
    assert_eq!(error.correlation_id(), Some(CORRELATION_ID));
    assert!(!error.to_string().contains("Gateway says hello"), "{error}");
}

#[tokio::test]
async fn expired_client_certificate_fails_before_any_request() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let expired = support::issue("iit-client", Kind::Client, Some(&pki.ca), Validity::EXPIRED);

    let error = pki
        .builder(&server)
        .client_identity_pem(expired.cert_pem(), expired.key_pem())
        .build()
        .unwrap_err();

    assert!(
        matches!(
            error,
            BuildError::HttpClient(HttpConfigError::Tls(TlsError::CertificateExpired { .. }))
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("expired"), "{error}");
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn certificate_and_key_that_do_not_match_fail_at_build() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;

    let error = pki
        .builder(&server)
        .client_identity_pem(pki.client.cert_pem(), pki.server.key_pem())
        .build()
        .unwrap_err();

    assert!(
        matches!(
            error,
            BuildError::HttpClient(HttpConfigError::Tls(
                TlsError::CertificateKeyMismatch { .. }
            ))
        ),
        "{error:?}"
    );
    let unreadable = pki
        .builder(&server)
        .client_identity_pem(
            pki.client.cert_pem(),
            b"-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n".to_vec(),
        )
        .build()
        .unwrap_err();
    assert!(
        matches!(
            unreadable,
            BuildError::HttpClient(HttpConfigError::Tls(TlsError::Key(_)))
        ),
        "{unreadable:?}"
    );
    assert_eq!(server.connections(), 0);
}

#[tokio::test]
async fn debug_output_contains_no_key_material() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let key_pem = String::from_utf8(pki.client.key_pem()).unwrap();
    let key_line = key_pem.lines().nth(1).unwrap().to_owned();
    let builder = pki.builder(&server).client_identity_pkcs12(
        "/nonexistent/client.p12",
        Some("iit"),
        "hunter2-password",
    );
    let with_pem = pki.builder(&server);
    let client = pki.builder(&server).build().unwrap();

    for debug in [
        format!("{builder:?}"),
        format!("{with_pem:?}"),
        format!("{client:?}"),
        format!("{:?}", client.api()),
    ] {
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        assert!(!debug.contains(&key_line), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }
    assert!(format!("{with_pem:?}").contains("redacted"));
}
