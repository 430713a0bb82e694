//! Throwaway keys and certificates made with OpenSSL at test time.

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::stack::Stack;
use openssl::x509::extension::{BasicConstraints, KeyUsage, SubjectAlternativeName};
use openssl::x509::{X509, X509NameBuilder};

/// A fresh RSA key.
pub fn rsa(bits: u32) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap()
}

/// Validity of a certificate, in days from now (negative values lie in the past).
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    /// First day.
    pub from_days: i64,
    /// Last day.
    pub until_days: i64,
}

impl Validity {
    /// Valid from today for 30 days.
    pub const CURRENT: Self = Self {
        from_days: 0,
        until_days: 30,
    };
    /// Expired yesterday.
    pub const EXPIRED: Self = Self {
        from_days: -30,
        until_days: -1,
    };
}

fn asn1_days(days: i64) -> Asn1Time {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    Asn1Time::from_unix(now + days * 86_400).unwrap()
}

/// A certificate for `key` named `common_name`, signed by `issuer` (or self-signed when `None`).
/// `is_ca` adds CA basic constraints; `sans` (IP addresses or DNS names) become subject
/// alternative names.
pub fn certificate(
    key: &PKey<Private>,
    common_name: &str,
    issuer: Option<(&X509, &PKey<Private>)>,
    is_ca: bool,
    sans: &[&str],
    validity: Validity,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", common_name).unwrap();
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial
        .rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)
        .unwrap();
    builder
        .set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&name).unwrap();
    builder
        .set_issuer_name(issuer.map_or(&*name, |(cert, _)| cert.subject_name()))
        .unwrap();
    builder.set_pubkey(key).unwrap();
    builder
        .set_not_before(&asn1_days(validity.from_days))
        .unwrap();
    builder
        .set_not_after(&asn1_days(validity.until_days))
        .unwrap();
    if is_ca {
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        builder
            .append_extension(
                KeyUsage::new()
                    .critical()
                    .key_cert_sign()
                    .crl_sign()
                    .build()
                    .unwrap(),
            )
            .unwrap();
    }
    if !sans.is_empty() {
        let mut alternative = SubjectAlternativeName::new();
        for san in sans {
            if san.parse::<std::net::IpAddr>().is_ok() {
                alternative.ip(san);
            } else {
                alternative.dns(san);
            }
        }
        let extension = alternative
            .build(&builder.x509v3_context(issuer.map(|(cert, _)| &**cert), None))
            .unwrap();
        builder.append_extension(extension).unwrap();
    }
    let signer = issuer.map_or(key, |(_, issuer_key)| issuer_key);
    builder.sign(signer, MessageDigest::sha256()).unwrap();
    builder.build()
}

/// A self-signed, currently valid certificate for `key`.
pub fn self_signed(key: &PKey<Private>, common_name: &str) -> X509 {
    certificate(key, common_name, None, false, &[], Validity::CURRENT)
}

/// A fresh RSA-2048 key with its self-signed certificate.
pub fn key_and_self_signed(common_name: &str) -> (PKey<Private>, X509) {
    let key = rsa(2048);
    let cert = self_signed(&key, common_name);
    (key, cert)
}

/// A modern (AES/PBKDF2) PKCS#12 container holding `key`, `cert` and `chain` under `alias`.
pub fn pkcs12(
    key: &PKey<Private>,
    cert: &X509,
    chain: &[X509],
    alias: &str,
    password: &str,
) -> Vec<u8> {
    let mut stack = Stack::new().unwrap();
    for extra in chain {
        stack.push(extra.clone()).unwrap();
    }
    Pkcs12::builder()
        .name(alias)
        .pkey(key)
        .cert(cert)
        .ca(stack)
        .build2(password)
        .unwrap()
        .to_der()
        .unwrap()
}

/// A throwaway CA and a server certificate it issued for `localhost` and `127.0.0.1`: what a
/// loopback TLS server presents, and what its client trusts (`ca`).
pub struct LoopbackServerIdentity {
    /// The CA certificate (the client's trust root).
    pub ca: X509,
    /// The server certificate.
    pub cert: X509,
    /// The server certificate's key.
    pub key: PKey<Private>,
}

/// A fresh [`LoopbackServerIdentity`].
pub fn loopback_server_identity() -> LoopbackServerIdentity {
    let ca_key = rsa(2048);
    let ca = certificate(
        &ca_key,
        "Loopback test CA",
        None,
        true,
        &[],
        Validity::CURRENT,
    );
    let key = rsa(2048);
    let cert = certificate(
        &key,
        "localhost",
        Some((&ca, &ca_key)),
        false,
        &["localhost", "127.0.0.1"],
        Validity::CURRENT,
    );
    LoopbackServerIdentity { ca, cert, key }
}
