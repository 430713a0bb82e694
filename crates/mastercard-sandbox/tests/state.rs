//! What a state directory holds across restarts: its own consumer key, the nonces already seen
//! (with persistence), and start-up errors that name the file at fault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use mastercard_oauth1::Request;
use mastercard_sandbox::pki::CONSUMER_KEY_LEN;
use mastercard_sandbox::{Credentials, Sandbox, SandboxConfig};

fn assert_mastercard_shaped(key: &str) {
    assert_eq!(key.len(), CONSUMER_KEY_LEN, "{key}");
    let (random, id) = key.split_once('!').unwrap();
    assert_eq!(random.len(), 48, "{key}");
    assert!(
        random
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{key}"
    );
    assert_eq!(id.len(), 48, "{key}");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{key}"
    );
}

#[test]
fn each_state_directory_gets_its_own_consumer_key_and_keeps_it() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let a = Credentials::ensure(first.path()).unwrap();
    let b = Credentials::ensure(second.path()).unwrap();
    assert_mastercard_shaped(&a.consumer_key);
    assert_mastercard_shaped(&b.consumer_key);
    assert_ne!(a.consumer_key, b.consumer_key);
    let again = Credentials::ensure(first.path()).unwrap();
    assert_eq!(again.consumer_key, a.consumer_key);
    assert_eq!(
        std::fs::read_to_string(&a.consumer_key_file).unwrap(),
        a.consumer_key
    );
}

#[tokio::test]
async fn with_persistence_a_request_accepted_before_a_restart_is_a_replay_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()).with_persistence(true))
        .await
        .unwrap();
    let port = sandbox.mastercom_addr.port();
    let creds = sandbox.credentials.clone();
    let url = format!("{}/v6/healthcheck", sandbox.mastercom_url);
    let auth = support::signer(&creds)
        .sign(&Request::new("GET", &url, b""))
        .unwrap()
        .authorization;
    // A new client per request: no pooled connection outlives the first sandbox.
    let send = |auth: String| {
        let request = support::http_client(&creds, None)
            .get(&url)
            .header("Authorization", auth);
        async move {
            let reply = request.send().await.unwrap();
            let status = reply.status().as_u16();
            (status, reply.text().await.unwrap())
        }
    };
    assert_eq!(send(auth.clone()).await.0, 200);
    sandbox.shutdown().await;

    // Same state directory and port (the signature covers the URL): the very same request.
    let mut config = SandboxConfig::new(dir.path()).with_persistence(true);
    config.mastercom_port = port;
    let sandbox = Sandbox::start(config).await.unwrap();
    let (status, body) = send(auth).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("REPLAYED_NONCE"), "{body}");
    // A freshly signed one is fine.
    let fresh = support::signer(&creds)
        .sign(&Request::new("GET", &url, b""))
        .unwrap()
        .authorization;
    assert_eq!(send(fresh).await.0, 200);
    sandbox.shutdown().await;
}

/// A complete state directory to break one file of.
fn state_copy(template: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(template).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

#[tokio::test]
async fn start_up_errors_name_the_file_at_fault() {
    let template = tempfile::tempdir().unwrap();
    Credentials::ensure(template.path()).unwrap();
    let garbage = template.path().join("garbage.pem");
    std::fs::write(&garbage, b"-----BEGIN CERTIFICATE-----\nnot base64\n").unwrap();

    type Breaker = fn(&Path, &Path, SandboxConfig) -> SandboxConfig;
    let cases: &[(&str, Breaker)] = &[
        ("server.pem", |dir, _, c| {
            std::fs::write(dir.join("server.pem"), b"garbage").unwrap();
            c
        }),
        ("server-key.pem", |dir, _, c| {
            std::fs::write(dir.join("server-key.pem"), b"garbage").unwrap();
            c
        }),
        ("oauth1-consumer-key.txt", |dir, _, c| {
            std::fs::write(dir.join("oauth1-consumer-key.txt"), b"two words\n").unwrap();
            c
        }),
        ("sandbox.sqlite", |dir, _, c| {
            std::fs::write(dir.join("sandbox.sqlite"), vec![0x5a; 4096]).unwrap();
            c.with_persistence(true)
        }),
        ("garbage.pem", |_, garbage, mut c| {
            c.trust.oauth1_public_key = Some(garbage.to_path_buf());
            c
        }),
        ("garbage.pem", |_, garbage, mut c| {
            c.trust.client_ca = Some(garbage.to_path_buf());
            c
        }),
        ("garbage.pem", |_, garbage, mut c| {
            c.trust.jwe_client_cert = Some(garbage.to_path_buf());
            c
        }),
    ];
    for (index, (file, breaker)) in cases.iter().enumerate() {
        let dir = state_copy(template.path());
        let config = breaker(dir.path(), &garbage, SandboxConfig::new(dir.path()));
        let error = match Sandbox::start(config).await {
            Ok(sandbox) => {
                sandbox.shutdown().await;
                panic!("case {index} ({file}) started");
            }
            Err(error) => error.to_string(),
        };
        println!("case {index}: {error}");
        assert!(error.contains(file), "case {index}: {error}");
    }

    // The binary prints the same, and fails.
    let dir = state_copy(template.path());
    std::fs::write(dir.path().join("server.pem"), b"garbage").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mastercard-sandbox"))
        .args(["--state-dir", dir.path().to_str().unwrap()])
        .args(["--mastercom-port", "0", "--iit-port", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("server.pem"), "{stderr}");
}
