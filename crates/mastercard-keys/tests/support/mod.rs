//! Test fixtures generated at test time: RSA/EC keys, self-signed certificates and PKCS#12 containers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

pub fn rsa(bits: u32) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap()
}

pub fn ec() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

pub fn self_signed(key: &PKey<Private>, common_name: &str) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", common_name).unwrap();
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    builder
        .set_serial_number(&BigNum::from_u32(7).unwrap().to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(&name).unwrap();
    builder.set_pubkey(key).unwrap();
    builder
        .set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    builder.sign(key, MessageDigest::sha256()).unwrap();
    builder.build()
}

/// A modern (AES/PBKDF2) PKCS#12 with key, certificate and a one-certificate chain.
pub fn pkcs12(key: &PKey<Private>, alias: &str, password: &str) -> (Vec<u8>, X509, X509) {
    let cert = self_signed(key, "client");
    let ca_key = rsa(2048);
    let ca = self_signed(&ca_key, "issuer");
    let mut chain = openssl::stack::Stack::new().unwrap();
    chain.push(ca.clone()).unwrap();
    let der = Pkcs12::builder()
        .name(alias)
        .pkey(key)
        .cert(&cert)
        .ca(chain)
        .build2(password)
        .unwrap()
        .to_der()
        .unwrap();
    (der, cert, ca)
}

/// The shared Mastercard vector directory, when present (`MASTERCARD_VECTORS_DIR` or the sibling checkout).
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("MASTERCARD_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("MASTERCARD_VECTORS_REQUIRED").as_deref() != Ok("1"),
        "MASTERCARD_VECTORS_REQUIRED=1 but the vector directory {} does not exist",
        dir.display()
    );
    eprintln!(
        "skipped: vector directory {} not found (set MASTERCARD_VECTORS_DIR)",
        dir.display()
    );
    None
}

pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mastercard-keys-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
