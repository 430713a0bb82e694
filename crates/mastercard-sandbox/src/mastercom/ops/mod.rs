//! One function per Mastercom operation: validate the body against the generated request type,
//! apply the state transition, answer with the spec's response shape.

use std::collections::HashMap;

use mastercom::types as t;
use serde_json::{Value, json};

use super::errors::{ApiError, validate};
use super::model::{
    Case, Chargeback, Claim, Document, Model, Retrieval, SEED_TRANSACTIONS, SeedTransaction, date,
    new_id, uuid,
};

mod cases;
mod chargebacks;
mod claims;
mod fees;
mod retrievals;
mod tid;
mod transactions;
mod zip;

use cases::*;
use chargebacks::*;
use claims::*;
use fees::*;
use retrievals::*;
use transactions::*;

/// What a handler sees of the request.
pub struct Call<'a> {
    /// Path parameters by their spec name (`claim-id`, …).
    pub params: &'a HashMap<String, String>,
    /// Decoded query parameters.
    pub query: &'a HashMap<String, String>,
    /// The body as received.
    pub body: &'a [u8],
}

impl Call<'_> {
    fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }
}

fn s(v: &Value, field: &str) -> String {
    match v.get(field) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Longest `DocumentStructure.file`: "Length: 1-22000000" characters of base64.
const MAX_DOCUMENT_CHARS: usize = 22_000_000;

/// The request's `fileAttachment`, if any, refused as the spec's `DocumentStructure` rules
/// say: `file` of 1 to 22,000,000 base64 characters that "must represent a ZIP, JPG, TIFF, or
/// PDF file" (told apart by the decoded content's first bytes).
fn document(v: &Value) -> Result<Vec<Document>, ApiError> {
    let Some((filename, file)) = v.get("fileAttachment").and_then(|a| {
        Some((
            a.get("filename")?.as_str()?.to_owned(),
            a.get("file")?.as_str()?.to_owned(),
        ))
    }) else {
        return Ok(Vec::new());
    };
    let refuse = |problem: String| {
        ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("fileAttachment.file {problem}"),
        )
        .detail(
            "file",
            "1-22000000 characters of base64 of a ZIP, JPG, TIFF or PDF file",
        )
    };
    if file.is_empty() || file.len() > MAX_DOCUMENT_CHARS {
        return Err(refuse(format!(
            "holds {} characters; 1 to {MAX_DOCUMENT_CHARS} are accepted",
            file.len()
        )));
    }
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    if !file.len().is_multiple_of(4) || !file.as_bytes().iter().all(alphabet) {
        return Err(refuse("is not base64".to_owned()));
    }
    // The first 12 characters decode to 9 bytes, enough for every signature below.
    let head = openssl::base64::decode_block(file.get(..12).unwrap_or(&file))
        .map_err(|_| refuse("is not base64".to_owned()))?;
    let accepted = [
        &b"PK\x03\x04"[..],
        b"PK\x05\x06",
        &[0xFF, 0xD8, 0xFF],
        b"II*\0",
        b"MM\0*",
        b"%PDF-",
    ];
    if !accepted.iter().any(|magic| head.starts_with(magic)) {
        return Err(refuse("is not a ZIP, JPG, TIFF or PDF file".to_owned()));
    }
    Ok(vec![Document { filename, file }])
}

/// Dispatches `operation_id`.
pub fn handle(model: &Model, operation_id: &str, call: &Call<'_>) -> Result<Value, ApiError> {
    match operation_id {
        "healthcheck" => Ok(json!({"status": "UP"})),
        // Transactions
        "transactionSearch" => transaction_search(call),
        "transactionMessageSearchDebitMC" => debit_search(call),
        "getTransactionClearingDetail" => clearing_detail(model, call),
        "retrieveAuthorizationDetail" => authorization_detail(model, call),
        "transactionDebitMCMessageDetail" => debit_detail(model, call),
        // Claims
        "createClaim" => create_claim(model, call),
        "getClaimDetail" => {
            let claim = model.claim(call.param("claim-id"))?;
            let case = model
                .cases()
                .into_iter()
                .rev()
                .find(|c| c.claim_id == claim.id);
            Ok(claim_detail(&claim, case.as_ref()))
        }
        "Update Claim" => update_claim(model, call),
        // Retrievals
        "getDataForCreateRetrievalRequest" => {
            model.claim(call.param("claim-id"))?;
            Ok(json!({
                "docNeeded": [{"name": "Copy of original", "value": "2"}, {"name": "Substitute draft", "value": "4"}],
                "reasonCodes": [{"name": "Cardholder request for copy bearing signature", "value": "6343"}],
            }))
        }
        "createRetrievalRequest" => {
            let body = validate::<t::CreateRetrievalRequest>(call.body)?;
            create_retrieval(model, call, &body, false)
        }
        "createRetrievalRequestDebitMC" => {
            let body = validate::<t::CreateRetrievalRequestSingle>(call.body)?;
            create_retrieval(model, call, &body, true)
        }
        "acqFulfillRetrievalRequest" => acquirer_fulfil(model, call),
        "issuerResponseRetrievalRequest" | "issuerResponseRetrievalDebitMCRequest" => {
            issuer_response(model, call)
        }
        "getRetrievalDoc" | "getRetrievalDocDebitMC" => {
            // Each endpoint sees the retrieval requests of its own family.
            let debit_mc = operation_id == "getRetrievalDocDebitMC";
            let claim = model.claim(call.param("claim-id"))?;
            let id = call.param("request-id");
            let r = claim
                .retrievals
                .iter()
                .find(|r| r.id == id && r.debit_mc == debit_mc)
                .ok_or_else(|| ApiError::not_found("retrieval request", id))?;
            documents_response(&r.documents, call, id)
        }
        "retrieveFulfillmentStatus" | "retrieveFulfillmentDebitMCStatus" => {
            let body = validate::<t::RetrievalStatusRequest>(call.body)?;
            list_at_most(&body, "retrievalList", STATUS_LIST_LIMIT)?;
            retrieval_status(model, &body)
        }
        "retrieveFulfillmentImageStatus" | "retrieveFulfillmentDebitMCImageStatus" => {
            let body = validate::<t::RetrievalsImageStatusRequest>(call.body)?;
            let debit_mc = operation_id == "retrieveFulfillmentDebitMCImageStatus";
            Ok(json!({"retrievalImageStatusList": image_status(model, &body, false, debit_mc)}))
        }
        // Chargebacks
        "getDataForCreateChargeback" => {
            validate::<t::LoadDataForChargebacksRequest>(call.body)?;
            let claim = model.claim(call.param("claim-id"))?;
            Ok(json!({
                "amount": {"name": "amount", "value": claim.amount},
                "currencies": [{"name": "USD", "value": "840"}, {"name": "EUR", "value": "978"}, {"name": "GBP", "value": "826"}],
                "docIndicators": [{"name": "No documentation", "value": "false"}, {"name": "Documentation", "value": "true"}],
                "messageTexts": [{"name": "Sandbox", "value": "SANDBOX"}],
                "reasonCodes": [{"name": "Fraud", "value": "4837"}, {"name": "Cardholder dispute", "value": "4853"}, {"name": "Authorization", "value": "4808"}],
            }))
        }
        "createChargeback" => {
            let body = validate::<t::CreateChargebackRequest>(call.body)?;
            create_chargeback(model, call, &body, false)
        }
        "createChargebackDebitMC" => {
            let body = validate::<t::CreateChargebackSingleRequest>(call.body)?;
            create_chargeback(model, call, &body, true)
        }
        "createChargebackReversal" => reverse_chargeback(model, call, false),
        "createChargebackReversalDebitMC" => {
            validate::<t::CreateChargebackSingleReversalRequest>(call.body)?;
            reverse_chargeback(model, call, true)
        }
        "updateChargeback" | "updateChargebackDebitMC" => {
            let body = validate::<t::UpdateChargebackRequest>(call.body)?;
            let id = call.param("chargeback-id").to_owned();
            model.with_claim(call.param("claim-id"), |claim| {
                let cb = find_chargeback(claim, &id)?;
                cb.memo = s(&body, "memo");
                cb.documents.extend(document(&body)?);
                Ok(json!({"chargebackId": id}))
            })
        }
        "getChargebackDoc" | "getChargebackDocDebitMC" => {
            let mut claim = model.claim(call.param("claim-id"))?;
            let cb = find_chargeback(&mut claim, call.param("chargeback-id"))?;
            documents_response(&cb.documents, call, &cb.id)
        }
        "acknowledgeChargebacks" | "acknowledgeChargebacksDebitMC" => {
            let body = validate::<t::ChargebackMarkProcessedRequest>(call.body)?;
            list_at_most(&body, "chargebackList", ACKNOWLEDGE_LIST_LIMIT)?;
            acknowledge(model, &body)
        }
        "retrieveChargebackStatus" | "retrieveChargebackStatusDebitMC" => {
            let body = validate::<t::ChargebackStatusRequest>(call.body)?;
            list_at_most(&body, "chargebackList", STATUS_LIST_LIMIT)?;
            chargeback_status(model, &body)
        }
        "retrieveChargebackImageStatus" | "retrieveChargebackImageStatusDebitMC" => {
            let body = validate::<t::ChargebackImageStatusRequest>(call.body)?;
            let debit_mc = operation_id == "retrieveChargebackImageStatusDebitMC";
            Ok(json!({"chargebackImageStatusList": image_status(model, &body, true, debit_mc)}))
        }
        // Fees
        "getDataForCreateFee" => {
            validate::<t::LoadDataForFeesRequest>(call.body)?;
            model.claim(call.param("claim-id"))?;
            Ok(json!({
                "countryCodes": [{"name": "USA", "value": "USA"}],
                "currencies": [{"name": "USD", "value": "840"}],
                "messageTexts": [{"name": "Sandbox fee", "value": "SANDBOX FEE"}],
                "reasonCodes": [{"name": "Handling fee", "value": "7600"}],
            }))
        }
        "createFee" => create_fee(model, call),
        "createFeeDebitMC" => create_fee_debit_mc(model, call),
        // Fraud
        "getDataForCreateFraud" => {
            model.claim(call.param("claim-id"))?;
            Ok(json!({
                "acctDeviceTypes": [{"name": "Card", "value": "1"}],
                "acctStatuses": [{"name": "Open", "value": "ACCT_IS_OPEN"}, {"name": "Closed", "value": "ACCT_HAS_BEEN_CLOSED"}],
                "cardValidCodes": [{"name": "Valid", "value": "Y"}, {"name": "Invalid", "value": "N"}],
                "subTypes": [{"name": "Not applicable", "value": "N"}],
            }))
        }
        "createFraudMasterCard" => {
            let body = validate::<t::CreateFraudMasterCardRequest>(call.body)?;
            let id = new_id(10);
            let mut fraud = body;
            if let Some(map) = fraud.as_object_mut() {
                map.insert("fraudId".into(), json!(id));
            }
            model.with_claim(call.param("claim-id"), |claim| {
                // A transaction is reported as fraud once: a second report is the same event.
                model.duplicate_check(claim.event_times.get("fraud").copied())?;
                claim.event_times.insert("fraud".into(), model.now());
                claim.frauds.push(fraud);
                Ok(json!({"fraudId": id}))
            })
        }
        // Case filing
        "createCaseFiling" => create_case(model, call),
        "updateCaseFiling" => update_case(model, call),
        "getCaseFilingDoc" => {
            let case = model.case(call.param("case-id"))?;
            documents_response(&case.documents, call, &case.id)
        }
        "retrieveCaseFilingStatus" => {
            let body = validate::<t::CaseFilingStatusRequest>(call.body)?;
            list_at_most(&body, "caseFilingList", STATUS_LIST_LIMIT)?;
            let list: Vec<Value> = ids(&body, "caseFilingList", "caseId")
                .into_iter()
                .map(|id| {
                    let status = model
                        .case(&id)
                        .map_or_else(|_| "NOT_FOUND".to_owned(), |c| c.status);
                    json!({"caseId": id, "status": status})
                })
                .collect();
            Ok(json!({"caseFilingResponseList": list}))
        }
        "retrieveCaseFilingImageStatus" => {
            let body = validate::<t::CaseFilingImageStatusRequest>(call.body)?;
            let (from, to, wanted) = (
                s(&body, "startDate"),
                s(&body, "endDate"),
                s(&body, "status"),
            );
            let list: Vec<Value> = model
                .cases()
                .into_iter()
                .filter(|c| in_range(c.created, &from, &to))
                .filter(|c| doc_status(&c.documents) == wanted)
                .map(|c| json!({"caseId": c.id, "status": doc_status(&c.documents)}))
                .collect();
            Ok(json!({"caseFilingImageStatusList": list}))
        }
        "retrieveClaims" => {
            let body = validate::<t::CaseFilingClaimsRequest>(call.body)?;
            let list: Vec<Value> = ids(&body, "caseFilingList", "caseId")
                .into_iter()
                .filter_map(|id| model.case(&id).ok())
                .map(|c| json!({"caseId": c.id, "claimId": c.claim_id}))
                .collect();
            Ok(json!({"caseFilingResponseList": list}))
        }
        // Queues
        "getQueues" => Ok(json!([
            {"queueName": "Unworked", "queueDescription": "Claims with dispute events not yet acknowledged"},
            {"queueName": "Worked", "queueDescription": "Claims whose dispute events were all acknowledged"},
            {"queueName": "Closed", "queueDescription": "Closed claims"},
        ])),
        "getQueueSummary" => {
            let name = call.query.get("queue-name").cloned().unwrap_or_default();
            Ok(Value::Array(queue(model, &name, None)?))
        }
        "getQueueSummaryPost" => queue_page(model, call),
        // Reconciliation
        "reconReportDataAcknowledge" => {
            let body = validate::<t::ReconReportDataAcknowledgeRequest>(call.body)?;
            let id = uuid();
            let (from, to) = (s(&body, "startDate"), s(&body, "endDate"));
            let rows: Vec<String> = model
                .claims()
                .iter()
                .filter(|c| in_range(c.created, &from, &to))
                .flat_map(|c| {
                    c.chargebacks.iter().map(move |cb| {
                        format!(
                            "{},{},{},{},{}",
                            c.id, cb.id, cb.stage, cb.amount, cb.currency
                        )
                    })
                })
                .collect();
            let csv = format!(
                "claimId,chargebackId,stage,amount,currency\n{}",
                rows.join("\n")
            );
            // The spec's `data` is the CSV file base64-encoded.
            model.insert_report(
                id.clone(),
                json!(openssl::base64::encode_block(csv.as_bytes())),
            );
            Ok(json!({"reportIdentifier": id}))
        }
        "reconReportDataRetrieval" => {
            let id = call.param("reportIdentifier");
            let report = model
                .report(id)
                .ok_or_else(|| ApiError::not_found("report", id))?;
            // Reports are built synchronously, so they are `Available` (of the spec's Available,
            // Unavailable, Failed) as soon as they were requested.
            Ok(json!({"status": "Available", "data": report}))
        }
        other => Err(ApiError::invalid(
            "UNSUPPORTED_OPERATION",
            format!("{other} is not modelled"),
        )),
    }
}

fn ids(body: &Value, list: &str, field: &str) -> Vec<String> {
    body.get(list)
        .and_then(Value::as_array)
        .map(|items| items.iter().map(|i| s(i, field)).collect())
        .unwrap_or_default()
}

fn in_range(unix: u64, from: &str, to: &str) -> bool {
    // Dates may carry a time part; only the `YYYY-MM-DD` prefix is compared.
    let day = |s: &str| s.get(..10).unwrap_or(s).to_owned();
    let d = date(unix);
    (from.is_empty() || d >= day(from)) && (to.is_empty() || d <= day(to))
}

fn doc_status(documents: &[Document]) -> String {
    if documents.is_empty() {
        "DOC_NOT_APPLICABLE"
    } else {
        "COMPLETED"
    }
    .to_owned()
}

fn open_claim(claim: &Claim) -> Result<(), ApiError> {
    if claim.open {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "CLAIM_CLOSED",
            format!("claim {} is closed", claim.id),
        ))
    }
}

/// `DocumentResponseStructure` in the requested `format`, packaged as the spec describes it: a
/// base64 ZIP file named `<item>.zip`. `ORIGINAL` holds every document as uploaded; the merged
/// formats hold one `<item>.pdf` / `<item>.tiff` with all documents concatenated (the sandbox
/// does not render images).
fn documents_response(
    documents: &[Document],
    call: &Call<'_>,
    item: &str,
) -> Result<Value, ApiError> {
    let format = call.query.get("format").cloned().unwrap_or_default();
    if documents.is_empty() {
        return Err(ApiError::not_found("document", "for this item"));
    }
    let mut decoded = Vec::with_capacity(documents.len());
    for d in documents {
        let bytes = openssl::base64::decode_block(&d.file).map_err(|_| {
            ApiError::invalid("INVALID_DOCUMENT", format!("{} is not base64", d.filename))
        })?;
        decoded.push((d.filename.clone(), bytes));
    }
    let entries = match format.as_str() {
        "ORIGINAL" => unique_names(decoded),
        "MERGED_PDF" | "MERGED_TIFF" => {
            let ext = if format == "MERGED_PDF" {
                "pdf"
            } else {
                "tiff"
            };
            let merged = decoded.into_iter().flat_map(|(_, bytes)| bytes).collect();
            vec![(format!("{item}.{ext}"), merged)]
        }
        other => {
            return Err(ApiError::invalid(
                "INVALID_FIELD_VALUE",
                format!("format {other:?} is not one of ORIGINAL, MERGED_TIFF, MERGED_PDF"),
            )
            .detail("format", "must be ORIGINAL, MERGED_TIFF or MERGED_PDF"));
        }
    };
    Ok(json!({"fileAttachment": {
        "filename": format!("{item}.zip"),
        "file": openssl::base64::encode_block(&zip::archive(&entries)?),
    }}))
}

/// Entry names as uploaded, with `2-`, `3-`, … in front of a repeated one (an extractor would
/// otherwise overwrite the earlier document).
fn unique_names(documents: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let mut seen = std::collections::HashSet::new();
    documents
        .into_iter()
        .map(|(name, bytes)| {
            let mut candidate = name.clone();
            let mut n = 1;
            while !seen.insert(candidate.clone()) {
                n += 1;
                candidate = format!("{n}-{name}");
            }
            (candidate, bytes)
        })
        .collect()
}

/// "maximum list size is 2000" (the chargeback, fulfillment and case-filing status requests).
const STATUS_LIST_LIMIT: usize = 2000;
/// "issuers and acquirers should send 100 acknowledgments or fewer in a single request".
const ACKNOWLEDGE_LIST_LIMIT: usize = 100;

/// Refuses a list longer than the spec allows per call, as the gateway does, so a client that
/// forgets to chunk fails here instead of in production.
fn list_at_most(body: &Value, field: &str, limit: usize) -> Result<(), ApiError> {
    let len = body
        .get(field)
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if len > limit {
        return Err(ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("{field} holds {len} items; at most {limit} are accepted per call"),
        ));
    }
    Ok(())
}
