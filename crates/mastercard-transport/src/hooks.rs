//! The bodies of the `ClientHooks` methods that [`crate::impl_client_hooks!`] generates.

// `progenitor_client::Error` is large, but the `ClientHooks` trait fixes these return types.
#![allow(clippy::result_large_err)]

use std::time::Instant;

use progenitor_client::{Error, OperationInfo};
use reqwest::header::{CONTENT_LENGTH, HeaderMap};
use reqwest::{Request, Response, ResponseBuilderExt};
use tracing::Instrument;

use crate::{MiddlewareError, Outcome, Transport};

/// Response headers that carry Mastercard's correlation id, in the order they are looked up.
const CORRELATION_HEADERS: [&str; 3] = ["correlation-id", "x-mc-correlation-id", "x-request-id"];

/// The correlation id of a response, if it has one that is printable.
pub fn correlation_id(headers: &HeaderMap) -> Option<&str> {
    CORRELATION_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

fn outcome_of(result: &reqwest::Result<Response>) -> Outcome<'_> {
    match result {
        Ok(response) => Outcome::Response {
            status: response.status(),
            headers: response.headers(),
        },
        Err(error) => Outcome::Failed(error),
    }
}

/// Re-runs, before a retry, the request steps that must see every attempt (signing).
fn reapply(
    transport: &Transport,
    request: &mut Request,
    operation: &OperationInfo,
) -> Result<(), MiddlewareError> {
    for middleware in transport.middlewares() {
        if middleware.reapply_on_retry() {
            middleware.on_request(request, operation)?;
        }
    }
    Ok(())
}

/// Marks a response whose body a middleware could not process; [`post`] turns it into an error.
#[derive(Debug, Clone)]
struct ResponseMiddlewareFailed(MiddlewareError);

/// Runs every middleware's request step in order.
pub fn pre<E>(
    transport: &Transport,
    request: &mut Request,
    operation: &OperationInfo,
) -> Result<(), Error<E>> {
    for middleware in transport.middlewares() {
        middleware.on_request(request, operation).map_err(|error| {
            Error::Custom(format!(
                "{}: {}: {error}",
                operation.operation_id,
                middleware.name()
            ))
        })?;
    }
    Ok(())
}

/// Prefix of every `Error::Custom` that [`post`] produces: the request was sent and a response
/// arrived, but a response middleware rejected it. Every other `Error::Custom` of this transport
/// comes from [`pre`], i.e. the request was never sent.
pub const POST_FAILURE_MARKER: &str = "response rejected";

/// Sends the request (retrying when the transport's policy allows), reports the outcome to every
/// middleware, and, if a middleware wants the response, buffers it and runs the response steps in
/// reverse order, then rebuilds the response around the new body.
pub async fn exec(
    client: &reqwest::Client,
    transport: &Transport,
    request: Request,
    operation: &OperationInfo,
) -> reqwest::Result<Response> {
    let template = transport
        .operation(operation.operation_id)
        .map_or("", |spec| spec.path);
    // Only the template: filled-in paths carry claim and case ids, and query strings can carry
    // account numbers.
    let span = tracing::info_span!(
        "mastercard.call",
        operation = operation.operation_id,
        method = %request.method(),
        path = template,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        correlation_id = tracing::field::Empty,
    );
    send(client, transport, request, operation, span.clone())
        .instrument(span)
        .await
}

async fn send(
    client: &reqwest::Client,
    transport: &Transport,
    mut request: Request,
    operation: &OperationInfo,
    span: tracing::Span,
) -> reqwest::Result<Response> {
    let started = Instant::now();
    // The request's timeout bounds the whole call, retries and their waits included, not each
    // attempt: a caller who allows 60 s gets an answer or an error within 60 s.
    let deadline = request.timeout().map(|timeout| started + *timeout);
    let retry = transport
        .retry()
        .filter(|policy| policy.applies_to(operation.operation_id));
    let mut attempt = 1;
    let (sent, result) = loop {
        // A copy of what is about to go out: for the next attempt and for `on_outcome`. Bodies
        // are `Bytes`, so this clones a reference count, not the payload.
        let copy = request.try_clone();
        let result = client.execute(request).await;
        let Some(mut next) = copy else {
            break (None, result);
        };
        let outcome = outcome_of(&result);
        let delay = retry.and_then(|policy| policy.delay_after(attempt, &outcome));
        let Some(delay) = delay else {
            break (Some(next), result);
        };
        let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if remaining.is_some_and(|remaining| remaining <= delay) {
            break (Some(next), result);
        }
        tracing::debug!(attempt, delay_ms = delay.as_millis(), "retrying");
        tokio::time::sleep(delay).await;
        if let Some(deadline) = deadline {
            *next.timeout_mut() = Some(deadline.saturating_duration_since(Instant::now()));
        }
        // Signed after the wait, so the timestamp is that of the attempt. If the attempt cannot
        // be prepared, the previous result stands (an old signature is never replayed).
        if reapply(transport, &mut next, operation).is_err() {
            break (Some(next), result);
        }
        drop(result);
        attempt += 1;
        request = next;
    };

    span.record("attempts", attempt);
    span.record("duration_ms", started.elapsed().as_millis());
    match &result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
            if let Some(id) = correlation_id(response.headers()) {
                span.record("correlation_id", id);
            }
        }
        Err(error) => tracing::warn!(
            may_have_been_sent = crate::error_may_have_been_sent(error),
            timeout = error.is_timeout(),
            "transport error"
        ),
    }
    if let Some(sent) = &sent {
        let outcome = outcome_of(&result);
        for middleware in transport.middlewares() {
            middleware.on_outcome(sent, &outcome, operation);
        }
    }
    let response = result?;
    let interested: Vec<_> = transport
        .middlewares()
        .iter()
        .rev()
        .filter(|middleware| middleware.wants_response(operation))
        .collect();
    if interested.is_empty() {
        return Ok(response);
    }

    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    let mut headers = response.headers().clone();
    let mut body = response.bytes().await?;
    let mut failure = None;
    for middleware in interested {
        match middleware.on_response(status, &mut headers, body.clone(), operation) {
            Ok(transformed) => body = transformed,
            Err(error) => {
                failure = Some(MiddlewareError(format!("{}: {error}", middleware.name())));
                break;
            }
        }
    }
    headers.insert(CONTENT_LENGTH, body.len().into());

    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    // reqwest keeps the final URL in a private extension that only its builder extension can set.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        *rebuilt.extensions_mut() = with_url.into_parts().0.extensions;
    }
    if let Some(error) = failure {
        rebuilt
            .extensions_mut()
            .insert(ResponseMiddlewareFailed(error));
    }
    Ok(Response::from(rebuilt))
}

/// Turns a response-side middleware failure into `Error::Custom`.
pub fn post<E>(
    result: &reqwest::Result<Response>,
    operation: &OperationInfo,
) -> Result<(), Error<E>> {
    match result {
        Ok(response) => match response.extensions().get::<ResponseMiddlewareFailed>() {
            Some(ResponseMiddlewareFailed(error)) => Err(Error::Custom(format!(
                "{}: {POST_FAILURE_MARKER}: {error}",
                operation.operation_id
            ))),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}
