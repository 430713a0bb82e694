//! The README's main job, end to end against the embedded sandbox: the library walk step by
//! step, the binary as `cargo xtask demo` runs it, and the binary configured only through the
//! environment variables a user of Mastercard's sandbox would set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Command;

use mastercard_demo::{Outcome, Target, Trace, run};
use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{Sandbox, SandboxConfig};

const WALK: [&str; 13] = [
    "transactionSearch",
    "createClaim",
    "createRetrievalRequest",
    "createChargeback",
    "createChargeback",
    "createChargeback",
    "getClaimDetail",
    "createCaseFiling",
    "retrieveCaseFilingStatus",
    "getQueueSummary",
    "acknowledgeChargebacks",
    "getQueueSummary",
    "retrieveTransactionInsights",
];

/// Runs the demo binary, asserts it succeeded, and returns what it printed.
fn succeeds(mut command: Command) -> String {
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn the_walk_covers_the_lifecycle_and_the_guard_keeps_the_duplicate_off_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let target = Target::embedded(&sandbox).unwrap();
    let mut trace = Trace::silent();

    let report = run(&target, &mut trace).await.unwrap();

    let operations: Vec<_> = trace.steps().iter().map(|step| step.operation).collect();
    assert_eq!(operations, WALK);
    for (index, step) in trace.steps().iter().enumerate() {
        let expected = if index == 4 {
            Outcome::NotSent(
                "the same chargeback again, memo changed: refused by the dispute-event guard",
            )
        } else {
            Outcome::Status(200)
        };
        assert_eq!(step.outcome, expected, "step {index} {}", step.operation);
    }
    let lifecycle = &report.lifecycle;
    assert_eq!(lifecycle.clearing_transaction_id, "CLR-0000000002");
    assert_eq!(lifecycle.chargeback_ids.len(), 2);
    assert_ne!(lifecycle.chargeback_ids[0], lifecycle.chargeback_ids[1]);
    assert_eq!(lifecycle.final_queue.as_deref(), Some("Worked"));

    // The sandbox, like Mastercom, would have accepted the duplicate: it holds only two
    // chargeback events because the client never sent the third.
    let detail = target
        .mastercom
        .get_claim_detail(&lifecycle.claim_id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(detail.chargeback_details.len(), 2);
    assert_eq!(sandbox.claim_count(), 1);

    let insights = report.insights.unwrap();
    assert_eq!(
        insights.correlation_id.as_deref(),
        Some(insights.id.as_str())
    );
    assert!(insights.identity_risk_score.is_some());
    sandbox.shutdown().await;
}

#[test]
fn the_binary_starts_its_own_sandbox_and_prints_one_line_per_call() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard-demo"));
    command
        .args(["--against", "embedded"])
        .env_remove("MASTERCARD_CONSUMER_KEY");
    let stdout = succeeds(command);
    for operation in WALK {
        assert!(stdout.contains(operation), "{operation} missing:\n{stdout}");
    }
    assert!(stdout.contains("not sent  createChargeback"), "{stdout}");
    assert!(
        stdout.lines().last().unwrap().starts_with("done: 13 calls"),
        "{stdout}"
    );
}

/// The path a user with Mastercard sandbox credentials takes (`--against env`, clients from
/// `MastercomClient::from_env` and `IdentityInsightsClient::from_env`), pointed at a sandbox
/// started here: every variable is the documented one, only the values are local.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_from_environment_variables_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let credentials = sandbox.credentials.clone();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard-demo"));
    command
        // The default dispute-event ledger lives under the user's state folder; this run's
        // sandbox is new, so its ledger is too (a second run within 60 s would otherwise be
        // refused as the same claim on the same seeded transaction).
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("MASTERCARD_CONSUMER_KEY", &credentials.consumer_key)
        .env("MASTERCARD_SIGNING_KEY_PATH", &credentials.signing_p12)
        .env("MASTERCARD_SIGNING_KEY_ALIAS", PKCS12_ALIAS)
        .env("MASTERCARD_SIGNING_KEY_PASSWORD", PKCS12_PASSWORD)
        .env("MASTERCARD_ENVIRONMENT", &sandbox.mastercom_url)
        .env("MASTERCARD_CA_CERT", &credentials.ca_cert)
        .env("MASTERCARD_IIT_BASE_URL", &sandbox.iit_url)
        .env("MASTERCARD_IIT_CA_CERT", &credentials.ca_cert)
        .env("MASTERCARD_IIT_CLIENT_P12", &credentials.client_p12)
        .env("MASTERCARD_IIT_CLIENT_P12_ALIAS", PKCS12_ALIAS)
        .env("MASTERCARD_IIT_CLIENT_P12_PASSWORD", PKCS12_PASSWORD)
        .env(
            "MASTERCARD_IIT_ENCRYPTION_CERT",
            &credentials.jwe_server_cert,
        )
        .env("MASTERCARD_IIT_DECRYPTION_KEY", &credentials.jwe_client_p12)
        .env("MASTERCARD_IIT_DECRYPTION_KEY_ALIAS", PKCS12_ALIAS)
        .env("MASTERCARD_IIT_DECRYPTION_KEY_PASSWORD", PKCS12_PASSWORD);
    // Blocking wait on another thread: the sandbox serves on this test's runtime meanwhile.
    let stdout = tokio::task::spawn_blocking(move || succeeds(command))
        .await
        .unwrap();
    assert!(
        stdout.contains("(credentials from the environment)"),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().starts_with("done: 13 calls"),
        "{stdout}"
    );
    assert_eq!(sandbox.claim_count(), 1, "the calls reached this sandbox");
    sandbox.shutdown().await;
}

#[test]
fn unusable_environment_credentials_stop_the_demo_before_any_call() {
    let output = Command::new(env!("CARGO_BIN_EXE_mastercard-demo"))
        .env("MASTERCARD_CONSUMER_KEY", "consumer-key")
        .env("MASTERCARD_SIGNING_KEY_PATH", "/nonexistent/key.p12")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("mastercard-demo: cannot set up Mastercom client"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no call was traced");
}
