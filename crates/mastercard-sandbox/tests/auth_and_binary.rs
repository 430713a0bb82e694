//! Timestamp window, trusting a caller's own key instead of the generated one, and the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::io::BufRead;

use mastercard_oauth1::{Request, Signer, SigningParams};
use mastercard_sandbox::pki::{self, Usage};

#[tokio::test]
async fn stale_timestamps_are_refused() {
    let env = support::start().await;
    let url = env.url("/v6/healthcheck");
    let params = SigningParams {
        timestamp: 1_500_000_000,
        nonce: "old-but-valid-nonce".into(),
    };
    let auth = env
        .signer
        .sign_with(&Request::new("GET", &url, b""), &params)
        .unwrap()
        .authorization;
    let reply = env.send_signed("GET", &url, Vec::new(), &auth).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["Errors"][0]["ReasonCode"], "STALE_TIMESTAMP",
        "{}",
        reply.body
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_given_public_key_is_trusted_instead_of_the_generated_one() {
    let keys = tempfile::tempdir().unwrap();
    let own = pki::issue(
        &pki::new_ca("caller CA").unwrap(),
        "caller signing",
        Usage::Plain,
    )
    .unwrap();
    let cert_path = keys.path().join("signing.pem");
    std::fs::write(&cert_path, own.cert.to_pem().unwrap()).unwrap();
    let env = support::start_with(|mut c| {
        c.trust.oauth1_public_key = Some(cert_path.clone());
        c.trust.oauth1_consumer_key = Some("my-consumer-key".into());
        c
    })
    .await;
    let url = env.url("/v6/healthcheck");
    let mine = Signer::new(
        "my-consumer-key",
        mastercard_keys::PrivateKey::from_pkey(own.key.clone()).unwrap(),
    )
    .unwrap();
    let auth = mine
        .sign(&Request::new("GET", &url, b""))
        .unwrap()
        .authorization;
    assert_eq!(
        env.send_signed("GET", &url, Vec::new(), &auth).await.status,
        200
    );
    // The generated credentials are no longer accepted.
    let reply = env.call("GET", "/v6/healthcheck", None).await;
    assert_eq!(reply.status, 401);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn path_parameters_are_percent_decoded() {
    let env = support::start().await;
    let reply = env.call("GET", "/v6/claims/no%20such%2Bclaim", None).await;
    assert_eq!(reply.status, 404);
    assert!(
        reply.body["Errors"][0]["Description"]
            .as_str()
            .unwrap()
            .contains("no such+claim"),
        "{}",
        reply.body
    );
    env.sandbox.shutdown().await;
}

#[test]
fn binary_prints_where_the_credentials_are_and_serves() {
    let state = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mastercard-sandbox"))
        .args([
            "--state-dir",
            state.path().to_str().unwrap(),
            "--mastercom-port",
            "0",
            "--iit-port",
            "0",
            "--persist",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut printed = Vec::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        let done = line.starts_with("Faults:");
        printed.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = printed.join("\n");
    assert!(
        text.contains("ca.pem")
            && text.contains("oauth1-signing.p12")
            && text.contains("jwe-server.pem"),
        "{text}"
    );
    assert!(
        text.contains("Mastercom:         https://127.0.0.1:"),
        "{text}"
    );
    assert!(state.path().join("client.p12").is_file());
    assert!(state.path().join("sandbox.sqlite").is_file());
}

#[tokio::test]
async fn mastercom_takes_a_client_certificate_when_one_is_offered() {
    let mut env = support::start().await;
    let creds = env.sandbox.credentials.clone();
    env.http = support::http_client(
        &creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    assert_eq!(env.call("GET", "/v6/healthcheck", None).await.status, 200);
    env.sandbox.shutdown().await;
}
