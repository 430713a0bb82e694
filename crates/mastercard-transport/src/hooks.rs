//! The bodies of the `ClientHooks` methods that [`crate::impl_client_hooks!`] generates.

// `progenitor_client::Error` is large, but the `ClientHooks` trait fixes these return types.
#![allow(clippy::result_large_err)]

use progenitor_client::{Error, OperationInfo};
use reqwest::header::CONTENT_LENGTH;
use reqwest::{Request, Response, ResponseBuilderExt};

use crate::{MiddlewareError, Transport};

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

/// Sends the request; if a middleware wants the response, buffers it and runs the response steps
/// in reverse order, then rebuilds the response around the new body.
pub async fn exec(
    client: &reqwest::Client,
    transport: &Transport,
    request: Request,
    operation: &OperationInfo,
) -> reqwest::Result<Response> {
    let response = client.execute(request).await?;
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
                "{}: {error}",
                operation.operation_id
            ))),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}
