#![doc = include_str!("../README.md")]

pub mod batch;
mod builder;
mod client;
mod cvc_invalid_indicator;
mod env;
pub mod error;
pub mod guard;
pub mod hooks;
pub mod policy;
pub mod raw;
pub mod retry;
pub mod workflows;

pub use builder::{BuildError, Environment, MastercomClientBuilder, SigningKey};
pub use client::MastercomClient;
pub use cvc_invalid_indicator::CvcInvalidIndicator;
pub use error::{Delivery, Diagnosis, Difference, Error, ErrorKind, MastercardError};
pub use mastercard_oauth1::{ProviderError, SignatureMethod, SignatureProvider};
pub use mastercard_transport::{ProxySetting, Response, ResponseLimits, Timeouts};

// The generated client (`Client`, `types`), its operation table (`OPERATIONS`) and the typed
// methods of `MastercomClient`, all from `$OUT_DIR`.
mastercard_transport::include_generated_client!();
