//! Any signed Mastercom request, outside the typed methods (`mastercard api`, like `gh api`),
//! through the same client core: signing, deadline, response caps, no redirects, retries only
//! where the operation's policy allows — and the dispute-event guard.
//!
//! The guard recognises a call by its operation. A raw request whose method and path match an
//! operation of [`crate::OPERATIONS`] exactly (segment by segment, path parameters made of
//! unreserved characters only) is sent **as that operation**, so an event-creating one is guarded
//! like the typed method. A request that only resembles an event-creating operation — another
//! method on its path, other letter case, percent-encoding, empty or dot segments, a trailing
//! slash — is refused before anything is sent ([`RawError::EventPathNotCanonical`]): a server
//! could route it to the same handler, and the guard would not see it. A path the URL parser
//! would change before sending (dot segments, `\`, characters it percent-encodes) is refused
//! too ([`RawError::Invalid`]), so the path matched is always the path sent.

use bytes::Bytes;
use progenitor_client::OperationInfo;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::guard::event_policy;
use crate::{Error, MastercomClient, OPERATIONS};
use mastercard_transport::{CallError, OperationSpec};

/// The operation name of a raw request that matches no operation of the spec.
pub const UNMATCHED_OPERATION: &str = "api";

/// One raw request: a method, a path relative to the client's base URL (`/v6/claims/123`),
/// query pairs, extra headers and the body, sent byte for byte (and signed over those bytes).
#[derive(Clone, Default)]
pub struct RawRequest {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl std::fmt::Debug for RawRequest {
    // Never the body nor header values: they may carry card numbers or credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query.len())
            .field("headers", &self.headers.len())
            .field("body", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl RawRequest {
    /// `method` (any case) to `path`, relative to the base URL and starting with `/`.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            ..Self::default()
        }
    }

    /// Appends a query pair (encoded when the URL is built).
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (`Authorization` is refused: the client signs).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The body, sent as given with `Content-Type: application/json` unless a header says
    /// otherwise.
    #[must_use]
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }
}

/// The answer to a raw request: any status that arrived, its headers and body.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status (2xx; other statuses are [`RawError::Call`] with the body in
    /// [`Error::raw_body`]).
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as received (capped like every response of the client).
    pub body: Bytes,
}

/// Why a raw request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RawError {
    /// The method, path, query or a header is unusable; nothing was sent.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request resembles an event-creating operation without matching it exactly; nothing
    /// was sent (see the module documentation).
    #[error(
        "{method} {path} resembles {operation_id} ({spec_method} {template}), which creates a \
         dispute event, without matching it exactly; the dispute-event guard could not see it, so \
         it was not sent: use `mastercard mastercom {command}` (or the exact method and path)"
    )]
    EventPathNotCanonical {
        /// The method given.
        method: String,
        /// The path given.
        path: String,
        /// The operation it resembles.
        operation_id: &'static str,
        /// That operation's method.
        spec_method: &'static str,
        /// That operation's path template.
        template: &'static str,
        /// The CLI subcommand of that operation.
        command: String,
    },
    /// The call failed (refused by the guard, not sent, rejected, …) as a typed call would.
    #[error(transparent)]
    Call(#[from] Error),
}

/// Whether `segment` is made of unreserved characters only (what a typed method's path
/// parameter looks like once encoded, for the ids Mastercom uses).
fn plain(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        && segment != "."
        && segment != ".."
}

/// `path`'s segments equal `template`'s, a placeholder matching one plain segment.
fn matches_exactly(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(want, got)| {
            if want.starts_with('{') {
                plain(got)
            } else {
                want == got
            }
        })
}

/// Lower case, percent-decoded, without empty and `.` segments: how a lenient server might
/// read a path.
fn loose_segments(path: &str) -> Vec<String> {
    let decoded: Vec<u8> = percent_decode(path.as_bytes());
    String::from_utf8_lossy(&decoded)
        .to_ascii_lowercase()
        .split(['/', '\\'])
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .map(str::to_owned)
        .collect()
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The segments split first and decoded after (`12%2F3` stays one segment).
fn loose_segments_kept(path: &str) -> Vec<String> {
    path.split(['/', '\\'])
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .map(|segment| {
            String::from_utf8_lossy(&percent_decode(segment.as_bytes())).to_ascii_lowercase()
        })
        .collect()
}

/// Whether a lenient server could route `path` to `template`: decoded before or after splitting.
fn matches_loosely(template: &str, path: &str) -> bool {
    let template = loose_segments(template);
    [loose_segments(path), loose_segments_kept(path)]
        .iter()
        .any(|path| {
            template.len() == path.len()
                && template
                    .iter()
                    .zip(path)
                    .all(|(want, got)| want.starts_with('{') || want == got)
        })
}

/// The operation a raw request is sent as: the one it matches exactly, `None` when it matches
/// none; an error when it only resembles an event-creating one.
pub fn route(method: &str, path: &str) -> Result<Option<&'static OperationSpec>, RawError> {
    let method = method.to_ascii_uppercase();
    let route = path.split('?').next().unwrap_or(path);
    let exact = OPERATIONS
        .iter()
        .find(|spec| spec.method == method && matches_exactly(spec.path, route));
    if let Some(spec) = exact {
        return Ok(Some(spec));
    }
    let resembled = OPERATIONS.iter().find(|spec| {
        event_policy(spec.operation_id).is_some() && matches_loosely(spec.path, route)
    });
    match resembled {
        Some(spec) => Err(RawError::EventPathNotCanonical {
            method,
            path: route.to_owned(),
            operation_id: spec.operation_id,
            spec_method: spec.method,
            template: spec.path,
            command: spec.rust_name.replace('_', "-"),
        }),
        None => Ok(None),
    }
}

impl MastercomClient {
    /// Sends a raw request through the client's pipeline (see the module documentation): the
    /// body of any answer that arrived is in [`RawResponse::body`] (2xx) or
    /// [`Error::raw_body`] (other statuses).
    pub async fn send_raw(&self, raw: RawRequest) -> Result<RawResponse, RawError> {
        let method = Method::from_bytes(raw.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| RawError::Invalid(format!("{:?} is not an HTTP method", raw.method)))?;
        if !raw.path.starts_with('/') || raw.path.contains(['?', '#']) {
            return Err(RawError::Invalid(format!(
                "the path must start with / and carry no query or fragment (use --query): {}",
                raw.path
            )));
        }
        let base = self.base_url();
        let mut url = reqwest::Url::parse(&format!("{base}{}", raw.path))
            .map_err(|error| RawError::Invalid(format!("{}: {error}", raw.path)))?;
        // The URL parser resolves `.` and `..`, turns `\` into `/` and percent-encodes: the
        // path routed (and guarded) must be the path sent, so a path it would change is refused.
        let base_url = reqwest::Url::parse(base)
            .map_err(|error| RawError::Invalid(format!("the base URL: {error}")))?;
        let sent = url
            .path()
            .strip_prefix(base_url.path().trim_end_matches('/'))
            .filter(|_| url.origin() == base_url.origin());
        if sent != Some(raw.path.as_str()) {
            return Err(RawError::Invalid(format!(
                "{} is not in canonical form (it would be sent as {}); write the path as sent",
                raw.path,
                url.path()
            )));
        }
        let operation = route(method.as_str(), &raw.path)?;
        if !raw.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&raw.query);
        }
        let mut request = reqwest::Request::new(method, url);
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            HeaderName::from_static("api-version"),
            HeaderValue::from_static("v6"),
        );
        if raw.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in &raw.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| RawError::Invalid(format!("{name:?} is not a header name")))?;
            if name == reqwest::header::AUTHORIZATION {
                return Err(RawError::Invalid(
                    "the client signs the request: no Authorization header".to_owned(),
                ));
            }
            let value = HeaderValue::from_str(value.trim())
                .map_err(|_| RawError::Invalid(format!("the value of {name} is not valid")))?;
            request.headers_mut().insert(name, value);
        }
        if let Some(body) = raw.body {
            *request.body_mut() = Some(reqwest::Body::from(body));
        }

        let name = operation.map_or(UNMATCHED_OPERATION, |spec| spec.rust_name);
        let (call, transport) = self.core().begin(name);
        let info = OperationInfo { operation_id: name };
        let fail = |error: progenitor_client::Error<()>| -> RawError {
            RawError::Call(Error::from(CallError::from_call(error, &call)))
        };
        mastercard_transport::pre::<()>(&transport, &mut request, &info).map_err(fail)?;
        let result =
            mastercard_transport::exec(self.core().http(), &transport, request, &info).await;
        mastercard_transport::post::<()>(&result, &info).map_err(fail)?;
        let response =
            result.map_err(|error| fail(progenitor_client::Error::CommunicationError(error)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(progenitor_client::Error::UnexpectedResponse(response)));
        }
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| fail(progenitor_client::Error::ResponseBodyError(error)))?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    #[test]
    fn exact_paths_are_sent_as_their_operation() {
        let spec = route("post", "/v6/claims/123/chargebacks")
            .unwrap()
            .unwrap();
        assert_eq!(spec.rust_name, "create_chargeback");
        let spec = route("GET", "/v6/claims/123").unwrap().unwrap();
        assert_eq!(spec.rust_name, "get_claim_detail");
        assert!(route("GET", "/v6/nowhere").unwrap().is_none());
    }

    #[test]
    fn look_alikes_of_event_creating_operations_are_refused() {
        for (method, path) in [
            ("POST", "/v6/claims/123/chargebacks/"),
            ("POST", "/v6/claims/123//chargebacks"),
            ("POST", "/v6/Claims/123/chargebacks"),
            ("POST", "/v6/claims/123/%63hargebacks"),
            ("POST", "/v6/claims/12%2F3/chargebacks"),
            ("POST", "/v6/./claims/123/chargebacks"),
            ("PUT", "/v6/claims/123/chargebacks"),
            ("POST", "/v6/claims"),
        ] {
            let refused = route(method, path);
            if method == "POST" && path == "/v6/claims" {
                assert_eq!(refused.unwrap().unwrap().rust_name, "create_claim");
                continue;
            }
            match refused {
                Err(RawError::EventPathNotCanonical { command, .. }) => {
                    assert!(command.starts_with("create-"), "{path}: {command}");
                }
                other => panic!("{method} {path}: {other:?}"),
            }
        }
    }
}
