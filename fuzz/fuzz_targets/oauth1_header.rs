//! The verifier's `Authorization` header parser, then full verification of that header against a
//! fixed request (every failure must be a typed `VerifyError`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mastercard_oauth1::{AuthorizationHeader, Request, Verifier};

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = AuthorizationHeader::parse(header);
    let verifier = Verifier::new(mastercard_fuzz::public_key());
    let request = Request::new(
        "POST",
        "https://sandbox.api.mastercard.com/mastercom/v6/claims?a=1",
        br#"{"x":1}"#,
    );
    let verified = verifier.verify_at(&request, header, 1_700_000_000);
    // The verifier must never accept what the parser rejects.
    if parsed.is_err() {
        assert!(verified.is_err(), "verified a header that does not parse");
    }
});
