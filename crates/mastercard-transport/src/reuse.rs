//! Connection reuse: a call opens a new connection only when no connection is on its way back
//! to the pool for it.
//!
//! Why this is needed (hyper 1.12, hyper-util 0.1.21, read in the cargo registry sources):
//!
//! * An HTTP/1 connection goes back to reqwest's pool from a *spawned task*: when the response
//!   head arrives while its body is still to be read, `try_send_request` spawns
//!   `poll_fn(|cx| pooled.poll_ready(cx))` and the pooled connection is put back when that
//!   task sees the connection ready again (`hyper-util/src/client/legacy/client.rs`, lines
//!   349–363).
//! * The connection task signals "ready" only after it has handed the body's end to the reader:
//!   the body sender is dropped in `poll_read` (`hyper/src/proto/h1/dispatch.rs`, lines
//!   231–290), the `want` signal that wakes the returning task comes later, from
//!   `Receiver::poll_recv` (`hyper/src/client/dispatch.rs`, lines 193–195).
//! * So the caller sees the end of the body, returns, and its next call checks the pool out
//!   *before* the returning task has run — on a multi-threaded runtime the two run in parallel.
//!   The checkout finds nothing idle and races a new connect against it; when the returned
//!   connection then wins, the started connect is still finished in the background and pooled
//!   (`client.rs`, lines 411–441). Each lost race costs one TCP connection and TLS handshake.
//!
//! The fix is a rule in front of the connector, with two facts only the transport knows:
//!
//! 1. When a call has read its body to the end on an HTTP/1.1 keep-alive response, its
//!    connection is *on its way back* ([`ConnectionReuse::released`]).
//! 2. When a call's request has been answered, it no longer needs a connection, and the
//!    connection that answered it is taken ([`ConnectionReuse::execute`] records this).
//!    Connections are told apart by their local address (hyper-util's `HttpInfo`, which reqwest
//!    keeps in every response's extensions).
//!
//! A connect requested by a call (found through a task-local ticket: the connector is first
//! polled inside the caller's task) waits while there are at least as many connections on their
//! way back as calls waiting for one; it is dropped without connecting when its call was served
//! by the pool meanwhile, and it proceeds as soon as waiting calls outnumber returning
//! connections. A connection that does not come back (the server closed it without saying
//! `Connection: close`) stops counting after [`RETURN_WINDOW`]; that bound is only reached when
//! a connection is lost, never on the normal path, where the return takes microseconds. (A
//! connection that is back, idle in the pool, and stops counting does no harm: a checkout takes
//! it without connecting.) After a connect waited for a connection that was lost, the rule
//! stops waiting until a released connection is seen answering again, so a server that closes
//! every connection silently costs one window, not one per call.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use reqwest::header::{CONNECTION, HeaderMap};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::error::BoxError;

/// How long a released connection counts as on its way back to the pool. Returning takes two
/// task wake-ups (microseconds, a few milliseconds on a loaded machine); a connection not back
/// by then was closed, and a new one may be opened. It is also the most a call can wait when a
/// server closes connections after answering without saying so.
pub const RETURN_WINDOW: Duration = Duration::from_millis(100);

tokio::task_local! {
    /// The call whose `reqwest::Client::execute` is being polled, for the connector to see.
    static CALL: Arc<Ticket>;
}

/// One call, as the connection rule sees it. Its flags change under the rule's lock only.
#[derive(Debug, Default)]
struct Ticket {
    /// The request was answered (or failed): a connect started for it is no longer needed.
    served: AtomicBool,
    /// A connect of this call is waiting (counted in `State::waiting`).
    waiting: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    /// Each connection on its way back (by local address) and when it was released, oldest
    /// first.
    returning: VecDeque<(SocketAddr, Instant)>,
    /// Connects waiting, of calls not served yet.
    waiting: usize,
    /// A connect waited for a connection that never came back, and no released connection has
    /// answered a call since: do not wait for returning connections.
    lossy: bool,
}

impl State {
    /// Stops counting connections released more than [`RETURN_WINDOW`] ago; returns how many.
    fn forget_lost(&mut self, now: Instant) -> usize {
        let before = self.returning.len();
        while self
            .returning
            .front()
            .is_some_and(|(_, released)| *released + RETURN_WINDOW <= now)
        {
            self.returning.pop_front();
        }
        before - self.returning.len()
    }

    /// How many connections a waiting connect may count on.
    fn expected_back(&self) -> usize {
        if self.lossy { 0 } else { self.returning.len() }
    }
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

/// The connection rule of one HTTP client: install [`ConnectionReuse::layer`] on its reqwest
/// builder (as [`HttpConfig::build_client`](crate::HttpConfig::build_client) does) and hand the
/// same value to the [`Transport`](crate::Transport) (`with_connection_reuse`). Clones share
/// the rule.
#[derive(Debug, Clone, Default)]
pub struct ConnectionReuse {
    shared: Arc<Shared>,
}

/// Why a connect was dropped: its call was answered over a pooled connection meanwhile. Only
/// reqwest's background connect task sees it (and logs it at trace level).
#[derive(Debug, thiserror::Error)]
#[error("connection not opened: the call was served by a pooled connection")]
pub struct Superseded;

/// A deregistration that also runs when a waiting connect is dropped (timeout, cancellation).
struct Waiting<'a> {
    reuse: &'a ConnectionReuse,
    ticket: &'a Ticket,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut state = self.reuse.state();
        if self.ticket.waiting.swap(false, Ordering::SeqCst) {
            state.waiting = state.waiting.saturating_sub(1);
        }
    }
}

impl ConnectionReuse {
    /// A rule for a client with no connections yet.
    pub fn new() -> Self {
        Self::default()
    }

    // A poisoned lock only means a thread panicked while holding it; the counts are plain data.
    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The layer to install with `reqwest::ClientBuilder::connector_layer`.
    pub fn layer(&self) -> ReuseLayer {
        ReuseLayer {
            reuse: self.clone(),
        }
    }

    /// Sends `request` with `client`, letting the connector know which call asks for a
    /// connection, and records afterwards that the call no longer needs one.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let ticket = Arc::new(Ticket::default());
        let result = CALL.scope(ticket.clone(), client.execute(request)).await;
        self.served(&ticket, result.as_ref().ok().and_then(connection_of));
        result
    }

    /// Records that `ticket`'s call was answered over `connection` (or failed, `None`).
    fn served(&self, ticket: &Ticket, connection: Option<SocketAddr>) {
        {
            let mut state = self.state();
            ticket.served.store(true, Ordering::SeqCst);
            if ticket.waiting.swap(false, Ordering::SeqCst) {
                state.waiting = state.waiting.saturating_sub(1);
            }
            if let Some(connection) = connection {
                let before = state.returning.len();
                state
                    .returning
                    .retain(|(returning, _)| *returning != connection);
                if state.returning.len() < before {
                    // A released connection came back and answered: worth waiting for again.
                    state.lossy = false;
                }
            }
        }
        // A connect waiting for this call gives up; others re-check the count.
        self.shared.changed.notify_waiters();
    }

    /// Records that a call read its response (`version`, `headers`, received over `connection`,
    /// see [`connection_of`]) to the end: if the connection stays open (HTTP/1.1 without
    /// `Connection: close`), it is on its way back to the pool.
    pub fn released(
        &self,
        version: reqwest::Version,
        headers: &HeaderMap,
        connection: Option<SocketAddr>,
    ) {
        let Some(connection) = connection.filter(|_| keeps_alive(version, headers)) else {
            return;
        };
        self.state()
            .returning
            .push_back((connection, Instant::now()));
        // A released connection goes to a waiting checkout; nothing to wake here.
    }

    /// Waits until a connect for `ticket`'s call may open a connection, or fails with
    /// [`Superseded`] when the call was served by the pool meanwhile.
    async fn admit(&self, ticket: &Ticket) -> Result<(), Superseded> {
        let registration = Waiting {
            reuse: self,
            ticket,
        };
        let mut timed_out = false;
        loop {
            // Registered before the counts are read, so no change is missed in between.
            let mut changed = std::pin::pin!(self.shared.changed.notified());
            changed.as_mut().enable();
            let next_loss = {
                let mut state = self.state();
                if ticket.served.load(Ordering::SeqCst) {
                    return Err(Superseded);
                }
                let lost = state.forget_lost(Instant::now());
                if timed_out && lost > 0 {
                    state.lossy = true;
                }
                if !ticket.waiting.swap(true, Ordering::SeqCst) {
                    state.waiting += 1;
                }
                if state.waiting > state.expected_back() {
                    ticket.waiting.store(false, Ordering::SeqCst);
                    state.waiting -= 1;
                    drop(state);
                    drop(registration);
                    return Ok(());
                }
                state
                    .returning
                    .front()
                    .map(|(_, released)| *released + RETURN_WINDOW)
            };
            match next_loss {
                Some(deadline) => {
                    timed_out = tokio::time::timeout_at(deadline, changed).await.is_err();
                }
                None => changed.await,
            }
        }
    }
}

/// The connection `response` came over, by its local address (none when reqwest's connector
/// did not record it).
pub fn connection_of(response: &reqwest::Response) -> Option<SocketAddr> {
    response
        .extensions()
        .get::<hyper_util::client::legacy::connect::HttpInfo>()
        .map(hyper_util::client::legacy::connect::HttpInfo::local_addr)
}

/// Whether the connection of a response with `version` and `headers` stays open after it.
fn keeps_alive(version: reqwest::Version, headers: &HeaderMap) -> bool {
    // HTTP/2 connections are shared by every call and never "on their way back"; HTTP/1.0 closes
    // unless told otherwise, and reqwest does not ask it to keep alive.
    version == reqwest::Version::HTTP_11
        && !headers.get_all(CONNECTION).iter().any(|value| {
            value.to_str().is_ok_and(|value| {
                value
                    .split(',')
                    .any(|token| token.trim().eq_ignore_ascii_case("close"))
            })
        })
}

/// The `tower` layer that puts [`ConnectionReuse`]'s rule in front of reqwest's connector.
#[derive(Debug, Clone)]
pub struct ReuseLayer {
    reuse: ConnectionReuse,
}

impl<S> tower_layer::Layer<S> for ReuseLayer {
    type Service = ReuseService<S>;

    fn layer(&self, inner: S) -> ReuseService<S> {
        ReuseService {
            inner,
            reuse: self.reuse.clone(),
        }
    }
}

/// reqwest's connector behind [`ConnectionReuse`]'s rule.
#[derive(Debug, Clone)]
pub struct ReuseService<S> {
    inner: S,
    reuse: ConnectionReuse,
}

impl<S, R> tower_service::Service<R> for ReuseService<S>
where
    S: tower_service::Service<R, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // hyper-util starts a connect on its first poll, inside the caller's task: the ticket of
        // the call asking is visible here. Without one (reqwest used directly), no rule applies.
        let ticket = CALL.try_with(Arc::clone).ok();
        // The instance `poll_ready` was called on serves this request; a clone stays behind.
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let reuse = self.reuse.clone();
        Box::pin(async move {
            if let Some(ticket) = ticket {
                reuse.admit(&ticket).await?;
            }
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn response_headers(connection: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = connection {
            headers.insert(CONNECTION, value.parse().unwrap());
        }
        headers
    }

    fn connection(port: u16) -> Option<SocketAddr> {
        Some(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    const V11: reqwest::Version = reqwest::Version::HTTP_11;

    #[test]
    fn only_http11_keep_alive_responses_release_their_connection() {
        assert!(keeps_alive(V11, &response_headers(None)));
        assert!(keeps_alive(V11, &response_headers(Some("keep-alive"))));
        assert!(!keeps_alive(V11, &response_headers(Some("Close"))));
        assert!(!keeps_alive(V11, &response_headers(Some("upgrade, close"))));
        assert!(!keeps_alive(
            reqwest::Version::HTTP_2,
            &response_headers(None)
        ));
        assert!(!keeps_alive(
            reqwest::Version::HTTP_10,
            &response_headers(None)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_connect_waits_for_a_returning_connection_and_yields_to_the_pool() {
        let reuse = ConnectionReuse::new();
        reuse.released(V11, &HeaderMap::new(), connection(1));
        let ticket = Arc::new(Ticket::default());
        let waiting = tokio::spawn({
            let (reuse, ticket) = (reuse.clone(), ticket.clone());
            async move { reuse.admit(&ticket).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "one connection is on its way back");
        assert_eq!(reuse.state().waiting, 1);
        // The call is answered over the returned connection: its connect is not needed.
        reuse.served(&ticket, connection(1));
        assert!(waiting.await.unwrap().is_err());
        assert_eq!(reuse.state().waiting, 0);
        assert!(reuse.state().returning.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_calls_beyond_the_returning_connections_connect() {
        let reuse = ConnectionReuse::new();
        // Nothing returning: connect at once.
        reuse.admit(&Ticket::default()).await.unwrap();
        reuse.released(V11, &HeaderMap::new(), connection(1));
        // A call answered over another connection does not take this one.
        reuse.served(&Ticket::default(), connection(2));
        assert_eq!(reuse.state().returning.len(), 1);
        let first = Arc::new(Ticket::default());
        let waiting = tokio::spawn({
            let (reuse, first) = (reuse.clone(), first.clone());
            async move { reuse.admit(&first).await }
        });
        tokio::task::yield_now().await;
        // A second call wants a connection too: one returning connection serves only one.
        reuse.admit(&Ticket::default()).await.unwrap();
        assert!(!waiting.is_finished());
        // The returning connection is lost: after the window, the first call connects.
        tokio::time::advance(RETURN_WINDOW).await;
        waiting.await.unwrap().unwrap();
        assert!(reuse.state().returning.is_empty());
    }

    #[test]
    fn closing_and_unidentified_connections_are_not_waited_for() {
        let reuse = ConnectionReuse::new();
        reuse.released(V11, &response_headers(Some("close")), connection(1));
        reuse.released(V11, &HeaderMap::new(), None);
        assert!(reuse.state().returning.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_lost_connection_the_rule_waits_again_only_once_one_comes_back() {
        let reuse = ConnectionReuse::new();
        reuse.released(V11, &HeaderMap::new(), connection(1));
        let waited = tokio::spawn({
            let reuse = reuse.clone();
            async move { reuse.admit(&Ticket::default()).await }
        });
        tokio::task::yield_now().await;
        assert!(!waited.is_finished());
        tokio::time::advance(RETURN_WINDOW).await;
        waited.await.unwrap().unwrap();
        assert!(reuse.state().lossy, "connection 1 never came back");
        // The server seems to close connections: the next connect does not wait.
        reuse.released(V11, &HeaderMap::new(), connection(2));
        reuse.admit(&Ticket::default()).await.unwrap();
        // Connection 2 did come back and answered: waiting is worth it again.
        reuse.served(&Ticket::default(), connection(2));
        assert!(!reuse.state().lossy);
        reuse.released(V11, &HeaderMap::new(), connection(2));
        let ticket = Arc::new(Ticket::default());
        let waiting = tokio::spawn({
            let (reuse, ticket) = (reuse.clone(), ticket.clone());
            async move { reuse.admit(&ticket).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        reuse.served(&ticket, connection(2));
        assert!(waiting.await.unwrap().is_err());
    }
}
