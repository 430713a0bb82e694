//! A raw HTTP/1.1-over-TLS client for tests that must send what a well-behaved client never
//! would (stalled bodies, huge headers, bytes that are not HTTP). Every read has a deadline.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mastercard_transport::tls::{ClientIdentity, TrustRoots, client_config};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How long any single test read may wait.
pub const READ_DEADLINE: Duration = Duration::from_secs(20);

/// Opens a TLS connection trusting the sandbox CA (with an mTLS identity when given).
pub async fn connect(
    addr: SocketAddr,
    ca_pem: &Path,
    identity: Option<ClientIdentity>,
) -> TlsStream<TcpStream> {
    let roots = TrustRoots::from_pem(&std::fs::read(ca_pem).unwrap()).unwrap();
    let mut config = client_config(&roots, identity).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = TcpStream::connect(addr).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

/// A parsed response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` (which should say `Connection: close`) and reads the answer until the server
/// closes the connection.
pub async fn exchange(
    addr: SocketAddr,
    ca_pem: &Path,
    identity: Option<ClientIdentity>,
    request: &[u8],
) -> Response {
    let mut tls = connect(addr, ca_pem, identity).await;
    // The server may answer (and close) before it has read everything, e.g. a 413 on a
    // declared length: a failed write is not the test's concern, the answer is.
    let _ = tls.write_all(request).await;
    let _ = tls.flush().await;
    let bytes = read_to_close(&mut tls).await;
    parse(&bytes)
}

/// Reads until EOF (or a reset, which also ends the connection), within [`READ_DEADLINE`].
pub async fn read_to_close<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match tokio::time::timeout(READ_DEADLINE, stream.read(&mut chunk)).await {
            Err(_) => panic!("the server neither answered nor closed within {READ_DEADLINE:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => return bytes,
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Splits a response into status, head and body (body: everything after the blank line, so
/// only for `Connection: close` exchanges). No bytes at all is status 0.
pub fn parse(bytes: &[u8]) -> Response {
    if bytes.is_empty() {
        return Response {
            status: 0,
            head: String::new(),
            body: Vec::new(),
        };
    }
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Response {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}
