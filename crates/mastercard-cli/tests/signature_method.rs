//! `MASTERCARD_SIGNATURE_METHOD` (or a profile's `signature_method`) reaches the client of
//! `mastercard mastercom`: a dry run shows `RSA-PSS` in the signed header, the embedded sandbox
//! (which verifies every signature) accepts the real call, and an unknown method is refused
//! before anything is sent, naming the variable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_sandbox::{Sandbox, SandboxConfig};
use support::{Cli, total_calls};

/// The `oauth_signature_method` of a dry run's signed header.
fn dry_run_method(stdout: &[u8]) -> String {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    let authorization = text
        .lines()
        .find_map(|line| line.strip_prefix("authorization: "))
        .unwrap_or_else(|| panic!("no authorization line in {text}"));
    mastercard_oauth1::AuthorizationHeader::parse(authorization)
        .unwrap()
        .signature_method
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signature_method_comes_from_the_environment_or_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let mut cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    // Default: RSA-SHA256.
    let output = cli
        .run(&["mastercom", "--dry-run", "get-queues"], None)
        .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(dry_run_method(&output.stdout), "RSA-SHA256");

    // From the environment: the dry run shows it, and the sandbox verifies the real call.
    cli.env.push((
        "MASTERCARD_SIGNATURE_METHOD".to_owned(),
        "RSA-PSS".to_owned(),
    ));
    let output = cli
        .run(&["mastercom", "--dry-run", "get-queues"], None)
        .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(dry_run_method(&output.stdout), "RSA-PSS");
    let before = total_calls(&sandbox);
    let health = cli.ok(&["mastercom", "healthcheck"], None).await;
    assert_eq!(health["status"], "UP", "{health}");
    assert_eq!(total_calls(&sandbox), before + 1);

    // From a profile, when the environment does not say.
    cli.env
        .retain(|(name, _)| name != "MASTERCARD_SIGNATURE_METHOD");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.pss]\nsignature_method = \"RSA-PSS\"\n").unwrap();
    cli.env.push((
        "MASTERCARD_CONFIG".to_owned(),
        config.to_str().unwrap().to_owned(),
    ));
    let output = cli
        .run(
            &["mastercom", "--profile", "pss", "--dry-run", "get-queues"],
            None,
        )
        .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(dry_run_method(&output.stdout), "RSA-PSS");

    // An unknown method: refused before sending (exit 4), naming the variable.
    cli.env.push((
        "MASTERCARD_SIGNATURE_METHOD".to_owned(),
        "HMAC-SHA1".to_owned(),
    ));
    let before = total_calls(&sandbox);
    let output = cli.run(&["mastercom", "healthcheck"], None).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("MASTERCARD_SIGNATURE_METHOD"), "{stderr}");
    assert_eq!(total_calls(&sandbox), before);
    sandbox.shutdown().await;
}
