#![doc = include_str!("../README.md")]

mod client;
mod encryption;
mod endpoint;
mod env;
mod error;
pub mod hooks;

pub use client::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_LIMIT, DEFAULT_TIMEOUT,
    IdentityInsightsClient, IdentityInsightsClientBuilder,
};
pub use encryption::UnencryptedResponse;
pub use endpoint::{Environment, Region, hosted_base_url};
pub use error::{BuildError, CORRELATION_ID_HEADER, Error};
pub use mastercard_transport::{
    Delivery, ErrorKind, MastercardError, ProxySetting, Response, ResponseLimits, Timeouts,
};

// Generated code is reviewed through the spec and its surface snapshot, not line by line; its
// lints (e.g. `len < 0` checks that typify emits for `minLength: 0`) are not ours to fix.
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    unused_imports,
    unused_comparisons,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

// One typed method per operation on `IdentityInsightsClient`, generated from the same spec
// pipeline.
include!(concat!(env!("OUT_DIR"), "/typed_methods.rs"));
