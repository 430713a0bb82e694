//! Typed async client for Mastercard **Mastercom v6** (disputes), generated at build time by
//! progenitor from the spec pinned in `openapi/specs.lock`.
//!
//! * [`Client`] has one method per operation (52), named after the spec's `operationId` in
//!   snake case; request and response types are in [`types`].
//! * [`MastercomClient`] is the ready-to-use client: build it with [`MastercomClient::builder`]
//!   or [`MastercomClient::from_env`]; it derefs to [`Client`].
//! * The generated code lives only in `OUT_DIR`; this crate adds the hand-written pieces, one
//!   concern per module:
//!
//! | module | concern |
//! |---|---|
//! | `client` | [`MastercomClient`] builder: environment, key, timeouts, user agent, `from_env` |
//! | `mastercard_transport::OAuth1Signing` | OAuth1 signature of every request (and of every retry attempt) |
//! | [`error`] | [`Error`]: kind, [`Delivery`] (sent or not), Mastercard error entries |
//! | [`retry`] | which operations are retried, and the backoff settings |
//! | [`guard`] | the dispute-event guard (Mastercom's duplicate-event rule) and its ledgers |
//! | [`timeouts`] | connect/read/total timeouts, body-size scaling, per-operation overrides |
//! | [`batch`] | chunked acknowledgements (≤100) and case-filing status (≤2000) |
//! | [`hooks`] | where the middleware plugs into the generated client |
//!
//! Tracing spans (`mastercard.call`: operation, method, path template, status, attempts,
//! duration, correlation id) come from `mastercard_transport`'s `exec`.

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
