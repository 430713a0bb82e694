#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Batch helpers split lists at Mastercom's per-call limits.

mod support;

use mastercom::{batch, types};
use serde_json::{Value, json};
use support::SignedServer;
use wiremock::ResponseTemplate;

#[tokio::test]
async fn acknowledgements_are_sent_100_per_call() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let client = server.builder().build().unwrap();
    let chargebacks: Vec<_> = (0..250)
        .map(|index| types::ChargebackMarkProcessedRequestStructure {
            claim_id: format!("2000020{index:05}"),
            chargeback_id: format!("3000184{index:05}"),
        })
        .collect();
    let responses = batch::acknowledge_chargebacks(&client, &chargebacks, false, None)
        .await
        .unwrap();
    assert_eq!(responses.len(), 3);
    let sizes: Vec<usize> = server
        .seen()
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            body["chargebackList"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    server.assert_all_verified();
}

#[tokio::test]
async fn case_status_is_asked_2000_ids_per_call_and_stops_at_the_first_error() {
    let server = SignedServer::start(|_, index| {
        if index == 0 {
            ResponseTemplate::new(200).set_body_json(json!({}))
        } else {
            ResponseTemplate::new(400).set_body_json(json!({"Errors": [{"ReasonCode": "BAD"}]}))
        }
    })
    .await;
    let client = server.builder().build().unwrap();
    let cases: Vec<_> = (0..4500)
        .map(|index| types::CaseFilingStatusRequestStructure {
            case_id: index.to_string(),
        })
        .collect();
    let error = batch::case_filing_status(&client, &cases, None)
        .await
        .unwrap_err();
    assert_eq!(error.error.status().unwrap().as_u16(), 400);
    assert_eq!(
        (error.index, error.items.clone(), error.done.len()),
        (1, 2000..4000, 1)
    );
    let sizes: Vec<usize> = server
        .seen()
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            body["caseFilingList"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(
        sizes,
        vec![2000, 2000],
        "stopped after the failing second call"
    );
}
