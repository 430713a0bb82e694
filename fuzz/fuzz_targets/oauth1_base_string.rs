//! Base-string construction and signing from arbitrary methods, URLs, queries, consumer keys,
//! nonces and bodies. Input: `method \n url \n consumer_key \n nonce \n body`. Signing may refuse
//! (typed errors), never panic; what it signs, the verifier must accept.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mastercard_oauth1::{
    Request, SignatureMethod, Signer, SigningParams, Verifier, signature_base_string,
};

const TIMESTAMP: u64 = 1_700_000_000;

fn signer() -> &'static Signer {
    static SIGNER: OnceLock<Signer> = OnceLock::new();
    SIGNER.get_or_init(|| {
        Signer::new("fuzz-consumer-key", mastercard_fuzz::private_key().clone())
            .expect("signer with the throwaway key")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(5, '\n');
    let method = parts.next().unwrap_or_default();
    let url = parts.next().unwrap_or_default();
    let consumer_key = parts.next().unwrap_or_default();
    let nonce = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let request = Request::new(method, url, body.as_bytes());
    let params = SigningParams {
        timestamp: TIMESTAMP,
        nonce: nonce.to_owned(),
    };
    let mut any_ok = false;
    for method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
        any_ok |= signature_base_string(&request, consumer_key, method, &params).is_ok();
    }
    // Sign only what has a base string (RSA costs ~1 ms), then check the round trip.
    if any_ok {
        if let Ok(signed) = signer().sign_with(&request, &params) {
            let verifier = Verifier::new(mastercard_fuzz::public_key());
            if let Err(error) = verifier.verify_at(&request, &signed.authorization, TIMESTAMP) {
                panic!(
                    "the verifier rejects what the signer signed: {error}\nheader: {}",
                    signed.authorization
                );
            }
        }
    }
});
