//! RSA private keys: parsing from PEM/DER, the policy checks (RSA, >= 2048 bits) and exports.

use std::fmt;

use openssl::pkey::{PKey, Private, Public};

use crate::error::KeyError;
use crate::policy::check_rsa;
use crate::sniff;

/// An RSA private key of at least [`crate::MIN_RSA_BITS`] bits, parsed once and reused.
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
        if let Some(found) = sniff::what_else(pem, true) {
            return Err(KeyError::WrongContent {
                expected: "a private key",
                found,
            });
        }
        let encrypted = sniff::contains(pem, b"ENCRYPTED");
        let password = password.filter(|password| !password.is_empty());
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
            .map_err(|stack| match sniff::what_else(der, true) {
                Some(found) => KeyError::WrongContent {
                    expected: "a private key",
                    found,
                },
                None => KeyError::malformed("DER private key (PKCS#8 or PKCS#1)", &stack),
            })?;
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
