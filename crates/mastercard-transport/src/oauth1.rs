//! OAuth 1.0a signing of every request, as the last request step: it signs the final bytes, so
//! after an encryption step it signs the ciphertext (Mastercard's order: encrypt, then sign).

use crate::{CallContext, Middleware, MiddlewareError};
use mastercard_oauth1::{Body, Request as SignRequest, Signer};
use reqwest::header::{AUTHORIZATION, HeaderValue};

/// Signs each request (method, URL with its query exactly as sent, body bytes) and sets the
/// `Authorization` header, marked sensitive so `Debug` output and HTTP/2 header compression
/// leave it alone. The key is parsed once, when the signer is built; with a
/// `SignatureProvider` (HSM, KMS) the provider is called here, synchronously, once per attempt,
/// and its failure is a `Failed` step: the call ends as not sent, the `SignError` (and the
/// provider's error behind it) as its source.
pub struct OAuth1Signing {
    signer: Signer,
}

impl OAuth1Signing {
    /// Signs with `signer` (consumer key and parsed private key).
    pub fn new(signer: Signer) -> Self {
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
        call: &CallContext,
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
            .map_err(MiddlewareError::failed)?;
        let mut value = HeaderValue::from_str(&signed.authorization).map_err(|_| {
            MiddlewareError::failed("the OAuth1 header is not a valid header value")
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        // The base string holds no secret (method, URL, body hash, oauth_* values but the
        // signature): kept so a refused signature can be explained against it.
        call.record_signed_base_string(signed.base_string);
        Ok(())
    }

    // Every attempt needs a fresh nonce and timestamp, or Mastercard rejects it as a replay.
    fn reapply_on_retry(&self) -> bool {
        true
    }
}

impl std::fmt::Debug for OAuth1Signing {
    // The signer holds the private key: only the middleware's name is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OAuth1Signing")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use mastercard_keys::PrivateKey;
    use mastercard_keys::openssl::{pkey::PKey, rsa::Rsa};

    fn signing() -> OAuth1Signing {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let signer = Signer::new("consumer-key", PrivateKey::from_pkey(key).unwrap()).unwrap();
        OAuth1Signing::new(signer)
    }

    #[test]
    fn the_authorization_header_is_sensitive_and_kept_out_of_debug() {
        let signing = signing();
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "https://api.example.com/v6/claims?x=1".parse().unwrap(),
        );
        *request.body_mut() = Some(reqwest::Body::from(b"{\"a\":1}".to_vec()));

        let call = CallContext::new("op");
        signing.on_request(&mut request, &call).unwrap();

        let header = request.headers().get(AUTHORIZATION).unwrap();
        let value = header.to_str().unwrap();
        assert!(
            value.starts_with("OAuth ") && value.contains("oauth_signature="),
            "{value}"
        );
        assert!(header.is_sensitive());
        let base_string = call.observed().signed_base_string.unwrap();
        assert!(
            base_string.starts_with("POST&https%3A%2F%2Fapi.example.com%2Fv6%2Fclaims&"),
            "{base_string}"
        );
        assert!(base_string.contains("x%3D1"), "{base_string}");
        assert!(!format!("{:?}", request.headers()).contains("oauth_signature"));
        assert_eq!(format!("{signing:?}"), "OAuth1Signing");
    }

    #[test]
    fn a_streaming_body_is_refused_rather_than_signed_without_it() {
        let signing = signing();
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "https://api.example.com/v6/claims".parse().unwrap(),
        );
        let stream = futures_stream();
        *request.body_mut() = Some(reqwest::Body::wrap_stream(stream));

        let refused = signing.on_request(&mut request, &CallContext::new("op"));

        assert!(refused.is_err());
        assert!(request.headers().get(AUTHORIZATION).is_none());
    }

    fn futures_stream()
    -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
        futures_util::stream::once(async { Ok(b"chunk".to_vec()) })
    }
}
