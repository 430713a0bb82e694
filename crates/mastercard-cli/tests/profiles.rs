//! `--profile`: the config file's profiles, their precedence (flags > environment > profile,
//! key by key), and typed errors naming the file and the key. `--dry-run` shows which value won
//! (the URL, the consumer key in the signed header) without sending anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use support::{Cli, total_calls};

fn profile(name: &str, sandbox: &RunningSandbox, environment: &str, consumer_key: &str) -> String {
    let credentials = &sandbox.credentials;
    format!(
        "[profiles.{name}]\nenvironment = {environment:?}\nconsumer_key = {consumer_key:?}\n\
         signing_key_path = {:?}\nsigning_key_alias = {PKCS12_ALIAS:?}\n\
         signing_key_password_file = \"password.txt\"\nca_cert = {:?}\nledger_path = \"ledger.sqlite3\"\n",
        credentials.signing_p12.to_str().unwrap(),
        credentials.ca_cert.to_str().unwrap(),
    )
}

fn cli(env: &[(&str, &str)]) -> Cli {
    Cli {
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// The URL line and the `oauth_consumer_key` of a dry run's output.
fn dry_run_target(stdout: &[u8]) -> (String, String) {
    let text = String::from_utf8(stdout.to_vec()).unwrap();
    let url = text
        .lines()
        .next()
        .unwrap()
        .split_once(' ')
        .unwrap()
        .1
        .to_owned();
    let authorization = text
        .lines()
        .find_map(|line| line.strip_prefix("authorization: "))
        .unwrap();
    let header = mastercard_oauth1::AuthorizationHeader::parse(authorization).unwrap();
    (url, header.consumer_key)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_configure_the_client_and_flags_then_environment_take_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let config_dir = dir.path().join("config");
    let config = config_dir.join("config.toml");
    write(
        &config_dir.join("password.txt"),
        &format!("{PKCS12_PASSWORD}\n"),
    );
    let real = &sandbox.credentials.consumer_key;
    write(
        &config,
        &format!(
            "{}\n{}",
            profile("real", &sandbox, &sandbox.mastercom_url, real),
            profile(
                "layered",
                &sandbox,
                "http://127.0.0.1:9/from-profile",
                "profile-key"
            ),
        ),
    );
    let config_str = config.to_str().unwrap();

    // A profile alone (no MASTERCARD_* variable but the file's location) reaches the sandbox.
    let only = cli(&[("MASTERCARD_CONFIG", config_str)]);
    let health = only
        .ok(&["mastercom", "--profile", "real", "healthcheck"], None)
        .await;
    assert_eq!(health["status"], "UP", "{health}");
    let queues = only
        .ok(
            &["api", "GET", "/v6/queues/names", "--profile", "real"],
            None,
        )
        .await;
    assert!(queues.is_array(), "{queues}");
    // The relative ledger_path is the config folder's.
    assert!(config_dir.join("ledger.sqlite3").exists());
    let calls = total_calls(&sandbox);

    // Precedence, key by key, shown by dry runs.
    let dry = [
        "mastercom",
        "--profile",
        "layered",
        "--dry-run",
        "get-queues",
    ];
    let output = only.run(&dry, None).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        dry_run_target(&output.stdout),
        (
            "http://127.0.0.1:9/from-profile/v6/queues/names".to_owned(),
            "profile-key".to_owned()
        )
    );

    let env = cli(&[
        ("MASTERCARD_CONFIG", config_str),
        ("MASTERCARD_ENVIRONMENT", "http://127.0.0.1:9/from-env"),
    ]);
    let output = env.run(&dry, None).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        dry_run_target(&output.stdout),
        (
            "http://127.0.0.1:9/from-env/v6/queues/names".to_owned(),
            "profile-key".to_owned()
        )
    );

    let both = cli(&[
        ("MASTERCARD_CONFIG", config_str),
        ("MASTERCARD_ENVIRONMENT", "http://127.0.0.1:9/from-env"),
        ("MASTERCARD_CONSUMER_KEY", "env-key"),
    ]);
    let mut args = dry.to_vec();
    args.extend(["--environment", "http://127.0.0.1:9/from-flag"]);
    let output = both.run(&args, None).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        dry_run_target(&output.stdout),
        (
            "http://127.0.0.1:9/from-flag/v6/queues/names".to_owned(),
            "env-key".to_owned()
        )
    );
    args.extend(["--consumer-key", "flag-key"]);
    let output = both.run(&args, None).await;
    assert_eq!(dry_run_target(&output.stdout).1, "flag-key");
    assert_eq!(total_calls(&sandbox), calls, "dry runs send nothing");

    // Without MASTERCARD_CONFIG: $XDG_CONFIG_HOME/mastercard/config.toml.
    let xdg = dir.path().join("xdg");
    write(
        &xdg.join("mastercard/config.toml"),
        &profile("x", &sandbox, "http://127.0.0.1:9/from-xdg", "xdg-key").replace(
            "password.txt",
            config_dir.join("password.txt").to_str().unwrap(),
        ),
    );
    let output = cli(&[("XDG_CONFIG_HOME", xdg.to_str().unwrap())])
        .run(
            &[
                "api",
                "GET",
                "/v6/healthcheck",
                "--profile",
                "x",
                "--dry-run",
            ],
            None,
        )
        .await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(dry_run_target(&output.stdout).1, "xdg-key");
    sandbox.shutdown().await;
}

#[test]
fn config_errors_name_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let config_str = config.to_str().unwrap().to_owned();
    let run = |text: &str, profile: &str| {
        std::fs::write(&config, text).unwrap();
        let output = cli(&[("MASTERCARD_CONFIG", &config_str)])
            .command(&["mastercom", "--profile", profile, "get-queues"])
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };

    let (code, stderr) = run(
        "[profiles.p]\nconsumer_key = \"k\"\nsigning_key_password = \"hunter2\"\n",
        "p",
    );
    assert_eq!(code, Some(4));
    assert!(
        stderr.contains(&config_str) && stderr.contains("signing_key_password"),
        "{stderr}"
    );
    assert!(stderr.contains("password literal is refused"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");

    let (code, stderr) = run("[profiles.p]\nconsumer_kee = \"k\"\n", "p");
    assert_eq!(code, Some(4));
    assert!(
        stderr.contains(&config_str) && stderr.contains("consumer_kee: unknown key"),
        "{stderr}"
    );

    let (_, stderr) = run("[profiles.a]\n[profiles.b]\n", "c");
    assert!(
        stderr.contains("no [profiles.c] (profiles: a, b)"),
        "{stderr}"
    );

    let (_, stderr) = run(
        "[profiles.p]\nledger_url = \"postgres://u:secret@db/x\"\n",
        "p",
    );
    assert!(
        stderr.contains("ledger_url: the URL carries a password"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");

    let (_, stderr) = run(
        "[profiles.p]\nsigning_key_path = \"missing.p12\"\nconsumer_key = \"k\"\n",
        "p",
    );
    assert!(
        stderr.contains(&format!(
            "{config_str} [profiles.p] signing_key_path: the file cannot be read"
        )),
        "{stderr}"
    );

    let (_, stderr) = run("[profiles.p\n", "p");
    assert!(
        stderr.contains(&config_str) && stderr.contains("not valid TOML"),
        "{stderr}"
    );
}
