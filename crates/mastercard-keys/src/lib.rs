#![doc = include_str!("../README.md")]

// Dependency order, top-down (each module uses only those after it): source, pkcs12, legacy,
// identity, validity, certificate, public_key, private_key, policy, sniff, read, error.
mod certificate;
mod error;
mod identity;
mod legacy;
mod pkcs12;
mod policy;
mod private_key;
mod public_key;
mod read;
mod sniff;
mod source;
mod validity;

pub use certificate::Certificate;
pub use error::{KeyError, describe as describe_openssl_error};
pub use identity::{Identity, Pkcs12Identity};
pub use policy::{MIN_RSA_BITS, algorithm_name};
pub use private_key::PrivateKey;
pub use public_key::PublicKey;
pub use read::{MAX_FILE_LEN, read_file};
pub use source::{KeySource, Pkcs12Options};
pub use validity::ValidityPolicy;

/// Re-export of the OpenSSL crate this crate's types wrap, so callers use the same version.
pub use openssl;
