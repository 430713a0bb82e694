//! Which operations create dispute events, and what makes two calls "the same dispute event".
//!
//! Plain data keyed by the spec's `operationId`, so it can move into the client's operation
//! policy table unchanged. Mastercom's rule is about dispute events — a chargeback cycle on a
//! claim, a claim on a transaction — not about request bytes: a resend that changes a memo, the
//! formatting of an amount or an attached document is still the same event, and Mastercom cannot
//! catch it less than a minute after the first. So an event's identity is built only from ids
//! (path parameters and id fields of the body) and the fields that say which event of its type
//! it is (a chargeback's cycle, a case's type or action) — never from free text, amounts or
//! documents.

/// The kind of dispute event an operation creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// A claim on a transaction.
    Claim,
    /// A chargeback cycle (first chargeback, second presentment, …) on a claim.
    Chargeback,
    /// The reversal of one chargeback.
    ChargebackReversal,
    /// A retrieval request on a claim.
    RetrievalRequest,
    /// The acquirer's fulfilment of one retrieval request.
    RetrievalFulfilment,
    /// The issuer's response to one retrieval fulfilment.
    RetrievalIssuerResponse,
    /// A fee collection or disbursement on a claim.
    Fee,
    /// A fraud report on a claim's transaction.
    FraudReport,
    /// A case filing (pre-arbitration, arbitration, pre-compliance, compliance).
    CaseFiling,
    /// An action on an existing case (accept, reject, rebut, escalate, withdraw, …).
    CaseAction,
}

impl EventType {
    /// A stable name, used in ledger keys (hashed) and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Chargeback => "chargeback",
            Self::ChargebackReversal => "chargeback reversal",
            Self::RetrievalRequest => "retrieval request",
            Self::RetrievalFulfilment => "retrieval fulfilment",
            Self::RetrievalIssuerResponse => "retrieval issuer response",
            Self::Fee => "fee",
            Self::FraudReport => "fraud report",
            Self::CaseFiling => "case filing",
            Self::CaseAction => "case action",
        }
    }
}

/// Where an identity value is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A path parameter, by its name in the spec's path template (e.g. `claim-id`).
    Path(&'static str),
    /// A top-level member of the JSON body (its canonical value; arrays allowed).
    Body(&'static str),
}

/// The dispute-event identity of one event-creating operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPolicy {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The event type.
    pub event_type: EventType,
    /// What the event is about: the claim (or, for a new claim, the transaction; for a case,
    /// the case or the chargebacks it names). The strict spacing mode spaces any two events on
    /// the same subject.
    pub subject: &'static [Field],
    /// Further fields that tell events of this type on one subject apart: the chargeback or
    /// retrieval request acted on, a chargeback's cycle, a case's type or action.
    pub distinguished_by: &'static [Field],
    /// Why the operation is in the table and why these fields.
    pub why: &'static str,
}

const CLAIM: &[Field] = &[Field::Path("claim-id")];

/// Every operation of the pinned Mastercom spec that creates a dispute event. Everything else
/// is not guarded: reads, searches, status and image-status queries, acknowledgements (idempotent
/// marks), `Update Claim` and `updateChargeback*` (they change an existing record, not a new
/// event; they are not retried automatically either).
pub const EVENT_POLICIES: &[EventPolicy] = &[
    EventPolicy {
        operation_id: "createClaim",
        event_type: EventType::Claim,
        subject: &[Field::Body("clearingTransactionId")],
        distinguished_by: &[],
        why: "opens a claim on a clearing transaction; a second claim on the same transaction is a duplicate whatever the amount",
    },
    EventPolicy {
        operation_id: "createChargeback",
        event_type: EventType::Chargeback,
        subject: CLAIM,
        distinguished_by: &[Field::Body("chargebackType")],
        why: "a chargeback cycle (CHARGEBACK, SECOND_PRESENTMENT) on the claim: moves money; amount, reason, memo and documents do not make it another event",
    },
    EventPolicy {
        operation_id: "createChargebackDebitMC",
        event_type: EventType::Chargeback,
        subject: CLAIM,
        distinguished_by: &[Field::Body("usageCode")],
        why: "the Debit Mastercard / Europe dual-acquirer chargeback; its cycle is the usage code (1 first chargeback, 2 second presentment)",
    },
    EventPolicy {
        operation_id: "createChargebackReversal",
        event_type: EventType::ChargebackReversal,
        subject: CLAIM,
        distinguished_by: &[Field::Path("chargeback-id")],
        why: "reverses one chargeback: a second reversal of the same chargeback is a duplicate",
    },
    EventPolicy {
        operation_id: "createChargebackReversalDebitMC",
        event_type: EventType::ChargebackReversal,
        subject: CLAIM,
        distinguished_by: &[Field::Path("chargeback-id")],
        why: "as createChargebackReversal, for Debit Mastercard",
    },
    EventPolicy {
        operation_id: "createRetrievalRequest",
        event_type: EventType::RetrievalRequest,
        subject: CLAIM,
        distinguished_by: &[],
        why: "asks the acquirer for documentation on the claim's transaction; the document type or reason does not make it another request",
    },
    EventPolicy {
        operation_id: "createRetrievalRequestDebitMC",
        event_type: EventType::RetrievalRequest,
        subject: CLAIM,
        distinguished_by: &[],
        why: "as createRetrievalRequest, for Debit Mastercard",
    },
    EventPolicy {
        operation_id: "acqFulfillRetrievalRequest",
        event_type: EventType::RetrievalFulfilment,
        subject: CLAIM,
        distinguished_by: &[Field::Path("request-id")],
        why: "the acquirer's answer to one retrieval request",
    },
    EventPolicy {
        operation_id: "issuerResponseRetrievalRequest",
        event_type: EventType::RetrievalIssuerResponse,
        subject: CLAIM,
        distinguished_by: &[Field::Path("request-id")],
        why: "the issuer's response to one fulfilment",
    },
    EventPolicy {
        operation_id: "issuerResponseRetrievalDebitMCRequest",
        event_type: EventType::RetrievalIssuerResponse,
        subject: CLAIM,
        distinguished_by: &[Field::Path("request-id")],
        why: "as issuerResponseRetrievalRequest, for Debit Mastercard",
    },
    EventPolicy {
        operation_id: "createFee",
        event_type: EventType::Fee,
        subject: CLAIM,
        distinguished_by: &[],
        why: "a fee collection/disbursement on the claim: moves money; amount, reason and message do not make it another event",
    },
    EventPolicy {
        operation_id: "createFeeDebitMC",
        event_type: EventType::Fee,
        subject: CLAIM,
        distinguished_by: &[],
        why: "as createFee, for Debit Mastercard",
    },
    EventPolicy {
        operation_id: "createFraudMasterCard",
        event_type: EventType::FraudReport,
        subject: CLAIM,
        distinguished_by: &[],
        why: "reports the claim's transaction as fraud (one report per transaction); fraud type and dates do not make it another report",
    },
    EventPolicy {
        operation_id: "createCaseFiling",
        event_type: EventType::CaseFiling,
        subject: &[
            Field::Body("chargebackRefNum"),
            Field::Body("acquirerRefNum"),
        ],
        distinguished_by: &[Field::Body("caseType")],
        why: "files a case on the chargebacks it names (the path has no claim); the case type (pre-arbitration, arbitration, pre-compliance, compliance) is its cycle. A filing that names no chargeback and no ARN is one subject with every other such filing",
    },
    EventPolicy {
        operation_id: "updateCaseFiling",
        event_type: EventType::CaseAction,
        subject: &[Field::Path("case-id")],
        distinguished_by: &[Field::Body("action")],
        why: "an action on one case (accept, reject, rebut, escalate, withdraw, retry documents): the same action twice is a duplicate, the memo is free text",
    },
];

/// The policy of the operation whose spec `operationId` is `operation_id`.
pub fn event_policy(operation_id: &str) -> Option<&'static EventPolicy> {
    EVENT_POLICIES
        .iter()
        .find(|policy| policy.operation_id == operation_id)
}

/// The body fields some policy reads (the streamed key extracts only these).
pub(crate) fn body_fields(policy: &EventPolicy) -> impl Iterator<Item = &'static str> {
    policy
        .subject
        .iter()
        .chain(policy.distinguished_by)
        .filter_map(|field| match field {
            Field::Body(name) => Some(*name),
            Field::Path(_) => None,
        })
}

/// The value of the path parameter `name` in `path`, matching the template's segments from the
/// end (the path also carries the client's base path, e.g. `/mastercom`).
pub fn path_parameter(template: &str, path: &str, name: &str) -> Option<String> {
    let template: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    let offset = actual.len().checked_sub(template.len())?;
    let placeholder = format!("{{{name}}}");
    template
        .iter()
        .position(|segment| *segment == placeholder)
        .and_then(|index| actual.get(offset + index))
        .map(|segment| (*segment).to_owned())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_names_an_operation_of_the_spec() {
        for policy in EVENT_POLICIES {
            let spec = crate::OPERATIONS
                .iter()
                .find(|spec| spec.operation_id == policy.operation_id);
            let Some(spec) = spec else {
                panic!("{} is not in the pinned spec", policy.operation_id);
            };
            for field in policy.subject.iter().chain(policy.distinguished_by) {
                if let Field::Path(name) = field {
                    assert!(
                        spec.path.contains(&format!("{{{name}}}")),
                        "{}: no {name} in {}",
                        policy.operation_id,
                        spec.path
                    );
                }
            }
            assert!(
                !policy.subject.is_empty(),
                "{} has no subject",
                policy.operation_id
            );
        }
    }

    #[test]
    fn path_parameters_are_found_after_the_base_path() {
        let template = "/v6/claims/{claim-id}/chargebacks/{chargeback-id}/reversal";
        let path = "/mastercom/v6/claims/200002020654/chargebacks/300018439680/reversal";
        assert_eq!(
            path_parameter(template, path, "claim-id").as_deref(),
            Some("200002020654")
        );
        assert_eq!(
            path_parameter(template, path, "chargeback-id").as_deref(),
            Some("300018439680")
        );
        assert_eq!(
            path_parameter("/v6/claims", "/mastercom/v6/claims", "claim-id"),
            None
        );
    }
}
