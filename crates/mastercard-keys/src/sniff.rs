//! Telling what a byte string holds from its content, never from a file name.
//!
//! Used to pick a parser (PEM, PKCS#12 or bare DER) and, when parsing fails, to say what the input
//! is instead (a certificate given as a private key, an empty file, …). Only armour labels and
//! the first DER bytes are looked at, never secret contents.

use openssl::pkey::PKey;
use openssl::x509::{X509, X509Req};

/// The broad encoding of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Nothing but ASCII whitespace.
    Empty,
    /// PEM armour somewhere in the input.
    Pem,
    /// A DER `PFX` (PKCS#12 container).
    Pkcs12,
    /// Anything else: maybe DER PKCS#8/PKCS#1/X.509, maybe garbage.
    OtherBinary,
}

/// Classifies `bytes` by content.
pub(crate) fn encoding(bytes: &[u8]) -> Encoding {
    if bytes.trim_ascii().is_empty() {
        Encoding::Empty
    } else if contains(bytes, b"-----BEGIN ") {
        Encoding::Pem
    } else if looks_like_pkcs12(bytes) {
        Encoding::Pkcs12
    } else {
        Encoding::OtherBinary
    }
}

/// Whether `needle` occurs in `haystack` (used on PEM armour, never on secrets' contents).
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Whether a PEM input has a block with exactly this label (`-----BEGIN <label>-----`).
pub(crate) fn has_pem_label(pem: &[u8], label: &str) -> bool {
    let armour = format!("-----BEGIN {label}-----");
    contains(pem, armour.as_bytes())
}

/// A DER `PFX` starts `SEQUENCE { INTEGER 3, …`; PKCS#8 and PKCS#1 start with `INTEGER 0`.
fn looks_like_pkcs12(bytes: &[u8]) -> bool {
    let Some((&0x30, rest)) = bytes.split_first() else {
        return false;
    };
    let Some((&first_length_byte, rest)) = rest.split_first() else {
        return false;
    };
    // Short form: the length is the byte itself; long form: low bits give the count of length bytes.
    let skip = if first_length_byte & 0x80 == 0 {
        0
    } else {
        usize::from(first_length_byte & 0x7f)
    };
    rest.get(skip..skip.saturating_add(3)) == Some(&[0x02, 0x01, 0x03][..])
}

/// PEM labels of private keys, in any format this crate reads or recognises.
const PRIVATE_KEY_LABELS: [&str; 5] = [
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
];

/// What an input holds, when that is not what was asked for; `None` when it cannot be told
/// (garbage, truncation), in which case the parser's own error is the better message.
///
/// `wanted_key` says whether the caller wanted a private key (so a key found is no surprise) or a
/// certificate.
pub(crate) fn what_else(bytes: &[u8], wanted_key: bool) -> Option<&'static str> {
    match encoding(bytes) {
        Encoding::Empty => Some("empty"),
        Encoding::Pkcs12 => (!wanted_key).then_some("a PKCS#12 container"),
        Encoding::Pem => {
            if has_pem_label(bytes, "OPENSSH PRIVATE KEY") {
                return Some("an OpenSSH private key");
            }
            let has_key = PRIVATE_KEY_LABELS
                .iter()
                .any(|label| has_pem_label(bytes, label));
            if has_key {
                return (!wanted_key).then_some("a private key");
            }
            if has_pem_label(bytes, "CERTIFICATE") || has_pem_label(bytes, "X509 CERTIFICATE") {
                return wanted_key.then_some("an X.509 certificate");
            }
            if has_pem_label(bytes, "PUBLIC KEY") || has_pem_label(bytes, "RSA PUBLIC KEY") {
                return Some("a public key");
            }
            if has_pem_label(bytes, "CERTIFICATE REQUEST")
                || has_pem_label(bytes, "NEW CERTIFICATE REQUEST")
            {
                return Some("a certificate signing request");
            }
            None
        }
        Encoding::OtherBinary => {
            // Only reached after the wanted parser failed, so a successful parse here names the
            // other kind of object.
            if wanted_key && X509::from_der(bytes).is_ok() {
                Some("an X.509 certificate")
            } else if PKey::public_key_from_der(bytes).is_ok()
                || openssl::rsa::Rsa::public_key_from_der_pkcs1(bytes).is_ok()
            {
                Some("a public key")
            } else if X509Req::from_der(bytes).is_ok() {
                Some("a certificate signing request")
            } else if !wanted_key && PKey::private_key_from_der(bytes).is_ok() {
                Some("a private key")
            } else {
                None
            }
        }
    }
}
