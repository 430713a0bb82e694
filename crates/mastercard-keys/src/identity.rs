//! [`Identity`]: a private key with the certificate issued for it and the rest of its chain —
//! what a PKCS#12 container or a PEM bundle holds, and what mTLS needs.

use crate::certificate::Certificate;
use crate::error::KeyError;
use crate::private_key::PrivateKey;
use crate::validity::ValidityPolicy;

/// A private key, its certificate when the source carries one, and the other certificates of the
/// chain (for mTLS).
#[derive(Debug, Clone)]
pub struct Identity {
    /// The private key.
    pub key: PrivateKey,
    /// The key's certificate, when the source has one.
    pub cert: Option<Certificate>,
    /// The other certificates (intermediates/CA), in source order.
    pub chain: Vec<Certificate>,
}

/// The name this type had when only PKCS#12 containers produced it; kept for existing callers.
pub type Pkcs12Identity = Identity;

impl Identity {
    /// An identity made of a key alone.
    pub fn from_key(key: PrivateKey) -> Self {
        Self {
            key,
            cert: None,
            chain: Vec::new(),
        }
    }

    /// Checks the key's certificate, when there is one, against `policy`. The rest of the chain
    /// is the verifier's business (an expired intermediate is refused by the TLS peer anyway).
    pub fn check_validity(&self, policy: ValidityPolicy) -> Result<(), KeyError> {
        match &self.cert {
            Some(certificate) => policy.check(certificate),
            None => Ok(()),
        }
    }

    /// Splits PEM certificates into the key's own certificate and the rest, and refuses a bundle
    /// whose certificates all belong to other keys (a mix-up that would otherwise fail later, at
    /// the TLS handshake, with a far less clear message).
    pub(crate) fn from_key_and_certificates(
        key: PrivateKey,
        certificates: Vec<Certificate>,
    ) -> Result<Self, KeyError> {
        if certificates.is_empty() {
            return Ok(Self::from_key(key));
        }
        let spki = key.public_key_spki_der()?;
        let mut leaf = None;
        let mut chain = Vec::new();
        for certificate in certificates {
            if leaf.is_none() && certificate.spki_der()? == spki {
                leaf = Some(certificate);
            } else {
                chain.push(certificate);
            }
        }
        match leaf {
            Some(cert) => Ok(Self {
                key,
                cert: Some(cert),
                chain,
            }),
            None => Err(KeyError::CertificateKeyMismatch {
                subject: chain.first().map(Certificate::subject).unwrap_or_default(),
            }),
        }
    }
}
