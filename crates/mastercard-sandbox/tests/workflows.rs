#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! `mastercom::batch` against the embedded sandbox, which refuses lists longer than the spec
//! allows per call and counts the requests each operation receives.

mod support;

use std::collections::HashSet;

use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{Fault, FaultAction, RunningSandbox};
use mastercard_transport::tls::TrustRoots;
use mastercom::retry::RetryConfig;
use mastercom::{MastercomClient, batch, types};

fn client(sandbox: &RunningSandbox) -> MastercomClient {
    client_with(sandbox, RetryConfig::default())
}

fn client_with(sandbox: &RunningSandbox, retry: RetryConfig) -> MastercomClient {
    let credentials = &sandbox.credentials;
    let roots = TrustRoots::from_pem(&std::fs::read(&credentials.ca_cert).unwrap()).unwrap();
    MastercomClient::builder()
        .base_url(&sandbox.mastercom_url)
        .consumer_key(&credentials.consumer_key)
        .signing_key_pkcs12(
            &credentials.signing_p12,
            Some(PKCS12_ALIAS),
            PKCS12_PASSWORD,
        )
        .trust_roots(roots)
        .retry(retry)
        .build()
        .unwrap()
}

fn chargebacks(n: usize) -> Vec<types::ChargebackStatusRequestStructure> {
    (0..n)
        .map(|i| types::ChargebackStatusRequestStructure {
            claim_id: format!("{:019}", 200_000_000 + i),
            chargeback_id: format!("{:019}", 300_000_000 + i),
        })
        .collect()
}

fn retrievals(n: usize) -> Vec<types::RetrievalStatusRequestStructure> {
    (0..n)
        .map(|i| types::RetrievalStatusRequestStructure {
            claim_id: format!("{:019}", 200_000_000 + i),
            request_id: format!("{:019}", 400_000_000 + i),
        })
        .collect()
}

#[tokio::test]
async fn the_sandbox_refuses_a_status_list_over_2000() {
    let env = support::start().await;
    let client = client(&env.sandbox);
    let body = types::ChargebackStatusRequest {
        chargeback_list: chargebacks(2001),
    };
    let error = client.retrieve_chargeback_status(&body).await.unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 400);
    assert_eq!(env.sandbox.calls().count("retrieveChargebackStatus"), 1);
}

#[tokio::test]
async fn chargeback_status_of_4500_ids_is_asked_in_3_calls_covering_every_id() {
    let env = support::start().await;
    let client = client(&env.sandbox);
    let ids = chargebacks(4500);
    for (debit_mc, operation) in [
        (false, "retrieveChargebackStatus"),
        (true, "retrieveChargebackStatusDebitMC"),
    ] {
        let mut seen_progress = Vec::new();
        let mut progress = |done: usize, total: usize| seen_progress.push((done, total));
        let responses = batch::chargeback_status(&client, &ids, debit_mc, Some(&mut progress))
            .await
            .unwrap();
        assert_eq!(env.sandbox.calls().count(operation), 3, "{operation}");
        let sizes: Vec<usize> = responses
            .iter()
            .map(|r| r.chargeback_response_list.len())
            .collect();
        assert_eq!(sizes, vec![2000, 2000, 500], "{operation}");
        let answered: HashSet<_> = responses
            .iter()
            .flat_map(|r| &r.chargeback_response_list)
            .filter_map(|entry| entry.chargeback_id.clone())
            .collect();
        let asked: HashSet<_> = ids.iter().map(|id| id.chargeback_id.clone()).collect();
        assert_eq!(answered, asked, "{operation}: every id answered");
        assert_eq!(
            seen_progress,
            vec![(2000, 4500), (4000, 4500), (4500, 4500)]
        );
    }
}

#[tokio::test]
async fn fulfillment_status_of_4500_ids_is_asked_in_3_calls_covering_every_id() {
    let env = support::start().await;
    let client = client(&env.sandbox);
    let ids = retrievals(4500);
    for (debit_mc, operation) in [
        (false, "retrieveFulfillmentStatus"),
        (true, "retrieveFulfillmentDebitMCStatus"),
    ] {
        let responses = batch::fulfillment_status(&client, &ids, debit_mc, None)
            .await
            .unwrap();
        assert_eq!(env.sandbox.calls().count(operation), 3, "{operation}");
        let answered: Vec<_> = responses
            .iter()
            .flat_map(|r| &r.retrieval_response_list)
            .filter_map(|entry| entry.request_id.clone())
            .collect();
        let asked: Vec<_> = ids.iter().map(|id| id.request_id.clone()).collect();
        assert_eq!(
            answered, asked,
            "{operation}: every id answered once, in order"
        );
    }
}

#[tokio::test]
async fn a_fault_on_the_second_chunk_stops_there_and_names_it() {
    let env = support::start().await;
    // No retries, so each chunk is exactly one request.
    let no_retries = RetryConfig {
        max_attempts: 1,
        ..RetryConfig::default()
    };
    let client = client_with(&env.sandbox, no_retries);
    let faults = env.sandbox.faults().clone();
    // The fault is armed once the first chunk is done, so it hits the second call exactly.
    let mut progress = move |done: usize, _total: usize| {
        if done == 2000 {
            faults.set(
                "retrieveFulfillmentStatus",
                Fault::action(FaultAction::Status500).times(1),
            );
        }
    };
    let error = batch::fulfillment_status(&client, &retrievals(4500), false, Some(&mut progress))
        .await
        .unwrap_err();
    assert_eq!((error.index, error.chunks), (1, 3));
    assert_eq!(error.items, 2000..4000);
    assert_eq!(error.done.len(), 1);
    assert_eq!(error.done[0].retrieval_response_list.len(), 2000);
    assert_eq!(error.error.status().unwrap().as_u16(), 500);
    assert_eq!(
        env.sandbox.calls().count("retrieveFulfillmentStatus"),
        2,
        "the third chunk was never sent"
    );
    assert!(
        error
            .to_string()
            .contains("chunk 1 of 3 (items 2000..4000)"),
        "{error}"
    );
}

#[tokio::test]
async fn acknowledgements_go_100_per_call() {
    let env = support::start().await;
    let client = client(&env.sandbox);
    let chargebacks: Vec<_> = (0..250)
        .map(|i| types::ChargebackMarkProcessedRequestStructure {
            claim_id: format!("{:019}", 200_000_000 + i),
            chargeback_id: format!("{:019}", 300_000_000 + i),
        })
        .collect();
    let responses = batch::acknowledge_chargebacks(&client, &chargebacks, false, None)
        .await
        .unwrap();
    assert_eq!(responses.len(), 3);
    assert_eq!(env.sandbox.calls().count("acknowledgeChargebacks"), 3);
}
