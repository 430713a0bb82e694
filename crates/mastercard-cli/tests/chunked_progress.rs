//! The list operations with a per-call limit run in chunks from the CLI (250 acknowledgements:
//! 3 calls of at most 100), merged into one answer; progress goes to stderr only when stderr
//! is a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use support::Cli;

fn acknowledgements(count: usize) -> String {
    let list: Vec<_> = (0..count)
        .map(|i| json!({"claimId": format!("{:012}", 100_000 + i), "chargebackId": format!("{}", 500_000 + i)}))
        .collect();
    json!({ "chargebackList": list }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_are_chunked_and_piped_stderr_has_no_progress() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    let output = cli
        .run(
            &["mastercom", "acknowledge-chargebacks", "--body", "-"],
            Some(acknowledgements(250)),
        )
        .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        output.stderr.is_empty(),
        "no progress into a pipe: {stderr:?}"
    );
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        answer["chargebackResponseList"].as_array().unwrap().len(),
        250,
        "{answer}"
    );
    assert_eq!(sandbox.calls().count("acknowledgeChargebacks"), 3);

    // With stderr on a terminal (a pseudo-terminal from util-linux `script`), progress shows.
    let Ok(script) = which("script") else {
        // CI must run every case: there a missing `script` fails instead of skipping.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `script` (util-linux) is not on PATH: the terminal case cannot run"
        );
        eprintln!("`script` (util-linux) not found: the terminal case is not run");
        sandbox.shutdown().await;
        return;
    };
    let body = dir.path().join("acks.json");
    std::fs::write(&body, acknowledgements(250)).unwrap();
    let inner = format!(
        "{} mastercom acknowledge-chargebacks --body {} >/dev/null",
        env!("CARGO_BIN_EXE_mastercard"),
        body.display()
    );
    let command = cli.command(&[]);
    let mut script_command = std::process::Command::new(script);
    script_command
        .args(["-qec", &inner, "/dev/null"])
        .envs(
            command
                .get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .stdin(std::process::Stdio::null());
    let output = tokio::task::spawn_blocking(move || script_command.output().unwrap())
        .await
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{shown}");
    for step in ["100/250", "200/250", "250/250"] {
        assert!(
            shown.contains(&format!("acknowledge-chargebacks: {step} items")),
            "{shown:?}"
        );
    }
    assert_eq!(sandbox.calls().count("acknowledgeChargebacks"), 6);
    sandbox.shutdown().await;
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or(())
}
