//! Where the pipeline's files live: `openapi/` (ours, committed) and the spec cache (fetched, git-ignored).

use std::path::{Path, PathBuf};

use crate::CodegenError;

/// Environment variable naming a folder that holds the spec files; overrides the cache.
pub const SPEC_DIR_ENV: &str = "MASTERCARD_OPENAPI_DIR";

/// The workspace's committed `openapi/` folder and the folder the spec files are read from.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `<workspace>/openapi`: lock file, transformations, surface snapshots.
    pub openapi_dir: PathBuf,
    /// Where spec files are read from: `$MASTERCARD_OPENAPI_DIR`, or `<workspace>/openapi/.cache`.
    pub spec_dir: PathBuf,
}

impl Layout {
    /// Finds the workspace from any folder inside it (a crate's `CARGO_MANIFEST_DIR`, the xtask's).
    pub fn discover(start: &Path) -> Result<Self, CodegenError> {
        let openapi_dir = start
            .ancestors()
            .map(|dir| dir.join("openapi"))
            .find(|dir| dir.join("specs.lock").is_file())
            .ok_or_else(|| CodegenError::Config {
                path: start.to_path_buf(),
                message: "no openapi/specs.lock in this folder or any parent; run from inside the workspace"
                    .to_owned(),
            })?;
        let spec_dir = match std::env::var_os(SPEC_DIR_ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => openapi_dir.join(".cache"),
        };
        Ok(Self {
            openapi_dir,
            spec_dir,
        })
    }

    /// The lock file.
    pub fn lock_path(&self) -> PathBuf {
        self.openapi_dir.join("specs.lock")
    }

    /// The transformation file of one API.
    pub fn transforms_path(&self, api: &str) -> PathBuf {
        self.openapi_dir.join(format!("{api}.transforms.toml"))
    }

    /// The committed surface snapshot of one API.
    pub fn surface_path(&self, api: &str) -> PathBuf {
        self.openapi_dir.join(format!("{api}.surface.txt"))
    }
}

/// Reads a file, naming it in the error.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, CodegenError> {
    std::fs::read(path).map_err(|source| CodegenError::io("cannot read", path, source))
}
