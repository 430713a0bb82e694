//! Helpers for operations with a per-call limit on list sizes.

use crate::error::Error;
use crate::{MastercomClient, types};

/// Mastercom accepts at most this many chargebacks per acknowledgement call.
pub const ACKNOWLEDGE_LIMIT: usize = 100;
/// Mastercom accepts at most this many case ids per case-filing status call.
pub const CASE_STATUS_LIMIT: usize = 2000;

/// Acknowledges `chargebacks` in calls of at most [`ACKNOWLEDGE_LIMIT`], in order. Stops at the
/// first failing call and returns what succeeded so far with the error, so the caller knows which
/// chunks to resend. `debit_mc` selects the Debit Mastercard endpoint.
pub async fn acknowledge_chargebacks(
    client: &MastercomClient,
    chargebacks: &[types::ChargebackMarkProcessedRequestStructure],
    debit_mc: bool,
) -> Result<
    Vec<types::ChargebackMarkProcessedResponse>,
    (Vec<types::ChargebackMarkProcessedResponse>, Error),
> {
    let mut done = Vec::new();
    for chunk in chargebacks.chunks(ACKNOWLEDGE_LIMIT) {
        let body = types::ChargebackMarkProcessedRequest {
            chargeback_list: chunk.to_vec(),
        };
        let result = if debit_mc {
            client.acknowledge_chargebacks_debit_mc(&body).await
        } else {
            client.acknowledge_chargebacks(&body).await
        };
        match result {
            Ok(response) => done.push(response.into_inner()),
            Err(error) => return Err((done, error)),
        }
    }
    Ok(done)
}

/// Retrieves the status of `cases` in calls of at most [`CASE_STATUS_LIMIT`] ids, in order.
pub async fn case_filing_status(
    client: &MastercomClient,
    cases: &[types::CaseFilingStatusRequestStructure],
) -> Result<Vec<types::CaseFilingStatusResponse>, Error> {
    let mut responses = Vec::new();
    for chunk in cases.chunks(CASE_STATUS_LIMIT) {
        let body = types::CaseFilingStatusRequest {
            case_filing_list: chunk.to_vec(),
        };
        responses.push(
            client
                .retrieve_case_filing_status(&body)
                .await?
                .into_inner(),
        );
    }
    Ok(responses)
}
