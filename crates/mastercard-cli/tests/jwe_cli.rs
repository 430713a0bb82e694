//! `mastercard jwe …` end to end: the real binary, throwaway keys written to a temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

struct Files {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    spki_sha256: String,
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn files(name: &str) -> Files {
    let dir =
        std::env::temp_dir().join(format!("mastercard-jwe-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut subject = X509NameBuilder::new().unwrap();
    subject.append_entry_by_text("CN", "cli test").unwrap();
    let subject = subject.build();
    let mut cert = X509::builder().unwrap();
    cert.set_version(2).unwrap();
    cert.set_subject_name(&subject).unwrap();
    cert.set_issuer_name(&subject).unwrap();
    cert.set_pubkey(&key).unwrap();
    cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    cert.sign(&key, MessageDigest::sha256()).unwrap();
    let cert = cert.build();
    let spki_sha256 = openssl::sha::sha256(&key.public_key_to_der().unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let files = Files {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
        dir,
        spki_sha256,
    };
    std::fs::write(&files.cert, cert.to_pem().unwrap()).unwrap();
    std::fs::write(&files.key, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let p12 = openssl::pkcs12::Pkcs12::builder()
        .name("my-alias")
        .pkey(&key)
        .cert(&cert)
        .build2("s3cret")
        .unwrap();
    std::fs::write(files.dir.join("key.p12"), p12.to_der().unwrap()).unwrap();
    files
}

fn run(args: &[&str], files: &[&Path], stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard"));
    command.arg("jwe").args(args);
    for file in files {
        command.arg(file);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn encrypt_then_decrypt_round_trip() {
    let f = files("roundtrip");
    let body = br#"{"card":{"pan":"5123456789012345","exp":"12/30"}}"#;
    let encrypted = run(&["encrypt", "--cert"], &[&f.cert], body);
    assert!(
        encrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&encrypted.stderr)
    );
    let envelope: serde_json::Value = serde_json::from_slice(&encrypted.stdout).unwrap();
    assert!(
        envelope["encryptedData"]
            .as_str()
            .unwrap()
            .starts_with("eyJ")
    );
    assert!(!String::from_utf8_lossy(&encrypted.stdout).contains("5123456789012345"));

    let decrypted = run(&["decrypt", "--key"], &[&f.key], &encrypted.stdout);
    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    assert_eq!(decrypted.stdout, [&body[..], b"\n"].concat());
}

#[test]
fn field_level_paths_and_kid_override() {
    let f = files("paths");
    let body = br#"{"card":{"pan":"5123456789012345"},"id":7}"#;
    let encrypted = run(
        &[
            "encrypt",
            "--kid",
            "dashboard-kid",
            "--path",
            "$.card:$.encCard",
            "--cert",
        ],
        &[&f.cert],
        body,
    );
    assert!(
        encrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&encrypted.stderr)
    );
    let envelope: serde_json::Value = serde_json::from_slice(&encrypted.stdout).unwrap();
    assert_eq!(envelope["id"], 7);
    let decrypted = run(
        &[
            "decrypt",
            "--no-kid-check",
            "--path",
            "$.encCard.encryptedData:$.card",
            "--key",
        ],
        &[&f.key],
        &encrypted.stdout,
    );
    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&decrypted.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": 7, "card": {"pan": "5123456789012345"}})
    );
}

#[test]
fn decrypt_with_pkcs12_alias_and_password() {
    let f = files("pkcs12");
    let p12 = f.dir.join("key.p12");
    let encrypted = run(&["encrypt", "--cert"], &[&f.cert], br#"{"x":"y"}"#);
    let decrypted = run(
        &[
            "decrypt",
            "--key-password",
            "s3cret",
            "--key-alias",
            "my-alias",
            "--key",
        ],
        &[&p12],
        &encrypted.stdout,
    );
    assert!(
        decrypted.status.success(),
        "{}",
        String::from_utf8_lossy(&decrypted.stderr)
    );
    assert_eq!(decrypted.stdout, b"{\"x\":\"y\"}\n");
    let wrong_password = run(
        &["decrypt", "--key-password", "nope", "--key"],
        &[&p12],
        &encrypted.stdout,
    );
    assert!(!wrong_password.status.success());
    assert_eq!(
        String::from_utf8_lossy(&wrong_password.stderr)
            .lines()
            .count(),
        1
    );
}

#[test]
fn fingerprint_prints_only_the_kid() {
    let f = files("fingerprint");
    let output = run(&["fingerprint", "--cert"], &[&f.cert], b"");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{}\n", f.spki_sha256)
    );
}

#[test]
fn failures_exit_non_zero_with_one_line() {
    let f = files("failure");
    let other = files("failure-other");
    let encrypted = run(&["encrypt", "--cert"], &[&f.cert], br#"{"a":1}"#);
    // Decrypting with someone else's key: kid mismatch, one line on stderr, nothing on stdout.
    let wrong = run(&["decrypt", "--key"], &[&other.key], &encrypted.stdout);
    assert!(!wrong.status.success());
    assert!(wrong.stdout.is_empty());
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("kid"), "{stderr}");
    // Not JSON, and no encrypted field: both are errors in the CLI.
    let not_json = run(&["decrypt", "--key"], &[&f.key], b"{oops");
    assert!(!not_json.status.success());
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("not valid JSON"));
    let plain = run(&["decrypt", "--key"], &[&f.key], br#"{"a":1}"#);
    assert!(!plain.status.success());
    assert!(String::from_utf8_lossy(&plain.stderr).contains("not found"));
    let missing = run(
        &["fingerprint", "--cert"],
        &[&f.dir.join("absent.pem")],
        b"",
    );
    assert!(!missing.status.success());
}
