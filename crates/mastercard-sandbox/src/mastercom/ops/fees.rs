//! Fee collections (standard and Debit Mastercard handling fees), kept in the shape
//! `getClaimDetail` answers them in: the spec's `FeeDetails`.

use super::*;

/// The `FeeDetails` fields a standard `CreateFeeRequest` carries under the same name; the
/// request's other fields (`mastercomControlNumber`, `replyFeeId`, `feeType`, `settlementDate`)
/// are instructions to Mastercom, not part of the fee as `getClaimDetail` lists it.
const SHARED_FIELDS: &[&str] = &[
    "cardAcceptorIdCode",
    "cardNumber",
    "countryCode",
    "currency",
    "feeDate",
    "destinationMember",
    "feeAmount",
    "creditSender",
    "creditReceiver",
    "message",
    "reason",
];

/// `FeeDetails` of a standard fee request.
fn standard_fee(id: &str, body: &Value) -> Value {
    let mut fee = serde_json::Map::new();
    fee.insert("feeId".into(), json!(id));
    for field in SHARED_FIELDS {
        if let Some(value) = body.get(*field) {
            fee.insert((*field).to_owned(), value.clone());
        }
    }
    Value::Object(fee)
}

/// `FeeDetails` of a Debit Mastercard handling fee: the handling fee is the amount, its reason
/// code the reason, the acquirer's ICA the destination; the claim gives the currency.
fn debit_mc_fee(id: &str, body: &Value, claim: &Claim, at: u64) -> Value {
    json!({
        "feeId": id,
        "feeAmount": s(body, "handlingFee"),
        "reason": s(body, "reasonCode"),
        "destinationMember": s(body, "acquirerCustomerId"),
        "currency": claim.currency.get(..3).unwrap_or(&claim.currency),
        "feeDate": date(at),
        "creditSender": true,
        "creditReceiver": false,
    })
}

pub(super) fn create_fee(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let body = validate::<t::CreateFeeRequest>(call.body)?;
    let id = new_id(10);
    let fee = standard_fee(&id, &body);
    let key = format!("fee:{}", s(&body, "reason"));
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        same_fee_check(model, claim, key)?;
        claim.fees.push(fee);
        Ok(json!({"feeId": id}))
    })
}

pub(super) fn create_fee_debit_mc(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
    let body = validate::<t::CreateFeeRequestSingle>(call.body)?;
    let at = model.now();
    let key = format!("fee:debitmc:{}", s(&body, "reasonCode"));
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        same_fee_check(model, claim, key)?;
        let fee = debit_mc_fee(&new_id(10), &body, claim, at);
        claim.fees.push(fee);
        Ok(json!({"status": "SUCCESS"}))
    })
}

/// A fee with the same reason on the same claim is the same dispute event (a different reason is
/// a different fee collection).
fn same_fee_check(model: &Model, claim: &mut Claim, key: String) -> Result<(), ApiError> {
    model.duplicate_check(claim.event_times.get(&key).copied())?;
    claim.event_times.insert(key, model.now());
    Ok(())
}
