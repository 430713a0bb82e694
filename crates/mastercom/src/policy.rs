//! The operation-policy table: what each of the 52 Mastercom operations does, and from that
//! alone, which ones the client retries, which ones the dispute-event guard watches, and which
//! ones get a longer deadline. A test fails when an operation of the spec has no entry.

use std::time::Duration;

use mastercard_transport::Timeouts;

/// What an operation does to Mastercom's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Reads state with `GET`: safe to repeat.
    Read,
    /// Reads state, but takes its criteria in a body (`POST`/`PUT` searches and status lists):
    /// safe to repeat.
    ReadViaBody,
    /// Downloads a document (up to 22,000,000 characters of base64): safe to repeat, and given a
    /// longer deadline.
    Download,
    /// Creates a dispute event (claim, chargeback cycle, reversal, retrieval request or response,
    /// fulfilment, fee, fraud report, case filing or case action): never retried automatically,
    /// and guarded against Mastercom's duplicate blind spot.
    CreatesDisputeEvent,
    /// Changes an existing record (claim, chargeback, case): not a new event, not retried.
    Update,
    /// Marks items as worked (chargeback acknowledgement, reconciliation report acknowledgement):
    /// idempotent for Mastercom, but not retried so a caller sees every failure.
    Acknowledge,
}

impl Effect {
    /// Whether the client may retry a failed call of this effect by itself.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Read | Self::ReadViaBody | Self::Download)
    }
}

/// Every operation (generated method name) and its effect, in the spec's `operationId` order.
pub const POLICY: [(&str, Effect); 52] = [
    ("update_claim", Effect::Update),
    ("acknowledge_chargebacks", Effect::Acknowledge),
    ("acknowledge_chargebacks_debit_mc", Effect::Acknowledge),
    ("acq_fulfill_retrieval_request", Effect::CreatesDisputeEvent),
    ("create_case_filing", Effect::CreatesDisputeEvent),
    ("create_chargeback", Effect::CreatesDisputeEvent),
    ("create_chargeback_debit_mc", Effect::CreatesDisputeEvent),
    ("create_chargeback_reversal", Effect::CreatesDisputeEvent),
    (
        "create_chargeback_reversal_debit_mc",
        Effect::CreatesDisputeEvent,
    ),
    ("create_claim", Effect::CreatesDisputeEvent),
    ("create_fee", Effect::CreatesDisputeEvent),
    ("create_fee_debit_mc", Effect::CreatesDisputeEvent),
    ("create_fraud_master_card", Effect::CreatesDisputeEvent),
    ("create_retrieval_request", Effect::CreatesDisputeEvent),
    (
        "create_retrieval_request_debit_mc",
        Effect::CreatesDisputeEvent,
    ),
    ("get_case_filing_doc", Effect::Download),
    ("get_chargeback_doc", Effect::Download),
    ("get_chargeback_doc_debit_mc", Effect::Download),
    ("get_claim_detail", Effect::Read),
    ("get_data_for_create_chargeback", Effect::ReadViaBody),
    ("get_data_for_create_fee", Effect::ReadViaBody),
    ("get_data_for_create_fraud", Effect::Read),
    ("get_data_for_create_retrieval_request", Effect::Read),
    ("get_queue_summary", Effect::Read),
    ("get_queue_summary_post", Effect::ReadViaBody),
    ("get_queues", Effect::Read),
    ("get_retrieval_doc", Effect::Download),
    ("get_retrieval_doc_debit_mc", Effect::Download),
    ("get_transaction_clearing_detail", Effect::Read),
    ("healthcheck", Effect::Read),
    (
        "issuer_response_retrieval_debit_mc_request",
        Effect::CreatesDisputeEvent,
    ),
    (
        "issuer_response_retrieval_request",
        Effect::CreatesDisputeEvent,
    ),
    ("recon_report_data_acknowledge", Effect::Acknowledge),
    ("recon_report_data_retrieval", Effect::ReadViaBody),
    ("retrieve_authorization_detail", Effect::Read),
    ("retrieve_case_filing_image_status", Effect::ReadViaBody),
    ("retrieve_case_filing_status", Effect::ReadViaBody),
    ("retrieve_chargeback_image_status", Effect::ReadViaBody),
    (
        "retrieve_chargeback_image_status_debit_mc",
        Effect::ReadViaBody,
    ),
    ("retrieve_chargeback_status", Effect::ReadViaBody),
    ("retrieve_chargeback_status_debit_mc", Effect::ReadViaBody),
    ("retrieve_claims", Effect::ReadViaBody),
    (
        "retrieve_fulfillment_debit_mc_image_status",
        Effect::ReadViaBody,
    ),
    ("retrieve_fulfillment_debit_mc_status", Effect::ReadViaBody),
    ("retrieve_fulfillment_image_status", Effect::ReadViaBody),
    ("retrieve_fulfillment_status", Effect::ReadViaBody),
    ("transaction_debit_mc_message_detail", Effect::Read),
    ("transaction_message_search_debit_mc", Effect::ReadViaBody),
    ("transaction_search", Effect::ReadViaBody),
    // A case action (accept, reject, withdraw, rebut, escalate) is a dispute event of its own.
    ("update_case_filing", Effect::CreatesDisputeEvent),
    ("update_chargeback", Effect::Update),
    ("update_chargeback_debit_mc", Effect::Update),
];

/// The effect of `operation` (a generated method name), if it is one of the spec's.
pub fn effect(operation: &str) -> Option<Effect> {
    POLICY
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, effect)| *effect)
}

/// The operations of one effect.
pub fn operations_with(effect: Effect) -> impl Iterator<Item = &'static str> {
    POLICY
        .iter()
        .filter(move |(_, of)| *of == effect)
        .map(|(name, _)| *name)
}

/// The operations the client retries by itself.
pub fn retryable_operations() -> impl Iterator<Item = &'static str> {
    POLICY
        .iter()
        .filter(|(_, effect)| effect.is_retryable())
        .map(|(name, _)| *name)
}

/// Mastercom's default timeouts: a document download gets 5 minutes.
pub fn default_timeouts() -> Timeouts {
    Timeouts {
        per_operation: operations_with(Effect::Download)
            .map(|name| (name, Duration::from_secs(300)))
            .collect(),
        ..Timeouts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_exactly_one_entry() {
        for operation in crate::OPERATIONS {
            assert!(
                effect(operation.rust_name).is_some(),
                "{} has no entry in the operation-policy table",
                operation.rust_name
            );
        }
        for (name, _) in POLICY {
            assert!(
                crate::OPERATIONS.iter().any(|op| op.rust_name == name),
                "{name} is not an operation of the spec"
            );
            assert_eq!(POLICY.iter().filter(|(other, _)| *other == name).count(), 1);
        }
    }

    #[test]
    fn reads_are_the_only_retried_operations_and_gets_are_reads() {
        for operation in crate::OPERATIONS {
            let effect = effect(operation.rust_name);
            if operation.method == "GET" {
                assert!(
                    matches!(effect, Some(Effect::Read | Effect::Download)),
                    "{}",
                    operation.rust_name
                );
            }
        }
        assert_eq!(retryable_operations().count(), 14 + 17);
        assert!(
            operations_with(Effect::CreatesDisputeEvent)
                .all(|name| !effect(name).is_some_and(Effect::is_retryable))
        );
        assert_eq!(operations_with(Effect::CreatesDisputeEvent).count(), 15);
    }
}
