//! `mastercard oauth1 sign` prints exactly what the library computes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

use mastercard_keys::PrivateKey;
use mastercard_oauth1::{Request, SignatureMethod, Signer, SigningParams, Verifier};

struct Fixture {
    dir: PathBuf,
    key_pem: PathBuf,
    body: PathBuf,
    key: PrivateKey,
}

fn fixture(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!(
        "mastercard-cli-oauth1-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let pkey = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let key_pem = dir.join("key.pem");
    std::fs::write(&key_pem, pkey.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let body = dir.join("body.json");
    std::fs::write(&body, "{\"amount\":\"100.00\",\"note\":\"héllo\"}").unwrap();
    Fixture {
        dir,
        key_pem,
        body,
        key: PrivateKey::from_pkey(pkey).unwrap(),
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mastercard"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

const URL: &str = "https://sandbox.api.mastercard.com/mastercom/v6/claims?a=1&b=%2a";

#[test]
fn header_and_base_string_match_the_library_with_a_dash_leading_key() {
    let f = fixture("dash");
    let consumer_key = "-starts-with-dash!0123";
    let body = std::fs::read(&f.body).unwrap();
    let signed = Signer::new(consumer_key, f.key.clone())
        .unwrap()
        .sign_with(
            &Request::new("POST", URL, &body),
            &SigningParams {
                timestamp: 1_700_000_000,
                nonce: "kbQ3tMrmHSfdSpEC".into(),
            },
        )
        .unwrap();
    let key = f.key_pem.to_str().unwrap();
    let body_path = f.body.to_str().unwrap();
    let separate = [
        "oauth1",
        "sign",
        "--method",
        "post",
        "--url",
        URL,
        "--body-file",
        body_path,
        "--consumer-key",
        consumer_key,
        "--signing-key",
        key,
        "--nonce",
        "kbQ3tMrmHSfdSpEC",
        "--timestamp",
        "1700000000",
    ];
    assert_eq!(
        stdout(&run(&separate)),
        format!("{}\n", signed.authorization)
    );

    let consumer_key_flag = format!("--consumer-key={consumer_key}");
    let url_flag = format!("--url={URL}");
    let body_flag = format!("--body-file={body_path}");
    let key_flag = format!("--signing-key={key}");
    let equals = [
        "oauth1",
        "sign",
        "--method=POST",
        &url_flag,
        &body_flag,
        &consumer_key_flag,
        &key_flag,
        "--nonce=kbQ3tMrmHSfdSpEC",
        "--timestamp=1700000000",
        "--base-string",
    ];
    assert_eq!(stdout(&run(&equals)), format!("{}\n", signed.base_string));
    std::fs::remove_dir_all(&f.dir).ok();
}

#[test]
fn random_nonce_and_rsa_pss_headers_verify() {
    let f = fixture("pss");
    let public = mastercard_keys::PublicKey::from_private_key(&f.key).unwrap();
    let key = f.key_pem.to_str().unwrap();
    let output = run(&[
        "oauth1",
        "sign",
        "--method",
        "GET",
        "--url",
        URL,
        "--consumer-key",
        "ck",
        "--signing-key",
        key,
        "--signature-method",
        "RSA-PSS",
    ]);
    let header = stdout(&output);
    assert!(header.contains("oauth_signature_method=\"RSA-PSS\""));
    let verified = Verifier::new(public)
        .verify(&Request::new("GET", URL, b""), header.trim_end())
        .unwrap();
    assert_eq!(verified.signature_method, SignatureMethod::RsaPss);
    assert_eq!(verified.nonce.len(), 16);
    std::fs::remove_dir_all(&f.dir).ok();
}

#[test]
fn failures_are_one_line_errors_with_a_non_zero_exit() {
    let f = fixture("errors");
    let key = f.key_pem.to_str().unwrap();
    let missing = f.dir.join("missing.p12");
    let cases: [(&[&str], &str); 3] = [
        (&["--url", "/relative", "--signing-key", key], "invalid URL"),
        (
            &["--url", URL, "--signing-key", missing.to_str().unwrap()],
            "missing.p12",
        ),
        (
            &[
                "--url",
                URL,
                "--signing-key",
                key,
                "--signature-method",
                "HMAC-SHA1",
            ],
            "HMAC-SHA1",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["oauth1", "sign", "--method", "GET", "--consumer-key", "ck"];
        args.extend_from_slice(extra);
        let output = run(&args);
        assert!(!output.status.success(), "{args:?}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&f.dir).ok();
}
