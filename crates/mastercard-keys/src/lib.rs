//! The workspace's one loader for Mastercard keys and certificates, on OpenSSL.
//!
//! * [`PrivateKey`]: RSA (>= 2048 bits) from PKCS#12 (alias + password, including the legacy
//!   RC2-40/3DES containers Mastercard Developers issues), PKCS#8 or PKCS#1, PEM or DER.
//! * [`PublicKey`]: RSA public key from PEM/DER, a certificate or a private key.
//! * [`Certificate`]: X.509 in PEM or DER, its public key, SPKI and validity.
//! * [`Pkcs12Identity`]: key + certificate + chain from one container (for mTLS).
//!
//! Every failure is a [`KeyError`] that says what is wrong and what to do; `Debug` output never
//! contains key material or passwords.
//!
//! ```
//! use mastercard_keys::{PrivateKey, Pkcs12Options};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let rsa = openssl::rsa::Rsa::generate(2048)?;
//! # let pem = openssl::pkey::PKey::from_rsa(rsa)?.private_key_to_pem_pkcs8()?;
//! let key = PrivateKey::from_bytes(&pem, &Pkcs12Options::default())?;
//! assert_eq!(key.bits(), 2048);
//! assert_eq!(format!("{key:?}"), r#"PrivateKey { algorithm: "RSA", bits: 2048 }"#);
//! # Ok(())
//! # }
//! ```

mod certificate;
mod error;
mod file;
mod legacy;
mod pkcs12;
mod private_key;
mod public_key;

pub use certificate::Certificate;
pub use error::{KeyError, describe as describe_openssl_error};
pub use file::Pkcs12Options;
pub use pkcs12::Pkcs12Identity;
pub use private_key::{MIN_RSA_BITS, PrivateKey};
pub use public_key::PublicKey;

/// Re-export of the OpenSSL crate this crate's types wrap, so callers use the same version.
pub use openssl;
