//! Mastercard's reference clients drive the sandbox: one client built only from the reference
//! Python libraries (`mastercard-oauth1-signer` 1.9.2 + `mastercard-client-encryption` 1.23.3,
//! `requests`), one built only from the reference Node libraries (`mastercard-oauth1-signer`
//! 1.2.0 + `mastercard-client-encryption` 1.10.8, node-forge, `https`). Each sends its own
//! requests (no byte of them comes from this workspace) to a loopback sandbox started here:
//! Mastercom over HTTPS, OAuth1-signed, including a query with `+` and `%XX` escapes as `requests`
//! and `URLSearchParams` write it; Identity Insights over mutual TLS with JWE both ways. The
//! sandbox accepts them, and refuses a body altered after signing, a JWE ciphertext altered after
//! encryption and a TLS client without a certificate.
//!
//! The reference libraries come from `cargo xtask interop` (`MASTERCARD_REFERENCE_PYTHON`,
//! `MASTERCARD_REFERENCE_NODE_MODULES`); without them the test prints "skipped" and passes, unless
//! `MASTERCARD_INTEROP_REQUIRED=1`, which makes it fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::{Path, PathBuf};

use mastercard_sandbox::pki::PKCS12_PASSWORD;
use serde_json::{Value, json};

fn driver(language: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(language)
        .join(file)
}

/// The query of the `+` case: what `requests`' `params=` and `URLSearchParams` both write for
/// `note = "a b (50%)"`.
const PLUS_QUERY: &str = "queue-name=Unworked&note=a+b+%2850%25%29";

/// The calls, the same for both clients.
fn request(env: &support::Env) -> Value {
    let creds = &env.sandbox.credentials;
    let search = json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}).to_string();
    let claim = json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000001",
        "disputedAmount": "125.00", "disputedCurrency": "USD"})
    .to_string();
    let iit = json!({
        "mcc": "5411", "merchantCountryCode": "840", "merchantName": "Zoë's Grocer ✓",
        "purchaseAmount": "1000", "purchaseCurrency": "840", "purchaseCurrencyExponent": "2",
        "purchaseDate": "20240314120000", "ipAddress": "192.0.2.1",
    })
    .to_string();
    let call = |id: &str, method: &str, path: &str, params: Value, body: Option<&str>, tamper| json!({"id": id, "method": method, "url": env.url(path), "params": params, "body": body, "tamper": tamper});
    let transactions = format!("{}/transactions", env.sandbox.iit_url);
    json!({
        "ca": creds.ca_cert, "client_cert": creds.client_cert, "client_key": creds.client_key,
        "signing_p12": creds.signing_p12, "password": PKCS12_PASSWORD,
        "consumer_key": creds.consumer_key,
        "jwe_server_cert": creds.jwe_server_cert, "jwe_client_key": creds.jwe_client_key,
        "mastercom": [
            call("search", "POST", "/v6/transactions/search", Value::Null, Some(&search), false),
            call("claim", "POST", "/v6/claims", Value::Null, Some(&claim), false),
            call("health", "GET", "/v6/healthcheck", Value::Null, None, false),
            call("queue", "GET", "/v6/queues", json!([["queue-name", "Unworked"]]), None, false),
            call("queue-escapes", "GET", "/v6/queues",
                json!([["queue-name", "Unworked"], ["note", "50%/a:b"]]), None, false),
            call("queue-plus", "GET", "/v6/queues",
                json!([["queue-name", "Unworked"], ["note", "a b (50%)"]]), None, false),
            call("tampered", "POST", "/v6/transactions/search", Value::Null, Some(&search), true),
        ],
        "iit": [
            {"id": "iit", "url": transactions, "body": iit, "tamper": false, "client_cert": true},
            {"id": "iit-tampered", "url": transactions, "body": iit, "tamper": true, "client_cert": true},
            {"id": "iit-no-client-cert", "url": transactions, "body": iit, "tamper": false, "client_cert": false},
        ],
    })
}

/// Checks one client's answers; returns (accepted, altered or unauthenticated ones refused).
fn check(client: &str, env: &support::Env, answer: &Value) -> (usize, usize) {
    let (mut accepted, mut refused) = (0, 0);
    let reply = |id: &str| {
        let reply = &answer[id];
        let status = reply["status"]
            .as_u64()
            .map(|status| u16::try_from(status).unwrap());
        let body: Value =
            serde_json::from_str(reply["body"].as_str().unwrap()).unwrap_or(Value::Null);
        (status, body, reply)
    };
    for id in ["search", "claim", "health", "queue"] {
        let (status, body, _) = reply(id);
        assert_eq!(status, Some(200), "{client} {id}: {body}");
        accepted += 1;
    }
    // The 30-day search finds the one seeded transaction of March 2024.
    let (_, found, _) = reply("search");
    assert_eq!(
        found["authorizationSummaryCount"], "1",
        "{client} search: {found}"
    );
    let (_, queue, _) = reply("queue");
    assert!(queue.is_array(), "{client} queue: {queue}");
    // `%XX` escapes without a raw `+`: every reference signer reads them alike.
    let (status, body, raw) = reply("queue-escapes");
    assert_eq!(
        raw["url"].as_str().unwrap(),
        format!(
            "{}?queue-name=Unworked&note=50%25%2Fa%3Ab",
            env.url("/v6/queues")
        ),
        "{client}"
    );
    assert_eq!(status, Some(200), "{client} queue-escapes: {body}");
    accepted += 1;

    // The `+` query, exactly as the client's own URL writer put it on the wire.
    let (status_plus, body, raw) = reply("queue-plus");
    assert_eq!(
        raw["url"].as_str().unwrap(),
        format!("{}?{PLUS_QUERY}", env.url("/v6/queues")),
        "{client}"
    );
    // The Python signer reads `+` as a space, Node's signs the raw token; the verifier accepts
    // every reading a reference signer produces (issue 14).
    assert_eq!(status_plus, Some(200), "{client} queue-plus: {body}");
    assert!(body.is_array(), "{client} queue-plus: {body}");
    accepted += 1;

    let (status, body, _) = reply("tampered");
    assert_eq!(status, Some(401), "{client} tampered: {body}");
    assert_eq!(
        body["Errors"][0]["ReasonCode"], "BODY_HASH_MISMATCH",
        "{client}: {body}"
    );
    refused += 1;

    // IIT over mTLS + JWE: the client's library decrypts the sandbox's answer.
    let (status, body, raw) = reply("iit");
    assert_eq!(status, Some(200), "{client} iit: {body}");
    assert!(
        body["encryptedData"].is_string(),
        "{client}: the answer is encrypted: {body}"
    );
    let insights: Value = serde_json::from_str(raw["decrypted"].as_str().unwrap()).unwrap();
    assert_eq!(
        insights["id"].as_str().unwrap().len(),
        36,
        "{client}: {insights}"
    );
    assert!(
        insights["individualInsights"]["scores"]["identityRisk"]["score"].is_u64(),
        "{client}: {insights}"
    );
    accepted += 1;

    let (status, body, _) = reply("iit-tampered");
    assert_eq!(status, Some(400), "{client} iit-tampered: {body}");
    assert_eq!(
        body["Errors"]["Error"][0]["ReasonCode"], "REQUEST_DECRYPT_FAILED",
        "{client}: {body}"
    );
    refused += 1;

    let (status, body, raw) = reply("iit-no-client-cert");
    assert_eq!(
        status, None,
        "{client}: a client without a certificate got an answer: {body}"
    );
    assert_eq!(raw["status"], "tls-error", "{client}");
    refused += 1;
    (accepted, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_node_reference_clients_drive_the_sandbox() {
    // Both, or a clear skip (or failure under MASTERCARD_INTEROP_REQUIRED=1) naming what is missing.
    let python = mastercard_testkit::reference_python();
    let node = mastercard_testkit::reference_node();
    let (Some(python), Some(node)) = (python, node) else {
        return;
    };
    let env = support::start().await;
    let batch = request(&env);

    let python_batch = batch.clone();
    let python_answer = tokio::task::spawn_blocking(move || {
        mastercard_testkit::run_python_driver(
            &python,
            &driver("python", "reference_client.py"),
            &python_batch,
        )
    });
    let node_answer = tokio::task::spawn_blocking(move || {
        mastercard_testkit::run_node_driver(&node, &driver("node", "reference_client.js"), &batch)
    });
    let (python_answer, node_answer) = (python_answer.await.unwrap(), node_answer.await.unwrap());

    for (client, answer) in [("python", &python_answer), ("node", &node_answer)] {
        let (accepted, refused) = check(client, &env, answer);
        println!(
            "reference clients: {client}: {accepted} requests accepted (Mastercom over HTTPS + OAuth1 incl. the query {PLUS_QUERY}, IIT over mTLS + JWE); {refused} refused as they must be (body altered after signing, JWE ciphertext altered, no client certificate)"
        );
    }
    env.sandbox.shutdown().await;
}
