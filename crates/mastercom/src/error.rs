//! One error type for every failed Mastercom call: what went wrong, whether the request may have
//! reached Mastercard, and Mastercard's own error entries whichever shape they arrived in.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::guard::{GuardRefusal, RefusalReason};
use crate::types;

/// What the generated methods return on failure; convert with `mastercom::Error::from` (or
/// [`Error::from_api`], which also reads the body of an undocumented status).
pub type ApiError = progenitor_client::Error<types::Errors>;

/// Whether a failed request reached Mastercard. Decides what is safe to do next: a request that
/// was not sent can be sent again; one that may have been sent must not be repeated blindly when
/// it creates a dispute event — check the claim's status first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The request never left the client (refused before sending, or no connection was made).
    NotSent,
    /// The request may have reached the server, but no response was read (timeout, connection
    /// lost after writing).
    MayHaveBeenSent,
    /// The server received the request and answered.
    Received,
}

/// What kind of failure this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The dispute-event guard refused an identical event sent less than 60 s ago.
    DuplicatePrevented,
    /// The dispute-event guard refused an event whose earlier identical attempt has an unknown
    /// outcome (timeout, lost connection, 5xx) less than an hour ago.
    OutcomeUnknown,
    /// The dispute-event guard refused an event that another caller is sending right now.
    InFlight,
    /// The guard's ledger could not be read or written; nothing was sent.
    LedgerUnavailable,
    /// Strict spacing: another event-creating call on the same claim was made less than 60 s
    /// ago; [`Error::retry_after`] says when this one may be made.
    Spacing,
    /// A request step (signing, …) refused the request, or it could not be built.
    InvalidRequest,
    /// No connection could be made (refused, DNS, TLS handshake, connect timeout).
    Connect,
    /// The call timed out after the connection was made.
    Timeout,
    /// The connection broke after the request was written, or while reading the response.
    ConnectionLost,
    /// Mastercard answered with an error status (see [`Error::mastercard_errors`]).
    Api,
    /// The response was not what the spec describes (body not JSON, wrong shape).
    InvalidResponse,
}

/// One entry of a Mastercard error body.
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

/// A failed Mastercom call. `Display` and `Debug` never contain bodies, keys or card numbers;
/// the raw body is available through [`Error::raw_body`].
pub struct Error {
    kind: ErrorKind,
    delivery: Delivery,
    status: Option<StatusCode>,
    correlation_id: Option<String>,
    errors: Vec<MastercardError>,
    raw_body: Option<Bytes>,
    message: String,
    retry_after: Option<Duration>,
}

impl Error {
    fn new(kind: ErrorKind, delivery: Delivery, message: impl Into<String>) -> Self {
        Self {
            kind,
            delivery,
            status: None,
            correlation_id: None,
            errors: Vec::new(),
            raw_body: None,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Like `From`, but reads the body of a response with an undocumented status (e.g. a
    /// gateway 503 or 502) so its Mastercard error entries are parsed too.
    pub async fn from_api(error: ApiError) -> Self {
        match error {
            progenitor_client::Error::UnexpectedResponse(response) => {
                let status = response.status();
                let correlation = header_correlation_id(response.headers());
                let original = original_error_body(response.headers());
                let body = response.bytes().await.ok();
                let mut error = Self::from_status(status, correlation, body);
                if original.is_some() {
                    error.raw_body = original;
                }
                error
            }
            other => Self::from(other),
        }
    }

    fn from_status(
        status: StatusCode,
        correlation_id: Option<String>,
        body: Option<Bytes>,
    ) -> Self {
        let errors = body.as_deref().map(parse_errors).unwrap_or_default();
        let mut error = Self::new(
            ErrorKind::Api,
            Delivery::Received,
            format!("Mastercard answered {status}"),
        );
        error.status = Some(status);
        error.correlation_id = correlation_id;
        error.errors = errors;
        error.raw_body = body;
        error
    }

    /// For a refusal by the dispute-event guard: how long until the same call would no longer
    /// be refused (if nothing else happens meanwhile).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the request reached (or may have reached) Mastercard.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// `true` unless the request certainly never left the client. When `true` for an operation
    /// that creates a dispute event, check the claim (`get_claim_detail`) before sending again.
    pub fn request_may_have_been_sent(&self) -> bool {
        self.delivery != Delivery::NotSent
    }

    /// The HTTP status, when a response arrived and its status is known.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// Mastercard's correlation id: the response header (`correlation-id`,
    /// `X-MC-Correlation-ID`), else the first error entry's `RequestId`.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref().or_else(|| {
            self.errors
                .iter()
                .find_map(|entry| entry.request_id.as_deref())
        })
    }

    /// Mastercard's error entries (empty when the body had none).
    pub fn mastercard_errors(&self) -> &[MastercardError] {
        &self.errors
    }

    /// The response body exactly as received (before the gateway's shape was normalised and
    /// before typing). It may contain personal data: do not log it.
    pub fn raw_body(&self) -> Option<&[u8]> {
        self.raw_body.as_deref()
    }

    /// Whether Mastercard said retrying may succeed (every entry `Recoverable`).
    pub fn is_recoverable(&self) -> bool {
        !self.errors.is_empty() && self.errors.iter().all(|entry| entry.recoverable)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        use progenitor_client::Error as E;
        match error {
            E::InvalidRequest(message) => Self::new(
                ErrorKind::InvalidRequest,
                Delivery::NotSent,
                format!("the request could not be built: {message}"),
            ),
            E::CommunicationError(error) => from_transport(error, false),
            E::ResponseBodyError(error) => from_transport(error, true),
            E::InvalidUpgrade(error) => Self::new(
                ErrorKind::InvalidResponse,
                Delivery::Received,
                format!("unexpected upgrade response: {}", error.without_url()),
            ),
            E::ErrorResponse(response) => {
                let status = response.status();
                let correlation = header_correlation_id(response.headers());
                let original = original_error_body(response.headers());
                let typed = response.into_inner();
                let raw = original.or_else(|| serde_json::to_vec(&typed).ok().map(Bytes::from));
                let mut error = Self::from_status(status, correlation, None);
                error.errors = typed.errors.into_iter().map(from_typed).collect();
                error.raw_body = raw;
                error
            }
            E::InvalidResponsePayload(body, parse_error) => {
                let errors = parse_errors(&body);
                let (kind, message) = if errors.is_empty() {
                    (
                        ErrorKind::InvalidResponse,
                        format!(
                            "the response body does not match the spec ({} bytes; line {}, column {})",
                            body.len(),
                            parse_error.line(),
                            parse_error.column()
                        ),
                    )
                } else {
                    (
                        ErrorKind::Api,
                        "Mastercard answered with an error".to_owned(),
                    )
                };
                let mut error = Self::new(kind, Delivery::Received, message);
                error.errors = errors;
                error.raw_body = Some(body);
                error
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let correlation = header_correlation_id(response.headers());
                let mut error = Self::from_status(status, correlation, None);
                if status.is_success() {
                    error.kind = ErrorKind::InvalidResponse;
                    error.message = format!("undocumented success status {status}");
                }
                error
            }
            E::Custom(message) => from_hook_message(message),
        }
    }
}

/// A transport failure; `response_started` when the status line had already arrived.
fn from_transport(error: reqwest::Error, response_started: bool) -> Error {
    let error = error.without_url();
    if response_started {
        let kind = if error.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::ConnectionLost
        };
        return Error::new(
            kind,
            Delivery::Received,
            format!("reading the response failed: {error}"),
        );
    }
    if !mastercard_transport::error_may_have_been_sent(&error) {
        let (kind, text) = if error.is_builder() {
            (ErrorKind::InvalidRequest, "the request could not be built")
        } else {
            (ErrorKind::Connect, "could not connect; nothing was sent")
        };
        return Error::new(kind, Delivery::NotSent, format!("{text}: {error}"));
    }
    let kind = if error.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::ConnectionLost
    };
    Error::new(
        kind,
        Delivery::MayHaveBeenSent,
        format!(
            "no response ({error}); the request may have reached Mastercard — for an operation that \
             creates a dispute event, check the claim's status before sending it again"
        ),
    )
}

/// `Error::Custom` comes from the transport's `pre` (request refused, never sent) unless it
/// carries the `post` marker (a response arrived but a response step rejected it).
fn from_hook_message(message: String) -> Error {
    if let Some((reason, retry_after)) = GuardRefusal::parse_tag(&message) {
        let kind = match reason {
            RefusalReason::OutcomeUnknown => ErrorKind::OutcomeUnknown,
            RefusalReason::InFlight => ErrorKind::InFlight,
            RefusalReason::Spacing => ErrorKind::Spacing,
            RefusalReason::LedgerUnavailable => ErrorKind::LedgerUnavailable,
            _ => ErrorKind::DuplicatePrevented,
        };
        let text = GuardRefusal::untagged(&message).to_owned();
        let mut error = Error::new(kind, Delivery::NotSent, text);
        error.retry_after = retry_after;
        return error;
    }
    if message.contains(mastercard_transport::POST_FAILURE_MARKER) {
        return Error::new(ErrorKind::InvalidResponse, Delivery::Received, message);
    }
    Error::new(ErrorKind::InvalidRequest, Delivery::NotSent, message)
}

fn header_correlation_id(headers: &HeaderMap) -> Option<String> {
    mastercard_transport::correlation_id(headers).map(str::to_owned)
}

fn from_typed(entry: types::Error) -> MastercardError {
    MastercardError {
        source: entry.source,
        reason_code: entry.reason_code,
        description: entry.description,
        recoverable: entry.recoverable,
        request_id: entry.request_id,
        details: entry
            .details
            .into_iter()
            .map(|detail| (detail.name, detail.value))
            .collect(),
    }
}

/// Parses Mastercard error entries from either shape: `{"Errors":[…]}` (the Mastercom spec) or
/// `{"Errors":{"Error":[…]}}` / `{"Errors":{"Error":{…}}}` (the API gateway). Field names are
/// matched case-insensitively; anything else yields no entries.
pub fn parse_errors(body: &[u8]) -> Vec<MastercardError> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let Some(errors) = field(&value, "Errors") else {
        return Vec::new();
    };
    let list = match errors {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        Value::Object(_) => match field(errors, "Error") {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(single @ Value::Object(_)) => vec![single],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    list.into_iter().map(entry_from_value).collect()
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

/// Rewrites an error body in the gateway's shape (`{"Errors":{"Error":[…]}}`) into the spec's
/// (`{"Errors":[…]}`), so the generated code types it as `ErrorResponse` and the status and
/// headers stay available. Other bodies pass through untouched.
pub(crate) struct NormalizeErrorBodies;

/// Where [`NormalizeErrorBodies`] keeps the error body as received (base64), because the generated
/// error value carries only the status, the headers and the typed (or rewritten) body.
const ORIGINAL_BODY_HEADER: &str = "x-mastercom-rs-original-error-body";
/// Error bodies larger than this are not kept twice (Mastercard's are a few hundred bytes).
const ORIGINAL_BODY_LIMIT: usize = 64 * 1024;

fn original_error_body(headers: &HeaderMap) -> Option<Bytes> {
    let encoded = headers.get(ORIGINAL_BODY_HEADER)?.to_str().ok()?;
    openssl::base64::decode_block(encoded).ok().map(Bytes::from)
}

impl mastercard_transport::Middleware for NormalizeErrorBodies {
    fn name(&self) -> &'static str {
        "normalize-error-bodies"
    }

    fn wants_response(&self, _operation: &progenitor_client::OperationInfo) -> bool {
        true
    }

    fn on_response(
        &self,
        status: StatusCode,
        headers: &mut HeaderMap,
        body: Bytes,
        _operation: &progenitor_client::OperationInfo,
    ) -> Result<Bytes, mastercard_transport::MiddlewareError> {
        if status.is_success() {
            return Ok(body);
        }
        if !body.is_empty()
            && body.len() <= ORIGINAL_BODY_LIMIT
            && let Ok(mut value) =
                reqwest::header::HeaderValue::from_str(&openssl::base64::encode_block(&body))
        {
            value.set_sensitive(true);
            headers.insert(ORIGINAL_BODY_HEADER, value);
        }
        let nested = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|value| {
                field(&value, "Errors")
                    .and_then(|errors| field(errors, "Error"))
                    .cloned()
            });
        let list = match nested {
            Some(Value::Array(list)) => list,
            Some(single @ Value::Object(_)) => vec![single],
            _ => return Ok(body),
        };
        let entries: Vec<types::Error> = parse_errors(&body)
            .into_iter()
            .zip(list)
            .map(|(entry, _)| types::Error {
                description: entry.description,
                details: entry
                    .details
                    .into_iter()
                    .map(|(name, value)| types::ErrorDetail { name, value })
                    .collect(),
                reason_code: entry.reason_code,
                recoverable: entry.recoverable,
                request_id: entry.request_id,
                source: entry.source,
            })
            .collect();
        match serde_json::to_vec(&types::Errors { errors: entries }) {
            Ok(rewritten) => Ok(Bytes::from(rewritten)),
            Err(_) => Ok(body),
        }
    }
}

/// Replaces every run of 13 or more digits (a card number's shape; claim ids have 12) with `*`s, so a description
/// that echoes a PAN cannot leak it into logs.
fn mask_digit_runs(text: &str) -> String {
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_digit_runs(&self.message))?;
        for entry in &self.errors {
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
        match self.delivery {
            Delivery::NotSent => f.write_str(" [not sent]"),
            Delivery::MayHaveBeenSent => f.write_str(" [may have been sent]"),
            Delivery::Received => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    // No raw body, no descriptions: only what is safe in any log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("delivery", &self.delivery)
            .field("status", &self.status)
            .field("correlation_id", &self.correlation_id())
            .field(
                "reason_codes",
                &self
                    .errors
                    .iter()
                    .map(|entry| entry.reason_code.as_deref().unwrap_or("?"))
                    .collect::<Vec<_>>(),
            )
            .field("raw_body_len", &self.raw_body.as_ref().map(Bytes::len))
            .finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_parse() {
        let spec = br#"{"Errors":[{"Source":"Mastercom","ReasonCode":"INVALID","Description":"bad","Recoverable":false,"RequestId":"r1","Details":[{"Name":"field","Value":"claimId"}]}]}"#;
        let gateway = br#"{"Errors":{"Error":[{"Source":"Gateway","ReasonCode":"DECLINED","Description":"Unauthorized","Recoverable":"true","Details":null}]}}"#;
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
        assert!(parse_errors(b"not json").is_empty());
    }

    #[test]
    fn card_numbers_are_masked() {
        assert_eq!(
            mask_digit_runs("pan 5555555555554444 id 1234"),
            "pan **************** id 1234"
        );
    }
}
