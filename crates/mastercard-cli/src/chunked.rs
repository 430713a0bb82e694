//! The list operations with a per-call limit (acknowledgements: 100; chargeback, fulfilment and
//! case-filing status: 2,000), sent through `mastercom::batch` so a list of any length works:
//! chunks in order, stopping at the first failure. The answers are merged into one document of
//! the operation's shape (the lists concatenated). Progress (`items done/total`) goes to stderr
//! when stderr is a terminal, and nowhere otherwise, so pipes and logs see only the result.

use std::io::{IsTerminal, Write};

use mastercard_transport::{Arguments, DispatchError};
use mastercom::batch::{self, ChunkError, Progress};
use mastercom::{MastercomClient, types};
use serde::Serialize;
use serde_json::Value;

/// How a chunked call failed.
pub enum ChunkFailure {
    /// The body is not the operation's request shape (nothing sent).
    Arguments(DispatchError),
    /// A chunk failed: the merged answers of the chunks before it, and the error (whose message
    /// names the chunk and where to resume).
    Call {
        /// The chunks that succeeded, merged.
        done: Option<Value>,
        /// The failing chunk's error.
        error: mastercom::Error,
        /// The chunk error's message (which chunk, which items, where to resume).
        message: String,
    },
}

/// Whether `operation` is sent in chunks by the CLI.
pub fn is_chunked(operation: &str) -> bool {
    matches!(
        operation,
        "acknowledge_chargebacks"
            | "acknowledge_chargebacks_debit_mc"
            | "retrieve_chargeback_status"
            | "retrieve_chargeback_status_debit_mc"
            | "retrieve_fulfillment_status"
            | "retrieve_fulfillment_debit_mc_status"
            | "retrieve_case_filing_status"
    )
}

/// The answers of every chunk as one document: the first answer, with each list field extended
/// by the later answers' lists.
fn merge<R: Serialize>(responses: &[R]) -> Option<Value> {
    let mut values = responses
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok());
    let mut merged = values.next()?;
    for value in values {
        let (Some(into), Value::Object(from)) = (merged.as_object_mut(), value) else {
            continue;
        };
        for (key, value) in from {
            match (into.get_mut(&key), value) {
                (Some(Value::Array(list)), Value::Array(more)) => list.extend(more),
                (None, value) => {
                    into.insert(key, value);
                }
                _ => {}
            }
        }
    }
    Some(merged)
}

fn outcome<R: Serialize>(result: Result<Vec<R>, ChunkError<R>>) -> Result<Value, ChunkFailure> {
    match result {
        Ok(responses) => Ok(merge(&responses).unwrap_or(Value::Null)),
        Err(error) => {
            let message = error.to_string();
            Err(ChunkFailure::Call {
                done: merge(&error.done),
                error: error.into_error(),
                message,
            })
        }
    }
}

/// Sends `operation` in chunks, with progress on a terminal's stderr.
pub async fn run(
    client: &MastercomClient,
    name: &str,
    operation: &str,
    arguments: &Arguments,
) -> Result<Value, ChunkFailure> {
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let mut report = |done: usize, total: usize| {
        shown = true;
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{name}: {done}/{total} items");
        let _ = err.flush();
    };
    let progress: Progress<'_> = if terminal { Some(&mut report) } else { None };
    let debit_mc = operation.contains("debit_mc");
    let typed = |error| ChunkFailure::Arguments(error);
    let result = match operation {
        "acknowledge_chargebacks" | "acknowledge_chargebacks_debit_mc" => {
            let body: types::ChargebackMarkProcessedRequest =
                arguments.typed_body().map_err(typed)?;
            outcome(
                batch::acknowledge_chargebacks(client, &body.chargeback_list, debit_mc, progress)
                    .await,
            )
        }
        "retrieve_chargeback_status" | "retrieve_chargeback_status_debit_mc" => {
            let body: types::ChargebackStatusRequest = arguments.typed_body().map_err(typed)?;
            outcome(
                batch::chargeback_status(client, &body.chargeback_list, debit_mc, progress).await,
            )
        }
        "retrieve_fulfillment_status" | "retrieve_fulfillment_debit_mc_status" => {
            let body: types::RetrievalStatusRequest = arguments.typed_body().map_err(typed)?;
            outcome(
                batch::fulfillment_status(client, &body.retrieval_list, debit_mc, progress).await,
            )
        }
        _ => {
            let body: types::CaseFilingStatusRequest = arguments.typed_body().map_err(typed)?;
            outcome(batch::case_filing_status(client, &body.case_filing_list, progress).await)
        }
    };
    if shown {
        eprintln!();
    }
    result
}
