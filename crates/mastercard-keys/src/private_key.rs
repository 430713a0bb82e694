//! RSA private keys: parsing from PEM/DER, the policy checks (RSA, >= 2048 bits) and exports.

use std::fmt;

use openssl::pkey::{Id, PKey, Private, Public};

use crate::error::KeyError;

/// Smallest RSA modulus accepted, in bits (Mastercard issues 2048-bit keys).
pub const MIN_RSA_BITS: u32 = 2048;

/// An RSA private key of at least [`MIN_RSA_BITS`] bits, parsed once and reused.
///
/// `Debug` shows only the algorithm and size, never key material.
#[derive(Clone)]
pub struct PrivateKey {
    pkey: PKey<Private>,
}

impl PrivateKey {
    /// Wraps an already parsed OpenSSL key after checking it is RSA and large enough.
    pub fn from_pkey(pkey: PKey<Private>) -> Result<Self, KeyError> {
        check_rsa(pkey.id(), pkey.bits())?;
        Ok(Self { pkey })
    }

    /// Parses a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    ///
    /// Other PEM blocks in the same input (e.g. a certificate) are skipped. An encrypted key
    /// (`BEGIN ENCRYPTED PRIVATE KEY`) needs [`PrivateKey::from_pem_with_password`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_with_password(pem, None)
    }

    /// Parses a PEM private key that may be encrypted with `password`.
    pub fn from_pem_with_password(pem: &[u8], password: Option<&str>) -> Result<Self, KeyError> {
        let encrypted = contains(pem, b"ENCRYPTED");
        if encrypted && password.is_none() {
            return Err(KeyError::PasswordRequired);
        }
        // The passphrase variant never falls back to prompting on the terminal, unlike the plain
        // one when the key turns out to be encrypted.
        let parsed = PKey::private_key_from_pem_passphrase(pem, password.unwrap_or("").as_bytes());
        match parsed {
            Ok(pkey) => Self::from_pkey(pkey),
            Err(stack) if encrypted => Err(KeyError::Malformed {
                expected: "encrypted PEM private key (or the password is wrong)",
                detail: crate::error::describe(&stack),
            }),
            Err(stack) => Err(KeyError::malformed("PEM private key", &stack)),
        }
    }

    /// Parses a DER private key: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        // Try PKCS#8 first: it is self-describing, so a non-RSA key is reported as such instead of
        // as garbage. `private_key_from_der` then covers the PKCS#1 (traditional) layout.
        let pkey = PKey::private_key_from_pkcs8(der)
            .or_else(|_| PKey::private_key_from_der(der))
            .map_err(|stack| KeyError::malformed("DER private key (PKCS#8 or PKCS#1)", &stack))?;
        Self::from_pkey(pkey)
    }

    /// Parses an encrypted PKCS#8 DER key (`EncryptedPrivateKeyInfo`).
    pub fn from_encrypted_pkcs8_der(der: &[u8], password: &str) -> Result<Self, KeyError> {
        let pkey =
            PKey::private_key_from_pkcs8_passphrase(der, password.as_bytes()).map_err(|stack| {
                KeyError::malformed("encrypted PKCS#8 key (or the password is wrong)", &stack)
            })?;
        Self::from_pkey(pkey)
    }

    /// The OpenSSL key, for signing and decryption.
    pub fn pkey(&self) -> &PKey<Private> {
        &self.pkey
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> u32 {
        self.pkey.bits()
    }

    /// The public half as an OpenSSL key.
    pub fn public_key(&self) -> Result<PKey<Public>, KeyError> {
        let der = self.public_key_spki_der()?;
        PKey::public_key_from_der(&der)
            .map_err(|stack| KeyError::crypto("derive the public key", &stack))
    }

    /// The public key as DER `SubjectPublicKeyInfo` (what JWE `kid` fingerprints hash).
    pub fn public_key_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.pkey
            .public_key_to_der()
            .map_err(|stack| KeyError::crypto("export the public key", &stack))
    }

    /// The private key as unencrypted PKCS#8 DER (the form `josekit` accepts).
    ///
    /// The returned bytes are key material: keep them short-lived and never log them.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, KeyError> {
        self.pkey
            .private_key_to_pkcs8()
            .map_err(|stack| KeyError::crypto("export the private key as PKCS#8", &stack))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &"RSA")
            .field("bits", &self.bits())
            .finish()
    }
}

/// The key policy shared by private and public keys: RSA and at least [`MIN_RSA_BITS`].
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

fn algorithm_name(id: Id) -> &'static str {
    match id {
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

/// Whether `needle` occurs in `haystack` (used on PEM armour, never on secrets' contents).
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
