//! Signing: the key is parsed once; each request gets a body hash, a base string, a signature
//! and the `Authorization` header.

use std::fmt;
use std::num::NonZeroU64;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mastercard_keys::PrivateKey;

use crate::base_string::{Prepared, prepare};
use crate::error::SignError;
use crate::header;
use crate::method::SignatureMethod;
use crate::nonce::{generate_nonce, nonce_is_valid, unix_now};
use crate::provider::SignatureProvider;
use crate::request::Request;

/// Signs requests for one consumer key with one key: a local [`PrivateKey`] or any
/// [`SignatureProvider`] (an HSM, a KMS).
///
/// `Debug` shows the consumer key (an identifier, not a secret), the provider's key id and the
/// key size only.
#[derive(Clone)]
pub struct Signer {
    consumer_key: String,
    provider: Arc<dyn SignatureProvider>,
    method: SignatureMethod,
    params: Arc<dyn SigningParamsSource>,
}

/// Where [`Signer::sign`] gets each request's timestamp and nonce: the clock and the nonce
/// generator, injectable so a whole client's signatures can be made reproducible in tests.
///
/// Any `Fn() -> Result<SigningParams, SignError>` is one.
pub trait SigningParamsSource: Send + Sync {
    /// The timestamp and nonce for the next request.
    fn next_params(&self) -> Result<SigningParams, SignError>;
}

impl<F> SigningParamsSource for F
where
    F: Fn() -> Result<SigningParams, SignError> + Send + Sync,
{
    fn next_params(&self) -> Result<SigningParams, SignError> {
        self()
    }
}

/// The system clock and OpenSSL's CSPRNG: the default source.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemParams;

impl SigningParamsSource for SystemParams {
    fn next_params(&self) -> Result<SigningParams, SignError> {
        SigningParams::now()
    }
}

/// The per-request values a test (or a replay of a gateway error) wants to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningParams {
    /// `oauth_timestamp`, seconds since the Unix epoch (not 0).
    pub timestamp: u64,
    /// `oauth_nonce` (1–64 characters from `A-Z a-z 0-9 - . _ ~`).
    pub nonce: String,
}

impl SigningParams {
    /// The current time and a fresh CSPRNG nonce (what [`Signer::sign`] uses).
    pub fn now() -> Result<Self, SignError> {
        Ok(Self {
            timestamp: unix_now()?,
            nonce: generate_nonce()?,
        })
    }
}

/// A signed request: the header to send, plus everything needed to debug a 401.
///
/// `Debug` shows the base string, body hash, nonce and timestamp but not the `Authorization`
/// header nor the signature: within the timestamp window they authenticate the request.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The `Authorization` header value (`OAuth oauth_consumer_key="…",…`).
    pub authorization: String,
    /// The signature base string that was signed; compare it with the gateway's "acceptable
    /// signature base string" when a signature is rejected.
    pub base_string: String,
    /// `oauth_body_hash`.
    pub body_hash: String,
    /// The signature, base64 (not percent-encoded).
    pub signature: String,
    /// `oauth_nonce` used.
    pub nonce: String,
    /// `oauth_timestamp` used.
    pub timestamp: u64,
}

impl Signer {
    /// A signer using `RSA-SHA256` with a local key (OpenSSL signs in this process).
    ///
    /// The consumer key goes raw into the header, so it must be visible ASCII without `"` or `\`.
    pub fn new(consumer_key: impl Into<String>, key: PrivateKey) -> Result<Self, SignError> {
        Self::with_provider(consumer_key, Arc::new(key))
    }

    /// A signer using `RSA-SHA256` whose signatures come from `provider` (an HSM, a KMS; see
    /// [`SignatureProvider`] for what it must do). Choose `RSA-PSS` with
    /// [`with_signature_method`](Self::with_signature_method).
    ///
    /// The consumer key is checked as in [`Signer::new`].
    pub fn with_provider(
        consumer_key: impl Into<String>,
        provider: Arc<dyn SignatureProvider>,
    ) -> Result<Self, SignError> {
        let consumer_key = consumer_key.into();
        if consumer_key.is_empty() {
            return Err(SignError::InvalidConsumerKey {
                reason: "it is empty",
            });
        }
        if !consumer_key
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\')
        {
            return Err(SignError::InvalidConsumerKey {
                reason: "it contains spaces, quotes, backslashes or non-ASCII characters",
            });
        }
        Ok(Self {
            consumer_key,
            provider,
            method: SignatureMethod::RsaSha256,
            params: Arc::new(SystemParams),
        })
    }

    /// The same signer taking timestamps and nonces from `source` instead of the system clock
    /// and the CSPRNG (tests, replaying a rejected request). Never use a fixed nonce in
    /// production: Mastercard refuses a replayed one.
    #[must_use]
    pub fn with_params_source(mut self, source: impl SigningParamsSource + 'static) -> Self {
        self.params = Arc::new(source);
        self
    }

    /// The same signer with another signature method.
    #[must_use]
    pub fn with_signature_method(mut self, method: SignatureMethod) -> Self {
        self.method = method;
        self
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The signature method.
    pub fn signature_method(&self) -> SignatureMethod {
        self.method
    }

    /// The provider the signatures come from.
    pub fn provider(&self) -> &Arc<dyn SignatureProvider> {
        &self.provider
    }

    /// Signs an already built base string, returning the base64 signature (e.g. to check the
    /// gateway's "acceptable signature base string" against your key). A provider that does
    /// not support the signer's method, or that fails, gives [`SignError::Provider`].
    pub fn sign_base_string(&self, base_string: &str) -> Result<String, SignError> {
        let provider_error = |source| SignError::Provider {
            key_id: self.provider.key_id(),
            method: self.method,
            source,
        };
        // Checked here too, not only by the clients' builders: a provider that cannot do the
        // method must not be asked (a KMS might sign with another padding and the gateway would
        // answer with an opaque 401).
        if !self.provider.supports(self.method) {
            return Err(provider_error(crate::ProviderError::unsupported(
                self.method,
            )));
        }
        let raw = self
            .provider
            .sign(self.method, base_string.as_bytes())
            .map_err(provider_error)?;
        Ok(STANDARD.encode(raw))
    }

    /// Signs with the next timestamp and nonce of the signer's source (by default the current
    /// time and a fresh CSPRNG nonce; call again for every retry).
    pub fn sign(&self, request: &Request<'_>) -> Result<SignedRequest, SignError> {
        self.sign_with(request, &self.params.next_params()?)
    }

    /// Signs with the given timestamp and nonce (reproducible for `RSA-SHA256`).
    pub fn sign_with(
        &self,
        request: &Request<'_>,
        params: &SigningParams,
    ) -> Result<SignedRequest, SignError> {
        let timestamp = NonZeroU64::new(params.timestamp).ok_or(SignError::InvalidTimestamp)?;
        if !nonce_is_valid(&params.nonce) {
            return Err(SignError::InvalidNonce {
                nonce: params.nonce.clone(),
            });
        }
        let Prepared {
            base_string,
            body_hash,
        } = prepare(
            request,
            &self.consumer_key,
            &params.nonce,
            timestamp,
            self.method,
        )?;
        let signature = self.sign_base_string(&base_string)?;
        let authorization = header::render(
            &self.consumer_key,
            &params.nonce,
            params.timestamp,
            self.method.name(),
            &body_hash,
            &signature,
        );
        Ok(SignedRequest {
            authorization,
            base_string,
            body_hash,
            signature,
            nonce: params.nonce.clone(),
            timestamp: params.timestamp,
        })
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("authorization", &"<redacted>")
            .field("base_string", &self.base_string)
            .field("body_hash", &self.body_hash)
            .field("signature", &"<redacted>")
            .field("nonce", &self.nonce)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("consumer_key", &self.consumer_key)
            .field("key", &ProviderDebug(self.provider.as_ref()))
            .field("method", &self.method)
            .finish()
    }
}

/// A provider as `Debug` shows it: its non-secret key id and, when known, the key size.
struct ProviderDebug<'a>(&'a dyn SignatureProvider);

impl fmt::Debug for ProviderDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = f.debug_struct("SignatureProvider");
        shown.field("key_id", &self.0.key_id());
        if let Some(bits) = self.0.key_bits() {
            shown.field("bits", &bits);
        }
        shown.finish()
    }
}

/// The signature base string of a request without signing it (for debugging and for tools
/// that sign elsewhere, e.g. in an HSM).
pub fn signature_base_string(
    request: &Request<'_>,
    consumer_key: &str,
    method: SignatureMethod,
    params: &SigningParams,
) -> Result<String, SignError> {
    let timestamp = NonZeroU64::new(params.timestamp).ok_or(SignError::InvalidTimestamp)?;
    Ok(prepare(request, consumer_key, &params.nonce, timestamp, method)?.base_string)
}
