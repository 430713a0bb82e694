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

/// Content key and GCM nonce sizes for A256GCM.
const CEK_LEN: usize = 32;
const IV_LEN: usize = 12;

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
        // OAEP unwrapped a well-formed key, so the private key is right; what does not fit is
        // the header's enc.
        return Err(JweError::ContentKeyLengthMismatch {
            enc: token.enc.name(),
            expected: content.key_len(),
            found: cek.len(),
        });
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
