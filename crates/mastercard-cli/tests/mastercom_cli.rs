//! `mastercard mastercom <operation>` end to end: the binary, configured only through the
//! `MASTERCARD_*` variables, against the embedded sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use serde_json::{Value, json};

struct Cli {
    env: Vec<(&'static str, String)>,
}

impl Cli {
    fn new(sandbox: &RunningSandbox, ledger: &Path) -> Self {
        let credentials = &sandbox.credentials;
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        Self {
            env: vec![
                ("MASTERCARD_CONSUMER_KEY", credentials.consumer_key.clone()),
                (
                    "MASTERCARD_SIGNING_KEY_PATH",
                    path(&credentials.signing_p12),
                ),
                ("MASTERCARD_SIGNING_KEY_ALIAS", PKCS12_ALIAS.to_owned()),
                (
                    "MASTERCARD_SIGNING_KEY_PASSWORD",
                    PKCS12_PASSWORD.to_owned(),
                ),
                ("MASTERCARD_ENVIRONMENT", sandbox.mastercom_url.clone()),
                ("MASTERCARD_CA_CERT", path(&credentials.ca_cert)),
                ("MASTERCOM_LEDGER_PATH", path(ledger)),
            ],
        }
    }

    /// Runs `mastercard mastercom ARGS` with `stdin` (a body for `--body -`).
    async fn run(&self, args: &[&str], stdin: Option<Value>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard"));
        command
            .arg("mastercom")
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            let input = stdin.map(|body| body.to_string()).unwrap_or_default();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs and expects exit 0 and a JSON document on stdout.
    async fn ok(&self, args: &[&str], stdin: Option<Value>) -> Value {
        let output = self.run(args, stdin).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON: {e}"))
    }
}

#[tokio::test]
async fn operations_answer_json_and_failures_say_their_class_in_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    let health = cli.ok(&["healthcheck"], None).await;
    assert!(health.is_object(), "{health}");

    let body = dir.path().join("search.json");
    std::fs::write(
        &body,
        json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}).to_string(),
    )
    .unwrap();
    let found = cli
        .ok(
            &["transaction-search", "--body", body.to_str().unwrap()],
            None,
        )
        .await;
    // 30 days (the spec's longest range) around the seeded transaction of 2024-03-14.
    assert_eq!(found["authorizationSummaryCount"], "1", "{found}");
    let clearing = found["authorizationSummary"][0]["clearingSummary"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();

    // A body from stdin.
    let claim = cli
        .ok(
            &["create-claim", "--body", "-"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": clearing,
                "disputedAmount": "125.00", "disputedCurrency": "USD"}),
            ),
        )
        .await;
    let claim_id = claim["claimId"].as_str().unwrap().to_owned();
    let detail = cli
        .ok(&["get-claim-detail", "--claim-id", &claim_id], None)
        .await;
    assert_eq!(detail["claimId"], claim_id.as_str(), "{detail}");

    // A query parameter.
    let queue = cli
        .ok(&["get-queue-summary", "--queue-name", "Worked"], None)
        .await;
    assert!(queue.is_array(), "{queue}");

    // A chargeback, then the same dispute event again: the guard keeps it off the wire (4).
    let chargeback = json!({"amount": "100.00", "chargebackType": "CHARGEBACK", "currency": "USD",
        "documentIndicator": "false", "messageText": "first", "reasonCode": "4853"});
    let created = cli
        .ok(
            &["create-chargeback", "--claim-id", &claim_id, "--body", "-"],
            Some(chargeback.clone()),
        )
        .await;
    assert!(created["chargebackId"].is_string(), "{created}");
    let again = cli
        .run(
            &["create-chargeback", "--claim-id", &claim_id, "--body", "-"],
            Some(chargeback),
        )
        .await;
    assert_eq!(
        again.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(again.stdout.is_empty());
    let refused = String::from_utf8_lossy(&again.stderr);
    assert!(
        refused.contains("refused") && refused.contains("[not sent]"),
        "{refused}"
    );

    // Mastercard's rejection (404 for an unknown claim): 3, the error entry on stderr.
    let missing = cli
        .run(&["get-claim-detail", "--claim-id", "999999999999"], None)
        .await;
    assert_eq!(missing.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("404"), "{stderr}");

    // Usage errors: a missing parameter, a body that is not the request shape (2, not sent).
    let usage = cli.run(&["get-claim-detail"], None).await;
    assert_eq!(usage.status.code(), Some(2));
    let shape = cli
        .run(
            &["create-claim", "--body", "-"],
            Some(json!({"claimType": 7})),
        )
        .await;
    assert_eq!(
        shape.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&shape.stderr)
    );
    assert!(String::from_utf8_lossy(&shape.stderr).contains("request shape"));

    sandbox.shutdown().await;
}

#[test]
fn every_operation_has_a_subcommand() {
    let output = Command::new(env!("CARGO_BIN_EXE_mastercard"))
        .args(["mastercom", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for operation in mastercom::OPERATIONS {
        let kebab = operation.rust_name.replace('_', "-");
        assert!(
            help.lines().any(|line| line.trim() == kebab),
            "{kebab} missing from:\n{help}"
        );
    }
    assert_eq!(mastercom::DISPATCH_TABLE.len(), mastercom::OPERATIONS.len());
}
