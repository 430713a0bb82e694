//! The one error type of this crate: every variant says what is wrong and what to do about it.

use std::path::PathBuf;

/// Why a key or certificate could not be loaded.
///
/// Messages never contain key material or passwords; aliases and paths are not secret and are shown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The file could not be read at all.
    #[error("cannot read {path}: {source}; check the path and its permissions")]
    Unreadable {
        /// The path that was given.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The path names something other than a regular file (a FIFO, a device, a directory, …),
    /// which could block or never end.
    #[error(
        "{path} is {kind}, not a regular file; key, certificate and password files are read whole, \
         so give the path of a regular file (write a pipe's output to a file first)"
    )]
    NotARegularFile {
        /// The path that was given.
        path: PathBuf,
        /// What the path is, e.g. `"a FIFO (named pipe)"`.
        kind: &'static str,
    },

    /// The file is larger than [`crate::MAX_FILE_LEN`]: no key, certificate or password file is.
    #[error(
        "{path} is larger than {limit} bytes, the cap for key, certificate and password files \
         (they are a few kilobytes); check that this is the right file"
    )]
    FileTooLarge {
        /// The path that was given.
        path: PathBuf,
        /// The cap, in bytes.
        limit: u64,
    },

    /// The input is readable but holds something else than what was asked for (a certificate
    /// given as a private key, an empty file, …).
    #[error("this is {found}, not {expected}; {}", wrong_content_hint(found))]
    WrongContent {
        /// What the caller asked for, e.g. `"a private key"`.
        expected: &'static str,
        /// What the input actually holds, e.g. `"an X.509 certificate"` or `"empty"`.
        found: &'static str,
    },

    /// The certificate's validity period ended before the time it was checked against.
    #[error(
        "the certificate {subject:?} expired on {not_after} (its notAfter date); get a renewed \
         certificate from your Mastercard Developers project (test certificates only: opt out with \
         ValidityPolicy::IgnoreDates)"
    )]
    CertificateExpired {
        /// The certificate's subject, e.g. `"CN=client"`.
        subject: String,
        /// The end of the validity period, as OpenSSL prints it.
        not_after: String,
    },

    /// The certificate's validity period starts after the time it was checked against.
    #[error(
        "the certificate {subject:?} is not valid before {not_before} (its notBefore date); check \
         this machine's clock, or wait until then (test certificates only: opt out with \
         ValidityPolicy::IgnoreDates)"
    )]
    CertificateNotYetValid {
        /// The certificate's subject.
        subject: String,
        /// The start of the validity period, as OpenSSL prints it.
        not_before: String,
    },

    /// The PKCS#12 MAC did not verify: the password is wrong (or the file was altered).
    #[error(
        "wrong PKCS#12 password (the container's integrity check failed); use the keystore password \
         chosen when the key was created on Mastercard Developers"
    )]
    WrongPassword,

    /// A password-protected PKCS#12 container or encrypted PEM/DER key was given without a
    /// password (an empty one counts as none).
    #[error(
        "the key is protected by a password (PKCS#12 container or encrypted private key) and none \
         was given; pass its password (for Mastercard Developers keys, the keystore password)"
    )]
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

    /// None of the certificates given with a private key carries that key's public half.
    #[error(
        "the certificate {subject:?} does not belong to the private key given with it; give the \
         certificate issued for this key (or the key this certificate was issued for)"
    )]
    CertificateKeyMismatch {
        /// The subject of the (first) certificate found.
        subject: String,
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

/// What to do when an input holds the wrong kind of object.
fn wrong_content_hint(found: &str) -> &'static str {
    match found {
        "empty" => "check the path: the file (or input) has no content",
        "an X.509 certificate" | "a public key" => {
            "a certificate or public key holds only the public half: give the private key file \
             (PKCS#12, PKCS#8 or PKCS#1) created together with it"
        }
        "a private key" | "a PKCS#12 container" => {
            "give the certificate (PEM or DER) instead; never send a private key to anyone"
        }
        "an OpenSSH private key" => {
            "convert it to PKCS#8 with `ssh-keygen -p -m PKCS8 -f <file>` (on a copy)"
        }
        "a certificate signing request" => {
            "a CSR is what you upload to Mastercard Developers; give the key or the certificate \
             it returned instead"
        }
        _ => {
            "accepted formats: PKCS#12 (.p12/.pfx), PKCS#8 or PKCS#1 in PEM or DER, X.509 in PEM or DER"
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
