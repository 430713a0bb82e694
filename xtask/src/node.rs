//! The Node half of `cargo xtask interop`: Mastercard's reference Node libraries
//! (`mastercard-oauth1-signer`, `mastercard-client-encryption`), pinned by
//! `xtask/interop-node/package.json` and its lock file, installed from npm with `npm ci` into
//! `target/interop-node` (never into the source tree). The crates' `differential_node` tests and
//! the sandbox's `reference_clients` test find them through `$MASTERCARD_REFERENCE_NODE_MODULES`.

use std::path::Path;

use crate::Result;
use crate::process::run;

/// The pinned manifest and lock file, committed beside the xtask.
const PINNED: [&str; 2] = ["package.json", "package-lock.json"];

/// Installs the pinned packages (exactly the lock file's versions) and returns the absolute path
/// of their `node_modules` folder.
pub fn reference_node_modules(root: &Path) -> Result<String> {
    let prefix = root.join("target").join("interop-node");
    std::fs::create_dir_all(&prefix)
        .map_err(|error| format!("cannot create {}: {error}", prefix.display()))?;
    for file in PINNED {
        let source = root.join("xtask").join("interop-node").join(file);
        std::fs::copy(&source, prefix.join(file))
            .map_err(|error| format!("cannot copy {}: {error}", source.display()))?;
    }
    run(root, "node", &["--version"], &[])?;
    let prefix_text = prefix.to_string_lossy().into_owned();
    run(
        root,
        "npm",
        &[
            "ci",
            "--prefix",
            &prefix_text,
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ],
        &[],
    )?;
    let modules = prefix.join("node_modules");
    let modules = modules
        .canonicalize()
        .map_err(|error| format!("npm ci left no {}: {error}", modules.display()))?;
    Ok(modules.to_string_lossy().into_owned())
}
