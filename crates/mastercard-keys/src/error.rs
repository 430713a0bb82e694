//! The one error type of this crate: every variant says what is wrong and what to do about it.

use std::path::PathBuf;

/// Why a key or certificate could not be loaded.
///
/// Messages never contain key material or passwords; aliases and paths are not secret and are shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The file could not be read at all.
    #[error("cannot read key file {path}: {source}; check the path and its permissions")]
    Unreadable {
        /// The path that was given.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The PKCS#12 MAC did not verify: the password is wrong (or the file was altered).
    #[error(
        "wrong PKCS#12 password (the container's integrity check failed); use the keystore password \
         chosen when the key was created on Mastercard Developers"
    )]
    WrongPassword,

    /// An encrypted PEM/DER key was given without a password.
    #[error("the private key is encrypted; pass its password")]
    PasswordRequired,

    /// No entry in the PKCS#12 container carries the requested alias (`friendlyName`).
    #[error(
        "alias {requested:?} not found in the PKCS#12 container; available aliases: {available:?} \
         (omit the alias to use the container's only key)"
    )]
    AliasNotFound {
        /// The alias that was asked for.
        requested: String,
        /// The aliases the container does carry (they are labels, not secrets).
        available: Vec<String>,
    },

    /// The container holds no private key.
    #[error("the PKCS#12 container holds no private key; export it again together with its key")]
    NoPrivateKey,

    /// The container or file holds no certificate.
    #[error("no certificate found in {what}; supply the X.509 certificate (PEM or DER) separately")]
    NoCertificate {
        /// What was searched.
        what: &'static str,
    },

    /// The key is not an RSA key (Mastercard OAuth1 and JWE use RSA only).
    #[error("the key is {algorithm}, not RSA; Mastercard APIs need an RSA key (2048 bits or more)")]
    NotRsa {
        /// The algorithm found, e.g. `"EC"`.
        algorithm: String,
    },

    /// The RSA key is shorter than the accepted minimum.
    #[error("the RSA key has {bits} bits, fewer than the required {minimum}; create a new key")]
    KeyTooSmall {
        /// Size of the key that was given.
        bits: u32,
        /// The minimum this crate accepts.
        minimum: u32,
    },

    /// The bytes are not a well-formed object of the expected kind (truncated, garbage, wrong format).
    #[error(
        "not a valid {expected}: the data is truncated, corrupt or in another format ({detail}); \
         accepted formats: PKCS#12 (.p12/.pfx), PKCS#8 or PKCS#1 in PEM or DER, X.509 in PEM or DER"
    )]
    Malformed {
        /// What was expected, e.g. `"PKCS#12 container"`.
        expected: &'static str,
        /// OpenSSL's reason, for diagnosis (never contains key material).
        detail: String,
    },

    /// The PKCS#12 container uses legacy encryption (RC2-40, 3DES) and OpenSSL's `legacy` provider is missing.
    #[error(
        "the PKCS#12 container uses legacy encryption (RC2/3DES, as issued by Mastercard Developers) and \
         OpenSSL's `legacy` provider could not be loaded ({detail}); install it (Debian/Ubuntu: package \
         libssl3/openssl ships ossl-modules/legacy.so) or point OPENSSL_MODULES at its directory, or \
         re-encrypt the container: `openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export \
         -out new.p12`"
    )]
    LegacyProviderUnavailable {
        /// OpenSSL's reason for the failed load.
        detail: String,
    },

    /// OpenSSL failed on an operation that should not fail for a valid key (e.g. DER export).
    #[error("OpenSSL failed to {operation}: {detail}")]
    Crypto {
        /// What was attempted.
        operation: &'static str,
        /// OpenSSL's reason.
        detail: String,
    },
}

impl KeyError {
    /// Shorthand for [`KeyError::Malformed`] from an OpenSSL error stack.
    pub(crate) fn malformed(expected: &'static str, stack: &openssl::error::ErrorStack) -> Self {
        Self::Malformed {
            expected,
            detail: describe(stack),
        }
    }

    /// Shorthand for [`KeyError::Crypto`] from an OpenSSL error stack.
    pub(crate) fn crypto(operation: &'static str, stack: &openssl::error::ErrorStack) -> Self {
        Self::Crypto {
            operation,
            detail: describe(stack),
        }
    }
}

/// A short, key-free description of an OpenSSL error stack: the reasons only, de-duplicated
/// (file names, line numbers and library codes are noise for users).
pub fn describe(stack: &openssl::error::ErrorStack) -> String {
    let mut reasons: Vec<&str> = Vec::new();
    for error in stack.errors() {
        let reason = error.reason().unwrap_or("unknown reason");
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if reasons.is_empty() {
        "no detail from OpenSSL".to_owned()
    } else {
        reasons.join("; ")
    }
}
