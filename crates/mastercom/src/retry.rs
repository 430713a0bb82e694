//! Which Mastercom operations the client retries on its own.
//!
//! Retrying is safe only where sending the request twice has the same effect as sending it once.
//! That is every `GET`, plus the operations that are `PUT`/`POST` in this API only because
//! their search criteria travel in a body — they read, and change nothing:
//!
//! * `retrieve*Status`/`retrieve*ImageStatus` (`PUT …/status`, `PUT …/imagestatus`): report the
//!   status of chargebacks, fulfilments and case filings;
//! * `retrieveClaims` (`PUT /cases/retrieve/claims`): lists claims of case filings;
//! * `transactionSearch`, `transactionMessageSearchDebitMC`: search transactions;
//! * `getQueueSummaryPost` (`POST /queues`): reads a queue's content;
//! * `getDataForCreateChargeback`, `getDataForCreateFee` (`POST …/loaddata…`): return the
//!   values a new chargeback or fee would be prefilled with; nothing is created;
//! * `reconReportDataRetrieval` (`POST /reconreport/data/retrieval/{id}`): downloads a report
//!   that was already requested.
//!
//! Never retried: everything in [`crate::guard::EVENT_CREATING_OPERATIONS`], the updates
//! (`update_claim`, `update_chargeback*`), acknowledgements (`acknowledge_chargebacks*`, whose
//! retry after a lost response would fail as already acknowledged) and
//! `recon_report_data_acknowledge` (requests a new report).

use std::time::Duration;

use mastercard_transport::RetryPolicy;

/// The `PUT`/`POST` operations (generated method names) that only read; see the module docs.
pub const READ_ONLY_BODY_OPERATIONS: [&str; 17] = [
    "retrieve_case_filing_image_status",
    "retrieve_case_filing_status",
    "retrieve_chargeback_image_status",
    "retrieve_chargeback_image_status_debit_mc",
    "retrieve_chargeback_status",
    "retrieve_chargeback_status_debit_mc",
    "retrieve_claims",
    "retrieve_fulfillment_debit_mc_image_status",
    "retrieve_fulfillment_debit_mc_status",
    "retrieve_fulfillment_image_status",
    "retrieve_fulfillment_status",
    "transaction_search",
    "transaction_message_search_debit_mc",
    "get_queue_summary_post",
    "get_data_for_create_chargeback",
    "get_data_for_create_fee",
    "recon_report_data_retrieval",
];

/// Every operation the client may retry: all `GET`s plus [`READ_ONLY_BODY_OPERATIONS`].
pub fn retryable_operations() -> impl Iterator<Item = &'static str> {
    crate::OPERATIONS
        .iter()
        .filter(|operation| operation.method == "GET")
        .map(|operation| operation.rust_name)
        .chain(READ_ONLY_BODY_OPERATIONS)
        .filter(|name| !crate::guard::is_event_creating(name))
}

/// Whether the client retries `operation` (a generated method name).
pub fn is_retryable(operation: &str) -> bool {
    retryable_operations().any(|name| name == operation)
}

/// Retry settings of a [`crate::MastercomClient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts in total, including the first; 1 disables retries.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled each time, with full jitter.
    pub initial_backoff: Duration,
    /// Upper bound of the backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client waits for; longer ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// The transport policy for Mastercom's retryable operations.
    pub(crate) fn policy(self) -> RetryPolicy {
        RetryPolicy::new(retryable_operations())
            .max_attempts(self.max_attempts)
            .backoff(self.initial_backoff, self.max_backoff)
            .max_retry_after(self.max_retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_event_creating_or_writing_operation_is_retryable() {
        for name in crate::guard::EVENT_CREATING_OPERATIONS {
            assert!(!is_retryable(name), "{name}");
        }
        for name in [
            "update_claim",
            "acknowledge_chargebacks",
            "recon_report_data_acknowledge",
        ] {
            assert!(!is_retryable(name), "{name}");
        }
        for name in READ_ONLY_BODY_OPERATIONS {
            assert!(
                crate::OPERATIONS.iter().any(|op| op.rust_name == name),
                "{name} is not an operation"
            );
        }
        assert!(is_retryable("get_claim_detail") && is_retryable("transaction_search"));
        assert_eq!(retryable_operations().count(), 14 + 17);
    }
}
