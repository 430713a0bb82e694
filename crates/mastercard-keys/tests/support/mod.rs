//! Test fixtures generated at test time: RSA/EC keys, self-signed certificates and PKCS#12 containers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

pub use mastercard_testkit::pki::{rsa, self_signed};

pub fn ec() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

/// A modern (AES/PBKDF2) PKCS#12 with key, certificate and a one-certificate chain.
pub fn pkcs12(key: &PKey<Private>, alias: &str, password: &str) -> (Vec<u8>, X509, X509) {
    let cert = self_signed(key, "client");
    let ca = self_signed(&rsa(2048), "issuer");
    let der =
        mastercard_testkit::pki::pkcs12(key, &cert, std::slice::from_ref(&ca), alias, password);
    (der, cert, ca)
}

/// The shared Mastercard vector directory, when present.
pub fn vectors_dir() -> Option<PathBuf> {
    mastercard_testkit::vectors_dir("oauth1/keys/test_key_container.p12")
}

pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mastercard-keys-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
