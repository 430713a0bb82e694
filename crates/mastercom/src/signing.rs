//! OAuth 1.0a signing of every request, as the last request step (it signs the final bytes).

use mastercard_oauth1::{Body, Request as SignRequest, Signer};
use mastercard_transport::{Middleware, MiddlewareError};
use progenitor_client::OperationInfo;
use reqwest::header::{AUTHORIZATION, HeaderValue};

/// Signs each request (method, URL with its query exactly as sent, body bytes) and sets the
/// `Authorization` header, marked sensitive so `Debug` output and HTTP/2 header compression
/// leave it alone. The key is parsed once, when the signer is built.
pub(crate) struct OAuth1Signing {
    signer: Signer,
}

impl OAuth1Signing {
    pub(crate) fn new(signer: Signer) -> Self {
        Self { signer }
    }
}

impl Middleware for OAuth1Signing {
    fn name(&self) -> &'static str {
        "oauth1-signing"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        _operation: &OperationInfo,
    ) -> Result<(), MiddlewareError> {
        let body = match request.body() {
            None => Body::Empty,
            Some(body) => match body.as_bytes() {
                Some([]) => Body::Empty,
                Some(bytes) => Body::Bytes(bytes),
                None => Body::Unbuffered,
            },
        };
        let signed = self
            .signer
            .sign(&SignRequest {
                method: request.method().as_str(),
                url: request.url().as_str(),
                body,
            })
            .map_err(|error| MiddlewareError(format!("could not sign the request: {error}")))?;
        let mut value = HeaderValue::from_str(&signed.authorization).map_err(|_| {
            MiddlewareError("the OAuth1 header is not a valid header value".to_owned())
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }

    // Every attempt needs a fresh nonce and timestamp, or Mastercard rejects it as a replay.
    fn reapply_on_retry(&self) -> bool {
        true
    }
}
