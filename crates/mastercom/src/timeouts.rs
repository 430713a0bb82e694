//! Per-call total timeouts: a base, scaled by the request body's size, with per-operation
//! overrides (document downloads can be 22 MB of base64 in the response), and [`with_timeout`]
//! for one call.

use std::collections::BTreeMap;
use std::time::Duration;

use mastercard_transport::{Middleware, MiddlewareError};
use progenitor_client::OperationInfo;

tokio::task_local! {
    static CALL_TIMEOUT: Duration;
}

/// Runs `call` with its total timeout set to `timeout`, overriding every other setting:
/// `with_timeout(Duration::from_secs(600), client.get_chargeback_doc(..)).await`. The request
/// hooks run inside the caller's task, so the value reaches them without a new parameter.
pub async fn with_timeout<F: Future>(timeout: Duration, call: F) -> F::Output {
    CALL_TIMEOUT.scope(timeout, call).await
}

/// Timeout settings of a [`crate::MastercomClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection (TCP + TLS). Default 10 s.
    pub connect: Duration,
    /// Between two reads from the socket. Default 60 s.
    pub read: Duration,
    /// Whole call (sending, waiting, reading; retries and their waits included), before scaling.
    /// Default 60 s.
    pub total: Duration,
    /// Added to `total` per started MiB of request body (uploads of documents). Default 10 s.
    pub per_mib_of_body: Duration,
    /// Total timeout of specific operations (generated method names), replacing the scaled one.
    pub per_operation: BTreeMap<&'static str, Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        // The document downloads answer with up to 22 MB of base64.
        let per_operation = [
            "get_case_filing_doc",
            "get_chargeback_doc",
            "get_chargeback_doc_debit_mc",
            "get_retrieval_doc",
            "get_retrieval_doc_debit_mc",
        ]
        .into_iter()
        .map(|name| (name, Duration::from_secs(300)))
        .collect();
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
            total: Duration::from_secs(60),
            per_mib_of_body: Duration::from_secs(10),
            per_operation,
        }
    }
}

impl Timeouts {
    /// The total timeout of one call.
    pub fn for_call(&self, operation: &str, body_len: usize) -> Duration {
        if let Some(timeout) = self.per_operation.get(operation) {
            return *timeout;
        }
        let mib = u32::try_from(body_len.div_ceil(1 << 20)).unwrap_or(u32::MAX);
        self.total
            .saturating_add(self.per_mib_of_body.saturating_mul(mib))
    }
}

/// Sets each request's total timeout from [`Timeouts::for_call`].
pub(crate) struct CallTimeout(pub(crate) Timeouts);

impl Middleware for CallTimeout {
    fn name(&self) -> &'static str {
        "call-timeout"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationInfo,
    ) -> Result<(), MiddlewareError> {
        let body_len = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map_or(0, <[u8]>::len);
        let timeout = CALL_TIMEOUT
            .try_with(|timeout| *timeout)
            .unwrap_or_else(|_| self.0.for_call(operation.operation_id, body_len));
        *request.timeout_mut() = Some(timeout);
        Ok(())
    }
}
