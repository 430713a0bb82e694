//! The cryptography proper: josekit's RSA-OAEP and content-encryption primitives, driven one
//! stage at a time so that each failure maps to its own [`JweError`].

use josekit::jwe::enc::{A128CBC_HS256, A128GCM, A192GCM, A256GCM};
use josekit::jwe::{JweContentEncryption, JweDecrypter, JweHeader};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

use base64::Engine as _;

use crate::compact::{Alg, B64URL, Enc, Parsed, TAG_LEN};
use crate::error::JweError;
use crate::keys::{DecryptionKey, EncryptionKey};

/// The only content encryption used when encrypting.
const ENCRYPT_ENC: &str = "A256GCM";
/// Mastercard's `cty`: the plaintext is JSON text.
const CONTENT_TYPE: &str = "application/json";
/// Content key and GCM nonce sizes for A256GCM.
const CEK_LEN: usize = 32;
const IV_LEN: usize = 12;

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

/// Appends a compact JWE of `plaintext` to `out`: RSA-OAEP-256 + A256GCM, fresh CEK and 12-byte
/// IV from OpenSSL's CSPRNG, the key's precomputed header as AAD.
///
/// josekit's two primitives are called directly rather than through `serialize_compact`, which
/// re-serialises the constant header and allocates the token separately; this keeps the cost
/// within a few percent of the bare RSA and AES operations.
pub(crate) fn encrypt_into(
    key: &EncryptionKey,
    plaintext: &[u8],
    out: &mut String,
) -> Result<(), JweError> {
    let mut cek = [0u8; CEK_LEN];
    let mut iv = [0u8; IV_LEN];
    openssl::rand::rand_bytes(&mut cek)
        .and_then(|()| openssl::rand::rand_bytes(&mut iv))
        .map_err(|_| JweError::Backend("drawing random bytes"))?;
    let wrapped = key
        .encrypter()
        .encrypt(&cek, &JweHeader::new(), &mut JweHeader::new())
        .ok()
        .flatten()
        .ok_or(JweError::Backend("wrapping the content key"))?;
    let header = key.header_b64();
    let (ciphertext, tag) = A256GCM
        .encrypt(&cek, Some(&iv), plaintext, header.as_bytes())
        .map_err(|_| JweError::Backend("encrypting"))?;
    let tag = tag.ok_or(JweError::Backend("encrypting"))?;
    cek.fill(0);
    out.reserve(
        header.len() + (wrapped.len() + iv.len() + ciphertext.len() + tag.len()) * 4 / 3 + 8,
    );
    out.push_str(header);
    for segment in [&wrapped[..], &iv, &ciphertext, &tag] {
        out.push('.');
        B64URL.encode_string(segment, out);
    }
    Ok(())
}

/// Encrypts `plaintext` into a compact JWE string.
pub(crate) fn encrypt(key: &EncryptionKey, plaintext: &[u8]) -> Result<String, JweError> {
    let mut token = String::new();
    encrypt_into(key, plaintext, &mut token)?;
    Ok(token)
}

/// Decrypts a structurally valid token with `key`, verifying the full authentication tag.
pub(crate) fn decrypt(key: &DecryptionKey, token: &Parsed<'_>) -> Result<Vec<u8>, JweError> {
    if token.encrypted_key.len() != key.modulus_len() {
        return Err(JweError::InvalidEncryptedKeyLength {
            len: token.encrypted_key.len(),
            expected: key.modulus_len(),
        });
    }
    let content: &dyn JweContentEncryption = match token.enc {
        Enc::A128Gcm => &A128GCM,
        Enc::A192Gcm => &A192GCM,
        Enc::A256Gcm => &A256GCM,
        Enc::A128CbcHs256 => &A128CBC_HS256,
    };
    let unwrapper: &dyn JweDecrypter = match token.alg {
        Alg::RsaOaep256 => key.oaep_256(),
        Alg::RsaOaep => key.oaep(),
    };
    // The RSA decrypter ignores the header; josekit's signature still wants one.
    let cek = unwrapper
        .decrypt(Some(&token.encrypted_key), content, &JweHeader::new())
        .map_err(|_| JweError::KeyUnwrap)?;
    if cek.len() != content.key_len() {
        return Err(JweError::KeyUnwrap);
    }
    if token.enc == Enc::A128CbcHs256 {
        // josekit decrypts CBC before checking the MAC (reporting padding errors differently)
        // and compares tags with `!=`; verifying first, in constant time, closes both gaps.
        verify_cbc_hs256(&cek, token)?;
    }
    content
        .decrypt(
            &cek,
            Some(&token.iv),
            &token.ciphertext,
            token.header_b64.as_bytes(),
            Some(&token.tag),
        )
        .map_err(|_| JweError::AuthenticationFailed)
}

/// RFC 7518 §5.2.2.2: HMAC-SHA-256 over AAD ‖ IV ‖ ciphertext ‖ AAD bit length (64-bit big
/// endian), keyed with the first half of the CEK, truncated to 16 bytes.
fn verify_cbc_hs256(cek: &[u8], token: &Parsed<'_>) -> Result<(), JweError> {
    let (mac_key, _) = cek.split_at(cek.len() / 2);
    let aad = token.header_b64.as_bytes();
    let aad_bits = u64::try_from(aad.len())
        .unwrap_or(u64::MAX)
        .saturating_mul(8)
        .to_be_bytes();
    let mac = (|| {
        let key = PKey::hmac(mac_key)?;
        let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
        signer.update(aad)?;
        signer.update(&token.iv)?;
        signer.update(&token.ciphertext)?;
        signer.update(&aad_bits)?;
        signer.sign_to_vec()
    })()
    .map_err(|_| JweError::Backend("computing the CBC-HMAC tag"))?;
    let expected = mac
        .get(..TAG_LEN)
        .ok_or(JweError::Backend("computing the CBC-HMAC tag"))?;
    if token.tag.len() == TAG_LEN && openssl::memcmp::eq(expected, &token.tag) {
        Ok(())
    } else {
        Err(JweError::AuthenticationFailed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
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
