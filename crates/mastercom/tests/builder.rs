#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Building a client: bad keys and URLs fail before any request; Debug output hides secrets.

mod support;

use mastercard_testkit::pki::{self, Validity};
use mastercom::{BuildError, Environment, MastercomClient};

const PASSWORD: &str = "p12-password-never-printed";

#[test]
fn environments_have_the_documented_urls() {
    assert_eq!(
        Environment::Sandbox.base_url(),
        "https://sandbox.api.mastercard.com/mastercom"
    );
    assert_eq!(
        Environment::Production.base_url(),
        "https://api.mastercard.com/mastercom"
    );
    assert_eq!(Environment::parse("PRODUCTION"), Environment::Production);
}

#[test]
fn plain_http_is_refused_except_loopback() {
    let key = support::test_key();
    let build = |url: &str| {
        MastercomClient::builder()
            .base_url(url)
            .consumer_key("ck")
            .signing_key_pem(key.pem.clone())
            .build()
    };
    assert!(matches!(
        build("http://api.example.com/mastercom"),
        Err(BuildError::InvalidBaseUrl { .. })
    ));
    assert!(matches!(
        build("http://10.0.0.1/mastercom"),
        Err(BuildError::InvalidBaseUrl { .. })
    ));
    for url in [
        "http://127.0.0.1:8080/mastercom",
        "http://127.1.2.3/m",
        "http://[::1]:1/m",
        "http://localhost:9/m",
    ] {
        assert!(build(url).is_ok(), "{url}");
    }
    assert!(build("https://api.example.com/mastercom").is_ok());
}

#[test]
fn missing_or_unreadable_keys_fail_at_build_time() {
    let missing = MastercomClient::builder()
        .consumer_key("ck")
        .signing_key_pkcs12("/nonexistent/key.p12", Some("alias"), "pw")
        .build()
        .unwrap_err();
    assert!(matches!(missing, BuildError::Key(_)), "{missing}");
    assert!(
        missing.to_string().contains("/nonexistent/key.p12"),
        "{missing}"
    );

    let garbage = MastercomClient::builder()
        .consumer_key("ck")
        .signing_key_pem(b"not a key".to_vec())
        .build()
        .unwrap_err();
    assert!(matches!(garbage, BuildError::Key(_)));

    let no_key = MastercomClient::builder()
        .consumer_key("ck")
        .build()
        .unwrap_err();
    assert!(matches!(no_key, BuildError::MissingSigningKey));
    let no_consumer = MastercomClient::builder().build().unwrap_err();
    assert!(matches!(no_consumer, BuildError::MissingConsumerKey));
}

#[test]
fn p12_wrong_password_and_expired_certificate_fail_at_build_time() {
    let directory = tempfile::tempdir().unwrap();
    let key = pki::rsa(2048);
    let valid = pki::certificate(&key, "signing", None, false, &[], Validity::CURRENT);
    let expired = pki::certificate(&key, "signing", None, false, &[], Validity::EXPIRED);
    let good_path = directory.path().join("good.p12");
    let expired_path = directory.path().join("expired.p12");
    std::fs::write(
        &good_path,
        pki::pkcs12(&key, &valid, &[], "keyalias", PASSWORD),
    )
    .unwrap();
    std::fs::write(
        &expired_path,
        pki::pkcs12(&key, &expired, &[], "keyalias", PASSWORD),
    )
    .unwrap();

    let build = |path: &std::path::Path, password: &str| {
        MastercomClient::builder()
            .consumer_key("ck")
            .signing_key_pkcs12(path, Some("keyalias"), password)
            .build()
    };
    let client = build(&good_path, PASSWORD).unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(PASSWORD));

    assert!(matches!(
        build(&good_path, "wrong"),
        Err(BuildError::Key(_))
    ));
    let error = build(&expired_path, PASSWORD).unwrap_err();
    assert!(matches!(error, BuildError::ExpiredKey { .. }), "{error}");
    assert!(error.to_string().contains("expired"));
}

#[test]
fn debug_output_contains_no_secrets() {
    let key = support::test_key();
    let consumer_key = "consumer-key-SECRET-VALUE";
    let builder = MastercomClient::builder()
        .consumer_key(consumer_key)
        .signing_key_pem(key.pem.clone());
    let client = builder.clone().build().unwrap();
    let p12_builder = MastercomClient::builder()
        .consumer_key(consumer_key)
        .signing_key_pkcs12("/keys/k.p12", Some("alias"), PASSWORD);
    let pem_text = String::from_utf8(key.pem.clone()).unwrap();
    let key_body = pem_text.lines().nth(1).unwrap();
    for shown in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{p12_builder:?}"),
        format!("{:?}", client.api()),
    ] {
        assert!(!shown.contains(consumer_key), "{shown}");
        assert!(!shown.contains(PASSWORD), "{shown}");
        assert!(!shown.contains(key_body), "{shown}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    }
}

const FROM_ENV_CHILD: &str = "MASTERCOM_FROM_ENV_TEST_CHILD";

/// Runs only as the child of `from_env_reads_the_documented_variables` (the environment of a
/// running test cannot be changed safely, so the variables are given to a new process).
#[test]
fn from_env_child() {
    if std::env::var(FROM_ENV_CHILD).is_err() {
        return;
    }
    let client = MastercomClient::from_env().unwrap().build().unwrap();
    assert_eq!(client.base_url(), "https://api.mastercard.com/mastercom");
    assert!(client.guard_enabled());
    println!("FROM-ENV-OK");
}

#[test]
fn from_env_reads_the_documented_variables() {
    let directory = tempfile::tempdir().unwrap();
    let key = pki::rsa(2048);
    let cert = pki::certificate(&key, "signing", None, false, &[], Validity::CURRENT);
    let p12 = directory.path().join("key.p12");
    std::fs::write(&p12, pki::pkcs12(&key, &cert, &[], "keyalias", PASSWORD)).unwrap();
    let output = mastercard_testkit::child::command("from_env_child")
        .env(FROM_ENV_CHILD, "1")
        .env("MASTERCARD_CONSUMER_KEY", "ck")
        .env("MASTERCARD_SIGNING_KEY_PATH", &p12)
        .env("MASTERCARD_SIGNING_KEY_ALIAS", "keyalias")
        .env("MASTERCARD_SIGNING_KEY_PASSWORD", PASSWORD)
        .env("MASTERCARD_ENVIRONMENT", "production")
        .env(
            "MASTERCOM_LEDGER_PATH",
            directory.path().join("ledger.sqlite"),
        )
        .output()
        .unwrap();
    let stdout = mastercard_testkit::child::stdout(output);
    assert!(
        stdout.contains("FROM-ENV-OK"),
        "child did not run: {stdout}"
    );
    assert!(directory.path().join("ledger.sqlite").exists());

    // Without the variables, the error names the missing one.
    let output = mastercard_testkit::child::command("from_env_child")
        .env(FROM_ENV_CHILD, "1")
        .env_remove("MASTERCARD_CONSUMER_KEY")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("MASTERCARD_CONSUMER_KEY"));
}
