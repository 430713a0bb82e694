//! Shared test helpers: the vectors directory convention and throwaway keys.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

/// `$MASTERCARD_VECTORS_DIR` (relative values are taken from the workspace root, as CI sets
/// them), else `../../../shared/vectors` from this crate if present. `None` means "skip", which
/// is a failure when `MASTERCARD_VECTORS_REQUIRED=1`.
pub fn vectors_dir() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidate = match std::env::var_os("MASTERCARD_VECTORS_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() || dir.exists() {
                dir
            } else {
                manifest.join("../..").join(dir)
            }
        }
        None => manifest.join("../../../shared/vectors"),
    };
    if candidate.join("jwe/vectors.json").is_file() {
        return Some(candidate);
    }
    assert!(
        std::env::var("MASTERCARD_VECTORS_REQUIRED").as_deref() != Ok("1"),
        "MASTERCARD_VECTORS_REQUIRED=1 but no jwe/vectors.json under {}",
        candidate.display()
    );
    println!("skipped: no Mastercard vectors at {}", candidate.display());
    None
}

/// A fresh RSA key and a self-signed certificate for it.
pub fn key_and_cert(bits: u32) -> (PKey<Private>, X509) {
    let key = PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "mastercard-jwe test")
        .unwrap();
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    let serial = BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap();
    builder.set_serial_number(&serial).unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(&name).unwrap();
    builder.set_pubkey(&key).unwrap();
    builder
        .set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    builder.sign(&key, MessageDigest::sha256()).unwrap();
    (key, builder.build())
}

/// A default configuration (both directions) over a fresh RSA-2048 key pair.
pub fn config() -> EncryptionConfig {
    let (key, cert) = key_and_cert(2048);
    EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&cert).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
        .build()
        .unwrap()
}
