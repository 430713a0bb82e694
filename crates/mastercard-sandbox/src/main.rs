//! `mastercard-sandbox`: serve the embedded Mastercom + Identity Insights sandbox until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mastercard_sandbox::{Sandbox, SandboxConfig};

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
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = SandboxConfig::new(args.state_dir).with_persistence(args.persist);
    config.bind = args.bind;
    config.mastercom_port = args.mastercom_port;
    config.iit_port = args.iit_port;
    config.trust.oauth1_public_key = args.trust_oauth1_key;
    config.trust.oauth1_consumer_key = args.consumer_key;
    config.trust.client_ca = args.trust_client_ca;
    config.trust.jwe_client_cert = args.jwe_client_cert;
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
