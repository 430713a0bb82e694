//! `cargo xtask`: workspace automation, and the only part of the workspace that touches the network.
//!
//! | command | what it does |
//! |---|---|
//! | `fetch` | download each pinned spec (or read `$MASTERCARD_OPENAPI_MIRROR`) into `openapi/.cache/`, verifying its sha256 |
//! | `regen` | adopt the latest upstream specs: update `openapi/specs.lock` and the surface snapshots |
//! | `check` | the drift check: cached specs match their pins, transformations apply, snapshots are current |
//! | `transforms` | print every place the spec transformations touch |
//! | `test` | the README's test command: fetch, fmt, clippy, tests, drift check, differential tests |
//! | `interop` | differential tests against Mastercard's reference Python and Node libraries (PyPI, npm) |
//! | `demo` | the README's main command: a dispute lifecycle and an Identity Insights call against the embedded sandbox |
//! | `chaos` | worker processes in two groups sharing only a PostgreSQL dispute-event ledger, against the sandbox with faults and kills; fails on any duplicate event |
//! | `fuzz` | the cargo-fuzz targets of `fuzz/` (nightly), each for `--seconds`, with seeds built by code |
//! | `audit` | `Cargo.lock` and `fuzz/Cargo.lock` against the offline RustSec snapshot (cargo-audit) |

mod audit;
mod download;
mod fuzz;
mod node;
mod pipeline;
mod process;
mod python;
mod seeds;
mod specs;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Workspace automation for the Mastercard API clients.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    /// Workspace root (defaults to the workspace this xtask was built from).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Download the pinned specs into openapi/.cache/ and verify their sha256.
    Fetch,
    /// Fetch the latest upstream specs and update pins and surface snapshots (one reviewed commit).
    Regen,
    /// Drift check: cached specs match the pins and the surface snapshots are current.
    Check,
    /// Print every place the spec transformations touch.
    Transforms,
    /// The full test pipeline (the README's test command).
    Test {
        /// Skip the differential tests against the reference Python and Node libraries.
        #[arg(long)]
        no_interop: bool,
    },
    /// Differential tests against Mastercard's reference Python and Node libraries (installed into
    /// target/interop-venv and target/interop-node).
    Interop,
    /// The README's main command: a dispute lifecycle and an Identity Insights call through the
    /// workspace's clients, against the embedded sandbox (or Mastercard's, with credentials in
    /// the environment).
    Demo {
        /// Passed to `mastercard-demo` (`--against embedded|env`, `--state-dir DIR`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Dispute-event attempts from worker processes in two groups that share only a PostgreSQL
    /// ledger, against the embedded sandbox with faults and kills; fails if the sandbox created
    /// a duplicate event. Needs PostgreSQL (Debian `postgresql`).
    Chaos {
        /// Passed to `mastercard-chaos` (`--attempts N --claims N --workers N --seed N --no-guard`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the cargo-fuzz targets (nightly; cargo-fuzz is installed into target/tools).
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Only this target.
        #[arg(long)]
        target: Option<String>,
    },
    /// Check the lock files against the RustSec advisory snapshot, offline
    /// ($MASTERCARD_ADVISORY_DB, default ../shared/advisory-db).
    Audit,
}

/// Errors of the xtask: a message for the terminal.
type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli
        .root
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let root = root.canonicalize().unwrap_or(root);
    let outcome = match cli.command {
        Command::Fetch => specs::fetch(&root),
        Command::Regen => specs::regen(&root),
        Command::Check => specs::check(&root),
        Command::Transforms => specs::print_transforms(&root),
        Command::Test { no_interop } => pipeline::test(&root, !no_interop),
        Command::Interop => python::interop(&root),
        Command::Demo { args } => pipeline::demo(&root, &args),
        Command::Chaos { args } => pipeline::chaos(&root, &args),
        Command::Fuzz { seconds, target } => fuzz::fuzz(&root, seconds, target.as_deref()),
        Command::Audit => audit::audit(&root),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}
