//! Tampering, hostile headers and bad input: every case is a typed error, never a panic and never
//! plaintext.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey, JweError, Segment};
use openssl::symm::{Cipher, encrypt_aead};
use serde_json::json;

const B64URL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Replacing any character of a small token by any other base64url character (or a flipped bit)
/// is rejected: the header is the AAD, the key is OAEP-checked, the rest is under the tag.
#[test]
fn every_single_character_change_is_rejected() {
    let config = common::config();
    let token = config.encrypt_compact(br#"{"a":1}"#).unwrap();
    assert_eq!(config.decrypt_compact(&token).unwrap(), br#"{"a":1}"#);
    let bytes = token.as_bytes();
    let mut tried = 0;
    for position in 0..bytes.len() {
        if bytes[position] == b'.' {
            continue;
        }
        let replacements = B64URL_ALPHABET
            .iter()
            .copied()
            .chain([bytes[position] ^ 0x01, bytes[position] ^ 0x80]);
        for replacement in replacements {
            if replacement == bytes[position] {
                continue;
            }
            let mut altered = bytes.to_vec();
            altered[position] = replacement;
            let Ok(altered) = String::from_utf8(altered) else {
                continue;
            };
            let result = config.decrypt_compact(&altered);
            assert!(
                result.is_err(),
                "accepted a change at {position}: {altered}"
            );
            tried += 1;
        }
    }
    assert!(tried > 60 * 300, "only {tried} variants tried");
}

/// Flipping each bit of each decoded byte of every segment (re-encoded properly, so the failure
/// is cryptographic rather than an encoding error) is rejected.
#[test]
fn every_decoded_byte_flip_is_rejected() {
    let config = common::config();
    let token = config.encrypt_compact(b"{}").unwrap();
    let segments: Vec<Vec<u8>> = token.split('.').map(|s| B64.decode(s).unwrap()).collect();
    for (index, segment) in segments.iter().enumerate() {
        for byte in 0..segment.len() {
            let mut altered = segments.clone();
            altered[index][byte] ^= 0x01;
            let text: Vec<String> = altered.iter().map(|s| B64.encode(s)).collect();
            let result = config.decrypt_compact(&text.join("."));
            assert!(result.is_err(), "segment {index} byte {byte}");
            if index >= 2 {
                assert_eq!(
                    result,
                    Err(JweError::AuthenticationFailed),
                    "segment {index} byte {byte}"
                );
            }
        }
    }
}

#[test]
fn wrong_key_is_reported_as_such() {
    let config = common::config();
    let (other, _) = common::key_and_cert(2048);
    let token = config.encrypt_compact(b"{}").unwrap();
    let wrong = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_pkey(&other).unwrap())
        .skip_kid_check(true)
        .build()
        .unwrap();
    assert_eq!(wrong.decrypt_compact(&token), Err(JweError::KeyUnwrap));
    let checked = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_pkey(&other).unwrap())
        .build()
        .unwrap();
    assert!(matches!(
        checked.decrypt_compact(&token),
        Err(JweError::KidMismatch { .. })
    ));
}

#[test]
fn malformed_compact_strings() {
    let config = common::config();
    let token = config.encrypt_compact(b"{}").unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        String::new(),
        "abc".to_owned(),
        parts[..4].join("."),
        format!("{token}.x"),
        format!(".{}", parts[1..].join(".")),
        [parts[0], "", parts[2], parts[3], parts[4]].join("."),
        [parts[0], parts[1], "", parts[3], parts[4]].join("."),
        [parts[0], parts[1], parts[2], parts[3], ""].join("."),
    ] {
        assert!(
            matches!(
                config.decrypt_compact(&bad),
                Err(JweError::MalformedCompact(_))
            ),
            "{bad:?}"
        );
    }
    let bad_b64 = [parts[0], parts[1], "!!!!", parts[3], parts[4]].join(".");
    assert_eq!(
        config.decrypt_compact(&bad_b64),
        Err(JweError::InvalidBase64(Segment::Iv))
    );
    let bad_header = ["e+J", parts[1], parts[2], parts[3], parts[4]].join(".");
    assert_eq!(
        config.decrypt_compact(&bad_header),
        Err(JweError::InvalidBase64(Segment::Header))
    );
}

/// Builds a token with an arbitrary header over a correctly wrapped key, so only the header
/// decides the outcome.
fn token_with_header(
    config: &EncryptionConfig,
    header: serde_json::Value,
    iv_len: usize,
    tag_len: usize,
) -> String {
    let genuine = config.encrypt_compact(b"{}").unwrap();
    let ek = genuine.split('.').nth(1).unwrap().to_owned();
    let header_b64 = B64.encode(header.to_string());
    let iv = vec![7u8; iv_len];
    let mut tag = vec![0u8; 16];
    // The CEK is unknown here, so the tag cannot verify; checks before it must fire first.
    let ct = encrypt_aead(
        Cipher::aes_256_gcm(),
        &[1; 32],
        Some(&iv),
        header_b64.as_bytes(),
        b"{}",
        &mut tag,
    )
    .unwrap();
    tag.truncate(tag_len);
    [
        header_b64,
        ek,
        B64.encode(iv),
        B64.encode(ct),
        B64.encode(tag),
    ]
    .join(".")
}

#[test]
fn hostile_headers_are_refused() {
    let config = common::config();
    let kid = config.kid().unwrap().to_owned();
    let base = |extra: serde_json::Value| {
        let mut header =
            json!({"kid": kid, "cty": "application/json", "enc": "A256GCM", "alg": "RSA-OAEP-256"});
        for (k, v) in extra.as_object().unwrap() {
            header[k] = v.clone();
        }
        header
    };
    let cases = [
        (
            base(json!({"alg": "dir"})),
            JweError::UnsupportedAlgorithm("dir".into()),
        ),
        (
            base(json!({"alg": "none"})),
            JweError::UnsupportedAlgorithm("none".into()),
        ),
        (
            base(json!({"alg": "RSA1_5"})),
            JweError::UnsupportedAlgorithm("RSA1_5".into()),
        ),
        (
            base(json!({"alg": "RSA-OAEP"})),
            JweError::UnsupportedAlgorithm("RSA-OAEP".into()),
        ),
        (
            base(json!({"enc": "XC20P"})),
            JweError::UnsupportedEncryption("XC20P".into()),
        ),
        (
            base(json!({"enc": "A256CBC-HS512"})),
            JweError::UnsupportedEncryption("A256CBC-HS512".into()),
        ),
        (
            base(json!({"zip": "DEF"})),
            JweError::UnsupportedCompression,
        ),
        (
            base(json!({"crit": ["exp"]})),
            JweError::UnsupportedCritical,
        ),
        (
            base(json!({"alg": 5})),
            JweError::InvalidHeader("alg is not a string"),
        ),
    ];
    for (header, expected) in cases {
        assert_eq!(
            config.decrypt_compact(&token_with_header(&config, header.clone(), 12, 16)),
            Err(expected),
            "{header}"
        );
    }
    let no_enc = json!({"alg": "RSA-OAEP-256"});
    assert_eq!(
        config.decrypt_compact(&token_with_header(&config, no_enc, 12, 16)),
        Err(JweError::InvalidHeader("enc is missing"))
    );
    let plain = base(json!({}));
    assert_eq!(
        config.decrypt_compact(&token_with_header(&config, plain.clone(), 8, 16)),
        Err(JweError::InvalidIvLength {
            enc: "A256GCM",
            len: 8
        })
    );
    assert_eq!(
        config.decrypt_compact(&token_with_header(&config, plain.clone(), 12, 12)),
        Err(JweError::InvalidTagLength { len: 12 })
    );
    // Correct structure, unknown CEK: authentication must fail, with 12- and 16-byte IVs alike.
    for iv_len in [12, 16] {
        assert_eq!(
            config.decrypt_compact(&token_with_header(&config, plain.clone(), iv_len, 16)),
            Err(JweError::AuthenticationFailed)
        );
    }
    let foreign_kid = base(json!({"kid": "0000"}));
    assert!(matches!(
        config.decrypt_compact(&token_with_header(&config, foreign_kid, 12, 16)),
        Err(JweError::KidMismatch { .. })
    ));
}

#[test]
fn size_cap_applies_before_decoding() {
    let (key, cert) = common::key_and_cert(2048);
    let config = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&cert).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
        .max_plaintext_len(1000)
        .build()
        .unwrap();
    let small = config.encrypt_compact(&[b'1'; 900]).unwrap();
    assert_eq!(config.decrypt_compact(&small).unwrap().len(), 900);
    let large = config.encrypt_compact(&[b'1'; 2000]).unwrap();
    assert!(matches!(
        config.decrypt_compact(&large),
        Err(JweError::TooLarge { max: 1000, .. })
    ));
}

#[test]
fn keys_of_wrong_type_or_size() {
    let ec = openssl::ec::EcKey::generate(
        &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
    )
    .unwrap();
    let ec = openssl::pkey::PKey::from_ec_key(ec).unwrap();
    assert!(matches!(
        DecryptionKey::from_pkey(&ec),
        Err(JweError::WrongKeyType(_))
    ));
    let (small, small_cert) = common::key_and_cert(1024);
    assert_eq!(
        DecryptionKey::from_pkey(&small).unwrap_err(),
        JweError::KeyTooSmall(1024)
    );
    assert_eq!(
        EncryptionKey::from_x509(&small_cert).unwrap_err(),
        JweError::KeyTooSmall(1024)
    );
    assert_eq!(
        EncryptionKey::from_spki_der(b"nope").unwrap_err(),
        JweError::InvalidKey("public key")
    );
    let (key, _) = common::key_and_cert(2048);
    let (_, other_cert) = common::key_and_cert(2048);
    assert_eq!(
        DecryptionKey::from_pkey(&key)
            .unwrap()
            .with_certificate(&other_cert)
            .unwrap_err(),
        JweError::CertificateKeyMismatch
    );
    assert_eq!(
        EncryptionConfig::builder().build().unwrap_err(),
        JweError::MissingKey("encryption or decryption key")
    );
}

#[test]
fn bad_bodies_and_paths() {
    let config = common::config();
    assert!(matches!(
        config.encrypt_payload(b"{not json"),
        Err(JweError::InvalidJson { .. })
    ));
    assert!(matches!(
        config.decrypt_payload(b"[1,"),
        Err(JweError::InvalidJson { .. })
    ));
    assert_eq!(
        config.decrypt_payload(br#"{"encryptedData":42}"#),
        Err(JweError::NotAString("$.encryptedData".into()))
    );
    assert_eq!(
        config.decrypt_payload(br#"{"encryptedData":"a.b.c"}"#),
        Err(JweError::MalformedCompact(
            "expected 5 dot-separated segments"
        ))
    );
    let strict = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&common::key_and_cert(2048).1).unwrap())
        .encryption_path("$.card.pan", "$.card")
        .require_paths(true)
        .build()
        .unwrap();
    assert_eq!(
        strict.encrypt_payload(br#"{"other":1}"#),
        Err(JweError::PathNotFound("$.card.pan".into()))
    );
    let missing_parent = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&common::key_and_cert(2048).1).unwrap())
        .encryption_path("$.a", "$.x.y")
        .build()
        .unwrap();
    assert_eq!(
        missing_parent.encrypt_payload(br#"{"a":1}"#),
        Err(JweError::PathNotFound("$.x.y".into()))
    );
    assert!(matches!(
        EncryptionConfig::builder()
            .encryption_key(EncryptionKey::from_x509(&common::key_and_cert(2048).1).unwrap())
            .encryption_path("$.list[*].a", "$")
            .build(),
        Err(JweError::InvalidPath { .. })
    ));
    let encrypt_only = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&common::key_and_cert(2048).1).unwrap())
        .build()
        .unwrap();
    let request = encrypt_only.encrypt_payload(b"{}").unwrap();
    assert_eq!(
        encrypt_only.decrypt_payload(&request),
        Err(JweError::MissingKey("decryption key"))
    );
}

#[test]
fn errors_carry_no_plaintext_or_key_material() {
    let config = common::config();
    let secret = "5123456789012345";
    let token = config.encrypt_compact(secret.as_bytes()).unwrap();
    let mut altered = token.into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'Q' } else { b'A' };
    let error = config
        .decrypt_compact(&String::from_utf8(altered).unwrap())
        .unwrap_err();
    assert!(!error.to_string().contains(secret));
    let debug = format!("{config:?}");
    assert!(
        debug.contains("fingerprint") && !debug.contains("PRIVATE"),
        "{debug}"
    );
    let body_error = config
        .encrypt_payload(format!("{{\"pan\":\"{secret}\",").as_bytes())
        .unwrap_err();
    assert!(!body_error.to_string().contains(secret), "{body_error}");
}

/// A token made by josekit itself with the given alg and enc, to the test key.
fn josekit_token(
    cert: &openssl::x509::X509,
    alg: josekit::jwe::alg::rsaes::RsaesJweAlgorithm,
    enc: &str,
    plaintext: &[u8],
) -> String {
    let spki = cert.public_key().unwrap().public_key_to_der().unwrap();
    let encrypter = alg.encrypter_from_der(spki).unwrap();
    let mut header = josekit::jwe::JweHeader::new();
    header.set_content_encryption(enc);
    josekit::jwe::serialize_compact(plaintext, &header, &encrypter).unwrap()
}

#[test]
fn rsa_oaep_only_when_enabled() {
    let (key, cert) = common::key_and_cert(2048);
    let token = josekit_token(&cert, josekit::jwe::RSA_OAEP, "A256GCM", b"{}");
    let strict = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
        .build()
        .unwrap();
    assert_eq!(
        strict.decrypt_compact(&token),
        Err(JweError::UnsupportedAlgorithm("RSA-OAEP".into()))
    );
    let lenient = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
        .allow_rsa_oaep(true)
        .build()
        .unwrap();
    assert_eq!(lenient.decrypt_compact(&token).unwrap(), b"{}");
}

/// CBC-HS256 tokens: every bit flip of IV, ciphertext or tag fails the HMAC, which is checked
/// before any CBC decryption.
#[test]
fn cbc_hmac_is_verified() {
    let (key, cert) = common::key_and_cert(2048);
    let config = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
        .build()
        .unwrap();
    let token = josekit_token(
        &cert,
        josekit::jwe::RSA_OAEP_256,
        "A128CBC-HS256",
        b"{\"cbc\":true}",
    );
    assert_eq!(config.decrypt_compact(&token).unwrap(), b"{\"cbc\":true}");
    let segments: Vec<Vec<u8>> = token.split('.').map(|s| B64.decode(s).unwrap()).collect();
    for index in 2..5 {
        for byte in 0..segments[index].len() {
            let mut altered = segments.clone();
            altered[index][byte] ^= 0x80;
            let text: Vec<String> = altered.iter().map(|s| B64.encode(s)).collect();
            assert_eq!(
                config.decrypt_compact(&text.join(".")),
                Err(JweError::AuthenticationFailed),
                "segment {index} byte {byte}"
            );
        }
    }
}
