//! Reads the ZIP files the sandbox answers documents in (stored entries only), through the
//! central directory as an extractor would.

/// `(name, content)` of every entry, in central-directory order.
pub fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
    let u32_at =
        |at: usize| u32::from_le_bytes([zip[at], zip[at + 1], zip[at + 2], zip[at + 3]]) as usize;
    let end = zip
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .expect("an end-of-central-directory record");
    let count = u16_at(end + 10);
    let mut at = u32_at(end + 16);
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(&zip[at..at + 4], b"PK\x01\x02", "central directory record");
        assert_eq!(u16_at(at + 10), 0, "stored");
        let size = u32_at(at + 24);
        let name_len = u16_at(at + 28);
        let local = u32_at(at + 42);
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
        assert_eq!(&zip[local..local + 4], b"PK\x03\x04", "local header");
        let data_at = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        out.push((name, zip[data_at..data_at + size].to_vec()));
        at += 46 + name_len + u16_at(at + 30) + u16_at(at + 32);
    }
    out
}

/// The entries of a `fileAttachment` (`{"filename": "….zip", "file": "<base64 ZIP>"}`).
pub fn attachment(file_attachment: &serde_json::Value) -> Vec<(String, Vec<u8>)> {
    let name = file_attachment["filename"].as_str().unwrap();
    assert!(name.ends_with(".zip"), "{name}");
    entries(&openssl::base64::decode_block(file_attachment["file"].as_str().unwrap()).unwrap())
}
