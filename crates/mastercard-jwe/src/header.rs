//! The protected header Mastercard's JWE uses when encrypting, built once per key.
//!
//! Both the key (which caches its header) and the cipher (which sends it) depend on this module;
//! it depends on neither.

use base64::Engine as _;

use crate::compact::B64URL;

/// The only content encryption used when encrypting.
pub(crate) const ENCRYPT_ENC: &str = "A256GCM";
/// Mastercard's `cty`: the plaintext is JSON text.
pub(crate) const CONTENT_TYPE: &str = "application/json";

/// The base64url protected header for `kid`: `{"kid","cty","enc","alg"}`, Java's order and
/// byte-for-byte what josekit's `serialize_compact` emits for the same claims. It is the same for
/// every request with one key, so it is built once.
pub(crate) fn header_b64(kid: &str) -> String {
    // A `Value::String` displays as a JSON string literal, escaped as serde_json escapes it.
    let json = format!(
        r#"{{"kid":{},"cty":"{CONTENT_TYPE}","enc":"{ENCRYPT_ENC}","alg":"RSA-OAEP-256"}}"#,
        serde_json::Value::String(kid.to_owned())
    );
    B64URL.encode(json)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keys::EncryptionKey;
    use josekit::jwe::JweHeader;
    use openssl::{pkey::PKey, rsa::Rsa};

    /// The precomputed header must be exactly what josekit would have produced, escapes included.
    #[test]
    fn header_matches_josekit_serialisation() {
        let private = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let public = PKey::public_key_from_der(&private.public_key_to_der().unwrap()).unwrap();
        for kid in ["761b003c", "a\"b\\c/é\u{1}"] {
            let key = EncryptionKey::from_public_key(&public)
                .unwrap()
                .with_kid(kid);
            let mut header = JweHeader::new();
            header.set_key_id(kid);
            header.set_content_type(CONTENT_TYPE);
            header.set_content_encryption(ENCRYPT_ENC);
            let token = josekit::jwe::serialize_compact(b"{}", &header, key.encrypter()).unwrap();
            assert_eq!(token.split('.').next().unwrap(), key.header_b64());
        }
    }
}
