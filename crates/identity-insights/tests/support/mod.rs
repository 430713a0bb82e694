//! A throwaway PKI made with OpenSSL and a rustls server on 127.0.0.1 that requires a client
//! certificate, decrypts the JWE request and answers as the test says.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::openssl::pkey::{PKey, Private};
use mastercard_keys::openssl::x509::X509;
use mastercard_keys::{Certificate, PrivateKey, ValidityPolicy};
use mastercard_testkit::pki::{self, Validity};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub const CORRELATION_ID: &str = "0b1bc4c4-3a8f-4f4b-9d43-6c1e0c3f1a77";
pub const TRANSACTION_ID: &str = "be3ad617-04ad-43e1-a438-79425b6511b6";

/// A key and its certificate.
pub struct Issued {
    pub key: PKey<Private>,
    pub cert: X509,
}

impl Issued {
    pub fn cert_pem(&self) -> Vec<u8> {
        self.cert.to_pem().unwrap()
    }
    pub fn key_pem(&self) -> Vec<u8> {
        self.key.private_key_to_pem_pkcs8().unwrap()
    }
    pub fn certificate(&self) -> Certificate {
        Certificate::from_x509(self.cert.clone())
    }
    pub fn private_key(&self) -> PrivateKey {
        PrivateKey::from_pkey(self.key.clone()).unwrap()
    }
}

pub enum Kind {
    Ca,
    Server,
    Client,
}

/// A fresh key with a certificate signed by `issuer` (self-signed without one).
pub fn issue(common_name: &str, kind: Kind, issuer: Option<&Issued>, validity: Validity) -> Issued {
    let key = pki::rsa(2048);
    let (is_ca, sans): (bool, &[&str]) = match kind {
        Kind::Ca => (true, &[]),
        Kind::Server => (false, &["127.0.0.1", "localhost"]),
        Kind::Client => (false, &[]),
    };
    let issuer = issuer.map(|issuer| (&issuer.cert, &issuer.key));
    let cert = pki::certificate(&key, common_name, issuer, is_ca, sans, validity);
    Issued { key, cert }
}

/// Everything a test needs: a CA with a server and a client certificate, the server's and the
/// client's JWE keys.
pub struct Pki {
    pub ca: Issued,
    pub server: Issued,
    pub client: Issued,
    /// Mastercard's side of JWE: the client encrypts for it.
    pub server_jwe: Issued,
    /// The client's JWE key: the server encrypts responses for it.
    pub client_jwe: Issued,
}

impl Pki {
    /// The PKI shared by every test of a binary: RSA key generation dominates test time, and
    /// nothing a test does changes it.
    pub fn shared() -> &'static Self {
        static SHARED: LazyLock<Pki> = LazyLock::new(Pki::new);
        &SHARED
    }

    fn new() -> Self {
        let current = Validity::CURRENT;
        let ca = issue("Test CA", Kind::Ca, None, current);
        let server = issue("localhost", Kind::Server, Some(&ca), current);
        let client = issue("iit-client", Kind::Client, Some(&ca), current);
        let server_jwe = issue("iit-encryption", Kind::Client, None, current);
        let client_jwe = issue("iit-decryption", Kind::Client, None, current);
        Self {
            ca,
            server,
            client,
            server_jwe,
            client_jwe,
        }
    }

    /// A client builder for `server` with this PKI's client identity and JWE keys.
    pub fn builder(&self, server: &Server) -> identity_insights::IdentityInsightsClientBuilder {
        identity_insights::IdentityInsightsClient::builder()
            .base_url(server.base_url())
            .trust_roots(
                mastercard_transport::tls::TrustRoots::from_pem(&self.ca.cert_pem()).unwrap(),
            )
            .client_identity_pem(self.client.cert_pem(), self.client.key_pem())
            .encryption_certificate(self.server_jwe.certificate())
            .decryption_key(self.client_jwe.private_key())
    }

    /// The kid the client must put in its JWE header.
    pub fn expected_kid(&self) -> String {
        EncryptionKey::from_certificate(
            &self.server_jwe.certificate(),
            ValidityPolicy::enforce_now(),
        )
        .unwrap()
        .kid()
        .to_owned()
    }

    /// The server's JWE configuration: decrypts requests, encrypts responses for the client.
    pub fn server_jwe_config(&self) -> EncryptionConfig {
        self.jwe_config_for(&self.client_jwe.certificate())
    }

    /// Like [`Pki::server_jwe_config`], but encrypting responses for `recipient`.
    pub fn jwe_config_for(&self, recipient: &Certificate) -> EncryptionConfig {
        EncryptionConfig::builder()
            .encryption_key(
                EncryptionKey::from_certificate(recipient, ValidityPolicy::enforce_now()).unwrap(),
            )
            .decryption_key(
                DecryptionKey::from_private_key(&self.server_jwe.private_key()).unwrap(),
            )
            .build()
            .unwrap()
    }
}

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub content_type: Option<String>,
    pub kid: String,
    pub plaintext: Value,
}

/// A response for the server to send: status and body bytes.
pub type Responder = dyn Fn(&Value) -> (u16, Vec<u8>) + Send + Sync;

/// The server's counters and what it saw.
#[derive(Default)]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: AtomicUsize,
    /// TLS handshakes completed (client certificate accepted).
    pub handshakes: AtomicUsize,
    /// TLS handshakes refused.
    pub refused: AtomicUsize,
    pub seen: Mutex<Vec<Seen>>,
    /// For each TCP connection accepted, in order: how many requests had been answered before
    /// it (shows which call opened it).
    pub accepted_after: Mutex<Vec<usize>>,
}

pub struct Server {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}/identity", self.addr.port())
    }

    pub fn connections(&self) -> usize {
        self.stats.connections.load(Ordering::SeqCst)
    }

    pub fn handshakes(&self) -> usize {
        self.stats.handshakes.load(Ordering::SeqCst)
    }

    /// For each connection accepted, the number of requests answered before it.
    pub fn accepted_after(&self) -> Vec<usize> {
        self.stats.accepted_after.lock().unwrap().clone()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.stats.seen.lock().unwrap().clone()
    }

    /// A server answering every request with [`insights_json`], encrypted for the client.
    pub async fn insights(pki: &Pki) -> Self {
        Self::start(pki, encrypted_insights(pki.server_jwe_config())).await
    }

    /// Starts a server that requires a client certificate issued by `pki.ca`, decrypts each
    /// request with `pki`'s server JWE key and answers with `respond(plaintext request)`.
    pub async fn start(pki: &Pki, respond: Arc<Responder>) -> Self {
        let provider = mastercard_transport::tls::crypto_provider();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(pki.ca.cert.to_der().unwrap()))
            .unwrap();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .unwrap();
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from(pki.server.cert.to_der().unwrap())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    pki.server.key.private_key_to_pkcs8().unwrap(),
                )),
            )
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let jwe = Arc::new(pki.server_jwe_config());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stats = Arc::new(Stats::default());
        let task = tokio::spawn(accept_loop(listener, acceptor, jwe, respond, stats.clone()));
        Self { addr, stats, task }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    jwe: Arc<EncryptionConfig>,
    respond: Arc<Responder>,
    stats: Arc<Stats>,
) {
    while let Ok((tcp, _)) = listener.accept().await {
        stats.connections.fetch_add(1, Ordering::SeqCst);
        let answered = stats.seen.lock().unwrap().len();
        stats.accepted_after.lock().unwrap().push(answered);
        let (acceptor, jwe, respond, stats) = (
            acceptor.clone(),
            jwe.clone(),
            respond.clone(),
            stats.clone(),
        );
        tokio::spawn(async move {
            match acceptor.accept(tcp).into_fallible().await {
                Ok(tls) => {
                    stats.handshakes.fetch_add(1, Ordering::SeqCst);
                    let service = service_fn(move |request| {
                        handle(request, jwe.clone(), respond.clone(), stats.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                }
                Err((_, mut tcp)) => {
                    stats.refused.fetch_add(1, Ordering::SeqCst);
                    // rustls has sent its alert; keep reading until the client closes, so it
                    // reads that alert instead of a reset for unread data.
                    let mut buffer = [0u8; 4096];
                    while matches!(tcp.read(&mut buffer).await, Ok(n) if n > 0) {}
                }
            }
        });
    }
}

async fn handle(
    request: hyper::Request<hyper::body::Incoming>,
    jwe: Arc<EncryptionConfig>,
    respond: Arc<Responder>,
    stats: Arc<Stats>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let envelope: Value = serde_json::from_slice(&body).unwrap();
    let token = envelope["encryptedData"].as_str().unwrap();
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    let plaintext: Value = serde_json::from_slice(&jwe.decrypt_payload(&body).unwrap()).unwrap();
    let (status, body) = respond(&plaintext);
    stats.seen.lock().unwrap().push(Seen {
        content_type,
        kid: header["kid"].as_str().unwrap().to_owned(),
        plaintext,
    });
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-mc-correlation-id", CORRELATION_ID)
        .body(Full::new(Bytes::from(body)))
        .unwrap())
}

/// One call with [`request`].
pub async fn call(
    client: &identity_insights::IdentityInsightsClient,
) -> Result<
    identity_insights::Response<identity_insights::types::TransactionInsights>,
    identity_insights::Error,
> {
    client.retrieve_transaction_insights(&request()).await
}

/// The minimal request: the seven required fields, values from the spec's examples.
pub fn request() -> identity_insights::types::TransactionInsightsData {
    serde_json::from_value(request_json()).unwrap()
}

pub fn request_json() -> Value {
    serde_json::json!({
        "purchaseDate": "20220721173228", "purchaseAmount": "12345",
        "purchaseCurrencyExponent": "2", "purchaseCurrency": "840", "merchantName": "Acme Inc",
        "merchantCountryCode": "840", "mcc": "0742"
    })
}

/// A `TransactionInsights` body.
pub fn insights_json() -> Value {
    serde_json::json!({
        "id": TRANSACTION_ID,
        "deviceInsights": {
            "uDeviceId": "UDID-1234",
            "deviceInfo": {"deviceType": "desktop", "browser": "Chrome", "platform": "Linux"},
            "riskFactor": 2, "trustFactor": 4, "insightFactor": 1
        },
        "individualInsights": {
            "scores": {"identityRisk": {"score": 120, "reasonCode": "RA"}, "ipRisk": {"score": 0.25}},
            "warnings": ["Primary Email: Invalid username syntax"]
        }
    })
}

/// Answers every request with `insights_json()` encrypted by `jwe`.
pub fn encrypted_insights(jwe: EncryptionConfig) -> Arc<Responder> {
    Arc::new(move |_| {
        let body = serde_json::to_vec(&insights_json()).unwrap();
        (200, jwe.encrypt_payload(&body).unwrap())
    })
}

/// Answers every request with `status` and `body` as they are.
pub fn plain(status: u16, body: &'static [u8]) -> Arc<Responder> {
    Arc::new(move |_| (status, body.to_vec()))
}

/// What one run of [`reuse_run`] observed.
#[derive(Debug, Clone)]
pub struct ReuseRun {
    /// TCP connections the server accepted.
    pub connections: usize,
    /// TLS handshakes it completed.
    pub handshakes: usize,
    /// For each connection, in order: calls answered before it was accepted.
    pub accepted_after: Vec<usize>,
    /// Wall time of the whole run.
    pub elapsed: std::time::Duration,
    /// Calls made.
    pub calls: usize,
}

impl std::fmt::Display for ReuseRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} connections, {} handshakes per {} calls ({:.0} µs per call); opened after {:?} \
             answered calls",
            self.connections,
            self.handshakes,
            self.calls,
            self.elapsed.as_secs_f64() * 1e6 / self.calls as f64,
            self.accepted_after
        )
    }
}

/// Makes `calls` calls against a fresh [`Server::insights`], `in_flight` at a time, checks every
/// answer, and reports what the server counted.
pub async fn reuse_run(calls: usize, in_flight: usize) -> ReuseRun {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = Arc::new(pki.builder(&server).build().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, next) = (client.clone(), next.clone());
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::SeqCst) < calls {
                let response = call(&client).await.unwrap();
                assert_eq!(response.id, TRANSACTION_ID);
            }
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(server.seen().len(), calls);
    ReuseRun {
        connections: server.connections(),
        handshakes: server.handshakes(),
        accepted_after: server.accepted_after(),
        elapsed,
        calls,
    }
}
