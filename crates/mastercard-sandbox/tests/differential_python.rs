//! Differential test: requests signed by Mastercard's reference Python signer
//! (`mastercard-oauth1-signer` 1.9.2) and bodies encrypted by its reference encryption library
//! (`mastercard-client-encryption` 1.23.3) are accepted by the sandbox, a Python-signed request
//! with one altered body byte is refused with the right reason, and Python decrypts the
//! sandbox's encrypted IIT answers. All Python work runs in one process per direction.
//!
//! `MASTERCARD_REFERENCE_PYTHON` names an interpreter with both packages; without it the test
//! prints "skipped" and passes, unless `MASTERCARD_INTEROP_REQUIRED=1`, which makes it fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::path::Path;

use mastercard_sandbox::pki::PKCS12_PASSWORD;
use serde_json::{Value, json};

fn driver() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sandbox_driver.py")
}

fn b64(bytes: &[u8]) -> String {
    openssl::base64::encode_block(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_signed_and_encrypted_requests_are_accepted() {
    let Some(python) = mastercard_testkit::reference_python() else {
        return;
    };
    let env = support::start().await;
    let creds = env.sandbox.credentials.clone();

    let search =
        serde_json::to_vec(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}))
            .unwrap();
    let claim = serde_json::to_vec(
        &json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000001",
        "disputedAmount": "125.00", "disputedCurrency": "USD"}),
    )
    .unwrap();
    let status =
        serde_json::to_vec(&json!({"chargebackList": [{"claimId": "1", "chargebackId": "2"}]}))
            .unwrap();
    let cases: Vec<(&str, &str, String, Vec<u8>)> = vec![
        (
            "search",
            "POST",
            env.url("/v6/transactions/search"),
            search.clone(),
        ),
        ("claim", "POST", env.url("/v6/claims"), claim),
        ("health", "GET", env.url("/v6/healthcheck"), Vec::new()),
        (
            "queue",
            "GET",
            env.url("/v6/queues?queue-name=Unworked"),
            Vec::new(),
        ),
        (
            "docs",
            "GET",
            env.url("/v6/cases/1/documents?format=MERGED_PDF&memo=a%20b%2Bc"),
            Vec::new(),
        ),
        ("status", "PUT", env.url("/v6/chargebacks/status"), status),
        (
            "tampered",
            "POST",
            env.url("/v6/transactions/search"),
            search.clone(),
        ),
    ];
    let iit_plain = json!({
        "mcc": "5411", "merchantCountryCode": "840", "merchantName": "Zoë's Grocer ✓",
        "purchaseAmount": "1000", "purchaseCurrency": "840", "purchaseCurrencyExponent": "2",
        "purchaseDate": "20240314120000", "ipAddress": "192.0.2.1",
    });
    let request = json!({
        "p12": creds.signing_p12, "password": PKCS12_PASSWORD, "consumer_key": creds.consumer_key,
        "cert": creds.jwe_server_cert, "key": creds.jwe_client_key,
        "sign": cases.iter().map(|(id, method, url, body)| json!({"id": id, "method": method, "url": url, "body_b64": b64(body)})).collect::<Vec<_>>(),
        "encrypt": [{"id": "iit", "body": iit_plain.to_string()}],
        "decrypt": [],
    });
    let python_for_sign = python.clone();
    let answer = tokio::task::spawn_blocking(move || {
        mastercard_testkit::run_python_driver(&python_for_sign, &driver(), &request)
    })
    .await
    .unwrap();

    for (id, method, url, body) in &cases {
        let header = answer["headers"][*id].as_str().unwrap();
        let mut sent = body.clone();
        if *id == "tampered" {
            sent[5] ^= 0x20;
        }
        let reply = env.send_signed(method, url, sent, header).await;
        if *id == "tampered" {
            assert_eq!(reply.status, 401);
            assert_eq!(
                reply.body["Errors"][0]["ReasonCode"], "BODY_HASH_MISMATCH",
                "{}",
                reply.body
            );
        } else if *id == "docs" {
            // Authenticated; case 1 does not exist.
            assert_eq!(reply.status, 404, "{id}: {}", reply.body);
        } else {
            assert_eq!(reply.status, 200, "{id}: {}", reply.body);
        }
    }

    // IIT: Python-encrypted request over mTLS; the encrypted answer goes back to Python.
    let client = support::http_client(
        &creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    let encrypted = answer["encrypted"]["iit"].as_str().unwrap().to_owned();
    let reply = client
        .post(format!("{}/transactions", env.sandbox.iit_url))
        .header("Content-Type", "application/json")
        .body(encrypted)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let response_body = reply.text().await.unwrap();
    let request = json!({
        "p12": creds.signing_p12, "password": PKCS12_PASSWORD, "consumer_key": creds.consumer_key,
        "cert": creds.jwe_server_cert, "key": creds.jwe_client_key,
        "sign": [], "encrypt": [], "decrypt": [{"id": "iit", "body": response_body}],
    });
    let answer = tokio::task::spawn_blocking(move || {
        mastercard_testkit::run_python_driver(&python, &driver(), &request)
    })
    .await
    .unwrap();
    let insights: Value =
        serde_json::from_str(answer["decrypted"]["iit"].as_str().unwrap()).unwrap();
    assert_eq!(insights["id"].as_str().unwrap().len(), 36, "{insights}");
    assert!(
        insights["individualInsights"]["scores"]["identityRisk"]["score"].is_u64(),
        "{insights}"
    );
    env.sandbox.shutdown().await;
}
