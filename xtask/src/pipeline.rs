//! `cargo xtask test`: the one test command of the README and of CI.

use std::path::Path;

use crate::process::{cargo, run};
use crate::{Result, python, specs};

/// Step by step, cheapest first, so a broken pin or format fails in seconds, not minutes.
pub fn test(root: &Path, interop: bool) -> Result<()> {
    let cargo = cargo();
    println!("==> cargo xtask fetch");
    specs::fetch(root)?;
    println!("==> cargo xtask check");
    specs::check(root)?;
    run(root, &cargo, &["fmt", "--all", "--", "--check"], &[])?;
    // A dependency with an open RustSec advisory fails here, before anything is built.
    println!("==> cargo xtask audit");
    crate::audit::audit(root)?;
    run(
        root,
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    let folders = folders_from_here();
    let folders: Vec<(&str, &str)> = folders
        .iter()
        .map(|(name, dir)| (*name, dir.as_str()))
        .collect();
    // The generated docs carry spec prose: keep them free of broken links and other warnings.
    run(
        root,
        &cargo,
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    run(root, &cargo, &["test", "--workspace", "--locked"], &folders)?;
    if interop {
        python::interop(root)?;
    }
    println!("all checks passed");
    Ok(())
}

/// The folder variables as absolute paths: a relative value means "from where `cargo xtask` was
/// run", while the tests run in their own package folders.
fn folders_from_here() -> Vec<(&'static str, String)> {
    let here = std::env::current_dir().unwrap_or_default();
    ["MASTERCARD_OPENAPI_MIRROR", "MASTERCARD_VECTORS_DIR"]
        .into_iter()
        .filter_map(|name| {
            let dir = std::env::var_os(name).filter(|dir| !dir.is_empty())?;
            Some((name, here.join(dir).display().to_string()))
        })
        .collect()
}

/// `cargo xtask demo`: fetch the pinned specs unless they are cached, then run `mastercard-demo` (a dispute lifecycle
/// and an Identity Insights call against the embedded sandbox, or against Mastercard's sandbox
/// when its credentials are in the environment). `args` go to the demo (`--against`, `--state-dir`).
/// `cargo xtask chaos`: builds and runs `mastercard-chaos` (see its crate docs).
pub fn chaos(root: &Path, args: &[String]) -> Result<()> {
    specs::ensure_cached(root)?;
    let mut command = vec!["run", "--quiet", "--locked", "-p", "mastercard-chaos", "--"];
    command.extend(args.iter().map(String::as_str));
    run(root, &cargo(), &command, &[])
}

pub fn demo(root: &Path, args: &[String]) -> Result<()> {
    specs::ensure_cached(root)?;
    let mut command = vec!["run", "--quiet", "--locked", "-p", "mastercard-demo", "--"];
    command.extend(args.iter().map(String::as_str));
    run(root, &cargo(), &command, &[])
}
