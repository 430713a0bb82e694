//! A hostile HTTP/1.1 server on loopback: it answers every request in one chosen [`Mode`] and
//! counts the connections it accepted and the requests whose headers it read.
//!
//! Each connection carries one request and the answer says `connection: close`, so the counts
//! are exact: a client that retried or followed a redirect shows up as a second request.
//! [`HostileServer::start`] listens on `127.0.0.1` only.
//!
//! `table` (feature `clients`) is the table of scenarios both clients run against it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use openssl::pkey::{PKey, Private};
use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
use openssl::x509::X509;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_openssl::SslStream;

#[cfg(feature = "clients")]
pub mod table;

/// How the server answers every request.
#[derive(Debug, Clone)]
pub enum Mode {
    /// A redirect with this status (301, 302, 303, 307, 308) to `location`.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// The `Location` header value.
        location: String,
    },
    /// A 3xx (or any status) without a `Location` header and with an HTML body.
    Html {
        /// The status line's code.
        status: u16,
    },
    /// `200` with a plain JSON body, e.g. where a JWE envelope is due.
    PlainJson {
        /// The body sent verbatim.
        body: String,
    },
    /// `200` streaming `len` bytes from one repeating 64 KiB chunk, so the server's memory stays
    /// flat whatever `len` is. Stops at the first failed write.
    Huge {
        /// The length sent if the client reads on.
        len: u64,
        /// `true`: `Transfer-Encoding: chunked`, so the client only learns the size by reading;
        /// `false`: a `Content-Length` declaring `len` up front.
        chunked: bool,
    },
    /// `200` declaring `len` bytes and sending one of them every `interval`.
    Slow {
        /// The declared length.
        len: u64,
        /// The pause between two bytes.
        interval: Duration,
    },
    /// `200` declaring `declared` bytes, sending `sent` (fewer), then closing.
    Truncated {
        /// The `Content-Length` value.
        declared: u64,
        /// How many bytes are actually sent.
        sent: u64,
    },
    /// Reads the request, sends a status line and headers declaring a body, then resets the
    /// connection (TCP RST).
    ResetAfterHeaders,
    /// Reads the request, then resets the connection without a byte of answer.
    ResetAfterRequest,
    /// `200` with `count` extra headers before the (empty JSON) body.
    ManyHeaders {
        /// How many `x-hostile-N` headers.
        count: usize,
    },
    /// Reads the request, then holds the connection open and never answers.
    Hold,
}

/// Counters shared between the server task and the test.
#[derive(Debug, Default)]
struct Counts {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

/// A running hostile server; it stops when the runtime that started it shuts down.
#[derive(Debug, Clone)]
pub struct HostileServer {
    address: SocketAddr,
    scheme: &'static str,
    counts: Arc<Counts>,
}

impl HostileServer {
    /// Binds `127.0.0.1:0` and answers every connection in `mode` on a task of the current
    /// tokio runtime.
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let shared = counts.clone();
        let mode = Arc::new(mode);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, mode.clone(), shared.clone()));
            }
        });
        Self {
            address,
            scheme: "http",
            counts,
        }
    }

    /// Like [`HostileServer::start`], over TLS with `cert` (e.g. from [`crate::pki`], with
    /// `127.0.0.1` among its names) and `key`. A failed handshake counts as a connection only.
    pub async fn start_tls(mode: Mode, cert: &X509, key: &PKey<Private>) -> Self {
        let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).unwrap();
        acceptor.set_certificate(cert).unwrap();
        acceptor.set_private_key(key).unwrap();
        let acceptor = acceptor.build();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let counts = Arc::new(Counts::default());
        let shared = counts.clone();
        let mode = Arc::new(mode);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let Ok(ssl) = Ssl::new(acceptor.context()) else {
                    continue;
                };
                let Ok(mut stream) = SslStream::new(ssl, stream) else {
                    continue;
                };
                let (mode, counts) = (mode.clone(), shared.clone());
                tokio::spawn(async move {
                    if std::pin::Pin::new(&mut stream).accept().await.is_ok() {
                        serve(stream, mode, counts).await;
                    }
                });
            }
        });
        Self {
            address,
            scheme: "https",
            counts,
        }
    }

    /// `http://127.0.0.1:port{path}` (`https` for [`HostileServer::start_tls`]).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.address)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.counts.connections.load(Ordering::SeqCst)
    }

    /// Requests whose head (request line and headers) was read so far.
    pub fn requests(&self) -> usize {
        self.counts.requests.load(Ordering::SeqCst)
    }
}

const CHUNK: usize = 64 << 10;

/// A connection the server can reset (TCP RST) as well as read and write.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send {
    /// Makes the coming close send RST instead of FIN (zero linger).
    fn arm_reset(&self) -> std::io::Result<()>;
}

impl Connection for TcpStream {
    fn arm_reset(&self) -> std::io::Result<()> {
        self.set_zero_linger()
    }
}

impl Connection for SslStream<TcpStream> {
    fn arm_reset(&self) -> std::io::Result<()> {
        self.get_ref().set_zero_linger()
    }
}

async fn serve<C: Connection>(mut stream: C, mode: Arc<Mode>, counts: Arc<Counts>) {
    if read_request(&mut stream).await.is_none() {
        return;
    }
    counts.requests.fetch_add(1, Ordering::SeqCst);
    // Write errors mean the client gave up, which is what most modes provoke: ignore them.
    let _ = answer(&mut stream, &mode).await;
}

/// Reads one request head and its `Content-Length` body; `None` if the peer closed first.
async fn read_request<C: Connection>(stream: &mut C) -> Option<()> {
    let mut buffer = Vec::with_capacity(8192);
    let mut piece = [0u8; 8192];
    let head_end = loop {
        let read = stream.read(&mut piece).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&piece[..read]);
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]);
    let length: usize = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut remaining = length.saturating_sub(buffer.len() - head_end);
    while remaining > 0 {
        let read = stream.read(&mut piece).await.ok()?;
        if read == 0 {
            return None;
        }
        remaining = remaining.saturating_sub(read);
    }
    Some(())
}

fn head(status: u16, extra: &str, length: u64) -> String {
    format!(
        "HTTP/1.1 {status} Hostile\r\ncontent-length: {length}\r\nconnection: close\r\n{extra}\r\n"
    )
}

const HTML: &str =
    "<html><head><title>Error</title></head><body><h1>Bad gateway</h1></body></html>";

async fn answer<C: Connection>(stream: &mut C, mode: &Mode) -> std::io::Result<()> {
    match mode {
        Mode::Redirect { status, location } => {
            let body = b"moved";
            let head = head(
                *status,
                &format!("location: {location}\r\n"),
                body.len() as u64,
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body).await?;
        }
        Mode::Html { status } => {
            let head = head(*status, "content-type: text/html\r\n", HTML.len() as u64);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(HTML.as_bytes()).await?;
        }
        Mode::PlainJson { body } => {
            let head = head(200, "content-type: application/json\r\n", body.len() as u64);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await?;
        }
        Mode::Huge { len, chunked } => huge(stream, *len, *chunked).await?,
        Mode::Slow { len, interval } => {
            let head = head(200, "content-type: application/json\r\n", *len);
            stream.write_all(head.as_bytes()).await?;
            for _ in 0..*len {
                // The pause is the server's behaviour under test, not synchronisation.
                tokio::time::sleep(*interval).await;
                stream.write_all(b" ").await?;
                stream.flush().await?;
            }
        }
        Mode::Truncated { declared, sent } => {
            let head = head(200, "content-type: application/json\r\n", *declared);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&vec![b' '; *sent as usize]).await?;
            stream.shutdown().await?;
        }
        Mode::ResetAfterHeaders => {
            let head = head(200, "content-type: application/json\r\n", 1024);
            stream.write_all(head.as_bytes()).await?;
            stream.flush().await?;
            stream.arm_reset()?;
        }
        Mode::ResetAfterRequest => stream.arm_reset()?,
        Mode::ManyHeaders { count } => {
            let mut extra = String::with_capacity(count * 24);
            for index in 0..*count {
                extra.push_str(&format!("x-hostile-{index}: {index}\r\n"));
            }
            let head = head(
                200,
                &format!("content-type: application/json\r\n{extra}"),
                2,
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(b"{}").await?;
        }
        Mode::Hold => std::future::pending::<()>().await,
    }
    stream.flush().await
}

async fn huge<C: Connection>(stream: &mut C, len: u64, chunked: bool) -> std::io::Result<()> {
    let head = if chunked {
        "HTTP/1.1 200 Hostile\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\
         content-type: application/json\r\n\r\n"
            .to_owned()
    } else {
        head(200, "content-type: application/json\r\n", len)
    };
    stream.write_all(head.as_bytes()).await?;
    let chunk = [b' '; CHUNK];
    let mut left = len;
    while left > 0 {
        let take = left.min(CHUNK as u64) as usize;
        if chunked {
            stream.write_all(format!("{take:x}\r\n").as_bytes()).await?;
        }
        stream.write_all(&chunk[..take]).await?;
        if chunked {
            stream.write_all(b"\r\n").await?;
        }
        left -= take as u64;
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    Ok(())
}
