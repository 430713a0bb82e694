//! The two keys of a Mastercard JWE configuration, validated once at configuration time.
//!
//! Loading files (PKCS#12, PEM, DER) is the job of `mastercard-keys`; this module only turns an
//! already-parsed OpenSSL key into what josekit needs, checks that it is RSA of at least 2048 bits,
//! and computes its fingerprints.

use std::fmt;

use josekit::jwe::alg::rsaes::{RsaesJweDecrypter, RsaesJweEncrypter};
use josekit::jwe::{RSA_OAEP, RSA_OAEP_256};
use openssl::pkey::{Id, PKey, PKeyRef, Private, Public};
use openssl::x509::X509Ref;

use mastercard_keys::KeyError;

use crate::error::JweError;
use crate::fingerprint::{sha256_base64, sha256_hex};

/// Smallest RSA modulus accepted; josekit enforces the same floor, this gives a typed error.
const MIN_RSA_BITS: u32 = 2048;

/// Checks that `key` is RSA with a modulus of at least 2048 bits and returns its size in bits.
fn check_rsa<T: openssl::pkey::HasPublic>(key: &PKeyRef<T>) -> Result<u32, JweError> {
    if key.id() != Id::RSA {
        return Err(JweError::WrongKeyType(
            mastercard_keys::algorithm_name(key.id()).to_owned(),
        ));
    }
    let bits = key.bits();
    if bits < MIN_RSA_BITS {
        return Err(JweError::KeyTooSmall(bits));
    }
    Ok(bits)
}

/// Mastercard's request-encryption public key (the "Client Encryption Key" certificate) and the
/// `kid` sent with it.
#[derive(Clone)]
pub struct EncryptionKey {
    encrypter: RsaesJweEncrypter,
    kid: String,
    header_b64: String,
}

impl EncryptionKey {
    /// Uses the public key of an X.509 certificate; the `kid` is its SPKI SHA-256 fingerprint.
    pub fn from_x509(certificate: &X509Ref) -> Result<Self, JweError> {
        let key = certificate
            .public_key()
            .map_err(|_| JweError::InvalidKey("certificate public key"))?;
        Self::from_public_key(&key)
    }

    /// Uses a bare RSA public key; the `kid` is its SPKI SHA-256 fingerprint.
    pub fn from_public_key(key: &PKeyRef<Public>) -> Result<Self, JweError> {
        check_rsa(key)?;
        let spki_der = key
            .public_key_to_der()
            .map_err(|_| JweError::InvalidKey("public key"))?;
        // Built once here: josekit re-parses the DER for every encrypter it creates.
        let encrypter = RSA_OAEP_256
            .encrypter_from_der(&spki_der)
            .map_err(|_| JweError::InvalidKey("public key"))?;
        let kid = sha256_hex(&spki_der);
        Ok(Self {
            header_b64: crate::header::header_b64(&kid),
            kid,
            encrypter,
        })
    }

    /// Uses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, JweError> {
        let key = PKey::public_key_from_der(der).map_err(|_| JweError::InvalidKey("public key"))?;
        Self::from_public_key(&key)
    }

    /// Uses the certificate loaded by `mastercard-keys`, after checking its validity period
    /// against `validity` ([`JweError::CertificateExpired`], [`JweError::CertificateNotYetValid`]).
    ///
    /// Pass [`ValidityPolicy::enforce_now`](mastercard_keys::ValidityPolicy::enforce_now) in
    /// production; [`ValidityPolicy::IgnoreDates`](mastercard_keys::ValidityPolicy::IgnoreDates)
    /// only for test certificates. [`from_x509`](Self::from_x509) applies no date check.
    pub fn from_certificate(
        certificate: &mastercard_keys::Certificate,
        validity: mastercard_keys::ValidityPolicy,
    ) -> Result<Self, JweError> {
        validity.check(certificate).map_err(|error| match error {
            KeyError::CertificateExpired { subject, not_after } => {
                JweError::CertificateExpired { subject, not_after }
            }
            KeyError::CertificateNotYetValid {
                subject,
                not_before,
            } => JweError::CertificateNotYetValid {
                subject,
                not_before,
            },
            _ => JweError::Backend("checking the certificate's validity period"),
        })?;
        Self::from_x509(certificate.x509())
    }

    /// Replaces the computed `kid`, e.g. with the value shown in the Mastercard Developers
    /// dashboard; it is sent verbatim.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self.header_b64 = crate::header::header_b64(&self.kid);
        self
    }

    /// The `kid` written into every protected header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The base64url protected header sent with every token (also the AAD).
    pub(crate) fn header_b64(&self) -> &str {
        &self.header_b64
    }

    pub(crate) fn encrypter(&self) -> &RsaesJweEncrypter {
        &self.encrypter
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The client's response-decryption private key (the "Mastercard Encryption Key") and the
/// fingerprints a token's `kid` may carry for it.
#[derive(Clone)]
pub struct DecryptionKey {
    oaep_256: RsaesJweDecrypter,
    oaep: RsaesJweDecrypter,
    modulus_len: usize,
    fingerprint: String,
    known_kids: Vec<String>,
}

impl DecryptionKey {
    /// Uses an RSA private key (at least 2048 bits).
    ///
    /// Tokens whose `kid` is the SPKI SHA-256 of this key (hex or base64) are accepted; add
    /// [`with_certificate`](Self::with_certificate) or [`accept_kid`](Self::accept_kid) for others.
    pub fn from_pkey(key: &PKeyRef<Private>) -> Result<Self, JweError> {
        let bits = check_rsa(key)?;
        let spki_der = key
            .public_key_to_der()
            .map_err(|_| JweError::InvalidKey("private key"))?;
        // josekit takes keys as bytes; PKCS#8 DER is the one form every RSA key converts to.
        let pkcs8 = key
            .private_key_to_pkcs8()
            .map_err(|_| JweError::InvalidKey("private key"))?;
        let oaep_256 = RSA_OAEP_256
            .decrypter_from_der(&pkcs8)
            .map_err(|_| JweError::InvalidKey("private key"))?;
        let oaep = RSA_OAEP
            .decrypter_from_der(&pkcs8)
            .map_err(|_| JweError::InvalidKey("private key"))?;
        let fingerprint = sha256_hex(&spki_der);
        Ok(Self {
            oaep_256,
            oaep,
            modulus_len: usize::try_from(bits.div_ceil(8)).unwrap_or(usize::MAX),
            known_kids: vec![fingerprint.clone(), sha256_base64(&spki_der)],
            fingerprint,
        })
    }

    /// Uses the private key loaded by `mastercard-keys` (PKCS#12, PKCS#8 or PKCS#1).
    pub fn from_private_key(key: &mastercard_keys::PrivateKey) -> Result<Self, JweError> {
        Self::from_pkey(key.pkey())
    }

    /// Uses the key of a PKCS#12 container, also accepting its certificate's fingerprints as
    /// `kid` (see [`with_certificate`](Self::with_certificate)).
    pub fn from_pkcs12(identity: &mastercard_keys::Pkcs12Identity) -> Result<Self, JweError> {
        let key = Self::from_private_key(&identity.key)?;
        match &identity.cert {
            Some(cert) => key.with_certificate(cert.x509()),
            None => Ok(key),
        }
    }

    /// Also accepts tokens whose `kid` is a fingerprint of `certificate` (the certificate SHA-256
    /// in hex or base64, as PHP and Node can send), after checking that the certificate carries
    /// this key's public half.
    pub fn with_certificate(mut self, certificate: &X509Ref) -> Result<Self, JweError> {
        let spki = certificate
            .public_key()
            .and_then(|key| key.public_key_to_der())
            .map_err(|_| JweError::InvalidKey("certificate"))?;
        if sha256_hex(&spki) != self.fingerprint {
            return Err(JweError::CertificateKeyMismatch);
        }
        let der = certificate
            .to_der()
            .map_err(|_| JweError::InvalidKey("certificate"))?;
        self.known_kids.push(sha256_hex(&der));
        self.known_kids.push(sha256_base64(&der));
        Ok(self)
    }

    /// Also accepts tokens carrying this exact `kid` (e.g. a value from the dashboard).
    #[must_use]
    pub fn accept_kid(mut self, kid: impl Into<String>) -> Self {
        self.known_kids.push(kid.into());
        self
    }

    /// Lowercase hex SHA-256 of this key's SubjectPublicKeyInfo.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub(crate) fn known_kids(&self) -> &[String] {
        &self.known_kids
    }

    pub(crate) fn modulus_len(&self) -> usize {
        self.modulus_len
    }

    pub(crate) fn oaep_256(&self) -> &RsaesJweDecrypter {
        &self.oaep_256
    }

    pub(crate) fn oaep(&self) -> &RsaesJweDecrypter {
        &self.oaep
    }
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}
