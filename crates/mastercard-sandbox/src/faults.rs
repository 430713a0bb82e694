//! Fault injection, switchable per route at runtime.
//!
//! A route is a Mastercom `operationId` (e.g. `createClaim`), `retrieveTransactionInsights` for
//! IIT, or `*` for every route. Set faults with [`Faults::set`] or, from loopback only, with
//! `PUT /__sandbox/faults/<route>` and a JSON [`Fault`] body on either listener
//! (`DELETE /__sandbox/faults` clears them all).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use bytes::Bytes;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::server::Connection;

/// What to do to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer 500 with the API's error shape.
    Status500,
    /// Answer 503 with the API's error shape.
    Status503,
    /// Close the connection before reading the request body (nothing is processed).
    ResetBeforeRead,
    /// Read and process the request, then close the connection without answering.
    ResetAfterRead,
    /// Send a `Content-Length` larger than the body, then close the connection.
    TruncatedBody,
    /// Answer 200 with an `encryptedData` that is not a valid JWE (IIT; Mastercom: a JSON body
    /// that is not valid JSON).
    InvalidJwe,
    /// Answer with `Content-Type: text/html`.
    WrongContentType,
}

/// A fault for one route. Unknown fields are refused, so a misspelt `latency_ms` is an error
/// rather than a fault that silently does nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Added latency before anything else happens, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
    /// The failure, if any (latency alone is allowed).
    #[serde(default)]
    pub action: Option<FaultAction>,
    /// Apply to this many requests, then clear (unset: until cleared).
    #[serde(default)]
    pub times: Option<u32>,
}

impl Fault {
    /// A fault with `action` until cleared.
    pub fn action(action: FaultAction) -> Self {
        Self {
            action: Some(action),
            ..Self::default()
        }
    }

    /// Only for the next `times` requests.
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Added latency.
    #[must_use]
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self
    }
}

/// Every route a fault can be set on: each Mastercom `operationId`, the IIT route and `*`.
pub fn known_routes() -> Vec<&'static str> {
    let mut routes: Vec<&'static str> = mastercom::OPERATIONS
        .iter()
        .map(|op| op.operation_id)
        .collect();
    routes.push(crate::iit::ROUTE);
    routes.push("*");
    routes
}

/// Whether a fault on `route` can ever apply.
pub fn is_known_route(route: &str) -> bool {
    known_routes().contains(&route)
}

/// The fault switchboard, shared by the listeners and the admin endpoint.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    routes: Arc<Mutex<HashMap<String, Fault>>>,
}

impl Faults {
    /// Sets the fault for `route` (an operationId or `*`; see [`is_known_route`]: a fault on
    /// any other name never applies, and the admin endpoint refuses such names).
    pub fn set(&self, route: impl Into<String>, fault: Fault) {
        self.routes.lock().insert(route.into(), fault);
    }

    /// Clears the fault for `route`.
    pub fn clear(&self, route: &str) {
        self.routes.lock().remove(route);
    }

    /// Clears every fault.
    pub fn clear_all(&self) {
        self.routes.lock().clear();
    }

    /// The fault that applies to this request of `route`, consuming one use of it.
    pub(crate) fn take(&self, route: &str) -> Option<Fault> {
        let mut routes = self.routes.lock();
        let key = if routes.contains_key(route) {
            route
        } else {
            "*"
        };
        let fault = routes.get_mut(key)?;
        let out = fault.clone();
        if let Some(times) = fault.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                routes.remove(key);
            }
        }
        Some(out)
    }
}

/// Waits out the fault's latency.
pub(crate) async fn delay(fault: Option<&Fault>) {
    if let Some(fault) = fault
        && fault.latency_ms > 0
    {
        tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
}

/// Drops the connection and never answers (the client sees the connection close).
pub(crate) async fn reset(connection: Option<&Connection>) -> Response {
    if let Some(connection) = connection {
        connection.kill();
    }
    std::future::pending::<()>().await;
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// A response whose declared length exceeds what is sent before the connection is closed.
pub(crate) fn truncated(body: Bytes) -> Response {
    let half = body.slice(..body.len() / 2);
    // The half is sent, then the stream pauses so hyper flushes it, then fails, which makes
    // hyper close the connection short of the declared length.
    let chunks = futures_util::stream::unfold(0u8, move |step| {
        let half = half.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(half), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Some((
                        Err(std::io::Error::other("sandbox fault: truncated body")),
                        2,
                    ))
                }
                _ => None,
            }
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(body.len().max(2)));
    response
}

/// Rewrites the content type to one a JSON client must refuse.
pub(crate) fn wrong_content_type(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// The loopback-only admin routes, merged into both listeners' routers.
pub(crate) fn admin_router(faults: Faults) -> axum::Router {
    axum::Router::new()
        .route(
            "/__sandbox/faults/{route}",
            put(set_fault).delete(clear_fault),
        )
        .route("/__sandbox/faults", axum::routing::delete(clear_faults))
        .with_state(faults)
}

fn loopback_only(connection: Option<&Connection>) -> Result<(), Box<Response>> {
    match connection {
        Some(c) if c.peer.ip().is_loopback() => Ok(()),
        _ => Err(Box::new(
            (
                StatusCode::FORBIDDEN,
                "admin endpoints answer loopback peers only",
            )
                .into_response(),
        )),
    }
}

async fn set_fault(
    State(faults): State<Faults>,
    connection: Option<axum::Extension<Connection>>,
    Path(route): Path<String>,
    Json(fault): Json<Fault>,
) -> Response {
    if let Err(refused) = loopback_only(connection.as_deref()) {
        return *refused;
    }
    if !is_known_route(&route) {
        return unknown_route(&route);
    }
    faults.set(route, fault);
    StatusCode::NO_CONTENT.into_response()
}

/// 400 naming the valid routes (and the closest one, as a typo is the likely cause).
fn unknown_route(route: &str) -> Response {
    let valid = known_routes();
    let closest = valid
        .iter()
        .min_by_key(|candidate| edit_distance(route, candidate))
        .copied()
        .unwrap_or("*");
    let shown: String = route.chars().take(100).collect();
    let body = serde_json::json!({
        "error": format!("unknown fault route {shown:?}; did you mean {closest:?}? A route is a Mastercom operationId, {:?} or \"*\"", crate::iit::ROUTE),
        "valid_routes": valid,
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Levenshtein distance over characters (route names are short: at most about 60 characters
/// are compared, so the quadratic cost is bounded).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let insertion = current[j] + 1;
            let deletion = previous[j + 1] + 1;
            current.push(substitution.min(insertion).min(deletion));
        }
        previous = current;
    }
    previous[b.len()]
}

async fn clear_fault(
    State(faults): State<Faults>,
    connection: Option<axum::Extension<Connection>>,
    Path(route): Path<String>,
) -> Response {
    if let Err(refused) = loopback_only(connection.as_deref()) {
        return *refused;
    }
    if !is_known_route(&route) {
        return unknown_route(&route);
    }
    faults.clear(&route);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(
    State(faults): State<Faults>,
    connection: Option<axum::Extension<Connection>>,
) -> Response {
    if let Err(refused) = loopback_only(connection.as_deref()) {
        return *refused;
    }
    faults.clear_all();
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_cover_every_operation_and_typos_find_their_route() {
        let routes = known_routes();
        assert_eq!(routes.len(), mastercom::OPERATIONS.len() + 2);
        assert!(is_known_route("createClaim") && is_known_route("*"));
        assert!(!is_known_route("createClam"));
        assert_eq!(edit_distance("createClam", "createClaim"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
