//! One function per Mastercom operation: validate the body against the generated request type,
//! apply the state transition, answer with the spec's response shape.

use std::collections::HashMap;

use mastercom::types as t;
use serde_json::{Value, json};

use super::errors::{ApiError, validate};
use super::model::{
    Case, Chargeback, Claim, DUPLICATE_WINDOW_SECS, Document, Model, Retrieval, SEED_TRANSACTIONS,
    SeedTransaction, date, new_id, now, uuid,
};

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

fn document(v: &Value) -> Vec<Document> {
    v.get("fileAttachment")
        .and_then(|a| {
            Some(Document {
                filename: a.get("filename")?.as_str()?.to_owned(),
                file: a.get("file")?.as_str()?.to_owned(),
            })
        })
        .into_iter()
        .collect()
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
            let claim = model.claim(call.param("claim-id"))?;
            let id = call.param("request-id");
            let r = claim
                .retrievals
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| ApiError::not_found("retrieval request", id))?;
            documents_response(&r.documents, call)
        }
        "retrieveFulfillmentStatus" | "retrieveFulfillmentDebitMCStatus" => {
            let body = validate::<t::RetrievalStatusRequest>(call.body)?;
            retrieval_status(model, &body)
        }
        "retrieveFulfillmentImageStatus" | "retrieveFulfillmentDebitMCImageStatus" => {
            let body = validate::<t::RetrievalsImageStatusRequest>(call.body)?;
            Ok(json!({"retrievalImageStatusList": image_status(model, &body, false)}))
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
                cb.documents.extend(document(&body));
                Ok(json!({"chargebackId": id}))
            })
        }
        "getChargebackDoc" | "getChargebackDocDebitMC" => {
            let mut claim = model.claim(call.param("claim-id"))?;
            let cb = find_chargeback(&mut claim, call.param("chargeback-id"))?;
            documents_response(&cb.documents, call)
        }
        "acknowledgeChargebacks" | "acknowledgeChargebacksDebitMC" => {
            let body = validate::<t::ChargebackMarkProcessedRequest>(call.body)?;
            acknowledge(model, &body)
        }
        "retrieveChargebackStatus" | "retrieveChargebackStatusDebitMC" => {
            let body = validate::<t::ChargebackStatusRequest>(call.body)?;
            chargeback_status(model, &body)
        }
        "retrieveChargebackImageStatus" | "retrieveChargebackImageStatusDebitMC" => {
            let body = validate::<t::ChargebackImageStatusRequest>(call.body)?;
            Ok(json!({"chargebackImageStatusList": image_status(model, &body, true)}))
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
        "createFee" => {
            let body = validate::<t::CreateFeeRequest>(call.body)?;
            let id = new_id(10);
            let mut fee = body;
            if let Some(map) = fee.as_object_mut() {
                map.insert("feeId".into(), json!(id));
            }
            model.with_claim(call.param("claim-id"), |claim| {
                open_claim(claim)?;
                claim.fees.push(fee);
                Ok(json!({"feeId": id}))
            })
        }
        "createFeeDebitMC" => {
            let body = validate::<t::CreateFeeRequestSingle>(call.body)?;
            model.with_claim(call.param("claim-id"), |claim| {
                open_claim(claim)?;
                let mut fee = body;
                if let Some(map) = fee.as_object_mut() {
                    map.insert("feeId".into(), json!(new_id(10)));
                }
                claim.fees.push(fee);
                Ok(json!({"status": "SUCCESS"}))
            })
        }
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
                claim.frauds.push(fraud);
                Ok(json!({"fraudId": id}))
            })
        }
        // Case filing
        "createCaseFiling" => create_case(model, call),
        "updateCaseFiling" => update_case(model, call),
        "getCaseFilingDoc" => {
            let case = model.case(call.param("case-id"))?;
            documents_response(&case.documents, call)
        }
        "retrieveCaseFilingStatus" => {
            let body = validate::<t::CaseFilingStatusRequest>(call.body)?;
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
            Ok(Value::Array(queue(model, &name, "", "")?))
        }
        "getQueueSummaryPost" => {
            let body = validate::<t::GetQueueContentRequest>(call.body)?;
            let list = queue(
                model,
                &s(&body, "queueName"),
                &s(&body, "lastModifiedDateFrom"),
                &s(&body, "lastModifiedDateTo"),
            )?;
            Ok(json!({"claimList": list, "pageCount": "1"}))
        }
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
            model.insert_report(id.clone(), json!(csv));
            Ok(json!({"reportIdentifier": id}))
        }
        "reconReportDataRetrieval" => {
            let id = call.param("reportIdentifier");
            let report = model
                .report(id)
                .ok_or_else(|| ApiError::not_found("report", id))?;
            Ok(json!({"status": "COMPLETED", "data": report}))
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

fn seed_by(
    pred: impl Fn(&SeedTransaction) -> bool,
) -> impl Iterator<Item = &'static SeedTransaction> {
    SEED_TRANSACTIONS.iter().filter(move |t| pred(t))
}

fn clearing_summary(t: &SeedTransaction) -> Value {
    json!({
        "acquirerReferenceNumber": t.acquirer_ref_num,
        "cardAcceptorName": t.merchant,
        "currencyCode": t.currency,
        "dateAndTimeLocal": format!("{}T12:00:00", t.date),
        "primaryAccountNumber": t.primary_account_num,
        "transactionAmountLocal": t.amount,
        "transactionId": t.clearing_transaction_id,
        "cardPresent": "N",
        "settlementIndicator": "M",
        "messageReversalIndicator": "N",
    })
}

fn amount_cents(a: &str) -> Option<u64> {
    let (whole, frac) = a.split_once('.').unwrap_or((a, "0"));
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<u64>().ok()? * 100 + frac.get(..2)?.parse::<u64>().ok()?)
}

fn transaction_search(call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::TransactionSearchRequest>(call.body)?;
    let (from, to) = (s(&b, "tranStartDate"), s(&b, "tranEndDate"));
    let (pan, arn, bnr) = (
        s(&b, "primaryAccountNum"),
        s(&b, "acquirerRefNumber"),
        s(&b, "bankNetRefNumber"),
    );
    let (lo, hi) = (
        amount_cents(&s(&b, "transAmountFrom")),
        amount_cents(&s(&b, "transAmountTo")),
    );
    let found: Vec<Value> = seed_by(|t| {
        let cents = amount_cents(t.amount).unwrap_or(0);
        t.date >= from.get(..10).unwrap_or(&from)
            && t.date <= to.get(..10).unwrap_or(&to)
            && (pan.is_empty() || t.primary_account_num == pan)
            && (arn.is_empty() || t.acquirer_ref_num == arn)
            && (bnr.is_empty() || t.banknet_ref_num == bnr)
            && lo.is_none_or(|lo| cents >= lo)
            && hi.is_none_or(|hi| cents <= hi)
    })
    .map(|t| {
        json!({
            "authenticationId": t.auth_transaction_id,
            "authorizationDateAndTime": format!("{}T11:59:00", t.date),
            "banknetDate": t.date,
            "cardAcceptorName": t.merchant,
            "clearingSummary": [clearing_summary(t)],
            "currencyCode": t.currency,
            "primaryAccountNumber": t.primary_account_num,
            "transactionAmountLocal": t.amount,
            "transactionId": t.auth_transaction_id,
        })
    })
    .collect();
    let count = found.len();
    Ok(json!({
        "authorizationSummary": found,
        "authorizationSummaryCount": count.to_string(),
        "message": if count == 0 { "No transactions found" } else { "Transactions found" },
    }))
}

fn debit_search(call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::TransactionSingleSearchRequest>(call.body)?;
    let (pan, from, to) = (
        s(&b, "primaryAccountNumber"),
        s(&b, "settlementFromDate"),
        s(&b, "settlementToDate"),
    );
    let list: Vec<Value> = seed_by(|t| {
        t.primary_account_num == pan && t.date >= from.as_str() && t.date <= to.as_str()
    })
    .map(|t| {
        json!({
            "authTransactionId": t.auth_transaction_id,
            "clearingTransactionId": t.clearing_transaction_id,
            "singleMessageSummaryDetails": {},
        })
    })
    .collect();
    Ok(json!({"transactionSummaryList": list}))
}

fn claim_transaction(model: &Model, call: &Call<'_>) -> Result<&'static SeedTransaction, ApiError> {
    let claim = model.claim(call.param("claim-id"))?;
    claim
        .seed_transaction()
        .ok_or_else(|| ApiError::not_found("transaction", &claim.clearing_transaction_id))
}

fn clearing_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let t = claim_transaction(model, call)?;
    let id = call.param("transaction-id");
    if id != t.clearing_transaction_id {
        return Err(ApiError::not_found("clearing transaction", id));
    }
    Ok(json!({
        "acquirerReferenceData": t.acquirer_ref_num,
        "cardAcceptorName": t.merchant,
        "cardholderBillingAmount": t.amount,
        "cardholderBillingCurrencyCode": t.currency,
        "primaryAccountNumber": t.primary_account_num,
        "transactionAmountLocal": t.amount,
        "transactionCurrencyCode": t.currency,
        "approvalCode": "SBX001",
    }))
}

fn authorization_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let t = claim_transaction(model, call)?;
    let id = call.param("transaction-id");
    if id != t.auth_transaction_id {
        return Err(ApiError::not_found("authorization transaction", id));
    }
    Ok(json!({
        "banknetReferenceNumber": t.banknet_ref_num,
        "banknetDate": t.date,
        "cardAcceptorName": t.merchant,
        "primaryAccountNumber": t.primary_account_num,
        "transactionAmountLocal": t.amount,
        "transactionCurrencyCode": t.currency,
        "responseCode": "00",
        "authorizationIdResponse": "SBX001",
    }))
}

fn debit_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let t = claim_transaction(model, call)?;
    // TransactionSingleMessageDetail is a large flat object; the ids are enough to follow up.
    Ok(json!({
        "authTransactionId": t.auth_transaction_id,
        "clearingTransactionId": t.clearing_transaction_id,
    }))
}

fn create_claim(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::CreateClaimRequest>(call.body)?;
    let clearing = s(&b, "clearingTransactionId");
    let seed = SEED_TRANSACTIONS
        .iter()
        .find(|t| t.clearing_transaction_id == clearing)
        .ok_or_else(|| {
            ApiError::invalid(
                "INVALID_TRANSACTION",
                format!("no clearing transaction {clearing}"),
            )
            .detail("clearingTransactionId", "unknown clearing transaction id")
        })?;
    let auth = s(&b, "authTransactionId");
    if !auth.is_empty() && auth != seed.auth_transaction_id {
        return Err(ApiError::invalid(
            "INVALID_TRANSACTION",
            "authTransactionId does not belong to the clearing transaction",
        )
        .detail("authTransactionId", "does not match clearingTransactionId"));
    }
    let at = now();
    let claim = Claim {
        id: new_id(12),
        clearing_transaction_id: clearing,
        auth_transaction_id: seed.auth_transaction_id.to_owned(),
        claim_type: s(&b, "claimType"),
        amount: s(&b, "disputedAmount"),
        currency: s(&b, "disputedCurrency"),
        open: true,
        close_reason: String::new(),
        created: at,
        modified: at,
        chargebacks: Vec::new(),
        retrievals: Vec::new(),
        fees: Vec::new(),
        frauds: Vec::new(),
    };
    let id = claim.id.clone();
    model.insert_claim(claim)?;
    Ok(json!({"claimId": id}))
}

fn update_claim(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::UpdateClaimRequest>(call.body)?;
    let action = s(&b, "action");
    model.with_claim(call.param("claim-id"), |claim| {
        match (action.as_str(), claim.open) {
            ("CLOSE", true) => {
                let reason = s(&b, "closeClaimReasonCode");
                if reason.is_empty() {
                    return Err(ApiError::invalid(
                        "MISSING_REQUIRED_FIELD",
                        "closeClaimReasonCode is required to close a claim",
                    )
                    .detail("closeClaimReasonCode", "required when action is CLOSE"));
                }
                claim.open = false;
                claim.close_reason = reason;
            }
            ("REOPEN", false) => {
                claim.open = true;
                claim.close_reason.clear();
            }
            (action, open) => {
                return Err(ApiError::invalid(
                    "INVALID_STATE",
                    format!(
                        "cannot {action} a claim that is {}",
                        if open { "open" } else { "closed" }
                    ),
                ));
            }
        }
        Ok(json!({"claimId": claim.id}))
    })
}

/// ClaimDetail as the spec shapes it.
pub fn claim_detail(c: &Claim, case: Option<&Case>) -> Value {
    let seed = c.seed_transaction();
    let chargebacks: Vec<Value> = c
        .chargebacks
        .iter()
        .map(|cb| {
            json!({
                "chargebackId": cb.id,
                "chargebackRefNum": cb.ref_num,
                "chargebackType": if cb.stage == "SECOND_PRESENTMENT" { "SECOND_PRESENTMENT" } else { "CHARGEBACK" },
                "claimId": c.id,
                "amount": cb.amount,
                "currency": cb.currency,
                "reasonCode": cb.reason_code,
                "messageText": cb.message_text,
                "documentIndicator": cb.document_indicator,
                "createDate": date(cb.created),
                "reversal": cb.reverses.is_some(),
                "reversed": cb.reversed,
                "documentStatus": doc_status(&cb.documents),
            })
        })
        .collect();
    let retrievals: Vec<Value> = c
        .retrievals
        .iter()
        .map(|r| retrieval_summary(c, r))
        .collect();
    let fees: Vec<Value> = c.fees.clone();
    let mut detail = json!({
        "claimId": c.id,
        "claimType": c.claim_type,
        "claimValue": c.amount,
        "createDate": date(c.created),
        "lastModifiedDate": date(c.modified),
        "lastModifiedBy": "sandbox",
        "isOpen": c.open.to_string(),
        "isIssuer": "true",
        "isAcquirer": "false",
        "isAccurate": "true",
        "queueName": c.queue(),
        "transactionId": c.clearing_transaction_id,
        "chargebackDetails": chargebacks,
        "retrievalDetailsList": retrievals,
        "feeDetails": fees,
        "clearingNetwork": "GCMS",
    });
    if let (Some(t), Some(map)) = (seed, detail.as_object_mut()) {
        map.insert("primaryAccountNum".into(), json!(t.primary_account_num));
        map.insert("acquirerRefNum".into(), json!(t.acquirer_ref_num));
    }
    if let (Some(case), Some(map)) = (case, detail.as_object_mut()) {
        map.insert("caseFilingDetails".into(), case_lifecycle(case));
    }
    if let (Some(last), Some(map)) = (c.retrievals.last(), detail.as_object_mut()) {
        map.insert("retrievalDetails".into(), retrieval_summary(c, last));
    }
    detail
}

/// `CaseFilingLifeCycle`: the filing as made, its status and every action taken.
fn case_lifecycle(case: &Case) -> Value {
    let r = &case.request;
    let history: Vec<Value> = case
        .history
        .iter()
        .map(
            |(action, memo, at)| json!({"action": action, "memo": memo, "responseDate": date(*at)}),
        )
        .collect();
    json!({
        "caseFilingStatus": case.status,
        "caseFilingRespHistory": history,
        "caseFilingDetails": {
            "caseId": case.id,
            "claimId": case.claim_id,
            "caseType": s(r, "caseType"),
            "currencyCode": s(r, "currencyCode"),
            "disputeAmount": s(r, "disputeAmount"),
            "filingAs": s(r, "filingAs"),
            "filingIca": s(r, "filingIca"),
            "filingAgaintstIca": s(r, "filedAgainstIca"),
            "reasonCode": s(r, "chargebackReasonCode"),
            "chargebackRefNum": r.get("chargebackRefNum").cloned().unwrap_or_else(|| json!([])),
        },
    })
}

fn retrieval_summary(c: &Claim, r: &Retrieval) -> Value {
    json!({
        "requestId": r.id,
        "claimId": c.id,
        "amount": c.amount,
        "currency": c.currency,
        "docNeeded": r.doc_needed,
        "retrievalRequestReason": r.reason,
        "createDate": date(r.created),
        "acquirerResponseCd": r.acquirer_response_cd,
        "acquirerMemo": r.acquirer_memo,
        "issuerResponseCd": r.issuer_response_cd,
        "issuerRejectRsnCd": r.issuer_reject_cd,
        "issuerMemo": r.issuer_memo,
    })
}

/// Applies Mastercom's duplicate behaviour: an identical event within the window is accepted
/// again (Mastercom cannot see it yet); an identical one after the window is refused.
fn duplicate_check(previous: Option<(&str, u64)>, fingerprint: &str) -> Result<bool, ApiError> {
    match previous {
        Some((fp, created)) if fp == fingerprint => {
            if now().saturating_sub(created) < DUPLICATE_WINDOW_SECS {
                Ok(true)
            } else {
                Err(ApiError::invalid(
                    "DUPLICATE_EVENT",
                    "an identical dispute event already exists on this claim",
                ))
            }
        }
        _ => Ok(false),
    }
}

fn create_retrieval(
    model: &Model,
    call: &Call<'_>,
    body: &Value,
    debit_mc: bool,
) -> Result<Value, ApiError> {
    let fingerprint = body.to_string();
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        let duplicate = duplicate_check(
            claim
                .retrievals
                .last()
                .map(|r| (r.fingerprint.as_str(), r.created)),
            &fingerprint,
        )?;
        if !duplicate && claim.retrievals.iter().any(|r| r.status == "OPEN") {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                "a retrieval request is already open on this claim",
            ));
        }
        let r = Retrieval {
            id: new_id(10),
            status: "OPEN".into(),
            doc_needed: s(
                body,
                if debit_mc {
                    "documentType"
                } else {
                    "docNeeded"
                },
            ),
            reason: s(
                body,
                if debit_mc {
                    "reversalReasonCode"
                } else {
                    "retrievalRequestReason"
                },
            ),
            acquirer_response_cd: String::new(),
            acquirer_memo: String::new(),
            issuer_response_cd: String::new(),
            issuer_reject_cd: String::new(),
            issuer_memo: String::new(),
            debit_mc,
            documents: Vec::new(),
            created: now(),
            fingerprint,
        };
        let id = r.id.clone();
        claim.retrievals.push(r);
        Ok(json!({"requestId": id}))
    })
}

fn find_retrieval<'c>(claim: &'c mut Claim, id: &str) -> Result<&'c mut Retrieval, ApiError> {
    claim
        .retrievals
        .iter_mut()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("retrieval request", id))
}

fn acquirer_fulfil(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::AcquirerFulfillmentRequest>(call.body)?;
    let id = call.param("request-id").to_owned();
    model.with_claim(call.param("claim-id"), |claim| {
        let r = find_retrieval(claim, &id)?;
        if r.status != "OPEN" {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                format!("retrieval request {id} is {}", r.status),
            ));
        }
        r.status = "FULFILLED".into();
        r.acquirer_response_cd = s(&b, "acquirerResponseCd");
        r.acquirer_memo = s(&b, "memo");
        r.documents.extend(document(&b));
        Ok(json!({"requestId": id}))
    })
}

fn issuer_response(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::IssuerFulfillmentRequest>(call.body)?;
    let id = call.param("request-id").to_owned();
    model.with_claim(call.param("claim-id"), |claim| {
        let r = find_retrieval(claim, &id)?;
        if r.status != "FULFILLED" {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                format!("retrieval request {id} is {}, not FULFILLED", r.status),
            ));
        }
        let code = s(&b, "issuerResponseCd");
        r.status = if code == "APPROVE" {
            "APPROVED"
        } else {
            "REJECTED"
        }
        .into();
        r.issuer_response_cd = code;
        r.issuer_reject_cd = s(&b, "rejectReasonCd");
        r.issuer_memo = s(&b, "memo");
        Ok(json!({"requestId": id}))
    })
}

fn retrieval_status(model: &Model, body: &Value) -> Result<Value, ApiError> {
    let items = body
        .get("retrievalList")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let list: Vec<Value> = items
        .iter()
        .map(|i| {
            let (claim_id, request_id) = (s(i, "claimId"), s(i, "requestId"));
            let status = model
                .claim(&claim_id)
                .ok()
                .and_then(|c| {
                    c.retrievals
                        .iter()
                        .find(|r| r.id == request_id)
                        .map(|r| r.status.clone())
                })
                .unwrap_or_else(|| "NOT_FOUND".into());
            json!({"claimId": claim_id, "requestId": request_id, "status": status})
        })
        .collect();
    Ok(json!({"retrievalResponseList": list}))
}

fn image_status(model: &Model, body: &Value, chargebacks: bool) -> Vec<Value> {
    let (from, to, wanted) = (s(body, "startDate"), s(body, "endDate"), s(body, "status"));
    let mut out = Vec::new();
    for c in model.claims() {
        if chargebacks {
            for cb in c
                .chargebacks
                .iter()
                .filter(|cb| in_range(cb.created, &from, &to))
            {
                let status = doc_status(&cb.documents);
                if status == wanted {
                    out.push(json!({"claimId": c.id, "chargebackId": cb.id, "status": status}));
                }
            }
        } else {
            for r in c
                .retrievals
                .iter()
                .filter(|r| in_range(r.created, &from, &to))
            {
                let status = doc_status(&r.documents);
                if status == wanted {
                    out.push(json!({"claimId": c.id, "requestId": r.id, "status": status}));
                }
            }
        }
    }
    out
}

fn find_chargeback<'c>(claim: &'c mut Claim, id: &str) -> Result<&'c mut Chargeback, ApiError> {
    claim
        .chargebacks
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("chargeback", id))
}

fn create_chargeback(
    model: &Model,
    call: &Call<'_>,
    body: &Value,
    debit_mc: bool,
) -> Result<Value, ApiError> {
    let fingerprint = body.to_string();
    let requested = if debit_mc {
        "CHARGEBACK".to_owned()
    } else {
        s(body, "chargebackType")
    };
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        let last = claim
            .chargebacks
            .iter()
            .rev()
            .find(|c| c.reverses.is_none() && !c.reversed);
        let duplicate = duplicate_check(
            claim
                .chargebacks
                .last()
                .map(|c| (c.fingerprint.as_str(), c.created)),
            &fingerprint,
        )?;
        let stage = if duplicate {
            claim
                .chargebacks
                .last()
                .map(|c| c.stage.clone())
                .unwrap_or_default()
        } else {
            let last_stage = last.map(|c| c.stage.as_str());
            match (requested.as_str(), last_stage) {
                ("CHARGEBACK", None) => "CHARGEBACK",
                ("CHARGEBACK", Some("SECOND_PRESENTMENT")) => "ARBITRATION_CHARGEBACK",
                ("SECOND_PRESENTMENT", Some("CHARGEBACK")) => "SECOND_PRESENTMENT",
                (req, last) => {
                    return Err(ApiError::invalid(
                        "INVALID_STATE",
                        format!(
                            "a {req} cannot follow {} on claim {}",
                            last.unwrap_or("no chargeback"),
                            claim.id
                        ),
                    ));
                }
            }
            .to_owned()
        };
        let amount = if debit_mc {
            s(body, "replacementAmount")
        } else {
            s(body, "amount")
        };
        let cb = Chargeback {
            id: new_id(10),
            ref_num: new_id(10),
            stage,
            amount,
            currency: if debit_mc {
                claim.currency.clone()
            } else {
                s(body, "currency")
            },
            reason_code: if debit_mc {
                s(body, "reversalReasonCode")
            } else {
                s(body, "reasonCode")
            },
            message_text: s(body, "messageText"),
            document_indicator: s(body, "documentIndicator"),
            reverses: None,
            reversed: false,
            acknowledged: false,
            debit_mc,
            documents: document(body),
            memo: String::new(),
            created: now(),
            fingerprint,
        };
        let id = cb.id.clone();
        claim.chargebacks.push(cb);
        Ok(json!({"chargebackId": id}))
    })
}

fn reverse_chargeback(model: &Model, call: &Call<'_>, debit_mc: bool) -> Result<Value, ApiError> {
    let id = call.param("chargeback-id").to_owned();
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        let original = find_chargeback(claim, &id)?;
        if original.reversed || original.reverses.is_some() {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                format!("chargeback {id} cannot be reversed"),
            ));
        }
        original.reversed = true;
        let reversal = Chargeback {
            id: new_id(10),
            ref_num: original.ref_num.clone(),
            stage: "REVERSAL".into(),
            reverses: Some(id.clone()),
            reversed: false,
            acknowledged: false,
            debit_mc,
            documents: Vec::new(),
            memo: String::new(),
            created: now(),
            fingerprint: format!("reversal of {id}"),
            ..original.clone()
        };
        let new = reversal.id.clone();
        claim.chargebacks.push(reversal);
        Ok(json!({"chargebackId": new}))
    })
}

fn acknowledge(model: &Model, body: &Value) -> Result<Value, ApiError> {
    let items = body
        .get("chargebackList")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut list = Vec::new();
    for item in items {
        let (claim_id, cb_id) = (s(&item, "claimId"), s(&item, "chargebackId"));
        let outcome = model.with_claim(&claim_id, |claim| {
            find_chargeback(claim, &cb_id)?.acknowledged = true;
            Ok(())
        });
        list.push(match outcome {
            Ok(()) => json!({"chargebackId": cb_id, "status": "SUCCESS"}),
            Err(e) => {
                json!({"chargebackId": cb_id, "status": "FAILED", "failureReason": e.description})
            }
        });
    }
    Ok(json!({"chargebackResponseList": list}))
}

fn chargeback_status(model: &Model, body: &Value) -> Result<Value, ApiError> {
    let items = body
        .get("chargebackList")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let list: Vec<Value> = items
        .iter()
        .map(|i| {
            let (claim_id, cb_id) = (s(i, "claimId"), s(i, "chargebackId"));
            let status = model
                .claim(&claim_id)
                .ok()
                .and_then(|c| {
                    c.chargebacks.iter().find(|cb| cb.id == cb_id).map(|cb| {
                        if cb.reversed {
                            "REVERSED"
                        } else if cb.acknowledged {
                            "WORKED"
                        } else {
                            "UNWORKED"
                        }
                        .to_owned()
                    })
                })
                .unwrap_or_else(|| "NOT_FOUND".into());
            json!({"claimId": claim_id, "chargebackId": cb_id, "status": status})
        })
        .collect();
    Ok(json!({"chargebackResponseList": list}))
}

/// `DocumentResponseStructure` in the requested `format`: `ORIGINAL` returns the first document
/// as uploaded; the merged formats return all documents concatenated under a `.pdf`/`.tiff` name
/// (the sandbox does not render images).
fn documents_response(documents: &[Document], call: &Call<'_>) -> Result<Value, ApiError> {
    let format = call.query.get("format").cloned().unwrap_or_default();
    let first = documents
        .first()
        .ok_or_else(|| ApiError::not_found("document", "for this item"))?;
    match format.as_str() {
        "ORIGINAL" => {
            Ok(json!({"fileAttachment": {"filename": first.filename, "file": first.file}}))
        }
        "MERGED_PDF" | "MERGED_TIFF" => {
            let ext = if format == "MERGED_PDF" {
                "pdf"
            } else {
                "tiff"
            };
            let mut bytes = Vec::new();
            for d in documents {
                let decoded = openssl::base64::decode_block(&d.file).map_err(|_| {
                    ApiError::invalid("INVALID_DOCUMENT", format!("{} is not base64", d.filename))
                })?;
                bytes.extend(decoded);
            }
            Ok(json!({"fileAttachment": {
                "filename": format!("merged.{ext}"),
                "file": openssl::base64::encode_block(&bytes),
            }}))
        }
        other => Err(ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("format {other:?} is not one of ORIGINAL, MERGED_TIFF, MERGED_PDF"),
        )
        .detail("format", "must be ORIGINAL, MERGED_TIFF or MERGED_PDF")),
    }
}

fn create_case(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::CreateCaseRequest>(call.body)?;
    let claim_id = b
        .get("chargebackRefNum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find_map(|r| model.claim_by_chargeback_ref(r))
        .unwrap_or_default();
    let case = Case {
        id: new_id(10),
        claim_id,
        documents: document(&b),
        request: b,
        status: "OPEN".into(),
        history: vec![("CREATE".into(), String::new(), now())],
        created: now(),
    };
    let id = case.id.clone();
    model.insert_case(case)?;
    Ok(json!({"caseId": id}))
}

fn update_case(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::UpdateCaseRequest>(call.body)?;
    let action = s(&b, "action");
    model.with_case(call.param("case-id"), |case| {
        let next = match (case.status.as_str(), action.as_str()) {
            ("OPEN" | "REBUTTED", "ACCEPT") => "ACCEPTED",
            ("OPEN" | "REBUTTED", "REJECT") => "REJECTED",
            ("REJECTED", "REBUT") => "REBUTTED",
            ("REJECTED" | "REBUTTED", "ESCALATE") => "ESCALATED",
            ("OPEN" | "REJECTED" | "REBUTTED" | "ESCALATED", "WITHDRAW") => "WITHDRAWN",
            (status @ ("OPEN" | "REJECTED" | "REBUTTED"), "DOC_RETRY") => status,
            (status, action) => {
                return Err(ApiError::invalid(
                    "INVALID_STATE",
                    format!("cannot {action} case {} in status {status}", case.id),
                ));
            }
        };
        case.status = next.to_owned();
        case.history.push((action.clone(), s(&b, "memo"), now()));
        case.documents.extend(document(&b));
        Ok(json!({"caseId": case.id}))
    })
}

fn queue(model: &Model, name: &str, from: &str, to: &str) -> Result<Vec<Value>, ApiError> {
    if !["Unworked", "Worked", "Closed"].contains(&name) {
        return Err(
            ApiError::invalid("INVALID_QUEUE", format!("unknown queue {name:?}"))
                .detail("queueName", "one of Unworked, Worked, Closed"),
        );
    }
    Ok(model
        .claims()
        .iter()
        .filter(|c| c.queue() == name && in_range(c.modified, from, to))
        .map(|c| {
            let seed = c.seed_transaction();
            json!({
                "claimId": c.id,
                "claimType": c.claim_type,
                "claimValue": c.amount,
                "createDate": date(c.created),
                "lastModifiedDate": date(c.modified),
                "lastModifiedBy": "sandbox",
                "isOpen": c.open,
                "isIssuer": true,
                "isAcquirer": false,
                "isAccurate": true,
                "queueName": c.queue(),
                "transactionId": c.clearing_transaction_id,
                "primaryAccountNum": seed.map(|t| t.primary_account_num),
                "acquirerRefNum": seed.map(|t| t.acquirer_ref_num),
                "progressState": c.chargebacks.last().map_or("CLAIM", |cb| cb.stage.as_str()),
            })
        })
        .collect())
}
