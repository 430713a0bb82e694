//! Differential test against Mastercard's Python library (`mastercard-client-encryption` 1.23.3):
//! payloads encrypted here decrypt there and vice versa, whole-payload and field-level, with
//! unicode and a 1 MB payload. All cases run in one Python process.
//!
//! `MASTERCARD_REFERENCE_PYTHON` names an interpreter with the package installed; without it the
//! test prints "skipped" and passes, unless `MASTERCARD_INTEROP_REQUIRED=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use serde_json::{Value, json};

/// The plaintext cases, as (id, mode, document).
fn cases() -> Vec<(String, &'static str, Value)> {
    let large: String = "0123456789abcdef".repeat(64 * 1024); // 1 MiB of text
    let documents = [
        (
            "simple",
            json!({"card": {"pan": "5123456789012345", "expiry": "12/30"}, "amount": 10.5}),
        ),
        (
            "unicode",
            json!({"card": {"holder": "Zoë Ångström 山田 ✓ 🎉", "note": "quote \" backslash \\ tab \t"}, "x": "é"}),
        ),
        ("large", json!({"card": {"document": large}, "id": 1})),
    ];
    let mut out = Vec::new();
    for mode in ["whole", "field"] {
        for (name, document) in &documents {
            out.push((format!("{mode}-{name}"), mode, document.clone()));
        }
    }
    out
}

fn config(mode: &str, key: &DecryptionKey, cert_key: &EncryptionKey) -> EncryptionConfig {
    let builder = EncryptionConfig::builder()
        .encryption_key(cert_key.clone())
        .decryption_key(key.clone());
    match mode {
        "whole" => builder,
        _ => builder
            .encryption_path("$.card", "$.encCard")
            .decryption_path("$.encCard.encryptedData", "$.card"),
    }
    .build()
    .unwrap()
}

#[test]
fn rust_and_python_decrypt_each_other() {
    let Some(python) = mastercard_testkit::reference_python() else {
        return;
    };
    // One key pair for each side, as in production: Rust decrypts with its key what Python
    // encrypted to its certificate, and the other way round.
    let (key, cert) = common::key_and_cert(2048);
    let dir = std::env::temp_dir().join(format!(
        "mastercard-jwe-differential-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.to_pem().unwrap()).unwrap();
    std::fs::write(&key_path, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let decryption = DecryptionKey::from_pkey(&key).unwrap();
    let encryption = EncryptionKey::from_x509(&cert).unwrap();

    let cases = cases();
    let mut to_python = Vec::new();
    let mut from_python = Vec::new();
    for (id, mode, document) in &cases {
        let body = serde_json::to_vec(document).unwrap();
        let encrypted = config(mode, &decryption, &encryption)
            .encrypt_payload(&body)
            .unwrap();
        to_python
            .push(json!({"id": id, "mode": mode, "body": String::from_utf8(encrypted).unwrap()}));
        from_python.push(json!({"id": id, "mode": mode, "body": String::from_utf8(body).unwrap()}));
    }
    let request = json!({
        "cert": cert_path, "key": key_path, "decrypt": to_python, "encrypt": from_python,
    });

    let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/jwe_driver.py");
    let answer = mastercard_testkit::run_python_driver(&python, driver.as_ref(), &request);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(answer["version"], "1.23.3");

    for (id, mode, document) in &cases {
        // Rust -> Python.
        let decrypted: Value =
            serde_json::from_str(answer["decrypted"][id].as_str().unwrap()).unwrap();
        assert_eq!(&decrypted, document, "python could not read {id}");
        // Python -> Rust (16-byte IVs, Python's header order).
        let encrypted = answer["encrypted"][id].as_str().unwrap();
        let envelope: Value = serde_json::from_str(encrypted).unwrap();
        let token = match *mode {
            "whole" => envelope["encryptedData"].as_str().unwrap(),
            _ => envelope["encCard"]["encryptedData"].as_str().unwrap(),
        };
        assert!(!token.is_empty(), "{id}: no token in {envelope}");
        let plaintext =
            config(mode, &decryption, &encryption).decrypt_payload(encrypted.as_bytes());
        let plaintext: Value =
            serde_json::from_slice(&plaintext.unwrap_or_else(|e| panic!("{id}: {e}"))).unwrap();
        assert_eq!(&plaintext, document, "rust could not read {id}");
    }
}
