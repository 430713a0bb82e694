//! `cargo xtask fuzz`: the cargo-fuzz targets of `fuzz/`, one after another, each for a fixed
//! time, with seed corpora built here by code (and from `$MASTERCARD_VECTORS_DIR` when set).
//!
//! The fuzz crate is its own workspace on the nightly toolchain; cargo-fuzz is installed into
//! `target/tools` when missing. Without nightly the command skips (with a message) unless
//! `MASTERCARD_FUZZ_REQUIRED=1`, which CI sets.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Result;
use crate::seeds;
use crate::tools;

/// Every target of `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: [&str; 6] = [
    "jwe_decrypt",
    "oauth1_header",
    "oauth1_base_string",
    "error_body",
    "keys_load",
    "sandbox_validate",
];

/// Which compiler builds the targets.
#[derive(Clone, Copy)]
enum Toolchain {
    /// `+nightly`.
    Nightly,
    /// The default (stable) toolchain with `RUSTC_BOOTSTRAP=1`.
    StableBootstrap,
}

/// What one target's run printed.
struct Outcome {
    target: &'static str,
    seconds: f64,
    executions: Option<u64>,
    corpus: usize,
    crash: Option<String>,
}

/// Runs `targets` (all when empty) for `seconds` each.
pub fn fuzz(root: &Path, seconds: u64, only: Option<&str>) -> Result<()> {
    let targets: Vec<&'static str> = match only {
        None => TARGETS.to_vec(),
        Some(name) => vec![
            TARGETS
                .into_iter()
                .find(|target| *target == name)
                .ok_or_else(|| format!("no fuzz target {name:?}; the targets: {TARGETS:?}"))?,
        ],
    };
    let toolchain = if nightly_available() {
        Toolchain::Nightly
    } else {
        let message = "the nightly toolchain is not installed (`rustup toolchain install nightly`); cargo-fuzz needs it";
        if std::env::var("MASTERCARD_FUZZ_REQUIRED").as_deref() != Ok("1") {
            println!("xtask fuzz: skipped: {message}");
            return Ok(());
        }
        // Required (CI) on a machine with only the stable toolchain: cargo-fuzz's `-Z` flags
        // through RUSTC_BOOTSTRAP, the compiler's own escape hatch for unstable options.
        println!(
            "xtask fuzz: {message}; MASTERCARD_FUZZ_REQUIRED=1, so the stable toolchain runs it with RUSTC_BOOTSTRAP=1"
        );
        Toolchain::StableBootstrap
    };
    // The targets link the generated Mastercom and IIT clients, whose build reads the specs.
    crate::specs::ensure_cached(root)?;
    let cargo_fuzz = tools::ensure(root, "cargo-fuzz", "cargo-fuzz")?;
    let fuzz_dir = root.join("fuzz");
    let started = Instant::now();
    build(root, &cargo_fuzz, &fuzz_dir, toolchain)?;
    println!("    (fuzz build {:.1} s)", started.elapsed().as_secs_f64());
    let mut outcomes = Vec::new();
    for target in targets {
        let seed_dir = fuzz_dir.join("seeds").join(target);
        let dictionary = seeds::write(root, target, &seed_dir)?;
        outcomes.push(run_target(
            root,
            &cargo_fuzz,
            toolchain,
            &fuzz_dir,
            target,
            seconds,
            &seed_dir,
            dictionary.as_deref(),
        )?);
    }
    println!("\ntarget               seconds   executions   corpus   result");
    for outcome in &outcomes {
        println!(
            "{:<20} {:>7.0} {:>12} {:>8}   {}",
            outcome.target,
            outcome.seconds,
            outcome
                .executions
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
            outcome.corpus,
            outcome.crash.as_deref().unwrap_or("no crash")
        );
    }
    println!(
        "fuzzing took {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    let crashed: Vec<&str> = outcomes
        .iter()
        .filter(|outcome| outcome.crash.is_some())
        .map(|outcome| outcome.target)
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz targets failed: {} (inputs in fuzz/artifacts/<target>/; reproduce with `cargo +nightly fuzz run <target> <file>`)",
            crashed.join(", ")
        )
        .into())
    }
}

/// Is a nightly toolchain there? (`rustc +nightly` through rustup.)
fn nightly_available() -> bool {
    Command::new("rustc")
        .args(["+nightly", "--version"])
        .env("RUSTUP_AUTO_INSTALL", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// cargo-fuzz with the nightly toolchain, niced (other work keeps the CPU it needs).
fn cargo_fuzz_command(root: &Path, cargo_fuzz: &Path, toolchain: Toolchain) -> Command {
    let mut command = Command::new("nice");
    command
        .args(["-n", "19"])
        .arg(cargo_fuzz)
        .current_dir(root)
        // What `cargo run` of this xtask set for its own cargo must not leak into cargo-fuzz's.
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    match toolchain {
        Toolchain::Nightly => command.env("RUSTUP_TOOLCHAIN", "nightly"),
        Toolchain::StableBootstrap => command.env("RUSTC_BOOTSTRAP", "1"),
    };
    command
}

fn build(root: &Path, cargo_fuzz: &Path, fuzz_dir: &Path, toolchain: Toolchain) -> Result<()> {
    println!("==> cargo +nightly fuzz build");
    let fuzz_dir_text = fuzz_dir.to_string_lossy();
    let status = cargo_fuzz_command(root, cargo_fuzz, toolchain)
        .args(["fuzz", "build", "--fuzz-dir", &fuzz_dir_text])
        .status()
        .map_err(|error| format!("cannot run cargo-fuzz: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo +nightly fuzz build` failed ({status})").into())
    }
}

#[allow(clippy::too_many_arguments)]
fn run_target(
    root: &Path,
    cargo_fuzz: &Path,
    toolchain: Toolchain,
    fuzz_dir: &Path,
    target: &'static str,
    seconds: u64,
    seed_dir: &Path,
    dictionary: Option<&Path>,
) -> Result<Outcome> {
    let corpus = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|error| format!("cannot create {}: {error}", corpus.display()))?;
    let mut args: Vec<String> = vec![
        "fuzz".into(),
        "run".into(),
        "--fuzz-dir".into(),
        fuzz_dir.to_string_lossy().into_owned(),
        target.into(),
        corpus.to_string_lossy().into_owned(),
        seed_dir.to_string_lossy().into_owned(),
        "--".into(),
        format!("-max_total_time={seconds}"),
        // A single input taking 10 s is a hang, and a finding.
        "-timeout=10".into(),
        "-rss_limit_mb=2048".into(),
        "-print_final_stats=1".into(),
    ];
    if let Some(dictionary) = dictionary {
        args.push(format!("-dict={}", dictionary.display()));
    }
    println!("==> cargo +nightly fuzz run {target} ({seconds} s)");
    let started = Instant::now();
    let mut child = cargo_fuzz_command(root, cargo_fuzz, toolchain)
        .args(&args)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run cargo-fuzz: {error}"))?;
    let mut executions = None;
    let mut corpus_units = None;
    let mut crash_file = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("{line}");
            if let Some(count) = line.strip_prefix("stat::number_of_executed_units:") {
                executions = count.trim().parse().ok();
            }
            // `#N DONE cov: … corp: UNITS/SIZE …`: libFuzzer's corpus at the end (seeds included).
            if line.contains(" DONE ")
                && let Some(units) = line
                    .split("corp: ")
                    .nth(1)
                    .and_then(|rest| rest.split('/').next())
            {
                corpus_units = units.trim().parse().ok();
            }
            if let Some(path) = line
                .split("Test unit written to ")
                .nth(1)
                .map(|path| path.trim().to_owned())
            {
                crash_file = Some(path);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|error| format!("cargo-fuzz did not finish: {error}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let crash = if status.success() {
        None
    } else {
        Some(match crash_file {
            Some(path) => format!("FAILED, input: {path}"),
            None => format!("FAILED ({status})"),
        })
    };
    Ok(Outcome {
        target,
        seconds,
        executions,
        corpus: corpus_units.unwrap_or_else(|| count_files(&corpus)),
        crash,
    })
}

fn count_files(dir: &PathBuf) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.flatten().count())
}
