#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The default proxy setting follows `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`, read when the
//! client is built. The environment is the child process's: this test binary runs its own
//! `child_call` test again with the variables set, while the parent holds the server and the
//! proxy and checks what each saw.

mod support;

use std::process::Command;

use mastercard_testkit::proxy::Proxy;
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";
const CHILD: &str = "MASTERCOM_PROXY_TEST_CHILD";
const KEY_FILE: &str = "MASTERCOM_PROXY_TEST_KEY_FILE";
const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs `child_call` in a child process against `url` with `env` as its only proxy variables.
fn run_child(url: &str, key_file: &std::path::Path, env: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", "child_call", "--ignored", "--test-threads=1"]);
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    command
        .env(CHILD, url)
        .env(KEY_FILE, key_file)
        .envs(env.iter().copied());
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}

#[tokio::test]
async fn environment_proxy_and_no_proxy() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let proxy = Proxy::start();
    let url = server.base_url().replace("127.0.0.1", "localhost");
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signing.pem");
    std::fs::write(&key_file, &server.key.pem).unwrap();
    let proxy_url = proxy.url();

    // A plain-http base URL goes through `HTTP_PROXY`, an https one through `HTTPS_PROXY`.
    let through = [
        ("HTTP_PROXY", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
    ];
    run_child(&url, &key_file, &through);
    assert_eq!(proxy.forwards().len(), 1, "{:?}", proxy.uses());
    assert_eq!(server.seen().len(), 1);

    let excluded = [
        ("HTTP_PROXY", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("NO_PROXY", "example.org,localhost"),
    ];
    run_child(&url, &key_file, &excluded);
    assert_eq!(
        proxy.forwards().len(),
        1,
        "NO_PROXY was ignored: {:?}",
        proxy.uses()
    );
    assert_eq!(server.seen().len(), 2);
    server.assert_all_verified();
}

/// One call with the environment's proxy settings; run by `environment_proxy_and_no_proxy`.
#[tokio::test]
#[ignore = "run by environment_proxy_and_no_proxy in a child process"]
async fn child_call() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let pem = std::fs::read(std::env::var(KEY_FILE).unwrap()).unwrap();
    let client = support::loopback_builder(&url, &pem).build().unwrap();
    client.get_claim_detail(CLAIM).await.unwrap();
}
