//! Typed async client for Mastercard **Mastercom v6** (disputes), generated at build time by
//! progenitor from the spec pinned in `openapi/specs.lock`.
//!
//! * [`Client`] has one method per operation (52), named after the spec's `operationId` in
//!   snake case; request and response types are in [`types`].
//! * The generated code lives only in `OUT_DIR`; this crate adds the hand-written pieces:
//!   [`hooks`] (where middleware such as OAuth1 signing plugs in) and [`CvcInvalidIndicator`]
//!   (a type the generator cannot derive from the spec as published).

pub mod hooks;
mod cvc_invalid_indicator;

pub use cvc_invalid_indicator::CvcInvalidIndicator;

#[allow(missing_docs, clippy::all, clippy::pedantic, unused_imports)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;
