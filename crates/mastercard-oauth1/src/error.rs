//! Typed errors: what is wrong with a request, a signing attempt or a received signature.

use std::fmt;

/// A request that cannot be signed or verified as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The URL is not an absolute `http`/`https` URL the signers can normalise.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given, with anything that could be user info (`user:password@`) replaced
        /// by `***`.
        url: String,
        /// What is wrong and how to fix it.
        reason: &'static str,
    },
    /// The URL carries user info (`user:password@host`). It would end up in the signature base
    /// string and in logs; Mastercard authenticates with the OAuth signature only. The URL shown
    /// has the user info replaced by `***`.
    #[error(
        "the URL {url:?} carries user info (user:password@); remove it: Mastercard APIs \
         authenticate with the OAuth signature, and credentials in a URL end up in logs"
    )]
    UserInfoInUrl {
        /// The URL with the user info replaced by `***`.
        url: String,
    },
    /// A query key or value has `%XX` escapes whose bytes are not UTF-8. Mastercard's signers
    /// would replace them with U+FFFD, so two different requests (`%FF`, `%FE`) would share a
    /// signature; this crate refuses them instead.
    #[error(
        "the query of {url:?} has percent-escapes that do not decode to UTF-8 in {text:?}; \
         encode the text as UTF-8 before percent-encoding it (é is %C3%A9, not %E9)"
    )]
    NonUtf8Escape {
        /// The URL as given (user info, if any, replaced by `***`).
        url: String,
        /// The raw query key or value holding the escapes.
        text: String,
    },
    /// The HTTP method is empty or not an HTTP token.
    #[error("invalid HTTP method {method:?}: use a token such as GET, POST, PUT, DELETE")]
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// A query parameter has the name of one of the OAuth parameters this signer adds.
    #[error("query parameter {key:?} collides with an OAuth protocol parameter; rename it")]
    ReservedQueryParameter {
        /// The (normalised) parameter name.
        key: String,
    },
    /// The body is a stream whose bytes are not available, so its hash cannot be computed.
    #[error(
        "the request body is a stream that cannot be hashed before sending; buffer it into bytes \
         (oauth_body_hash covers the exact body bytes)"
    )]
    UnbufferedBody,
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The request itself is unusable.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The consumer key would break the `Authorization` header.
    #[error("invalid consumer key: {reason}; copy it from your Mastercard Developers project")]
    InvalidConsumerKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// An injected nonce is unusable.
    #[error("invalid nonce {nonce:?}: use 1 to 64 characters from A-Z a-z 0-9 - . _ ~")]
    InvalidNonce {
        /// The nonce as given.
        nonce: String,
    },
    /// An injected timestamp of 0 (the signers use seconds since 1970).
    #[error("invalid timestamp 0: use seconds since the Unix epoch")]
    InvalidTimestamp,
    /// The system clock is before 1970.
    #[error("the system clock is before the Unix epoch; fix the clock")]
    Clock,
    /// The [`SignatureProvider`](crate::SignatureProvider) produced no signature (a KMS or HSM
    /// unreachable or refusing, an unsupported method, OpenSSL failing on a local key). Its error
    /// is the `source`.
    #[error("the signature provider ({key_id}) could not sign with {method}: {source}")]
    Provider {
        /// The provider's non-secret key name ([`SignatureProvider::key_id`](crate::SignatureProvider::key_id)).
        key_id: String,
        /// The method asked for.
        method: crate::SignatureMethod,
        /// The provider's error.
        source: crate::ProviderError,
    },
    /// OpenSSL failed to produce random bytes (the nonce).
    #[error("OpenSSL failed to {operation}: {detail}")]
    Crypto {
        /// What was attempted.
        operation: &'static str,
        /// OpenSSL's reason.
        detail: String,
    },
}

/// Why a received request failed verification. Each reason is distinct so a sandbox can tell
/// users exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The `Authorization` header could not be parsed or lacks a required parameter.
    #[error("malformed OAuth Authorization header: {reason}")]
    MalformedHeader {
        /// What is wrong.
        reason: String,
    },
    /// `oauth_signature_method` is neither `RSA-SHA256` nor `RSA-PSS`.
    #[error("unsupported oauth_signature_method {method:?}; use RSA-SHA256 (or RSA-PSS)")]
    UnsupportedSignatureMethod {
        /// The method received.
        method: String,
    },
    /// The consumer key is not the one this verifier knows.
    #[error("unknown oauth_consumer_key {received:?}")]
    UnknownConsumerKey {
        /// The consumer key received.
        received: String,
    },
    /// The received request is unusable (bad URL or method).
    #[error(transparent)]
    Request(#[from] RequestError),
    /// `oauth_body_hash` does not match the SHA-256 of the body received.
    #[error(
        "oauth_body_hash mismatch: received {received:?}, computed {computed:?} over the {body_len} body \
         bytes received; hash the exact bytes you send"
    )]
    BodyHashMismatch {
        /// The hash in the header.
        received: String,
        /// The hash of the body as received.
        computed: String,
        /// Length of the body received.
        body_len: usize,
    },
    /// The signature does not verify over the base string recomputed from the request.
    #[error("OAuth signature did not match; acceptable signature base string: {base_string}")]
    SignatureMismatch {
        /// The base string the verifier computed: compare it with yours.
        base_string: String,
    },
    /// `oauth_timestamp` is outside the accepted window around the verifier's clock.
    #[error(
        "stale oauth_timestamp {timestamp}: the verifier's clock is {now}, allowed skew {window_secs}s; sign with a fresh timestamp"
    )]
    StaleTimestamp {
        /// The timestamp received.
        timestamp: u64,
        /// The verifier's time.
        now: u64,
        /// The allowed distance, in seconds.
        window_secs: u64,
    },
    /// The nonce was already used by this consumer key within the window.
    #[error("replayed oauth_nonce {nonce:?}: use a fresh nonce for every request")]
    ReplayedNonce {
        /// The nonce received.
        nonce: String,
    },
    /// OpenSSL failed while verifying (not a mismatch).
    #[error("OpenSSL failed to verify: {detail}")]
    Crypto {
        /// OpenSSL's reason.
        detail: String,
    },
}

impl VerifyError {
    /// A short machine-readable code for the failure (for sandbox responses and metrics).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedHeader { .. } => "malformed_header",
            Self::UnsupportedSignatureMethod { .. } => "unsupported_signature_method",
            Self::UnknownConsumerKey { .. } => "unknown_consumer_key",
            Self::Request(_) => "invalid_request",
            Self::BodyHashMismatch { .. } => "body_hash_mismatch",
            Self::SignatureMismatch { .. } => "signature_mismatch",
            Self::StaleTimestamp { .. } => "stale_timestamp",
            Self::ReplayedNonce { .. } => "replayed_nonce",
            Self::Crypto { .. } => "crypto_failure",
        }
    }

    pub(crate) fn malformed(reason: impl fmt::Display) -> Self {
        Self::MalformedHeader {
            reason: reason.to_string(),
        }
    }
}

/// A key-free description of an OpenSSL error stack (shared with the key loader).
pub(crate) use mastercard_keys::describe_openssl_error as describe;
