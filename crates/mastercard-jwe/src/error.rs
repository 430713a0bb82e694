//! The one error type of the crate.
//!
//! Every variant names the problem without carrying key material or plaintext: values that come
//! from a token (`alg`, `enc`, `kid`) are attacker-controlled, so they are shortened and escaped
//! before they are stored.

use std::fmt;

/// The five dot-separated parts of a JWE compact serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The base64url protected header (also the AAD).
    Header,
    /// The RSA-OAEP wrapped content encryption key.
    EncryptedKey,
    /// The initialisation vector.
    Iv,
    /// The ciphertext.
    Ciphertext,
    /// The authentication tag.
    Tag,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "protected header",
            Self::EncryptedKey => "encrypted key",
            Self::Iv => "initialisation vector",
            Self::Ciphertext => "ciphertext",
            Self::Tag => "authentication tag",
        })
    }
}

/// Why encrypting or decrypting a Mastercard JWE payload failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum JweError {
    /// The compact string is not five dot-separated segments, or a required segment is empty.
    #[error("malformed JWE compact serialization: {0}")]
    MalformedCompact(&'static str),
    /// A segment is not valid unpadded base64url.
    #[error("invalid base64url in the JWE {0}")]
    InvalidBase64(Segment),
    /// The protected header is not a JSON object with string `alg` and `enc` members.
    #[error("invalid JWE protected header: {0}")]
    InvalidHeader(&'static str),
    /// The `alg` is not RSA-OAEP-256 (or RSA-OAEP when explicitly enabled).
    #[error("unsupported JWE alg {0:?}: only RSA-OAEP-256 is accepted")]
    UnsupportedAlgorithm(String),
    /// The `enc` is not one of A128GCM, A192GCM, A256GCM, A128CBC-HS256.
    #[error("unsupported JWE enc {0:?}: accepted are A128GCM, A192GCM, A256GCM, A128CBC-HS256")]
    UnsupportedEncryption(String),
    /// The header asks for compression (`zip`), which is refused.
    #[error("unsupported JWE header: compression (zip) is refused")]
    UnsupportedCompression,
    /// The header lists critical extensions (`crit`), none of which are understood.
    #[error("unsupported JWE header: critical extensions (crit) are not understood")]
    UnsupportedCritical,
    /// The IV length does not fit the `enc`.
    #[error("invalid JWE IV length {len} bytes for {enc}")]
    InvalidIvLength {
        /// The content encryption of the token.
        enc: &'static str,
        /// The decoded IV length.
        len: usize,
    },
    /// The authentication tag is not the full 16 bytes.
    #[error("invalid JWE authentication tag length {len} bytes: 16 are required")]
    InvalidTagLength {
        /// The decoded tag length.
        len: usize,
    },
    /// The encrypted key is not as long as the RSA modulus of the decryption key.
    #[error("invalid JWE encrypted key length {len} bytes: the decryption key needs {expected}")]
    InvalidEncryptedKeyLength {
        /// The decoded encrypted key length.
        len: usize,
        /// The RSA modulus length in bytes.
        expected: usize,
    },
    /// The token's `kid` names a different key than the configured decryption key.
    #[error("JWE kid {kid:?} does not match the decryption key (fingerprint {expected})")]
    KidMismatch {
        /// The `kid` found in the token (shortened).
        kid: String,
        /// The SPKI SHA-256 fingerprint of the configured decryption key.
        expected: String,
    },
    /// The token is larger than the configured cap.
    #[error("JWE ciphertext of about {len} bytes exceeds the configured maximum of {max} bytes")]
    TooLarge {
        /// The (estimated) decoded ciphertext length.
        len: usize,
        /// The configured cap.
        max: usize,
    },
    /// RSA-OAEP unwrapping failed: wrong decryption key, or the encrypted key was altered.
    #[error("cannot unwrap the JWE content key: wrong decryption key or tampered encrypted key")]
    KeyUnwrap,
    /// The authentication tag does not verify: the token was tampered with or corrupted.
    #[error("JWE authentication failed: the token was tampered with or corrupted")]
    AuthenticationFailed,
    /// The body (or a decrypted plaintext that must be JSON) is not valid JSON.
    #[error("{what} is not valid JSON (line {line}, column {column})")]
    InvalidJson {
        /// What was being parsed.
        what: &'static str,
        /// Line of the syntax error.
        line: usize,
        /// Column of the syntax error.
        column: usize,
    },
    /// JSON nests deeper than the parser's limit (128 levels): refused rather than recursed into.
    #[error("{what} nests JSON deeper than 128 levels (line {line}, column {column}); flatten it")]
    JsonTooDeep {
        /// What was being parsed.
        what: &'static str,
        /// Line where the limit was reached.
        line: usize,
        /// Column where the limit was reached.
        column: usize,
    },
    /// Input that must be JSON text is not UTF-8 (JSON is UTF-8 by definition, RFC 8259 §8.1);
    /// refused rather than repaired, so no byte is silently replaced.
    #[error("{what} is not UTF-8 (invalid byte at offset {offset}); JSON must be UTF-8 text")]
    NotUtf8 {
        /// What was being read.
        what: &'static str,
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
    /// The decrypted plaintext is neither JSON nor UTF-8 text.
    #[error("the decrypted JWE plaintext is not UTF-8 text")]
    PlaintextNotUtf8,
    /// The unwrapped content key does not have the length the header's `enc` needs: the sender
    /// encrypted with another content encryption than it declared (or the header was altered).
    #[error(
        "the JWE header declares enc {enc} ({expected}-byte content key) but the encrypted key \
         holds a {found}-byte content key: the sender's enc does not match its key; this is not a \
         wrong decryption key"
    )]
    ContentKeyLengthMismatch {
        /// The `enc` of the header.
        enc: &'static str,
        /// The content key length `enc` needs, in bytes.
        expected: usize,
        /// The length of the unwrapped content key, in bytes.
        found: usize,
    },
    /// A decryption path holds `null` or an empty string where a JWE was required (the CLI
    /// requires one; clients let such plain bodies through).
    #[error("the value at {0:?} is null or empty: there is no JWE to decrypt")]
    EmptyEncryptedValue(String),
    /// A configured JSON path has a syntax that is not supported.
    #[error("invalid JSON path {path:?}: {reason}")]
    InvalidPath {
        /// The path as configured.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A path (or the parent of an output path) does not exist in the document.
    #[error("JSON path {0:?} not found in the payload")]
    PathNotFound(String),
    /// The value at a decryption path is not a JWE string.
    #[error("the value at {0:?} is not a JWE compact string")]
    NotAString(String),
    /// The value at an output path exists but is not a JSON object.
    #[error("the value at {0:?} is not a JSON object")]
    NotAnObject(String),
    /// The key is not an RSA key.
    #[error("the key type is {0}, not RSA: Mastercard encryption needs RSA (2048 bits or more)")]
    WrongKeyType(String),
    /// The encryption certificate's validity period ended before the time it was checked against.
    #[error(
        "the encryption certificate {subject:?} expired on {not_after} (its notAfter date); download \
         the current one from your Mastercard Developers project (test certificates only: \
         ValidityPolicy::IgnoreDates)"
    )]
    CertificateExpired {
        /// The certificate's subject.
        subject: String,
        /// The end of its validity period.
        not_after: String,
    },
    /// The encryption certificate's validity period starts after the time it was checked against.
    #[error(
        "the encryption certificate {subject:?} is not valid before {not_before} (its notBefore \
         date); check this machine's clock (test certificates only: ValidityPolicy::IgnoreDates)"
    )]
    CertificateNotYetValid {
        /// The certificate's subject.
        subject: String,
        /// The start of its validity period.
        not_before: String,
    },
    /// The RSA key is shorter than 2048 bits.
    #[error("the RSA key has {0} bits: at least 2048 are required")]
    KeyTooSmall(u32),
    /// A certificate's public key does not belong to the private key it was paired with.
    #[error("the certificate does not belong to the decryption key")]
    CertificateKeyMismatch,
    /// The key or certificate bytes could not be parsed.
    #[error("cannot read the {0}")]
    InvalidKey(&'static str),
    /// The operation needs a key that the configuration does not have.
    #[error("no {0} configured")]
    MissingKey(&'static str),
    /// The cryptographic backend failed for a reason unrelated to the input.
    #[error("cryptographic backend failure while {0}")]
    Backend(&'static str),
}

/// Keeps an attacker-supplied header value short and printable for error messages.
pub(crate) fn excerpt(value: &str) -> String {
    const MAX: usize = 64;
    let mut out: String = value.chars().take(MAX).collect();
    if value.chars().count() > MAX {
        out.push('…');
    }
    out
}

impl JweError {
    /// Maps a serde_json syntax error to [`JweError::InvalidJson`], keeping only its position so
    /// that no fragment of the (possibly sensitive) input reaches the message.
    ///
    /// serde_json reports its nesting limit as a syntax error; it is told apart (by its fixed
    /// message, the only way serde_json exposes it) so the user hears "too deep", not "invalid".
    pub(crate) fn json(what: &'static str, error: &serde_json::Error) -> Self {
        let (line, column) = (error.line(), error.column());
        if is_recursion_limit(error) {
            Self::JsonTooDeep { what, line, column }
        } else {
            Self::InvalidJson { what, line, column }
        }
    }

    /// [`JweError::NotUtf8`] for the first invalid byte of `bytes`, if any.
    pub(crate) fn check_utf8(what: &'static str, bytes: &[u8]) -> Result<(), Self> {
        std::str::from_utf8(bytes)
            .map(drop)
            .map_err(|error| Self::NotUtf8 {
                what,
                offset: error.valid_up_to(),
            })
    }
}

/// Whether serde_json stopped at its recursion limit (128 nested arrays/objects).
pub(crate) fn is_recursion_limit(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("recursion limit exceeded")
}
