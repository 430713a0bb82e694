//! Typed async client for Mastercard **Identity Insights for Transactions** (IIT), generated at
//! build time by progenitor from the spec pinned in `openapi/specs.lock`.
//!
//! Most users want [`IdentityInsightsClient`]: mutual TLS (rustls on OpenSSL, identity from PEM
//! or PKCS#12, checked before any request), JWE payload encryption of every request and
//! decryption of every response, one keep-alive connection pool, and typed [`Error`]s that carry
//! the `X-MC-Correlation-ID` and say whether the request may have been sent.
//!
//! | concern | module |
//! |---|---|
//! | builder, typed call, error mapping | [`IdentityInsightsClient`] (`client.rs`) |
//! | regions, environments, `http://` only to loopback | `endpoint.rs` |
//! | `from_env` and its variables | `env.rs` |
//! | JWE request encryption / response decryption | `encryption.rs` |
//! | errors and their classification | [`Error`], [`BuildError`] (`error.rs`) |
//! | mTLS identity checks (expiry, key match) | `mastercard_transport::tls` |
//! | tracing span per call | `mastercard_transport` (the span), `client.rs` (the outcome event) |
//!
//! [`IdentityInsightsClient::from_env`] documents the `MASTERCARD_IIT_*` environment variables.
//!
//! The generated layer stays available:
//!
//! * [`Client::retrieve_transaction_insights`] is the API's one operation (`POST /transactions`);
//!   request and response types are in [`types`].
//! * The base URL includes the `/identity` prefix of the spec's servers, e.g.
//!   `https://sandbox.idv.mastercard.com/identity`.
//! * The generated code lives only in `OUT_DIR`; [`hooks`] is where middleware plugs in.

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
