//! Shared test helpers: generated keys and the location of the shared Mastercard vectors.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use mastercard_keys::{PrivateKey, PublicKey};

/// One RSA-2048 key per test binary (generation is slow in debug builds).
pub fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::from_pkey(mastercard_testkit::pki::rsa(2048)).unwrap())
}

pub fn public_key() -> PublicKey {
    PublicKey::from_private_key(key()).unwrap()
}

/// The shared Mastercard vector directory, when present (see `mastercard_testkit::vectors_dir`).
pub fn vectors_dir() -> Option<PathBuf> {
    mastercard_testkit::vectors_dir("oauth1/vectors.json")
}
