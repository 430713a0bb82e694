//! A loopback mock server (wiremock) that verifies the OAuth1 signature of every request with
//! the workspace's own `mastercard_oauth1::Verifier`, records what it saw, and answers through a
//! closure only when the signature verified (401 with the verifier's reason otherwise).
//!
//! [`SignedServer::start_tls`] puts a TLS front (a test certificate, see [`crate::pki`]) before
//! the same mock, so a client can be tested over `https://` — through a CONNECT proxy, say —
//! with its signature still checked over the URL it addressed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mastercard_keys::PublicKey;
use mastercard_oauth1::{Request as SignedRequest, SignatureMethod, Verifier};
use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
use openssl::x509::X509;
use tokio::net::{TcpListener, TcpStream};
use tokio_openssl::SslStream;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The consumer key [`SignedServer::start`] expects.
pub const CONSUMER_KEY: &str = "test-consumer-key!0123456789abcdef";

/// A fresh RSA-2048 signing key (never the shared vector keys) in the forms tests need.
#[derive(Clone)]
pub struct TestKey {
    /// The key itself.
    pub key: PKey<Private>,
    /// Its PKCS#8 PEM.
    pub pem: Vec<u8>,
    /// Its public half, as the verifier takes it.
    pub public: PublicKey,
}

/// A fresh [`TestKey`].
pub fn test_key() -> TestKey {
    let key = crate::pki::rsa(2048);
    let pem = key.private_key_to_pem_pkcs8().unwrap();
    let public = PublicKey::from_pem(&key.public_key_to_pem().unwrap()).unwrap();
    TestKey { key, pem, public }
}

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The HTTP method.
    pub method: String,
    /// The path, prefix included.
    pub path: String,
    /// The raw query, if any.
    pub query: Option<String>,
    /// The body as received.
    pub body: Vec<u8>,
    /// The OAuth1 nonce, when the signature verified.
    pub nonce: Option<String>,
    /// The `oauth_signature_method`, when the signature verified.
    pub signature_method: Option<SignatureMethod>,
    /// `Ok` when the signature verified against the key and consumer key.
    pub verified: Result<(), String>,
}

type Reply = dyn Fn(&Request, usize) -> ResponseTemplate + Send + Sync;

struct Verifying {
    verifier: Verifier,
    scheme: &'static str,
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
        // wiremock reports `http://localhost/…`; the client signed the URL it addressed, whose
        // authority is the `Host` header and whose scheme is the front's (TLS or not).
        let host = request
            .headers
            .get("host")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let scheme = self.scheme;
        let url = match request.url.query() {
            Some(query) => format!("{scheme}://{host}{}?{query}", request.url.path()),
            None => format!("{scheme}://{host}{}", request.url.path()),
        };
        let result = self.verifier.verify(
            &SignedRequest::new(request.method.as_str(), &url, &request.body),
            header,
        );
        let nonce = result.as_ref().ok().map(|verified| verified.nonce.clone());
        let signature_method = result
            .as_ref()
            .ok()
            .map(|verified| verified.signature_method);
        let verified = result.map(|_| ()).map_err(|error| error.to_string());
        let mut seen = self.seen.lock().unwrap();
        seen.push(Seen {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(str::to_owned),
            body: request.body.clone(),
            nonce,
            signature_method,
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

/// A running verifying server; the mock stops when dropped, the TLS front (its own thread)
/// with the test process.
pub struct SignedServer {
    /// The wiremock server behind the verifier.
    pub server: MockServer,
    /// The key whose signatures verify.
    pub key: TestKey,
    /// The consumer key whose signatures verify.
    pub consumer_key: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// The TLS front's address, for [`SignedServer::start_tls`].
    tls: Option<(SocketAddr, Arc<AtomicUsize>)>,
}

impl SignedServer {
    /// A plain-HTTP server with a fresh key and [`CONSUMER_KEY`], answering each verified
    /// request with `reply` (given the request and its 0-based index).
    pub async fn start(
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(test_key(), CONSUMER_KEY, reply).await
    }

    /// Like [`SignedServer::start`] with a given key and consumer key.
    pub async fn start_with(
        key: TestKey,
        consumer_key: &str,
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        Self::mount(key, consumer_key, "http", Arc::new(reply), None).await
    }

    /// Like [`SignedServer::start`], behind a TLS front presenting `cert` (with `localhost`
    /// among its names for a `https://localhost:port` base URL) and `cert_key`. The front
    /// counts its completed handshakes ([`SignedServer::handshakes`]).
    pub async fn start_tls(
        cert: &X509,
        cert_key: &PKey<Private>,
        reply: impl Fn(&Request, usize) -> ResponseTemplate + Send + Sync + 'static,
    ) -> Self {
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).unwrap();
        acceptor.set_certificate(cert).unwrap();
        acceptor.set_private_key(cert_key).unwrap();
        // The mock behind the front speaks HTTP/1.1 only: never let the client pick h2.
        acceptor.set_alpn_select_callback(|_, offered| {
            openssl::ssl::select_next_proto(b"\x08http/1.1", offered)
                .ok_or(openssl::ssl::AlpnError::NOACK)
        });
        let acceptor = acceptor.build();
        // The front runs on its own thread and runtime (as wiremock's server does), so it keeps
        // serving while the test blocks, e.g. waiting for a child process that calls it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let front = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let server = Self::mount(
            test_key(),
            CONSUMER_KEY,
            "https",
            Arc::new(reply),
            Some((front, handshakes.clone())),
        )
        .await;
        let backend = *server.server.address();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve_tls(listener, acceptor, backend, handshakes));
        });
        server
    }

    async fn mount(
        key: TestKey,
        consumer_key: &str,
        scheme: &'static str,
        reply: Arc<Reply>,
        tls: Option<(SocketAddr, Arc<AtomicUsize>)>,
    ) -> Self {
        let server = MockServer::start().await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        Mock::given(wiremock::matchers::any())
            .respond_with(Verifying {
                verifier: Verifier::new(key.public.clone()).with_consumer_key(consumer_key),
                scheme,
                seen: seen.clone(),
                reply,
            })
            .mount(&server)
            .await;
        Self {
            server,
            key,
            consumer_key: consumer_key.to_owned(),
            seen,
            tls,
        }
    }

    /// `http://127.0.0.1:port` (the TLS front's `https://127.0.0.1:port` for
    /// [`SignedServer::start_tls`]), without a path.
    pub fn uri(&self) -> String {
        match &self.tls {
            Some((front, _)) => format!("https://{front}"),
            None => self.server.uri(),
        }
    }

    /// TLS handshakes the front completed (0 without one).
    pub fn handshakes(&self) -> usize {
        self.tls
            .as_ref()
            .map_or(0, |(_, count)| count.load(Ordering::SeqCst))
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Every request so far carried a valid signature (and there was at least one).
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

/// Accepts TLS connections on `listener` and relays each, decrypted, to the mock at `backend`.
async fn serve_tls(
    listener: std::net::TcpListener,
    acceptor: SslAcceptor,
    backend: SocketAddr,
    handshakes: Arc<AtomicUsize>,
) {
    let listener = TcpListener::from_std(listener).unwrap();
    while let Ok((stream, _)) = listener.accept().await {
        let Ok(ssl) = Ssl::new(acceptor.context()) else {
            continue;
        };
        let Ok(mut stream) = SslStream::new(ssl, stream) else {
            continue;
        };
        let handshakes = handshakes.clone();
        tokio::spawn(async move {
            if std::pin::Pin::new(&mut stream).accept().await.is_err() {
                return;
            }
            handshakes.fetch_add(1, Ordering::SeqCst);
            let Ok(mut plain) = TcpStream::connect(backend).await else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut stream, &mut plain).await;
        });
    }
}
