#![doc = include_str!("../README.md")]

pub mod batch;
mod client;
mod cvc_invalid_indicator;
pub mod error;
pub mod guard;
pub mod hooks;
pub mod policy;
pub mod retry;

pub use client::{BuildError, Environment, MastercomClient, MastercomClientBuilder, SigningKey};
pub use cvc_invalid_indicator::CvcInvalidIndicator;
pub use error::{Delivery, Error, ErrorKind, MastercardError};
pub use mastercard_transport::{ProxySetting, Response, ResponseLimits, Timeouts};

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

// One typed method per operation on `MastercomClient`, generated from the same spec pipeline.
include!(concat!(env!("OUT_DIR"), "/typed_methods.rs"));
