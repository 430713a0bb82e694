//! The README's quick tour of the CLI, run as written (with `sh -e`) against the embedded
//! sandbox: `mastercard` on `PATH`, the sandbox's credentials in the `MASTERCARD_*` variables, a
//! claim in `CLAIM`, and a config file whose profile `sandbox` points at the sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use support::Cli;

const MARKER: &str = "<!-- cli-tour:";

/// The fenced `sh` block after the marker.
fn tour() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let after = &readme[readme.find(MARKER).expect("the README has the tour marker")..];
    let start = after.find("```sh\n").unwrap() + "```sh\n".len();
    let block = &after[start..];
    block[..block.find("\n```").unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_quick_tour_runs_as_written() {
    let script = tour();
    assert!(
        script
            .lines()
            .filter(|l| l.starts_with("mastercard "))
            .count()
            >= 7,
        "{script}"
    );
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path().join("sandbox")))
        .await
        .unwrap();
    let mut cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    let found = cli
        .ok(
            &["mastercom", "transaction-search", "--body", "-"],
            Some(json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}).to_string()),
        )
        .await;
    let clearing = found["authorizationSummary"][0]["clearingSummary"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let claim = cli
        .ok(
            &["mastercom", "create-claim", "--body", "-"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": clearing,
                "disputedAmount": "25.00", "disputedCurrency": "USD"})
                .to_string(),
            ),
        )
        .await["claimId"]
        .as_str()
        .unwrap()
        .to_owned();

    let config = dir.path().join("config.toml");
    std::fs::write(dir.path().join("password"), PKCS12_PASSWORD).unwrap();
    std::fs::write(
        &config,
        format!(
            "[profiles.sandbox]\nenvironment = {:?}\nconsumer_key = {:?}\nsigning_key_path = {:?}\n\
             signing_key_alias = {PKCS12_ALIAS:?}\nsigning_key_password_file = \"password\"\n",
            sandbox.mastercom_url,
            sandbox.credentials.consumer_key,
            sandbox.credentials.signing_p12.to_str().unwrap(),
        ),
    )
    .unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mastercard"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cli.env.push(("PATH".to_owned(), path));
    cli.env.push(("CLAIM".to_owned(), claim));
    cli.env.push((
        "MASTERCARD_CONFIG".to_owned(),
        config.to_str().unwrap().to_owned(),
    ));

    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let command = cli.command(&[]);
    let mut sh = std::process::Command::new("sh");
    sh.args(["-e", "-c", &script]).current_dir(&work).envs(
        command
            .get_envs()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
    );
    let output = tokio::task::spawn_blocking(move || sh.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("\"chargebackId\""), "{stdout}");
    assert!(
        stdout.contains("exit 4") && stdout.contains("exit 2"),
        "{stdout}"
    );
    assert!(stderr.contains("dispute-event-guard refused"), "{stderr}");
    assert!(
        stderr.contains("mastercard mastercom create-chargeback"),
        "{stderr}"
    );
    assert_eq!(
        stdout.matches("# signature base string").count(),
        2,
        "{stdout}"
    );
    // One chargeback reached the sandbox: the refused, look-alike and dry-run ones did not.
    assert_eq!(sandbox.calls().count("createChargeback"), 1);
    sandbox.shutdown().await;
}
