//! The main dispute lifecycle through the generated `mastercom::Client`, restart with SQLite,
//! the 60-second duplicate limitation, and fault injection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use mastercard_oauth1::Request;
use mastercard_sandbox::{Fault, FaultAction, Sandbox, SandboxConfig};
use mastercard_transport::{OAuth1Signing, Transport};
use serde_json::{Value, json};

fn client(env: &support::Env) -> mastercom::Client {
    let http = support::http_client(&env.sandbox.credentials, None);
    let signer = support::signer(&env.sandbox.credentials);
    mastercom::Client::new_with_client(
        &env.sandbox.mastercom_url,
        http,
        Transport::new().with(OAuth1Signing::new(signer)),
    )
}

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn lifecycle_through_the_generated_client() {
    let env = support::start().await;
    let c = client(&env);

    let found = c
        .transaction_search(&typed(
            json!({"tranStartDate": "2024-05-01", "tranEndDate": "2024-05-31"}),
        ))
        .await
        .unwrap()
        .into_inner();
    let auth = &found.authorization_summary[0];
    let clearing = auth.clearing_summary[0].transaction_id.clone().unwrap();
    assert_eq!(clearing, "CLR-0000000002");

    let claim = c
        .create_claim(&typed(json!({"claimType": "Standard", "clearingTransactionId": clearing,
            "authTransactionId": auth.transaction_id, "disputedAmount": "49.99", "disputedCurrency": "USD"})))
        .await
        .unwrap()
        .into_inner()
        .claim_id
        .unwrap();

    let request = c
        .create_retrieval_request(
            &claim,
            &typed(json!({"docNeeded": "2", "retrievalRequestReason": "6343"})),
        )
        .await
        .unwrap()
        .into_inner()
        .request_id
        .unwrap();

    // A second presentment cannot come before the chargeback it answers. (A second one right
    // after the first would be created: Mastercom's 60-second blind spot, tested in
    // `duplicate_events.rs`.)
    let refused = c
        .create_chargeback(
            &claim,
            &typed(
                json!({"chargebackType": "SECOND_PRESENTMENT", "amount": "1.00",
            "currency": "USD", "documentIndicator": "false", "reasonCode": "2700"}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));

    let chargeback = c
        .create_chargeback(
            &claim,
            &typed(json!({"chargebackType": "CHARGEBACK", "amount": "49.99",
            "currency": "USD", "documentIndicator": "false", "reasonCode": "4853"})),
        )
        .await
        .unwrap()
        .into_inner()
        .chargeback_id
        .unwrap();
    c.create_chargeback(
        &claim,
        &typed(
            json!({"chargebackType": "SECOND_PRESENTMENT", "amount": "49.99",
            "currency": "USD", "documentIndicator": "false", "reasonCode": "2700"}),
        ),
    )
    .await
    .unwrap();

    let detail = c.get_claim_detail(&claim).await.unwrap().into_inner();
    assert_eq!(detail.chargeback_details.len(), 2);
    assert_eq!(
        detail.retrieval_details_list[0].request_id.as_deref(),
        Some(request.as_str())
    );
    assert_eq!(detail.queue_name.as_deref(), Some("Unworked"));

    let case = c
        .create_case_filing(&typed(json!({"caseType": "1", "chargebackReasonCode": "4863",
            "chargebackRefNum": [detail.chargeback_details[0].chargeback_ref_num], "currencyCode": "USD",
            "disputeAmount": "49.99", "filedAgainstIca": "1234", "filingAs": "I", "filingIca": "5678", "memo": "pre-arb"})))
        .await
        .unwrap()
        .into_inner()
        .case_id
        .unwrap();
    for action in ["REJECT", "REBUT", "ESCALATE", "WITHDRAW"] {
        c.update_case_filing(&case, &typed(json!({"action": action})))
            .await
            .unwrap();
    }
    let with_case = c.get_claim_detail(&claim).await.unwrap().into_inner();
    let lifecycle = with_case
        .case_filing_details
        .expect("the case is on the claim");
    assert_eq!(lifecycle.case_filing_status.as_deref(), Some("WITHDRAWN"));
    let actions: Vec<_> = lifecycle
        .case_filing_resp_history
        .iter()
        .filter_map(|h| h.action.clone())
        .collect();
    assert_eq!(
        actions,
        ["CREATE", "REJECT", "REBUT", "ESCALATE", "WITHDRAW"]
    );
    let final_action = c
        .update_case_filing(&case, &typed(json!({"action": "ACCEPT"})))
        .await
        .unwrap_err();
    assert_eq!(
        final_action.status().map(|s| s.as_u16()),
        Some(400),
        "withdrawn is final"
    );

    let unworked = c
        .get_queue_summary(&"Unworked".parse().unwrap())
        .await
        .unwrap()
        .into_inner();
    assert!(
        unworked
            .iter()
            .any(|s| s.claim_id.as_deref() == Some(claim.as_str()))
    );
    let second = detail.chargeback_details[1].chargeback_id.clone().unwrap();
    let ack = c
        .acknowledge_chargebacks(&typed(json!({"chargebackList": [
            {"claimId": claim, "chargebackId": chargeback}, {"claimId": claim, "chargebackId": second}]})))
        .await
        .unwrap()
        .into_inner();
    assert!(
        ack.chargeback_response_list
            .iter()
            .all(|r| r.status.as_deref() == Some("SUCCESS"))
    );
    let worked = c
        .get_queue_summary(&"Worked".parse().unwrap())
        .await
        .unwrap()
        .into_inner();
    assert!(
        worked
            .iter()
            .any(|s| s.claim_id.as_deref() == Some(claim.as_str())),
        "acknowledged → Worked"
    );
    let unworked = c
        .get_queue_summary(&"Unworked".parse().unwrap())
        .await
        .unwrap()
        .into_inner();
    assert!(
        !unworked
            .iter()
            .any(|s| s.claim_id.as_deref() == Some(claim.as_str()))
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn identical_events_within_60_seconds_are_both_accepted() {
    let env = support::start().await;
    let claim = env
        .call(
            "POST",
            "/v6/claims",
            Some(
                &json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000003",
            "disputedAmount": "980.10", "disputedCurrency": "EUR"}),
            ),
        )
        .await
        .body["claimId"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"chargebackType": "CHARGEBACK", "amount": "980.10", "currency": "EUR", "documentIndicator": "false", "reasonCode": "4853"});
    let path = format!("/v6/claims/{claim}/chargebacks");
    let first = env.call("POST", &path, Some(&body)).await;
    let second = env.call("POST", &path, Some(&body)).await;
    assert_eq!((first.status, second.status), (200, 200));
    assert_ne!(first.body["chargebackId"], second.body["chargebackId"]);
    let detail = env
        .call("GET", &format!("/v6/claims/{claim}"), None)
        .await
        .body;
    assert_eq!(
        detail["chargebackDetails"].as_array().unwrap().len(),
        2,
        "Mastercom keeps both: the client must guard"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn sqlite_persistence_keeps_claims_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config = || SandboxConfig::new(dir.path()).with_persistence(true);
    let sandbox = Sandbox::start(config()).await.unwrap();
    let env = support::Env {
        http: support::http_client(&sandbox.credentials, None),
        signer: support::signer(&sandbox.credentials),
        sandbox,
        dir: tempfile::tempdir().unwrap(),
    };
    let claim = env
        .call(
            "POST",
            "/v6/claims",
            Some(
                &json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000004",
            "disputedAmount": "15.00", "disputedCurrency": "GBP"}),
            ),
        )
        .await
        .body["claimId"]
        .as_str()
        .unwrap()
        .to_owned();
    env.call(
        "POST",
        &format!("/v6/claims/{claim}/retrievalrequests"),
        Some(&json!({"docNeeded": "4", "retrievalRequestReason": "6343"})),
    )
    .await;
    let before = env
        .call("GET", &format!("/v6/claims/{claim}"), None)
        .await
        .body;
    let consumer_key = env.sandbox.credentials.consumer_key.clone();
    env.sandbox.shutdown().await;

    let sandbox = Sandbox::start(config()).await.unwrap();
    assert_eq!(
        sandbox.credentials.consumer_key, consumer_key,
        "credentials are reused"
    );
    assert_eq!(sandbox.claim_count(), 1);
    let env = support::Env {
        http: support::http_client(&sandbox.credentials, None),
        signer: support::signer(&sandbox.credentials),
        sandbox,
        dir: tempfile::tempdir().unwrap(),
    };
    let after = env.call("GET", &format!("/v6/claims/{claim}"), None).await;
    assert_eq!(after.status, 200);
    assert_eq!(
        after.body["retrievalDetailsList"],
        before["retrievalDetailsList"]
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn faults_reset_after_read_503_and_truncated_body() {
    let env = support::start().await;
    let search = json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"});
    let url = env.url("/v6/transactions/search");
    let send = |auth_body: Vec<u8>| {
        let auth = env
            .signer
            .sign(&Request::new("POST", &url, &auth_body))
            .unwrap()
            .authorization;
        env.http
            .post(&url)
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(auth_body)
            .send()
    };
    let body = serde_json::to_vec(&search).unwrap();

    // Reset after read: the request was processed (a claim would exist) but no answer arrives.
    env.sandbox.faults().set(
        "createClaim",
        Fault::action(FaultAction::ResetAfterRead).times(1),
    );
    let claim_body = serde_json::to_vec(
        &json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000001",
        "disputedAmount": "1.00", "disputedCurrency": "USD"}),
    )
    .unwrap();
    let claim_url = env.url("/v6/claims");
    let auth = env
        .signer
        .sign(&Request::new("POST", &claim_url, &claim_body))
        .unwrap()
        .authorization;
    let error = env
        .http
        .post(&claim_url)
        .header("Authorization", auth)
        .header("Content-Type", "application/json")
        .body(claim_body)
        .send()
        .await
        .unwrap_err();
    assert!(!error.is_status(), "{error:?}");
    assert_eq!(env.sandbox.claim_count(), 1, "processed before the reset");

    // Reset before read: nothing processed.
    env.sandbox.faults().set(
        "transactionSearch",
        Fault::action(FaultAction::ResetBeforeRead).times(1),
    );
    assert!(send(body.clone()).await.is_err());

    // 503 with Mastercom's error shape, marked recoverable.
    env.sandbox.faults().set(
        "transactionSearch",
        Fault::action(FaultAction::Status503).times(1),
    );
    let reply = send(body.clone()).await.unwrap();
    assert_eq!(reply.status(), 503);
    let error: Value = reply.json().await.unwrap();
    assert_eq!(error["Errors"][0]["Recoverable"], true);

    // Truncated body: headers arrive, the body does not complete.
    env.sandbox.faults().set(
        "transactionSearch",
        Fault::action(FaultAction::TruncatedBody).times(1),
    );
    let reply = send(body.clone()).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert!(reply.bytes().await.is_err());

    // Wrong content type.
    env.sandbox
        .faults()
        .set("*", Fault::action(FaultAction::WrongContentType).times(1));
    let reply = send(body.clone()).await.unwrap();
    assert_eq!(reply.headers()["content-type"], "text/html");

    // Added latency (measured, not used for synchronisation).
    env.sandbox.faults().set(
        "transactionSearch",
        Fault::default()
            .latency(std::time::Duration::from_millis(300))
            .times(1),
    );
    let started = std::time::Instant::now();
    assert_eq!(send(body.clone()).await.unwrap().status(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    // Through the admin endpoint (loopback), then cleared.
    let admin = format!(
        "{}/__sandbox/faults/transactionSearch",
        env.sandbox.mastercom_url.trim_end_matches("/mastercom")
    );
    let set = env
        .http
        .put(&admin)
        .json(&json!({"action": "status500"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 204);
    assert_eq!(send(body.clone()).await.unwrap().status(), 500);
    assert_eq!(env.http.delete(&admin).send().await.unwrap().status(), 204);
    assert_eq!(send(body.clone()).await.unwrap().status(), 200);
    env.sandbox.shutdown().await;
}
