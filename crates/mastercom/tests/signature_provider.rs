#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! A `SignatureProvider` in place of the signing key: a failing provider makes the call fail as
//! not sent with the provider's own error as its source, and no connection is made; building
//! checks the choice of key, provider and signature method; `MASTERCARD_SIGNATURE_METHOD`.

mod support;

use std::io::ErrorKind as IoErrorKind;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use mastercard_testkit::pki;
use mastercard_testkit::providers::{ExternalProvider, FailingProvider, KmsUnavailable, Pkcs1Only};
use mastercom::{BuildError, Delivery, ErrorKind, MastercomClient, ProviderError, SignatureMethod};
use support::{keyless_builder, short_timeouts};

const CLAIM: &str = "200002020654";

/// A loopback listener nobody accepts on: a connection the client makes stays in its accept
/// queue, so `accept` on the non-blocking socket tells whether any connection was made.
fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/mastercom", listener.local_addr().unwrap());
    (listener, url)
}

fn connections(listener: &TcpListener) -> usize {
    let mut count = 0;
    loop {
        match listener.accept() {
            Ok(_) => count += 1,
            Err(error) if error.kind() == IoErrorKind::WouldBlock => return count,
            Err(error) => panic!("accept: {error}"),
        }
    }
}

#[tokio::test]
async fn a_failing_provider_fails_the_call_as_not_sent_and_nothing_connects() {
    let (listener, url) = listener();
    let provider = Arc::new(FailingProvider::default());
    let client = keyless_builder(&url)
        .signature_provider(provider.clone())
        .signature_method(SignatureMethod::RsaPss)
        .build()
        .unwrap();

    let error = client.get_claim_detail(CLAIM).await.unwrap_err();

    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!error.request_may_have_been_sent());
    assert_eq!(error.kind(), ErrorKind::InvalidRequest);
    assert!(error.status().is_none());
    // The provider's own error, through the typed chain (SignError -> ProviderError -> it).
    assert!(error.find_source::<KmsUnavailable>().is_some(), "{error:?}");
    assert!(error.find_source::<ProviderError>().is_some());
    let sign_error = error.find_source::<mastercard_oauth1::SignError>().unwrap();
    assert!(
        matches!(
            sign_error,
            mastercard_oauth1::SignError::Provider { key_id, method: SignatureMethod::RsaPss, .. }
                if key_id == "kms-key-that-is-down"
        ),
        "{sign_error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("did not answer"), "{message}");
    // Asked once (no retry of a request that was never sent), and no connection was made.
    assert_eq!(provider.count(), 1);
    assert_eq!(connections(&listener), 0);

    // The same listener does see a connection when signing works (the count above can fail).
    let key = support::test_key();
    let working = keyless_builder(&url)
        .signature_provider(Arc::new(ExternalProvider::new(key.key.clone())))
        .timeouts(short_timeouts(Duration::from_millis(300)))
        .build()
        .unwrap();
    let error = working.get_claim_detail(CLAIM).await.unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error:?}");
    assert_eq!(connections(&listener), 1);
}

#[test]
fn a_provider_replaces_the_key_and_both_together_are_refused() {
    let key = support::test_key();
    let provider = Arc::new(ExternalProvider::new(key.key.clone()));

    let built = keyless_builder("http://127.0.0.1:9/mastercom")
        .signature_provider(provider.clone())
        .build();
    assert!(built.is_ok(), "{:?}", built.err());

    let both = keyless_builder("http://127.0.0.1:9/mastercom")
        .signing_key_pem(key.pem.clone())
        .signature_provider(provider)
        .build();
    let error = both.unwrap_err();
    assert!(
        matches!(error, BuildError::ConflictingSigningKeys),
        "{error:?}"
    );
    assert!(error.to_string().contains("keep one"), "{error}");

    let neither = keyless_builder("http://127.0.0.1:9/mastercom").build();
    assert!(matches!(neither, Err(BuildError::MissingSigningKey)));
}

#[test]
fn a_method_the_provider_cannot_sign_fails_the_build() {
    let error = keyless_builder("http://127.0.0.1:9/mastercom")
        .signature_provider(Arc::new(Pkcs1Only))
        .signature_method(SignatureMethod::RsaPss)
        .build()
        .unwrap_err();
    let BuildError::UnsupportedSignatureMethod { method, key_id } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*method, SignatureMethod::RsaPss);
    assert_eq!(key_id, "hsm-slot-3");
    assert!(
        error.to_string().contains("does not support RSA-PSS"),
        "{error}"
    );

    // The method it supports builds.
    let built = keyless_builder("http://127.0.0.1:9/mastercom")
        .signature_provider(Arc::new(Pkcs1Only))
        .signature_method(SignatureMethod::RsaSha256)
        .build();
    assert!(built.is_ok());
}

#[test]
fn the_builder_debug_names_the_provider_and_method_only() {
    let key = support::test_key();
    let builder = keyless_builder("http://127.0.0.1:9/mastercom")
        .signature_provider(Arc::new(ExternalProvider::new(key.key.clone())))
        .signature_method(SignatureMethod::RsaPss);
    let shown = format!("{builder:?}");
    assert!(shown.contains("test-external-key"), "{shown}");
    assert!(shown.contains("RsaPss"), "{shown}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
}

/// `MASTERCARD_SIGNATURE_METHOD`, through `from_vars` (what `from_env` calls with the process
/// environment): the builder's `Debug` shows the method chosen.
#[test]
fn the_signature_method_variable_is_read_and_checked() {
    let directory = tempfile::tempdir().unwrap();
    let key = pki::rsa(2048);
    let pem_path = directory.path().join("key.pem");
    std::fs::write(&pem_path, key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let pem_path = pem_path.to_str().unwrap().to_owned();
    let from = |method: Option<&str>| {
        let method = method.map(str::to_owned);
        MastercomClient::from_vars(|name| match name {
            "MASTERCARD_CONSUMER_KEY" => Some("ck".to_owned()),
            "MASTERCARD_SIGNING_KEY_PATH" => Some(pem_path.clone()),
            "MASTERCOM_LEDGER_URL" => Some("memory:".to_owned()),
            "MASTERCARD_SIGNATURE_METHOD" => method.clone(),
            _ => None,
        })
    };

    let builder = from(Some("RSA-PSS")).unwrap();
    assert!(
        format!("{builder:?}").contains("signature_method: RsaPss"),
        "{builder:?}"
    );
    builder.build().unwrap();
    let builder = from(None).unwrap();
    assert!(
        format!("{builder:?}").contains("signature_method: RsaSha256"),
        "{builder:?}"
    );

    let error = from(Some("HMAC-SHA1")).unwrap_err();
    let BuildError::Environment { name, reason } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*name, "MASTERCARD_SIGNATURE_METHOD");
    assert!(reason.contains("RSA-SHA256 or RSA-PSS"), "{reason}");
    assert!(error.to_string().contains("MASTERCARD_SIGNATURE_METHOD"));
}
