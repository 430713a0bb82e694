//! The [`Middleware`] trait and the ordered stack the generated client carries.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use progenitor_client::OperationInfo;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Why a middleware refused a request or a response. The message must never contain secrets,
/// bodies or personal data: it ends up in `Error::Custom` and in logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiddlewareError(pub String);

impl fmt::Display for MiddlewareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MiddlewareError {}

/// One per-request concern (signing, encryption, …) of a generated client.
pub trait Middleware: Send + Sync + 'static {
    /// A short name for `Debug` output and error messages.
    fn name(&self) -> &'static str;

    /// Changes the request before it is sent: add headers, replace the body.
    fn on_request(
        &self,
        _request: &mut reqwest::Request,
        _operation: &OperationInfo,
    ) -> Result<(), MiddlewareError> {
        Ok(())
    }

    /// Whether [`Middleware::on_response`] must see this operation's response body. Returning
    /// `false` keeps responses streaming through untouched.
    fn wants_response(&self, _operation: &OperationInfo) -> bool {
        false
    }

    /// Transforms a buffered response body before it is deserialised.
    fn on_response(
        &self,
        _status: StatusCode,
        _headers: &mut HeaderMap,
        body: Bytes,
        _operation: &OperationInfo,
    ) -> Result<Bytes, MiddlewareError> {
        Ok(body)
    }
}

/// The generated client's inner value: its middleware, in request order.
#[derive(Clone, Default)]
pub struct Transport {
    middlewares: Vec<Arc<dyn Middleware>>,
}

impl Transport {
    /// A transport with no middleware: requests go out exactly as generated.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a middleware; on requests it runs after those already added, on responses before.
    pub fn with(mut self, middleware: impl Middleware) -> Self {
        self.middlewares.push(Arc::new(middleware));
        self
    }

    /// The middleware in request order.
    pub fn middlewares(&self) -> &[Arc<dyn Middleware>] {
        &self.middlewares
    }
}

impl fmt::Debug for Transport {
    // Names only: a middleware holds keys, and `Debug` output ends up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.middlewares.iter().map(|middleware| middleware.name()))
            .finish()
    }
}

/// One operation of a generated client, as listed in the pinned spec. Each client crate exposes
/// `OPERATIONS: &[OperationSpec]`, generated beside the client, so middleware can map progenitor's
/// `OperationInfo::operation_id` (the Rust method name) back to the HTTP route and the spec's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The generated method name, equal to `OperationInfo::operation_id`.
    pub rust_name: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template, relative to the client's base URL.
    pub path: &'static str,
    /// The spec's tags.
    pub tags: &'static [&'static str],
}
