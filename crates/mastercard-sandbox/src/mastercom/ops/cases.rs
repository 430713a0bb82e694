//! Case filings and their accept/reject/rebut/escalate/withdraw transitions.

use super::*;

pub(super) fn create_case(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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
        documents: document(&b)?,
        request: b,
        status: "OPEN".into(),
        history: vec![("CREATE".into(), String::new(), model.now())],
        created: model.now(),
    };
    let id = case.id.clone();
    // The same filing is the same case type against the same chargebacks.
    let key = |c: &Case| {
        let mut refs: Vec<String> = c
            .request
            .get("chargebackRefNum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        refs.sort();
        (s(&c.request, "caseType"), refs)
    };
    let this = key(&case);
    model.insert_case(case, |c| key(c) == this)?;
    Ok(json!({"caseId": id}))
}

pub(super) fn update_case(model: &Model, call: &Call<'_>) -> Result<Value, ApiError> {
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
        case.history
            .push((action.clone(), s(&b, "memo"), model.now()));
        case.documents.extend(document(&b)?);
        Ok(json!({"caseId": case.id}))
    })
}
