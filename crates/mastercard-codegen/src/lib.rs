//! The spec pipeline shared by the workspace's `build.rs` and its `xtask`.
//!
//! One place knows how a pinned Mastercard OpenAPI spec becomes Rust code:
//!
//! * [`pins`] reads `openapi/specs.lock` (upstream URL, sha256, `info.version` per API) and checks
//!   spec bytes against it;
//! * [`layout`] finds the workspace's `openapi/` folder and the spec cache;
//! * [`transform`] applies the reviewed transformations in `openapi/<api>.transforms.toml` to the
//!   parsed spec, reporting every place each one touches;
//! * [`generate`] runs progenitor with the workspace's settings and returns formatted source;
//! * [`typed`] derives the typed client methods (one per operation, returning the crate's own
//!   error) from the generated client;
//! * [`surface`] renders the committed, human-readable API surface snapshot.
//!
//! Nothing here touches the network: fetching is the xtask's job.

pub mod error;
pub mod generate;
pub mod layout;
pub mod pins;
pub mod surface;
pub mod transform;
pub mod typed;

pub use error::CodegenError;

/// Parses spec bytes (YAML or JSON) into a JSON value, the form the transformations work on.
pub fn parse_spec(bytes: &[u8]) -> Result<serde_json::Value, CodegenError> {
    serde_yaml_ng::from_slice(bytes).map_err(|source| CodegenError::SpecSyntax {
        message: source.to_string(),
    })
}
