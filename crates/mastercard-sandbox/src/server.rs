//! The accept loop: TCP → TLS (rustls) → HTTP/1.1 (hyper) → the request guard → an axum router.
//!
//! Every phase a client controls is bounded ([`Limits`]): the number of open connections, the TLS
//! handshake, the request head, and inactivity. Accept errors that would repeat at once (out of
//! file descriptors) pause the loop instead of spinning ([`crate::accept`]).
//!
//! Each connection gets a [`Connection`] extension so handlers can see the peer and drop the
//! connection on purpose (the reset faults), which an axum handler cannot do by itself.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::accept::Backoff;
use crate::guard::Policy;
use crate::idle::{Activity, Watched};
use crate::{Limits, SandboxError};

/// Per-connection facts and controls, inserted into every request's extensions.
#[derive(Clone)]
pub struct Connection {
    /// The peer's address.
    pub peer: SocketAddr,
    kill: Arc<Notify>,
}

impl Connection {
    /// Closes the connection at once, without a response.
    pub fn kill(&self) {
        self.kill.notify_one();
    }
}

/// What one listener serves and how.
pub struct Listener {
    /// Name used in log lines (`mastercom`, `iit`).
    pub name: &'static str,
    /// Where to bind.
    pub addr: SocketAddr,
    /// The TLS configuration.
    pub tls: Arc<rustls::ServerConfig>,
    /// The application.
    pub router: axum::Router,
    /// Content type and body size rules applied before the router.
    pub policy: Policy,
}

/// A bound, serving listener.
pub struct Serving {
    /// The bound address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The accept loop; it ends on shutdown.
    pub task: tokio::task::JoinHandle<()>,
    /// Number of open connections (TLS handshakes included).
    pub open_connections: watch::Receiver<usize>,
}

/// Binds the listener and serves it until `shutdown` turns true (or its sender is dropped).
pub async fn serve(
    listener: Listener,
    limits: &Limits,
    mut shutdown: watch::Receiver<bool>,
) -> Result<Serving, SandboxError> {
    let addr = listener.addr;
    let tcp = TcpListener::bind(addr)
        .await
        .map_err(|e| SandboxError::io(addr.to_string(), e))?;
    let local = tcp
        .local_addr()
        .map_err(|e| SandboxError::io(addr.to_string(), e))?;
    let (gauge, open_connections) = watch::channel(0usize);
    let shared = Arc::new(Shared {
        acceptor: TlsAcceptor::from(listener.tls),
        router: listener.router,
        policy: listener.policy,
        limits: limits.clone(),
        gauge,
    });
    // The semaphore panics above its own maximum; no configuration needs that many.
    let cap = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(cap));
    let name = listener.name;
    let mut backoff = Backoff::new(limits.accept_backoff_min, limits.accept_backoff_max);
    let task = tokio::spawn(async move {
        let mut refusing = false;
        loop {
            let accepted = tokio::select! {
                accepted = tcp.accept() => accepted,
                _ = shutdown.changed() => break,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => {
                    backoff.succeeded(name);
                    accepted
                }
                Err(error) => {
                    if let Some(pause) = backoff.failed(name, &error) {
                        tokio::select! {
                            () = tokio::time::sleep(pause) => {}
                            _ = shutdown.changed() => break,
                        }
                    }
                    continue;
                }
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                // Dropping the stream closes it: the client learns at once that it must retry.
                if !refusing {
                    eprintln!(
                        "mastercard-sandbox: {name} listener: {cap} connections open (the cap); closing new ones until one ends"
                    );
                }
                refusing = true;
                continue;
            };
            refusing = false;
            tokio::spawn(connection(
                shared.clone(),
                stream,
                peer,
                permit,
                shutdown.clone(),
            ));
        }
    });
    Ok(Serving {
        addr: local,
        task,
        open_connections,
    })
}

/// What every connection of one listener shares.
struct Shared {
    acceptor: TlsAcceptor,
    router: axum::Router,
    policy: Policy,
    limits: Limits,
    gauge: watch::Sender<usize>,
}

/// Counts a connection as open for as long as it lives.
struct Open<'a>(&'a watch::Sender<usize>);

impl<'a> Open<'a> {
    fn new(gauge: &'a watch::Sender<usize>) -> Self {
        gauge.send_modify(|n| *n = n.saturating_add(1));
        Self(gauge)
    }
}

impl Drop for Open<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

async fn connection(
    shared: Arc<Shared>,
    tcp: TcpStream,
    peer: SocketAddr,
    _permit: OwnedSemaphorePermit,
    mut shutdown: watch::Receiver<bool>,
) {
    let _open = Open::new(&shared.gauge);
    let _ = tcp.set_nodelay(true);
    let limits = &shared.limits;
    // A handshake that fails (no or an untrusted client certificate) or does not finish in time
    // just ends the connection.
    let handshake = tokio::time::timeout(limits.tls_handshake_timeout, shared.acceptor.accept(tcp));
    let stream = tokio::select! {
        done = handshake => match done {
            Ok(Ok(stream)) => stream,
            Ok(Err(_)) | Err(_) => return,
        },
        _ = shutdown.changed() => return,
    };
    let activity = Activity::new();
    let io = TokioIo::new(Watched::new(stream, activity.clone()));
    let kill = Arc::new(Notify::new());
    let conn = Connection {
        peer,
        kill: kill.clone(),
    };
    let app = shared.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(conn.clone());
        crate::guard::call(app.router.clone(), app.policy.clone(), request)
    });
    let serving = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        .serve_connection(io, service);
    tokio::select! {
        _ = serving => {}
        () = kill.notified() => {}
        () = activity.expired(limits.idle_timeout) => {}
        _ = shutdown.changed() => {}
    }
}
