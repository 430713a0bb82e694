//! Why the sandbox could not start.

use std::path::{Path, PathBuf};

/// A start-up failure (never a per-request one: those become HTTP error responses).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Reading or writing a file, or binding a socket.
    #[error("{path}: {source}")]
    Io {
        /// The file or address.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// OpenSSL failed while generating the PKI.
    #[error("OpenSSL: {0}")]
    OpenSsl(String),
    /// A key or certificate could not be loaded.
    #[error("key material: {0}")]
    Keys(#[from] mastercard_keys::KeyError),
    /// The JWE configuration was refused.
    #[error("JWE configuration: {0}")]
    Jwe(#[from] mastercard_jwe::JweError),
    /// rustls refused the TLS configuration.
    #[error("TLS configuration: {0}")]
    Tls(String),
    /// The SQLite state could not be opened or read.
    #[error("SQLite state: {0}")]
    Store(#[from] rusqlite::Error),
    /// A persisted entity could not be decoded.
    #[error("persisted state is corrupt: {0}")]
    Corrupt(String),
    /// One of the above, caused by this file: fix or remove it (a file of the generated
    /// state is created again when the whole set is missing).
    #[error("{path}: {source}")]
    InFile {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        source: Box<SandboxError>,
    },
}

impl SandboxError {
    /// `source`, attributed to the file at `path` (an error that already names a file is kept
    /// as it is).
    pub(crate) fn in_file(path: impl AsRef<Path>, source: impl Into<SandboxError>) -> Self {
        match source.into() {
            named @ (Self::Io { .. } | Self::InFile { .. }) => named,
            source => Self::InFile {
                path: path.as_ref().to_path_buf(),
                source: Box::new(source),
            },
        }
    }

    pub(crate) fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}

impl From<openssl::error::ErrorStack> for SandboxError {
    fn from(stack: openssl::error::ErrorStack) -> Self {
        Self::OpenSsl(mastercard_keys::describe_openssl_error(&stack))
    }
}
