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
    // A command that fails on its key exits before reading stdin: a broken pipe is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
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

// The bad-input catalogue of `mastercard jwe`: each row runs the real binary and asserts a
// failure exit, nothing on stdout, one stderr line, and the words that line must contain.

/// Extra inputs for the catalogue, written next to the usual throwaway keys.
struct Hostile {
    files: Files,
    p12: PathBuf,
    ec_cert: PathBuf,
    expired_cert: PathBuf,
    empty: PathBuf,
    public_key: PathBuf,
    fifo: PathBuf,
    password_file: PathBuf,
    wrong_password_file: PathBuf,
    latin1_password_file: PathBuf,
    /// A valid envelope for `files`' key whose plaintext is `"\xff"`.
    non_utf8_envelope: Vec<u8>,
}

/// `name` keeps the directories of tests running in parallel apart.
fn hostile(name: &str) -> Hostile {
    let files = files(name);
    let write = |name: &str, bytes: &[u8]| {
        let path = files.dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let ec = PKey::from_ec_key(
        openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let key_pem = std::fs::read(&files.key).unwrap();
    let key = PKey::private_key_from_pem(&key_pem).unwrap();
    let expired = mastercard_testkit::pki::certificate(
        &key,
        "expired",
        None,
        false,
        &[],
        mastercard_testkit::pki::Validity::EXPIRED,
    );
    let fifo = files.dir.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let cert = mastercard_keys::Certificate::from_file(&files.cert).unwrap();
    let token = mastercard_jwe::EncryptionConfig::builder()
        .encryption_key(
            mastercard_jwe::EncryptionKey::from_certificate(
                &cert,
                mastercard_keys::ValidityPolicy::IgnoreDates,
            )
            .unwrap(),
        )
        .build()
        .unwrap()
        .encrypt_compact(b"\"\xff\"")
        .unwrap();
    Hostile {
        p12: files.dir.join("key.p12"),
        ec_cert: write(
            "ec.pem",
            &mastercard_testkit::pki::self_signed(&ec, "ec")
                .to_pem()
                .unwrap(),
        ),
        expired_cert: write("expired.pem", &expired.to_pem().unwrap()),
        empty: write("empty.pem", b""),
        public_key: write("public.pem", &key.public_key_to_pem().unwrap()),
        fifo,
        password_file: write("password.txt", b"s3cret\n"),
        wrong_password_file: write("wrong.txt", b"n0pe-n0pe\r\n"),
        latin1_password_file: write("latin1.txt", b"caf\xe9\n"),
        non_utf8_envelope: format!(r#"{{"encryptedData":"{token}"}}"#).into_bytes(),
        files,
    }
}

/// One row: arguments (built from the inputs), stdin, and the words stderr must contain.
struct CliCase {
    name: &'static str,
    args: fn(&Hostile) -> Vec<std::ffi::OsString>,
    stdin: fn(&Hostile) -> Vec<u8>,
    says: &'static [&'static str],
}

fn args(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<std::ffi::OsString> {
    parts.iter().map(|part| part.as_ref().to_owned()).collect()
}

fn envelope_for(h: &Hostile) -> Vec<u8> {
    run(&["encrypt", "--cert"], &[&h.files.cert], br#"{"a":1}"#).stdout
}

const CLI_CASES: &[CliCase] = &[
    CliCase {
        name: "encrypt with empty stdin",
        args: |h| args(&[&"encrypt", &"--cert", &h.files.cert]),
        stdin: |_| Vec::new(),
        says: &["stdin is empty", "JSON to encrypt"],
    },
    CliCase {
        name: "encrypt with only whitespace on stdin",
        args: |h| args(&[&"encrypt", &"--cert", &h.files.cert]),
        stdin: |_| b" \n\t\n".to_vec(),
        says: &["stdin is empty"],
    },
    CliCase {
        name: "decrypt with empty stdin",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |_| Vec::new(),
        says: &["stdin is empty", "JWE to decrypt"],
    },
    CliCase {
        name: "decrypt a null encryptedData",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |_| br#"{"encryptedData":null}"#.to_vec(),
        says: &["null or empty", "no JWE to decrypt"],
    },
    CliCase {
        name: "decrypt an empty encryptedData",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |_| br#"{"encryptedData":""}"#.to_vec(),
        says: &["null or empty"],
    },
    CliCase {
        name: "encrypt a JSON string holding byte 0xFF",
        args: |h| args(&[&"encrypt", &"--cert", &h.files.cert]),
        stdin: |_| b"\"\xff\"".to_vec(),
        says: &["not UTF-8", "offset 1"],
    },
    CliCase {
        name: "decrypt a token whose plaintext is not UTF-8",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |h| h.non_utf8_envelope.clone(),
        says: &["decrypted plaintext is not UTF-8"],
    },
    CliCase {
        name: "decrypt input that is not UTF-8",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |_| b"{\"x\":\"\xc0\"}".to_vec(),
        says: &["the body is not UTF-8"],
    },
    CliCase {
        name: "encrypt JSON nested 200 deep at a field path",
        args: |h| args(&[&"encrypt", &"--path", &"$.a:$.b", &"--cert", &h.files.cert]),
        stdin: |_| [&b"{\"a\":"[..], &[b'['; 200], &[b']'; 200], b"}"].concat(),
        says: &["deeper than 128 levels"],
    },
    CliCase {
        name: "--cert /dev/zero",
        args: |_| args(&[&"encrypt", &"--cert", &"/dev/zero"]),
        stdin: |_| b"{}".to_vec(),
        says: &["/dev/zero is a character device", "regular file"],
    },
    CliCase {
        name: "--cert naming a FIFO (must not block)",
        args: |h| args(&[&"encrypt", &"--cert", &h.fifo]),
        stdin: |_| b"{}".to_vec(),
        says: &["FIFO"],
    },
    CliCase {
        name: "--key naming a directory",
        args: |h| args(&[&"decrypt", &"--key", &h.files.dir]),
        stdin: |_| b"{}".to_vec(),
        says: &["is a directory"],
    },
    CliCase {
        name: "--cert with an EC certificate",
        args: |h| args(&[&"encrypt", &"--cert", &h.ec_cert]),
        stdin: |_| b"{}".to_vec(),
        says: &["EC", "Mastercard encryption needs RSA"],
    },
    CliCase {
        name: "--cert with an expired certificate",
        args: |h| args(&[&"encrypt", &"--cert", &h.expired_cert]),
        stdin: |_| b"{}".to_vec(),
        says: &["expired on", "notAfter"],
    },
    CliCase {
        name: "--cert with an empty file",
        args: |h| args(&[&"encrypt", &"--cert", &h.empty]),
        stdin: |_| b"{}".to_vec(),
        says: &["this is empty, not a certificate"],
    },
    CliCase {
        name: "--key with a certificate",
        args: |h| args(&[&"decrypt", &"--key", &h.files.cert]),
        stdin: |h| envelope_for(h),
        says: &["this is an X.509 certificate, not a private key"],
    },
    CliCase {
        name: "--key with a public key",
        args: |h| args(&[&"decrypt", &"--key", &h.public_key]),
        stdin: |h| envelope_for(h),
        says: &["this is a public key, not a private key"],
    },
    CliCase {
        name: "--key with an empty file",
        args: |h| args(&[&"decrypt", &"--key", &h.empty]),
        stdin: |h| envelope_for(h),
        says: &["this is empty, not a private key"],
    },
    CliCase {
        name: "a PKCS#12 key without any password",
        args: |h| args(&[&"decrypt", &"--key", &h.p12]),
        stdin: |h| envelope_for(h),
        says: &["protected by a password", "none was given"],
    },
    CliCase {
        name: "a PKCS#12 key with a wrong password from a file",
        args: |h| {
            args(&[
                &"decrypt",
                &"--key-password-file",
                &h.wrong_password_file,
                &"--key",
                &h.p12,
            ])
        },
        stdin: |h| envelope_for(h),
        says: &["wrong PKCS#12 password"],
    },
    CliCase {
        name: "--key-password-file that does not exist",
        args: |h| {
            args(&[
                &"decrypt",
                &"--key-password-file",
                &h.files.dir.join("absent.txt"),
                &"--key",
                &h.p12,
            ])
        },
        stdin: |h| envelope_for(h),
        says: &["cannot read", "absent.txt"],
    },
    CliCase {
        name: "--key-password-file /dev/zero",
        args: |h| {
            args(&[
                &"decrypt",
                &"--key-password-file",
                &"/dev/zero",
                &"--key",
                &h.p12,
            ])
        },
        stdin: |h| envelope_for(h),
        says: &["character device"],
    },
    CliCase {
        name: "--key-password-file that is not UTF-8",
        args: |h| {
            args(&[
                &"decrypt",
                &"--key-password-file",
                &h.latin1_password_file,
                &"--key",
                &h.p12,
            ])
        },
        stdin: |h| envelope_for(h),
        says: &["not UTF-8"],
    },
    CliCase {
        name: "decrypt text that is not JSON",
        args: |h| args(&[&"decrypt", &"--key", &h.files.key]),
        stdin: |_| b"{oops".to_vec(),
        says: &["not valid JSON"],
    },
];

fn run_case(arguments: &[std::ffi::OsString], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard"));
    command.arg("jwe").args(arguments);
    command.env_remove("MASTERCARD_DECRYPTION_KEY_PASSWORD");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may exit before reading stdin (a refused key); a broken pipe is then expected.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn every_catalogued_bad_input_fails_with_one_clear_line() {
    let h = hostile("catalogue");
    let mut failures = Vec::new();
    for case in CLI_CASES {
        let output = run_case(&(case.args)(&h), &(case.stdin)(&h), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() != Some(1) {
            failures.push(format!("{}: exit {:?}: {stderr}", case.name, output.status));
        }
        if !output.stdout.is_empty() {
            failures.push(format!("{}: printed to stdout", case.name));
        }
        if stderr.lines().count() != 1 {
            failures.push(format!("{}: stderr is not one line: {stderr:?}", case.name));
        }
        for words in case.says {
            if !stderr.contains(words) {
                failures.push(format!("{}: {stderr:?} lacks {words:?}", case.name));
            }
        }
        for secret in ["s3cret", "n0pe-n0pe"] {
            if stderr.contains(secret) {
                failures.push(format!("{}: stderr shows a password", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_cli_catalogue_keeps_its_size() {
    assert!(CLI_CASES.len() >= 20, "{} cases", CLI_CASES.len());
}

/// The password reaches the key from a file or the environment (never the command line), and
/// the opt-out for test certificates works; the same inputs as the catalogue, done right.
#[test]
fn passwords_from_file_and_environment_and_test_certificate_opt_out() {
    let h = hostile("passwords");
    let envelope = envelope_for(&h);
    let from_file = run_case(
        &args(&[
            &"decrypt",
            &"--key-password-file",
            &h.password_file,
            &"--key-alias",
            &"my-alias",
            &"--key",
            &h.p12,
        ]),
        &envelope,
        &[],
    );
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );
    assert_eq!(from_file.stdout, b"{\"a\":1}\n");
    let from_env = run_case(
        &args(&[&"decrypt", &"--key", &h.p12]),
        &envelope,
        &[("MASTERCARD_DECRYPTION_KEY_PASSWORD", "s3cret")],
    );
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    assert_eq!(from_env.stdout, b"{\"a\":1}\n");
    // Both options at once is a usage error (clap's exit status 2).
    let both = run_case(
        &args(&[
            &"decrypt",
            &"--key-password",
            &"x",
            &"--key-password-file",
            &h.password_file,
            &"--key",
            &h.p12,
        ]),
        &envelope,
        &[],
    );
    assert_eq!(both.status.code(), Some(2));
    let help = run_case(&args(&[&"decrypt", &"--help"]), b"", &[]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--key-password-file") && help.contains("MASTERCARD_DECRYPTION_KEY_PASSWORD"),
        "{help}"
    );
    let expired = run_case(
        &args(&[
            &"encrypt",
            &"--ignore-cert-dates",
            &"--cert",
            &h.expired_cert,
        ]),
        b"{}",
        &[],
    );
    assert!(expired.status.success());
    // A fingerprint is computed for an expired certificate too.
    let fingerprint = run_case(
        &args(&[&"fingerprint", &"--cert", &h.expired_cert]),
        b"",
        &[],
    );
    assert_eq!(
        String::from_utf8(fingerprint.stdout).unwrap(),
        format!("{}\n", h.files.spki_sha256)
    );
}
