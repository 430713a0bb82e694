//! `mastercard-demo` (run by `cargo xtask demo`): starts the embedded sandbox, walks a dispute
//! lifecycle and makes one Identity Insights call through the workspace's clients. With
//! Mastercard credentials in the environment (`MASTERCARD_CONSUMER_KEY`, …) it runs against
//! Mastercard's sandbox instead.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use mastercard_demo::{DemoError, Report, Target, Trace, run, target};
use mastercard_sandbox::{Sandbox, SandboxConfig};

/// A dispute lifecycle and an Identity Insights call, printed one line per call.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Which servers to call.
    #[arg(long, value_enum, default_value_t = Against::Auto)]
    against: Against,
    /// Where the embedded sandbox keeps the credentials it generates (default: a temporary
    /// directory, removed afterwards).
    #[arg(long)]
    state_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Against {
    /// Mastercard's servers if `MASTERCARD_CONSUMER_KEY` is set, else the embedded sandbox.
    Auto,
    /// The embedded sandbox, started in this process on loopback.
    Embedded,
    /// The servers and credentials named by the environment.
    Env,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let mut trace = Trace::printing();
    let from_env = match args.against {
        Against::Auto => target::mastercom_configured(|name| std::env::var_os(name).is_some()),
        Against::Embedded => false,
        Against::Env => true,
    };
    let outcome = if from_env {
        match Target::from_env() {
            Ok(target) => run(&target, &mut trace).await,
            Err(error) => Err(error),
        }
    } else {
        embedded(args.state_dir, &mut trace).await
    };
    match outcome {
        Ok(report) => {
            summarize(&report, &trace, started);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("mastercard-demo: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn embedded(state_dir: Option<PathBuf>, trace: &mut Trace) -> Result<Report, DemoError> {
    // A temporary directory lives until the end of this function, after the sandbox stopped.
    let temporary;
    let dir = match state_dir {
        Some(dir) => dir,
        None => {
            temporary = tempfile::tempdir().map_err(|error| DemoError::Setup {
                what: "a state directory",
                reason: error.to_string(),
            })?;
            temporary.path().to_path_buf()
        }
    };
    let sandbox = Sandbox::start(SandboxConfig::new(&dir))
        .await
        .map_err(|error| DemoError::Setup {
            what: "the embedded sandbox",
            reason: error.to_string(),
        })?;
    trace.note(&format!(
        "embedded sandbox started; its throwaway credentials are in {}",
        sandbox.state_dir().display()
    ));
    let outcome = match Target::embedded(&sandbox) {
        Ok(target) => run(&target, trace).await,
        Err(error) => Err(error),
    };
    sandbox.shutdown().await;
    outcome
}

fn summarize(report: &Report, trace: &Trace, started: Instant) {
    let lifecycle = &report.lifecycle;
    println!(
        "done: {} calls in {:.2} s; claim {} on clearing {} with {} chargeback event(s) and case {} \
         is in the {} queue{}",
        trace.steps().len(),
        started.elapsed().as_secs_f64(),
        lifecycle.claim_id,
        lifecycle.clearing_transaction_id,
        lifecycle.chargeback_ids.len(),
        lifecycle.case_id,
        lifecycle.final_queue.as_deref().unwrap_or("(unknown)"),
        match &report.insights {
            Some(insights) => format!("; transaction insights {}", insights.id),
            None => String::new(),
        }
    );
}
