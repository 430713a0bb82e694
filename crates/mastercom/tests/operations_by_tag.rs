#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! One or more operations per Mastercom tag, against a local wiremock server.
//!
//! Every test starts its own `MockServer` (tests run in parallel), builds the generated client
//! with a `/mastercom` base-URL prefix, and for each call:
//!
//! * mounts a mock whose matchers require the exact method, path, query pairs, `api-version`
//!   header and (for bodies) `Content-Type: application/json` plus the exact JSON body;
//! * after the call, inspects `received_requests()` and asserts the same things again, this time
//!   exactly (no extra query pairs, body compared as parsed JSON, no body where none is expected);
//! * asserts fields of the typed 200 response, then answers the same call with a Mastercom error
//!   body and asserts it surfaces as `progenitor_client::Error::ErrorResponse` with typed `Errors`.

use std::fmt::Debug;

use mastercom::types;
use mastercom::{Client, CvcInvalidIndicator};
use progenitor_client::{Error, ResponseValue};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

// Values from the examples in the Mastercom v6 spec.
const CLAIM_ID: &str = "200002020654";
const CHARGEBACK_ID: &str = "300018439680";
const CASE_ID: &str = "536092";
const REQUEST_ID: &str = "300002296235";
const REPORT_ID: &str = "123e4567-e89b-42d3-a456-556642440000";
const ERROR_REQUEST_ID: &str = "f43f5b78-bc99-1f2a-8742-972238eac271";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The generated client, pointed at the mock server with the `/mastercom` prefix.
fn client(server: &MockServer) -> Client {
    mastercard_testkit::bare_client::against(
        &format!("{}/mastercom", server.uri()),
        Client::new_with_client,
    )
}

/// One HTTP request the client is expected to send.
struct Exchange {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, &'static str)>,
    body: Option<Value>,
}

impl Exchange {
    fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    fn query(mut self, name: &'static str, value: &'static str) -> Self {
        self.query.push((name, value));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Forgets earlier mocks and requests, then answers exactly this request with `response`.
    async fn mount(&self, server: &MockServer, response: ResponseTemplate) {
        server.reset().await;
        let mut mock = Mock::given(method(self.method))
            .and(path(self.path.as_str()))
            .and(header("api-version", "v6"));
        for (name, value) in &self.query {
            mock = mock.and(query_param(*name, *value));
        }
        if let Some(body) = &self.body {
            mock = mock
                .and(header("content-type", "application/json"))
                .and(body_json(body));
        }
        mock.respond_with(response)
            .expect(1)
            .named(format!("{} {}", self.method, self.path))
            .mount(server)
            .await;
    }

    /// Asserts that exactly this one request reached the server, field by field.
    async fn assert_sent(&self, server: &MockServer) {
        server.verify().await;
        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
        let request = &requests[0];

        assert_eq!(request.method.as_str(), self.method, "HTTP method");
        assert_eq!(
            request.url.path(),
            self.path,
            "path incl. /mastercom prefix"
        );

        let mut sent_query: Vec<(String, String)> =
            request.url.query_pairs().into_owned().collect();
        sent_query.sort();
        let mut expected_query: Vec<(String, String)> = self
            .query
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        expected_query.sort();
        assert_eq!(sent_query, expected_query, "query pairs of {}", request.url);

        assert_eq!(header_value(request, "api-version"), Some("v6"));
        assert_eq!(header_value(request, "accept"), Some("application/json"));

        match &self.body {
            Some(expected) => {
                assert_eq!(
                    header_value(request, "content-type"),
                    Some("application/json")
                );
                let sent: Value = serde_json::from_slice(&request.body).expect("body is JSON");
                assert_eq!(&sent, expected, "JSON body");
            }
            None => {
                assert!(
                    request.body.is_empty(),
                    "no body expected: {:?}",
                    request.body
                );
                assert_eq!(header_value(request, "content-type"), None);
            }
        }
    }
}

fn header_value<'r>(request: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|value| value.to_str().expect("ASCII header"))
}

fn ok_json(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A Mastercom error answer: status plus the one `Error` in the `Errors` body.
#[derive(Debug, Clone, Copy)]
struct MastercomError {
    status: u16,
    source: &'static str,
    reason_code: &'static str,
    description: &'static str,
    recoverable: bool,
    detail: (&'static str, &'static str),
}

impl MastercomError {
    fn response(&self) -> ResponseTemplate {
        ResponseTemplate::new(self.status).set_body_json(json!({
            "Errors": [{
                "RequestId": ERROR_REQUEST_ID,
                "Source": self.source,
                "ReasonCode": self.reason_code,
                "Description": self.description,
                "Recoverable": self.recoverable,
                "Details": [{ "Name": self.detail.0, "Value": self.detail.1 }]
            }]
        }))
    }

    /// Asserts `result` is the typed `Errors` body this error was answered with.
    fn assert_is<T: Debug>(&self, result: Result<ResponseValue<T>, Error<types::Errors>>) {
        let response = match result {
            Err(Error::ErrorResponse(response)) => response,
            other => panic!(
                "expected a typed {} Mastercom error, got {other:?}",
                self.status
            ),
        };
        assert_eq!(response.status().as_u16(), self.status);
        let errors = response.into_inner().errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        let error = &errors[0];
        assert_eq!(error.request_id.as_deref(), Some(ERROR_REQUEST_ID));
        assert_eq!(error.source.as_deref(), Some(self.source));
        assert_eq!(error.reason_code.as_deref(), Some(self.reason_code));
        assert_eq!(error.description.as_deref(), Some(self.description));
        assert_eq!(error.recoverable, self.recoverable);
        assert_eq!(error.details.len(), 1, "{:?}", error.details);
        assert_eq!(error.details[0].name.as_deref(), Some(self.detail.0));
        assert_eq!(error.details[0].value.as_deref(), Some(self.detail.1));
    }
}

const BAD_REQUEST: MastercomError = MastercomError {
    status: 400,
    source: "reasonCode",
    reason_code: "INVALID_VALUE",
    description: "Invalid request.",
    recoverable: false,
    detail: ("ErrorDetailCode", "050007"),
};

const UNAUTHORIZED: MastercomError = MastercomError {
    status: 401,
    source: "Gateway",
    reason_code: "UNAUTHORIZED",
    description: "We could not authenticate the request.",
    recoverable: false,
    detail: ("ErrorDetailCode", "050001"),
};

const FORBIDDEN: MastercomError = MastercomError {
    status: 403,
    source: "SYSTEM",
    reason_code: "ACCESS_DENIED",
    description: "The ICA is not authorised for this claim.",
    recoverable: false,
    detail: ("ica", "001234"),
};

const NOT_FOUND: MastercomError = MastercomError {
    status: 404,
    source: "claimId",
    reason_code: "NOT_FOUND",
    description: "Claim not found.",
    recoverable: false,
    detail: ("claimId", CLAIM_ID),
};

const SERVER_ERROR: MastercomError = MastercomError {
    status: 500,
    source: "SYSTEM",
    reason_code: "SYSTEM_ERROR",
    description: "An unexpected error occurred; try again later.",
    recoverable: true,
    detail: ("ErrorDetailCode", "050099"),
};

const EVERY_ERROR_STATUS: [MastercomError; 5] = [
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    SERVER_ERROR,
];

// ---------------------------------------------------------------------------------------------
// Case Filing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn case_filing_get_case_filing_doc_sends_query_params() {
    let server = MockServer::start().await;
    let client = client(&server);
    let path = format!("/mastercom/v6/cases/{CASE_ID}/documents");

    // Both query parameters, one with a space that must be encoded and decoded back.
    let with_memo = Exchange::new("GET", &path)
        .query("format", "MERGED_PDF")
        .query("memo", "case documents");
    with_memo
        .mount(
            &server,
            ok_json(json!({
                "fileAttachment": { "filename": "536092.pdf", "file": "JVBERi0xLjQK" }
            })),
        )
        .await;
    let doc = client
        .get_case_filing_doc(
            CASE_ID,
            types::GetCaseFilingDocFormat::MergedPdf,
            Some("case documents"),
        )
        .await
        .expect("200 parses");
    with_memo.assert_sent(&server).await;
    assert_eq!(doc.status().as_u16(), 200);
    let attachment = doc.into_inner().file_attachment.expect("fileAttachment");
    assert_eq!(attachment.filename.as_deref(), Some("536092.pdf"));
    assert_eq!(attachment.file.as_deref(), Some("JVBERi0xLjQK"));

    // The optional `memo` is left out of the query when `None`.
    let without_memo = Exchange::new("GET", &path).query("format", "ORIGINAL");
    without_memo.mount(&server, NOT_FOUND.response()).await;
    let result = client
        .get_case_filing_doc(CASE_ID, types::GetCaseFilingDocFormat::Original, None)
        .await;
    without_memo.assert_sent(&server).await;
    NOT_FOUND.assert_is(result);
}

#[tokio::test]
async fn case_filing_update_case_filing_sends_path_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::UpdateCaseRequest {
        action: types::UpdateCaseRequestAction::Rebut,
        doc_retry_as: None,
        file_attachment: Some(types::DocumentStructure {
            file: Some("This is an image file stored in a base64 encoded string".to_owned()),
            filename: Some("testimage111111.tif".parse().unwrap()),
        }),
        memo: Some("This is a test memo".parse().unwrap()),
        rebutted_as: Some(types::UpdateCaseRequestRebuttedAs::Snd),
    };
    let exchange = Exchange::new("PUT", format!("/mastercom/v6/cases/{CASE_ID}")).json(json!({
        "action": "REBUT",
        "fileAttachment": {
            "filename": "testimage111111.tif",
            "file": "This is an image file stored in a base64 encoded string"
        },
        "memo": "This is a test memo",
        "rebuttedAs": "SND"
    }));

    exchange
        .mount(&server, ok_json(json!({ "caseId": CASE_ID })))
        .await;
    let case = client
        .update_case_filing(CASE_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(case.into_inner().case_id.as_deref(), Some(CASE_ID));

    exchange.mount(&server, BAD_REQUEST.response()).await;
    let result = client.update_case_filing(CASE_ID, &body).await;
    exchange.assert_sent(&server).await;
    BAD_REQUEST.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Chargebacks
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn chargebacks_create_chargeback_parses_added_error_responses() {
    let server = MockServer::start().await;
    let client = client(&server);
    // The spec's `CreateCBChargeback` example.
    let body = types::CreateChargebackRequest {
        acknowledge_first_party_trust_evidence: Some(false),
        amount: "100.00".to_owned(),
        chargeback_ebdf_documents: None,
        chargeback_type: types::CreateChargebackRequestChargebackType::Chargeback,
        cred_posted_as_purchase: Some(false),
        currency: "USD".parse().unwrap(),
        dispute_chargeback_id: None,
        document_indicator: "false".to_owned(),
        edit_exclusion_code: Some("BO".parse().unwrap()),
        file_attachment: None,
        include_currency_conversion_assessment_cca: Some("true".to_owned()),
        installment_fee: Some("1.20".parse().unwrap()),
        is_partial_chargeback: Some(false),
        local_tax1_iva: Some("0.60".parse().unwrap()),
        message_text: Some("This is a test message text".parse().unwrap()),
        reason_code: "4853".parse().unwrap(),
        refund_not_received_indicator: Some("true".parse().unwrap()),
        settlement_date: Some("2021-09-22".to_owned()),
    };
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/claims/{CLAIM_ID}/chargebacks"),
    )
    .json(json!({
        "acknowledgeFirstPartyTrustEvidence": false,
        "amount": "100.00",
        "chargebackType": "CHARGEBACK",
        "credPostedAsPurchase": false,
        "currency": "USD",
        "documentIndicator": "false",
        "editExclusionCode": "BO",
        "includeCurrencyConversionAssessmentCCA": "true",
        "installmentFee": "1.20",
        "isPartialChargeback": false,
        "localTax1IVA": "0.60",
        "messageText": "This is a test message text",
        "reasonCode": "4853",
        "refundNotReceivedIndicator": "true",
        "settlementDate": "2021-09-22"
    }));

    exchange
        .mount(&server, ok_json(json!({ "chargebackId": CHARGEBACK_ID })))
        .await;
    let chargeback = client
        .create_chargeback(CLAIM_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(
        chargeback.into_inner().chargeback_id.as_deref(),
        Some(CHARGEBACK_ID)
    );

    // The spec documents only 200 here; the transform added 400/401/403/404/500 → Errors.
    for error in EVERY_ERROR_STATUS {
        exchange.mount(&server, error.response()).await;
        let result = client.create_chargeback(CLAIM_ID, &body).await;
        exchange.assert_sent(&server).await;
        error.assert_is(result);
    }
}

// ---------------------------------------------------------------------------------------------
// Chargebacks (Debit MasterCard and Europe Dual Acquirer)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn chargebacks_debit_mc_create_chargeback_reversal_debit_mc_parses_added_error_responses() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::CreateChargebackSingleReversalRequest {
        control_number: Some("99999".to_owned()),
        replacement_amount: "100.00".to_owned(),
        reversal_reason_code: types::CreateChargebackSingleReversalRequestReversalReasonCode::X03,
    };
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/claims/{CLAIM_ID}/chargebacks/debitmc/{CHARGEBACK_ID}/reversal"),
    )
    .json(json!({
        "controlNumber": "99999",
        "replacementAmount": "100.00",
        "reversalReasonCode": "03"
    }));

    exchange
        .mount(&server, ok_json(json!({ "chargebackId": "300018439681" })))
        .await;
    let reversal = client
        .create_chargeback_reversal_debit_mc(CLAIM_ID, CHARGEBACK_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(
        reversal.into_inner().chargeback_id.as_deref(),
        Some("300018439681")
    );

    for error in EVERY_ERROR_STATUS {
        exchange.mount(&server, error.response()).await;
        let result = client
            .create_chargeback_reversal_debit_mc(CLAIM_ID, CHARGEBACK_ID, &body)
            .await;
        exchange.assert_sent(&server).await;
        error.assert_is(result);
    }
}

// ---------------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn claims_update_claim_sends_path_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::UpdateClaimRequest {
        action: types::UpdateClaimRequestAction::Close,
        close_claim_reason_code: Some(types::UpdateClaimRequestCloseClaimReasonCode::X10),
        open_claim_due_date: None,
    };
    let exchange = Exchange::new("PUT", format!("/mastercom/v6/claims/{CLAIM_ID}"))
        .json(json!({ "action": "CLOSE", "closeClaimReasonCode": "10" }));

    exchange
        .mount(&server, ok_json(json!({ "claimId": CLAIM_ID })))
        .await;
    let claim = client
        .update_claim(CLAIM_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(claim.into_inner().claim_id.as_deref(), Some(CLAIM_ID));

    exchange.mount(&server, FORBIDDEN.response()).await;
    let result = client.update_claim(CLAIM_ID, &body).await;
    exchange.assert_sent(&server).await;
    FORBIDDEN.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn fees_create_fee_sends_path_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::CreateFeeRequest {
        card_acceptor_id_code: None,
        card_number: Some("5488888888887192".parse().unwrap()),
        country_code: Some("USA".parse().unwrap()),
        credit_receiver: false,
        credit_sender: true,
        currency: "USD".parse().unwrap(),
        destination_member: "002222".to_owned(),
        fee_amount: "15.00".to_owned(),
        fee_date: "2021-02-15".to_owned(),
        fee_type: None,
        mastercom_control_number: None,
        message: Some("This is a test message".parse().unwrap()),
        reason: "7614".parse().unwrap(),
        reply_fee_id: None,
        settlement_date: None,
    };
    let exchange =
        Exchange::new("POST", format!("/mastercom/v6/claims/{CLAIM_ID}/fee")).json(json!({
            "cardNumber": "5488888888887192",
            "countryCode": "USA",
            "creditReceiver": false,
            "creditSender": true,
            "currency": "USD",
            "destinationMember": "002222",
            "feeAmount": "15.00",
            "feeDate": "2021-02-15",
            "message": "This is a test message",
            "reason": "7614"
        }));

    exchange
        .mount(&server, ok_json(json!({ "feeId": "300018439680" })))
        .await;
    let fee = client
        .create_fee(CLAIM_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(fee.into_inner().fee_id.as_deref(), Some("300018439680"));

    exchange.mount(&server, BAD_REQUEST.response()).await;
    let result = client.create_fee(CLAIM_ID, &body).await;
    exchange.assert_sent(&server).await;
    BAD_REQUEST.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Fees (Debit MasterCard and Europe Dual Acquirer)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn fees_debit_mc_create_fee_debit_mc_sends_path_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::CreateFeeRequestSingle {
        acquirer_customer_id: "002222".to_owned(),
        condition_indicator: types::CreateFeeRequestSingleConditionIndicator::A,
        control_number: "99999".to_owned(),
        decline_date: None,
        function_code: types::CreateFeeRequestSingleFunctionCode::X700,
        handling_fee: "15.00".to_owned(),
        issuer_customer_id: Some("001234".to_owned()),
        reason_code: types::CreateFeeRequestSingleReasonCode::X22,
    };
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/claims/{CLAIM_ID}/fee/debitmc"),
    )
    .json(json!({
        "acquirerCustomerId": "002222",
        "conditionIndicator": "A",
        "controlNumber": "99999",
        "functionCode": "700",
        "handlingFee": "15.00",
        "issuerCustomerID": "001234",
        "reasonCode": "22"
    }));

    exchange
        .mount(&server, ok_json(json!({ "status": "SUCCESS" })))
        .await;
    let fee = client
        .create_fee_debit_mc(CLAIM_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(fee.into_inner().status.as_deref(), Some("SUCCESS"));

    exchange.mount(&server, SERVER_ERROR.response()).await;
    let result = client.create_fee_debit_mc(CLAIM_ID, &body).await;
    exchange.assert_sent(&server).await;
    SERVER_ERROR.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Fraud
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn fraud_create_fraud_master_card_sends_question_mark_cvc_indicator() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::CreateFraudMasterCardRequest {
        acct_status: Some(types::CreateFraudMasterCardRequestAcctStatus::AcctIsOpen),
        chgbk_indicator: types::CreateFraudMasterCardRequestChgbkIndicator::X1,
        cvc_invalid_indicator: CvcInvalidIndicator::QuestionMark,
        device_type: None,
        fraud_type: types::CreateFraudMasterCardRequestFraudType::X04,
        report_date: "2021-02-15".to_owned(),
        sub_type: types::CreateFraudMasterCardRequestSubType::K,
    };
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/claims/{CLAIM_ID}/fraud/mastercard"),
    )
    .json(json!({
        "acctStatus": "ACCT_IS_OPEN",
        "chgbkIndicator": "1",
        "cvcInvalidIndicator": "?",
        "fraudType": "04",
        "reportDate": "2021-02-15",
        "subType": "K"
    }));

    exchange
        .mount(&server, ok_json(json!({ "fraudId": "300018014812" })))
        .await;
    let fraud = client
        .create_fraud_master_card(CLAIM_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(fraud.into_inner().fraud_id.as_deref(), Some("300018014812"));

    exchange.mount(&server, BAD_REQUEST.response()).await;
    let result = client.create_fraud_master_card(CLAIM_ID, &body).await;
    exchange.assert_sent(&server).await;
    BAD_REQUEST.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Health Check
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn health_check_healthcheck_sends_no_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let exchange = Exchange::new("GET", "/mastercom/v6/healthcheck");

    exchange
        .mount(&server, ok_json(json!({ "status": "true" })))
        .await;
    let health = client.healthcheck().await.expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(health.into_inner().status.as_deref(), Some("true"));

    exchange.mount(&server, SERVER_ERROR.response()).await;
    let result = client.healthcheck().await;
    exchange.assert_sent(&server).await;
    SERVER_ERROR.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn queues_get_queue_summary_sends_queue_name_query() {
    let server = MockServer::start().await;
    let client = client(&server);
    let queue: types::GetQueueSummaryQueueName = "Rejects".parse().unwrap();
    let exchange = Exchange::new("GET", "/mastercom/v6/queues").query("queue-name", "Rejects");

    exchange
        .mount(
            &server,
            ok_json(json!([
                {
                    "acquirerId": "002222",
                    "acquirerRefNum": "05131054165000000048149",
                    "primaryAccountNum": "5123432112344321",
                    "claimId": CLAIM_ID,
                    "claimType": "Standard",
                    "claimValue": "25.00 USD",
                    "clearingDueDate": "2021-02-20",
                    "clearingNetwork": "GCMS",
                    "createDate": "2021-02-10",
                    "dueDate": "2021-02-20",
                    "isAccurate": true,
                    "isAcquirer": true,
                    "isIssuer": false,
                    "isOpen": true,
                    "issuerId": "00000006195",
                    "lastModifiedBy": "system",
                    "lastModifiedDate": "2021-02-15",
                    "merchantId": "0024038000200",
                    "queueName": "Rejects"
                },
                { "claimId": "200000001234", "isOpen": false, "queueName": "Rejects" }
            ])),
        )
        .await;
    let claims = client
        .get_queue_summary(&queue)
        .await
        .expect("200 parses")
        .into_inner();
    exchange.assert_sent(&server).await;
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0].claim_id.as_deref(), Some(CLAIM_ID));
    assert_eq!(claims[0].claim_value.as_deref(), Some("25.00 USD"));
    assert_eq!(claims[0].clearing_network.as_deref(), Some("GCMS"));
    assert_eq!(claims[0].is_acquirer, Some(true));
    assert_eq!(claims[0].is_issuer, Some(false));
    assert_eq!(claims[0].queue_name.as_deref(), Some("Rejects"));
    assert_eq!(claims[1].claim_id.as_deref(), Some("200000001234"));
    assert_eq!(claims[1].is_open, Some(false));
    assert_eq!(claims[1].acquirer_id, None);

    exchange.mount(&server, UNAUTHORIZED.response()).await;
    let result = client.get_queue_summary(&queue).await;
    exchange.assert_sent(&server).await;
    UNAUTHORIZED.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Reconciliation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reconciliation_recon_report_data_acknowledge_sends_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::ReconReportDataAcknowledgeRequest {
        cycles: vec![1.try_into().unwrap(), 7.try_into().unwrap()],
        end_date: "2021-02-07".to_owned(),
        enhanced_reconciliation_report_flag: Some(true),
        ica: vec!["001234".to_owned(), "004321".to_owned()],
        start_date: "2021-02-01".to_owned(),
    };
    let exchange = Exchange::new("POST", "/mastercom/v6/reconreport/data/request").json(json!({
        "cycles": [1, 7],
        "endDate": "2021-02-07",
        "enhancedReconciliationReportFlag": true,
        "ica": ["001234", "004321"],
        "startDate": "2021-02-01"
    }));

    exchange
        .mount(&server, ok_json(json!({ "reportIdentifier": REPORT_ID })))
        .await;
    let report = client
        .recon_report_data_acknowledge(&body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(
        report.into_inner().report_identifier.as_deref(),
        Some(REPORT_ID)
    );

    exchange.mount(&server, BAD_REQUEST.response()).await;
    let result = client.recon_report_data_acknowledge(&body).await;
    exchange.assert_sent(&server).await;
    BAD_REQUEST.assert_is(result);
}

#[tokio::test]
async fn reconciliation_recon_report_data_retrieval_sends_path_without_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let report_id: types::ReconReportDataRetrievalReportIdentifier = REPORT_ID.parse().unwrap();
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/reconreport/data/retrieval/{REPORT_ID}"),
    );

    exchange
        .mount(
            &server,
            ok_json(json!({
                "status": "Available",
                "data": "This is an CSV file stored in a base64 encoded string"
            })),
        )
        .await;
    let report = client
        .recon_report_data_retrieval(&report_id)
        .await
        .expect("200 parses")
        .into_inner();
    exchange.assert_sent(&server).await;
    assert_eq!(report.status.as_deref(), Some("Available"));
    assert_eq!(
        report.data.as_deref(),
        Some("This is an CSV file stored in a base64 encoded string")
    );

    exchange.mount(&server, NOT_FOUND.response()).await;
    let result = client.recon_report_data_retrieval(&report_id).await;
    exchange.assert_sent(&server).await;
    NOT_FOUND.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Retrievals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retrievals_acq_fulfill_retrieval_request_sends_two_path_params_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    // The spec's `AcquirerFulfillmentCollabVoucher` example.
    let body = types::AcquirerFulfillmentRequest {
        acquirer_response_cd: types::AcquirerFulfillmentRequestAcquirerResponseCd::B,
        memo: Some("This is a test memo".to_owned()),
        refund_reversal_amount: Some("100.00".to_owned()),
        refund_reversal_currency: Some("USD".to_owned()),
        refund_reversal_date: Some("2021-02-15T12:01".to_owned()),
        refund_reversal_reference_id: Some("123458111".to_owned()),
        refund_reversal_type: Some("CREDIT VOUCHER".to_owned()),
    };
    let exchange = Exchange::new(
        "POST",
        format!("/mastercom/v6/claims/{CLAIM_ID}/retrievalrequests/{REQUEST_ID}/fulfillments"),
    )
    .json(json!({
        "acquirerResponseCd": "B",
        "refundReversalType": "CREDIT VOUCHER",
        "refundReversalDate": "2021-02-15T12:01",
        "refundReversalAmount": "100.00",
        "refundReversalCurrency": "USD",
        "refundReversalReferenceId": "123458111",
        "memo": "This is a test memo"
    }));

    exchange
        .mount(&server, ok_json(json!({ "requestId": REQUEST_ID })))
        .await;
    let fulfillment = client
        .acq_fulfill_retrieval_request(CLAIM_ID, REQUEST_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(
        fulfillment.into_inner().request_id.as_deref(),
        Some(REQUEST_ID)
    );

    exchange.mount(&server, NOT_FOUND.response()).await;
    let result = client
        .acq_fulfill_retrieval_request(CLAIM_ID, REQUEST_ID, &body)
        .await;
    exchange.assert_sent(&server).await;
    NOT_FOUND.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Retrievals (Debit MasterCard and Europe Dual Acquirer)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retrievals_debit_mc_issuer_response_sends_two_path_params_and_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::IssuerFulfillmentRequest {
        issuer_response_cd:
            types::IssuerFulfillmentRequestIssuerResponseCd::RejectDocumentationNotAsRequired,
        memo: Some("This is a test memo".to_owned()),
        reject_reason_cd: Some(types::IssuerFulfillmentRequestRejectReasonCd::M),
    };
    let exchange = Exchange::new(
        "POST",
        format!(
            "/mastercom/v6/claims/{CLAIM_ID}/retrievalrequests/debitmc/{REQUEST_ID}/fulfillments/response"
        ),
    )
    .json(json!({
        "issuerResponseCd": "REJECT_DOCUMENTATION_NOT_AS_REQUIRED",
        "memo": "This is a test memo",
        "rejectReasonCd": "M"
    }));

    exchange
        .mount(&server, ok_json(json!({ "requestId": REQUEST_ID })))
        .await;
    let response = client
        .issuer_response_retrieval_debit_mc_request(CLAIM_ID, REQUEST_ID, &body)
        .await
        .expect("200 parses");
    exchange.assert_sent(&server).await;
    assert_eq!(
        response.into_inner().request_id.as_deref(),
        Some(REQUEST_ID)
    );

    exchange.mount(&server, FORBIDDEN.response()).await;
    let result = client
        .issuer_response_retrieval_debit_mc_request(CLAIM_ID, REQUEST_ID, &body)
        .await;
    exchange.assert_sent(&server).await;
    FORBIDDEN.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn transactions_transaction_search_sends_body_and_parses_nested_summary() {
    let server = MockServer::start().await;
    let client = client(&server);
    // The spec's `TxnSearchArnPan` example.
    let body = types::TransactionSearchRequest {
        acquirer_ref_number: Some("05436847276000293995738".to_owned()),
        bank_net_ref_number: None,
        primary_account_num: Some("5488888888887192".to_owned()),
        tran_end_date: "2021-03-17".to_owned(),
        tran_start_date: "2021-02-17".to_owned(),
        trans_amount_from: Some("10000".to_owned()),
        trans_amount_to: Some("20050".to_owned()),
    };
    let exchange = Exchange::new("POST", "/mastercom/v6/transactions/search").json(json!({
        "acquirerRefNumber": "05436847276000293995738",
        "primaryAccountNum": "5488888888887192",
        "transAmountFrom": "10000",
        "transAmountTo": "20050",
        "tranStartDate": "2021-02-17",
        "tranEndDate": "2021-03-17"
    }));

    exchange
        .mount(
            &server,
            ok_json(json!({
                "authorizationSummaryCount": "1",
                "message": "Search returned 1 records",
                "authorizationSummary": [{
                    "originalMessageTypeIdentifier": "0110",
                    "banknetDate": "210127",
                    "transactionAmountUsd": "401.17",
                    "primaryAccountNumber": "5488888888887192",
                    "processingCode": "00",
                    "transactionAmountLocal": "000000010000",
                    "transactionId": "hqCnaMDqmto4wnL+BSUKSdzROqGJ7YELoKhEvluycwKNg3XTzSfaIJhFDkl9hW081B5tTqFFiAwCpcocPdB2My4t7DtSTk63VXDl1CySA8Y=",
                    "clearingSummary": []
                }]
            })),
        )
        .await;
    let summary = client
        .transaction_search(&body)
        .await
        .expect("200 parses")
        .into_inner();
    exchange.assert_sent(&server).await;
    assert_eq!(summary.authorization_summary_count.as_deref(), Some("1"));
    assert_eq!(
        summary.message.as_deref(),
        Some("Search returned 1 records")
    );
    assert_eq!(summary.authorization_summary.len(), 1);
    let authorization = &summary.authorization_summary[0];
    assert_eq!(
        authorization.original_message_type_identifier.as_deref(),
        Some("0110")
    );
    assert_eq!(
        authorization.transaction_amount_usd.as_deref(),
        Some("401.17")
    );
    assert_eq!(
        authorization.primary_account_number.as_deref(),
        Some("5488888888887192")
    );
    assert!(authorization.clearing_summary.is_empty());

    exchange.mount(&server, BAD_REQUEST.response()).await;
    let result = client.transaction_search(&body).await;
    exchange.assert_sent(&server).await;
    BAD_REQUEST.assert_is(result);
}

// ---------------------------------------------------------------------------------------------
// Transactions (Debit MasterCard and Europe Dual Acquirer)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn transactions_debit_mc_transaction_message_search_sends_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = types::TransactionSingleSearchRequest {
        acquirer_ref_number: Some("05436847276000293995738".to_owned()),
        primary_account_number: "5488888888887192".to_owned(),
        settlement_from_date: "2021-02-17".to_owned(),
        settlement_to_date: "2021-03-17".to_owned(),
        switch_serial_number: None,
    };
    let exchange = Exchange::new("POST", "/mastercom/v6/transactions/debitmc/search").json(json!({
        "acquirerRefNumber": "05436847276000293995738",
        "primaryAccountNumber": "5488888888887192",
        "settlementFromDate": "2021-02-17",
        "settlementToDate": "2021-03-17"
    }));

    let auth_id = "hqCnaMDqmto4wnL+BSUKSdzROqGJ7YELoKhEvluycwKNg3XTzSfaIJhFDkl9hW081B5tTqFFiAwCpcocPdB2My4t7DtSTk63VXDl1CySA8Y=";
    let clearing_id = "ccCnaMDqmto4wnL+BSUKSdzROqGJ7YELoKhEvluycwKNg3XTzSfaIJhFDkl9hW081B5tTqFFiAwCpcocPdB2My4t7DtSTk63VXDl1CySA8Y=";
    exchange
        .mount(
            &server,
            ok_json(json!({
                "transactionSummaryList": [
                    { "authTransactionId": auth_id, "clearingTransactionId": clearing_id }
                ]
            })),
        )
        .await;
    let list = client
        .transaction_message_search_debit_mc(&body)
        .await
        .expect("200 parses")
        .into_inner();
    exchange.assert_sent(&server).await;
    assert_eq!(list.transaction_summary_list.len(), 1);
    let summary = &list.transaction_summary_list[0];
    assert_eq!(summary.auth_transaction_id.as_deref(), Some(auth_id));
    assert_eq!(
        summary.clearing_transaction_id.as_deref(),
        Some(clearing_id)
    );
    assert!(summary.single_message_summary_details.is_none());

    exchange.mount(&server, SERVER_ERROR.response()).await;
    let result = client.transaction_message_search_debit_mc(&body).await;
    exchange.assert_sent(&server).await;
    SERVER_ERROR.assert_is(result);
}
