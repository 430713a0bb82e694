//! Key fingerprints, as Mastercard computes them.
//!
//! The JWE `kid` is the lowercase hex SHA-256 of the encryption key's DER SubjectPublicKeyInfo
//! (what the Mastercard Developers dashboard shows). Some libraries send other variants (standard
//! base64 of the same digest, or the digest of the whole certificate), so all are available here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Lowercase hex SHA-256 of `der`: pass SubjectPublicKeyInfo DER for the Mastercard `kid`, or
/// certificate DER for the legacy `encryptionCertificateFingerprint`.
pub fn sha256_hex(der: &[u8]) -> String {
    openssl::sha::sha256(der)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Standard (padded) base64 SHA-256 of `der`, the variant the Node library can send as `kid`.
pub fn sha256_base64(der: &[u8]) -> String {
    STANDARD.encode(openssl::sha::sha256(der))
}

/// Whether a token's `kid` names one of `known`, treating hex case-insensitively (the dashboard
/// and some libraries print upper-case hex) and base64 exactly.
pub(crate) fn kid_matches(kid: &str, known: &[String]) -> bool {
    known.iter().any(|candidate| {
        candidate == kid
            || (candidate.bytes().all(|b| b.is_ascii_hexdigit())
                && candidate.eq_ignore_ascii_case(kid))
    })
}
