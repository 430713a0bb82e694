//! A [`SignatureProvider`] written only against the crate's public trait, the way an HSM or KMS
//! adapter would be: it holds its own OpenSSL key and implements both padding schemes itself.

use std::sync::atomic::{AtomicUsize, Ordering};

use mastercard_oauth1::{ProviderError, SignatureMethod, SignatureProvider};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Signer};

/// Signs with its own key; counts the signatures it made (so a test can tell it was used).
pub struct ExternalProvider {
    key: PKey<Private>,
    pub signatures: AtomicUsize,
}

impl ExternalProvider {
    pub fn new(key: PKey<Private>) -> Self {
        Self {
            key,
            signatures: AtomicUsize::new(0),
        }
    }

    pub fn count(&self) -> usize {
        self.signatures.load(Ordering::SeqCst)
    }
}

impl SignatureProvider for ExternalProvider {
    fn sign(&self, method: SignatureMethod, message: &[u8]) -> Result<Vec<u8>, ProviderError> {
        let mut signer =
            Signer::new(MessageDigest::sha256(), &self.key).map_err(ProviderError::new)?;
        if method == SignatureMethod::RsaPss {
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
