//! Chargebacks, second presentments, arbitration chargebacks, reversals, acknowledgement.

use super::*;

pub(super) fn find_chargeback<'c>(
    claim: &'c mut Claim,
    id: &str,
) -> Result<&'c mut Chargeback, ApiError> {
    claim
        .chargebacks
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("chargeback", id))
}

/// The chargeback-cycle event a request creates: a `CHARGEBACK` after a live second
/// presentment is the arbitration chargeback.
fn event_kind(claim: &Claim, requested: &str) -> String {
    let live = |stage: &str| {
        claim
            .chargebacks
            .iter()
            .any(|c| c.stage == stage && c.reverses.is_none() && !c.reversed)
    };
    if requested == "CHARGEBACK" && live("SECOND_PRESENTMENT") {
        "ARBITRATION_CHARGEBACK".to_owned()
    } else {
        requested.to_owned()
    }
}

pub(super) fn create_chargeback(
    model: &Model,
    call: &Call<'_>,
    body: &Value,
    debit_mc: bool,
) -> Result<Value, ApiError> {
    let requested = if debit_mc {
        "CHARGEBACK".to_owned()
    } else {
        s(body, "chargebackType")
    };
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        let kind = event_kind(claim, &requested);
        // The previous live event of the same type on this claim, if any, decides Mastercom's
        // duplicate behaviour before the cycle's order is checked.
        let previous = claim
            .chargebacks
            .iter()
            .rev()
            .find(|c| c.stage == kind && c.reverses.is_none() && !c.reversed)
            .map(|c| c.created);
        let duplicate = model.duplicate_check(previous)?;
        if !duplicate {
            let last = claim
                .chargebacks
                .iter()
                .rev()
                .find(|c| c.reverses.is_none() && !c.reversed)
                .map(|c| c.stage.as_str());
            let allowed = matches!(
                (kind.as_str(), last),
                ("CHARGEBACK", None)
                    | ("SECOND_PRESENTMENT", Some("CHARGEBACK"))
                    | ("ARBITRATION_CHARGEBACK", Some("SECOND_PRESENTMENT"))
            );
            if !allowed {
                return Err(ApiError::invalid(
                    "INVALID_STATE",
                    format!(
                        "a {requested} cannot follow {} on claim {}",
                        last.unwrap_or("no chargeback"),
                        claim.id
                    ),
                ));
            }
        }
        let amount = if debit_mc {
            s(body, "replacementAmount")
        } else {
            s(body, "amount")
        };
        let cb = Chargeback {
            id: new_id(10),
            ref_num: new_id(10),
            stage: kind,
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
            documents: document(body)?,
            memo: String::new(),
            created: model.now(),
        };
        let id = cb.id.clone();
        claim.chargebacks.push(cb);
        Ok(json!({"chargebackId": id}))
    })
}

pub(super) fn reverse_chargeback(
    model: &Model,
    call: &Call<'_>,
    debit_mc: bool,
) -> Result<Value, ApiError> {
    let id = call.param("chargeback-id").to_owned();
    model.with_claim(call.param("claim-id"), |claim| {
        open_claim(claim)?;
        // An earlier reversal of the same chargeback is the same dispute event.
        let previous = claim
            .chargebacks
            .iter()
            .rev()
            .find(|c| c.reverses.as_deref() == Some(id.as_str()))
            .map(|c| c.created);
        let original = find_chargeback(claim, &id)?;
        if original.reverses.is_some() {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                format!("chargeback {id} is a reversal and cannot be reversed"),
            ));
        }
        if original.reversed && !model.duplicate_check(previous)? {
            return Err(ApiError::invalid(
                "INVALID_STATE",
                format!("chargeback {id} is already reversed"),
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
            created: model.now(),
            ..original.clone()
        };
        let new = reversal.id.clone();
        claim.chargebacks.push(reversal);
        Ok(json!({"chargebackId": new}))
    })
}

pub(super) fn acknowledge(model: &Model, body: &Value) -> Result<Value, ApiError> {
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

pub(super) fn chargeback_status(model: &Model, body: &Value) -> Result<Value, ApiError> {
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
