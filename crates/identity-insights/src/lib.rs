#![doc = include_str!("../README.md")]

mod builder;
mod client;
mod encryption;
mod endpoint;
mod env;
mod error;
pub mod hooks;

pub use builder::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_LIMIT, DEFAULT_TIMEOUT,
    IdentityInsightsClientBuilder,
};
pub use client::IdentityInsightsClient;
pub use encryption::UnencryptedResponse;
pub use endpoint::{Environment, Region, hosted_base_url};
pub use error::{BuildError, CORRELATION_ID_HEADER, Error};
pub use mastercard_oauth1::{ProviderError, SignatureMethod, SignatureProvider};
pub use mastercard_transport::{
    Delivery, ErrorKind, MastercardError, ProxySetting, Response, ResponseLimits, Timeouts,
};

// The generated client (`Client`, `types`), its operation table (`OPERATIONS`) and the typed
// methods of `IdentityInsightsClient`, all from `$OUT_DIR`.
mastercard_transport::include_generated_client!();
