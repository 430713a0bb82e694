//! Loading keys and certificates in every supported format, and every bad-input error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mastercard_keys::{
    Certificate, KeyError, Pkcs12Identity, Pkcs12Options, PrivateKey, PublicKey,
};
use openssl::symm::Cipher;

fn options(alias: Option<&str>, password: Option<&str>) -> Pkcs12Options {
    Pkcs12Options {
        alias: alias.map(str::to_owned),
        password: password.map(str::to_owned),
    }
}

#[test]
fn every_private_key_encoding_gives_the_same_key() {
    let pkey = support::rsa(2048);
    let expected = pkey.public_key_to_der().unwrap();
    let rsa = pkey.rsa().unwrap();
    let encodings = [
        pkey.private_key_to_pem_pkcs8().unwrap(),
        rsa.private_key_to_pem().unwrap(),
        pkey.private_key_to_pkcs8().unwrap(),
        rsa.private_key_to_der().unwrap(),
    ];
    for bytes in &encodings {
        let key = PrivateKey::from_bytes(bytes, &Pkcs12Options::default()).unwrap();
        assert_eq!(key.public_key_spki_der().unwrap(), expected);
        assert_eq!(key.bits(), 2048);
    }
    assert!(PrivateKey::from_pem(&encodings[0]).is_ok());
    assert!(PrivateKey::from_pem(&encodings[1]).is_ok());
    assert!(PrivateKey::from_der(&encodings[2]).is_ok());
    assert!(PrivateKey::from_der(&encodings[3]).is_ok());
    // The PKCS#8 export round-trips (josekit consumes it).
    let pkcs8 = PrivateKey::from_der(&encodings[3])
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    assert_eq!(pkcs8, encodings[2]);
}

#[test]
fn encrypted_pkcs8_needs_and_uses_its_password() {
    let pkey = support::rsa(2048);
    let pem = pkey
        .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"secret")
        .unwrap();
    assert!(matches!(
        PrivateKey::from_pem(&pem),
        Err(KeyError::PasswordRequired)
    ));
    let key = PrivateKey::from_bytes(&pem, &options(None, Some("secret"))).unwrap();
    assert_eq!(
        key.public_key_spki_der().unwrap(),
        pkey.public_key_to_der().unwrap()
    );
    assert!(matches!(
        PrivateKey::from_bytes(&pem, &options(None, Some("wrong"))),
        Err(KeyError::Malformed { .. })
    ));
}

#[test]
fn pkcs12_opens_by_alias_with_certificate_and_chain() {
    let pkey = support::rsa(2048);
    let (der, cert, ca) = support::pkcs12(&pkey, "my-alias", "pw");
    let identity = Pkcs12Identity::from_der(&der, Some("my-alias"), "pw").unwrap();
    assert_eq!(
        identity.key.public_key_spki_der().unwrap(),
        pkey.public_key_to_der().unwrap()
    );
    let found = identity.cert.expect("certificate");
    assert_eq!(found.to_der().unwrap(), cert.to_der().unwrap());
    assert_eq!(found.alias().as_deref(), Some("my-alias"));
    assert_eq!(identity.chain.len(), 1);
    assert_eq!(identity.chain[0].to_der().unwrap(), ca.to_der().unwrap());
    // Without an alias the container's key is taken.
    assert!(PrivateKey::from_pkcs12_der(&der, None, "pw").is_ok());
    // Content sniffing and the extension both route to PKCS#12.
    assert!(PrivateKey::from_bytes(&der, &options(Some("my-alias"), Some("pw"))).is_ok());
    let path = support::temp_file("generated.p12", &der);
    assert!(PrivateKey::from_file(&path, &options(None, Some("pw"))).is_ok());
    assert!(Pkcs12Identity::from_file(&path, &options(None, Some("pw"))).is_ok());
}

#[test]
fn pkcs12_wrong_password_and_alias_are_told_apart() {
    let (der, _, _) = support::pkcs12(&support::rsa(2048), "my-alias", "pw");
    let wrong_password = PrivateKey::from_pkcs12_der(&der, Some("my-alias"), "nope").unwrap_err();
    assert!(
        matches!(wrong_password, KeyError::WrongPassword),
        "{wrong_password:?}"
    );
    assert!(wrong_password.to_string().contains("password"));
    match PrivateKey::from_pkcs12_der(&der, Some("other"), "pw").unwrap_err() {
        KeyError::AliasNotFound {
            requested,
            available,
        } => {
            assert_eq!(requested, "other");
            assert_eq!(available, vec!["my-alias".to_owned()]);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn non_rsa_and_small_keys_are_rejected() {
    let ec = support::ec().private_key_to_pem_pkcs8().unwrap();
    match PrivateKey::from_pem(&ec).unwrap_err() {
        KeyError::NotRsa { algorithm } => assert_eq!(algorithm, "EC"),
        other => panic!("unexpected {other:?}"),
    }
    let small = support::rsa(1024);
    let err = PrivateKey::from_pem(&small.private_key_to_pem_pkcs8().unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            KeyError::KeyTooSmall {
                bits: 1024,
                minimum: 2048
            }
        ),
        "{err:?}"
    );
    let (der, _, _) = support::pkcs12(&small, "a", "pw");
    assert!(matches!(
        PrivateKey::from_pkcs12_der(&der, None, "pw"),
        Err(KeyError::KeyTooSmall { .. })
    ));
    let cert = support::self_signed(&small, "small");
    assert!(matches!(
        Certificate::from_der(&cert.to_der().unwrap())
            .unwrap()
            .public_key(),
        Err(KeyError::KeyTooSmall { .. })
    ));
}

#[test]
fn truncated_and_garbage_inputs_are_malformed_errors() {
    let pkey = support::rsa(2048);
    let (p12, _, _) = support::pkcs12(&pkey, "a", "pw");
    let pem = pkey.private_key_to_pem_pkcs8().unwrap();
    let der = pkey.private_key_to_pkcs8().unwrap();
    let truncated_p12 = &p12[..p12.len() / 2];
    assert!(matches!(
        PrivateKey::from_pkcs12_der(truncated_p12, None, "pw"),
        Err(KeyError::Malformed { .. })
    ));
    assert!(matches!(
        PrivateKey::from_pem(&pem[..pem.len() / 2]),
        Err(KeyError::Malformed { .. })
    ));
    assert!(matches!(
        PrivateKey::from_der(&der[..100]),
        Err(KeyError::Malformed { .. })
    ));
    // Empty input is named as such (see the bad-input catalogue), not "malformed".
    for garbage in [
        &b"\x00\x01\x02"[..],
        b"hello world",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n",
    ] {
        let err = PrivateKey::from_bytes(garbage, &Pkcs12Options::default()).unwrap_err();
        assert!(matches!(err, KeyError::Malformed { .. }), "{err:?}");
        assert!(Certificate::from_bytes(garbage).is_err());
    }
    let path = support::temp_file("broken.p12", truncated_p12);
    assert!(matches!(
        PrivateKey::from_file(&path, &options(None, Some("pw"))),
        Err(KeyError::Malformed {
            expected: "PKCS#12 container",
            ..
        })
    ));
}

#[test]
fn unreadable_file_names_the_path() {
    let missing = std::env::temp_dir().join("mastercard-keys-definitely-missing.pem");
    let err = PrivateKey::from_file(&missing, &Pkcs12Options::default()).unwrap_err();
    assert!(matches!(err, KeyError::Unreadable { .. }));
    assert!(
        err.to_string()
            .contains("mastercard-keys-definitely-missing.pem")
    );
}

#[test]
fn debug_output_has_no_key_material_or_password() {
    let pkey = support::rsa(2048);
    let key = PrivateKey::from_pkey(pkey.clone()).unwrap();
    assert_eq!(
        format!("{key:?}"),
        r#"PrivateKey { algorithm: "RSA", bits: 2048 }"#
    );
    let options = options(Some("alias"), Some("hunter2"));
    let rendered = format!("{options:?}");
    assert!(!rendered.contains("hunter2"));
    assert!(rendered.contains("alias"));
    let (der, _, _) = support::pkcs12(&pkey, "a", "pw");
    let identity = format!("{:?}", Pkcs12Identity::from_der(&der, None, "pw").unwrap());
    let n = pkey.rsa().unwrap().n().to_hex_str().unwrap().to_string();
    assert!(
        !identity.contains(&n[..32]) && identity.contains("CN=client"),
        "{identity}"
    );
}

#[test]
fn certificates_and_public_keys_load_and_agree() {
    let pkey = support::rsa(2048);
    let x509 = support::self_signed(&pkey, "cert");
    let pem = x509.to_pem().unwrap();
    let cert = Certificate::from_pem(&pem).unwrap();
    assert_eq!(cert.spki_der().unwrap(), pkey.public_key_to_der().unwrap());
    assert_eq!(cert.subject(), "CN=cert");
    assert!(cert.not_before() < cert.not_after());
    let path = support::temp_file("cert.der", &x509.to_der().unwrap());
    assert_eq!(
        Certificate::from_file(&path).unwrap().spki_der().unwrap(),
        cert.spki_der().unwrap()
    );
    let mut two = pem.clone();
    two.extend_from_slice(
        &support::self_signed(&support::rsa(2048), "other")
            .to_pem()
            .unwrap(),
    );
    assert_eq!(Certificate::chain_from_pem(&two).unwrap().len(), 2);

    let spki = pkey.public_key_to_der().unwrap();
    let candidates = [
        PublicKey::from_pem(&pkey.public_key_to_pem().unwrap()).unwrap(),
        PublicKey::from_pem(&pkey.rsa().unwrap().public_key_to_pem_pkcs1().unwrap()).unwrap(),
        PublicKey::from_pem(&pem).unwrap(),
        PublicKey::from_der(&spki).unwrap(),
        PublicKey::from_private_key(&PrivateKey::from_pkey(pkey.clone()).unwrap()).unwrap(),
        cert.public_key().unwrap(),
    ];
    for key in &candidates {
        assert_eq!(key.spki_der().unwrap(), spki);
    }
    assert!(matches!(
        PublicKey::from_pem(&support::ec().public_key_to_pem().unwrap()),
        Err(KeyError::NotRsa { .. })
    ));
}

#[test]
fn mastercard_test_keys_load_in_every_shipped_format() {
    let Some(dir) = support::vectors_dir() else {
        return;
    };
    let keys = dir.join("oauth1/keys");
    let good = options(Some("mykeyalias"), Some("Password1"));
    // The legacy RC2-40/3DES container: needs OpenSSL's legacy provider.
    let from_p12 = PrivateKey::from_file(keys.join("test_key_container.p12"), &good).unwrap();
    let spki = from_p12.public_key_spki_der().unwrap();
    for name in [
        "test_key_pkcs8.pem",
        "test_key_pkcs1.pem",
        "test_key_pkcs8.der",
        "test_key_pkcs1.der",
    ] {
        let key = PrivateKey::from_file(keys.join(name), &Pkcs12Options::default()).unwrap();
        assert_eq!(key.public_key_spki_der().unwrap(), spki, "{name}");
    }
    let cert = Certificate::from_file(keys.join("test_cert.pem")).unwrap();
    assert_eq!(cert.spki_der().unwrap(), spki);
    let identity = Pkcs12Identity::from_file(keys.join("test_key_container.p12"), &good).unwrap();
    assert!(
        identity
            .cert
            .unwrap()
            .subject()
            .contains("CN=MasterCardKey")
    );

    let p12 = keys.join("test_key_container.p12");
    let wrong_password =
        PrivateKey::from_file(&p12, &options(Some("mykeyalias"), Some("Password2"))).unwrap_err();
    assert!(
        matches!(wrong_password, KeyError::WrongPassword),
        "{wrong_password:?}"
    );
    match PrivateKey::from_file(&p12, &options(Some("nope"), Some("Password1"))).unwrap_err() {
        KeyError::AliasNotFound { available, .. } => {
            assert_eq!(available, vec!["mykeyalias".to_owned()])
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// Runs in a child process with `OPENSSL_MODULES` pointing nowhere, so the `legacy` provider cannot
/// load there; the parent only checks the child's verdict.
#[test]
fn missing_legacy_provider_is_a_typed_error() {
    let Some(dir) = support::vectors_dir() else {
        return;
    };
    let p12 = dir.join("oauth1/keys/test_key_container.p12");
    if std::env::var_os("MASTERCARD_KEYS_LEGACY_CHILD").is_some() {
        let err = PrivateKey::from_file(&p12, &options(None, Some("Password1"))).unwrap_err();
        assert!(
            matches!(err, KeyError::LegacyProviderUnavailable { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("OPENSSL_MODULES"));
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "missing_legacy_provider_is_a_typed_error",
            "--test-threads=1",
        ])
        .env("MASTERCARD_KEYS_LEGACY_CHILD", "1")
        .env(
            "OPENSSL_MODULES",
            std::env::temp_dir().join("mastercard-keys-no-modules-here"),
        )
        .status()
        .unwrap();
    assert!(status.success(), "child run failed: {status}");
}
