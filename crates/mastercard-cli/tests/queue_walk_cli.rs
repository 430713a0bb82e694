//! `mastercard mastercom queue-walk` against a sandbox seeded with 4,500 claims over 4 days and
//! 10 more 6 days later: 2 windows, 3 + 1 pages, every claim once in one JSON array; progress on
//! a terminal's stderr only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::HashSet;

use mastercard_sandbox::{ClaimSeed, Sandbox, SandboxConfig};
use mastercom::workflows::Minute;
use support::Cli;

fn unix(text: &str) -> u64 {
    let minute: Minute = text.parse().unwrap();
    u64::try_from(minute.minutes_since_epoch() * 60).unwrap()
}

fn seed(count: usize, from: &str, to: &str) -> ClaimSeed {
    ClaimSeed {
        count,
        modified_from: unix(from),
        modified_to: unix(to),
    }
}

const WALK: [&str; 8] = [
    "mastercom",
    "queue-walk",
    "--queue-name",
    "Unworked",
    "--from",
    "2026-11-01T00:00",
    "--to",
    "2026-11-10T23:59",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_walk_prints_every_claim_once_with_progress_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()).with_seeded_claims(seed(
        4500,
        "2026-11-01T00:00",
        "2026-11-04T23:59",
    )))
    .await
    .unwrap();
    sandbox
        .seed_claims(&seed(10, "2026-11-08T01:00", "2026-11-08T02:00"))
        .unwrap();
    let cli = Cli::new(&sandbox, &dir.path().join("ledger.sqlite3"));

    let output = cli.run(&WALK, None).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        output.stderr.is_empty(),
        "no progress into a pipe: {stderr:?}"
    );
    let claims: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: HashSet<&str> = claims
        .iter()
        .map(|claim| claim["claimId"].as_str().unwrap())
        .collect();
    assert_eq!(claims.len(), 4510);
    assert_eq!(ids.len(), 4510, "every claim once");
    assert_eq!(
        sandbox.calls().count("getQueueSummaryPost"),
        4,
        "3 + 1 pages"
    );

    // A dry run is refused: the walk makes several calls.
    let mut dry = WALK.to_vec();
    dry.push("--dry-run");
    assert_eq!(cli.run(&dry, None).await.status.code(), Some(2));

    // Under a pseudo-terminal (util-linux `script`), the progress shows page by page.
    let Some(script) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("script"))
            .find(|candidate| candidate.is_file())
    }) else {
        // CI must run every case: there a missing `script` fails instead of skipping.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `script` (util-linux) is not on PATH: the terminal case cannot run"
        );
        eprintln!("`script` (util-linux) not found: the terminal case is not run");
        sandbox.shutdown().await;
        return;
    };
    let inner = format!(
        "{} {} >/dev/null",
        env!("CARGO_BIN_EXE_mastercard"),
        WALK.join(" ")
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
    for step in [
        "window 1/2, page 1/3, 2000 claims",
        "window 1/2, page 3/3, 4500 claims",
        "window 2/2, page 1/1, 4510 claims",
    ] {
        assert!(shown.contains(step), "{step}: {shown:?}");
    }
    sandbox.shutdown().await;
}
