//! Cargo subcommands the xtask needs (cargo-fuzz, cargo-audit), installed once per checkout into
//! `target/tools` (never into the user's `~/.cargo`), niced so other work keeps the CPU.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::Result;
use crate::process::{cargo, run};

/// `target/tools/bin/<binary>`, after `cargo install --locked --root target/tools <package>`
/// when it is not there yet.
pub fn ensure(root: &Path, binary: &str, package: &str) -> Result<PathBuf> {
    let tools = root.join("target").join("tools");
    let path = tools.join("bin").join(binary);
    if path.is_file() {
        return Ok(path);
    }
    println!("{binary} is not in target/tools: installing it (once per checkout)");
    let started = Instant::now();
    let cargo = cargo();
    let tools_text = tools.to_string_lossy();
    run(
        root,
        "nice",
        &[
            "-n",
            "19",
            &cargo,
            "install",
            "--locked",
            "--root",
            &tools_text,
            package,
        ],
        &[],
    )?;
    println!(
        "    ({package} installed in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "`cargo install {package}` did not produce {}",
            path.display()
        )
        .into())
    }
}
