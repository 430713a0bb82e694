//! Mastercard's OAuth 1.0a request signing (one-legged, `RSA-SHA256` or `RSA-PSS`, with the
//! `oauth_body_hash` extension), byte-for-byte with Mastercard's Java and Python signers, and the
//! matching verifier.
//!
//! Pure: no HTTP client. Give it the method, the URL string exactly as it goes on the wire and the
//! exact body bytes; it returns the `Authorization` header value together with the signature base
//! string (compare it with the gateway's "acceptable signature base string" when a call gets a 401).
//!
//! ```
//! use mastercard_keys::{Pkcs12Options, PrivateKey, PublicKey};
//! use mastercard_oauth1::{Request, Signer, SigningParams, Verifier};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let pem = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048)?)?.private_key_to_pem_pkcs8()?;
//! // Parse the key once (PKCS#12, PKCS#8 or PKCS#1), keep the signer for all requests.
//! let key = PrivateKey::from_bytes(&pem, &Pkcs12Options::default())?;
//! let public = PublicKey::from_private_key(&key)?;
//! let signer = Signer::new("abc-abc-abc!123", key)?;
//!
//! let request = Request::new("POST", "https://sandbox.api.mastercard.com/service?a=1", br#"{"x":1}"#);
//! let fixed = SigningParams { timestamp: 1_700_000_000, nonce: "kbQ3tMrmHSfdSpEC".into() };
//! let signed = signer.sign_with(&request, &fixed)?;
//! assert!(signed.authorization.starts_with(r#"OAuth oauth_consumer_key="abc-abc-abc!123",oauth_nonce="kbQ3tMrmHSfdSpEC""#));
//! assert!(signed.base_string.starts_with("POST&https%3A%2F%2Fsandbox.api.mastercard.com%2Fservice&a%3D1%26oauth_body_hash%3D"));
//!
//! // The receiving side (the sandbox, or your tests).
//! let verified = Verifier::new(public).verify_at(&request, &signed.authorization, 1_700_000_010)?;
//! assert_eq!(verified.consumer_key, "abc-abc-abc!123");
//! # Ok(())
//! # }
//! ```

mod base_string;
mod body_hash;
mod diagnosis;
mod encoding;
mod error;
mod header;
mod method;
mod nonce;
mod nonce_store;
mod readings;
mod request;
mod signer;
mod verifier;

pub use body_hash::body_hash;
pub use diagnosis::{
    Diagnosis, Difference, MAX_ERROR_BODY, Side, acceptable_base_string, diagnose,
};
pub use encoding::percent_encode;
pub use error::{RequestError, SignError, VerifyError};
pub use header::AuthorizationHeader;
pub use method::{SignatureMethod, UnknownSignatureMethod};
pub use nonce::{NONCE_LEN, generate_nonce};
pub use nonce_store::{InMemoryNonceStore, NonceStore};
pub use readings::{Reading, base_string_as};
pub use request::{Body, Request};
pub use signer::{
    SignedRequest, Signer, SigningParams, SigningParamsSource, SystemParams, signature_base_string,
};
pub use verifier::{Verified, Verifier};

/// The key types this crate takes, re-exported for convenience.
pub use mastercard_keys;
