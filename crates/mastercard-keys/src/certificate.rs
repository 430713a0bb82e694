//! X.509 certificates: parsing, the public key they carry, and their validity period.

use std::fmt;

use openssl::asn1::Asn1TimeRef;
use openssl::x509::X509;

use crate::error::KeyError;
use crate::public_key::PublicKey;
use crate::sniff::{self, Encoding};

/// An X.509 certificate (e.g. Mastercard's encryption certificate, or the client certificate for mTLS).
#[derive(Clone)]
pub struct Certificate {
    x509: X509,
}

impl Certificate {
    /// Wraps an already parsed OpenSSL certificate.
    pub fn from_x509(x509: X509) -> Self {
        Self { x509 }
    }

    /// Parses the first `BEGIN CERTIFICATE` block of a PEM input.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        X509::from_pem(pem)
            .map(Self::from_x509)
            .map_err(|stack| parse_error(pem, "PEM certificate", &stack))
    }

    /// Parses every `BEGIN CERTIFICATE` block of a PEM input, in order (a chain file).
    pub fn chain_from_pem(pem: &[u8]) -> Result<Vec<Self>, KeyError> {
        let stack = X509::stack_from_pem(pem)
            .map_err(|stack| parse_error(pem, "PEM certificate chain", &stack))?;
        if stack.is_empty() {
            return Err(KeyError::NoCertificate {
                what: "the PEM input",
            });
        }
        Ok(stack.into_iter().map(Self::from_x509).collect())
    }

    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        X509::from_der(der)
            .map(Self::from_x509)
            .map_err(|stack| parse_error(der, "DER certificate", &stack))
    }

    /// Parses PEM or DER, detected from the content.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        match sniff::encoding(bytes) {
            Encoding::Pem => Self::from_pem(bytes),
            _ => Self::from_der(bytes),
        }
    }

    /// Reads a PEM or DER certificate file (through [`crate::read_file`]: regular files of at
    /// most [`crate::MAX_FILE_LEN`] bytes).
    ///
    /// The validity period is not checked here; apply a [`crate::ValidityPolicy`] before use.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, KeyError> {
        Self::from_bytes(&crate::read::read_file(path)?)
    }

    /// The OpenSSL certificate.
    pub fn x509(&self) -> &X509 {
        &self.x509
    }

    /// The certificate's public key, checked to be RSA of an acceptable size.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        let pkey = self
            .x509
            .public_key()
            .map_err(|stack| KeyError::malformed("certificate public key", &stack))?;
        PublicKey::from_pkey(pkey)
    }

    /// The DER `SubjectPublicKeyInfo` of the certificate's key (the input of Mastercard's JWE `kid`).
    pub fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        self.x509
            .public_key()
            .and_then(|pkey| pkey.public_key_to_der())
            .map_err(|stack| KeyError::crypto("export the certificate's public key", &stack))
    }

    /// The DER encoding of the whole certificate.
    pub fn to_der(&self) -> Result<Vec<u8>, KeyError> {
        self.x509
            .to_der()
            .map_err(|stack| KeyError::crypto("export the certificate", &stack))
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> &Asn1TimeRef {
        self.x509.not_before()
    }

    /// End of the validity period.
    pub fn not_after(&self) -> &Asn1TimeRef {
        self.x509.not_after()
    }

    /// The PKCS#12 `friendlyName` OpenSSL attached while opening a container, if any.
    pub fn alias(&self) -> Option<String> {
        // OpenSSL converts the BMPString to UTF-8; should a container still carry other bytes,
        // they are shown escaped rather than silently replaced.
        self.x509
            .alias()
            .map(|alias| match std::str::from_utf8(alias) {
                Ok(alias) => alias.to_owned(),
                Err(_) => alias.escape_ascii().to_string(),
            })
    }

    /// The subject as a one-line `KEY=value, …` string, for messages.
    pub fn subject(&self) -> String {
        self.x509
            .subject_name()
            .entries()
            .map(|entry| {
                let key = entry.object().nid().short_name().unwrap_or("?");
                let value = entry.data().to_string().unwrap_or_else(|_| "?".to_owned());
                format!("{key}={value}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("not_before", &self.not_before().to_string())
            .field("not_after", &self.not_after().to_string())
            .finish()
    }
}

/// A parse failure, reported as the other kind of object when the input is recognisably one.
fn parse_error(
    bytes: &[u8],
    expected: &'static str,
    stack: &openssl::error::ErrorStack,
) -> KeyError {
    match sniff::what_else(bytes, false) {
        Some(found) => KeyError::WrongContent {
            expected: "a certificate",
            found,
        },
        None => KeyError::malformed(expected, stack),
    }
}
