//! Shared pieces of the Mastercom client tests: the testkit's loopback mock that verifies the
//! OAuth1 signature of EVERY request (`mastercard_testkit::signed`) with Mastercom's prefix and
//! builder, raw TCP servers for transport faults, and the request bodies of every operation.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mastercom::Timeouts;
use mastercom::guard::{Clock, ManualClock};
use mastercom::{MastercomClient, MastercomClientBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use wiremock::{Request, ResponseTemplate};

// Not every test binary uses every re-export.
#[allow(unused_imports)]
pub use mastercard_testkit::signed::{CONSUMER_KEY, Seen, TestKey, test_key};

/// The testkit's OAuth1-verifying mock server (`mastercard_testkit::signed`), addressed with
/// Mastercom's `/mastercom` prefix.
pub struct SignedServer(mastercard_testkit::signed::SignedServer);

impl std::ops::Deref for SignedServer {
    type Target = mastercard_testkit::signed::SignedServer;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl SignedServer {
    /// A server verifying every request's signature and answering with `reply` (given the
    /// request and its 0-based index).
    pub async fn start(
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        Self(mastercard_testkit::signed::SignedServer::start(reply).await)
    }

    /// Like [`SignedServer::start`], over TLS (see `SignedServer::start_tls` in the testkit).
    pub async fn start_tls(
        cert: &mastercard_keys::openssl::x509::X509,
        key: &mastercard_keys::openssl::pkey::PKey<mastercard_keys::openssl::pkey::Private>,
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        Self(mastercard_testkit::signed::SignedServer::start_tls(cert, key, reply).await)
    }

    pub fn base_url(&self) -> String {
        format!("{}/mastercom", self.uri())
    }

    /// A builder pointed at this server with the test key and consumer key.
    pub fn builder(&self) -> MastercomClientBuilder {
        loopback_builder(&self.base_url(), &self.key.pem)
    }
}

/// A verifying server behind TLS (a certificate for `localhost` from a throwaway CA) answering
/// `200 {}`, its `https://localhost:port/mastercom` base URL, and the CA's PEM, which the client
/// must trust (`trust_roots`).
pub async fn tls_server() -> (SignedServer, String, Vec<u8>) {
    let identity = mastercard_testkit::pki::loopback_server_identity();
    let server = SignedServer::start_tls(&identity.cert, &identity.key, |_, _| {
        ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
    })
    .await;
    let url = server.base_url().replace("127.0.0.1", "localhost");
    assert!(url.starts_with("https://localhost:"), "{url}");
    (server, url, identity.ca.to_pem().unwrap())
}

/// The `host:port` of a URL: what a proxy is asked for.
pub fn authority(url: &str) -> String {
    let (_, rest) = url.split_once("://").unwrap();
    rest.split('/').next().unwrap().to_owned()
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

/// A builder pointed at `url` with the test consumer key and no signing key (for a signature
/// provider), and an in-memory dispute-event ledger.
pub fn keyless_builder(url: &str) -> MastercomClientBuilder {
    MastercomClient::builder()
        .dispute_event_ledger_memory()
        .base_url(url)
        .consumer_key(CONSUMER_KEY)
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
