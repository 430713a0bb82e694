//! Start-up errors name the file at fault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use mastercard_sandbox::{Credentials, Sandbox, SandboxConfig};

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
