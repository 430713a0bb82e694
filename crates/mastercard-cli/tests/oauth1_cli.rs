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
    run_with(args, &[], None)
}

/// Runs the binary with only the given `MASTERCARD_SIGNING_KEY_PASSWORD` (if any) and stdin.
fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    use std::io::Write as _;
    let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard"));
    command
        .args(args)
        .env_remove("MASTERCARD_SIGNING_KEY_PASSWORD")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
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

const PASSWORD: &str = "correct horse battery staple";

/// An encrypted PKCS#8 key file, its password in a file (with a trailing newline) and the
/// matching public key.
struct EncryptedKey {
    dir: PathBuf,
    key: PathBuf,
    password_file: PathBuf,
    public: mastercard_keys::PublicKey,
}

fn encrypted_key(name: &str) -> EncryptedKey {
    let f = fixture(name);
    let key = f.dir.join("encrypted.pem");
    let pem = f
        .key
        .pkey()
        .private_key_to_pem_pkcs8_passphrase(
            openssl::symm::Cipher::aes_256_cbc(),
            PASSWORD.as_bytes(),
        )
        .unwrap();
    std::fs::write(&key, pem).unwrap();
    let password_file = f.dir.join("password.txt");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    EncryptedKey {
        public: mastercard_keys::PublicKey::from_private_key(&f.key).unwrap(),
        dir: f.dir,
        key,
        password_file,
    }
}

#[test]
fn the_key_password_comes_from_a_file_the_environment_or_stdin() {
    let k = encrypted_key("password");
    let key = k.key.to_str().unwrap();
    let base = [
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
    ];
    let check = |output: Output| {
        let header = stdout(&output);
        Verifier::new(k.public.clone())
            .verify(&Request::new("GET", URL, b""), header.trim_end())
            .unwrap();
    };
    let mut from_file = base.to_vec();
    from_file.extend(["--key-password-file", k.password_file.to_str().unwrap()]);
    check(run(&from_file));
    check(run_with(
        &base,
        &[("MASTERCARD_SIGNING_KEY_PASSWORD", PASSWORD)],
        None,
    ));
    let mut from_stdin = base.to_vec();
    from_stdin.extend(["--key-password-file", "-"]);
    check(run_with(
        &from_stdin,
        &[],
        Some(format!("{PASSWORD}\r\n").as_bytes()),
    ));
    // The file wins over the environment.
    check(run_with(
        &from_file,
        &[("MASTERCARD_SIGNING_KEY_PASSWORD", "wrong")],
        None,
    ));
    let help = run(&["oauth1", "sign", "--help"]);
    let help = stdout(&help);
    assert!(
        help.contains("--key-password-file") && help.contains("MASTERCARD_SIGNING_KEY_PASSWORD")
    );
    std::fs::remove_dir_all(&k.dir).ok();
}

#[test]
fn compare_names_the_difference_and_sets_the_exit_status() {
    let f = fixture("compare");
    let signer = Signer::new("abc-abc-abc!123", f.key.clone()).unwrap();
    let params = SigningParams {
        timestamp: 1_700_000_000,
        nonce: "kbQ3tMrmHSfdSpEC".into(),
    };
    let ours = signer
        .sign_with(&Request::new("GET", URL, b""), &params)
        .unwrap()
        .base_string;
    // What a proxy that re-encodes `*` would make the gateway see.
    let theirs = signer
        .sign_with(
            &Request::new("GET", &URL.replace("%2a", "%2A"), b""),
            &params,
        )
        .unwrap()
        .base_string
        .replace("b%3D%252A", "b%3D%252B");
    let ours_file = f.dir.join("ours.txt");
    let theirs_file = f.dir.join("theirs.json");
    std::fs::write(&ours_file, format!("{ours}\n")).unwrap();
    std::fs::write(
        &theirs_file,
        format!(
            r#"{{"Errors":{{"Error":[{{"Source":"Gateway","ReasonCode":"AUTHENTICATION_FAILED","Description":"OAuth signatures did not match. Acceptable signature base string: {theirs}"}}]}}}}"#
        ),
    )
    .unwrap();
    let ours_path = ours_file.to_str().unwrap();
    let differ = run(&[
        "oauth1",
        "compare",
        "--ours",
        ours_path,
        "--theirs",
        theirs_file.to_str().unwrap(),
    ]);
    assert_eq!(differ.status.code(), Some(1));
    let text = String::from_utf8(differ.stdout).unwrap();
    assert!(text.contains("query parameter \"b\""), "{text}");
    let same = run_with(
        &["oauth1", "compare", "--ours", ours_path, "--theirs", "-"],
        &[],
        Some(ours.as_bytes()),
    );
    assert_eq!(same.status.code(), Some(0));
    assert!(
        String::from_utf8(same.stdout)
            .unwrap()
            .contains("identical")
    );
    std::fs::remove_dir_all(&f.dir).ok();
}

/// One row of the CLI's bad-input catalogue.
struct CliCase {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
    stdin: Option<Vec<u8>>,
    status: i32,
    says: &'static str,
    never: &'static [&'static str],
}

#[test]
fn bad_input_catalogue() {
    let k = encrypted_key("catalogue");
    let dir = k.dir.clone();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let key = k.key.to_str().unwrap().to_owned();
    let plain_key = {
        let f = fixture("catalogue-plain");
        f.key_pem.to_str().unwrap().to_owned()
    };
    let wrong_password = write("wrong.txt", b"not it\n");
    let latin1_password = write("latin1.txt", b"caf\xe9\n");
    let huge_password = write("huge.txt", &vec![b'p'; 5000]);
    let garbage_key = write("garbage.pem", b"-----BEGIN NOTHING-----\nxx\n");
    let good_sbs = "GET&https%3A%2F%2Fh%2F&a%3D1%26oauth_body_hash%3Dx";
    let ours = write("ours.txt", good_sbs.as_bytes());
    let latin1_sbs = write("latin1.txt.sbs", b"GET&https%3A%2F%2Fh%2F&a%3D\xe9");
    let not_sbs = write("not.txt", b"hello world");
    let html = write("error.html", b"<html><body>401 Unauthorized</body></html>");
    let missing = dir.join("missing").to_str().unwrap().to_owned();

    let sign = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec!["oauth1".into(), "sign".into()];
        let defaults = [
            ("--method", "GET"),
            ("--consumer-key", "ck"),
            ("--url", URL),
            ("--signing-key", plain_key.as_str()),
        ];
        for (option, value) in defaults {
            if !extra.contains(&option) {
                args.extend([option.to_owned(), value.to_owned()]);
            }
        }
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        args
    };
    let compare = |ours: &str, theirs: &str| -> Vec<String> {
        ["oauth1", "compare", "--ours", ours, "--theirs", theirs]
            .iter()
            .map(|arg| (*arg).to_owned())
            .collect()
    };
    let case = |name, args, status, says| CliCase {
        name,
        args,
        env: Vec::new(),
        stdin: None,
        status,
        says,
        never: &[],
    };
    let cases = vec![
        case(
            "relative URL",
            sign(&["--url", "/relative"]),
            1,
            "not absolute",
        ),
        case("ftp URL", sign(&["--url", "ftp://h/x"]), 1, "http or https"),
        case(
            "space in URL",
            sign(&["--url", "https://h/a b"]),
            1,
            "whitespace",
        ),
        case(
            "unclosed IPv6 bracket",
            sign(&["--url", "https://[::1/x"]),
            1,
            "no closing ']'",
        ),
        case(
            "port 99999",
            sign(&["--url", "https://h:99999/x"]),
            1,
            "1-65535",
        ),
        case(
            "non-ASCII host",
            sign(&["--url", "https://bücher.example/"]),
            1,
            "xn--",
        ),
        CliCase {
            never: &["s3cr3t"],
            ..case(
                "user info in URL",
                sign(&["--url", "https://bob:s3cr3t@h/x"]),
                1,
                "user info",
            )
        },
        case(
            "escape that is not UTF-8",
            sign(&["--url", "https://h/x?x=%FF"]),
            1,
            "UTF-8",
        ),
        case(
            "stray % in query",
            sign(&["--url", "https://h/x?q=5%"]),
            1,
            "%25",
        ),
        case(
            "reserved query parameter",
            sign(&["--url", "https://h/x?oauth_nonce=1"]),
            1,
            "collides",
        ),
        case(
            "invalid method",
            sign(&["--method", "GE T"]),
            1,
            "invalid HTTP method",
        ),
        case(
            "consumer key with a space",
            sign(&["--consumer-key", "a b"]),
            1,
            "invalid consumer key",
        ),
        case(
            "nonce with a quote",
            sign(&["--nonce", "a\"b"]),
            1,
            "invalid nonce",
        ),
        case(
            "timestamp 0",
            sign(&["--timestamp", "0"]),
            1,
            "invalid timestamp",
        ),
        case(
            "timestamp not a number",
            sign(&["--timestamp", "soon"]),
            2,
            "invalid value",
        ),
        case(
            "unknown signature method",
            sign(&["--signature-method", "HMAC-SHA1"]),
            2,
            "HMAC-SHA1",
        ),
        case(
            "missing signing key file",
            sign(&["--signing-key", &missing]),
            1,
            "missing",
        ),
        case(
            "garbage signing key",
            sign(&["--signing-key", &garbage_key]),
            1,
            "garbage.pem",
        ),
        case(
            "missing body file",
            sign(&["--body-file", &missing]),
            1,
            "cannot read body file",
        ),
        case(
            "encrypted key without a password",
            sign(&["--signing-key", &key]),
            1,
            "password",
        ),
        CliCase {
            never: &["not it"],
            ..case(
                "wrong password from a file",
                sign(&[
                    "--signing-key",
                    &key,
                    "--key-password-file",
                    &wrong_password,
                ]),
                1,
                "password",
            )
        },
        CliCase {
            env: vec![("MASTERCARD_SIGNING_KEY_PASSWORD", "env-wrong-pw")],
            never: &["env-wrong-pw"],
            ..case(
                "wrong password from the environment",
                sign(&["--signing-key", &key]),
                1,
                "password",
            )
        },
        case(
            "missing password file",
            sign(&["--signing-key", &key, "--key-password-file", &missing]),
            1,
            "cannot read password file",
        ),
        case(
            "password file not UTF-8",
            sign(&[
                "--signing-key",
                &key,
                "--key-password-file",
                &latin1_password,
            ]),
            1,
            "not valid UTF-8",
        ),
        case(
            "password file over 4 KiB",
            sign(&["--signing-key", &key, "--key-password-file", &huge_password]),
            1,
            "larger than 4096",
        ),
        CliCase {
            never: &["flag-pw"],
            ..case(
                "both password options",
                sign(&[
                    "--key-password",
                    "flag-pw",
                    "--key-password-file",
                    &wrong_password,
                ]),
                2,
                "cannot be used with",
            )
        },
        case(
            "compare: missing --ours file",
            compare(&missing, &ours),
            2,
            "cannot read --ours file",
        ),
        case(
            "compare: missing --theirs file",
            compare(&ours, &missing),
            2,
            "cannot read --theirs file",
        ),
        case(
            "compare: ours not UTF-8",
            compare(&latin1_sbs, &ours),
            2,
            "not valid UTF-8",
        ),
        case(
            "compare: theirs not a base string",
            compare(&ours, &not_sbs),
            2,
            "not a signature base string",
        ),
        case(
            "compare: an HTML error page",
            compare(&ours, &html),
            2,
            "the gateway's base string is not",
        ),
        CliCase {
            stdin: Some(Vec::new()),
            ..case(
                "compare: empty stdin",
                compare(&ours, "-"),
                2,
                "not a signature base string",
            )
        },
        case(
            "compare: no --theirs",
            vec![
                "oauth1".into(),
                "compare".into(),
                "--ours".into(),
                ours.clone(),
            ],
            2,
            "--theirs",
        ),
        case(
            "unknown subcommand",
            vec!["oauth1".into(), "verify".into()],
            2,
            "unrecognized subcommand",
        ),
    ];
    for case in &cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let output = run_with(&args, &case.env, case.stdin.as_deref());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(case.status),
            "{}: {stderr}",
            case.name
        );
        assert!(
            output.stdout.is_empty(),
            "{}: printed {:?}",
            case.name,
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(
            stderr.contains(case.says),
            "{}: {stderr:?} lacks {:?}",
            case.name,
            case.says
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        for secret in case.never {
            assert!(
                !stderr.contains(secret),
                "{}: {stderr:?} shows {secret:?}",
                case.name
            );
        }
    }
    assert!(cases.len() >= 30, "CLI catalogue: {} cases", cases.len());
    println!("catalogue: CLI {} cases", cases.len());
    std::fs::remove_dir_all(&k.dir).ok();
}
