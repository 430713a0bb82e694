//! Mastercard's published JWE vectors and fingerprint cases (read from the shared vectors
//! directory, never copied into this repository).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mastercard_jwe::fingerprint::{sha256_base64, sha256_hex};
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::{Certificate, PrivateKey, ValidityPolicy};
use serde_json::Value;

fn load(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("jwe/vectors.json")).unwrap()).unwrap()
}

fn certificate(dir: &std::path::Path, file: &str) -> Certificate {
    let bytes = std::fs::read(dir.join("jwe").join(file)).unwrap();
    if file.ends_with(".der") {
        Certificate::from_der(&bytes).unwrap()
    } else {
        Certificate::from_pem(&bytes).unwrap()
    }
}

#[test]
fn all_jwe_vectors() {
    let Some(dir) = common::vectors_dir() else {
        return;
    };
    let vectors = load(&dir);
    let cases = vectors["jwe_vectors"].as_array().unwrap();
    let (mut ok, mut rejected) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let key_pem =
            std::fs::read(dir.join("jwe").join(case["key_file"].as_str().unwrap())).unwrap();
        let key = PrivateKey::from_pem(&key_pem).unwrap();
        // The Node vectors carry the certificate fingerprint (base64) as kid: accept it by
        // pairing the key with its certificate, which also proves that the two belong together.
        let cert = certificate(&dir, "keys/test_certificate-2048.pem");
        let decryption = DecryptionKey::from_private_key(&key)
            .unwrap()
            .with_certificate(cert.x509())
            .unwrap();
        let config = EncryptionConfig::builder()
            .decryption_key(decryption)
            .build()
            .unwrap();
        let result = config.decrypt_compact(case["jwe_compact"].as_str().unwrap());
        if case["expect_error"].as_bool().unwrap() {
            assert!(result.is_err(), "{name}: expected an error");
            rejected += 1;
        } else {
            let plaintext = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                plaintext,
                case["expected_plaintext"].as_str().unwrap().as_bytes(),
                "{name}"
            );
            ok += 1;
        }
    }
    assert_eq!((ok, rejected), (14, 1));
}

#[test]
fn vectors_rejected_without_the_certificate_kids() {
    // Strictness check: without the certificate, the Node vectors' base64 certificate kid names
    // an unknown key and is refused, while the SPKI-kid vectors still decrypt.
    let Some(dir) = common::vectors_dir() else {
        return;
    };
    let vectors = load(&dir);
    let key =
        PrivateKey::from_pem(&std::fs::read(dir.join("jwe/keys/test_key_pkcs8-2048.pem")).unwrap())
            .unwrap();
    let config = EncryptionConfig::builder()
        .decryption_key(DecryptionKey::from_private_key(&key).unwrap())
        .build()
        .unwrap();
    for case in vectors["jwe_vectors"].as_array().unwrap() {
        let kid = case["header"]["kid"].as_str();
        let result = config.decrypt_compact(case["jwe_compact"].as_str().unwrap());
        match kid {
            Some(kid) if kid.ends_with('=') => assert!(
                matches!(result, Err(mastercard_jwe::JweError::KidMismatch { .. })),
                "{}",
                case["name"]
            ),
            _ => assert_eq!(result.is_ok(), !case["expect_error"].as_bool().unwrap()),
        }
    }
}

#[test]
fn fingerprint_cases() {
    let Some(dir) = common::vectors_dir() else {
        return;
    };
    let vectors = load(&dir);
    let cases = vectors["fingerprint_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let cert = certificate(&dir, case["cert_file"].as_str().unwrap());
        let der = if name.contains("certificate_fingerprint") {
            cert.to_der().unwrap()
        } else {
            cert.spki_der().unwrap()
        };
        let actual = if name.contains("base64") {
            sha256_base64(&der)
        } else {
            sha256_hex(&der)
        };
        assert_eq!(
            actual,
            case["expected_fingerprint"].as_str().unwrap(),
            "{name}"
        );
        if name.starts_with("cert2048_public_key_fingerprint_hex") {
            assert_eq!(
                EncryptionKey::from_certificate(&cert, ValidityPolicy::IgnoreDates)
                    .unwrap()
                    .kid(),
                actual
            );
        }
    }
}

#[test]
fn small_and_large_vector_certificates() {
    let Some(dir) = common::vectors_dir() else {
        return;
    };
    let small = certificate(&dir, "keys/test_certificate-1024.pem");
    assert_eq!(
        EncryptionKey::from_certificate(&small, ValidityPolicy::IgnoreDates).unwrap_err(),
        mastercard_jwe::JweError::KeyTooSmall(1024)
    );
    let large = certificate(&dir, "keys/test_certificate-4096.pem");
    let config = EncryptionConfig::builder()
        .encryption_key(
            EncryptionKey::from_certificate(&large, ValidityPolicy::IgnoreDates).unwrap(),
        )
        .build()
        .unwrap();
    let token = config.encrypt_compact(b"{}").unwrap();
    assert_eq!(token.split('.').nth(1).unwrap().len(), 683); // 512 bytes, base64url
}
