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

#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;
