#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The default proxy setting follows `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`, read when the
//! client is built: plain-http forwarding to a loopback `http://` base URL, and a CONNECT tunnel
//! to an `https://localhost` one. The environment is the child process's: this test binary runs its own
//! `child_call` test again with the variables set, while the parent holds the server and the
//! proxy and checks what each saw.

mod support;

use mastercard_testkit::proxy::Proxy;
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";
const CHILD: &str = "MASTERCOM_PROXY_TEST_CHILD";
const KEY_FILE: &str = "MASTERCOM_PROXY_TEST_KEY_FILE";
const CA_FILE: &str = "MASTERCOM_PROXY_TEST_CA_FILE";
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
    let mut command = mastercard_testkit::child::command("child_call");
    command.arg("--ignored");
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    command
        .env(CHILD, url)
        .env(KEY_FILE, key_file)
        .envs(env.iter().copied());
    let stdout = mastercard_testkit::child::stdout(command.output().unwrap());
    assert!(stdout.contains("1 passed"), "{stdout}");
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

/// An `https://localhost` base URL (a TLS front before the verifying mock; its CA handed to the
/// child as a file for `trust_roots`) goes through `HTTPS_PROXY` as a CONNECT tunnel to that
/// authority, the signature verifies at the server, and `NO_PROXY` sends it direct.
#[tokio::test]
async fn environment_https_proxy_tunnels_and_no_proxy_bypasses() {
    let (server, url, ca) = support::tls_server().await;
    let proxy = Proxy::start();
    let authority = support::authority(&url);
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signing.pem");
    std::fs::write(&key_file, &server.key.pem).unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let ca_file = ca_file.to_str().unwrap();
    let proxy_url = proxy.url();

    // Only `HTTPS_PROXY`: an https base URL must not need `HTTP_PROXY`.
    run_child(
        &url,
        &key_file,
        &[("HTTPS_PROXY", proxy_url.as_str()), (CA_FILE, ca_file)],
    );
    assert_eq!(
        proxy.tunnels(),
        vec![authority.clone()],
        "{:?}",
        proxy.uses()
    );
    assert!(proxy.forwards().is_empty(), "{:?}", proxy.uses());
    assert_eq!(server.handshakes(), 1);
    assert_eq!(server.seen().len(), 1);

    run_child(
        &url,
        &key_file,
        &[
            ("HTTPS_PROXY", proxy_url.as_str()),
            ("NO_PROXY", "example.org,localhost"),
            (CA_FILE, ca_file),
        ],
    );
    assert_eq!(
        proxy.uses().len(),
        1,
        "NO_PROXY was ignored: {:?}",
        proxy.uses()
    );
    assert_eq!(server.handshakes(), 2);
    assert_eq!(server.seen().len(), 2);
    server.assert_all_verified();
}

/// One call with the environment's proxy settings (trusting the CA in `CA_FILE` when set); run
/// by the tests above in a child process.
#[tokio::test]
#[ignore = "run by the proxy environment tests in a child process"]
async fn child_call() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let pem = std::fs::read(std::env::var(KEY_FILE).unwrap()).unwrap();
    let mut builder = support::loopback_builder(&url, &pem);
    if let Ok(ca_file) = std::env::var(CA_FILE) {
        let roots =
            mastercard_transport::tls::TrustRoots::from_pem(&std::fs::read(ca_file).unwrap())
                .unwrap();
        builder = builder.trust_roots(roots);
    }
    let client = builder.build().unwrap();
    if let Err(error) = client.get_claim_detail(CLAIM).await {
        let mut chain = format!("{error}");
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            chain.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        panic!("{chain}");
    }
}
