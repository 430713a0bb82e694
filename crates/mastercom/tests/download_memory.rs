#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Peak memory of saving a 22,000,000-character downloaded document: `save_document` decodes
//! it a piece at a time, so beside the response it already holds it needs only its buffers,
//! never a decoded copy (which would be 16,500,000 bytes).
//!
//! The peak resident set (`VmHWM`) is reset just before the save (`/proc/self/clear_refs`), so
//! only what the save itself allocates shows. One test in this binary, so no other test's
//! allocations run alongside.
//!
//! `cargo test -p mastercom --test download_memory -- --nocapture` prints the numbers.

use mastercard_testkit::memory::status_bytes;
use mastercom::types;
use mastercom::workflows::documents::{DocumentType, save_document};

const ENCODED_LEN: usize = 22_000_000;

#[test]
fn saving_a_22_mb_download_grows_the_peak_by_far_less_than_a_decoded_copy() {
    // "PK\x03\x04" then zero bytes, as base64: a ZIP by its first bytes.
    let mut file = String::with_capacity(ENCODED_LEN);
    file.push_str("UEsDBA==");
    file.truncate(6);
    file.push_str(&"A".repeat(ENCODED_LEN - 6));
    let response: types::DocumentResponseStructure = serde_json::from_value(
        serde_json::json!({"fileAttachment": {"filename": "CB_1.zip", "file": file}}),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("doc.zip");

    // Warm up: the first save faults in code and library pages (OpenSSL's random generator
    // for the temporary name, the file-system paths), which are not the save's own cost.
    let small: types::DocumentResponseStructure = serde_json::from_value(
        serde_json::json!({"fileAttachment": {"filename": "CB_0.zip", "file": "UEsDBAAA"}}),
    )
    .unwrap();
    save_document(&small, dir.path().join("warm-up.zip")).unwrap();

    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_bytes("VmRSS:");
    let saved = save_document(&response, &target).unwrap();
    let peak = status_bytes("VmHWM:");

    assert_eq!(saved.bytes, (ENCODED_LEN / 4 * 3) as u64);
    assert_eq!(saved.document_type, Some(DocumentType::Zip));
    assert_eq!(std::fs::metadata(&target).unwrap().len(), saved.bytes);
    let growth = peak.saturating_sub(before);
    println!(
        "save_document of {ENCODED_LEN} base64 chars: peak grew {growth} bytes (RSS before {before})"
    );
    // A decoded copy alone would be 16,500,000 bytes; the pieces and buffers are 112 KiB.
    assert!(growth < 1024 * 1024, "peak grew by {growth} bytes");
}
