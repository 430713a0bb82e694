//! The `mastercard` binary against the embedded sandbox, configured only through the
//! `MASTERCARD_*` variables.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use mastercard_sandbox::RunningSandbox;
use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use serde_json::Value;

/// Runs the binary with the sandbox's credentials in its environment (and nothing else of the
/// test's own `MASTERCARD_*`/`MASTERCOM_*` variables).
pub struct Cli {
    pub env: Vec<(String, String)>,
}

impl Cli {
    pub fn new(sandbox: &RunningSandbox, ledger: &Path) -> Self {
        let credentials = &sandbox.credentials;
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        let env = [
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
        ];
        Self {
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// The command, with a clean `MASTERCARD_*` environment plus this one.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mastercard"));
        for (name, _) in std::env::vars() {
            if name.starts_with("MASTERCARD_") || name.starts_with("MASTERCOM_") {
                command.env_remove(name);
            }
        }
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `mastercard ARGS` with `stdin`, off the async runtime's threads.
    pub async fn run(&self, args: &[&str], stdin: Option<String>) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            let input = stdin.unwrap_or_default();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    /// Runs and expects exit 0 and a JSON document on stdout.
    pub async fn ok(&self, args: &[&str], stdin: Option<String>) -> Value {
        let output = self.run(args, stdin).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not JSON: {e}: {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }
}

/// How many requests reached the sandbox's Mastercom routes, over all operations.
pub fn total_calls(sandbox: &RunningSandbox) -> usize {
    mastercom::OPERATIONS
        .iter()
        .map(|operation| sandbox.calls().count(operation.operation_id))
        .sum()
}
