//! JWE payload encryption as a transport middleware: request bodies are encrypted before they are
//! sent, response bodies decrypted before they are deserialised.
//!
//! The envelope is Mastercard's client-encryption default, `{"encryptedData":"<JWE>"}` with the
//! whole JSON document inside (RSA-OAEP-256 + A256GCM). A response without `encryptedData` (a
//! plaintext error body) passes through unchanged, and so does one that is not JSON at all: the
//! typed wrapper then reports it as an invalid response with its status, rather than as a
//! decryption problem.

use std::sync::Arc;

use bytes::Bytes;
use mastercard_jwe::{EncryptionConfig, JweError};
use mastercard_transport::{Middleware, MiddlewareError};
use progenitor_client::OperationInfo;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::call;

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

impl Middleware for JweMiddleware {
    fn name(&self) -> &'static str {
        "jwe"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        _operation: &OperationInfo,
    ) -> Result<(), MiddlewareError> {
        let Some(body) = request.body() else {
            return Ok(());
        };
        let plaintext = body
            .as_bytes()
            .ok_or_else(|| MiddlewareError("cannot encrypt a streaming body".to_owned()))?;
        let envelope = self.config.encrypt_payload(plaintext).map_err(|error| {
            let message = MiddlewareError(format!("cannot encrypt the request: {error}"));
            call::update(|record| record.encryption = Some(error));
            message
        })?;
        *request.body_mut() = Some(reqwest::Body::from(envelope));
        // The envelope is JSON too; progenitor already set this, but the server relies on it.
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(())
    }

    fn wants_response(&self, _operation: &OperationInfo) -> bool {
        true
    }

    fn on_response(
        &self,
        status: StatusCode,
        headers: &mut HeaderMap,
        body: Bytes,
        _operation: &OperationInfo,
    ) -> Result<Bytes, MiddlewareError> {
        let correlation_id = mastercard_transport::correlation_id(headers).map(str::to_owned);
        call::update(|record| {
            record.status = Some(status);
            record.correlation_id = correlation_id;
        });
        match self.config.decrypt_payload(&body) {
            Ok(plaintext) => Ok(Bytes::from(plaintext)),
            // Not JSON at all (an HTML error page from a proxy, a truncated body): nothing to
            // decrypt; deserialisation reports it with its status.
            Err(JweError::InvalidJson { .. }) => Ok(body),
            Err(error) => {
                let message = MiddlewareError(format!("cannot decrypt the response: {error}"));
                call::update(|record| record.decryption = Some(error));
                Err(message)
            }
        }
    }
}
