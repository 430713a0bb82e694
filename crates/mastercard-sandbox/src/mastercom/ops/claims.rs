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

/// Claims per `getQueueSummaryPost` page ("up to 2,000 claims per page").
const QUEUE_PAGE_SIZE: usize = 2000;
/// Longest `lastModifiedDateFrom`..`lastModifiedDateTo` range answered: the spec's exact
/// `pageCount` needs "less than or equal to 5 days", and the sandbox only gives exact counts,
/// so it refuses a longer range rather than pretend.
const QUEUE_WINDOW_MINUTES: i64 = 5 * 24 * 60;

/// `getQueueSummaryPost`: the claims of a queue last modified within the (inclusive,
/// minute-precision) range, newest first, 2,000 per page, with the page count.
pub(super) fn queue_page(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let body = validate::<t::GetQueueContentRequest>(call.body)?;
    let (from, to) = (
        s(&body, "lastModifiedDateFrom"),
        s(&body, "lastModifiedDateTo"),
    );
    let window = match (from.is_empty(), to.is_empty()) {
        (true, true) => None,
        (false, false) => {
            let from = minute(&from, "lastModifiedDateFrom")?;
            let to = minute(&to, "lastModifiedDateTo")?;
            if from > to {
                return Err(ApiError::invalid(
                    "INVALID_FIELD_VALUE",
                    "lastModifiedDateFrom is after lastModifiedDateTo",
                )
                .detail(
                    "lastModifiedDateFrom",
                    "must not be after lastModifiedDateTo",
                ));
            }
            if to.minutes_since_epoch() - from.minutes_since_epoch() > QUEUE_WINDOW_MINUTES {
                return Err(ApiError::invalid(
                    "INVALID_FIELD_VALUE",
                    "the date range is longer than 5 days: pageCount is exact only for 5 days or less",
                )
                .detail("lastModifiedDateTo", "at most 5 days after lastModifiedDateFrom"));
            }
            Some((from, to))
        }
        _ => {
            let missing = if from.is_empty() {
                "lastModifiedDateFrom"
            } else {
                "lastModifiedDateTo"
            };
            return Err(ApiError::invalid(
                "MISSING_REQUIRED_FIELD",
                format!("{missing} is required when the other end of the range is given"),
            )
            .detail(missing, "required with the other date"));
        }
    };
    let page_text = s(&body, "pageNb");
    let page = if page_text.is_empty() {
        1
    } else {
        page_text
            .parse::<usize>()
            .ok()
            .filter(|page| *page >= 1 && page_text.len() <= 3)
            .ok_or_else(|| {
                ApiError::invalid(
                    "INVALID_FIELD_VALUE",
                    format!("pageNb {page_text:?} is not a page number"),
                )
                .detail("pageNb", "1 to 3 digits, from 1")
            })?
    };
    let list = queue(model, &s(&body, "queueName"), window)?;
    let pages = list.len().div_ceil(QUEUE_PAGE_SIZE).max(1);
    if page > pages {
        return Err(ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("pageNb {page} is beyond the pageCount {pages}"),
        )
        .detail("pageNb", "at most pageCount"));
    }
    let claims: Vec<Value> = list
        .into_iter()
        .skip((page - 1) * QUEUE_PAGE_SIZE)
        .take(QUEUE_PAGE_SIZE)
        .collect();
    Ok(json!({"claimList": claims, "pageCount": pages.to_string()}))
}

fn minute(text: &str, field: &str) -> Result<mastercom::workflows::Minute, ApiError> {
    text.parse().map_err(|_| {
        ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("{field} {text:?} is not a date-time"),
        )
        .detail(field, "yyyy-MM-ddTHH:mm")
    })
}

/// The claims of queue `name`, newest change first (then by id, so pages are stable), within
/// `window` (inclusive minutes) when given.
pub(super) fn queue(
    model: &Model,
    name: &str,
    window: Option<(mastercom::workflows::Minute, mastercom::workflows::Minute)>,
) -> Result<Vec<Value>, ApiError> {
    if !["Unworked", "Worked", "Closed"].contains(&name) {
        return Err(
            ApiError::invalid("INVALID_QUEUE", format!("unknown queue {name:?}"))
                .detail("queueName", "one of Unworked, Worked, Closed"),
        );
    }
    let in_window = |modified: u64| {
        window.is_none_or(|(from, to)| {
            let minute = i64::try_from(modified / 60).unwrap_or(i64::MAX);
            from.minutes_since_epoch() <= minute && minute <= to.minutes_since_epoch()
        })
    };
    let mut claims: Vec<Claim> = model
        .claims()
        .into_iter()
        .filter(|c| c.queue() == name && in_window(c.modified))
        .collect();
    claims.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.id.cmp(&b.id)));
    Ok(claims
        .iter()
        .map(|c| {
            let seed = c.seed_transaction();
            json!({
                "claimId": c.id,
                "claimType": c.claim_type,
                "claimValue": c.amount,
                "createDate": date(c.created),
                "lastModifiedDate": date_time(c.modified),
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

/// `YYYY-MM-DDTHH:MM:SS` (UTC), as `ClaimSummary.lastModifiedDate` shows it.
fn date_time(unix: u64) -> String {
    let in_day = unix % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}",
        date(unix),
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}
