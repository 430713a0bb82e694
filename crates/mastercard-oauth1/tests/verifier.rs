//! The verifier tells each failure apart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use mastercard_keys::{PrivateKey, PublicKey};
use mastercard_oauth1::{
    InMemoryNonceStore, Request, RequestError, SignatureMethod, Signer, SigningParams, Verifier,
    VerifyError,
};

const NOW: u64 = 1_700_000_000;
const URL: &str = "https://sandbox.api.mastercard.com/mastercom/v6/claims/1?a=1&b=%2A";
const BODY: &[u8] = br#"{"amount":"100.00"}"#;

fn signed(method: SignatureMethod) -> (Request<'static>, String) {
    let signer = Signer::new("ck!1", support::key().clone())
        .unwrap()
        .with_signature_method(method);
    let request = Request::new("PUT", URL, BODY);
    let params = SigningParams {
        timestamp: NOW,
        nonce: "abcDEF0123456789".into(),
    };
    (
        request,
        signer.sign_with(&request, &params).unwrap().authorization,
    )
}

fn verifier() -> Verifier {
    Verifier::new(support::public_key())
}

#[test]
fn accepts_valid_requests_of_both_methods() {
    for method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
        let (request, header) = signed(method);
        let verified = verifier().verify_at(&request, &header, NOW + 5).unwrap();
        assert_eq!(verified.signature_method, method);
        assert_eq!(verified.consumer_key, "ck!1");
        assert_eq!(verified.timestamp, NOW);
    }
}

#[test]
fn body_hash_mismatch() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let tampered = Request {
        body: br#"{"amount":"999.00"}"#.as_slice().into(),
        ..request
    };
    let err = verifier().verify_at(&tampered, &header, NOW).unwrap_err();
    assert!(
        matches!(err, VerifyError::BodyHashMismatch { body_len: 19, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "body_hash_mismatch");
}

#[test]
fn signature_mismatch_reports_the_base_string() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let tampered = Request {
        url: "https://sandbox.api.mastercard.com/mastercom/v6/claims/2?a=1&b=%2A",
        ..request
    };
    match verifier().verify_at(&tampered, &header, NOW).unwrap_err() {
        VerifyError::SignatureMismatch { base_string } => {
            assert!(base_string.starts_with(
                "PUT&https%3A%2F%2Fsandbox.api.mastercard.com%2Fmastercom%2Fv6%2Fclaims%2F2&"
            ));
        }
        other => panic!("{other:?}"),
    }
    // Another key: same reason.
    let other = PrivateKey::from_pkey(
        openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap(),
    )
    .unwrap();
    let err = Verifier::new(PublicKey::from_private_key(&other).unwrap())
        .verify_at(&request, &header, NOW)
        .unwrap_err();
    assert_eq!(err.code(), "signature_mismatch");
    // A changed header value is part of the base string too.
    let changed = header.replace("abcDEF0123456789", "abcDEF0123456780");
    assert_eq!(
        verifier()
            .verify_at(&request, &changed, NOW)
            .unwrap_err()
            .code(),
        "signature_mismatch"
    );
}

#[test]
fn stale_timestamps_are_rejected_both_ways() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let verifier = verifier().with_window(Duration::from_secs(60));
    assert!(verifier.verify_at(&request, &header, NOW + 60).is_ok());
    for now in [NOW + 61, NOW - 61] {
        let err = verifier.verify_at(&request, &header, now).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::StaleTimestamp {
                    timestamp: NOW,
                    window_secs: 60,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn replayed_nonces_are_rejected() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let verifier = verifier().with_nonce_store(InMemoryNonceStore::new(16, 600));
    assert!(verifier.verify_at(&request, &header, NOW).is_ok());
    let err = verifier.verify_at(&request, &header, NOW + 1).unwrap_err();
    assert_eq!(
        err,
        VerifyError::ReplayedNonce {
            nonce: "abcDEF0123456789".into()
        }
    );
}

#[test]
fn forged_requests_do_not_use_up_nonces() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let verifier = verifier();
    let forged = Request {
        method: "DELETE",
        ..request
    };
    assert_eq!(
        verifier
            .verify_at(&forged, &header, NOW)
            .unwrap_err()
            .code(),
        "signature_mismatch"
    );
    assert!(verifier.verify_at(&request, &header, NOW).is_ok());
}

#[test]
fn malformed_headers_unsupported_methods_and_unknown_keys() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    for bad in [
        String::new(),
        "Bearer token".to_owned(),
        header.replace("oauth_nonce=", "oauth_nonse="),
        header.replace(
            ",oauth_body_hash=",
            ",oauth_body_hash=\"x\",oauth_body_hash=",
        ),
        header.replace("oauth_version=\"1.0\"", "oauth_version=\"2.0\""),
        header.replace("1700000000", "01700000000"),
        header.replace("1700000000", "soon"),
        header.replace("oauth_signature=\"", "oauth_signature=\"!!"),
        header.trim_end_matches('"').to_owned(),
    ] {
        let err = verifier().verify_at(&request, &bad, NOW).unwrap_err();
        assert!(
            matches!(err, VerifyError::MalformedHeader { .. }),
            "{bad}: {err:?}"
        );
    }
    let hmac = header.replace("RSA-SHA256", "HMAC-SHA1");
    assert_eq!(
        verifier()
            .verify_at(&request, &hmac, NOW)
            .unwrap_err()
            .code(),
        "unsupported_signature_method"
    );
    let err = verifier()
        .with_consumer_key("someone-else")
        .verify_at(&request, &header, NOW)
        .unwrap_err();
    assert_eq!(
        err,
        VerifyError::UnknownConsumerKey {
            received: "ck!1".into()
        }
    );
    let relative = Request {
        url: "/mastercom/v6/claims/1",
        ..request
    };
    assert!(matches!(
        verifier().verify_at(&relative, &header, NOW),
        Err(VerifyError::Request(RequestError::InvalidUrl { .. }))
    ));
}

#[test]
fn spaces_after_commas_and_realm_are_accepted() {
    let (request, header) = signed(SignatureMethod::RsaSha256);
    let spaced = header
        .replacen("OAuth ", "OAuth realm=\"x\", ", 1)
        .replace("\",oauth", "\", oauth");
    assert!(verifier().verify_at(&request, &spaced, NOW).is_ok());
}
