//! Typed async client for Mastercard **Identity Insights for Transactions** (IIT), generated at
//! build time by progenitor from the spec pinned in `openapi/specs.lock`.
//!
//! * [`Client::retrieve_transaction_insights`] is the API's one operation (`POST /transactions`);
//!   request and response types are in [`types`].
//! * The base URL includes the `/identity` prefix of the spec's servers, e.g.
//!   `https://sandbox.idv.mastercard.com/identity`.
//! * The generated code lives only in `OUT_DIR`; [`hooks`] is where middleware (JWE payload
//!   encryption, tracing) plugs in.

pub mod hooks;

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
