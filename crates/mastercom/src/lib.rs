//! Typed async client for Mastercard **Mastercom v6** (disputes), generated at build time by
//! progenitor from the spec pinned in `openapi/specs.lock`.
//!
//! * [`Client`] has one method per operation (52), named after the spec's `operationId` in
//!   snake case; request and response types are in [`types`].
//! * The generated code lives only in `OUT_DIR`; this crate adds the hand-written pieces:
//!   [`hooks`] (where middleware such as OAuth1 signing plugs in) and [`CvcInvalidIndicator`]
//!   (a type the generator cannot derive from the spec as published).

mod cvc_invalid_indicator;
pub mod hooks;

pub use cvc_invalid_indicator::CvcInvalidIndicator;

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
