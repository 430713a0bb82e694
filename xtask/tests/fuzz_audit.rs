//! `cargo xtask audit` and `cargo xtask fuzz`: the gate fails on an advisory, and both commands
//! fail with a message that says what to do.

#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("MASTERCARD_ADVISORY_DB")
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// A lock file with one crate of the given version (and the workspace's own package).
fn lock_with(name: &str, version: &str) -> String {
    format!(
        "version = 3\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\"{name}\"]\n\n\
         [[package]]\nname = \"{name}\"\nversion = \"{version}\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
    )
}

#[test]
fn audit_without_a_database_says_which_variable_to_set() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("no-such-db");
    let output = xtask(
        root.path(),
        &["audit"],
        &[("MASTERCARD_ADVISORY_DB", missing.to_str().unwrap())],
    );
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no RustSec advisory database"), "{stderr}");
    assert!(stderr.contains("MASTERCARD_ADVISORY_DB"), "{stderr}");
}

#[test]
fn fuzz_names_the_targets_when_given_an_unknown_one() {
    let root = tempfile::tempdir().unwrap();
    let output = xtask(root.path(), &["fuzz", "--target", "nope"], &[]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no fuzz target \"nope\""), "{stderr}");
    assert!(stderr.contains("keys_load"), "{stderr}");
}

/// With the advisory snapshot and the cargo-audit that `cargo xtask test` installs before the
/// tests run: a lock file with a crate under an advisory fails the audit, the patched version
/// passes.
#[test]
fn audit_fails_on_a_crate_with_an_advisory_and_passes_the_fixed_version() {
    let workspace = workspace();
    let cargo_audit = workspace.join("target/tools/bin/cargo-audit");
    let db = std::env::var_os("MASTERCARD_ADVISORY_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("../shared/advisory-db"));
    if !cargo_audit.is_file() || !db.join("crates").is_dir() {
        assert!(
            std::env::var("MASTERCARD_VECTORS_REQUIRED").as_deref() != Ok("1"),
            "CI: cargo-audit ({}) or the advisory snapshot ({}) is missing",
            cargo_audit.display(),
            db.display()
        );
        eprintln!("skipped: no cargo-audit in target/tools or no advisory snapshot");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let bin = root.path().join("target/tools/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(&cargo_audit, bin.join("cargo-audit")).unwrap();
    let db_text = db.to_str().unwrap();

    // smallvec 1.6.0: RUSTSEC-2021-0003 (buffer overflow in insert_many), fixed in 1.6.1.
    std::fs::write(
        root.path().join("Cargo.lock"),
        lock_with("smallvec", "1.6.0"),
    )
    .unwrap();
    let output = xtask(
        root.path(),
        &["audit"],
        &[("MASTERCARD_ADVISORY_DB", db_text)],
    );
    let stdout = text(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("RUSTSEC-2021-0003 smallvec 1.6.0"),
        "{stdout}"
    );
    assert!(text(&output.stderr).contains("cargo audit failed: Cargo.lock (1 vulnerabilities)"));

    std::fs::write(
        root.path().join("Cargo.lock"),
        lock_with("smallvec", "1.6.1"),
    )
    .unwrap();
    let output = xtask(
        root.path(),
        &["audit"],
        &[("MASTERCARD_ADVISORY_DB", db_text)],
    );
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("Cargo.lock: 2 crates scanned"), "{stdout}");
    assert!(stdout.contains(": 0 vulnerabilities"), "{stdout}");
}
