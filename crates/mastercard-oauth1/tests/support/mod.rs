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

pub mod provider;

/// The same consumer key and key twice: the built-in signer (OpenSSL `PrivateKey`) and one whose
/// signatures come from [`provider::ExternalProvider`] through the public trait. Every vector
/// test runs with both.
pub fn signers(
    consumer_key: &str,
    key: &PrivateKey,
) -> Vec<(&'static str, mastercard_oauth1::Signer)> {
    let external = provider::ExternalProvider::new(key.pkey().clone());
    vec![
        (
            "built-in",
            mastercard_oauth1::Signer::new(consumer_key, key.clone()).unwrap(),
        ),
        (
            "provider",
            mastercard_oauth1::Signer::with_provider(consumer_key, std::sync::Arc::new(external))
                .unwrap(),
        ),
    ]
}
