//! The cryptography proper: josekit's RSA-OAEP and content-encryption primitives, driven one
//! stage at a time so that each failure maps to its own [`JweError`].

use josekit::jwe::enc::{A128CBC_HS256, A128GCM, A192GCM, A256GCM};
use josekit::jwe::{JweContentEncryption, JweDecrypter, JweHeader};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

use crate::compact::{Alg, Enc, Parsed, TAG_LEN};
use crate::error::JweError;
use crate::keys::{DecryptionKey, EncryptionKey};

/// The only content encryption used when encrypting.
const ENCRYPT_ENC: &str = "A256GCM";
/// Mastercard's `cty`: the plaintext is JSON text.
const CONTENT_TYPE: &str = "application/json";

/// Encrypts `plaintext` into a compact JWE: RSA-OAEP-256 + A256GCM, fresh CEK and 12-byte IV from
/// OpenSSL's CSPRNG (josekit draws both itself, so they cannot be injected), header
/// `{"kid","cty","enc","alg"}` in Java's order.
pub(crate) fn encrypt(key: &EncryptionKey, plaintext: &[u8]) -> Result<String, JweError> {
    let mut header = JweHeader::new();
    header.set_key_id(key.kid());
    header.set_content_type(CONTENT_TYPE);
    header.set_content_encryption(ENCRYPT_ENC);
    josekit::jwe::serialize_compact(plaintext, &header, key.encrypter())
        .map_err(|_| JweError::Backend("encrypting"))
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
