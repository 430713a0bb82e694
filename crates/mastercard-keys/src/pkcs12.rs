//! PKCS#12 containers as issued by Mastercard Developers: key, certificate and chain, by alias.

use openssl::error::ErrorStack;
use openssl::pkcs12::{ParsedPkcs12_2, Pkcs12};

use crate::certificate::Certificate;
use crate::error::KeyError;
use crate::identity::Identity;
use crate::private_key::PrivateKey;

impl Identity {
    /// Opens a DER PKCS#12 container with `password` (the same for store and key, as Mastercard
    /// issues them).
    ///
    /// With `alias`, the key's `friendlyName` (as carried by its certificate) must match; without,
    /// the container's key is used. OpenSSL reads one key per container, which is how Mastercard
    /// Developers issues them. Legacy RC2-40/3DES encryption is handled by loading OpenSSL's `legacy`
    /// provider on first need.
    ///
    /// An empty `password` is tried as such; when the container's integrity check then fails, the
    /// error is [`KeyError::PasswordRequired`] rather than [`KeyError::WrongPassword`].
    pub fn from_der(der: &[u8], alias: Option<&str>, password: &str) -> Result<Self, KeyError> {
        let parsed = open(der, password).map_err(|error| match error {
            KeyError::WrongPassword if password.is_empty() => KeyError::PasswordRequired,
            other => other,
        })?;
        let cert = parsed.cert.map(Certificate::from_x509);
        if let Some(requested) = alias {
            let available: Vec<String> = cert.iter().filter_map(Certificate::alias).collect();
            if !available.iter().any(|found| found == requested) {
                return Err(KeyError::AliasNotFound {
                    requested: requested.to_owned(),
                    available,
                });
            }
        }
        let key = PrivateKey::from_pkey(parsed.pkey.ok_or(KeyError::NoPrivateKey)?)?;
        let chain = parsed
            .ca
            .map(|stack| stack.into_iter().map(Certificate::from_x509).collect())
            .unwrap_or_default();
        Ok(Self { key, cert, chain })
    }
}

/// Decrypts the container, loading the legacy provider only when the first attempt fails for a
/// reason other than a wrong password.
fn open(der: &[u8], password: &str) -> Result<ParsedPkcs12_2, KeyError> {
    let container =
        Pkcs12::from_der(der).map_err(|stack| KeyError::malformed("PKCS#12 container", &stack))?;
    match container.parse2(password) {
        Ok(parsed) => Ok(parsed),
        Err(stack) if is_mac_failure(&stack) => Err(KeyError::WrongPassword),
        Err(first) => {
            // Reason strings differ between OpenSSL releases, so any other failure gets one retry
            // with the legacy provider; only when that provider is missing does the first error's
            // reason decide between "install the provider" and "this file is damaged".
            if let Err(missing) = crate::legacy::ensure_loaded() {
                return Err(if is_unsupported_algorithm(&first) {
                    missing
                } else {
                    KeyError::malformed("PKCS#12 container", &first)
                });
            }
            container.parse2(password).map_err(|stack| {
                if is_mac_failure(&stack) {
                    KeyError::WrongPassword
                } else {
                    KeyError::malformed("PKCS#12 container", &stack)
                }
            })
        }
    }
}

/// OpenSSL checks the MAC (keyed by the password) before decrypting anything.
fn is_mac_failure(stack: &ErrorStack) -> bool {
    has_reason(stack, &["mac verify failure", "mac absent"])
}

/// What OpenSSL 3 reports when a cipher such as RC2-40 lives only in the legacy provider.
fn is_unsupported_algorithm(stack: &ErrorStack) -> bool {
    has_reason(
        stack,
        &[
            "unsupported",
            "fetch failed",
            "unknown cipher",
            "pkcs12 cipherinit error",
        ],
    )
}

fn has_reason(stack: &ErrorStack, needles: &[&str]) -> bool {
    stack.errors().iter().any(|error| {
        let reason = error.reason().unwrap_or("").to_ascii_lowercase();
        needles.iter().any(|needle| reason.contains(needle))
    })
}
