//! Mastercard JWE payload encryption, on [`josekit`].
//!
//! Mastercard APIs such as Identity Insights for Transactions exchange bodies of the form
//! `{"encryptedData":"<JWE compact>"}` with `alg=RSA-OAEP-256`, `enc=A256GCM`,
//! `cty=application/json` and `kid` = the lowercase hex SHA-256 of the encryption key's
//! SubjectPublicKeyInfo. [`EncryptionConfig`] reproduces the reference libraries' semantics
//! (paths, field name, pass-through of plain error bodies) and is stricter than them on decrypt:
//! full 16-byte tags verified for GCM and CBC-HMAC alike, only RSA-OAEP-256, no `dir`/`none`/`zip`
//! /`crit`, `kid` checked against the decryption key, and a size cap.
//!
//! This crate does no I/O and has no HTTP dependency: an HTTP client hook calls
//! [`EncryptionConfig::encrypt_payload`] on request bodies and
//! [`EncryptionConfig::decrypt_payload`] on response bodies; a server (or sandbox) does the
//! reverse with its own keys.
//!
//! ```
//! use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
//! use openssl::{pkey::PKey, rsa::Rsa};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In real use both keys come from `mastercard-keys` (certificate and PKCS#12 files).
//! let private = PKey::from_rsa(Rsa::generate(2048)?)?;
//! let public = PKey::public_key_from_der(&private.public_key_to_der()?)?;
//!
//! let config = EncryptionConfig::builder()
//!     .encryption_key(EncryptionKey::from_public_key(&public)?)
//!     .decryption_key(DecryptionKey::from_pkey(&private)?)
//!     .build()?;
//!
//! let request = config.encrypt_payload(br#"{"pan":"5123456789012345"}"#)?;
//! assert!(request.starts_with(br#"{"encryptedData":"eyJ"#));
//!
//! let response = config.decrypt_payload(&request)?;
//! assert_eq!(response, br#"{"pan":"5123456789012345"}"#);
//!
//! // Plain error bodies pass through untouched.
//! let error = br#"{"Errors":{"Error":[{"ReasonCode":"DECLINED"}]}}"#;
//! assert_eq!(config.decrypt_payload(error)?, error);
//! # Ok(())
//! # }
//! ```
//!
//! Randomness: the CEK and the 12-byte IV are drawn by josekit from OpenSSL's CSPRNG, and
//! RSA-OAEP adds its own random seed, so encryption cannot be made deterministic; tests check it
//! by round trip and by decrypting with an independent implementation.

mod cipher;
mod compact;
mod config;
mod error;
pub mod fingerprint;
mod keys;
mod path;
mod payload;

pub use config::{
    DEFAULT_FIELD_NAME, DEFAULT_MAX_PLAINTEXT_LEN, EncryptionConfig, EncryptionConfigBuilder,
};
pub use error::{JweError, Segment};
pub use keys::{DecryptionKey, EncryptionKey};
pub use path::JsonPath;
