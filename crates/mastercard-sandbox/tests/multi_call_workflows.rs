#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! `mastercom::workflows` against the embedded sandbox, which refuses what the spec refuses
//! (queue windows over 5 days, pages beyond the count, searches over 30 days when asked to,
//! documents that are not ZIP/JPG/TIFF/PDF or longer than 22,000,000 characters) and counts
//! the requests each operation receives.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{ClaimSeed, Fault, FaultAction, RunningSandbox};
use mastercard_transport::tls::TrustRoots;
use mastercom::retry::RetryConfig;
use mastercom::workflows::documents::{
    DocumentError, DocumentFile, DocumentType, MAX_DOCUMENT_BYTES, save_document,
};
use mastercom::workflows::queue::{QueueFailure, QueueProgress, QueueWalk};
use mastercom::workflows::transactions::{
    DebitMcTransactionSearch, SearchProgress, TransactionSearch, authorizations,
};
use mastercom::workflows::{Day, Minute};
use mastercom::{MastercomClient, types};

const QUEUE_OP: &str = "getQueueSummaryPost";

fn client(sandbox: &RunningSandbox, attempts: u32) -> MastercomClient {
    let credentials = &sandbox.credentials;
    let roots = TrustRoots::from_pem(&std::fs::read(&credentials.ca_cert).unwrap()).unwrap();
    MastercomClient::builder()
        .base_url(&sandbox.mastercom_url)
        .consumer_key(&credentials.consumer_key)
        .signing_key_pkcs12(
            &credentials.signing_p12,
            Some(PKCS12_ALIAS),
            PKCS12_PASSWORD,
        )
        .trust_roots(roots)
        .retry(RetryConfig {
            max_attempts: attempts,
            ..RetryConfig::default()
        })
        .disable_dispute_event_guard()
        .build()
        .unwrap()
}

fn minute(text: &str) -> Minute {
    text.parse().unwrap()
}

/// Unix seconds of a `yyyy-MM-ddTHH:mm` minute.
fn unix(text: &str) -> u64 {
    u64::try_from(minute(text).minutes_since_epoch() * 60).unwrap()
}

fn seed(count: usize, from: &str, to: &str) -> ClaimSeed {
    ClaimSeed {
        count,
        modified_from: unix(from),
        modified_to: unix(to),
    }
}

/// 6,511 claims over 12 days, placed so the 3 windows of the walk hold 4,500 (3 pages), 2,001
/// (2 pages) and 10 (1 page) claims.
async fn seeded_queue() -> (support::Env, HashSet<String>) {
    let env = support::start_with(|c| {
        c.with_seeded_claims(seed(4500, "2026-11-01T00:00", "2026-11-04T23:59"))
    })
    .await;
    let mut ids: HashSet<String> = env
        .sandbox
        .seed_claims(&seed(0, "2026-11-01T00:00", "2026-11-01T00:00"))
        .unwrap()
        .into_iter()
        .collect();
    assert!(ids.is_empty());
    for (count, from, to) in [
        (2001, "2026-11-07T00:00", "2026-11-07T12:00"),
        (10, "2026-11-12T01:00", "2026-11-12T02:00"),
    ] {
        ids.extend(env.sandbox.seed_claims(&seed(count, from, to)).unwrap());
    }
    assert_eq!(env.sandbox.claim_count(), 6511);
    (env, ids)
}

const FROM: &str = "2026-11-01T00:00";
const TO: &str = "2026-11-12T23:59";

#[tokio::test]
async fn a_12_day_queue_of_6511_claims_is_walked_in_3_windows_and_6_pages_seeing_each_claim_once() {
    let (env, seeded_late) = seeded_queue().await;
    let client = client(&env.sandbox, 1);
    let progress = Arc::new(Mutex::new(Vec::<QueueProgress>::new()));
    let seen_progress = progress.clone();
    let walk = QueueWalk::new(&client, "Unworked", minute(FROM), minute(TO))
        .unwrap()
        .on_progress(move |p| seen_progress.lock().unwrap().push(p.clone()));
    let windows = walk.windows().to_vec();
    assert_eq!(windows.len(), 3);
    for (from, to) in &windows {
        assert!(to.minutes_since_epoch() - from.minutes_since_epoch() <= 5 * 24 * 60);
    }
    assert_eq!(windows[0].0, minute(FROM));
    assert_eq!(windows[2].1, minute(TO));
    assert_eq!(
        env.sandbox.calls().count(QUEUE_OP),
        0,
        "nothing sent before polling"
    );

    let claims = walk.collect().await.unwrap();
    let ids: Vec<String> = claims.iter().map(|c| c.claim_id.clone().unwrap()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 6511);
    assert_eq!(unique.len(), 6511, "every claim exactly once");
    assert!(seeded_late.iter().all(|id| unique.contains(id)));
    assert_eq!(env.sandbox.calls().count(QUEUE_OP), 6, "3 + 2 + 1 pages");

    let steps: Vec<_> = progress
        .lock()
        .unwrap()
        .iter()
        .map(|p| (p.window, p.windows, p.page, p.pages, p.claims))
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, 3, 1, 3, 2000),
            (1, 3, 2, 3, 4000),
            (1, 3, 3, 3, 4500),
            (2, 3, 1, 2, 6500),
            (2, 3, 2, 2, 6501),
            (3, 3, 1, 1, 6511),
        ]
    );
    assert!(
        progress
            .lock()
            .unwrap()
            .iter()
            .all(|p| p.repeats_skipped == 0)
    );
}

#[tokio::test]
async fn the_sandbox_refuses_what_the_walk_never_sends() {
    let (env, _) = seeded_queue().await;
    let client = client(&env.sandbox, 1);
    let request = |from: &str, to: &str, page: &str| types::GetQueueContentRequest {
        queue_name: "Unworked".into(),
        last_modified_date_from: Some(from.into()).filter(|f: &String| !f.is_empty()),
        last_modified_date_to: Some(to.into()).filter(|t: &String| !t.is_empty()),
        page_nb: Some(page.into()),
    };
    // Exactly 5 days is answered (4,500 claims: 3 pages)…
    let ok = client
        .get_queue_summary_post(&request("2026-11-01T00:00", "2026-11-06T00:00", "3"))
        .await
        .unwrap();
    assert_eq!(ok.page_count.as_deref(), Some("3"));
    assert_eq!(ok.claim_list.len(), 500);
    // …one minute more, a missing end, or a page beyond the count is refused.
    for body in [
        request("2026-11-01T00:00", "2026-11-06T00:01", "1"),
        request("2026-11-01T00:00", "", "1"),
        request("2026-11-01T00:00", "2026-11-06T00:00", "4"),
        request("2026-11-01T00:00", "2026-11-06T00:00", "0"),
    ] {
        let error = client.get_queue_summary_post(&body).await.unwrap_err();
        assert_eq!(error.status().unwrap().as_u16(), 400, "{body:?}");
    }
    assert_eq!(env.sandbox.calls().count(QUEUE_OP), 5);
}

#[tokio::test]
async fn a_fault_on_page_3_stops_the_stream_there_and_names_window_and_page() {
    let (env, _) = seeded_queue().await;
    let client = client(&env.sandbox, 1);
    let faults = env.sandbox.faults().clone();
    // Armed when page 2 arrives, so it hits exactly the request for page 3.
    let mut stream = QueueWalk::new(&client, "Unworked", minute(FROM), minute(TO))
        .unwrap()
        .on_progress(move |p| {
            if (p.window, p.page) == (1, 2) {
                faults.set(QUEUE_OP, Fault::action(FaultAction::Status500).times(1));
            }
        })
        .into_stream();
    let mut received = 0;
    let error = loop {
        match stream.next().await.unwrap() {
            Ok(_) => received += 1,
            Err(error) => break error,
        }
    };
    assert!(
        stream.next().await.is_none(),
        "the stream ends after its error"
    );
    assert_eq!(received, 4000);
    assert_eq!((error.window, error.windows, error.page), (1, 3, 3));
    assert_eq!(error.pages, Some(3));
    assert_eq!(error.claims, 4000);
    assert_eq!(
        (error.from, error.to),
        (minute(FROM), minute("2026-11-06T00:00"))
    );
    match &error.failure {
        QueueFailure::Call(call) => assert_eq!(call.status().unwrap().as_u16(), 500),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        env.sandbox.calls().count(QUEUE_OP),
        3,
        "nothing after the failure"
    );
    let text = error.to_string();
    assert!(text.contains("window 1 of 3"), "{text}");
    assert!(text.contains("page 3 of 3"), "{text}");
    assert!(text.contains("after 4000 claim(s)"), "{text}");
}

fn search_request(from: &str, to: &str) -> types::TransactionSearchRequest {
    types::TransactionSearchRequest {
        acquirer_ref_number: None,
        bank_net_ref_number: None,
        primary_account_num: Some("5154676300000001".into()),
        tran_start_date: from.into(),
        tran_end_date: to.into(),
        trans_amount_from: None,
        trans_amount_to: None,
    }
}

#[tokio::test]
async fn a_year_of_transactions_is_searched_in_13_windows_of_30_days() {
    let env = support::start().await;
    let client = client(&env.sandbox, 1);
    // In one call the sandbox refuses the year, as the spec's 30-day maximum says.
    let error = client
        .transaction_search(&search_request("2024-01-01", "2024-12-31"))
        .await
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 400);

    let mut steps = Vec::new();
    let answers = TransactionSearch::new(&client, search_request("2024-01-01", "2024-12-31"))
        .unwrap()
        .on_progress(|p: &SearchProgress| steps.push((p.window, p.windows, p.found)))
        .run()
        .await
        .unwrap();
    assert_eq!(env.sandbox.calls().count("transactionSearch"), 1 + 13);
    assert_eq!(answers.len(), 13);
    assert_eq!(answers[0].from, "2024-01-01".parse::<Day>().unwrap());
    assert_eq!(answers[12].to, "2024-12-31".parse::<Day>().unwrap());
    for pair in answers.windows(2) {
        assert_eq!(pair[0].to.plus_days(1), pair[1].from, "no gap, no overlap");
    }
    let found: Vec<_> = authorizations(&answers)
        .map(|a| a.transaction_id.clone().unwrap())
        .collect();
    // The card's two seeded transactions (2024-03-14 and 2024-05-02), each once.
    assert_eq!(found, vec!["AUTH-0000000001", "AUTH-0000000002"]);
    assert_eq!(steps.len(), 13);
    assert_eq!(steps.last(), Some(&(13, 13, 2)));
}

#[tokio::test]
async fn a_year_of_debit_mastercard_messages_is_searched_in_13_windows() {
    let env = support::start().await;
    let client = client(&env.sandbox, 1);
    let request = types::TransactionSingleSearchRequest {
        acquirer_ref_number: None,
        primary_account_number: "5154676300000001".into(),
        settlement_from_date: "2024-01-01".into(),
        settlement_to_date: "2024-12-31".into(),
        switch_serial_number: None,
    };
    let error = client
        .transaction_message_search_debit_mc(&request)
        .await
        .unwrap_err();
    assert_eq!(error.status().unwrap().as_u16(), 400, "a year in one call");
    let answers = DebitMcTransactionSearch::new(&client, request)
        .unwrap()
        .run()
        .await
        .unwrap();
    assert_eq!(answers.len(), 13);
    assert_eq!(
        env.sandbox.calls().count("transactionMessageSearchDebitMC"),
        1 + 13
    );
    let found: Vec<_> = answers
        .iter()
        .flat_map(|a| &a.summary.transaction_summary_list)
        .map(|t| t.auth_transaction_id.clone().unwrap())
        .collect();
    assert_eq!(found, vec!["AUTH-0000000001", "AUTH-0000000002"]);
}

#[tokio::test]
async fn a_failing_search_window_names_itself_and_keeps_the_answers_before_it() {
    let env = support::start().await;
    let client = client(&env.sandbox, 1);
    let faults = env.sandbox.faults().clone();
    let error = TransactionSearch::new(&client, search_request("2024-01-01", "2024-12-31"))
        .unwrap()
        .on_progress(move |p| {
            if p.window == 4 {
                faults.set(
                    "transactionSearch",
                    Fault::action(FaultAction::Status503).times(1),
                );
            }
        })
        .run()
        .await
        .unwrap_err();
    assert_eq!((error.window, error.windows, error.done.len()), (5, 13, 4));
    assert_eq!(error.from, "2024-04-30".parse::<Day>().unwrap());
    assert_eq!(error.error.status().unwrap().as_u16(), 503);
    assert_eq!(env.sandbox.calls().count("transactionSearch"), 5);
    assert_eq!(
        authorizations(&error.done).count(),
        1,
        "the March transaction"
    );
}

async fn new_claim(client: &MastercomClient) -> String {
    let body: types::CreateClaimRequest = serde_json::from_value(serde_json::json!({
        "claimType": "Standard", "clearingTransactionId": "CLR-0000000001",
        "disputedAmount": "125.00", "disputedCurrency": "USD",
    }))
    .unwrap();
    client
        .create_claim(&body)
        .await
        .unwrap()
        .into_inner()
        .claim_id
        .unwrap()
}

fn chargeback(document: types::DocumentStructure) -> types::CreateChargebackRequest {
    let mut body: types::CreateChargebackRequest = serde_json::from_value(serde_json::json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD",
        "documentIndicator": "true", "reasonCode": "4853", "messageText": "goods not received",
    }))
    .unwrap();
    body.file_attachment = Some(document);
    body
}

#[tokio::test]
async fn an_uploaded_pdf_comes_back_byte_for_byte_through_a_saved_file() {
    let env = support::start().await;
    let client = client(&env.sandbox, 1);
    let claim = new_claim(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| (i % 251) as u8))
        .collect();
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let document = DocumentFile::from_path(&path).unwrap();
    assert_eq!(document.document_type(), DocumentType::Pdf);
    assert_eq!(document.filename(), "receipt.pdf");
    let created = client
        .create_chargeback(&claim, &chargeback(document.into_attachment().unwrap()))
        .await
        .unwrap();
    let chargeback_id = created.into_inner().chargeback_id.unwrap();

    let format: types::GetChargebackDocFormat = "ORIGINAL".parse().unwrap();
    let response = client
        .get_chargeback_doc(&claim, &chargeback_id, format)
        .await
        .unwrap()
        .into_inner();
    let target = dir.path().join("download.zip");
    let saved = save_document(&response, &target).unwrap();
    assert_eq!(saved.document_type, Some(DocumentType::Zip));
    let zip = std::fs::read(&target).unwrap();
    assert_eq!(saved.bytes, zip.len() as u64);
    let entries = support::unzip::entries(&zip);
    assert_eq!(entries, vec![("receipt.pdf".to_owned(), pdf)]);
    // Only the saved file is left in the folder: the temporary one was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[tokio::test]
async fn documents_refused_locally_never_reach_the_sandbox() {
    let env = support::start().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    // Too large, told by metadata alone: a sparse file one byte over the limit.
    let big = dir.path().join("big.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_DOCUMENT_BYTES + 1)
        .unwrap();
    // A FIFO with no writer: opening it for reading would block this test forever.
    let fifo = dir.path().join("pipe.pdf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    type Expected = fn(&DocumentError) -> bool;
    let cases: Vec<(std::path::PathBuf, Expected)> = vec![
        (
            big,
            |e| matches!(e, DocumentError::TooLarge { bytes } if *bytes == MAX_DOCUMENT_BYTES + 1),
        ),
        (fifo, |e| matches!(e, DocumentError::NotAFile { .. })),
        ("/dev/zero".into(), |e| {
            matches!(e, DocumentError::NotAFile { .. })
        }),
        (dir.path().to_owned(), |e| {
            matches!(e, DocumentError::NotAFile { .. })
        }),
        (write("empty.pdf", b""), |e| {
            matches!(e, DocumentError::Empty)
        }),
        (write("image.gif", b"GIF89a...."), |e| {
            matches!(e, DocumentError::UnsupportedType)
        }),
        (write("scan.pdf", b"II*\0 a tiff"), |e| {
            matches!(
                e,
                DocumentError::TypeMismatch {
                    declared: DocumentType::Pdf,
                    detected: DocumentType::Tiff,
                    ..
                }
            )
        }),
        (write("scan.txt", b"%PDF-1.4"), |e| {
            matches!(
                e,
                DocumentError::UndeclaredType {
                    detected: DocumentType::Pdf,
                    ..
                }
            )
        }),
        (dir.path().join("missing.pdf"), |e| {
            matches!(e, DocumentError::Io { .. })
        }),
    ];
    for (path, expected) in cases {
        let error = DocumentFile::from_path(&path).unwrap_err();
        assert!(expected(&error), "{}: {error:?}", path.display());
    }
    // From memory: one byte over is refused, exactly the limit is accepted and its base64 is
    // exactly the spec's 22,000,000 characters.
    let mut at_limit = vec![0u8; usize::try_from(MAX_DOCUMENT_BYTES).unwrap()];
    at_limit[..4].copy_from_slice(b"PK\x03\x04");
    let mut over = at_limit.clone();
    over.push(0);
    assert!(matches!(
        DocumentFile::from_bytes("a.zip", over),
        Err(DocumentError::TooLarge { .. })
    ));
    let attachment = DocumentFile::from_bytes("a.zip", at_limit)
        .unwrap()
        .into_attachment()
        .unwrap();
    assert_eq!(attachment.file.unwrap().len(), 22_000_000);
    for operation in ["createChargeback", "createClaim"] {
        assert_eq!(env.sandbox.calls().count(operation), 0);
    }
}

#[tokio::test]
async fn the_sandbox_refuses_documents_the_spec_does_not_accept() {
    let env = support::start().await;
    let client = client(&env.sandbox, 1);
    let claim = new_claim(&client).await;
    let pdf_head = "JVBERi0xLjQK"; // "%PDF-1.4\n"
    for file in [
        "R0lGODlhAQAB".to_owned(),                                            // GIF
        format!("{pdf_head}{}", "A".repeat(22_000_000 - pdf_head.len() + 4)), // too long
        format!("{pdf_head}A"),                                               // not base64
    ] {
        let document: types::DocumentStructure =
            serde_json::from_value(serde_json::json!({"filename": "x.pdf", "file": file})).unwrap();
        let error = client
            .create_chargeback(&claim, &chargeback(document))
            .await
            .unwrap_err();
        assert_eq!(error.status().unwrap().as_u16(), 400);
    }
    assert_eq!(env.sandbox.calls().count("createChargeback"), 3);
}

#[tokio::test]
async fn an_invalid_download_leaves_no_file_and_keeps_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("doc.zip");
    std::fs::write(&target, b"previous").unwrap();
    // Valid for its first 64 KiB piece (written to the temporary file), invalid later.
    let mut text = "A".repeat(200_000);
    text.replace_range(150_000..150_001, "*");
    let response: types::DocumentResponseStructure = serde_json::from_value(
        serde_json::json!({"fileAttachment": {"filename": "doc.zip", "file": text}}),
    )
    .unwrap();
    let error = save_document(&response, &target).unwrap_err();
    assert!(matches!(error, DocumentError::Base64(_)), "{error:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file"
    );
    let empty: types::DocumentResponseStructure =
        serde_json::from_value(serde_json::json!({})).unwrap();
    assert!(matches!(
        save_document(&empty, dir.path().join("none.zip")),
        Err(DocumentError::NoDocument)
    ));
}
