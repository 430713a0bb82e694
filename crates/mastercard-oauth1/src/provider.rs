//! Where signatures come from: a [`SignatureProvider`] turns a signature base string into raw
//! signature bytes. The OpenSSL [`PrivateKey`] is the built-in one; an HSM or a cloud KMS can be
//! another, so the private key never has to be in this process.

use std::error::Error as StdError;
use std::fmt;

use mastercard_keys::PrivateKey;

use crate::method::SignatureMethod;

/// A boxed error that can cross threads: what a provider's own failure is carried as.
type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Produces the raw signature of a signature base string, with a key that may live elsewhere (an
/// HSM, a cloud KMS, a signing service). [`Signer::with_provider`](crate::Signer::with_provider)
/// uses one; [`PrivateKey`] is the built-in implementation (OpenSSL, in-process).
///
/// # What is asked of an implementation
///
/// * [`sign`](Self::sign) returns the signature **bytes** (not base64) of `message` with the
///   given method: `RSA-SHA256` is RSASSA-PKCS1-v1_5 over SHA-256 of the message; `RSA-PSS` is
///   RSASSA-PSS with SHA-256, MGF1-SHA-256 and a **32-byte salt** (the gateway checks that salt
///   length). `message` is the whole base string: a KMS that takes a digest gets
///   SHA-256(`message`).
/// * It is called **once per attempt**, retries included, before the request is sent, from the
///   synchronous request step of the clients (a `Middleware`, running on a Tokio worker thread).
///   It must return within a bounded time: the call's deadline does not interrupt it, and while
///   it runs it holds that worker thread.
/// * A provider backed by a network KMS therefore has to bound its own time (a request timeout
///   well below the call's deadline) and should not block a runtime thread for long: either wrap
///   the blocking call in `tokio::task::block_in_place` (multi-threaded runtime only; it panics
///   on a current-thread runtime), or keep a pre-fetched session/connection so a signature is one
///   short round trip. There is no async variant: the signing step is synchronous by design,
///   and a provider that needs seconds per signature will make every call that slow.
/// * A failure returns a [`ProviderError`] carrying the provider's own error; it becomes
///   [`SignError::Provider`](crate::SignError::Provider) and, in the clients, an error that says
///   the request was **not sent** (the provider's error stays reachable through `source()`).
/// * [`key_id`](Self::key_id) and `Debug` (if any) must not reveal secrets: no key material, no
///   credentials of the KMS; an ARN, a key label or a fingerprint is fine.
pub trait SignatureProvider: Send + Sync {
    /// The raw signature of `message` with `method`.
    fn sign(&self, method: SignatureMethod, message: &[u8]) -> Result<Vec<u8>, ProviderError>;

    /// Whether this provider can sign with `method`. The clients check it when they are built,
    /// so an unsupported choice fails before any request. Default: both methods (any RSA key can).
    fn supports(&self, method: SignatureMethod) -> bool {
        let _ = method;
        true
    }

    /// A non-secret name of the key, shown by `Debug` and in errors (a KMS key id, an HSM
    /// label, a fingerprint).
    fn key_id(&self) -> String;

    /// The key's size in bits, when known (shown by `Debug`).
    fn key_bits(&self) -> Option<u32> {
        None
    }
}

/// Why a [`SignatureProvider`] produced no signature. The provider's own error, if any, is the
/// [`source`](StdError::source), so callers can downcast to it (e.g. through the clients'
/// `find_source`).
#[derive(Debug)]
pub struct ProviderError {
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    Unsupported(SignatureMethod),
    Failed(BoxError),
}

impl ProviderError {
    /// The provider failed; `error` (the KMS client's error, a timeout, …) is kept as the source.
    /// Its `Display` must not contain secrets.
    pub fn new(error: impl Into<BoxError>) -> Self {
        Self {
            reason: Reason::Failed(error.into()),
        }
    }

    /// The provider cannot sign with `method`.
    pub fn unsupported(method: SignatureMethod) -> Self {
        Self {
            reason: Reason::Unsupported(method),
        }
    }

    /// The method the provider refused, when that was the reason.
    pub fn unsupported_method(&self) -> Option<SignatureMethod> {
        match self.reason {
            Reason::Unsupported(method) => Some(method),
            Reason::Failed(_) => None,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Reason::Unsupported(method) => {
                write!(f, "the provider does not support {method}")
            }
            Reason::Failed(error) => write!(f, "{error}"),
        }
    }
}

impl StdError for ProviderError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.reason {
            Reason::Failed(error) => Some(error.as_ref()),
            Reason::Unsupported(_) => None,
        }
    }
}

/// The built-in provider: the key is in this process and OpenSSL signs with it.
impl SignatureProvider for PrivateKey {
    fn sign(&self, method: SignatureMethod, message: &[u8]) -> Result<Vec<u8>, ProviderError> {
        method
            .sign(self.pkey(), message)
            .map_err(|detail| ProviderError::new(OpensslFailure(detail)))
    }

    fn key_id(&self) -> String {
        // The SPKI fingerprint names the key without revealing anything private; it is what the
        // Mastercard Developers portal and `mastercard jwe fingerprint` show for a certificate.
        match self.public_key_spki_der() {
            Ok(der) => {
                let digest = openssl::sha::sha256(&der);
                let hex: String = digest[..8]
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect();
                format!("local RSA key, SPKI SHA-256 {hex}…")
            }
            Err(_) => "local RSA key".to_owned(),
        }
    }

    fn key_bits(&self) -> Option<u32> {
        Some(self.bits())
    }
}

/// OpenSSL's key-free description of a signing failure.
#[derive(Debug)]
struct OpensslFailure(String);

impl fmt::Display for OpensslFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpenSSL failed to sign: {}", self.0)
    }
}

impl StdError for OpensslFailure {}
