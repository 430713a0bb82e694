//! Claims: creation from a seeded transaction, close/reopen, detail and queues.

use super::*;

pub(super) fn create_claim(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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
    let at = model.now();
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
        event_times: std::collections::BTreeMap::new(),
    };
    let id = claim.id.clone();
    model.insert_claim(claim)?;
    Ok(json!({"claimId": id}))
}

pub(super) fn update_claim(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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
pub(super) fn claim_detail(c: &Claim, case: Option<&Case>) -> Value {
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
        "transactionId": format!("TI:{}#{}", c.clearing_transaction_id, c.auth_transaction_id),
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
pub(super) fn case_lifecycle(case: &Case) -> Value {
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

pub(super) fn retrieval_summary(c: &Claim, r: &Retrieval) -> Value {
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

pub(super) fn queue(
    model: &Model,
    name: &str,
    from: &str,
    to: &str,
) -> Result<Vec<Value>, ApiError> {
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
                "transactionId": summary_transaction_id(&c.id),
                "primaryAccountNum": seed.map(|t| t.primary_account_num),
                "acquirerRefNum": seed.map(|t| t.acquirer_ref_num),
                "progressState": c.chargebacks.last().map_or("CLAIM", |cb| cb.stage.as_str()),
            })
        })
        .collect())
}

/// `ClaimSummary.transactionId`: "a 9 digit numeric identifier used by mastercom internal
/// processes", not the clearing or authorization id. The sandbox derives it from the claim id
/// (its last nine digits) so it is stable across calls and restarts.
fn summary_transaction_id(claim_id: &str) -> String {
    let digits: String = claim_id.chars().filter(char::is_ascii_digit).collect();
    format!(
        "{:0>9}",
        digits.get(digits.len().saturating_sub(9)..).unwrap_or("")
    )
}
