//! `openapi/specs.lock`: which upstream spec each API is generated from, pinned by sha256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::CodegenError;
use crate::layout::{Layout, read};

/// One pinned API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedSpec {
    /// File name in the cache and in a mirror (the upstream file name).
    pub file: String,
    /// Where `cargo xtask fetch` downloads it from.
    pub url: String,
    /// Lowercase hex sha256 of the exact bytes.
    pub sha256: String,
    /// The spec's `info.version`, for humans reading the lock and for the drift report.
    pub info_version: String,
}

/// The whole lock file: API name → pin, in name order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpecLock {
    /// Pins by API name (`mastercom`, `identity-insights`).
    pub apis: BTreeMap<String, PinnedSpec>,
}

const LOCK_HEADER: &str = "\
# Pinned Mastercard OpenAPI specs. Written by `cargo xtask regen`; checked by `cargo xtask fetch`,
# `cargo xtask check` and every build. The spec files themselves are never committed: they are
# fetched into openapi/.cache/ (or read from $MASTERCARD_OPENAPI_MIRROR / $MASTERCARD_OPENAPI_DIR).

";

impl SpecLock {
    /// Reads and parses the lock file.
    pub fn load(path: &Path) -> Result<Self, CodegenError> {
        let text = String::from_utf8_lossy(&read(path)?).into_owned();
        toml::from_str(&text).map_err(|error| CodegenError::Config {
            path: path.to_path_buf(),
            message: error.to_string(),
        })
    }

    /// Renders the lock file as `cargo xtask regen` writes it.
    pub fn render(&self) -> Result<String, CodegenError> {
        let body = toml::to_string(self).map_err(|error| CodegenError::Config {
            path: PathBuf::from("openapi/specs.lock"),
            message: error.to_string(),
        })?;
        Ok(format!("{LOCK_HEADER}{body}"))
    }

    /// The pin of one API.
    pub fn get(&self, api: &str) -> Result<&PinnedSpec, CodegenError> {
        self.apis.get(api).ok_or_else(|| CodegenError::UnknownApi {
            api: api.to_owned(),
            known: self.apis.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }
}

/// Lowercase hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Reads one API's spec from the layout's spec folder and checks it against its pin.
///
/// Returns the path read and the verified bytes.
pub fn read_pinned(
    layout: &Layout,
    lock: &SpecLock,
    api: &str,
) -> Result<(PathBuf, Vec<u8>), CodegenError> {
    let pin = lock.get(api)?;
    let path = layout.spec_dir.join(&pin.file);
    if !path.is_file() {
        return Err(CodegenError::SpecMissing {
            api: api.to_owned(),
            file: pin.file.clone(),
            path,
        });
    }
    let bytes = read(&path)?;
    verify(api, pin, &path, &bytes)?;
    Ok((path, bytes))
}

/// Checks spec bytes against a pin.
pub fn verify(api: &str, pin: &PinnedSpec, path: &Path, bytes: &[u8]) -> Result<(), CodegenError> {
    let actual = sha256_hex(bytes);
    if actual == pin.sha256 {
        Ok(())
    } else {
        Err(CodegenError::PinMismatch {
            api: api.to_owned(),
            path: path.to_path_buf(),
            actual,
            pinned: pin.sha256.clone(),
        })
    }
}
