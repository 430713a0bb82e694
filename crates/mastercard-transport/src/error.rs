//! The one error vocabulary of both clients: what went wrong ([`ErrorKind`]), whether the request
//! may have reached Mastercard ([`Delivery`]), and what came back (status, correlation id,
//! Mastercard's error entries, the raw body).
//!
//! [`CallError`] is decided once, in [`CallError::from_call`], from the typed
//! [`CallContext`](crate::CallContext) of the call and progenitor's error value; each client crate
//! wraps it in its own `Error` type with [`client_error!`](crate::client_error).

use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;
use serde_json::Value;

use crate::call::{CallContext, Failure, Stage};
use mastercard_oauth1::{Diagnosis, acceptable_base_string, diagnose};

pub use crate::call::BoxError;

/// Whether a failed request reached Mastercard. Decides what is safe to do next: a request that
/// was not sent can be sent again; one that may have been sent must not be repeated blindly when
/// it creates a dispute event — check the claim first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// The request never left the client (refused before sending, or no connection was made).
    NotSent,
    /// The request may have reached the server, but no response was read (timeout, connection
    /// lost after writing).
    MayHaveBeenSent,
    /// The server received the request and a response (at least its status line) arrived.
    Received,
}

/// What kind of failure a [`CallError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A request step refused to send the request on purpose (e.g. the dispute-event guard); the
    /// refusal is the error's `source`.
    Refused,
    /// A request step failed (signing, encryption), or the request could not be built.
    InvalidRequest,
    /// No connection could be made (refused, DNS, connect timeout).
    Connect,
    /// The TLS handshake failed (untrusted or invalid server certificate, client certificate
    /// refused).
    Tls,
    /// The call's deadline passed after the connection was made.
    Timeout,
    /// The connection broke after the request was written, or while reading the response.
    ConnectionLost,
    /// Mastercard answered with an error status (see [`CallError::mastercard_errors`]).
    Api,
    /// The server answered with a redirect. Mastercard's APIs do not redirect, so none is
    /// followed (see [`CallError::location`]).
    Redirect,
    /// The response body is larger than the configured cap; reading stopped there.
    ResponseTooLarge,
    /// The response is not what the API promises for its status: not JSON, the wrong shape, an
    /// undocumented success status, or plaintext where ciphertext is due.
    InvalidResponse,
}

/// One entry of a Mastercard error body, whichever shape it arrived in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MastercardError {
    /// Which system reported it (`Source`).
    pub source: Option<String>,
    /// Machine-readable reason (`ReasonCode`), e.g. `INVALID_CLAIM_ID`.
    pub reason_code: Option<String>,
    /// Human-readable description (`Description`).
    pub description: Option<String>,
    /// Whether retrying the same request may succeed (`Recoverable`).
    pub recoverable: bool,
    /// Mastercard's request id (`RequestId`), to quote to Mastercard support.
    pub request_id: Option<String>,
    /// `Details` as name/value pairs (a plain-text `Details` becomes one value without name).
    pub details: Vec<(Option<String>, Option<String>)>,
}

/// A failed call of either client. `Display` and `Debug` never contain bodies, keys or card
/// numbers; the raw body is available through [`CallError::raw_body`].
pub struct CallError {
    // Boxed: an error travels in every `Result` of both clients and should stay one pointer wide.
    inner: Box<Details>,
}

struct Details {
    kind: ErrorKind,
    delivery: Delivery,
    operation: &'static str,
    status: Option<StatusCode>,
    correlation_id: Option<String>,
    location: Option<String>,
    errors: Vec<MastercardError>,
    raw_body: Option<Bytes>,
    message: String,
    source: Option<BoxError>,
    signature_mismatch: Option<Diagnosis>,
}

impl CallError {
    /// An error of `kind` for `operation` with a message that is safe to log.
    pub fn new(
        kind: ErrorKind,
        delivery: Delivery,
        operation: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            inner: Box::new(Details {
                kind,
                delivery,
                operation,
                status: None,
                correlation_id: None,
                location: None,
                errors: Vec::new(),
                raw_body: None,
                message: message.into(),
                source: None,
                signature_mismatch: None,
            }),
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Whether the request reached (or may have reached) Mastercard.
    pub fn delivery(&self) -> Delivery {
        self.inner.delivery
    }

    /// `true` unless the request certainly never left the client. When `true` for an operation
    /// that creates a dispute event, check the claim before sending again.
    pub fn request_may_have_been_sent(&self) -> bool {
        self.inner.delivery != Delivery::NotSent
    }

    /// The generated method name of the failed operation (e.g. `create_chargeback`).
    pub fn operation(&self) -> &'static str {
        self.inner.operation
    }

    /// The HTTP status, whenever a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// Mastercard's correlation id: the response header (`correlation-id`,
    /// `X-MC-Correlation-ID`), else the first error entry's `RequestId`.
    pub fn correlation_id(&self) -> Option<&str> {
        self.inner.correlation_id.as_deref().or_else(|| {
            self.inner
                .errors
                .iter()
                .find_map(|entry| entry.request_id.as_deref())
        })
    }

    /// The `Location` of a redirect ([`ErrorKind::Redirect`]).
    pub fn location(&self) -> Option<&str> {
        self.inner.location.as_deref()
    }

    /// Mastercard's error entries (empty when the body had none), from either body shape.
    pub fn mastercard_errors(&self) -> &[MastercardError] {
        &self.inner.errors
    }

    /// The response body exactly as received (capped by the client's error-body limit). It may
    /// contain personal data: do not log it.
    pub fn raw_body(&self) -> Option<&[u8]> {
        self.inner.raw_body.as_deref()
    }

    /// Why the gateway refused the signature: when a 401 carried an "Acceptable signature base
    /// string", its comparison with the base string this client signed for that attempt
    /// (method, scheme, host, path, each query parameter, the body hash, the `oauth_*` values).
    pub fn signature_mismatch(&self) -> Option<&Diagnosis> {
        self.inner.signature_mismatch.as_ref()
    }

    /// Whether Mastercard said retrying may succeed (every entry `Recoverable`).
    pub fn is_recoverable(&self) -> bool {
        !self.inner.errors.is_empty() && self.inner.errors.iter().all(|entry| entry.recoverable)
    }

    /// The underlying error downcast to `T` (e.g. the dispute-event guard's refusal, a
    /// `JweError`), searching the whole `source` chain.
    pub fn find_source<T: StdError + 'static>(&self) -> Option<&T> {
        let mut next: Option<&(dyn StdError + 'static)> = self.source();
        while let Some(error) = next {
            if let Some(found) = error.downcast_ref::<T>() {
                return Some(found);
            }
            next = error.source();
        }
        None
    }

    /// Decides the error of a finished call from what its [`CallContext`] recorded and the error
    /// value progenitor's generated method returned. A typed failure recorded by a middleware or
    /// by the transport wins; otherwise progenitor's value is classified, with the status,
    /// correlation id and raw body of any response that arrived.
    pub fn from_call<E>(error: progenitor_client::Error<E>, call: &CallContext) -> Self {
        let operation = call.operation();
        let observed = call.observed();
        let mut result = match call.take_failure() {
            Some(failure) => from_failure(operation, failure),
            None => from_progenitor(operation, error, observed.status.is_some()),
        };
        if result.inner.delivery == Delivery::Received {
            result.inner.status = result.inner.status.or(observed.status);
            result.inner.correlation_id = observed.correlation_id;
            if let Some(body) = observed.raw_error_body {
                if result.inner.status == Some(StatusCode::UNAUTHORIZED)
                    && let Some(ours) = observed.signed_base_string.as_deref()
                    && let Some(theirs) = acceptable_base_string(&body)
                {
                    result.inner.signature_mismatch = Some(diagnose(ours, &theirs));
                }
                result.inner.errors = parse_errors(&body);
                result.inner.raw_body = Some(body);
            }
            if result.inner.kind == ErrorKind::InvalidResponse
                && result
                    .inner
                    .status
                    .is_some_and(|status| !status.is_success())
            {
                // An error status whose body is not the documented error shape (an HTML page
                // from a proxy, a gateway error): still an API error, with its status.
                result.inner.kind = ErrorKind::Api;
                result.inner.message =
                    format!("Mastercard answered {}", status_text(result.inner.status));
            }
        }
        result
    }
}

fn status_text(status: Option<StatusCode>) -> String {
    status.map_or_else(|| "?".to_owned(), |status| status.to_string())
}

fn from_failure(operation: &'static str, failure: Failure) -> CallError {
    let Failure {
        stage,
        step,
        problem,
    } = failure;
    use crate::call::Problem;
    match problem {
        Problem::Refused(source) => CallError::new(
            ErrorKind::Refused,
            Delivery::NotSent,
            operation,
            format!("{step} refused the request: {source}"),
        )
        .with_source(source),
        Problem::Failed(source) => match stage {
            Stage::Request => CallError::new(
                ErrorKind::InvalidRequest,
                Delivery::NotSent,
                operation,
                format!("{step} could not prepare the request: {source}"),
            )
            .with_source(source),
            Stage::Response => CallError::new(
                ErrorKind::InvalidResponse,
                Delivery::Received,
                operation,
                format!("{step} rejected the response: {source}"),
            )
            .with_source(source),
        },
        Problem::Redirect { status, location } => {
            let mut error = CallError::new(
                ErrorKind::Redirect,
                Delivery::Received,
                operation,
                format!(
                    "the server answered {status} (a redirect); Mastercard's APIs do not redirect, \
                     so it was not followed — check the base URL"
                ),
            );
            error.inner.status = Some(status);
            error.inner.location = location;
            error
        }
        Problem::TooLarge { limit } => CallError::new(
            ErrorKind::ResponseTooLarge,
            Delivery::Received,
            operation,
            format!(
                "the response body exceeds the {limit}-byte limit; reading stopped there \
                 (raise the client's response limit if this operation really returns more)"
            ),
        ),
    }
}

fn from_progenitor<E>(
    operation: &'static str,
    error: progenitor_client::Error<E>,
    response_arrived: bool,
) -> CallError {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) => CallError::new(
            ErrorKind::InvalidRequest,
            Delivery::NotSent,
            operation,
            format!("the request could not be built: {message}"),
        ),
        P::CommunicationError(error) => from_transport(operation, error, response_arrived),
        P::ResponseBodyError(error) => from_transport(operation, error, true),
        P::InvalidUpgrade(error) => CallError::new(
            ErrorKind::InvalidResponse,
            Delivery::Received,
            operation,
            "unexpected protocol upgrade",
        )
        .with_source(error.without_url()),
        P::ErrorResponse(response) => CallError::new(
            ErrorKind::Api,
            Delivery::Received,
            operation,
            format!("Mastercard answered {}", response.status()),
        ),
        P::InvalidResponsePayload(body, parse_error) => {
            let mut error = CallError::new(
                ErrorKind::InvalidResponse,
                Delivery::Received,
                operation,
                format!(
                    "the response body does not match the spec ({} bytes; line {}, column {})",
                    body.len(),
                    parse_error.line(),
                    parse_error.column()
                ),
            )
            .with_source(parse_error);
            error.inner.raw_body = Some(body);
            error
        }
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let mut error = if status.is_success() {
                CallError::new(
                    ErrorKind::InvalidResponse,
                    Delivery::Received,
                    operation,
                    format!("undocumented success status {status}"),
                )
            } else {
                CallError::new(
                    ErrorKind::Api,
                    Delivery::Received,
                    operation,
                    format!("Mastercard answered {status}"),
                )
            };
            error.inner.status = Some(status);
            error
        }
        // Every `Custom` of this transport carries a recorded failure; one without is a hook
        // that refused before anything was recorded.
        P::Custom(message) => CallError::new(
            ErrorKind::InvalidRequest,
            Delivery::NotSent,
            operation,
            message,
        ),
    }
}

/// A transport failure; `response_arrived` when the status line had already been read.
fn from_transport(
    operation: &'static str,
    error: reqwest::Error,
    response_arrived: bool,
) -> CallError {
    let error = error.without_url();
    let kind_after_send = if error.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::ConnectionLost
    };
    // With TLS 1.3 the client finishes its side of the handshake before the server has checked
    // the client certificate, so a refused certificate can surface while the request is being
    // written. The server's HTTP layer still never saw it: TLS delivers no application data on a
    // connection whose handshake failed.
    if is_tls_handshake_failure(&error) {
        return CallError::new(
            ErrorKind::Tls,
            Delivery::NotSent,
            operation,
            "the TLS handshake failed; nothing was sent (check the trust roots and the client \
             certificate)",
        )
        .with_source(error);
    }
    if response_arrived {
        return CallError::new(
            kind_after_send,
            Delivery::Received,
            operation,
            "reading the response failed",
        )
        .with_source(error);
    }
    if error.is_builder() {
        return CallError::new(
            ErrorKind::InvalidRequest,
            Delivery::NotSent,
            operation,
            "the request could not be built",
        )
        .with_source(error);
    }
    if error.is_connect() {
        return CallError::new(
            ErrorKind::Connect,
            Delivery::NotSent,
            operation,
            "could not connect; nothing was sent",
        )
        .with_source(error);
    }
    CallError::new(
        kind_after_send,
        Delivery::MayHaveBeenSent,
        operation,
        "no response; the request may have reached Mastercard — for an operation that creates a \
         dispute event, check the claim's status before sending it again",
    )
    .with_source(error)
}

/// Whether a rustls handshake error (a refused or untrusted certificate, an alert from the
/// peer) is anywhere in the error's source chain (tokio-rustls wraps it in an `io::Error`).
fn is_tls_handshake_failure(error: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::AlertReceived(_)
                    | rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::PeerIncompatible(_)
                    | rustls::Error::InappropriateHandshakeMessage { .. }
                    | rustls::Error::HandshakeNotComplete
            );
        }
        // I/O errors nest (hyper wraps tokio-rustls's `io::Error` in another one); their
        // `source()` skips the wrapped error itself, so descend through `get_ref`.
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => cause.source(),
        };
    }
    false
}

/// Parses Mastercard error entries from either shape: `{"Errors":[…]}` (the Mastercom spec) or
/// `{"Errors":{"Error":[…]}}` / `{"Errors":{"Error":{…}}}` (the API gateway, IIT). Field names
/// are matched case-insensitively; anything else yields no entries.
pub fn parse_errors(body: &[u8]) -> Vec<MastercardError> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    error_entries(&value)
        .into_iter()
        .map(entry_from_value)
        .collect()
}

/// The error entries of a parsed body, in either shape.
pub(crate) fn error_entries(value: &Value) -> Vec<&Value> {
    let Some(errors) = field(value, "Errors") else {
        return Vec::new();
    };
    match errors {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => match field(errors, "Error") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single @ Value::Object(_)) => vec![single],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

fn text(value: &Value, name: &str) -> Option<String> {
    match field(value, name)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn entry_from_value(value: &Value) -> MastercardError {
    let recoverable = match field(value, "Recoverable") {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let details = match field(value, "Details") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Object(_) => (text(item, "Name"), text(item, "Value")),
                Value::String(text) => (None, Some(text.clone())),
                other => (None, Some(other.to_string())),
            })
            .collect(),
        Some(Value::String(text)) => vec![(None, Some(text.clone()))],
        Some(object @ Value::Object(_)) => vec![(text(object, "Name"), text(object, "Value"))],
        _ => Vec::new(),
    };
    MastercardError {
        source: text(value, "Source"),
        reason_code: text(value, "ReasonCode"),
        description: text(value, "Description"),
        recoverable,
        request_id: text(value, "RequestId"),
        details,
    }
}

/// Replaces every run of 13 or more digits (a card number's shape; claim ids have 12) with `*`s,
/// so a description that echoes a PAN cannot leak it into logs.
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 13 {
            out.extend(std::iter::repeat_n('*', run.len()));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for character in text.chars() {
        if character.is_ascii_digit() {
            run.push(character);
        } else {
            flush(&mut run, &mut out);
            out.push(character);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.inner.operation,
            mask_digit_runs(&self.inner.message)
        )?;
        if self.inner.kind == ErrorKind::Api
            && let Some(status) = self.inner.status
            && !self.inner.message.contains(status.as_str())
        {
            write!(f, " ({status})")?;
        }
        for entry in &self.inner.errors {
            write!(
                f,
                "; {}/{}",
                entry.source.as_deref().unwrap_or("?"),
                entry.reason_code.as_deref().unwrap_or("?")
            )?;
            if let Some(description) = &entry.description {
                write!(f, ": {}", mask_digit_runs(description))?;
            }
        }
        if let Some(id) = self.correlation_id() {
            write!(f, " (correlation id {id})")?;
        }
        if let Some(diagnosis) = &self.inner.signature_mismatch {
            write!(
                f,
                "; signature mismatch explained: {}",
                mask_digit_runs(&diagnosis.to_string())
            )?;
        }
        match self.inner.delivery {
            Delivery::NotSent => f.write_str(" [not sent]"),
            Delivery::MayHaveBeenSent => f.write_str(" [may have been sent]"),
            Delivery::Received => Ok(()),
        }
    }
}

impl fmt::Debug for CallError {
    // No raw body, no descriptions: only what is safe in any log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallError")
            .field("operation", &self.inner.operation)
            .field("kind", &self.inner.kind)
            .field("delivery", &self.inner.delivery)
            .field("status", &self.inner.status)
            .field("correlation_id", &self.correlation_id())
            .field(
                "reason_codes",
                &self
                    .inner
                    .errors
                    .iter()
                    .map(|entry| entry.reason_code.as_deref().unwrap_or("?"))
                    .collect::<Vec<_>>(),
            )
            .field(
                "raw_body_len",
                &self.inner.raw_body.as_ref().map(Bytes::len),
            )
            .finish()
    }
}

impl StdError for CallError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

/// Defines a client crate's own error type around [`CallError`], with the same accessors in
/// every crate (`kind()`, `delivery()`, `status()`, `correlation_id()`, `mastercard_errors()`,
/// `raw_body()`, `find_source()`) and a real `source()` chain.
#[macro_export]
macro_rules! client_error {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        pub struct $name($crate::CallError);

        impl $name {
            /// What kind of failure this is.
            pub fn kind(&self) -> $crate::ErrorKind {
                self.0.kind()
            }
            /// Whether the request reached (or may have reached) Mastercard.
            pub fn delivery(&self) -> $crate::Delivery {
                self.0.delivery()
            }
            /// `true` unless the request certainly never left the client.
            pub fn request_may_have_been_sent(&self) -> bool {
                self.0.request_may_have_been_sent()
            }
            /// The generated method name of the failed operation.
            pub fn operation(&self) -> &'static str {
                self.0.operation()
            }
            /// The HTTP status, whenever a response arrived.
            pub fn status(&self) -> Option<$crate::__private::reqwest::StatusCode> {
                self.0.status()
            }
            /// Mastercard's correlation id (response header, else the first `RequestId`).
            pub fn correlation_id(&self) -> Option<&str> {
                self.0.correlation_id()
            }
            /// The `Location` of a refused redirect.
            pub fn location(&self) -> Option<&str> {
                self.0.location()
            }
            /// Mastercard's error entries, from either error-body shape.
            pub fn mastercard_errors(&self) -> &[$crate::MastercardError] {
                self.0.mastercard_errors()
            }
            /// The response body as received (capped). May contain personal data: do not log.
            pub fn raw_body(&self) -> Option<&[u8]> {
                self.0.raw_body()
            }
            /// Whether Mastercard said retrying may succeed (every entry `Recoverable`).
            pub fn is_recoverable(&self) -> bool {
                self.0.is_recoverable()
            }
            /// A refused signature explained: the gateway's "acceptable signature base string"
            /// compared with the one this client signed (see `CallError::signature_mismatch`).
            pub fn signature_mismatch(&self) -> Option<&$crate::Diagnosis> {
                self.0.signature_mismatch()
            }
            /// The underlying error of type `T`, anywhere in the `source` chain.
            pub fn find_source<T: ::std::error::Error + 'static>(&self) -> Option<&T> {
                self.0.find_source::<T>()
            }
            /// The shared error value.
            pub fn as_call_error(&self) -> &$crate::CallError {
                &self.0
            }
        }

        impl ::std::convert::From<$crate::CallError> for $name {
            fn from(error: $crate::CallError) -> Self {
                Self(error)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl ::std::error::Error for $name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                ::std::error::Error::source(&self.0)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn both_shapes_parse() {
        let spec = br#"{"Errors":[{"Source":"Mastercom","ReasonCode":"INVALID","Description":"bad","Recoverable":false,"RequestId":"r1","Details":[{"Name":"field","Value":"claimId"}]}]}"#;
        let gateway = br#"{"Errors":{"Error":[{"Source":"Gateway","ReasonCode":"DECLINED","Description":"Unauthorized","Recoverable":"true","Details":null}]}}"#;
        let single =
            br#"{"errors":{"error":{"source":"IIT","reasonCode":"X","details":"field a"}}}"#;
        let parsed = parse_errors(spec);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].reason_code.as_deref(), Some("INVALID"));
        assert_eq!(
            parsed[0].details,
            vec![(Some("field".into()), Some("claimId".into()))]
        );
        let parsed = parse_errors(gateway);
        assert_eq!(parsed[0].source.as_deref(), Some("Gateway"));
        assert!(parsed[0].recoverable);
        let parsed = parse_errors(single);
        assert_eq!(parsed[0].details, vec![(None, Some("field a".into()))]);
        assert!(parse_errors(b"not json").is_empty());
        assert!(parse_errors(br#"{"Errors":7}"#).is_empty());
    }

    #[test]
    fn card_numbers_are_masked() {
        assert_eq!(
            mask_digit_runs("pan 5555555555554444 id 1234"),
            "pan **************** id 1234"
        );
    }
}
