//! Shared pieces of the Mastercom client tests: the testkit's loopback mock that verifies the
//! OAuth1 signature of EVERY request (`mastercard_testkit::signed`) with Mastercom's prefix and
//! builder, raw TCP servers for transport faults, and the request bodies of every operation.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mastercom::Timeouts;
use mastercom::guard::{Clock, ManualClock};
use mastercom::{MastercomClient, MastercomClientBuilder};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
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

pub const HEALTHY: &str = r#"{"status":"true"}"#;

/// What the server counted.
#[derive(Default)]
pub struct Counts {
    /// Requests answered.
    pub answered: AtomicUsize,
    /// For each connection accepted, in order: requests answered before it.
    pub accepted_after: Mutex<Vec<usize>>,
}

/// A server that answers every request on a connection with the health-check body and keeps
/// the connection open (HTTP/1.1 keep-alive), until the client closes it.
pub async fn keep_alive_server() -> (String, Arc<Counts>) {
    health_server(false).await
}

/// A server that answers one request per connection with the health-check body and then
/// closes it, without saying so (no `Connection: close`).
pub async fn silently_closing_server() -> (String, Arc<Counts>) {
    health_server(true).await
}

async fn health_server(close_after_answer: bool) -> (String, Arc<Counts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let server = counts.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answered = server.answered.load(Ordering::SeqCst);
            server.accepted_after.lock().unwrap().push(answered);
            tokio::spawn(serve(stream, server.clone(), close_after_answer));
        }
    });
    (format!("http://{address}/mastercom"), counts)
}

async fn serve(mut stream: TcpStream, counts: Arc<Counts>, close_after_answer: bool) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        // The health check is a GET without a body: a request ends with its blank line.
        while let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_string();
            received.drain(..end + 4);
            assert!(head.starts_with("GET /mastercom/v6/healthcheck "), "{head}");
            assert!(head.to_ascii_lowercase().contains("authorization: oauth "));
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{HEALTHY}",
                HEALTHY.len()
            );
            counts.answered.fetch_add(1, Ordering::SeqCst);
            if stream.write_all(response.as_bytes()).await.is_err() || close_after_answer {
                return;
            }
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// What one run of [`reuse_run`] observed.
#[derive(Debug, Clone)]
pub struct ReuseRun {
    /// For each connection the server accepted, in order: calls answered before it.
    pub accepted_after: Vec<usize>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Calls made.
    pub calls: usize,
}

impl ReuseRun {
    pub fn connections(&self) -> usize {
        self.accepted_after.len()
    }
}

impl std::fmt::Display for ReuseRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} connections per {} calls ({:.0} µs per call); opened after {:?} answered calls",
            self.connections(),
            self.calls,
            self.elapsed.as_secs_f64() * 1e6 / self.calls as f64,
            self.accepted_after
        )
    }
}

/// Makes `calls` health checks against [`keep_alive_server`], `in_flight` at a time, and
/// reports the connections the server accepted.
pub async fn reuse_run(calls: usize, in_flight: usize) -> ReuseRun {
    let (url, counts) = keep_alive_server().await;
    let key = test_key();
    let client = Arc::new(loopback_builder(&url, &key.pem).build().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let (client, next) = (client.clone(), next.clone());
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::SeqCst) < calls {
                let health = client.healthcheck().await.unwrap();
                assert_eq!(health.status.as_deref(), Some("true"));
            }
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker.unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(counts.answered.load(Ordering::SeqCst), calls);
    let accepted_after = counts.accepted_after.lock().unwrap().clone();
    ReuseRun {
        accepted_after,
        elapsed,
        calls,
    }
}
