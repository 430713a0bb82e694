//! Rules every request meets before the router sees it: a body is JSON (`415` otherwise) and no
//! larger than the listener's limit (`413` otherwise), answered in the listener's error shape.
//!
//! A declared `Content-Length` over the limit is refused before a byte of the body is read. A
//! chunked body is counted as it arrives: past the limit the body fails, the handler gives up
//! reading, and its answer is replaced by the `413` (the handler only sees a failed body).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper::body::{Frame, Incoming, SizeHint};
use tower::ServiceExt;

use crate::mastercom::ApiError;

/// Which API's error body a listener answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{"Errors":[{...}]}`.
    Mastercom,
    /// `{"Errors":{"Error":[{...}]}}`.
    Iit,
}

/// A listener's request rules.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// How refusals are shaped.
    pub shape: ErrorShape,
}

/// Applies `policy` to `request`, then hands it to `router`.
pub async fn call(
    router: axum::Router,
    policy: Policy,
    request: hyper::Request<Incoming>,
) -> Result<Response, Infallible> {
    if let Some(refusal) = check_headers(&policy, request.headers()) {
        return Ok(refusal);
    }
    let overflowed = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(Capped {
            inner: body,
            left: policy.max_body,
            overflowed: overflowed.clone(),
        })
    });
    let response = router.oneshot(request).await?;
    if overflowed.load(Ordering::Acquire) {
        return Ok(too_large(&policy));
    }
    Ok(response)
}

fn check_headers(policy: &Policy, headers: &HeaderMap) -> Option<Response> {
    let declared = match headers.get(header::CONTENT_LENGTH) {
        None => None,
        // hyper has already refused a malformed Content-Length.
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok()),
    };
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    if declared.is_some_and(|n| n > u64::try_from(policy.max_body).unwrap_or(u64::MAX)) {
        return Some(too_large(policy));
    }
    let has_body = chunked || declared.is_some_and(|n| n > 0);
    if has_body && !is_json(headers) {
        let got = headers
            .get(header::CONTENT_TYPE)
            .map_or("none".to_owned(), |v| {
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(100)
                    .collect()
            });
        return Some(refuse(
            policy.shape,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be JSON: send it with Content-Type: application/json".into(),
            ("Content-Type", got),
        ));
    }
    None
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn too_large(policy: &Policy) -> Response {
    refuse(
        policy.shape,
        StatusCode::PAYLOAD_TOO_LARGE,
        "REQUEST_TOO_LARGE",
        format!(
            "the request body is larger than {} bytes, the most this API accepts",
            policy.max_body
        ),
        ("maxBodyBytes", policy.max_body.to_string()),
    )
}

fn refuse(
    shape: ErrorShape,
    status: StatusCode,
    reason: &str,
    description: String,
    detail: (&str, String),
) -> Response {
    let mut response = match shape {
        ErrorShape::Mastercom => ApiError {
            status,
            source: "Gateway",
            reason: reason.to_owned(),
            description,
            details: vec![(detail.0.to_owned(), detail.1)],
            recoverable: false,
        }
        .into_response(),
        ErrorShape::Iit => crate::iit::error(status, reason, &description, Some(detail.0.into())),
    };
    // The body may still be arriving: do not read it, close the connection after answering.
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// A request body that fails once more than `left` bytes arrived, and says so in `overflowed`.
struct Capped {
    inner: Incoming,
    left: usize,
    overflowed: Arc<AtomicBool>,
}

impl hyper::body::Body for Capped {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.overflowed.load(Ordering::Relaxed) {
            return Poll::Ready(Some(Err("request body over the limit".into())));
        }
        let frame = match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => return Poll::Pending,
        };
        if let Some(data) = frame.data_ref() {
            match self.left.checked_sub(data.len()) {
                Some(left) => self.left = left,
                None => {
                    self.overflowed.store(true, Ordering::Release);
                    return Poll::Ready(Some(Err("request body over the limit".into())));
                }
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
