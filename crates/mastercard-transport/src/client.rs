//! What every typed client method does around the generated one: open a [`CallContext`], hand the
//! generated client a transport carrying it, and turn the result into a [`Response`] or a
//! [`CallError`] ([`finish`]).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;

use crate::call::CallContext;
use crate::error::CallError;
use crate::{Transport, correlation_id};

/// The parts a typed client is made of: where requests go, the one HTTP client (its connection
/// pool), the middleware stack, and an optional per-call deadline.
#[derive(Clone)]
pub struct ClientCore {
    base_url: String,
    http: reqwest::Client,
    transport: Transport,
    call_timeout: Option<Duration>,
}

impl ClientCore {
    /// A core sending to `base_url` (checked already) through `http` and `transport`.
    pub fn new(base_url: impl Into<String>, http: reqwest::Client, transport: Transport) -> Self {
        Self {
            base_url: base_url.into(),
            http,
            transport,
            call_timeout: None,
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP client (shared by every call: one connection pool).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The middleware stack without a call.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The same core whose calls end within `timeout` (retries included), whatever the
    /// operation's default.
    pub fn with_call_timeout(&self, timeout: Duration) -> Self {
        Self {
            call_timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// Opens the context of one call of `operation` (the generated method name) and returns it
    /// with the transport that carries it into the generated client's hooks.
    pub fn begin(&self, operation: &'static str) -> (Arc<CallContext>, Transport) {
        let mut call = CallContext::new(operation);
        if let Some(timeout) = self.call_timeout {
            call = call.with_timeout(timeout);
        }
        let call = Arc::new(call);
        let transport = self.transport.for_call(call.clone());
        (call, transport)
    }
}

impl fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url)
            .field("transport", &self.transport)
            .field("call_timeout", &self.call_timeout)
            .finish_non_exhaustive()
    }
}

/// A successful response: the typed value, with the status and correlation id it came with.
/// Derefs to the value.
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    status: StatusCode,
    correlation_id: Option<String>,
}

impl<T> Response<T> {
    /// The typed value.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Mastercard's correlation id of the response, to quote to Mastercard support.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    fn from_value(value: ResponseValue<T>) -> Self {
        let status = value.status();
        let correlation_id = correlation_id(value.headers()).map(str::to_owned);
        Self {
            value: value.into_inner(),
            status,
            correlation_id,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// The last step of every typed call: the generated method's result and the call's context
/// become a [`Response`] or one [`CallError`].
pub fn finish<T, E>(
    call: &CallContext,
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<Response<T>, CallError> {
    match result {
        Ok(value) => Ok(Response::from_value(value)),
        Err(error) => Err(CallError::from_call(error, call)),
    }
}
