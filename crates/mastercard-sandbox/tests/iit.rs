//! Identity Insights: the mTLS listener refuses clients without a certificate from the sandbox
//! CA; encrypted requests get encrypted, deterministic answers; invalid input gets 400.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::{Certificate, PrivateKey, ValidityPolicy};
use mastercard_sandbox::pki::{self, Usage};
use mastercard_sandbox::{Credentials, Fault, FaultAction};
use serde_json::{Value, json};

fn client_jwe(creds: &Credentials) -> EncryptionConfig {
    let server_cert = Certificate::from_file(&creds.jwe_server_cert).unwrap();
    let client_key = PrivateKey::from_pem(&std::fs::read(&creds.jwe_client_key).unwrap()).unwrap();
    EncryptionConfig::builder()
        .encryption_key(
            EncryptionKey::from_certificate(&server_cert, ValidityPolicy::enforce_now()).unwrap(),
        )
        .decryption_key(DecryptionKey::from_private_key(&client_key).unwrap())
        .build()
        .unwrap()
}

pub fn valid_request() -> Value {
    json!({
        "mcc": "5411", "merchantCountryCode": "840", "merchantName": "Sandbox Grocer",
        "purchaseAmount": "1000", "purchaseCurrency": "840", "purchaseCurrencyExponent": "2",
        "purchaseDate": "20240314120000", "ipAddress": "192.0.2.1", "primaryEmail": "pat@example.com",
        "hashedAccountId": "acct-42",
    })
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{url}/transactions"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn handshake_needs_a_client_certificate_from_the_sandbox_ca() {
    let env = support::start().await;
    let creds = &env.sandbox.credentials;
    let jwe = client_jwe(creds);
    let body = jwe
        .encrypt_payload(&serde_json::to_vec(&valid_request()).unwrap())
        .unwrap();

    // No client certificate: the handshake (or the first read after it, in TLS 1.3) fails.
    let error = post(&env.http, &env.sandbox.iit_url, body.clone())
        .await
        .unwrap_err();
    assert!(error.is_connect() || error.is_request(), "{error:?}");

    // A client certificate from another CA.
    let other = tempfile::tempdir().unwrap();
    let ca = pki::new_ca("someone else's CA").unwrap();
    let stranger = pki::issue(&ca, "stranger", Usage::Client).unwrap();
    let (cert, key) = (other.path().join("c.pem"), other.path().join("k.pem"));
    std::fs::write(&cert, stranger.cert.to_pem().unwrap()).unwrap();
    std::fs::write(&key, stranger.key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let client = support::http_client(creds, Some(support::identity(&cert, &key)));
    let error = post(&client, &env.sandbox.iit_url, body.clone())
        .await
        .unwrap_err();
    assert!(error.is_connect() || error.is_request(), "{error:?}");

    // The sandbox's client certificate.
    let client = support::http_client(
        creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    let reply = post(&client, &env.sandbox.iit_url, body).await.unwrap();
    assert_eq!(reply.status(), 200);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn encrypted_request_gets_an_encrypted_deterministic_answer() {
    let env = support::start().await;
    let creds = &env.sandbox.credentials;
    let jwe = client_jwe(creds);
    let client = support::http_client(
        creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    let plain = serde_json::to_vec(&valid_request()).unwrap();

    let mut answers = Vec::new();
    for _ in 0..2 {
        let reply = post(
            &client,
            &env.sandbox.iit_url,
            jwe.encrypt_payload(&plain).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(reply.status(), 200);
        let correlation = reply.headers()["X-MC-Correlation-ID"]
            .to_str()
            .unwrap()
            .to_owned();
        let envelope: Value = reply.json().await.unwrap();
        assert!(
            envelope["encryptedData"].is_string(),
            "response is encrypted: {envelope}"
        );
        let decrypted = jwe
            .decrypt_payload(&serde_json::to_vec(&envelope).unwrap())
            .unwrap();
        let insights: identity_insights::types::TransactionInsights =
            serde_json::from_slice(&decrypted).unwrap();
        assert_eq!(insights.id.to_string(), correlation);
        answers.push(serde_json::to_value(&insights).unwrap());
    }
    // Same input: the same insights, under a new id each call (the spec's id is unique).
    let without_id = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("id");
        v
    };
    assert_eq!(
        without_id(&answers[0]),
        without_id(&answers[1]),
        "same input, same insights"
    );
    assert_ne!(answers[0]["id"], answers[1]["id"], "a fresh id per call");

    let mut other = valid_request();
    other["purchaseAmount"] = json!("2000");
    let reply = post(
        &client,
        &env.sandbox.iit_url,
        jwe.encrypt_payload(&serde_json::to_vec(&other).unwrap())
            .unwrap(),
    )
    .await
    .unwrap();
    let envelope: Value = reply.json().await.unwrap();
    let decrypted: Value = serde_json::from_slice(
        &jwe.decrypt_payload(&serde_json::to_vec(&envelope).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_ne!(
        without_id(&decrypted),
        without_id(&answers[0]),
        "different input, different insights"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn invalid_input_gets_validation_errors() {
    let env = support::start().await;
    let creds = &env.sandbox.credentials;
    let jwe = client_jwe(creds);
    let client = support::http_client(
        creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    let url = &env.sandbox.iit_url;

    let mut missing = valid_request();
    missing.as_object_mut().unwrap().remove("purchaseDate");
    let reply = post(
        &client,
        url,
        jwe.encrypt_payload(&serde_json::to_vec(&missing).unwrap())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    let error = &body["Errors"]["Error"][0];
    assert_eq!(error["ReasonCode"], "VALIDATION_ERROR");
    assert_eq!(error["Description"], "Required Data Element Missing");
    assert_eq!(error["Details"], "purchaseDate");

    let mut bad = valid_request();
    bad["ipAddress"] = json!("999.1.1.1");
    bad["purchaseDate"] = json!("2024031412000x");
    // Numeric ISO codes, as the spec says: the alpha-3 code is a format error.
    bad["merchantCountryCode"] = json!("USA");
    let reply = post(
        &client,
        url,
        jwe.encrypt_payload(&serde_json::to_vec(&bad).unwrap())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["Errors"]["Error"][0]["Description"], "Invalid Format");
    assert_eq!(
        body["Errors"]["Error"][0]["Details"],
        "purchaseDate, merchantCountryCode, ipAddress"
    );

    // Plaintext is refused: IIT is JWE end to end.
    let reply = post(&client, url, serde_json::to_vec(&valid_request()).unwrap())
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);

    // Encrypted to another key (kid mismatch).
    let stranger = pki::issue(&pki::new_ca("x").unwrap(), "x", Usage::Plain).unwrap();
    let wrong = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&stranger.cert).unwrap())
        .build()
        .unwrap();
    let reply = post(
        &client,
        url,
        wrong
            .encrypt_payload(&serde_json::to_vec(&valid_request()).unwrap())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(
        body["Errors"]["Error"][0]["ReasonCode"], "REQUEST_DECRYPT_FAILED",
        "{body}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn iit_faults_invalid_jwe_and_503() {
    let env = support::start().await;
    let creds = &env.sandbox.credentials;
    let jwe = client_jwe(creds);
    let client = support::http_client(
        creds,
        Some(support::identity(&creds.client_cert, &creds.client_key)),
    );
    let body = jwe
        .encrypt_payload(&serde_json::to_vec(&valid_request()).unwrap())
        .unwrap();

    env.sandbox.faults().set(
        "retrieveTransactionInsights",
        Fault::action(FaultAction::InvalidJwe).times(1),
    );
    let reply = post(&client, &env.sandbox.iit_url, body.clone())
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let bytes = reply.bytes().await.unwrap();
    assert!(jwe.decrypt_payload(&bytes).is_err());

    env.sandbox.faults().set(
        "retrieveTransactionInsights",
        Fault::action(FaultAction::Status503).times(1),
    );
    let reply = post(&client, &env.sandbox.iit_url, body.clone())
        .await
        .unwrap();
    assert_eq!(reply.status(), 503);
    let error: Value = reply.json().await.unwrap();
    assert_eq!(error["Errors"]["Error"][0]["Recoverable"], true);

    // The fault was for one request only.
    assert_eq!(
        post(&client, &env.sandbox.iit_url, body)
            .await
            .unwrap()
            .status(),
        200
    );
    env.sandbox.shutdown().await;
}
