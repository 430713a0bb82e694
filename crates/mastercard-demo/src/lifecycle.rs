//! The Mastercom walk: search a transaction, open a claim, request the retrieval, charge back,
//! show the client's dispute-event guard refusing a duplicate, second presentment, case filing,
//! queues, acknowledgement.
//!
//! Request bodies are written as JSON (as Mastercard's documentation shows them) and converted to
//! the generated types, so the spec's validation applies before anything is sent.

use std::future::Future;
use std::time::Instant;

use mastercom::guard::RefusalReason;
use mastercom::{Error as MastercomError, MastercomClient, Response, batch, types};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::DemoError;
use crate::trace::{Outcome, Trace};

/// The transaction search window. The embedded sandbox seeds four transactions in 2024; this
/// month holds `CLR-0000000002`.
pub const SEARCH_FROM: &str = "2024-05-01";
/// End of the search window.
pub const SEARCH_TO: &str = "2024-05-31";

/// What the walk created, for the summary line and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// The disputed clearing transaction.
    pub clearing_transaction_id: String,
    /// The claim.
    pub claim_id: String,
    /// The first chargeback and the second presentment.
    pub chargeback_ids: Vec<String>,
    /// The case filing.
    pub case_id: String,
    /// The claim's queue after the acknowledgement.
    pub final_queue: Option<String>,
}

/// Walks one dispute from transaction search to acknowledgement.
pub async fn walk(client: &MastercomClient, trace: &mut Trace) -> Result<Lifecycle, DemoError> {
    let search: types::TransactionSearchRequest =
        typed(json!({"tranStartDate": SEARCH_FROM, "tranEndDate": SEARCH_TO}))?;
    let started = trace.start();
    let found = send(
        trace,
        "transactionSearch",
        started,
        client.transaction_search(&search),
    )
    .await?;
    let authorization = found
        .authorization_summary
        .first()
        .ok_or_else(|| DemoError::unexpected("transactionSearch", "no transaction found"))?;
    let clearing = authorization
        .clearing_summary
        .first()
        .and_then(|clearing| clearing.transaction_id.clone())
        .ok_or_else(|| {
            DemoError::unexpected("transactionSearch", "the authorization has no clearing")
        })?;
    trace.record(
        "transactionSearch",
        started,
        Outcome::Status(200),
        format!(
            "{} authorization(s) from {SEARCH_FROM} to {SEARCH_TO}; disputing clearing {clearing}",
            found.authorization_summary.len()
        ),
    );

    let claim_request: types::CreateClaimRequest = typed(json!({
        "claimType": "Standard",
        "clearingTransactionId": clearing,
        "authTransactionId": authorization.transaction_id,
        "disputedAmount": "49.99",
        "disputedCurrency": "USD",
    }))?;
    let started = trace.start();
    let claim = send(
        trace,
        "createClaim",
        started,
        client.create_claim(&claim_request),
    )
    .await?;
    let claim_id = claim
        .claim_id
        .ok_or_else(|| DemoError::unexpected("createClaim", "no claim id"))?;
    trace.record(
        "createClaim",
        started,
        Outcome::Status(200),
        format!("claim {claim_id}"),
    );

    let retrieval: types::CreateRetrievalRequest =
        typed(json!({"docNeeded": "2", "retrievalRequestReason": "6343"}))?;
    let started = trace.start();
    let request = send(
        trace,
        "createRetrievalRequest",
        started,
        client.create_retrieval_request(&claim_id, &retrieval),
    )
    .await?;
    trace.record(
        "createRetrievalRequest",
        started,
        Outcome::Status(200),
        format!(
            "retrieval request {}",
            request.request_id.as_deref().unwrap_or("(no id)")
        ),
    );

    let first: types::CreateChargebackRequest = typed(json!({
        "chargebackType": "CHARGEBACK", "amount": "49.99", "currency": "USD",
        "documentIndicator": "false", "reasonCode": "4853",
    }))?;
    let first_id = create_chargeback(client, trace, &claim_id, &first, "chargeback").await?;
    refuse_duplicate(client, trace, &claim_id, &first).await?;

    let second: types::CreateChargebackRequest = typed(json!({
        "chargebackType": "SECOND_PRESENTMENT", "amount": "49.99", "currency": "USD",
        "documentIndicator": "false", "reasonCode": "2700",
    }))?;
    let second_id =
        create_chargeback(client, trace, &claim_id, &second, "second presentment").await?;

    let started = trace.start();
    let detail = send(
        trace,
        "getClaimDetail",
        started,
        client.get_claim_detail(&claim_id),
    )
    .await?;
    trace.record(
        "getClaimDetail",
        started,
        Outcome::Status(200),
        format!(
            "{} chargeback event(s), {} retrieval request(s), queue {}",
            detail.chargeback_details.len(),
            detail.retrieval_details_list.len(),
            detail.queue_name.as_deref().unwrap_or("(none)")
        ),
    );
    let reference = detail
        .chargeback_details
        .first()
        .and_then(|chargeback| chargeback.chargeback_ref_num.clone());

    let case_request: types::CreateCaseRequest = typed(json!({
        "caseType": "1", "chargebackReasonCode": "4853", "chargebackRefNum": [reference],
        "currencyCode": "USD", "disputeAmount": "49.99", "filedAgainstIca": "1234",
        "filingAs": "I", "filingIca": "5678", "memo": "pre-arbitration",
    }))?;
    let started = trace.start();
    let case = send(
        trace,
        "createCaseFiling",
        started,
        client.create_case_filing(&case_request),
    )
    .await?;
    let case_id = case
        .case_id
        .ok_or_else(|| DemoError::unexpected("createCaseFiling", "no case id"))?;
    trace.record(
        "createCaseFiling",
        started,
        Outcome::Status(200),
        format!("case {case_id}"),
    );

    let started = trace.start();
    let statuses = batch::case_filing_status(
        client,
        &[types::CaseFilingStatusRequestStructure {
            case_id: case_id.clone(),
        }],
        None,
    )
    .await
    .map_err(|error| {
        failed(
            trace,
            "retrieveCaseFilingStatus",
            started,
            error.into_error(),
        )
    })?;
    let status = statuses
        .iter()
        .flat_map(|response| &response.case_filing_response_list)
        .find(|entry| entry.case_id.as_deref() == Some(case_id.as_str()))
        .and_then(|entry| entry.status.clone());
    trace.record(
        "retrieveCaseFilingStatus",
        started,
        Outcome::Status(200),
        format!(
            "case {case_id}: {}",
            status.as_deref().unwrap_or("(no status)")
        ),
    );

    queue(client, trace, "Unworked", &claim_id).await?;

    let acknowledgements: Vec<types::ChargebackMarkProcessedRequestStructure> =
        [&first_id, &second_id]
            .iter()
            .map(|chargeback| typed(json!({"claimId": claim_id, "chargebackId": chargeback})))
            .collect::<Result<_, _>>()?;
    let started = trace.start();
    let acknowledged = batch::acknowledge_chargebacks(client, &acknowledgements, false, None)
        .await
        .map_err(|error| failed(trace, "acknowledgeChargebacks", started, error.into_error()))?;
    let succeeded = acknowledged
        .iter()
        .flat_map(|response| &response.chargeback_response_list)
        .filter(|entry| entry.status.as_deref() == Some("SUCCESS"))
        .count();
    trace.record(
        "acknowledgeChargebacks",
        started,
        Outcome::Status(200),
        format!(
            "{succeeded} of {} chargeback event(s) acknowledged in {} call(s)",
            acknowledgements.len(),
            acknowledged.len()
        ),
    );

    let final_queue = queue(client, trace, "Worked", &claim_id).await?;
    Ok(Lifecycle {
        clearing_transaction_id: clearing,
        claim_id,
        chargeback_ids: vec![first_id, second_id],
        case_id,
        final_queue,
    })
}

async fn create_chargeback(
    client: &MastercomClient,
    trace: &mut Trace,
    claim_id: &str,
    body: &types::CreateChargebackRequest,
    what: &str,
) -> Result<String, DemoError> {
    let started = trace.start();
    let created = send(
        trace,
        "createChargeback",
        started,
        client.create_chargeback(claim_id, body),
    )
    .await?;
    let id = created
        .chargeback_id
        .ok_or_else(|| DemoError::unexpected("createChargeback", "no chargeback id"))?;
    trace.record(
        "createChargeback",
        started,
        Outcome::Status(200),
        format!("{what} {id} on claim {claim_id}"),
    );
    Ok(id)
}

/// Mastercom itself accepts the same event sent again less than a minute after the first (the
/// embedded sandbox models that). The resend here changes the memo, as a retrying back office
/// might: it is still the same dispute event (same claim, same chargeback cycle), and the
/// client's guard is what keeps it from being sent.
async fn refuse_duplicate(
    client: &MastercomClient,
    trace: &mut Trace,
    claim_id: &str,
    body: &types::CreateChargebackRequest,
) -> Result<(), DemoError> {
    if !client.guard_enabled() {
        return Ok(());
    }
    let mut resent = serde_json::to_value(body)
        .map_err(|_| DemoError::unexpected("createChargeback", "the body is not JSON"))?;
    resent["messageText"] = json!("resent: memo changed");
    let resent: types::CreateChargebackRequest = typed(resent)?;
    let started = trace.start();
    match client.create_chargeback(claim_id, &resent).await {
        Err(error) => {
            let refused_as_duplicate = error
                .guard_refusal()
                .is_some_and(|refusal| refusal.reason == RefusalReason::Duplicate);
            if refused_as_duplicate {
                trace.record(
                    "createChargeback",
                    started,
                    Outcome::NotSent(
                        "the same chargeback again, memo changed: refused by the dispute-event guard",
                    ),
                    format!("claim {claim_id}"),
                );
                Ok(())
            } else {
                Err(failed(trace, "createChargeback", started, error))
            }
        }
        Ok(_) => Err(DemoError::unexpected(
            "createChargeback",
            "the dispute-event guard let the same chargeback (memo changed) through",
        )),
    }
}

/// Lists a queue and reports whether the claim is in it; returns the queue's name if it is.
async fn queue(
    client: &MastercomClient,
    trace: &mut Trace,
    name: &'static str,
    claim_id: &str,
) -> Result<Option<String>, DemoError> {
    let queue_name: types::GetQueueSummaryQueueName = name
        .parse()
        .map_err(|_| DemoError::unexpected("getQueueSummary", "queue name not in the spec"))?;
    let started = trace.start();
    let claims = send(
        trace,
        "getQueueSummary",
        started,
        client.get_queue_summary(&queue_name),
    )
    .await?;
    let present = claims
        .iter()
        .any(|summary| summary.claim_id.as_deref() == Some(claim_id));
    trace.record(
        "getQueueSummary",
        started,
        Outcome::Status(200),
        format!(
            "{name}: {} claim(s); claim {claim_id} {}",
            claims.len(),
            if present { "is here" } else { "is not here" }
        ),
    );
    Ok(present.then(|| name.to_owned()))
}

/// Awaits a generated call; a failure is printed as a step and returned as a typed error.
async fn send<T>(
    trace: &mut Trace,
    operation: &'static str,
    started: Instant,
    call: impl Future<Output = Result<Response<T>, MastercomError>>,
) -> Result<T, DemoError> {
    match call.await {
        Ok(response) => Ok(response.into_inner()),
        Err(error) => Err(failed(trace, operation, started, error)),
    }
}

fn failed(
    trace: &mut Trace,
    operation: &'static str,
    started: Instant,
    error: MastercomError,
) -> DemoError {
    let outcome = match error.status() {
        Some(status) => Outcome::Status(status.as_u16()),
        None if error.request_may_have_been_sent() => Outcome::NoAnswer,
        None => Outcome::NotSent("refused before sending"),
    };
    trace.record(operation, started, outcome, error.to_string());
    DemoError::Mastercom {
        operation,
        source: Box::new(error),
    }
}

fn typed<T: DeserializeOwned>(body: Value) -> Result<T, DemoError> {
    serde_json::from_value(body).map_err(DemoError::RequestBody)
}
