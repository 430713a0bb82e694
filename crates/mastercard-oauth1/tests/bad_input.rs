//! Every bad input of the issue is a typed error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mastercard_keys::{KeyError, Pkcs12Options, PrivateKey};
use mastercard_oauth1::{Body, Request, RequestError, SignError, Signer, SigningParams};

fn signer() -> Signer {
    Signer::new("abc-abc-abc!123", support::key().clone()).unwrap()
}

fn fixed() -> SigningParams {
    SigningParams {
        timestamp: 1_700_000_000,
        nonce: "kbQ3tMrmHSfdSpEC".into(),
    }
}

fn sign_url(url: &str) -> Result<mastercard_oauth1::SignedRequest, SignError> {
    signer().sign_with(&Request::new("GET", url, b""), &fixed())
}

#[test]
fn urls_that_are_not_absolute_http_are_rejected() {
    for url in [
        "",
        "/relative/path",
        "api.mastercard.com/x",
        "ftp://api.mastercard.com/x",
        "file:///etc/passwd",
        "https://",
        "https:///path",
        "https://:443/path",
        "https://api.mastercard.com/a b",
        "https://api.mastercard.com/x?q=100%",
        "https://api.mastercard.com/x?q=%zz",
    ] {
        match sign_url(url) {
            Err(SignError::Request(RequestError::InvalidUrl {
                url: reported,
                reason,
            })) => {
                assert_eq!(reported, url);
                assert!(!reason.is_empty());
            }
            other => panic!("{url:?}: {other:?}"),
        }
    }
}

#[test]
fn streaming_bodies_cannot_be_signed() {
    let request = Request {
        method: "POST",
        url: "https://api.mastercard.com/x",
        body: Body::Unbuffered,
    };
    let err = signer().sign_with(&request, &fixed()).unwrap_err();
    assert!(
        matches!(err, SignError::Request(RequestError::UnbufferedBody)),
        "{err:?}"
    );
    assert!(err.to_string().contains("buffer"));
}

#[test]
fn invalid_methods_consumer_keys_nonces_and_timestamps() {
    for method in ["", "GE T", "GET\n", "ПОСТ"] {
        let err = signer()
            .sign_with(&Request::new(method, "https://a.com/", b""), &fixed())
            .unwrap_err();
        assert!(
            matches!(err, SignError::Request(RequestError::InvalidMethod { .. })),
            "{method:?}"
        );
    }
    for key in ["", "with space", "quote\"", "back\\slash", "ключ"] {
        let err = Signer::new(key, support::key().clone()).unwrap_err();
        assert!(
            matches!(err, SignError::InvalidConsumerKey { .. }),
            "{key:?}"
        );
    }
    let request = Request::new("GET", "https://a.com/", b"");
    for nonce in ["", "has space", "quote\"", &"x".repeat(65)] {
        let params = SigningParams {
            nonce: nonce.to_owned(),
            ..fixed()
        };
        assert!(matches!(
            signer().sign_with(&request, &params),
            Err(SignError::InvalidNonce { .. })
        ));
    }
    let params = SigningParams {
        timestamp: 0,
        ..fixed()
    };
    assert!(matches!(
        signer().sign_with(&request, &params),
        Err(SignError::InvalidTimestamp)
    ));
}

#[test]
fn query_parameters_named_like_oauth_parameters_are_rejected() {
    for url in [
        "https://a.com/?oauth_nonce=x",
        "https://a.com/?oauth%5Fbody_hash=x",
        "https://a.com/?a=1&oauth_signature=x",
    ] {
        assert!(
            matches!(
                sign_url(url),
                Err(SignError::Request(
                    RequestError::ReservedQueryParameter { .. }
                ))
            ),
            "{url}"
        );
    }
    // Other oauth_-prefixed names are ordinary parameters.
    assert!(sign_url("https://a.com/?oauth_token=x").is_ok());
}

#[test]
fn key_problems_surface_as_key_errors() {
    let pkey = support::key().pkey();
    let p12 = openssl::pkcs12::Pkcs12::builder()
        .name("alias")
        .pkey(pkey)
        .cert(&self_signed(pkey))
        .build2("pw")
        .unwrap()
        .to_der()
        .unwrap();
    let wrong_password = PrivateKey::from_pkcs12_der(&p12, Some("alias"), "nope").unwrap_err();
    assert!(matches!(wrong_password, KeyError::WrongPassword));
    let wrong_alias = PrivateKey::from_pkcs12_der(&p12, Some("other"), "pw").unwrap_err();
    assert!(matches!(wrong_alias, KeyError::AliasNotFound { .. }));
    let truncated = PrivateKey::from_bytes(&p12[..40], &Pkcs12Options::default()).unwrap_err();
    assert!(
        matches!(truncated, KeyError::Malformed { .. }),
        "{truncated:?}"
    );
    let garbage =
        PrivateKey::from_bytes(b"not a key at all", &Pkcs12Options::default()).unwrap_err();
    assert!(matches!(garbage, KeyError::Malformed { .. }));
    let small = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(1024).unwrap()).unwrap();
    assert!(matches!(
        PrivateKey::from_pkey(small),
        Err(KeyError::KeyTooSmall { .. })
    ));
    let ec = openssl::ec::EcKey::generate(
        &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap(),
    )
    .unwrap();
    let ec = openssl::pkey::PKey::from_ec_key(ec).unwrap();
    assert!(matches!(
        PrivateKey::from_pkey(ec),
        Err(KeyError::NotRsa { .. })
    ));
}

#[test]
fn debug_output_never_shows_key_material() {
    let rendered = format!("{:?}", signer());
    assert!(
        rendered.contains("abc-abc-abc!123") && rendered.contains("bits: 2048"),
        "{rendered}"
    );
    let der = support::key().to_pkcs8_der().unwrap();
    let hex: String = der[40..56]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert!(!rendered.to_lowercase().contains(&hex));
    assert!(!rendered.contains("BEGIN"));
}

fn self_signed(pkey: &openssl::pkey::PKeyRef<openssl::pkey::Private>) -> openssl::x509::X509 {
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "test").unwrap();
    let name = name.build();
    let mut builder = openssl::x509::X509::builder().unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(&name).unwrap();
    builder.set_pubkey(pkey).unwrap();
    builder
        .set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap())
        .unwrap();
    builder
        .sign(pkey, openssl::hash::MessageDigest::sha256())
        .unwrap();
    builder.build()
}
