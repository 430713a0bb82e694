//! `cargo xtask test`: the one test command of the README and of CI.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{Result, python, specs};

/// Runs a command in the workspace root, echoing it; fails if it fails.
pub fn run(root: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    println!("==> {program} {}", args.join(" "));
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(root)
        .status()
        .map_err(|error| format!("cannot run {program}: {error}"))?;
    println!("    ({:.1} s)", started.elapsed().as_secs_f64());
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")).into())
    }
}

/// The cargo that runs this xtask (so a pinned toolchain is honoured).
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Step by step, cheapest first, so a broken pin or format fails in seconds, not minutes.
pub fn test(root: &Path, interop: bool) -> Result<()> {
    let cargo = cargo();
    println!("==> cargo xtask fetch");
    specs::fetch(root)?;
    println!("==> cargo xtask check");
    specs::check(root)?;
    run(root, &cargo, &["fmt", "--all", "--", "--check"], &[])?;
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
    run(root, &cargo, &["test", "--workspace", "--locked"], &[])?;
    if interop {
        python::interop(root)?;
    }
    println!("all checks passed");
    Ok(())
}

/// `cargo xtask demo`: fetch the pinned specs, then build and describe both clients.
pub fn demo(root: &Path) -> Result<()> {
    specs::fetch(root)?;
    run(
        root,
        &cargo(),
        &["run", "--quiet", "-p", "mastercom", "--example", "clients"],
        &[],
    )
}
