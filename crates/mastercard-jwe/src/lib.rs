#![doc = include_str!("../README.md")]

// Dependency order, top-down: payload -> config -> cipher -> keys -> header -> compact, path,
// fingerprint -> error.
mod cipher;
mod compact;
mod config;
mod error;
pub mod fingerprint;
mod header;
mod keys;
mod path;
mod payload;

pub use config::{
    DEFAULT_FIELD_NAME, DEFAULT_MAX_PLAINTEXT_LEN, EncryptionConfig, EncryptionConfigBuilder,
};
pub use error::{JweError, Segment};
pub use keys::{DecryptionKey, EncryptionKey};
pub use path::JsonPath;
