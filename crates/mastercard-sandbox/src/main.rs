//! `mastercard-sandbox`: serve the embedded Mastercom + Identity Insights sandbox until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use clap::Parser;
use mastercard_sandbox::{Limits, Sandbox, SandboxConfig};

/// Local Mastercom + Identity Insights sandbox with real OAuth1, mTLS and JWE checks.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// State directory (PKI, credentials, SQLite file); created on first start.
    #[arg(long, default_value = "mastercard-sandbox-state")]
    state_dir: PathBuf,
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Mastercom port (0: any free port).
    #[arg(long, default_value_t = 8443)]
    mastercom_port: u16,
    /// Identity Insights (mTLS) port (0: any free port).
    #[arg(long, default_value_t = 8444)]
    iit_port: u16,
    /// Keep claims and cases in <state-dir>/sandbox.sqlite across restarts.
    #[arg(long)]
    persist: bool,
    /// Verify OAuth1 signatures with this public key or certificate instead of the generated one.
    #[arg(long)]
    trust_oauth1_key: Option<PathBuf>,
    /// Consumer key to accept with --trust-oauth1-key.
    #[arg(long)]
    consumer_key: Option<String>,
    /// Also accept mTLS client certificates chained to this CA (PEM).
    #[arg(long)]
    trust_client_ca: Option<PathBuf>,
    /// Encrypt IIT responses to this certificate instead of the generated one.
    #[arg(long)]
    jwe_client_cert: Option<PathBuf>,
    /// Seconds a TLS handshake may take [default: 10].
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    tls_handshake_timeout: Option<Duration>,
    /// Seconds to wait for a request's headers, also between kept-alive requests [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    header_read_timeout: Option<Duration>,
    /// Seconds without a byte either way before a connection is closed [default: 60].
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    idle_timeout: Option<Duration>,
    /// Open connections per listener; more are closed at once [default: 256].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Largest Mastercom request body in bytes [default: 33554432 (32 MiB)].
    #[arg(long, value_name = "BYTES")]
    mastercom_max_body: Option<usize>,
    /// Largest Identity Insights request body in bytes [default: 1048576 (1 MiB)].
    #[arg(long, value_name = "BYTES")]
    iit_max_body: Option<usize>,
}

/// A non-negative number of seconds, fractions allowed (`0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("{text:?} is not a number of seconds (e.g. 10 or 0.5)"))
}

/// The defaults with what the command line overrides.
fn limits(args: &Args) -> Limits {
    let mut limits = Limits::default();
    if let Some(t) = args.tls_handshake_timeout {
        limits.tls_handshake_timeout = t;
    }
    if let Some(t) = args.header_read_timeout {
        limits.header_read_timeout = t;
    }
    if let Some(t) = args.idle_timeout {
        limits.idle_timeout = t;
    }
    if let Some(n) = args.max_connections {
        limits.max_connections = n;
    }
    if let Some(n) = args.mastercom_max_body {
        limits.mastercom_max_body = n;
    }
    if let Some(n) = args.iit_max_body {
        limits.iit_max_body = n;
    }
    limits
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let limits = limits(&args);
    let mut config = SandboxConfig::new(args.state_dir).with_persistence(args.persist);
    config.bind = args.bind;
    config.mastercom_port = args.mastercom_port;
    config.iit_port = args.iit_port;
    config.trust.oauth1_public_key = args.trust_oauth1_key;
    config.trust.oauth1_consumer_key = args.consumer_key;
    config.trust.client_ca = args.trust_client_ca;
    config.trust.jwe_client_cert = args.jwe_client_cert;
    config.limits = limits;
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("mastercard-sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", sandbox.credentials.describe());
    println!("Mastercom:         {}/v6/...", sandbox.mastercom_url);
    println!("Identity Insights: {}/transactions (mTLS)", sandbox.iit_url);
    println!(
        "Faults:            PUT {}/__sandbox/faults/<operationId> (loopback only)",
        sandbox.mastercom_url.trim_end_matches("/mastercom")
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
