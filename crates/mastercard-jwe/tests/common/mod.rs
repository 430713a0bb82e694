//! Shared test helpers: the vectors directory convention and throwaway keys.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// The shared Mastercard vector directory, when present (see `mastercard_testkit::vectors_dir`).
pub fn vectors_dir() -> Option<PathBuf> {
    mastercard_testkit::vectors_dir("jwe/vectors.json")
}

/// A fresh RSA key and a self-signed certificate for it.
pub fn key_and_cert(bits: u32) -> (PKey<Private>, X509) {
    let key = mastercard_testkit::pki::rsa(bits);
    let cert = mastercard_testkit::pki::self_signed(&key, "mastercard-jwe test");
    (key, cert)
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
