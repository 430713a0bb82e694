//! `SignatureProvider`s for the clients' tests, written against `mastercard-oauth1`'s public
//! trait only, the way an HSM or KMS adapter would be: one that signs with its own OpenSSL key
//! (both paddings implemented here, not borrowed from the crate), one that always fails, one
//! that supports only RSA-SHA256.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use mastercard_oauth1::{ProviderError, SignatureMethod, SignatureProvider};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer};

/// Signs with its own key; counts the signatures it made, so a test can tell it was used.
pub struct ExternalProvider {
    key: PKey<Private>,
    signatures: AtomicUsize,
}

impl ExternalProvider {
    /// A provider holding `key`.
    pub fn new(key: PKey<Private>) -> Self {
        Self {
            key,
            signatures: AtomicUsize::new(0),
        }
    }

    /// How many signatures it made.
    pub fn count(&self) -> usize {
        self.signatures.load(Ordering::SeqCst)
    }
}

impl SignatureProvider for ExternalProvider {
    fn sign(&self, method: SignatureMethod, message: &[u8]) -> Result<Vec<u8>, ProviderError> {
        let mut signer =
            Signer::new(MessageDigest::sha256(), &self.key).map_err(ProviderError::new)?;
        if method == SignatureMethod::RsaPss {
            // Mastercard's RSA-PSS: SHA-256, MGF1-SHA-256, a 32-byte salt.
            signer
                .set_rsa_padding(Padding::PKCS1_PSS)
                .map_err(ProviderError::new)?;
            signer
                .set_rsa_pss_saltlen(RsaPssSaltlen::custom(32))
                .map_err(ProviderError::new)?;
            signer
                .set_rsa_mgf1_md(MessageDigest::sha256())
                .map_err(ProviderError::new)?;
        }
        let signature = signer
            .sign_oneshot_to_vec(message)
            .map_err(ProviderError::new)?;
        self.signatures.fetch_add(1, Ordering::SeqCst);
        Ok(signature)
    }

    fn key_id(&self) -> String {
        "test-external-key".to_owned()
    }

    fn key_bits(&self) -> Option<u32> {
        Some(self.key.bits())
    }
}

/// What a KMS client might return: the error a [`FailingProvider`] carries.
#[derive(Debug)]
pub struct KmsUnavailable;

impl fmt::Display for KmsUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the KMS did not answer within 2 s")
    }
}

impl std::error::Error for KmsUnavailable {}

/// Always fails with [`KmsUnavailable`]; counts how often it was asked.
#[derive(Default)]
pub struct FailingProvider {
    asked: AtomicUsize,
}

impl FailingProvider {
    /// The key id it reports.
    pub const KEY_ID: &'static str = "kms-key-that-is-down";

    /// How often it was asked to sign.
    pub fn count(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

impl SignatureProvider for FailingProvider {
    fn sign(&self, _: SignatureMethod, _: &[u8]) -> Result<Vec<u8>, ProviderError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Err(ProviderError::new(KmsUnavailable))
    }

    fn key_id(&self) -> String {
        Self::KEY_ID.to_owned()
    }
}

/// Supports only RSA-SHA256 (as some HSM profiles do); never actually signs.
pub struct Pkcs1Only;

impl SignatureProvider for Pkcs1Only {
    fn sign(&self, method: SignatureMethod, _: &[u8]) -> Result<Vec<u8>, ProviderError> {
        Err(ProviderError::unsupported(method))
    }

    fn supports(&self, method: SignatureMethod) -> bool {
        method == SignatureMethod::RsaSha256
    }

    fn key_id(&self) -> String {
        "hsm-slot-3".to_owned()
    }
}
