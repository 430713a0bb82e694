#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! One error vocabulary for both clients: the same code reads `kind()`, `delivery()`, `status()`
//! and `correlation_id()` of a Mastercom error and of an Identity Insights error, for a refused
//! call, a 4xx with a Mastercard error body, a non-JSON 5xx, a timeout and a TLS failure.

mod support;

use std::sync::Arc;
use std::time::Duration;

use identity_insights::IdentityInsightsClient;
use mastercard_keys::{Certificate, PrivateKey};
use mastercard_transport::tls::TrustRoots;
use mastercard_transport::{
    CallContext, CallError, Delivery, ErrorKind, Middleware, MiddlewareError,
};
use mastercom::retry::RetryConfig;
use serde_json::json;
use support::SignedServer;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use wiremock::ResponseTemplate;

/// What any error of either client says, read through the shared accessors only.
#[derive(Debug, PartialEq, Eq)]
struct Vocabulary {
    kind: ErrorKind,
    delivery: Delivery,
    status: Option<u16>,
    correlation_id: Option<String>,
}

fn vocabulary(error: &CallError) -> Vocabulary {
    Vocabulary {
        kind: error.kind(),
        delivery: error.delivery(),
        status: error.status().map(|status| status.as_u16()),
        correlation_id: error.correlation_id().map(str::to_owned),
    }
}

fn expect(
    kind: ErrorKind,
    delivery: Delivery,
    status: Option<u16>,
    correlation_id: Option<&str>,
) -> Vocabulary {
    Vocabulary {
        kind,
        delivery,
        status,
        correlation_id: correlation_id.map(str::to_owned),
    }
}

const CLAIM: &str = "200002020654";
const CORRELATION: &str = "corr-0001";
const MASTERCOM_ERROR: &str = r#"{"Errors":[{"Source":"Mastercom","ReasonCode":"INVALID_CLAIM","Description":"bad claim","Recoverable":false}]}"#;
const GATEWAY_ERROR: &str = r#"{"Errors":{"Error":[{"Source":"IIT","ReasonCode":"VALIDATION_ERROR","Description":"Invalid Format","Recoverable":false,"Details":"mcc"}]}}"#;
const HTML: &str = "<html><body>502 Bad Gateway</body></html>";

fn once() -> RetryConfig {
    RetryConfig {
        max_attempts: 1,
        ..RetryConfig::default()
    }
}

/// An Identity Insights client for a plain-http loopback URL (no mTLS needed there), with
/// throwaway JWE keys.
fn iit_client(base_url: &str) -> identity_insights::IdentityInsightsClientBuilder {
    let (key, certificate) = mastercard_testkit::pki::key_and_self_signed("jwe");
    IdentityInsightsClient::builder()
        .base_url(base_url)
        .encryption_certificate(Certificate::from_pem(&certificate.to_pem().unwrap()).unwrap())
        .decryption_key(PrivateKey::from_pem(&key.private_key_to_pem_pkcs8().unwrap()).unwrap())
}

fn iit_request() -> identity_insights::types::TransactionInsightsData {
    serde_json::from_value(json!({
        "purchaseDate": "20220721173228", "purchaseAmount": "12345",
        "purchaseCurrencyExponent": "2", "purchaseCurrency": "840", "merchantName": "Acme Inc",
        "merchantCountryCode": "840", "mcc": "0742"
    }))
    .unwrap()
}

/// A server answering every request with `status`, `body` and a correlation id.
async fn answering(status: u16, body: &'static str) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("Correlation-Id", CORRELATION)
                .insert_header("X-MC-Correlation-ID", CORRELATION)
                .set_body_raw(body, "application/json"),
        )
        .mount(&server)
        .await;
    server
}

/// Reads requests and never answers.
async fn silent() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while stream.read(&mut buffer).await.is_ok_and(|read| read > 0) {}
            });
        }
    });
    format!("http://{address}")
}

/// A TLS server whose certificate no trust root of the clients vouches for.
async fn untrusted_tls() -> String {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let (key, certificate) = mastercard_testkit::pki::key_and_self_signed("localhost");
    let config =
        rustls::ServerConfig::builder_with_provider(mastercard_transport::tls::crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(certificate.to_der().unwrap())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    key.private_key_to_pkcs8().unwrap(),
                )),
            )
            .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    format!("https://localhost:{}", address.port())
}

/// Roots that trust some other CA only.
fn other_roots() -> TrustRoots {
    let (_, other) = mastercard_testkit::pki::key_and_self_signed("other-ca");
    TrustRoots::from_pem(&other.to_pem().unwrap()).unwrap()
}

/// A user middleware that refuses every request: the IIT counterpart of the guard's refusal.
struct RefuseEverything;

#[derive(Debug)]
struct Refusal;

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by policy")
    }
}

impl std::error::Error for Refusal {}

impl Middleware for RefuseEverything {
    fn name(&self) -> &'static str {
        "refuse-everything"
    }

    fn on_request(
        &self,
        _request: &mut reqwest::Request,
        _call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        Err(MiddlewareError::refused(Refusal))
    }
}

#[tokio::test]
async fn the_same_accessors_describe_both_clients_errors() {
    let mut seen = Vec::new();

    // A refused call: Mastercom's guard keeps the same chargeback off the wire; for IIT, a user
    // middleware refuses.
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200).set_body_json(json!({"chargebackId": "300018439680"}))
    })
    .await;
    let mastercom = server
        .builder()
        .dispute_event_ledger_memory()
        .build()
        .unwrap();
    let chargeback: mastercom::types::CreateChargebackRequest =
        support::body("CreateChargebackRequest");
    mastercom
        .create_chargeback(CLAIM, &chargeback)
        .await
        .unwrap();
    let error = mastercom
        .create_chargeback(CLAIM, &chargeback)
        .await
        .unwrap_err();
    assert!(error.guard_refusal().is_some());
    seen.push((
        "mastercom refused",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Refused, Delivery::NotSent, None, None),
    ));
    let iit = iit_client(&format!("{}/identity", silent().await))
        .with_middleware(RefuseEverything)
        .build()
        .unwrap();
    let error = iit
        .retrieve_transaction_insights(&iit_request())
        .await
        .unwrap_err();
    assert!(error.find_source::<Refusal>().is_some());
    seen.push((
        "iit refused",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Refused, Delivery::NotSent, None, None),
    ));

    // A 4xx with a Mastercard error body (each API's own shape).
    let server = answering(400, MASTERCOM_ERROR).await;
    let mastercom = support::loopback_builder(
        &format!("{}/mastercom", server.uri()),
        &support::test_key().pem,
    )
    .retry(once())
    .build()
    .unwrap();
    let error = mastercom.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(
        error.mastercard_errors()[0].reason_code.as_deref(),
        Some("INVALID_CLAIM")
    );
    seen.push((
        "mastercom 4xx",
        vocabulary(error.as_call_error()),
        expect(
            ErrorKind::Api,
            Delivery::Received,
            Some(400),
            Some(CORRELATION),
        ),
    ));
    let server = answering(400, GATEWAY_ERROR).await;
    let iit = iit_client(&format!("{}/identity", server.uri()))
        .build()
        .unwrap();
    let error = iit
        .retrieve_transaction_insights(&iit_request())
        .await
        .unwrap_err();
    assert_eq!(
        error.mastercard_errors()[0].reason_code.as_deref(),
        Some("VALIDATION_ERROR")
    );
    seen.push((
        "iit 4xx",
        vocabulary(error.as_call_error()),
        expect(
            ErrorKind::Api,
            Delivery::Received,
            Some(400),
            Some(CORRELATION),
        ),
    ));

    // A non-JSON 5xx keeps its status, correlation id and raw body.
    let server = answering(502, HTML).await;
    let mastercom = support::loopback_builder(
        &format!("{}/mastercom", server.uri()),
        &support::test_key().pem,
    )
    .retry(once())
    .build()
    .unwrap();
    let error = mastercom.get_claim_detail(CLAIM).await.unwrap_err();
    assert_eq!(error.raw_body(), Some(HTML.as_bytes()));
    seen.push((
        "mastercom non-JSON 5xx",
        vocabulary(error.as_call_error()),
        expect(
            ErrorKind::Api,
            Delivery::Received,
            Some(502),
            Some(CORRELATION),
        ),
    ));
    let iit = iit_client(&format!("{}/identity", server.uri()))
        .build()
        .unwrap();
    let error = iit
        .retrieve_transaction_insights(&iit_request())
        .await
        .unwrap_err();
    assert_eq!(error.raw_body(), Some(HTML.as_bytes()));
    seen.push((
        "iit non-JSON 5xx",
        vocabulary(error.as_call_error()),
        expect(
            ErrorKind::Api,
            Delivery::Received,
            Some(502),
            Some(CORRELATION),
        ),
    ));

    // A timeout after the request was sent.
    let url = silent().await;
    let mastercom =
        support::loopback_builder(&format!("{url}/mastercom"), &support::test_key().pem)
            .retry(once())
            .build()
            .unwrap();
    let error = mastercom
        .with_timeout(Duration::from_millis(300))
        .get_claim_detail(CLAIM)
        .await
        .unwrap_err();
    seen.push((
        "mastercom timeout",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Timeout, Delivery::MayHaveBeenSent, None, None),
    ));
    let iit = iit_client(&format!("{url}/identity")).build().unwrap();
    let error = iit
        .with_timeout(Duration::from_millis(300))
        .retrieve_transaction_insights(&iit_request())
        .await
        .unwrap_err();
    seen.push((
        "iit timeout",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Timeout, Delivery::MayHaveBeenSent, None, None),
    ));

    // A TLS failure: the server's certificate is not trusted; nothing was sent.
    let url = untrusted_tls().await;
    let mastercom =
        support::loopback_builder(&format!("{url}/mastercom"), &support::test_key().pem)
            .trust_roots(other_roots())
            .retry(once())
            .build()
            .unwrap();
    let error = mastercom.get_claim_detail(CLAIM).await.unwrap_err();
    seen.push((
        "mastercom TLS",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Tls, Delivery::NotSent, None, None),
    ));
    let iit = iit_client(&format!("{url}/identity"))
        .trust_roots(other_roots())
        .build()
        .unwrap();
    let error = iit
        .retrieve_transaction_insights(&iit_request())
        .await
        .unwrap_err();
    seen.push((
        "iit TLS",
        vocabulary(error.as_call_error()),
        expect(ErrorKind::Tls, Delivery::NotSent, None, None),
    ));

    let wrong: Vec<_> = seen.iter().filter(|(_, got, want)| got != want).collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(seen.len(), 10);
}
