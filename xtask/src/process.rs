//! Running the workspace's commands: shared by `pipeline` (the test command), `python`, `node` and
//! `tools`, so none of them imports another for it.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::Result;

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
