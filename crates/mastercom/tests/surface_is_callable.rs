#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The committed surface snapshot (`openapi/mastercom.surface.txt`) and the generated client agree:
//! every `→ client.<name>()` the snapshot lists is a method of `mastercom::Client`, and vice versa
//! for the 52 names below.

use std::collections::BTreeSet;

/// Lists the generated methods once: as `GENERATED_METHODS` (their names) and as
/// `assert_methods_exist`, which names each `mastercom::Client::<name>` so that a method missing
/// from the generated client is a compile error. The function is only compiled, never called.
macro_rules! generated_methods {
    ($($name:ident),* $(,)?) => {
        const GENERATED_METHODS: &[&str] = &[$(stringify!($name)),*];

        #[allow(dead_code)]
        fn assert_methods_exist() {
            $(let _ = mastercom::Client::$name;)*
        }
    };
}

generated_methods![
    acknowledge_chargebacks,
    acknowledge_chargebacks_debit_mc,
    acq_fulfill_retrieval_request,
    create_case_filing,
    create_chargeback,
    create_chargeback_debit_mc,
    create_chargeback_reversal,
    create_chargeback_reversal_debit_mc,
    create_claim,
    create_fee,
    create_fee_debit_mc,
    create_fraud_master_card,
    create_retrieval_request,
    create_retrieval_request_debit_mc,
    get_case_filing_doc,
    get_chargeback_doc,
    get_chargeback_doc_debit_mc,
    get_claim_detail,
    get_data_for_create_chargeback,
    get_data_for_create_fee,
    get_data_for_create_fraud,
    get_data_for_create_retrieval_request,
    get_queue_summary,
    get_queue_summary_post,
    get_queues,
    get_retrieval_doc,
    get_retrieval_doc_debit_mc,
    get_transaction_clearing_detail,
    healthcheck,
    issuer_response_retrieval_debit_mc_request,
    issuer_response_retrieval_request,
    recon_report_data_acknowledge,
    recon_report_data_retrieval,
    retrieve_authorization_detail,
    retrieve_case_filing_image_status,
    retrieve_case_filing_status,
    retrieve_chargeback_image_status,
    retrieve_chargeback_image_status_debit_mc,
    retrieve_chargeback_status,
    retrieve_chargeback_status_debit_mc,
    retrieve_claims,
    retrieve_fulfillment_debit_mc_image_status,
    retrieve_fulfillment_debit_mc_status,
    retrieve_fulfillment_image_status,
    retrieve_fulfillment_status,
    transaction_debit_mc_message_detail,
    transaction_message_search_debit_mc,
    transaction_search,
    update_case_filing,
    update_chargeback,
    update_chargeback_debit_mc,
    update_claim,
];

/// The 14 Mastercom tags; `tests/operations_by_tag.rs` covers each one.
const TAGS: [&str; 14] = [
    "Case Filing",
    "Chargebacks",
    "Chargebacks (Debit MasterCard and Europe Dual Acquirer)",
    "Claims",
    "Fees",
    "Fees (Debit MasterCard and Europe Dual Acquirer)",
    "Fraud",
    "Health Check",
    "Queues",
    "Reconciliation",
    "Retrievals",
    "Retrievals (Debit MasterCard and Europe Dual Acquirer)",
    "Transactions",
    "Transactions (Debit MasterCard and Europe Dual Acquirer)",
];

/// One operation of the snapshot: its client method and its tag.
#[derive(Debug)]
struct Operation {
    method: String,
    tag: String,
}

fn snapshot() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/mastercom.surface.txt"
    );
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
}

/// The `## Operations` section: each `<operationId> → client.<name>()` line and the tag in
/// `[...]` at the end of the line after it.
fn operations(snapshot: &str) -> Vec<Operation> {
    let section = snapshot
        .split_once("## Operations")
        .expect("an ## Operations section")
        .1;
    let section = section
        .split_once("## Schemas")
        .map_or(section, |(ops, _)| ops);
    let mut lines = section.lines();
    let mut operations = Vec::new();
    while let Some(line) = lines.next() {
        let Some((_, call)) = line.split_once(" → client.") else {
            continue;
        };
        let method = call
            .strip_suffix("()")
            .unwrap_or_else(|| panic!("`{line}` does not end in `()`"));
        let route = lines.next().expect("a route line after each operation");
        let tag = route
            .trim_end()
            .strip_suffix(']')
            .and_then(|rest| rest.rsplit_once("  ["))
            .map(|(_, tag)| tag)
            .unwrap_or_else(|| panic!("no [tag] in `{route}`"));
        operations.push(Operation {
            method: method.to_owned(),
            tag: tag.to_owned(),
        });
    }
    operations
}

#[test]
fn snapshot_lists_52_operations() {
    let snapshot = snapshot();
    assert!(
        snapshot
            .lines()
            .any(|line| line.starts_with("# operations: 52,")),
        "header must say `# operations: 52`"
    );
    assert_eq!(operations(&snapshot).len(), 52);
}

#[test]
fn snapshot_methods_equal_the_generated_methods() {
    let from_snapshot: Vec<String> = {
        let mut names: Vec<String> = operations(&snapshot())
            .into_iter()
            .map(|operation| operation.method)
            .collect();
        names.sort();
        names
    };
    let generated: Vec<String> = {
        let mut names: Vec<String> = GENERATED_METHODS
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        names.sort();
        names
    };

    assert_eq!(GENERATED_METHODS.len(), 52);
    assert_eq!(
        generated.iter().collect::<BTreeSet<_>>().len(),
        52,
        "no name twice in GENERATED_METHODS"
    );
    assert_eq!(from_snapshot, generated);
}

#[test]
fn snapshot_tags_are_the_14_covered_by_operations_by_tag() {
    let tags: BTreeSet<String> = operations(&snapshot())
        .into_iter()
        .map(|operation| operation.tag)
        .collect();
    let expected: BTreeSet<String> = TAGS.iter().map(|tag| (*tag).to_owned()).collect();
    assert_eq!(tags, expected);
}
