//! Verification of received requests (for the embedded sandbox and for users' own tests).

use std::fmt;
use std::num::NonZeroU64;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mastercard_keys::PublicKey;

use crate::base_string::{Prepared, prepare};
use crate::encoding::percent_decode;
use crate::error::VerifyError;
use crate::header::AuthorizationHeader;
use crate::method::SignatureMethod;
use crate::nonce::unix_now;
use crate::nonce_store::{InMemoryNonceStore, NonceStore};
use crate::readings::{OAuthFields, Reading, reference_base_string};
use crate::request::Request;

/// Checks signed requests against one public key.
///
/// Checks, in order: header syntax → signature method → consumer key (if configured) → body hash →
/// signature → timestamp window → nonce replay. The nonce is recorded only for requests whose
/// signature verified, so forged requests cannot use up nonces.
pub struct Verifier {
    key: PublicKey,
    consumer_key: Option<String>,
    window_secs: u64,
    nonces: Box<dyn NonceStore>,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_signature_method`.
    pub signature_method: SignatureMethod,
    /// The base string the signature covers.
    pub base_string: String,
    /// Whose reading of the request that base string is (the first, in [`Reading::ALL`]'s
    /// order, the signature verifies over).
    pub reading: Reading,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`.
    pub timestamp: u64,
}

impl Verifier {
    /// Default accepted clock skew (either direction).
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);

    /// A verifier for `key`, any consumer key, a 5-minute window and an in-memory nonce store.
    pub fn new(key: PublicKey) -> Self {
        Self {
            key,
            consumer_key: None,
            window_secs: Self::DEFAULT_WINDOW.as_secs(),
            nonces: Box::new(InMemoryNonceStore::default()),
        }
    }

    /// Accept only this consumer key.
    #[must_use]
    pub fn with_consumer_key(mut self, consumer_key: impl Into<String>) -> Self {
        self.consumer_key = Some(consumer_key.into());
        self
    }

    /// Accept timestamps at most `window` away from the verifier's clock.
    #[must_use]
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window_secs = window.as_secs();
        self
    }

    /// Use another nonce store (e.g. shared between instances).
    #[must_use]
    pub fn with_nonce_store(mut self, store: impl NonceStore + 'static) -> Self {
        self.nonces = Box::new(store);
        self
    }

    /// Verifies `request` (method, URL and body exactly as received) against its `Authorization`
    /// header value, using the system clock.
    pub fn verify(
        &self,
        request: &Request<'_>,
        authorization: &str,
    ) -> Result<Verified, VerifyError> {
        let now = unix_now().map_err(|error| VerifyError::Crypto {
            detail: error.to_string(),
        })?;
        self.verify_at(request, authorization, now)
    }

    /// [`Verifier::verify`] with the verifier's clock given (seconds since the Unix epoch).
    pub fn verify_at(
        &self,
        request: &Request<'_>,
        authorization: &str,
        now: u64,
    ) -> Result<Verified, VerifyError> {
        let header = AuthorizationHeader::parse(authorization)?;
        let method: SignatureMethod = header.signature_method.parse().map_err(|_| {
            VerifyError::UnsupportedSignatureMethod {
                method: header.signature_method.clone(),
            }
        })?;
        if header.version != "1.0" {
            return Err(VerifyError::malformed(format!(
                "oauth_version is {:?}, expected \"1.0\"",
                header.version
            )));
        }
        let timestamp = parse_timestamp(&header.timestamp)?;
        let signature = percent_decode(&header.signature)
            .ok()
            .and_then(|decoded| STANDARD.decode(decoded.as_bytes()).ok())
            .ok_or_else(|| {
                VerifyError::malformed("oauth_signature is not percent-encoded base64")
            })?;
        if let Some(expected) = &self.consumer_key
            && *expected != header.consumer_key
        {
            return Err(VerifyError::UnknownConsumerKey {
                received: header.consumer_key,
            });
        }

        let Prepared {
            base_string,
            body_hash,
        } = prepare(
            request,
            &header.consumer_key,
            &header.nonce,
            timestamp,
            method,
        )?;
        // Accept the body hash raw (as Mastercard's signers send it) or percent-encoded (RFC style).
        if header.body_hash != body_hash
            && percent_decode(&header.body_hash).as_deref() != Ok(body_hash.as_str())
        {
            return Err(VerifyError::BodyHashMismatch {
                received: header.body_hash,
                computed: body_hash,
                body_len: request.body_bytes().map_or(0, <[u8]>::len),
            });
        }
        let oauth = OAuthFields {
            consumer_key: &header.consumer_key,
            nonce: &header.nonce,
            timestamp: timestamp.get(),
            signature_method: method.name(),
            body_hash: &body_hash,
        };
        let Some((reading, verified_base_string)) =
            self.matching_reading(request, &oauth, base_string.clone(), &signature)
        else {
            return Err(VerifyError::SignatureMismatch { base_string });
        };
        if timestamp.get().abs_diff(now) > self.window_secs {
            return Err(VerifyError::StaleTimestamp {
                timestamp: timestamp.get(),
                now,
                window_secs: self.window_secs,
            });
        }
        if !self
            .nonces
            .check_and_record(&header.consumer_key, &header.nonce, timestamp.get(), now)
        {
            return Err(VerifyError::ReplayedNonce {
                nonce: header.nonce,
            });
        }
        Ok(Verified {
            consumer_key: header.consumer_key,
            signature_method: method,
            base_string: verified_base_string,
            reading,
            nonce: header.nonce,
            timestamp: timestamp.get(),
        })
    }
}

impl Verifier {
    /// The first reading whose base string `signature` verifies over, with that string. The
    /// canonical string is tried first (what this crate's signer and, for canonical input, every
    /// reference signs); the references' own readings only when it fails, each at most once.
    fn matching_reading(
        &self,
        request: &Request<'_>,
        oauth: &OAuthFields<'_>,
        canonical: String,
        signature: &[u8],
    ) -> Option<(Reading, String)> {
        let method: SignatureMethod = oauth.signature_method.parse().ok()?;
        let verifies = |base: &str| method.verify(self.key.pkey(), base.as_bytes(), signature);
        if verifies(&canonical) {
            return Some((Reading::Canonical, canonical));
        }
        let mut tried = vec![canonical];
        for reading in Reading::ALL.into_iter().skip(1) {
            // A reading that cannot read the request (it was readable canonically, so this is
            // only a reference-specific limit) simply offers no candidate.
            let Ok(base) = reference_base_string(reading, request, oauth) else {
                continue;
            };
            if tried.contains(&base) {
                continue;
            }
            if verifies(&base) {
                return Some((reading, base));
            }
            tried.push(base);
        }
        None
    }
}

/// A canonical decimal (no sign, no leading zero), non-zero: anything else would be signed
/// differently by the sender than recomputed here.
fn parse_timestamp(text: &str) -> Result<NonZeroU64, VerifyError> {
    let canonical = !text.is_empty()
        && !text.starts_with('0')
        && text.bytes().all(|byte| byte.is_ascii_digit());
    canonical
        .then(|| text.parse::<NonZeroU64>().ok())
        .flatten()
        .ok_or_else(|| {
            VerifyError::malformed(format!(
                "oauth_timestamp {text:?} is not a positive decimal number"
            ))
        })
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("key", &self.key)
            .field("consumer_key", &self.consumer_key)
            .field("window_secs", &self.window_secs)
            .finish_non_exhaustive()
    }
}
