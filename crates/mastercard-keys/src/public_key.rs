//! RSA public keys for verifying signatures and encrypting: from PEM/DER, a certificate or a private key.

use std::fmt;

use openssl::pkey::{PKey, Public};
use openssl::rsa::Rsa;
use openssl::x509::X509;

use crate::error::KeyError;
use crate::policy::check_rsa;
use crate::private_key::PrivateKey;
use crate::sniff;

/// An RSA public key of at least [`crate::MIN_RSA_BITS`] bits.
#[derive(Clone)]
pub struct PublicKey {
    pkey: PKey<Public>,
}

impl PublicKey {
    /// Wraps an already parsed OpenSSL key after checking it is RSA and large enough.
    pub fn from_pkey(pkey: PKey<Public>) -> Result<Self, KeyError> {
        check_rsa(pkey.id(), pkey.bits())?;
        Ok(Self { pkey })
    }

    /// Parses PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo), `BEGIN RSA PUBLIC KEY` (PKCS#1) or a
    /// `BEGIN CERTIFICATE` (the certificate's key is used).
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        if sniff::has_pem_label(pem, "CERTIFICATE") {
            let pkey = X509::from_pem(pem)
                .and_then(|certificate| certificate.public_key())
                .map_err(|stack| KeyError::malformed("PEM certificate", &stack))?;
            return Self::from_pkey(pkey);
        }
        let pkey = PKey::public_key_from_pem(pem)
            .or_else(|_| Rsa::public_key_from_pem_pkcs1(pem).and_then(PKey::from_rsa))
            .map_err(|stack| match sniff::encoding(pem) {
                sniff::Encoding::Empty => KeyError::WrongContent {
                    expected: "a public key",
                    found: "empty",
                },
                _ => KeyError::malformed("PEM public key", &stack),
            })?;
        Self::from_pkey(pkey)
    }

    /// Parses DER `SubjectPublicKeyInfo` or PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let pkey = PKey::public_key_from_der(der)
            .or_else(|_| Rsa::public_key_from_der_pkcs1(der).and_then(PKey::from_rsa))
            .map_err(|stack| KeyError::malformed("DER public key", &stack))?;
        Self::from_pkey(pkey)
    }

    /// The public half of a private key.
    pub fn from_private_key(key: &PrivateKey) -> Result<Self, KeyError> {
        Self::from_pkey(key.public_key()?)
    }

    /// The OpenSSL key, for verification and encryption.
    pub fn pkey(&self) -> &PKey<Public> {
        &self.pkey
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> u32 {
        self.pkey.bits()
    }

    /// DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.pkey
            .public_key_to_der()
            .map_err(|stack| KeyError::crypto("export the public key", &stack))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &"RSA")
            .field("bits", &self.bits())
            .finish()
    }
}
