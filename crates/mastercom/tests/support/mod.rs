//! Shared pieces of the Mastercom client tests: a throwaway signing key, a loopback mock that
//! verifies the OAuth1 signature of EVERY request with `mastercard_oauth1::Verifier`, raw TCP
//! servers for transport faults, and the request bodies of every operation.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mastercard_keys::PublicKey;
use mastercard_oauth1::{Request as SignedRequest, Verifier};
use mastercom::Timeouts;
use mastercom::guard::{Clock, ManualClock};
use mastercom::{MastercomClient, MastercomClientBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CONSUMER_KEY: &str = "test-consumer-key!0123456789abcdef";

/// A fresh RSA-2048 key (never the shared vector keys): its PEM and public half.
pub struct TestKey {
    pub pem: Vec<u8>,
    pub public: PublicKey,
}

pub fn test_key() -> TestKey {
    let key = mastercard_testkit::pki::rsa(2048);
    let pem = key.private_key_to_pem_pkcs8().unwrap();
    let public = PublicKey::from_pem(&key.public_key_to_pem().unwrap()).unwrap();
    TestKey { pem, public }
}

/// What the mock saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub body: Vec<u8>,
    pub nonce: Option<String>,
    /// `Ok` when the signature verified against the test key and consumer key.
    pub verified: Result<(), String>,
}

type Reply = dyn Fn(&Request, usize) -> ResponseTemplate + Send + Sync;

struct Verifying {
    verifier: Verifier,
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<Reply>,
}

impl Respond for Verifying {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        // wiremock reports `http://localhost/…`; the client signed the URL it sent, whose
        // authority is the `Host` header.
        let host = request
            .headers
            .get("host")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let url = match request.url.query() {
            Some(query) => format!("http://{host}{}?{query}", request.url.path()),
            None => format!("http://{host}{}", request.url.path()),
        };
        let result = self.verifier.verify(
            &SignedRequest::new(request.method.as_str(), &url, &request.body),
            header,
        );
        let nonce = result.as_ref().ok().map(|verified| verified.nonce.clone());
        let verified = result.map(|_| ()).map_err(|error| error.to_string());
        let mut seen = self.seen.lock().unwrap();
        seen.push(Seen {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(str::to_owned),
            body: request.body.clone(),
            nonce,
            verified: verified.clone(),
        });
        let index = seen.len() - 1;
        drop(seen);
        match verified {
            Ok(()) => (self.reply)(request, index),
            Err(error) => ResponseTemplate::new(401).set_body_string(error),
        }
    }
}

/// A wiremock server that verifies every request's signature and answers with `reply`
/// (given the request and its 0-based index).
pub struct SignedServer {
    pub server: MockServer,
    pub key: TestKey,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl SignedServer {
    pub async fn start(
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        let key = test_key();
        let server = MockServer::start().await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        Mock::given(wiremock::matchers::any())
            .respond_with(Verifying {
                verifier: Verifier::new(key.public.clone()).with_consumer_key(CONSUMER_KEY),
                seen: seen.clone(),
                reply: Arc::new(reply),
            })
            .mount(&server)
            .await;
        Self { server, key, seen }
    }

    pub fn base_url(&self) -> String {
        format!("{}/mastercom", self.server.uri())
    }

    /// A builder pointed at this server with the test key and consumer key.
    pub fn builder(&self) -> MastercomClientBuilder {
        loopback_builder(&self.base_url(), &self.key.pem)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Every request so far carried a valid signature.
    pub fn assert_all_verified(&self) {
        let seen = self.seen();
        assert!(!seen.is_empty(), "the server saw no request");
        for request in &seen {
            assert_eq!(
                request.verified,
                Ok(()),
                "{} {} was not signed correctly",
                request.method,
                request.path
            );
        }
    }
}

/// A builder for `url` with the test consumer key and `pem`, and an in-memory dispute-event
/// ledger (the default is a per-user SQLite file, which tests must not share).
pub fn loopback_builder(url: &str, pem: &[u8]) -> MastercomClientBuilder {
    MastercomClient::builder()
        .dispute_event_ledger_memory()
        .base_url(url)
        .consumer_key(CONSUMER_KEY)
        .signing_key_pem(pem.to_vec())
}

/// A fixed-time clock at a realistic date.
pub fn manual_clock() -> (ManualClock, Arc<dyn Clock>) {
    let clock = ManualClock::new(1_790_000_000_000);
    (clock.clone(), Arc::new(clock))
}

/// Short timeouts for fault tests.
pub fn short_timeouts(total: Duration) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: total,
        total,
        per_operation: Default::default(),
        ..Timeouts::default()
    }
}

/// The request body of schema `name`, from `tests/fixtures/request_bodies.json` (made from the
/// spec's required fields and examples).
pub fn body<T: DeserializeOwned>(name: &str) -> T {
    let all: Value = serde_json::from_str(include_str!("../fixtures/request_bodies.json")).unwrap();
    serde_json::from_value(all[name].clone())
        .unwrap_or_else(|error| panic!("fixture {name}: {error}"))
}

/// Parses a string into a generated enum or constrained string type.
pub fn value<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_value(Value::String(text.to_owned())).unwrap()
}

/// A port with nothing listening (bound, then released).
pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}/mastercom")
}

/// A server that reads the request and closes the connection without answering; counts
/// connections.
pub async fn closing_server() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            *counter.lock().unwrap() += 1;
            let mut buffer = vec![0; 65536];
            let _ = stream.read(&mut buffer).await;
            drop(stream);
        }
    });
    (format!("http://{address}/mastercom"), count)
}

/// A server that reads requests and never answers (connections stay open); counts connections.
pub async fn silent_server() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            *counter.lock().unwrap() += 1;
            let mut buffer = vec![0; 65536];
            let _ = stream.read(&mut buffer).await;
            open.push(stream);
        }
    });
    (format!("http://{address}/mastercom"), count)
}

/// What a failed call was, for assertions: the dispute-event guard's reason when it refused the
/// call, otherwise the error's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Refused by the guard (`ErrorKind::Refused`, nothing sent).
    Refused(mastercom::guard::RefusalReason),
    /// Any other failure.
    Other(mastercom::ErrorKind),
}

/// The [`Failure`] of `error`.
pub fn failure(error: &mastercom::Error) -> Failure {
    match error.guard_refusal() {
        Some(refusal) => {
            assert_eq!(error.kind(), mastercom::ErrorKind::Refused);
            assert_eq!(error.delivery(), mastercom::Delivery::NotSent);
            Failure::Refused(refusal.reason)
        }
        None => Failure::Other(error.kind()),
    }
}
