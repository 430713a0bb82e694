//! Key and certificate loading from bytes: PEM, DER, encrypted PKCS#8 and PKCS#12 (with and
//! without password and alias), mTLS identities, X.509 certificates and chains, public keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastercard_keys::{
    Certificate, Identity, Pkcs12Identity, Pkcs12Options, PrivateKey, PublicKey,
};

fuzz_target!(|data: &[u8]| {
    let options = [
        Pkcs12Options::default(),
        Pkcs12Options {
            alias: Some("fuzz".to_owned()),
            password: Some("fuzz-password".to_owned()),
        },
    ];
    for option in &options {
        if let Ok(key) = PrivateKey::from_bytes(data, option) {
            let _ = key.public_key_spki_der();
            let _ = format!("{key:?}");
        }
        let _ = Identity::from_bytes(data, option);
    }
    let _ = PrivateKey::from_pem(data);
    let _ = PrivateKey::from_der(data);
    let _ = Pkcs12Identity::from_der(data, None, "fuzz-password");
    let _ = PublicKey::from_pem(data);
    let _ = PublicKey::from_der(data);
    if let Ok(certificate) = Certificate::from_bytes(data) {
        let _ = certificate.public_key();
        let _ = certificate.spki_der();
        let _ = certificate.alias();
        let _ = certificate.subject();
    }
    if let Ok(chain) = Certificate::chain_from_pem(data) {
        for certificate in chain {
            let _ = certificate.subject();
        }
    }
});
