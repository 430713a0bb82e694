//! The bodies of the `ClientHooks` methods that [`crate::impl_client_hooks!`] generates: the named
//! steps every call of both clients goes through.
//!
//! 1. `pre`: every middleware's request step, in order (encrypt, sign, guard). A refusal or
//!    failure is recorded in the call's [`CallContext`] as a typed value.
//! 2. `exec`: the deadline, the attempts (re-signing each retry), the outcome told to every
//!    middleware, no redirect followed, the body read under its cap, the error body kept as
//!    received, the response steps in reverse order (decrypt, normalise).
//! 3. `post`: a recorded failure stops progenitor from reading the response any further.

// `progenitor_client::Error` is large, but the `ClientHooks` trait fixes these return types.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Instant;

use progenitor_client::{Error, OperationInfo};
use reqwest::header::{CONTENT_LENGTH, HeaderMap, LOCATION};
use reqwest::{Request, Response, ResponseBuilderExt};
use tracing::Instrument;

use crate::call::{CallContext, Problem, Stage};
use crate::limits::{ReadError, read_capped};
use crate::{MiddlewareError, Outcome, Transport};

/// Response headers that carry Mastercard's correlation id, in the order they are looked up.
const CORRELATION_HEADERS: [&str; 3] = ["correlation-id", "x-mc-correlation-id", "x-request-id"];

/// The name failures of the transport itself are recorded under.
const TRANSPORT_STEP: &str = "transport";

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

/// The call's context, or a detached one when the generated client is used directly.
fn context(transport: &Transport, operation: &OperationInfo) -> Arc<CallContext> {
    transport
        .call()
        .cloned()
        .unwrap_or_else(|| Arc::new(CallContext::new(operation.operation_id)))
}

fn record(call: &CallContext, stage: Stage, step: &'static str, error: MiddlewareError) {
    let problem = match error {
        MiddlewareError::Refused(source) => Problem::Refused(source),
        MiddlewareError::Failed(source) => Problem::Failed(source),
    };
    call.fail(stage, step, problem);
}

/// Step 1: every middleware's request step in order; the first refusal or failure stops the call
/// before anything is sent.
pub fn pre<E>(
    transport: &Transport,
    request: &mut Request,
    operation: &OperationInfo,
) -> Result<(), Error<E>> {
    let call = context(transport, operation);
    // One home for the deadline, set before any step runs so a step that waits (the guard, for
    // a dispute event's window) can spend from it: the call's override, else the client's rule.
    // It bounds the whole call, retries and their waits included.
    let body_len = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .map_or(0, <[u8]>::len);
    if let Some(timeout) = call
        .timeout()
        .or_else(|| transport.deadline_for(call.operation(), body_len))
    {
        *request.timeout_mut() = Some(timeout);
    }
    for middleware in transport.middlewares() {
        if let Err(error) = middleware.on_request(request, &call) {
            // The message is for callers of the generated client itself; the typed client reads
            // the typed value recorded in the context instead.
            let message = format!("{}: {}: {error}", operation.operation_id, middleware.name());
            record(&call, Stage::Request, middleware.name(), error);
            return Err(Error::Custom(message));
        }
    }
    Ok(())
}

/// Re-runs, before a retry, the request steps that must see every attempt (signing).
fn reapply(
    transport: &Transport,
    request: &mut Request,
    call: &CallContext,
) -> Result<(), MiddlewareError> {
    for middleware in transport.middlewares() {
        if middleware.reapply_on_retry() {
            middleware.on_request(request, call)?;
        }
    }
    Ok(())
}

/// Marks a response whose processing failed, for `post` when the generated client is used
/// without a call context.
#[derive(Debug, Clone, Copy)]
struct ResponseRejected;

/// Step 2: sends the request and turns what comes back into a response progenitor can read.
pub async fn exec(
    client: &reqwest::Client,
    transport: &Transport,
    request: Request,
    operation: &OperationInfo,
) -> reqwest::Result<Response> {
    let call = context(transport, operation);
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
    send(client, transport, request, &call, span.clone())
        .instrument(span)
        .await
}

async fn send(
    client: &reqwest::Client,
    transport: &Transport,
    mut request: Request,
    call: &CallContext,
    span: tracing::Span,
) -> reqwest::Result<Response> {
    let started = Instant::now();
    let operation = call.operation();
    // Set by `pre` (and shortened by any step that waited): a caller who allows 60 s gets an
    // answer or an error within 60 s, retries included.
    let deadline = request.timeout().map(|timeout| started + *timeout);
    let retry = transport
        .retry()
        .filter(|policy| policy.applies_to(operation));
    let mut attempt = 1;
    let (sent, result) = loop {
        call.record_attempt(attempt);
        // A copy of what is about to go out: for the next attempt and for `on_outcome`. Bodies
        // are `Bytes`, so this clones a reference count, not the payload.
        let copy = request.try_clone();
        let result = match transport.connection_reuse() {
            Some(reuse) => reuse.execute(client, request).await,
            None => client.execute(request).await,
        };
        let Some(mut next) = copy else {
            break (None, result);
        };
        let outcome = outcome_of(&result);
        for middleware in transport.middlewares() {
            middleware.on_attempt(&next, &outcome, call);
        }
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
        if reapply(transport, &mut next, call).is_err() {
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
            let id = correlation_id(response.headers());
            if let Some(id) = id {
                span.record("correlation_id", id);
            }
            call.record_response(response.status(), id);
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
            middleware.on_outcome(sent, &outcome, call);
        }
    }
    let response = result?;
    receive(transport, response, call).await
}

/// Reads the response under its cap, keeps an error body as received, runs the response steps
/// in reverse order and rebuilds the response around the final body.
async fn receive(
    transport: &Transport,
    response: Response,
    call: &CallContext,
) -> reqwest::Result<Response> {
    let status = response.status();
    let version = response.version();
    let connection = crate::reuse::connection_of(&response);
    let url = response.url().clone();
    let mut headers = response.headers().clone();

    let body = if status.is_redirection() {
        // Mastercard's APIs do not redirect; following one would re-send a signed dispute body
        // to whatever host the `Location` names. The redirect is reported, never followed.
        let location = headers
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        call.fail(
            Stage::Response,
            TRANSPORT_STEP,
            Problem::Redirect { status, location },
        );
        bytes::Bytes::new()
    } else {
        let limit = transport.limits().for_status(status);
        match read_capped(response, limit).await {
            Ok(body) => {
                // Read to its end: unless the server closes it, the connection now goes back to
                // the pool, and the next call should wait for it rather than open another.
                if let Some(reuse) = transport.connection_reuse() {
                    reuse.released(version, &headers, connection);
                }
                body
            }
            Err(ReadError::Transport(error)) => return Err(error),
            Err(ReadError::TooLarge) => {
                call.fail(Stage::Response, TRANSPORT_STEP, Problem::TooLarge { limit });
                bytes::Bytes::new()
            }
        }
    };
    if !status.is_success() && !body.is_empty() {
        call.record_error_body(body.clone());
    }

    let mut body = body;
    if !call.has_failure() {
        for middleware in transport.middlewares().iter().rev() {
            match middleware.on_response(status, &mut headers, body.clone(), call) {
                Ok(transformed) => body = transformed,
                Err(error) => {
                    record(call, Stage::Response, middleware.name(), error);
                    body = bytes::Bytes::new();
                    break;
                }
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
    if call.has_failure() {
        rebuilt.extensions_mut().insert(ResponseRejected);
    }
    Ok(Response::from(rebuilt))
}

/// Step 3: a failure recorded while receiving stops progenitor from typing the response.
pub fn post<E>(
    result: &reqwest::Result<Response>,
    operation: &OperationInfo,
) -> Result<(), Error<E>> {
    match result {
        Ok(response) if response.extensions().get::<ResponseRejected>().is_some() => Err(
            Error::Custom(format!("{}: response rejected", operation.operation_id)),
        ),
        _ => Ok(()),
    }
}
