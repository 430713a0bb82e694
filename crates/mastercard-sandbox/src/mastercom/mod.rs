//! Mastercom at `/mastercom`: every operation of the pinned spec, routed from
//! [`mastercom::OPERATIONS`], behind OAuth1 verification of the request exactly as received.

pub mod clock;
mod errors;
pub mod model;
mod ops;
pub mod routes;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mastercard_oauth1::Verifier;

pub use errors::{ApiError, validate};

use crate::faults::{self, FaultAction, Faults};
use crate::server::Connection;
use crate::{Credentials, SandboxConfig, SandboxError};

/// Largest response body re-read by the truncation fault. Request bodies are capped by the
/// listener before they get here (`Limits::mastercom_max_body`, 413 beyond it).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Shared by every Mastercom request.
#[derive(Clone)]
pub struct AppState {
    verifier: Arc<Verifier>,
    model: Arc<model::Model>,
    faults: Faults,
    calls: crate::Calls,
}

impl AppState {
    /// Builds the verifier from the configured or generated signing key.
    pub fn new(
        config: &SandboxConfig,
        creds: &Credentials,
        model: Arc<model::Model>,
        faults: Faults,
        calls: crate::Calls,
    ) -> Result<Self, SandboxError> {
        let key_path = config
            .trust
            .oauth1_public_key
            .clone()
            .unwrap_or_else(|| creds.signing_cert.clone());
        let bytes = std::fs::read(&key_path).map_err(|e| SandboxError::io(&key_path, e))?;
        let key = match mastercard_keys::Certificate::from_bytes(&bytes) {
            Ok(cert) => cert.public_key(),
            Err(_) => mastercard_keys::PublicKey::from_pem(&bytes)
                .or_else(|_| mastercard_keys::PublicKey::from_der(&bytes)),
        }
        .map_err(|e| SandboxError::in_file(&key_path, e))?;
        let consumer_key = config
            .trust
            .oauth1_consumer_key
            .clone()
            .unwrap_or_else(|| creds.consumer_key.clone());
        let verifier = Verifier::new(key)
            .with_consumer_key(consumer_key)
            .with_window(config.oauth_window)
            .with_nonce_store(crate::nonces::store(config, creds)?);
        Ok(Self {
            verifier: Arc::new(verifier),
            model,
            faults,
            calls,
        })
    }
}

/// The Mastercom listener's router (plus the fault admin routes and the duplicate-event
/// counts).
pub fn router(state: AppState) -> axum::Router {
    let admin = faults::admin_router(state.faults.clone());
    let counts = axum::Router::new()
        .route(
            "/__sandbox/duplicate-events",
            axum::routing::get(duplicate_events),
        )
        .with_state(state.model.clone());
    axum::Router::new()
        .fallback(handle)
        .with_state(state)
        .merge(admin)
        .merge(counts)
}

/// `GET /__sandbox/duplicate-events` (loopback peers only, like the fault routes):
/// `{"created": n, "refused": m}`.
async fn duplicate_events(
    State(model): State<Arc<model::Model>>,
    connection: Option<axum::Extension<Connection>>,
) -> Response {
    match connection.as_deref() {
        Some(c) if c.peer.ip().is_loopback() => {
            axum::Json(model.duplicate_events()).into_response()
        }
        _ => (
            StatusCode::FORBIDDEN,
            "admin endpoints answer loopback peers only",
        )
            .into_response(),
    }
}

async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let connection = parts.extensions.get::<Connection>().cloned();
    let path = parts.uri.path().to_owned();
    let Some(spec_path) = path.strip_prefix("/mastercom") else {
        return ApiError::not_found("path", &path).into_response();
    };
    let Some((operation, mut params)) = routes::find(parts.method.as_str(), spec_path) else {
        return ApiError::not_found("operation", &format!("{} {path}", parts.method))
            .into_response();
    };
    // Path parameters arrive percent-encoded; the model works with the ids themselves.
    for value in params.values_mut() {
        *value = percent_decode_path(value);
    }
    state.calls.record(operation.operation_id);
    let fault = state.faults.take(operation.operation_id);
    faults::delay(fault.as_ref()).await;
    let action = fault.and_then(|f| f.action);
    match action {
        Some(FaultAction::ResetBeforeRead) => return faults::reset(connection.as_ref()).await,
        Some(FaultAction::Status500) => {
            return ApiError::server(StatusCode::INTERNAL_SERVER_ERROR).into_response();
        }
        Some(FaultAction::Status503) => {
            return ApiError::server(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
        _ => {}
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::invalid("INVALID_REQUEST", "request body unreadable or too large")
            .into_response();
    };
    if let Err(error) = authenticate(
        &state.verifier,
        &parts.method,
        &parts.uri,
        &parts.headers,
        &bytes,
    ) {
        return error.into_response();
    }
    let query = decode_query(parts.uri.query().unwrap_or(""));
    let call = ops::Call {
        params: &params,
        query: &query,
        body: &bytes,
    };
    let result = ops::handle(&state.model, operation.operation_id, &call);
    if action == Some(FaultAction::ResetAfterRead) {
        return faults::reset(connection.as_ref()).await;
    }
    let response = match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(error) => error.into_response(),
    };
    match action {
        Some(FaultAction::TruncatedBody) => {
            let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY)
                .await
                .unwrap_or_default();
            faults::truncated(bytes)
        }
        Some(FaultAction::WrongContentType) => faults::wrong_content_type(response),
        Some(FaultAction::InvalidJwe) => {
            let mut broken = Response::new(Body::from("{\"encryptedData\": not-json"));
            broken.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            broken
        }
        _ => response,
    }
}

/// Verifies the OAuth1 signature over the method, the URL as the client addressed it (scheme
/// `https`, the `Host` header, the raw path and query) and the body bytes received.
fn authenticate(
    verifier: &Verifier,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(), ApiError> {
    let Some(authorization) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(ApiError::unauthorized(
            "MISSING_AUTHORIZATION",
            "no OAuth Authorization header; sign the request with OAuth 1.0a (RSA-SHA256)".into(),
        ));
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::unauthorized(
            "MISSING_HOST",
            "no Host header: the signed URL cannot be reconstructed".into(),
        ));
    };
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let url = format!("https://{host}{path_and_query}");
    let body = if body.is_empty() {
        mastercard_oauth1::Body::Empty
    } else {
        mastercard_oauth1::Body::Bytes(body)
    };
    let request = mastercard_oauth1::Request {
        method: method.as_str(),
        url: &url,
        body,
    };
    verifier
        .verify(&request, authorization)
        .map(|_| ())
        .map_err(|error| {
            ApiError::unauthorized(&error.code().to_ascii_uppercase(), error.to_string())
        })
}

fn decode_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode_path(s: &str) -> String {
    // In a path, `+` is a literal plus.
    percent_decode(&s.replace('+', "%2B"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
