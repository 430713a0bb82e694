//! `cargo xtask audit`: every lock file of the repository against a RustSec advisory-db snapshot,
//! offline, with cargo-audit (installed into `target/tools` when missing).
//!
//! The snapshot is `$MASTERCARD_ADVISORY_DB`, by default `../shared/advisory-db` beside the
//! workspace. Any vulnerability fails; informational warnings (unmaintained, yanked, unsound) are
//! printed and counted but do not fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::Result;
use crate::tools;

/// The lock files checked: the workspace's and the fuzz crate's (its own workspace).
const LOCK_FILES: [&str; 2] = ["Cargo.lock", "fuzz/Cargo.lock"];

/// The advisory database folder: `$MASTERCARD_ADVISORY_DB` (relative to where the xtask runs) or
/// `../shared/advisory-db` relative to the workspace root.
fn database(root: &Path) -> PathBuf {
    match std::env::var_os("MASTERCARD_ADVISORY_DB").filter(|dir| !dir.is_empty()) {
        Some(dir) => std::env::current_dir().unwrap_or_default().join(dir),
        None => root.join("..").join("shared").join("advisory-db"),
    }
}

pub fn audit(root: &Path) -> Result<()> {
    let db = database(root);
    if !db.join("crates").is_dir() {
        return Err(format!(
            "no RustSec advisory database at {} (set MASTERCARD_ADVISORY_DB to a snapshot of it)",
            db.display()
        )
        .into());
    }
    let cargo_audit = tools::ensure(root, "cargo-audit", "cargo-audit")?;
    let mut failures = Vec::new();
    for lock in LOCK_FILES {
        let path = root.join(lock);
        if !path.is_file() {
            continue;
        }
        println!(
            "==> cargo audit --db {} --no-fetch --stale --file {lock}",
            db.display()
        );
        let output = Command::new("nice")
            .args(["-n", "19"])
            .arg(&cargo_audit)
            .arg("audit")
            .arg("--db")
            .arg(&db)
            .args(["--no-fetch", "--stale", "--json", "--file"])
            .arg(&path)
            .current_dir(root)
            .output()
            .map_err(|error| format!("cannot run cargo-audit: {error}"))?;
        let report: Value = serde_json::from_slice(&output.stdout).map_err(|error| {
            format!(
                "cargo-audit gave no report for {lock} ({}): {error}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
        let crates = report["lockfile"]["dependency-count"].as_u64().unwrap_or(0);
        let advisories = report["database"]["advisory-count"].as_u64().unwrap_or(0);
        let found = report["vulnerabilities"]["list"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        println!(
            "    {lock}: {crates} crates scanned against {advisories} advisories: {} vulnerabilities",
            found.len()
        );
        for item in &found {
            println!(
                "    {} {} {}: {}",
                item["advisory"]["id"].as_str().unwrap_or("?"),
                item["package"]["name"].as_str().unwrap_or("?"),
                item["package"]["version"].as_str().unwrap_or("?"),
                item["advisory"]["title"].as_str().unwrap_or("?"),
            );
        }
        if let Some(warnings) = report["warnings"].as_object() {
            for (kind, list) in warnings {
                for item in list.as_array().into_iter().flatten() {
                    println!(
                        "    warning ({kind}): {} {} {}",
                        item["advisory"]["id"].as_str().unwrap_or("-"),
                        item["package"]["name"].as_str().unwrap_or("?"),
                        item["package"]["version"].as_str().unwrap_or("?"),
                    );
                }
            }
        }
        if !found.is_empty() || !output.status.success() {
            failures.push(format!("{lock} ({} vulnerabilities)", found.len()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("cargo audit failed: {}", failures.join(", ")).into())
    }
}
