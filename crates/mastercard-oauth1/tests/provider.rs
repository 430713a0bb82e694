//! `SignatureProvider`: a provider's failure is a typed `SignError::Provider` with the provider's
//! own error as its source; an unsupported method is refused before the provider is asked; the
//! signer's `Debug` names the provider's key without secrets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mastercard_oauth1::{
    ProviderError, Request, SignError, SignatureMethod, SignatureProvider, Signer, Verifier,
};

/// What a KMS client might return.
#[derive(Debug)]
struct KmsUnavailable {
    region: &'static str,
}

impl fmt::Display for KmsUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KMS in {} did not answer within 2 s", self.region)
    }
}

impl std::error::Error for KmsUnavailable {}

/// Always fails; counts how often it was asked.
#[derive(Default)]
struct Failing {
    asked: AtomicUsize,
}

impl SignatureProvider for Failing {
    fn sign(&self, _: SignatureMethod, _: &[u8]) -> Result<Vec<u8>, ProviderError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Err(ProviderError::new(KmsUnavailable {
            region: "eu-west-1",
        }))
    }

    fn key_id(&self) -> String {
        "arn:kms:eu-west-1:key/1234".to_owned()
    }
}

/// Supports only RSA-SHA256 (some HSM profiles); counts how often it was asked.
struct Pkcs1Only {
    inner: support::provider::ExternalProvider,
    asked: AtomicUsize,
}

impl SignatureProvider for Pkcs1Only {
    fn sign(&self, method: SignatureMethod, message: &[u8]) -> Result<Vec<u8>, ProviderError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(method, message)
    }

    fn supports(&self, method: SignatureMethod) -> bool {
        method == SignatureMethod::RsaSha256
    }

    fn key_id(&self) -> String {
        "hsm-slot-3".to_owned()
    }
}

fn request() -> Request<'static> {
    Request::new(
        "POST",
        "https://api.example.com/v6/claims?a=1",
        b"{\"x\":1}",
    )
}

#[test]
fn a_failing_provider_is_a_typed_error_with_its_own_error_as_source() {
    let provider = Arc::new(Failing::default());
    let signer = Signer::with_provider("ck!1", provider.clone())
        .unwrap()
        .with_signature_method(SignatureMethod::RsaPss);

    let error = signer.sign(&request()).unwrap_err();

    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
    let SignError::Provider {
        key_id,
        method,
        source,
    } = &error
    else {
        panic!("not a provider error: {error:?}");
    };
    assert_eq!(key_id, "arn:kms:eu-west-1:key/1234");
    assert_eq!(*method, SignatureMethod::RsaPss);
    assert_eq!(source.unsupported_method(), None);
    // The chain: SignError -> ProviderError -> the provider's own error, not a flattened string.
    let provider_error = error
        .source()
        .unwrap()
        .downcast_ref::<ProviderError>()
        .unwrap();
    let kms = provider_error
        .source()
        .unwrap()
        .downcast_ref::<KmsUnavailable>()
        .unwrap();
    assert_eq!(kms.region, "eu-west-1");
    let message = error.to_string();
    assert!(message.contains("arn:kms:eu-west-1:key/1234"), "{message}");
    assert!(message.contains("RSA-PSS"), "{message}");
    assert!(message.contains("did not answer"), "{message}");
}

#[test]
fn an_unsupported_method_is_refused_without_asking_the_provider() {
    let key = support::key();
    let provider = Arc::new(Pkcs1Only {
        inner: support::provider::ExternalProvider::new(key.pkey().clone()),
        asked: AtomicUsize::new(0),
    });
    let signer = Signer::with_provider("ck", provider.clone()).unwrap();

    // RSA-SHA256 works and verifies.
    let signed = signer.sign(&request()).unwrap();
    Verifier::new(support::public_key())
        .verify(&request(), &signed.authorization)
        .unwrap();
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);

    let error = signer
        .clone()
        .with_signature_method(SignatureMethod::RsaPss)
        .sign(&request())
        .unwrap_err();
    let SignError::Provider { source, .. } = &error else {
        panic!("not a provider error: {error:?}");
    };
    assert_eq!(source.unsupported_method(), Some(SignatureMethod::RsaPss));
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1, "not asked again");
    assert!(
        error.to_string().contains("does not support RSA-PSS"),
        "{error}"
    );
}

#[test]
fn the_built_in_key_is_a_provider_and_debug_names_keys_without_secrets() {
    let key = support::key();
    let built_in = Signer::new("ck", key.clone()).unwrap();
    let debug = format!("{built_in:?}");
    assert!(debug.contains("SPKI SHA-256"), "{debug}");
    assert!(debug.contains("bits: 2048"), "{debug}");
    let pem = String::from_utf8(key.pkey().private_key_to_pem_pkcs8().unwrap()).unwrap();
    let body_line = pem.lines().nth(1).unwrap();
    assert!(!debug.contains(body_line), "key material in {debug}");
    assert_eq!(built_in.provider().key_bits(), Some(2048));

    let provider = Arc::new(Failing::default());
    let external = Signer::with_provider("ck", provider).unwrap();
    let debug = format!("{external:?}");
    assert!(debug.contains("arn:kms:eu-west-1:key/1234"), "{debug}");
    assert!(!debug.contains("bits"), "{debug}");
}

#[test]
fn the_consumer_key_is_checked_for_a_provider_too() {
    let error = Signer::with_provider("with space", Arc::new(Failing::default())).unwrap_err();
    assert!(
        matches!(error, SignError::InvalidConsumerKey { .. }),
        "{error:?}"
    );
}
