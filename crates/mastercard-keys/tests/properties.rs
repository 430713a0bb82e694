//! Arbitrary bytes, and valid keys and certificates with bytes changed, never panic a loader:
//! every outcome is a value or a typed error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::OnceLock;

use mastercard_keys::{
    Certificate, Identity, KeySource, Pkcs12Options, PrivateKey, PublicKey, ValidityPolicy,
};
use proptest::prelude::*;

/// A PKCS#12 container, a PEM key + certificate bundle and a DER key to mutate.
fn seeds() -> &'static [Vec<u8>; 3] {
    static SEEDS: OnceLock<[Vec<u8>; 3]> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let key = support::rsa(2048);
        let (p12, cert, _) = support::pkcs12(&key, "alias", "pw");
        let bundle = [
            key.private_key_to_pem_pkcs8().unwrap(),
            cert.to_pem().unwrap(),
        ]
        .concat();
        [p12, bundle, key.private_key_to_pkcs8().unwrap()]
    })
}

fn every_loader(bytes: &[u8]) {
    let options = Pkcs12Options {
        alias: Some("alias".to_owned()),
        password: Some("pw".to_owned()),
    };
    let _ = PrivateKey::from_bytes(bytes, &options);
    let _ = PrivateKey::from_bytes(bytes, &Pkcs12Options::default());
    let _ = Identity::from_bytes(bytes, &options);
    let _ = Certificate::from_bytes(bytes);
    let _ = Certificate::chain_from_pem(bytes);
    let _ = PublicKey::from_pem(bytes);
    let _ = PublicKey::from_der(bytes);
    let _ = KeySource::pem(bytes.to_vec())
        .with_password("pw")
        .load(ValidityPolicy::enforce_now());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        every_loader(&bytes);
    }

    #[test]
    fn mutated_keys_and_containers_never_panic(
        which in 0usize..3,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = seeds()[which].clone();
        for (at, value) in edits {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        every_loader(&bytes);
        every_loader(&bytes[..cut.index(bytes.len())]);
    }
}
