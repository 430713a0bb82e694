//! What the response side of one typed call observed, handed from the JWE middleware back to
//! [`IdentityInsightsClient`](crate::IdentityInsightsClient).
//!
//! progenitor's `exec` hook can only fail with a `reqwest::Error` and `post` only with
//! `Error::Custom(String)`, so a typed decryption failure (and the correlation id of a response
//! whose body could not be parsed) would otherwise be lost. The typed wrapper runs the generated
//! call inside [`scope`]; the middleware, which runs inside the same task, writes into it.

use std::cell::RefCell;
use std::future::Future;

use mastercard_jwe::JweError;
use reqwest::StatusCode;

/// The response-side facts of one call.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// Status of the response, once one arrived.
    pub(crate) status: Option<StatusCode>,
    /// `X-MC-Correlation-ID` of the response.
    pub(crate) correlation_id: Option<String>,
    /// Why the request body could not be encrypted (the request was not sent).
    pub(crate) encryption: Option<JweError>,
    /// Why the response body could not be decrypted.
    pub(crate) decryption: Option<JweError>,
}

tokio::task_local! {
    static RECORD: RefCell<Record>;
}

/// Runs `call` with an empty record and returns its output together with what was recorded.
pub(crate) async fn scope<F: Future>(call: F) -> (F::Output, Record) {
    RECORD
        .scope(RefCell::new(Record::default()), async {
            let output = call.await;
            let record = RECORD.with(|cell| cell.take());
            (output, record)
        })
        .await
}

/// Updates the current call's record; a no-op outside [`scope`] (calls made through the
/// generated client directly).
pub(crate) fn update(change: impl FnOnce(&mut Record)) {
    // `try_with` fails only outside a scope; nothing then wants the record.
    let _ = RECORD.try_with(|cell| change(&mut cell.borrow_mut()));
}
