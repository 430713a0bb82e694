//! Errors of the spec pipeline. Each message says what to do next, because the person reading it
//! is usually looking at a failed build.

use std::path::PathBuf;

/// Why the spec pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec file is not where the build looks for it.
    #[error(
        "the {api} spec is not at {path}; run `cargo xtask fetch` (set MASTERCARD_OPENAPI_MIRROR=<dir> to read a local mirror instead of the network), or point MASTERCARD_OPENAPI_DIR at a folder holding {file}"
    )]
    SpecMissing {
        /// API name as in `openapi/specs.lock`.
        api: String,
        /// Expected spec file name.
        file: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The spec bytes do not hash to the pinned sha256.
    #[error(
        "{path} has sha256 {actual}, but openapi/specs.lock pins {api} to {pinned}; run `cargo xtask fetch` to restore the pinned spec, or `cargo xtask regen` to adopt a new upstream version as a reviewed change"
    )]
    PinMismatch {
        /// API name.
        api: String,
        /// The file that was hashed.
        path: PathBuf,
        /// Its sha256.
        actual: String,
        /// The pinned sha256.
        pinned: String,
    },
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("cannot read", "cannot write").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A TOML file of ours (lock, transformations, manifest metadata) is malformed.
    #[error("{path} is not valid: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An API name that `openapi/specs.lock` does not know.
    #[error("openapi/specs.lock has no API named {api:?} (known: {known})")]
    UnknownApi {
        /// The requested name.
        api: String,
        /// The names the lock file has.
        known: String,
    },
    /// The spec is not valid YAML/JSON.
    #[error("the spec is not valid YAML or JSON: {message}")]
    SpecSyntax {
        /// Parser message.
        message: String,
    },
    /// The spec parsed but is not the shape a transformation or the generator expects.
    #[error("the spec does not fit the pipeline: {message}")]
    SpecShape {
        /// What was expected and not found.
        message: String,
    },
    /// progenitor refused the (transformed) spec.
    #[error("progenitor could not generate the {api} client: {message}")]
    Generation {
        /// API name.
        api: String,
        /// progenitor's or typify's message.
        message: String,
    },
}

impl CodegenError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn shape(message: impl Into<String>) -> Self {
        Self::SpecShape {
            message: message.into(),
        }
    }
}
