//! Shared test helpers: generated keys and the location of the shared Mastercard vectors.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use mastercard_keys::{PrivateKey, PublicKey};
use openssl::pkey::PKey;
use openssl::rsa::Rsa;

/// One RSA-2048 key per test binary (generation is slow in debug builds).
pub fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        PrivateKey::from_pkey(PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()).unwrap()
    })
}

pub fn public_key() -> PublicKey {
    PublicKey::from_private_key(key()).unwrap()
}

/// `$MASTERCARD_VECTORS_DIR`, else `../shared/vectors` next to the checkout when it exists; `None`
/// (after printing why) when absent, unless `MASTERCARD_VECTORS_REQUIRED=1`, which fails instead.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("MASTERCARD_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
    };
    if dir.join("oauth1/vectors.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("MASTERCARD_VECTORS_REQUIRED").as_deref() != Ok("1"),
        "MASTERCARD_VECTORS_REQUIRED=1 but {} has no oauth1/vectors.json",
        dir.display()
    );
    eprintln!(
        "skipped: no OAuth1 vectors at {} (set MASTERCARD_VECTORS_DIR)",
        dir.display()
    );
    None
}
