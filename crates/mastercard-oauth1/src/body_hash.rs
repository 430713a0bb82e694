//! `oauth_body_hash`: base64 (standard, padded) of SHA-256 over the exact body bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The `oauth_body_hash` of `body` (`47DEQpj8…` for an empty body, which is always sent, GET included).
pub fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(openssl::sha::sha256(body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_body() {
        assert_eq!(
            super::body_hash(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
