#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Peak memory of uploading a 22 MB document (the spec's maximum base64 `file`) with the
//! dispute-event guard on, against a loopback server that reads and discards the body.
//!
//! Each measurement runs in a fresh child process (this test binary re-run with an environment
//! variable), so allocator state and earlier peaks of other tests cannot leak in. A child
//! reads `VmRSS` before building the document and `VmHWM` (peak resident set) after the call;
//! the ratio is `(VmHWM − VmRSS before) / body length`.
//!
//! `cargo test -p mastercom --test upload_memory -- --nocapture` prints both ratios.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use mastercard_testkit::memory::{field, run_child, status_bytes};
use serde_json::json;

const CHILD_ENV: &str = "MASTERCOM_UPLOAD_MEMORY_CHILD";
const DOCUMENT_LEN: usize = 22_000_000;

/// A server on a thread that reads each request (discarding the body in 64 KiB pieces, so its
/// own memory stays flat) and answers `200 {}`.
fn discarding_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut chunk = vec![0u8; 65536];
            while length > 0 {
                let take = length.min(chunk.len());
                match reader.read(&mut chunk[..take]) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => length -= read,
                }
            }
            let mut stream = reader.into_inner();
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    format!("http://{address}/mastercom")
}

/// Runs only as a child: one upload, then prints `RATIO:<ratio> BODY:<bytes>`.
#[test]
fn child_uploads_a_22_mb_document() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = discarding_server();
    let key = support::test_key();
    let directory = tempfile::tempdir().unwrap();
    let mut builder = support::loopback_builder(&url, &key.pem)
        .timeouts(support::short_timeouts(std::time::Duration::from_secs(120)));
    builder = match mode.as_str() {
        "guard" => builder.dispute_event_ledger_sqlite(directory.path().join("ledger.sqlite3")),
        _ => builder.disable_dispute_event_guard(),
    };
    let client = builder.build().unwrap();
    let mut body: mastercom::types::CreateChargebackRequest =
        support::body("CreateChargebackRequest");
    let mut document: mastercom::types::DocumentStructure =
        serde_json::from_value(json!({"filename": "doc.pdf"})).unwrap();

    let before = status_bytes("VmRSS:");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let file: String = (0..DOCUMENT_LEN)
        .map(|index| char::from(alphabet[index % alphabet.len()]))
        .collect();
    document.file = Some(file);
    body.file_attachment = Some(document);
    runtime
        .block_on(client.create_chargeback("200002020654", &body))
        .map(drop)
        .unwrap_or_else(|error| panic!("{error:?}"));
    let peak = status_bytes("VmHWM:");

    let body_len = serde_json::to_vec(&body).unwrap().len();
    #[allow(clippy::cast_precision_loss)]
    let ratio = (peak.saturating_sub(before)) as f64 / body_len as f64;
    println!("RATIO:{ratio:.2} BODY:{body_len} PEAK:{peak} BEFORE:{before}");
}

fn measure(mode: &str) -> (f64, String) {
    let line = run_child("child_uploads_a_22_mb_document", CHILD_ENV, mode, "RATIO:");
    (field(&line, "RATIO:"), line)
}

#[test]
fn a_22_mb_upload_with_the_guard_peaks_under_4x_the_body() {
    let (without, without_line) = measure("no-guard");
    let (with, with_line) = measure("guard");
    println!("guard off: {without_line}");
    println!("guard on:  {with_line}");
    assert!(
        with <= 4.0,
        "guard on peaks at {with:.2}x the body ({with_line})"
    );
    // The guard's own share (streamed digest, identity fields) is small next to the body.
    assert!(
        with - without <= 0.5,
        "guard adds {:.2}x ({without_line} / {with_line})",
        with - without
    );
}
