//! The acceptance test of the operator CLI: every Mastercom operation of the operation table,
//! run through the `mastercard` binary (`mastercard mastercom <operation>`, one process per
//! call) against one embedded sandbox, with the dispute-event guard on. Each answer is checked:
//! exit status 0 and a field of the JSON on stdout. The test fails if any operation of
//! `mastercom::OPERATIONS` was not run successfully, so a new operation cannot go untested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::collections::BTreeSet;
use std::time::Instant;

use mastercard_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use support::Cli;

const PDF: &str = "JVBERi0xLjQKc2FuZGJveAo="; // "%PDF-1.4\nsandbox\n"

/// Runs operations and remembers which ones answered as expected.
struct Walk {
    cli: Cli,
    done: BTreeSet<String>,
    failures: Vec<String>,
    runs: usize,
}

impl Walk {
    /// `mastercard mastercom ARGS` (body on stdin when given): expects exit 0 and, at the JSON
    /// pointer `check` of the answer, a non-null value (`/claimId`) or this string
    /// (`/status=UP`).
    async fn op(&mut self, args: &[&str], body: Option<Value>, check: &str) -> Value {
        let (pointer, wanted) = match check.split_once('=') {
            Some((pointer, wanted)) => (pointer, Some(wanted)),
            None => (check, None),
        };
        let mut argv = vec!["mastercom"];
        argv.extend_from_slice(args);
        if body.is_some() {
            argv.extend_from_slice(&["--body", "-"]);
        }
        self.runs += 1;
        let output = self.cli.run(&argv, body.map(|b| b.to_string())).await;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if output.status.code() != Some(0) {
            eprintln!("FAILED {args:?}: exit {:?}: {stderr}", output.status.code());
            self.failures.push(format!(
                "{args:?}: exit {:?}: {stderr}",
                output.status.code()
            ));
            return Value::Null;
        }
        let value: Value = match serde_json::from_slice(&output.stdout) {
            Ok(value) => value,
            Err(error) => {
                self.failures
                    .push(format!("{args:?}: stdout is not JSON: {error}"));
                return Value::Null;
            }
        };
        match value.pointer(pointer) {
            Some(found) if !found.is_null() && wanted.is_none_or(|w| found.as_str() == Some(w)) => {
                self.done.insert(args[0].to_owned());
            }
            _ => {
                eprintln!("FAILED {args:?}: no {check:?} in {value}");
                self.failures
                    .push(format!("{args:?}: no {check:?} in {value}"));
            }
        }
        value
    }
}

/// A string the rest of the walk needs; stops the test (with the failures so far) without it.
fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value} (see the failures above)"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_52_operations_run_through_the_cli_against_the_sandbox() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let mut w = Walk {
        cli: Cli::new(&sandbox, &dir.path().join("ledger.sqlite3")),
        done: BTreeSet::new(),
        failures: Vec::new(),
        runs: 0,
    };
    let wide = |status: &str| json!({"startDate": "2000-01-01", "endDate": "2100-01-01", "status": status});
    let doc = json!({"filename": "receipt.pdf", "file": PDF});

    // Health, transactions.
    w.op(&["healthcheck"], None, "/status=UP").await;
    // Searches span at most 30 days (the spec): March 2024 holds the seeded transaction A,
    // July 2024 transaction C.
    let found = w
        .op(
            &["transaction-search"],
            Some(json!({"tranStartDate": "2024-03-01", "tranEndDate": "2024-03-31"})),
            "/authorizationSummaryCount=1",
        )
        .await;
    let clearing = text(
        &found,
        "/authorizationSummary/0/clearingSummary/0/transactionId",
    );
    let auth = text(&found, "/authorizationSummary/0/transactionId");
    let july = w
        .op(
            &["transaction-search"],
            Some(json!({"tranStartDate": "2024-07-01", "tranEndDate": "2024-07-31"})),
            "/authorizationSummary/0/clearingSummary/0/transactionId=CLR-0000000003",
        )
        .await;
    let clearing_c = text(
        &july,
        "/authorizationSummary/0/clearingSummary/0/transactionId",
    );
    w.op(
        &["transaction-message-search-debit-mc"],
        Some(json!({"primaryAccountNumber": "5154676300000001",
            "settlementFromDate": "2024-03-01", "settlementToDate": "2024-03-31"})),
        "/transactionSummaryList/0/clearingTransactionId=CLR-0000000001",
    )
    .await;

    // A standard claim and its transactions.
    let a = text(
        &w.op(
            &["create-claim"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": clearing,
                "authTransactionId": auth, "disputedAmount": "125.00", "disputedCurrency": "USD"}),
            ),
            "/claimId",
        )
        .await,
        "/claimId",
    );
    let a = a.as_str();
    w.op(
        &[
            "get-transaction-clearing-detail",
            "--claim-id",
            a,
            "--transaction-id",
            &clearing,
        ],
        None,
        "/cardholderBillingAmount=125.00",
    )
    .await;
    w.op(
        &[
            "retrieve-authorization-detail",
            "--claim-id",
            a,
            "--transaction-id",
            &auth,
        ],
        None,
        "/authorizationIdResponse=SBX001",
    )
    .await;
    w.op(
        &["transaction-debit-mc-message-detail", "--claim-id", a],
        None,
        "/authTransaction/localCompletionAmount=125.00",
    )
    .await;

    // Retrievals on the standard claim.
    w.op(
        &["get-data-for-create-retrieval-request", "--claim-id", a],
        None,
        "/docNeeded/0/value=2",
    )
    .await;
    let req = text(
        &w.op(
            &["create-retrieval-request", "--claim-id", a],
            Some(json!({"docNeeded": "2", "retrievalRequestReason": "6343"})),
            "/requestId",
        )
        .await,
        "/requestId",
    );
    let req = req.as_str();
    w.op(
        &[
            "acq-fulfill-retrieval-request",
            "--claim-id",
            a,
            "--request-id",
            req,
        ],
        Some(
            json!({"acquirerResponseCd": "B", "refundReversalType": "REFUND",
            "refundReversalDate": "2024-03-20T12:01", "refundReversalReferenceId": "123458111",
            "memo": "refunded"}),
        ),
        "/requestId",
    )
    .await;
    w.op(
        &[
            "get-retrieval-doc",
            "--claim-id",
            a,
            "--request-id",
            req,
            "--format",
            "ORIGINAL",
        ],
        None,
        "/fileAttachment/file",
    )
    .await;
    w.op(
        &[
            "issuer-response-retrieval-request",
            "--claim-id",
            a,
            "--request-id",
            req,
        ],
        Some(json!({"issuerResponseCd": "APPROVE", "memo": "thanks"})),
        "/requestId",
    )
    .await;
    w.op(
        &["retrieve-fulfillment-status"],
        Some(json!({"retrievalList": [{"claimId": a, "requestId": req}]})),
        "/retrievalResponseList/0/status=APPROVED",
    )
    .await;
    w.op(
        &["retrieve-fulfillment-image-status"],
        Some(wide("COMPLETED")),
        "/retrievalImageStatusList/0/status=COMPLETED",
    )
    .await;

    // A Debit Mastercard claim: retrieval, fulfilment, documents.
    let b = text(
        &w.op(
            &["create-claim"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000002",
                "disputedAmount": "49.99", "disputedCurrency": "USD"}),
            ),
            "/claimId",
        )
        .await,
        "/claimId",
    );
    let b = b.as_str();
    let rb = text(
        &w.op(
            &["create-retrieval-request-debit-mc", "--claim-id", b],
            Some(json!({"documentType": "2", "replacementAmount": "49.99",
                "reversalReasonCode": "43", "usageCode": "1"})),
            "/requestId",
        )
        .await,
        "/requestId",
    );
    let rb = rb.as_str();
    w.op(
        &[
            "acq-fulfill-retrieval-request",
            "--claim-id",
            b,
            "--request-id",
            rb,
        ],
        Some(json!({"acquirerResponseCd": "A", "memo": "copy of the receipt"})),
        "/requestId",
    )
    .await;
    w.op(
        &[
            "get-retrieval-doc-debit-mc",
            "--claim-id",
            b,
            "--request-id",
            rb,
            "--format",
            "MERGED_PDF",
        ],
        None,
        "/fileAttachment/file",
    )
    .await;
    w.op(
        &[
            "issuer-response-retrieval-debit-mc-request",
            "--claim-id",
            b,
            "--request-id",
            rb,
        ],
        Some(json!({"issuerResponseCd": "REJECT_ILLEGIBLE_OR_MISSING", "rejectReasonCd": "A"})),
        "/requestId",
    )
    .await;
    w.op(
        &["retrieve-fulfillment-debit-mc-status"],
        Some(json!({"retrievalList": [{"claimId": b, "requestId": rb}]})),
        "/retrievalResponseList/0/status=REJECTED",
    )
    .await;
    w.op(
        &["retrieve-fulfillment-debit-mc-image-status"],
        Some(wide("COMPLETED")),
        "/retrievalImageStatusList/0/status=COMPLETED",
    )
    .await;

    // Chargebacks on the standard claim.
    w.op(
        &["get-data-for-create-chargeback", "--claim-id", a],
        Some(json!({"chargebackType": "CHARGEBACK"})),
        "/amount/value=125.00",
    )
    .await;
    let cb = text(
        &w.op(
            &["create-chargeback", "--claim-id", a],
            Some(
                json!({"chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD",
                "documentIndicator": "true", "reasonCode": "4853",
                "messageText": "goods not received", "fileAttachment": doc}),
            ),
            "/chargebackId",
        )
        .await,
        "/chargebackId",
    );
    let cb = cb.as_str();
    w.op(
        &["update-chargeback", "--claim-id", a, "--chargeback-id", cb],
        Some(json!({"memo": "second page",
            "fileAttachment": {"filename": "page2.pdf", "file": PDF}})),
        "/chargebackId",
    )
    .await;
    w.op(
        &[
            "get-chargeback-doc",
            "--claim-id",
            a,
            "--chargeback-id",
            cb,
            "--format",
            "MERGED_PDF",
        ],
        None,
        "/fileAttachment/file",
    )
    .await;
    w.op(
        &["acknowledge-chargebacks"],
        Some(json!({"chargebackList": [{"claimId": a, "chargebackId": cb}]})),
        "/chargebackResponseList/0/status=SUCCESS",
    )
    .await;
    w.op(
        &["retrieve-chargeback-status"],
        Some(json!({"chargebackList": [{"claimId": a, "chargebackId": cb}]})),
        "/chargebackResponseList/0/status=WORKED",
    )
    .await;
    w.op(
        &["retrieve-chargeback-image-status"],
        Some(wide("COMPLETED")),
        "/chargebackImageStatusList/0/status=COMPLETED",
    )
    .await;

    // A third claim for a reversal: a second CHARGEBACK on claim `a` within 60 s is the same
    // dispute event, which the guard refuses (as it should).
    let c = text(
        &w.op(
            &["create-claim"],
            Some(
                json!({"claimType": "Standard", "clearingTransactionId": clearing_c,
                "disputedAmount": "10.00", "disputedCurrency": "USD"}),
            ),
            "/claimId",
        )
        .await,
        "/claimId",
    );
    let c = c.as_str();
    let cc = text(
        &w.op(
            &["create-chargeback", "--claim-id", c],
            Some(
                json!({"chargebackType": "CHARGEBACK", "amount": "10.00", "currency": "USD",
                "documentIndicator": "false", "reasonCode": "4853"}),
            ),
            "/chargebackId",
        )
        .await,
        "/chargebackId",
    );
    w.op(
        &[
            "create-chargeback-reversal",
            "--claim-id",
            c,
            "--chargeback-id",
            &cc,
        ],
        None,
        "/chargebackId",
    )
    .await;

    // Debit Mastercard chargebacks.
    let cbd = text(
        &w.op(
            &["create-chargeback-debit-mc", "--claim-id", b],
            Some(
                json!({"brand": "MC", "replacementAmount": "49.99", "reversalReasonCode": "4853",
                "usageCode": "1", "fileAttachment": doc}),
            ),
            "/chargebackId",
        )
        .await,
        "/chargebackId",
    );
    let cbd = cbd.as_str();
    w.op(
        &[
            "update-chargeback-debit-mc",
            "--claim-id",
            b,
            "--chargeback-id",
            cbd,
        ],
        Some(json!({"memo": "note"})),
        "/chargebackId",
    )
    .await;
    w.op(
        &[
            "get-chargeback-doc-debit-mc",
            "--claim-id",
            b,
            "--chargeback-id",
            cbd,
            "--format",
            "ORIGINAL",
        ],
        None,
        "/fileAttachment/file",
    )
    .await;
    w.op(
        &["acknowledge-chargebacks-debit-mc"],
        Some(json!({"chargebackList": [{"claimId": b, "chargebackId": cbd}]})),
        "/chargebackResponseList/0/status=SUCCESS",
    )
    .await;
    w.op(
        &["retrieve-chargeback-status-debit-mc"],
        Some(json!({"chargebackList": [{"claimId": b, "chargebackId": cbd}]})),
        "/chargebackResponseList/0/status=WORKED",
    )
    .await;
    w.op(
        &["retrieve-chargeback-image-status-debit-mc"],
        Some(wide("COMPLETED")),
        "/chargebackImageStatusList/0/status=COMPLETED",
    )
    .await;
    w.op(
        &[
            "create-chargeback-reversal-debit-mc",
            "--claim-id",
            b,
            "--chargeback-id",
            cbd,
        ],
        Some(json!({"replacementAmount": "49.99", "reversalReasonCode": "03"})),
        "/chargebackId",
    )
    .await;

    // Fees and fraud.
    w.op(
        &["get-data-for-create-fee", "--claim-id", a],
        Some(json!({})),
        "/currencies/0/name=USD",
    )
    .await;
    w.op(
        &["create-fee", "--claim-id", a],
        Some(
            json!({"creditReceiver": false, "creditSender": true, "currency": "USD",
            "destinationMember": "001234", "feeAmount": "10.00", "feeDate": "2024-03-20",
            "reason": "7600", "message": "handling"}),
        ),
        "/feeId",
    )
    .await;
    w.op(
        &["create-fee-debit-mc", "--claim-id", b],
        Some(
            json!({"acquirerCustomerId": "1234", "conditionIndicator": "A", "controlNumber": "1",
            "functionCode": "700", "handlingFee": "5.00", "reasonCode": "22"}),
        ),
        "/status=SUCCESS",
    )
    .await;
    w.op(
        &["get-data-for-create-fraud", "--claim-id", a],
        None,
        "/acctDeviceTypes/0/name=Card",
    )
    .await;
    w.op(
        &["create-fraud-master-card", "--claim-id", a],
        Some(
            json!({"chgbkIndicator": "1", "cvcInvalidIndicator": "Y", "fraudType": "04",
            "reportDate": "2024-03-20", "subType": "N"}),
        ),
        "/fraudId",
    )
    .await;

    // Case filing.
    let detail = w
        .op(&["get-claim-detail", "--claim-id", a], None, "/claimId")
        .await;
    let ref_num = text(&detail, "/chargebackDetails/0/chargebackRefNum");
    let case = text(
        &w.op(
            &["create-case-filing"],
            Some(json!({"caseType": "1", "chargebackReasonCode": "4863",
                "chargebackRefNum": [ref_num], "currencyCode": "USD", "disputeAmount": "125.00",
                "filedAgainstIca": "1234", "filingAs": "I", "filingIca": "5678",
                "memo": "pre-arbitration", "fileAttachment": doc})),
            "/caseId",
        )
        .await,
        "/caseId",
    );
    let case = case.as_str();
    w.op(
        &["update-case-filing", "--case-id", case],
        Some(json!({"action": "REJECT", "memo": "no"})),
        "/caseId",
    )
    .await;
    w.op(
        &[
            "get-case-filing-doc",
            "--case-id",
            case,
            "--format",
            "ORIGINAL",
        ],
        None,
        "/fileAttachment/file",
    )
    .await;
    w.op(
        &["retrieve-case-filing-status"],
        Some(json!({"caseFilingList": [{"caseId": case}]})),
        "/caseFilingResponseList/0/status=REJECTED",
    )
    .await;
    w.op(
        &["retrieve-case-filing-image-status"],
        Some(wide("COMPLETED")),
        "/caseFilingImageStatusList/0/status=COMPLETED",
    )
    .await;
    w.op(
        &["retrieve-claims"],
        Some(json!({"caseFilingList": [{"caseId": case, "isIssuer": true}]})),
        "/caseFilingResponseList/0/claimId",
    )
    .await;

    // Queues, reconciliation, closing the claim.
    w.op(&["get-queues"], None, "/0/queueName=Unworked").await;
    w.op(
        &["get-queue-summary", "--queue-name", "Worked"],
        None,
        "/0/claimId",
    )
    .await;
    w.op(
        &["get-queue-summary-post"],
        Some(json!({"queueName": "Worked"})),
        "/claimList/0/claimId",
    )
    .await;
    let report = text(
        &w.op(
            &["recon-report-data-acknowledge"],
            Some(json!({"startDate": "2000-01-01", "endDate": "2100-01-01"})),
            "/reportIdentifier",
        )
        .await,
        "/reportIdentifier",
    );
    w.op(
        &[
            "recon-report-data-retrieval",
            "--report-identifier",
            &report,
        ],
        None,
        "/data",
    )
    .await;
    w.op(
        &["update-claim", "--claim-id", a],
        Some(json!({"action": "CLOSE", "closeClaimReasonCode": "10"})),
        "/claimId",
    )
    .await;

    let expected: BTreeSet<String> = mastercom::OPERATIONS
        .iter()
        .map(|operation| operation.rust_name.replace('_', "-"))
        .collect();
    let missing: Vec<&String> = expected.difference(&w.done).collect();
    let elapsed = started.elapsed();
    eprintln!(
        "{} CLI runs, {} operations answered as expected, {:.1} s",
        w.runs,
        w.done.len(),
        elapsed.as_secs_f64()
    );
    assert!(
        w.failures.is_empty(),
        "failures:\n{}",
        w.failures.join("\n")
    );
    assert!(missing.is_empty(), "operations not run: {missing:?}");
    assert_eq!(expected.len(), 52, "the operation table changed size");
    assert_eq!(w.done, expected);
    // Every run reached the sandbox exactly once: no retry, no request outside the walk.
    assert_eq!(support::total_calls(&sandbox), w.runs);
    sandbox.shutdown().await;
}
