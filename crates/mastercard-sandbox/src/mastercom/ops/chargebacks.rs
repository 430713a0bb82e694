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

pub(super) fn create_chargeback(
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

pub(super) fn reverse_chargeback(
    model: &Model,
    call: &Call<'_>,
    debit_mc: bool,
) -> Result<Value, ApiError> {
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
