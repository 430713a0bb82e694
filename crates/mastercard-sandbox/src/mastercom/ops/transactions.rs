//! Transaction search and details over the seeded transactions.

use super::*;

pub(super) fn seed_by(
    pred: impl Fn(&SeedTransaction) -> bool,
) -> impl Iterator<Item = &'static SeedTransaction> {
    SEED_TRANSACTIONS.iter().filter(move |t| pred(t))
}

pub(super) fn clearing_summary(t: &SeedTransaction) -> Value {
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

pub(super) fn amount_cents(a: &str) -> Option<u64> {
    let (whole, frac) = a.split_once('.').unwrap_or((a, "0"));
    let frac = format!("{frac:0<2}");
    let cents = frac.get(..2)?.parse::<u64>().ok()?;
    whole
        .parse::<u64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// Longest search range, in days between its two dates: "The search range is a maximum of 30
/// days". The spec's examples span 2021-01-01..2021-01-30 and 2021-01-01..2021-01-31, so only
/// what both readings refuse is refused (more than 30 days between the dates).
const SEARCH_RANGE_DAYS: i64 = 30;

/// Refuses a range longer than [`SEARCH_RANGE_DAYS`].
fn search_range(from: &str, to: &str, fields: [&str; 2]) -> Result<(), ApiError> {
    let day = |text: &str, field: &str| {
        text.get(..10)
            .unwrap_or(text)
            .parse::<mastercom::workflows::Day>()
            .map_err(|_| {
                ApiError::invalid(
                    "INVALID_FIELD_VALUE",
                    format!("{field} {text:?} is not a date"),
                )
                .detail(field, "yyyy-MM-dd")
            })
    };
    let (start, end) = (day(from, fields[0])?, day(to, fields[1])?);
    if end.days_since_epoch() - start.days_since_epoch() > SEARCH_RANGE_DAYS {
        return Err(ApiError::invalid(
            "INVALID_FIELD_VALUE",
            format!("the search range {from}..{to} is longer than 30 days"),
        )
        .detail(fields[1], "at most 30 days after the start date"));
    }
    Ok(())
}

pub(super) fn transaction_search(call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::TransactionSearchRequest>(call.body)?;
    let (from, to) = (s(&b, "tranStartDate"), s(&b, "tranEndDate"));
    search_range(&from, &to, ["tranStartDate", "tranEndDate"])?;
    let (pan, arn, bnr) = (
        s(&b, "primaryAccountNum"),
        s(&b, "acquirerRefNumber"),
        s(&b, "bankNetRefNumber"),
    );
    let amount = |field: &str| -> Result<Option<u64>, ApiError> {
        let text = s(&b, field);
        if text.is_empty() {
            return Ok(None);
        }
        amount_cents(&text).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "INVALID_FIELD_VALUE",
                format!("{field}: {text:?} is not an amount"),
            )
            .detail(field, "an amount such as 125.00")
        })
    };
    let (lo, hi) = (amount("transAmountFrom")?, amount("transAmountTo")?);
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

pub(super) fn debit_search(call: &Call<'_>) -> Result<Value, ApiError> {
    let b = validate::<t::TransactionSingleSearchRequest>(call.body)?;
    let (pan, from, to) = (
        s(&b, "primaryAccountNumber"),
        s(&b, "settlementFromDate"),
        s(&b, "settlementToDate"),
    );
    search_range(&from, &to, ["settlementFromDate", "settlementToDate"])?;
    let list: Vec<Value> = seed_by(|t| {
        t.primary_account_num == pan && t.date >= from.as_str() && t.date <= to.as_str()
    })
    .map(|t| {
        json!({
            "authTransactionId": t.auth_transaction_id,
            "clearingTransactionId": t.clearing_transaction_id,
            "singleMessageSummaryDetails": {
                "authTransaction": single_message_summary(t, "0100"),
                "clearingTransaction": single_message_summary(t, "0200"),
            },
        })
    })
    .collect();
    Ok(json!({"transactionSummaryList": list}))
}

pub(super) fn claim_transaction(
    model: &Model,
    call: &Call<'_>,
) -> Result<&'static SeedTransaction, ApiError> {
    let claim = model.claim(call.param("claim-id"))?;
    claim
        .seed_transaction()
        .ok_or_else(|| ApiError::not_found("transaction", &claim.clearing_transaction_id))
}

pub(super) fn clearing_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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

pub(super) fn authorization_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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

/// `SingleMessageSummary` of the seeded transaction, for its authorization (`0100`) or
/// financial (`0200`) message.
fn single_message_summary(t: &SeedTransaction, message_type: &str) -> Value {
    json!({
        "acquirerReferenceNumber": t.acquirer_ref_num,
        "brand": "MD",
        "localCurrencyCode": t.currency,
        "localRequestedAmount": t.amount,
        "merchantName": t.merchant,
        "merchantType": "5999",
        "primaryAccountNumber": t.primary_account_num,
        "processingCode": "000000",
        "responseCode": "00",
        "settlementDate": mmddyy(t.date),
        "switchSerialNumber": t.banknet_ref_num,
        "tranType": message_type,
    })
}

/// `SingleMessageDetail` of the seeded transaction for one of its messages.
fn single_message_detail(t: &SeedTransaction, message_type: &str) -> Value {
    json!({
        "acquirerReferenceNumber": t.acquirer_ref_num,
        "banknetReferenceNumber": t.banknet_ref_num,
        "localCurrencyCode": t.currency,
        "localRequestedAmount": t.amount,
        "localCompletionAmount": t.amount,
        "merchantType": "5999",
        "primaryAccountNumber": t.primary_account_num,
        "processingCode": "000000",
        "responseCode": "00",
        "settlementDate": mmddyy(t.date),
        "switchSerialNumber": t.banknet_ref_num,
        "transactionDateTime": format!("{}T12:00:00", t.date),
        "tranType": message_type,
    })
}

/// `YYYY-MM-DD` → the `MMDDYY` the single-message fields use.
fn mmddyy(date: &str) -> String {
    match (date.get(2..4), date.get(5..7), date.get(8..10)) {
        (Some(yy), Some(mm), Some(dd)) => format!("{mm}{dd}{yy}"),
        _ => String::new(),
    }
}

/// `TransactionSingleMessageDetail`: the authorization and the financial message of the
/// claim's transaction.
pub(super) fn debit_detail(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let t = claim_transaction(model, call)?;
    Ok(json!({
        "authTransaction": single_message_detail(t, "0100"),
        "clearingTransaction": single_message_detail(t, "0200"),
    }))
}
