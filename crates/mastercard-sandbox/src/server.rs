//! The accept loop: TCP → TLS (rustls) → HTTP/1.1 (hyper) → an axum router.
//!
//! Each connection gets a [`Connection`] extension so handlers can see the peer and drop the
//! connection on purpose (the reset faults), which an axum handler cannot do by itself.

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::SandboxError;

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

/// Binds `addr` and serves `router` until `shutdown` turns true.
pub async fn serve(
    addr: SocketAddr,
    tls: Arc<rustls::ServerConfig>,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), SandboxError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| SandboxError::io(addr.to_string(), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| SandboxError::io(addr.to_string(), e))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let task = tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = shutdown.changed() => break,
            };
            let Ok((tcp, peer)) = accepted else { continue };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let router = router.clone();
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                // A failed handshake (no or untrusted client certificate) just ends here.
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let kill = Arc::new(Notify::new());
                let conn = Connection {
                    peer,
                    kill: kill.clone(),
                };
                let service =
                    hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                        request.extensions_mut().insert(conn.clone());
                        router.clone().oneshot(request)
                    });
                let serving = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = serving => {}
                    () = kill.notified() => {}
                    _ = shutdown.changed() => {}
                }
            });
        }
    });
    Ok((local, task))
}
