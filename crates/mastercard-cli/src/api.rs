//! `mastercard api METHOD PATH`: any signed Mastercom request, like `gh api`, through the same
//! client as `mastercard mastercom <operation>` (`MastercomClient::send_raw`): signing, deadline,
//! response caps, no redirects. A request that matches an operation exactly is sent as that
//! operation, so an event-creating one passes the dispute-event guard; one that only resembles
//! an event-creating operation (other method, case, encoding, trailing slash) is refused before
//! sending, naming the `mastercard mastercom` subcommand to use. The body of any response that
//! arrived is printed on stdout; the exit status is `mastercom`'s.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use mastercom::raw::{RawError, RawRequest};

use crate::client::{self, CallOptions};
use crate::dry_run::DryRun;
use crate::exit::{EXIT_NOT_SENT, EXIT_SERVER, EXIT_USAGE, exit_status};
use crate::mastercom::print_dry_run;
use crate::profile::ConfigArgs;

/// The `api` subcommand's arguments.
#[derive(Args, Debug)]
pub struct ApiArgs {
    /// The HTTP method (GET, POST, PUT, …).
    method: String,
    /// The path relative to the base URL, e.g. /v6/queues/names.
    path: String,
    /// The request body, sent byte for byte: a file, or - for stdin.
    #[arg(long, value_name = "FILE")]
    body: Option<String>,
    /// A query parameter (repeatable); encoded when the URL is built.
    #[arg(long = "query", value_name = "NAME=VALUE")]
    query: Vec<String>,
    /// An extra header (repeatable); Authorization is refused (the client signs).
    #[arg(long = "header", value_name = "NAME:VALUE")]
    header: Vec<String>,
    /// Print the signed request (method, URL, headers, base string) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// With --dry-run: print the body too (it may contain card numbers).
    #[arg(long, requires = "dry_run")]
    show_body: bool,
    #[command(flatten)]
    config: ConfigArgs,
}

/// Builds the request from the arguments; a usage error otherwise.
fn request(args: &ApiArgs) -> Result<RawRequest, String> {
    let mut raw = RawRequest::new(&args.method, &args.path);
    for pair in &args.query {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--query {pair:?}: expected NAME=VALUE"))?;
        raw = raw.query(name, value);
    }
    for pair in &args.header {
        let (name, value) = pair
            .split_once(':')
            .ok_or_else(|| format!("--header {pair:?}: expected NAME:VALUE"))?;
        raw = raw.header(name, value);
    }
    if let Some(source) = &args.body {
        raw = raw.body(crate::mastercom::read_bytes(source)?);
    }
    Ok(raw)
}

/// Runs `mastercard api`.
pub fn run(args: &ApiArgs) -> ExitCode {
    let raw = match request(args) {
        Ok(raw) => raw,
        Err(message) => {
            eprintln!("mastercard api: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let options = CallOptions {
        dry_run: args.dry_run,
        show_body: args.show_body,
    };
    match client::runtime() {
        Ok(runtime) => runtime.block_on(call(raw, &options, &args.config)),
        Err(error) => {
            eprintln!("mastercard api: {error}");
            ExitCode::from(EXIT_NOT_SENT)
        }
    }
}

async fn call(raw: RawRequest, options: &CallOptions, config: &ConfigArgs) -> ExitCode {
    let dry = DryRun::default();
    let client = match client::build(options, config, &dry) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("mastercard api: {error}");
            return ExitCode::from(EXIT_NOT_SENT);
        }
    };
    let outcome = client.send_raw(raw).await;
    if options.dry_run
        && !matches!(
            outcome,
            Err(RawError::Invalid(_) | RawError::EventPathNotCanonical { .. })
        )
    {
        let error = outcome.err().and_then(|error| match error {
            RawError::Call(error) => Some(mastercard_transport::Dispatched::Call(error)),
            _ => None,
        });
        return print_dry_run("api", &dry, options.show_body, error);
    }
    match outcome {
        Ok(response) => match print_body(&response.body) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("mastercard api: {error}");
                ExitCode::from(EXIT_SERVER)
            }
        },
        Err(RawError::Call(error)) => {
            if let Some(body) = error.raw_body() {
                let _ = print_body(body);
            }
            eprintln!("mastercard api: {error}");
            ExitCode::from(exit_status(&error))
        }
        Err(error) => {
            eprintln!("mastercard api: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The body as received, ending with a newline.
fn print_body(body: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(body)?;
    if !body.ends_with(b"\n") {
        writeln!(out)?;
    }
    out.flush()
}
