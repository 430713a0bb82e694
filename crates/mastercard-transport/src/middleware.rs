//! The [`Middleware`] trait and the ordered stack the generated client carries.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::call::CallContext;
use crate::error::BoxError;
use crate::limits::ResponseLimits;
use crate::retry::RetryPolicy;
use crate::reuse::ConnectionReuse;

/// Why a middleware stopped a request or rejected a response, as a typed value: the
/// middleware's own error travels as the `source` of the call's error. Its `Display` must never
/// contain secrets, bodies or personal data.
#[derive(Debug)]
pub enum MiddlewareError {
    /// A deliberate refusal: a policy says this request must not be sent (the dispute-event
    /// guard). Reported as [`ErrorKind::Refused`](crate::ErrorKind::Refused).
    Refused(BoxError),
    /// The middleware could not do its job (signing, encryption, decryption failed).
    Failed(BoxError),
}

impl MiddlewareError {
    /// A deliberate refusal.
    pub fn refused(error: impl Into<BoxError>) -> Self {
        Self::Refused(error.into())
    }

    /// A failure to do the middleware's job.
    pub fn failed(error: impl Into<BoxError>) -> Self {
        Self::Failed(error.into())
    }
}

impl fmt::Display for MiddlewareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(error) => write!(f, "refused: {error}"),
            Self::Failed(error) => write!(f, "failed: {error}"),
        }
    }
}

impl std::error::Error for MiddlewareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(error) | Self::Failed(error) => Some(error.as_ref()),
        }
    }
}

/// One per-request concern (signing, encryption, the dispute-event guard, a user's logging or
/// metrics) of a generated client. Every method sees the call's typed [`CallContext`].
pub trait Middleware: Send + Sync + 'static {
    /// A short name for `Debug` output and error messages.
    fn name(&self) -> &'static str;

    /// Changes the request before it is sent: add headers, replace the body, or refuse.
    fn on_request(
        &self,
        _request: &mut reqwest::Request,
        _call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        Ok(())
    }

    /// Whether [`Middleware::on_request`] runs again before every retry attempt. Signing must
    /// (each attempt needs a fresh nonce and timestamp); a step that replaces the body (encryption)
    /// or reserves something (the dispute-event guard) must not, so the default is `false`.
    fn reapply_on_retry(&self) -> bool {
        false
    }

    /// Told how each attempt ended, after it ended and before any retry.
    fn on_attempt(&self, _request: &reqwest::Request, _outcome: &Outcome<'_>, _call: &CallContext) {
    }

    /// Told how the call ended, once, after the last attempt: the response's status and headers,
    /// or the transport error. `request` is the request as last sent. Used by the dispute-event
    /// guard to record whether an event may exist at Mastercard.
    fn on_outcome(&self, _request: &reqwest::Request, _outcome: &Outcome<'_>, _call: &CallContext) {
    }

    /// Transforms the buffered response body before it is deserialised (decryption,
    /// normalisation), or rejects it.
    fn on_response(
        &self,
        _status: StatusCode,
        _headers: &mut HeaderMap,
        body: Bytes,
        _call: &CallContext,
    ) -> Result<Bytes, MiddlewareError> {
        Ok(body)
    }
}

/// How an attempt or a call ended, as [`Middleware::on_outcome`] sees it.
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

/// The deadline of a call from its operation name and request-body size.
type DeadlineRule = dyn Fn(&str, usize) -> std::time::Duration + Send + Sync;

#[derive(Clone, Default)]
struct Stack {
    middlewares: Vec<Arc<dyn Middleware>>,
    retry: Option<Arc<RetryPolicy>>,
    operations: &'static [OperationSpec],
    limits: ResponseLimits,
    deadline: Option<Arc<DeadlineRule>>,
    reuse: Option<ConnectionReuse>,
}

/// The generated client's inner value: its middleware in request order, the retry policy, the
/// response limits, the deadline rule, the operation table — and, for one call, that call's
/// [`CallContext`].
#[derive(Clone, Default)]
pub struct Transport {
    stack: Arc<Stack>,
    call: Option<Arc<CallContext>>,
}

impl Transport {
    /// A transport with no middleware: requests go out exactly as generated.
    pub fn new() -> Self {
        Self::default()
    }

    fn stack_mut(&mut self) -> &mut Stack {
        Arc::make_mut(&mut self.stack)
    }

    /// Appends a middleware; on requests it runs after those already added, on responses before.
    pub fn with(self, middleware: impl Middleware) -> Self {
        self.with_shared(Arc::new(middleware))
    }

    /// Appends an already shared middleware (e.g. one the caller keeps a handle to).
    pub fn with_shared(mut self, middleware: Arc<dyn Middleware>) -> Self {
        self.stack_mut().middlewares.push(middleware);
        self
    }

    /// Retries the operations `policy` allows (see [`RetryPolicy`]); without it every call is
    /// sent once.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.stack_mut().retry = Some(Arc::new(policy));
        self
    }

    /// Caps response bodies (see [`ResponseLimits`]).
    pub fn with_limits(mut self, limits: ResponseLimits) -> Self {
        self.stack_mut().limits = limits;
        self
    }

    /// The deadline of a call from its operation (generated method name) and request-body size,
    /// unless the call overrides it. It bounds the whole call, retries included.
    pub fn with_deadline(
        mut self,
        rule: impl Fn(&str, usize) -> std::time::Duration + Send + Sync + 'static,
    ) -> Self {
        self.stack_mut().deadline = Some(Arc::new(rule));
        self
    }

    /// Tells `reuse` (installed on the HTTP client by
    /// [`HttpConfig::build_client`](crate::HttpConfig::build_client)) which call asks for a
    /// connection and when a call's connection is on its way back to the pool, so a call opens a
    /// new connection only when none is coming back for it.
    pub fn with_connection_reuse(mut self, reuse: ConnectionReuse) -> Self {
        self.stack_mut().reuse = Some(reuse);
        self
    }

    /// The connection rule, if any.
    pub fn connection_reuse(&self) -> Option<&ConnectionReuse> {
        self.stack.reuse.as_ref()
    }

    /// The client's operation table, so tracing spans carry the path template (never the path
    /// with its ids filled in).
    pub fn with_operations(mut self, operations: &'static [OperationSpec]) -> Self {
        self.stack_mut().operations = operations;
        self
    }

    /// The same transport carrying `call`: what the typed client passes to the generated client
    /// for one call.
    pub fn for_call(&self, call: Arc<CallContext>) -> Self {
        Self {
            stack: self.stack.clone(),
            call: Some(call),
        }
    }

    /// The context of the call this transport was made for, if any (none when the generated
    /// client is used directly).
    pub fn call(&self) -> Option<&Arc<CallContext>> {
        self.call.as_ref()
    }

    /// The middleware in request order.
    pub fn middlewares(&self) -> &[Arc<dyn Middleware>] {
        &self.stack.middlewares
    }

    /// The retry policy, if any.
    pub fn retry(&self) -> Option<&RetryPolicy> {
        self.stack.retry.as_deref()
    }

    /// The response limits.
    pub fn limits(&self) -> &ResponseLimits {
        &self.stack.limits
    }

    /// The deadline of a call of `operation` with a request body of `body_len` bytes.
    pub fn deadline_for(&self, operation: &str, body_len: usize) -> Option<std::time::Duration> {
        self.stack
            .deadline
            .as_ref()
            .map(|rule| rule(operation, body_len))
    }

    /// The operation whose generated method name is `rust_name`.
    pub fn operation(&self, rust_name: &str) -> Option<&'static OperationSpec> {
        self.stack
            .operations
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
                    .stack
                    .middlewares
                    .iter()
                    .map(|middleware| middleware.name())
                    .collect::<Vec<_>>(),
            )
            .field("retry", &self.stack.retry)
            .field("limits", &self.stack.limits)
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
