//! Every Mastercom operation answers a correctly signed, valid request with 200 (driven through
//! a realistic order so that each one has the state it needs), and tampering is refused with the
//! right reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeSet;

use mastercom::types as t;
use serde_json::{Value, json};
use support::{Env, Reply};

const PDF: &str = "JVBERi0xLjQKc2FuZGJveAo="; // "%PDF-1.4\nsandbox\n"

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_owned()
}

/// Deserialises a 200 body into the operation's generated response type.
fn check_shape(op: &str, body: &Value) {
    let v = body.clone();
    let result: Result<(), serde_json::Error> = match op {
        "Update Claim" => serde_json::from_value::<t::ClaimResponse>(v).map(drop),
        "acknowledgeChargebacks" => {
            serde_json::from_value::<t::ChargebackMarkProcessedResponse>(v).map(drop)
        }
        "acknowledgeChargebacksDebitMC" => {
            serde_json::from_value::<t::ChargebackMarkProcessedResponse>(v).map(drop)
        }
        "acqFulfillRetrievalRequest" => {
            serde_json::from_value::<t::AcquirerFulfillmentResponse>(v).map(drop)
        }
        "createCaseFiling" => serde_json::from_value::<t::CaseFilingResponse>(v).map(drop),
        "createChargeback" => serde_json::from_value::<t::ChargebackResponse>(v).map(drop),
        "createChargebackDebitMC" => serde_json::from_value::<t::ChargebackResponse>(v).map(drop),
        "createChargebackReversal" => serde_json::from_value::<t::ChargebackResponse>(v).map(drop),
        "createChargebackReversalDebitMC" => {
            serde_json::from_value::<t::ChargebackResponse>(v).map(drop)
        }
        "createClaim" => serde_json::from_value::<t::ClaimResponse>(v).map(drop),
        "createFee" => serde_json::from_value::<t::FeeResponse>(v).map(drop),
        "createFeeDebitMC" => serde_json::from_value::<t::FeeSingleResponse>(v).map(drop),
        "createFraudMasterCard" => serde_json::from_value::<t::FraudResponse>(v).map(drop),
        "createRetrievalRequest" => {
            serde_json::from_value::<t::CreateRetrievalResponse>(v).map(drop)
        }
        "createRetrievalRequestDebitMC" => {
            serde_json::from_value::<t::CreateRetrievalResponse>(v).map(drop)
        }
        "getCaseFilingDoc" => serde_json::from_value::<t::DocumentResponseStructure>(v).map(drop),
        "getChargebackDoc" => serde_json::from_value::<t::DocumentResponseStructure>(v).map(drop),
        "getChargebackDocDebitMC" => {
            serde_json::from_value::<t::DocumentResponseStructure>(v).map(drop)
        }
        "getClaimDetail" => serde_json::from_value::<t::ClaimDetail>(v).map(drop),
        "getDataForCreateChargeback" => {
            serde_json::from_value::<t::LoadDataForChargebackResponse>(v).map(drop)
        }
        "getDataForCreateFee" => serde_json::from_value::<t::LoadDataForFeeResponse>(v).map(drop),
        "getDataForCreateFraud" => {
            serde_json::from_value::<t::LoadDataForFraudResponse>(v).map(drop)
        }
        "getDataForCreateRetrievalRequest" => {
            serde_json::from_value::<t::LoadDataForRetrievalResponse>(v).map(drop)
        }
        "getQueueSummary" => serde_json::from_value::<Vec<t::ClaimSummary>>(v).map(drop),
        "getQueueSummaryPost" => serde_json::from_value::<t::QueueContentSummary>(v).map(drop),
        "getQueues" => serde_json::from_value::<Vec<t::Queue>>(v).map(drop),
        "getRetrievalDoc" => serde_json::from_value::<t::DocumentResponseStructure>(v).map(drop),
        "getRetrievalDocDebitMC" => {
            serde_json::from_value::<t::DocumentResponseStructure>(v).map(drop)
        }
        "getTransactionClearingDetail" => serde_json::from_value::<t::ClearingDetail>(v).map(drop),
        "healthcheck" => serde_json::from_value::<t::HealthCheckResponse>(v).map(drop),
        "issuerResponseRetrievalDebitMCRequest" => {
            serde_json::from_value::<t::RetrievalResponse>(v).map(drop)
        }
        "issuerResponseRetrievalRequest" => {
            serde_json::from_value::<t::RetrievalResponse>(v).map(drop)
        }
        "reconReportDataAcknowledge" => {
            serde_json::from_value::<t::ReconReportDataAcknowledgeResponse>(v).map(drop)
        }
        "reconReportDataRetrieval" => {
            serde_json::from_value::<t::ReconReportDataRetrivalResponse>(v).map(drop)
        }
        "retrieveAuthorizationDetail" => {
            serde_json::from_value::<t::AuthorizationDetail>(v).map(drop)
        }
        "retrieveCaseFilingImageStatus" => {
            serde_json::from_value::<t::CaseFilingImageStatusResponse>(v).map(drop)
        }
        "retrieveCaseFilingStatus" => {
            serde_json::from_value::<t::CaseFilingStatusResponse>(v).map(drop)
        }
        "retrieveChargebackImageStatus" => {
            serde_json::from_value::<t::ChargebackImageStatusResponse>(v).map(drop)
        }
        "retrieveChargebackImageStatusDebitMC" => {
            serde_json::from_value::<t::ChargebackImageStatusResponse>(v).map(drop)
        }
        "retrieveChargebackStatus" => {
            serde_json::from_value::<t::ChargebackStatusResponse>(v).map(drop)
        }
        "retrieveChargebackStatusDebitMC" => {
            serde_json::from_value::<t::ChargebackStatusResponse>(v).map(drop)
        }
        "retrieveClaims" => serde_json::from_value::<t::CaseFilingClaimsResponse>(v).map(drop),
        "retrieveFulfillmentDebitMCImageStatus" => {
            serde_json::from_value::<t::RetrievalsImageStatusResponse>(v).map(drop)
        }
        "retrieveFulfillmentDebitMCStatus" => {
            serde_json::from_value::<t::RetrievalStatusResponse>(v).map(drop)
        }
        "retrieveFulfillmentImageStatus" => {
            serde_json::from_value::<t::RetrievalsImageStatusResponse>(v).map(drop)
        }
        "retrieveFulfillmentStatus" => {
            serde_json::from_value::<t::RetrievalStatusResponse>(v).map(drop)
        }
        "transactionDebitMCMessageDetail" => {
            serde_json::from_value::<t::TransactionSingleMessageDetail>(v).map(drop)
        }
        "transactionMessageSearchDebitMC" => {
            serde_json::from_value::<t::TransactionSingleMessageSummaryList>(v).map(drop)
        }
        "transactionSearch" => serde_json::from_value::<t::TransactionSummary>(v).map(drop),
        "updateCaseFiling" => serde_json::from_value::<t::CaseFilingResponse>(v).map(drop),
        "updateChargeback" => serde_json::from_value::<t::ChargebackResponse>(v).map(drop),
        "updateChargebackDebitMC" => serde_json::from_value::<t::ChargebackResponse>(v).map(drop),
        other => panic!("no response type for {other}"),
    };
    result
        .unwrap_or_else(|e| panic!("{op}: 200 body does not match its response type: {e}: {body}"));
}

struct Run<'a> {
    env: &'a Env,
    seen: BTreeSet<&'static str>,
}

impl Run<'_> {
    async fn ok(
        &mut self,
        op: &'static str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let Reply {
            status,
            body: reply,
        } = self.env.call(method, path, body.as_ref()).await;
        assert_eq!(status, 200, "{op} {method} {path}: {reply}");
        // Make sure the request really hit the operation we think it did.
        let spec_path = path.split('?').next().unwrap();
        let matched = mastercom::OPERATIONS
            .iter()
            .find(|o| o.operation_id == op)
            .unwrap_or_else(|| panic!("{op} is not in OPERATIONS"));
        assert_eq!(matched.method, method, "{op}");
        let template: Vec<&str> = matched.path.split('/').collect();
        let actual: Vec<&str> = spec_path.split('/').collect();
        assert_eq!(
            template.len(),
            actual.len(),
            "{op}: {spec_path} vs {}",
            matched.path
        );
        for (t, a) in template.iter().zip(&actual) {
            assert!(
                t.starts_with('{') || t == a,
                "{op}: {spec_path} vs {}",
                matched.path
            );
        }
        check_shape(op, &reply);
        self.seen.insert(op);
        reply
    }
}

#[tokio::test]
async fn every_operation_answers_200_in_lifecycle_order() {
    let env = support::start().await;
    let mut r = Run {
        env: &env,
        seen: BTreeSet::new(),
    };
    // 30 days around the first seeded transaction (2024-03-14): the spec's longest range.
    let march = json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"});
    let wide = |status: &str| json!({"startDate": "2000-01-01", "endDate": "2100-01-01", "status": status});
    let doc = json!({"filename": "receipt.pdf", "file": PDF});

    r.ok("healthcheck", "GET", "/v6/healthcheck", None).await;
    let found = r
        .ok(
            "transactionSearch",
            "POST",
            "/v6/transactions/search",
            Some(march),
        )
        .await;
    assert_eq!(found["authorizationSummaryCount"], "1", "{found}");
    let clearing = found["authorizationSummary"][0]["clearingSummary"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = s(&found["authorizationSummary"][0], "transactionId");
    r.ok("transactionMessageSearchDebitMC", "POST", "/v6/transactions/debitmc/search",
        Some(json!({"primaryAccountNumber": "5154676300000001", "settlementFromDate": "2024-03-01", "settlementToDate": "2024-03-31"}))).await;

    let a = s(
        &r.ok(
            "createClaim",
            "POST",
            "/v6/claims",
            Some(json!({
        "claimType": "Standard", "clearingTransactionId": clearing, "authTransactionId": auth,
        "disputedAmount": "125.00", "disputedCurrency": "USD"})),
        )
        .await,
        "claimId",
    );
    r.ok("getClaimDetail", "GET", &format!("/v6/claims/{a}"), None)
        .await;
    r.ok(
        "getTransactionClearingDetail",
        "GET",
        &format!("/v6/claims/{a}/transactions/clearing/{clearing}"),
        None,
    )
    .await;
    r.ok(
        "retrieveAuthorizationDetail",
        "GET",
        &format!("/v6/claims/{a}/transactions/authorization/{auth}"),
        None,
    )
    .await;
    r.ok(
        "transactionDebitMCMessageDetail",
        "GET",
        &format!("/v6/{a}/transactions/debitmc/detail"),
        None,
    )
    .await;

    // Retrievals.
    r.ok(
        "getDataForCreateRetrievalRequest",
        "GET",
        &format!("/v6/claims/{a}/retrievalrequests/loaddataforretrievalrequests"),
        None,
    )
    .await;
    let req = s(
        &r.ok(
            "createRetrievalRequest",
            "POST",
            &format!("/v6/claims/{a}/retrievalrequests"),
            Some(json!({"docNeeded": "2", "retrievalRequestReason": "6343"})),
        )
        .await,
        "requestId",
    );
    r.ok(
        "acqFulfillRetrievalRequest",
        "POST",
        &format!("/v6/claims/{a}/retrievalrequests/{req}/fulfillments"),
        Some(json!({"acquirerResponseCd": "A", "memo": "receipt attached", "fileAttachment": doc})),
    )
    .await;
    let got = r
        .ok(
            "getRetrievalDoc",
            "GET",
            &format!("/v6/claims/{a}/retrievalrequests/{req}/documents?format=ORIGINAL"),
            None,
        )
        .await;
    // Documents come back as the spec describes them: a ZIP file, here of the one upload.
    let pdf = openssl::base64::decode_block(PDF).unwrap();
    assert_eq!(
        support::unzip::attachment(&got["fileAttachment"]),
        vec![("receipt.pdf".to_owned(), pdf.clone())]
    );
    r.ok(
        "issuerResponseRetrievalRequest",
        "POST",
        &format!("/v6/claims/{a}/retrievalrequests/{req}/fulfillments/response"),
        Some(json!({"issuerResponseCd": "APPROVE"})),
    )
    .await;
    let st = r
        .ok(
            "retrieveFulfillmentStatus",
            "PUT",
            "/v6/retrievalrequests/status",
            Some(json!({"retrievalList": [{"claimId": a, "requestId": req}]})),
        )
        .await;
    assert_eq!(st["retrievalResponseList"][0]["status"], "APPROVED");
    let img = r
        .ok(
            "retrieveFulfillmentImageStatus",
            "PUT",
            "/v6/retrievalrequests/imagestatus",
            Some(wide("COMPLETED")),
        )
        .await;
    assert_eq!(img["retrievalImageStatusList"].as_array().unwrap().len(), 1);

    // Debit Mastercard retrievals on a second claim.
    let b = s(
        &r.ok(
            "createClaim",
            "POST",
            "/v6/claims",
            Some(json!({
        "claimType": "Standard", "clearingTransactionId": "CLR-0000000002",
        "disputedAmount": "49.99", "disputedCurrency": "USD"})),
        )
        .await,
        "claimId",
    );
    let rb = s(&r.ok("createRetrievalRequestDebitMC", "POST", &format!("/v6/claims/{b}/retrievalrequests/debitmc"),
        Some(json!({"documentType": "2", "replacementAmount": "49.99", "reversalReasonCode": "1", "usageCode": "1"}))).await, "requestId");
    r.ok(
        "acqFulfillRetrievalRequest",
        "POST",
        &format!("/v6/claims/{b}/retrievalrequests/{rb}/fulfillments"),
        Some(json!({"acquirerResponseCd": "A", "fileAttachment": doc})),
    )
    .await;
    r.ok(
        "getRetrievalDocDebitMC",
        "GET",
        &format!("/v6/claims/{b}/retrievalrequests/debitmc/{rb}/documents?format=MERGED_PDF"),
        None,
    )
    .await;
    r.ok(
        "issuerResponseRetrievalDebitMCRequest",
        "POST",
        &format!("/v6/claims/{b}/retrievalrequests/debitmc/{rb}/fulfillments/response"),
        Some(json!({"issuerResponseCd": "REJECT_ILLEGIBLE_OR_MISSING", "rejectReasonCd": "A"})),
    )
    .await;
    r.ok(
        "retrieveFulfillmentDebitMCStatus",
        "PUT",
        "/v6/retrievalrequests/debitmc/status",
        Some(json!({"retrievalList": [{"claimId": b, "requestId": rb}]})),
    )
    .await;
    r.ok(
        "retrieveFulfillmentDebitMCImageStatus",
        "PUT",
        "/v6/retrievalrequests/debitmc/imagestatus",
        Some(wide("COMPLETED")),
    )
    .await;

    // Chargebacks: first chargeback, second presentment, arbitration chargeback, reversal.
    r.ok(
        "getDataForCreateChargeback",
        "POST",
        &format!("/v6/claims/{a}/chargebacks/loaddataforchargebacks"),
        Some(json!({"chargebackType": "CHARGEBACK"})),
    )
    .await;
    let cb = s(&r.ok("createChargeback", "POST", &format!("/v6/claims/{a}/chargebacks"), Some(json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD", "documentIndicator": "true",
        "reasonCode": "4853", "messageText": "goods not received", "fileAttachment": doc}))).await, "chargebackId");
    r.ok("updateChargeback", "PUT", &format!("/v6/claims/{a}/chargebacks/{cb}"),
        Some(json!({"memo": "second page", "fileAttachment": {"filename": "page2.pdf", "file": PDF}}))).await;
    let merged = r
        .ok(
            "getChargebackDoc",
            "GET",
            &format!("/v6/claims/{a}/chargebacks/{cb}/documents?format=MERGED_PDF"),
            None,
        )
        .await;
    // Both uploads, concatenated into one PDF entry named after the chargeback.
    assert_eq!(
        support::unzip::attachment(&merged["fileAttachment"]),
        vec![(format!("{cb}.pdf"), [pdf.clone(), pdf].concat())]
    );
    let ack = r
        .ok(
            "acknowledgeChargebacks",
            "PUT",
            "/v6/chargebacks/acknowledge",
            Some(json!({"chargebackList": [{"claimId": a, "chargebackId": cb}]})),
        )
        .await;
    assert_eq!(ack["chargebackResponseList"][0]["status"], "SUCCESS");
    let st = r
        .ok(
            "retrieveChargebackStatus",
            "PUT",
            "/v6/chargebacks/status",
            Some(json!({"chargebackList": [{"claimId": a, "chargebackId": cb}]})),
        )
        .await;
    assert_eq!(st["chargebackResponseList"][0]["status"], "WORKED");
    r.ok(
        "retrieveChargebackImageStatus",
        "PUT",
        "/v6/chargebacks/imagestatus",
        Some(wide("COMPLETED")),
    )
    .await;
    r.ok("createChargeback", "POST", &format!("/v6/claims/{a}/chargebacks"), Some(json!({
        "chargebackType": "SECOND_PRESENTMENT", "amount": "125.00", "currency": "USD", "documentIndicator": "true", "reasonCode": "2700"}))).await;
    let arb = s(&r.ok("createChargeback", "POST", &format!("/v6/claims/{a}/chargebacks"), Some(json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD", "documentIndicator": "false", "reasonCode": "4853"}))).await, "chargebackId");
    r.ok(
        "createChargebackReversal",
        "POST",
        &format!("/v6/claims/{a}/chargebacks/{arb}/reversal"),
        None,
    )
    .await;

    // Debit Mastercard chargebacks.
    let cbd = s(&r.ok("createChargebackDebitMC", "POST", &format!("/v6/claims/{b}/chargebacks/debitmc"), Some(json!({
        "brand": "MC", "replacementAmount": "49.99", "reversalReasonCode": "4853", "usageCode": "1", "fileAttachment": doc}))).await, "chargebackId");
    r.ok(
        "updateChargebackDebitMC",
        "PUT",
        &format!("/v6/claims/{b}/chargebacks/debitmc/{cbd}"),
        Some(json!({"memo": "note"})),
    )
    .await;
    r.ok(
        "getChargebackDocDebitMC",
        "GET",
        &format!("/v6/claims/{b}/chargebacks/debitmc/{cbd}/documents?format=ORIGINAL"),
        None,
    )
    .await;
    r.ok(
        "acknowledgeChargebacksDebitMC",
        "PUT",
        "/v6/chargebacks/debitmc/acknowledge",
        Some(json!({"chargebackList": [{"claimId": b, "chargebackId": cbd}]})),
    )
    .await;
    r.ok(
        "retrieveChargebackStatusDebitMC",
        "PUT",
        "/v6/chargebacks/debitmc/status",
        Some(json!({"chargebackList": [{"claimId": b, "chargebackId": cbd}]})),
    )
    .await;
    r.ok(
        "retrieveChargebackImageStatusDebitMC",
        "PUT",
        "/v6/chargebacks/debitmc/imagestatus",
        Some(wide("COMPLETED")),
    )
    .await;
    r.ok(
        "createChargebackReversalDebitMC",
        "POST",
        &format!("/v6/claims/{b}/chargebacks/debitmc/{cbd}/reversal"),
        Some(json!({"replacementAmount": "49.99", "reversalReasonCode": "03"})),
    )
    .await;

    // Fees and fraud.
    r.ok(
        "getDataForCreateFee",
        "POST",
        &format!("/v6/claims/{a}/fees/loaddataforfees"),
        Some(json!({})),
    )
    .await;
    r.ok("createFee", "POST", &format!("/v6/claims/{a}/fee"), Some(json!({
        "creditReceiver": false, "creditSender": true, "currency": "USD", "destinationMember": "001234",
        "feeAmount": "10.00", "feeDate": "2024-03-20", "reason": "7600"}))).await;
    r.ok("createFeeDebitMC", "POST", &format!("/v6/claims/{b}/fee/debitmc"), Some(json!({
        "acquirerCustomerId": "1234", "conditionIndicator": "A", "controlNumber": "1", "functionCode": "700",
        "handlingFee": "5.00", "reasonCode": "22"}))).await;
    r.ok(
        "getDataForCreateFraud",
        "GET",
        &format!("/v6/claims/{a}/fraud/loaddataforfraud"),
        None,
    )
    .await;
    r.ok("createFraudMasterCard", "POST", &format!("/v6/claims/{a}/fraud/mastercard"), Some(json!({
        "chgbkIndicator": "1", "cvcInvalidIndicator": "Y", "fraudType": "04", "reportDate": "2024-03-20", "subType": "N"}))).await;

    // Case filing.
    let detail = env.call("GET", &format!("/v6/claims/{a}"), None).await.body;
    let ref_num = s(&detail["chargebackDetails"][0], "chargebackRefNum");
    let case = s(&r.ok("createCaseFiling", "POST", "/v6/cases", Some(json!({
        "caseType": "1", "chargebackReasonCode": "4863", "chargebackRefNum": [ref_num], "currencyCode": "USD",
        "disputeAmount": "125.00", "filedAgainstIca": "1234", "filingAs": "I", "filingIca": "5678",
        "memo": "pre-arbitration", "fileAttachment": doc}))).await, "caseId");
    r.ok(
        "updateCaseFiling",
        "PUT",
        &format!("/v6/cases/{case}"),
        Some(json!({"action": "REJECT", "memo": "no"})),
    )
    .await;
    r.ok(
        "getCaseFilingDoc",
        "GET",
        &format!("/v6/cases/{case}/documents?format=ORIGINAL"),
        None,
    )
    .await;
    let st = r
        .ok(
            "retrieveCaseFilingStatus",
            "PUT",
            "/v6/cases/status",
            Some(json!({"caseFilingList": [{"caseId": case}]})),
        )
        .await;
    assert_eq!(st["caseFilingResponseList"][0]["status"], "REJECTED");
    r.ok(
        "retrieveCaseFilingImageStatus",
        "PUT",
        "/v6/cases/imagestatus",
        Some(wide("COMPLETED")),
    )
    .await;
    let claims = r
        .ok(
            "retrieveClaims",
            "PUT",
            "/v6/cases/retrieve/claims",
            Some(json!({"caseFilingList": [{"caseId": case, "isIssuer": true}]})),
        )
        .await;
    assert_eq!(claims["caseFilingResponseList"][0]["claimId"], a.as_str());

    // Queues, reconciliation, closing.
    r.ok("getQueues", "GET", "/v6/queues/names", None).await;
    r.ok(
        "getQueueSummary",
        "GET",
        "/v6/queues?queue-name=Unworked",
        None,
    )
    .await;
    r.ok(
        "getQueueSummaryPost",
        "POST",
        "/v6/queues",
        Some(json!({"queueName": "Unworked"})),
    )
    .await;
    let report = s(
        &r.ok(
            "reconReportDataAcknowledge",
            "POST",
            "/v6/reconreport/data/request",
            Some(json!({"startDate": "2000-01-01", "endDate": "2100-01-01"})),
        )
        .await,
        "reportIdentifier",
    );
    let data = r
        .ok(
            "reconReportDataRetrieval",
            "POST",
            &format!("/v6/reconreport/data/retrieval/{report}"),
            None,
        )
        .await;
    // `data` is the CSV, base64-encoded as the spec says.
    let csv = openssl::base64::decode_block(data["data"].as_str().unwrap()).unwrap();
    assert!(String::from_utf8(csv).unwrap().contains(&a));
    assert_eq!(data["status"], "Available");
    r.ok(
        "Update Claim",
        "PUT",
        &format!("/v6/claims/{a}"),
        Some(json!({"action": "CLOSE", "closeClaimReasonCode": "10"})),
    )
    .await;

    let all: BTreeSet<&str> = mastercom::OPERATIONS
        .iter()
        .map(|o| o.operation_id)
        .collect();
    let missing: Vec<_> = all.difference(&r.seen).collect();
    assert!(missing.is_empty(), "operations not exercised: {missing:?}");
    assert_eq!(r.seen.len(), 52);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn tampering_is_refused_with_the_right_reason() {
    let env = support::start().await;
    let url = env.url("/v6/transactions/search");
    let body =
        serde_json::to_vec(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"}))
            .unwrap();

    let ok = env.send_raw("POST", &url, body.clone(), |a| a).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    // One byte of the body changed after signing.
    let auth = env
        .signer
        .sign(&mastercard_oauth1::Request::new("POST", &url, &body))
        .unwrap()
        .authorization;
    let mut altered = body.clone();
    altered[20] ^= 0x01;
    let reply = env.send_signed("POST", &url, altered, &auth).await;
    assert_eq!(reply.status, 401);
    let error = &reply.body["Errors"][0];
    assert_eq!(error["Source"], "Gateway");
    assert_eq!(error["ReasonCode"], "BODY_HASH_MISMATCH", "{error}");
    assert_eq!(error["Recoverable"], false);
    assert!(
        error["Description"].as_str().unwrap().contains("body_hash"),
        "{error}"
    );

    // One byte of the URL changed after signing (same body).
    let auth = env
        .signer
        .sign(&mastercard_oauth1::Request::new("POST", &url, &body))
        .unwrap()
        .authorization;
    let other_url = url.replace("/search", "/searcH");
    let reply = env
        .send_signed("POST", &other_url, body.clone(), &auth)
        .await;
    assert_eq!(
        reply.status, 404,
        "unknown path is not an operation: {}",
        reply.body
    );
    let query_url = format!("{url}?a=1");
    let auth = env
        .signer
        .sign(&mastercard_oauth1::Request::new("POST", &query_url, &body))
        .unwrap()
        .authorization;
    let reply = env
        .send_signed("POST", &format!("{url}?a=2"), body.clone(), &auth)
        .await;
    assert_eq!(reply.status, 401);
    let error = &reply.body["Errors"][0];
    assert_eq!(error["ReasonCode"], "SIGNATURE_MISMATCH", "{error}");
    let description = error["Description"].as_str().unwrap();
    assert!(
        description.contains("POST&https%3A%2F%2F127.0.0.1"),
        "base string shown: {description}"
    );
    assert!(
        description.contains("a%3D2"),
        "base string of the request as received: {description}"
    );

    // One byte of a path parameter changed: authentication fails before any lookup.
    let signed_url = env.url("/v6/claims/123456");
    let auth = env
        .signer
        .sign(&mastercard_oauth1::Request::new("GET", &signed_url, b""))
        .unwrap()
        .authorization;
    let reply = env
        .send_signed("GET", &env.url("/v6/claims/123457"), Vec::new(), &auth)
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["Errors"][0]["ReasonCode"], "SIGNATURE_MISMATCH",
        "{}",
        reply.body
    );
    assert!(
        reply.body["Errors"][0]["Description"]
            .as_str()
            .unwrap()
            .contains("%2Fv6%2Fclaims%2F123457"),
        "{}",
        reply.body
    );

    // One byte of the signature in the Authorization header changed.
    let reply = env
        .send_raw("POST", &url, body.clone(), |auth| {
            let start = auth.find("oauth_signature=\"").unwrap() + "oauth_signature=\"".len();
            // A letter well inside the base64 (not part of a %XX escape, not the padding).
            let at = (start + 5..)
                .find(|&i| {
                    let b = auth.as_bytes();
                    b[i].is_ascii_alphabetic() && b[i - 1] != b'%' && b[i - 2] != b'%'
                })
                .unwrap();
            let mut bytes = auth.into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).unwrap()
        })
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["Errors"][0]["ReasonCode"], "SIGNATURE_MISMATCH",
        "{}",
        reply.body
    );

    // The consumer key changed.
    let reply = env
        .send_raw("POST", &url, body.clone(), |auth| {
            // The key is generated per state directory: prefix whatever it is.
            auth.replace("oauth_consumer_key=\"", "oauth_consumer_key=\"x")
        })
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["Errors"][0]["ReasonCode"], "UNKNOWN_CONSUMER_KEY",
        "{}",
        reply.body
    );

    // A replayed request (same nonce).
    let auth = env
        .signer
        .sign(&mastercard_oauth1::Request::new("POST", &url, &body))
        .unwrap()
        .authorization;
    assert_eq!(
        env.send_signed("POST", &url, body.clone(), &auth)
            .await
            .status,
        200
    );
    let reply = env.send_signed("POST", &url, body.clone(), &auth).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["Errors"][0]["ReasonCode"], "REPLAYED_NONCE",
        "{}",
        reply.body
    );

    // No signature at all.
    let reply = env
        .http
        .post(&url)
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn invalid_bodies_get_field_level_400s() {
    let env = support::start().await;
    let reply = env
        .call(
            "POST",
            "/v6/claims",
            Some(
                &json!({"claimType": "Standard", "disputedAmount": "1", "disputedCurrency": "USD"}),
            ),
        )
        .await;
    assert_eq!(reply.status, 400);
    let error = &reply.body["Errors"][0];
    assert_eq!(error["ReasonCode"], "MISSING_REQUIRED_FIELD");
    assert_eq!(
        error["Details"][0]["Name"], "clearingTransactionId",
        "{error}"
    );

    let reply = env.call("POST", "/v6/claims", Some(&json!({"claimType": "Premium", "clearingTransactionId": "CLR-0000000001", "disputedAmount": "1", "disputedCurrency": "USD"}))).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["Errors"][0]["ReasonCode"], "INVALID_FIELD_VALUE");
    assert_eq!(
        reply.body["Errors"][0]["Details"][0]["Name"], "claimType",
        "{}",
        reply.body
    );

    // maxLength: reasonCode is at most 4 characters.
    let claim = env.call("POST", "/v6/claims", Some(&json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000001", "disputedAmount": "1", "disputedCurrency": "USD"}))).await;
    let id = claim.body["claimId"].as_str().unwrap();
    let reply = env.call("POST", &format!("/v6/claims/{id}/chargebacks"), Some(&json!({
        "chargebackType": "CHARGEBACK", "amount": "1", "currency": "USD", "documentIndicator": "false", "reasonCode": "48530"}))).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.body["Errors"][0]["Details"][0]["Name"], "reasonCode",
        "{}",
        reply.body
    );

    let reply = env
        .call("POST", "/v6/transactions/search", Some(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31", "transAmountFrom": "ten"})))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["Errors"][0]["Details"][0]["Name"], "transAmountFrom",
        "{}",
        reply.body
    );
    // 31 days between the dates is one over the spec's maximum; 30 (above) is answered.
    let reply = env
        .call(
            "POST",
            "/v6/transactions/search",
            Some(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-04-01"})),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.body["Errors"][0]["Details"][0]["Name"], "tranEndDate",
        "{}",
        reply.body
    );
    // Within 30 days: 2024-03-14 (125.00) is in the amount range, 2024-05-02 (49.99) is not.
    let reply = env
        .call("POST", "/v6/transactions/search", Some(&json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31", "transAmountFrom": "100", "transAmountTo": "999.99"})))
        .await;
    assert_eq!(
        reply.body["authorizationSummaryCount"], "1",
        "{}",
        reply.body
    );
    let reply = env
        .call("POST", "/v6/transactions/search", Some(&json!({"tranStartDate": "2024-04-15", "tranEndDate": "2024-05-15", "transAmountFrom": "100", "transAmountTo": "999.99"})))
        .await;
    assert_eq!(
        reply.body["authorizationSummaryCount"], "0",
        "{}",
        reply.body
    );

    // Unknown transaction and unknown claim.
    let reply = env.call("POST", "/v6/claims", Some(&json!({"claimType": "Standard", "clearingTransactionId": "nope", "disputedAmount": "1", "disputedCurrency": "USD"}))).await;
    assert_eq!(reply.status, 400);
    let reply = env.call("GET", "/v6/claims/999", None).await;
    assert_eq!(reply.status, 404);
    env.sandbox.shutdown().await;
}
