//! The errors of this crate: [`BuildError`] before any request, [`Error`] for a call.
//!
//! Messages never contain request or response bodies, keys or personal data; Mastercard's own
//! error fields (`ReasonCode`, `Description`, `Details` — which lists offending field *names*)
//! are kept as data, not in the `Display` text.

use mastercard_jwe::JweError;
use mastercard_keys::KeyError;
use mastercard_transport::HttpConfigError;

/// The response header that carries Mastercard's correlation id; quote it to Mastercard support.
pub const CORRELATION_ID_HEADER: &str = "x-mc-correlation-id";

/// Why an [`IdentityInsightsClient`](crate::IdentityInsightsClient) could not be built. Nothing
/// has been sent when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required setting was not given.
    #[error("missing setting: {0}")]
    Missing(&'static str),
    /// The base URL is not usable (not absolute, plain http:// to a non-loopback host, a query,
    /// user info).
    #[error(transparent)]
    InvalidBaseUrl(#[from] mastercard_transport::BaseUrlError),
    /// An environment variable has a value this crate does not understand.
    #[error("environment variable {name}: {reason}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// What is wrong with its value (never the value itself: it may be a password).
        reason: String,
    },
    /// A key, certificate or PKCS#12 container could not be used (unreadable file, wrong
    /// password, unknown alias, not RSA, …).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// TLS (the mTLS client identity: expired or not yet valid, certificate/key mismatch; the
    /// trust roots), the proxy or the HTTP client could not be configured.
    #[error(transparent)]
    HttpClient(#[from] HttpConfigError),
    /// The encryption certificate or decryption key was refused.
    #[error("payload encryption: {0}")]
    Encryption(#[from] JweError),
    /// The OAuth1 signing key cannot sign (e.g. not RSA, too small).
    #[error("the OAuth1 signing key cannot sign requests: {0}")]
    Signer(String),
    /// Both `oauth1_signing` (a key) and `oauth1_signature_provider` were given.
    #[error(
        "both an OAuth1 signing key and an OAuth1 signature provider were given; keep one \
         (the provider replaces the key)"
    )]
    ConflictingOAuth1Keys,
    /// The OAuth1 signature provider cannot sign with the chosen signature method.
    #[error(
        "the OAuth1 signature provider ({key_id}) does not support {method}; choose another signature method"
    )]
    UnsupportedSignatureMethod {
        /// The method chosen.
        method: mastercard_oauth1::SignatureMethod,
        /// The provider's non-secret key name.
        key_id: String,
    },
}

mastercard_transport::client_error!(
    /// A failed Identity Insights call: the same vocabulary as every client of this workspace
    /// (`kind()`, `delivery()`, `status()`, `correlation_id()`, `mastercard_errors()`, and the
    /// typed cause as `source()`). `Display` and `Debug` never contain bodies or keys.
    Error
);

impl Error {
    /// The JWE error, when the request could not be encrypted or the response could not be
    /// decrypted.
    pub fn jwe_error(&self) -> Option<&JweError> {
        self.find_source::<JweError>()
    }
}
