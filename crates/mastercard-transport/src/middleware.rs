//! The [`Middleware`] trait and the ordered stack the generated client carries.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use progenitor_client::OperationInfo;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::retry::RetryPolicy;

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

    /// Whether [`Middleware::on_request`] runs again before every retry attempt. Signing must
    /// (each attempt needs a fresh nonce and timestamp); a step that replaces the body (encryption)
    /// or reserves something (the dispute-event guard) must not, so the default is `false`.
    fn reapply_on_retry(&self) -> bool {
        false
    }

    /// Told how the call ended, once, after the last attempt: the response's status and headers,
    /// or the transport error. `request` is the request as last sent. Used by the dispute-event
    /// guard to record whether an event may exist at Mastercard.
    fn on_outcome(
        &self,
        _request: &reqwest::Request,
        _outcome: &Outcome<'_>,
        _operation: &OperationInfo,
    ) {
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

/// How a call ended, as [`Middleware::on_outcome`] sees it.
#[derive(Debug)]
pub enum Outcome<'a> {
    /// A response arrived (any status).
    Response {
        /// Its status.
        status: StatusCode,
        /// Its headers.
        headers: &'a HeaderMap,
    },
    /// No response: the transport failed.
    Failed(&'a reqwest::Error),
}

impl Outcome<'_> {
    /// Whether the server may have received the request: always for a response; for a transport
    /// error, unless the connection was never established.
    pub fn request_may_have_been_sent(&self) -> bool {
        match self {
            Self::Response { .. } => true,
            Self::Failed(error) => crate::error_may_have_been_sent(error),
        }
    }
}

/// The generated client's inner value: its middleware, in request order, and the optional
/// retry policy and operation table that `exec` uses.
#[derive(Clone, Default)]
pub struct Transport {
    middlewares: Vec<Arc<dyn Middleware>>,
    retry: Option<Arc<RetryPolicy>>,
    operations: &'static [OperationSpec],
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

    /// Appends an already shared middleware (e.g. one the caller keeps a handle to).
    pub fn with_shared(mut self, middleware: Arc<dyn Middleware>) -> Self {
        self.middlewares.push(middleware);
        self
    }

    /// Retries the operations `policy` allows (see [`RetryPolicy`]); without it every call is
    /// sent once.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(Arc::new(policy));
        self
    }

    /// The client's operation table, so tracing spans carry the path template (never the path
    /// with its ids filled in).
    pub fn with_operations(mut self, operations: &'static [OperationSpec]) -> Self {
        self.operations = operations;
        self
    }

    /// The middleware in request order.
    pub fn middlewares(&self) -> &[Arc<dyn Middleware>] {
        &self.middlewares
    }

    /// The retry policy, if any.
    pub fn retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_deref()
    }

    /// The operation whose generated method name is `rust_name`.
    pub fn operation(&self, rust_name: &str) -> Option<&'static OperationSpec> {
        self.operations
            .iter()
            .find(|operation| operation.rust_name == rust_name)
    }
}

impl fmt::Debug for Transport {
    // Names only: a middleware holds keys, and `Debug` output ends up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field(
                "middlewares",
                &self
                    .middlewares
                    .iter()
                    .map(|middleware| middleware.name())
                    .collect::<Vec<_>>(),
            )
            .field("retry", &self.retry)
            .finish_non_exhaustive()
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
