//! Operations with a per-call limit on list sizes, sent in chunks the spec accepts.
//!
//! Every helper sends its chunks one after another, in order, and stops at the first failing
//! call: the [`ChunkError`] says which chunk failed (its index and the range of items it held)
//! and carries the responses of the chunks that succeeded, so a caller resends only the rest.
//! Each takes an optional progress callback, called after every successful chunk with
//! `(items done, items in total)`.

use std::future::Future;
use std::ops::Range;

use crate::error::Error;
use crate::{MastercomClient, types};

/// Chargebacks per acknowledgement call: the spec asks for "100 acknowledgments or fewer in a
/// single request".
pub const ACKNOWLEDGE_LIMIT: usize = 100;
/// Mastercom accepts at most this many case ids per case-filing status call.
pub const CASE_STATUS_LIMIT: usize = 2000;
/// Mastercom accepts at most this many chargebacks per chargeback status call ("maximum list
/// size is 2000", `ChargebackStatusRequest.chargebackList`).
pub const CHARGEBACK_STATUS_LIMIT: usize = 2000;
/// Mastercom accepts at most this many retrieval requests per fulfillment status call
/// ("maximum list size is 2000", `RetrievalStatusRequest.retrievalList`).
pub const FULFILLMENT_STATUS_LIMIT: usize = 2000;

/// A progress callback: `(items done, items in total)`, called after each successful chunk.
/// `Send` so the helpers' futures can be spawned.
pub type Progress<'a> = Option<&'a mut (dyn FnMut(usize, usize) + Send)>;

/// A chunked operation stopped at a failing chunk.
#[derive(Debug, thiserror::Error)]
#[error(
    "chunk {index} of {chunks} (items {}..{}) failed after {} chunk(s) succeeded; \
     fix the cause and resend from item {}: {error}",
    .items.start, .items.end, .done.len(), .items.start
)]
pub struct ChunkError<R> {
    /// The failing chunk, counted from 0.
    pub index: usize,
    /// How many chunks the whole list needed.
    pub chunks: usize,
    /// The positions, in the caller's list, of the items the failing chunk held.
    pub items: Range<usize>,
    /// The responses of chunks `0..index`, which succeeded, in order.
    pub done: Vec<R>,
    /// Why the chunk failed (its [`Error::delivery`] says whether it may have been applied).
    #[source]
    pub error: Error,
}

impl<R> ChunkError<R> {
    /// The failing call's error, dropping the responses that succeeded.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl<R> From<ChunkError<R>> for Error {
    fn from(error: ChunkError<R>) -> Self {
        error.error
    }
}

/// The one chunking loop behind every helper here: `call` gets each chunk (at most `limit`
/// items) in order; the first error stops the loop.
async fn in_chunks<T, R, F, Fut>(
    items: &[T],
    limit: usize,
    mut progress: Progress<'_>,
    mut call: F,
) -> Result<Vec<R>, ChunkError<R>>
where
    T: Clone,
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Result<R, Error>>,
{
    let chunks = items.len().div_ceil(limit);
    let mut done = Vec::with_capacity(chunks);
    for (index, chunk) in items.chunks(limit).enumerate() {
        let start = index * limit;
        let end = start + chunk.len();
        match call(chunk.to_vec()).await {
            Ok(response) => done.push(response),
            Err(error) => {
                return Err(ChunkError {
                    index,
                    chunks,
                    items: start..end,
                    done,
                    error,
                });
            }
        }
        if let Some(progress) = progress.as_deref_mut() {
            progress(end, items.len());
        }
    }
    Ok(done)
}

/// Acknowledges `chargebacks` in calls of at most [`ACKNOWLEDGE_LIMIT`]. `debit_mc` selects the
/// Debit Mastercard endpoint.
pub async fn acknowledge_chargebacks(
    client: &MastercomClient,
    chargebacks: &[types::ChargebackMarkProcessedRequestStructure],
    debit_mc: bool,
    progress: Progress<'_>,
) -> Result<
    Vec<types::ChargebackMarkProcessedResponse>,
    ChunkError<types::ChargebackMarkProcessedResponse>,
> {
    in_chunks(
        chargebacks,
        ACKNOWLEDGE_LIMIT,
        progress,
        |chargeback_list| async move {
            let body = types::ChargebackMarkProcessedRequest { chargeback_list };
            let response = if debit_mc {
                client.acknowledge_chargebacks_debit_mc(&body).await?
            } else {
                client.acknowledge_chargebacks(&body).await?
            };
            Ok(response.into_inner())
        },
    )
    .await
}

/// Retrieves the status of `cases` in calls of at most [`CASE_STATUS_LIMIT`] ids.
pub async fn case_filing_status(
    client: &MastercomClient,
    cases: &[types::CaseFilingStatusRequestStructure],
    progress: Progress<'_>,
) -> Result<Vec<types::CaseFilingStatusResponse>, ChunkError<types::CaseFilingStatusResponse>> {
    in_chunks(
        cases,
        CASE_STATUS_LIMIT,
        progress,
        |case_filing_list| async move {
            let body = types::CaseFilingStatusRequest { case_filing_list };
            Ok(client
                .retrieve_case_filing_status(&body)
                .await?
                .into_inner())
        },
    )
    .await
}

/// Retrieves the status of `chargebacks` in calls of at most [`CHARGEBACK_STATUS_LIMIT`] ids
/// (`retrieveChargebackStatus`, or `retrieveChargebackStatusDebitMC` when `debit_mc`).
pub async fn chargeback_status(
    client: &MastercomClient,
    chargebacks: &[types::ChargebackStatusRequestStructure],
    debit_mc: bool,
    progress: Progress<'_>,
) -> Result<Vec<types::ChargebackStatusResponse>, ChunkError<types::ChargebackStatusResponse>> {
    in_chunks(
        chargebacks,
        CHARGEBACK_STATUS_LIMIT,
        progress,
        |chargeback_list| async move {
            let body = types::ChargebackStatusRequest { chargeback_list };
            let response = if debit_mc {
                client.retrieve_chargeback_status_debit_mc(&body).await?
            } else {
                client.retrieve_chargeback_status(&body).await?
            };
            Ok(response.into_inner())
        },
    )
    .await
}

/// Retrieves the fulfillment status of `retrievals` in calls of at most
/// [`FULFILLMENT_STATUS_LIMIT`] ids (`retrieveFulfillmentStatus`, or
/// `retrieveFulfillmentDebitMCStatus` when `debit_mc`).
pub async fn fulfillment_status(
    client: &MastercomClient,
    retrievals: &[types::RetrievalStatusRequestStructure],
    debit_mc: bool,
    progress: Progress<'_>,
) -> Result<Vec<types::RetrievalStatusResponse>, ChunkError<types::RetrievalStatusResponse>> {
    in_chunks(
        retrievals,
        FULFILLMENT_STATUS_LIMIT,
        progress,
        |retrieval_list| async move {
            let body = types::RetrievalStatusRequest { retrieval_list };
            let response = if debit_mc {
                client.retrieve_fulfillment_debit_mc_status(&body).await?
            } else {
                client.retrieve_fulfillment_status(&body).await?
            };
            Ok(response.into_inner())
        },
    )
    .await
}
