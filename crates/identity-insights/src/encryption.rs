//! JWE payload encryption as a transport middleware: request bodies are encrypted before they are
//! sent, response bodies decrypted before they are deserialised.
//!
//! The envelope is Mastercard's client-encryption default, `{"encryptedData":"<JWE>"}` with the
//! whole JSON document inside (RSA-OAEP-256 + A256GCM). A 2xx response must be such an envelope
//! that decrypts with the client's key: anyone able to answer the request could otherwise forge
//! insights in plaintext. Error responses arrive in plaintext (Mastercard sends them so) and pass
//! through unchanged.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use mastercard_jwe::EncryptionConfig;
use mastercard_transport::{CallContext, Middleware, MiddlewareError};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

/// A success response that is not an encrypted envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnencryptedResponse;

impl fmt::Display for UnencryptedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the success response is not encrypted (no {\"encryptedData\": …} envelope); it was \
             refused, since anyone who can answer the request could forge it",
        )
    }
}

impl std::error::Error for UnencryptedResponse {}

/// Encrypts requests and decrypts responses with one [`EncryptionConfig`].
#[derive(Debug, Clone)]
pub(crate) struct JweMiddleware {
    config: Arc<EncryptionConfig>,
}

impl JweMiddleware {
    pub(crate) fn new(config: EncryptionConfig) -> Self {
        Self {
            config: Arc::new(config),
        }
    }
}

/// Whether `body` is a JSON object with an `encryptedData` member.
fn is_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
        .is_ok_and(|object| object.contains_key("encryptedData"))
}

impl Middleware for JweMiddleware {
    fn name(&self) -> &'static str {
        "jwe"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        _call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        let Some(body) = request.body() else {
            return Ok(());
        };
        let plaintext = body
            .as_bytes()
            .ok_or_else(|| MiddlewareError::failed("cannot encrypt a streaming body"))?;
        let envelope = self
            .config
            .encrypt_payload(plaintext)
            .map_err(MiddlewareError::failed)?;
        *request.body_mut() = Some(reqwest::Body::from(envelope));
        // The envelope is JSON too; progenitor already set this, but the server relies on it.
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(())
    }

    fn on_response(
        &self,
        status: StatusCode,
        _headers: &mut HeaderMap,
        body: Bytes,
        _call: &CallContext,
    ) -> Result<Bytes, MiddlewareError> {
        if !status.is_success() {
            // Mastercard's error bodies are plaintext; an encrypted one is decrypted as well.
            if is_envelope(&body) {
                return self
                    .config
                    .decrypt_payload(&body)
                    .map(Bytes::from)
                    .map_err(MiddlewareError::failed);
            }
            return Ok(body);
        }
        if !is_envelope(&body) {
            return Err(MiddlewareError::failed(UnencryptedResponse));
        }
        self.config
            .decrypt_payload(&body)
            .map(Bytes::from)
            .map_err(MiddlewareError::failed)
    }
}
