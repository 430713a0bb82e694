#![doc = include_str!("../README.md")]

mod base_string;
mod body_hash;
mod diagnosis;
mod encoding;
mod error;
mod header;
mod method;
mod nonce;
mod nonce_store;
mod provider;
mod readings;
mod request;
mod signer;
mod verifier;

pub use body_hash::body_hash;
pub use diagnosis::{
    Diagnosis, Difference, MAX_ERROR_BODY, Side, acceptable_base_string, diagnose,
};
pub use encoding::percent_encode;
pub use error::{RequestError, SignError, VerifyError};
pub use header::AuthorizationHeader;
pub use method::{SignatureMethod, UnknownSignatureMethod};
pub use nonce::{NONCE_LEN, generate_nonce};
pub use nonce_store::{InMemoryNonceStore, NonceStore};
pub use provider::{ProviderError, SignatureProvider};
pub use readings::{Reading, base_string_as};
pub use request::{Body, Request};
pub use signer::{
    SignedRequest, Signer, SigningParams, SigningParamsSource, SystemParams, signature_base_string,
};
pub use verifier::{Verified, Verifier};

/// The key types this crate takes, re-exported for convenience.
pub use mastercard_keys;
