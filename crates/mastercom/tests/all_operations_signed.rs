#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Every one of the 52 operations, called through `MastercomClient`, reaches a server that
//! verifies its OAuth1 signature (method, URL with query, body hash) with the verifier of
//! `mastercard-oauth1` and a key generated for this test — signed with the local key and with a
//! `SignatureProvider` (written against the public trait only), with RSA-SHA256 and RSA-PSS.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use mastercard_testkit::providers::ExternalProvider;
use mastercom::{MastercomClient, OPERATIONS, SignatureMethod, types};
use serde_json::json;
use support::{SignedServer, body, keyless_builder, value};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";
const CHARGEBACK: &str = "300018439680";
const REQUEST: &str = "300002296235";
const CASE: &str = "536092";
const TRANSACTION: &str =
    "hqCnaMCs4ZVRy1ZqhkPLcYmcaFdnNzFdbOJ9IMy4rxoYq+1S8yqhM3vjiEIWBGEZrQdFZOKaXRj1Ctw8eGjmTQ";

/// Does `path` (as received, with the `/mastercom` prefix) match `template`?
fn matches(template: &str, path: &str) -> bool {
    let Some(path) = path.strip_prefix("/mastercom") else {
        return false;
    };
    let template: Vec<_> = template.split('/').collect();
    let actual: Vec<_> = path.split('/').collect();
    template.len() == actual.len()
        && template
            .iter()
            .zip(&actual)
            .all(|(want, got)| want.starts_with('{') || want == got)
}

/// Calls every operation once. Results are ignored: an empty `{}` may not satisfy every
/// response schema, but every request is on the server's list, with its verdict.
async fn call_every_operation(c: &MastercomClient) {
    let _ = c.update_claim(CLAIM, &body("UpdateClaimRequest")).await;
    let _ = c
        .acknowledge_chargebacks(&body("ChargebackMarkProcessedRequest"))
        .await;
    let _ = c
        .acknowledge_chargebacks_debit_mc(&body("ChargebackMarkProcessedRequest"))
        .await;
    let _ = c
        .acq_fulfill_retrieval_request(CLAIM, REQUEST, &body("AcquirerFulfillmentRequest"))
        .await;
    let _ = c.create_case_filing(&body("CreateCaseRequest")).await;
    let _ = c
        .create_chargeback(CLAIM, &body("CreateChargebackRequest"))
        .await;
    let _ = c
        .create_chargeback_debit_mc(CLAIM, &body("CreateChargebackSingleRequest"))
        .await;
    let _ = c.create_chargeback_reversal(CLAIM, CHARGEBACK).await;
    let _ = c
        .create_chargeback_reversal_debit_mc(
            CLAIM,
            CHARGEBACK,
            &body("CreateChargebackSingleReversalRequest"),
        )
        .await;
    let _ = c.create_claim(&body("CreateClaimRequest")).await;
    let _ = c.create_fee(CLAIM, &body("CreateFeeRequest")).await;
    let _ = c
        .create_fee_debit_mc(CLAIM, &body("CreateFeeRequestSingle"))
        .await;
    let _ = c
        .create_fraud_master_card(CLAIM, &body("CreateFraudMasterCardRequest"))
        .await;
    let _ = c
        .create_retrieval_request(CLAIM, &body("CreateRetrievalRequest"))
        .await;
    let _ = c
        .create_retrieval_request_debit_mc(CLAIM, &body("CreateRetrievalRequestSingle"))
        .await;
    let _ = c
        .get_case_filing_doc(
            CASE,
            value("MERGED_PDF"),
            Some("memo with spaces & symbols"),
        )
        .await;
    let _ = c
        .get_chargeback_doc(CLAIM, CHARGEBACK, value("ORIGINAL"))
        .await;
    let _ = c
        .get_chargeback_doc_debit_mc(CLAIM, CHARGEBACK, value("ORIGINAL"))
        .await;
    let _ = c.get_claim_detail(CLAIM).await;
    let _ = c
        .get_data_for_create_chargeback(CLAIM, &body("LoadDataForChargebacksRequest"))
        .await;
    let _ = c
        .get_data_for_create_fee(CLAIM, &body("LoadDataForFeesRequest"))
        .await;
    let _ = c.get_data_for_create_fraud(CLAIM).await;
    let _ = c.get_data_for_create_retrieval_request(CLAIM).await;
    let queue: types::GetQueueSummaryQueueName = value("Received");
    let _ = c.get_queue_summary(&queue).await;
    let _ = c
        .get_queue_summary_post(&body("getQueueContentRequest"))
        .await;
    let _ = c.get_queues().await;
    let _ = c.get_retrieval_doc(CLAIM, REQUEST, value("ORIGINAL")).await;
    let _ = c
        .get_retrieval_doc_debit_mc(CLAIM, REQUEST, value("ORIGINAL"))
        .await;
    let _ = c.get_transaction_clearing_detail(CLAIM, TRANSACTION).await;
    let _ = c.healthcheck().await;
    let _ = c
        .issuer_response_retrieval_debit_mc_request(
            CLAIM,
            REQUEST,
            &body("IssuerFulfillmentRequest"),
        )
        .await;
    let _ = c
        .issuer_response_retrieval_request(CLAIM, REQUEST, &body("IssuerFulfillmentRequest"))
        .await;
    let _ = c
        .recon_report_data_acknowledge(&body("reconReportDataAcknowledgeRequest"))
        .await;
    let report: types::ReconReportDataRetrievalReportIdentifier =
        value("d1b0b3a2-5b2a-4c8e-9f51-2b6a7c1e0f33");
    let _ = c.recon_report_data_retrieval(&report).await;
    let _ = c.retrieve_authorization_detail(CLAIM, TRANSACTION).await;
    let _ = c
        .retrieve_case_filing_image_status(&body("CaseFilingImageStatusRequest"))
        .await;
    let _ = c
        .retrieve_case_filing_status(&body("CaseFilingStatusRequest"))
        .await;
    let _ = c
        .retrieve_chargeback_image_status(&body("ChargebackImageStatusRequest"))
        .await;
    let _ = c
        .retrieve_chargeback_image_status_debit_mc(&body("ChargebackImageStatusRequest"))
        .await;
    let _ = c
        .retrieve_chargeback_status(&body("ChargebackStatusRequest"))
        .await;
    let _ = c
        .retrieve_chargeback_status_debit_mc(&body("ChargebackStatusRequest"))
        .await;
    let _ = c.retrieve_claims(&body("CaseFilingClaimsRequest")).await;
    let _ = c
        .retrieve_fulfillment_debit_mc_image_status(&body("RetrievalsImageStatusRequest"))
        .await;
    let _ = c
        .retrieve_fulfillment_debit_mc_status(&body("RetrievalStatusRequest"))
        .await;
    let _ = c
        .retrieve_fulfillment_image_status(&body("RetrievalsImageStatusRequest"))
        .await;
    let _ = c
        .retrieve_fulfillment_status(&body("RetrievalStatusRequest"))
        .await;
    let _ = c.transaction_debit_mc_message_detail(CLAIM).await;
    let _ = c
        .transaction_message_search_debit_mc(&body("TransactionSingleSearchRequest"))
        .await;
    let _ = c
        .transaction_search(&body("TransactionSearchRequest"))
        .await;
    let _ = c.update_case_filing(CASE, &body("UpdateCaseRequest")).await;
    let _ = c
        .update_chargeback(CLAIM, CHARGEBACK, &body("UpdateChargebackRequest"))
        .await;
    let _ = c
        .update_chargeback_debit_mc(CLAIM, CHARGEBACK, &body("UpdateChargebackRequest"))
        .await;
}

/// The server saw 52 requests, one per operation, each verified, each signed with `method`.
fn assert_every_operation_verified(server: &SignedServer, method: SignatureMethod) {
    let seen = server.seen();
    server.assert_all_verified();
    assert_eq!(seen.len(), 52, "one request per call");

    let covered: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter(|operation| {
            seen.iter().any(|request| {
                request.method == operation.method && matches(operation.path, &request.path)
            })
        })
        .map(|operation| operation.rust_name)
        .collect();
    let missing: Vec<_> = OPERATIONS
        .iter()
        .map(|operation| operation.rust_name)
        .filter(|name| !covered.contains(name))
        .collect();
    assert_eq!(OPERATIONS.len(), 52);
    assert_eq!(covered.len(), 52, "not covered: {missing:?}");

    // The query string is part of what was signed and verified.
    let doc = seen
        .iter()
        .find(|request| request.path.ends_with(&format!("/cases/{CASE}/documents")))
        .unwrap();
    assert!(doc.query.as_deref().unwrap().contains("format=MERGED_PDF"));
    // Distinct nonces on every request.
    let nonces: BTreeSet<_> = seen
        .iter()
        .filter_map(|request| request.nonce.clone())
        .collect();
    assert_eq!(nonces.len(), 52);
    assert!(
        seen.iter()
            .all(|request| request.signature_method == Some(method)),
        "every request signed with {method}"
    );
}

#[tokio::test]
async fn all_52_operations_are_signed_and_verified() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    // Guard and retries off: this test is about the wire, and each event is sent once anyway.
    let client = server
        .builder()
        .disable_dispute_event_guard()
        .build()
        .unwrap();
    call_every_operation(&client).await;
    assert_every_operation_verified(&server, SignatureMethod::RsaSha256);
}

#[tokio::test]
async fn all_52_operations_are_signed_with_rsa_pss_and_verified() {
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let client = server
        .builder()
        .signature_method(SignatureMethod::RsaPss)
        .disable_dispute_event_guard()
        .build()
        .unwrap();
    call_every_operation(&client).await;
    assert_every_operation_verified(&server, SignatureMethod::RsaPss);
}

/// A client built with a provider and no key at all: both methods, every operation.
#[tokio::test]
async fn all_52_operations_are_signed_by_a_signature_provider_with_both_methods() {
    for method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
        let server =
            SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
        let provider = Arc::new(ExternalProvider::new(server.key.key.clone()));
        let client = keyless_builder(&server.base_url())
            .signature_provider(provider.clone())
            .signature_method(method)
            .disable_dispute_event_guard()
            .build()
            .unwrap();
        call_every_operation(&client).await;
        assert_every_operation_verified(&server, method);
        assert_eq!(provider.count(), 52, "{method}: one signature per request");
    }
}

#[tokio::test]
async fn a_request_signed_with_another_key_is_rejected_by_the_mock() {
    // Guards the test above: the mock really rejects a bad signature.
    let server =
        SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let other = support::test_key();
    let client = server.builder().signing_key_pem(other.pem).build().unwrap();
    let error = client.get_claim_detail(CLAIM).await.unwrap_err();
    // The mock's plain-text 401 is not a Mastercard error body, but its status survives.
    assert_eq!(error.kind(), mastercom::ErrorKind::Api);
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    assert!(error.mastercard_errors().is_empty());
    assert!(error.request_may_have_been_sent());
    assert!(server.seen()[0].verified.is_err());
}
