//! The key policy every loader applies: RSA only, at least [`MIN_RSA_BITS`] bits.

use openssl::pkey::Id;

use crate::error::KeyError;

/// Smallest RSA modulus accepted, in bits (Mastercard issues 2048-bit keys).
pub const MIN_RSA_BITS: u32 = 2048;

/// Checks an OpenSSL key's algorithm and size against the policy.
pub(crate) fn check_rsa(id: Id, bits: u32) -> Result<(), KeyError> {
    if id != Id::RSA {
        return Err(KeyError::NotRsa {
            algorithm: algorithm_name(id).to_owned(),
        });
    }
    if bits < MIN_RSA_BITS {
        return Err(KeyError::KeyTooSmall {
            bits,
            minimum: MIN_RSA_BITS,
        });
    }
    Ok(())
}

/// A human name for an OpenSSL key type (`"EC"`, `"Ed25519"`, …), for messages that must not show
/// OpenSSL's numeric ids.
pub fn algorithm_name(id: Id) -> &'static str {
    match id {
        Id::RSA => "RSA",
        Id::RSA_PSS => "RSA-PSS (restricted RSA key)",
        Id::EC => "EC",
        Id::DSA => "DSA",
        Id::DH => "DH",
        Id::ED25519 => "Ed25519",
        Id::ED448 => "Ed448",
        Id::X25519 => "X25519",
        Id::X448 => "X448",
        _ => "a non-RSA algorithm",
    }
}
