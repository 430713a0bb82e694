//! `mastercard`: the command line a user reaches for when Mastercard's gateway rejects a request.
//!
//! Every subcommand prints only its result on stdout (a header, a base string, a JSON document or a
//! fingerprint) so it composes with shell pipes; failures print one line on stderr and exit non-zero.

mod api;
mod chunked;
mod client;
mod dry_run;
mod exit;
mod jwe;
mod mastercom;
mod oauth1;
mod profile;
mod queue_walk;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Mastercom from the shell (every operation, any signed request, dry runs, profiles), and
/// tools for Mastercard API authentication and payload encryption.
#[derive(Parser)]
#[command(name = "mastercard", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Mastercard OAuth 1.0a (RSA-SHA256 + body hash) request signing.
    #[command(subcommand)]
    Oauth1(oauth1::Command),
    /// Mastercard JWE payload encryption (RSA-OAEP-256 + A256GCM).
    #[command(subcommand)]
    Jwe(jwe::Command),
    /// Call any Mastercom operation (`mastercard mastercom --help` lists them); credentials
    /// from the `MASTERCARD_*` variables. Exit status: 0 ok, 2 usage, 3 rejected (4xx),
    /// 4 not sent, 5 may have been sent, 6 server failure.
    /// (`--dry-run` prints the signed request and sends nothing.)
    #[command(disable_help_flag = true)]
    Mastercom {
        /// The operation (kebab-case, e.g. create-chargeback) and its flags.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Any signed Mastercom request (like `gh api`): METHOD PATH relative to the base URL;
    /// the response body on stdout, exit status as for `mastercom`.
    Api(api::ApiArgs),
}

/// What a subcommand reports on failure: one line for stderr.
type CliResult = Result<(), Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Mastercom { args } => return mastercom::run(args),
        Command::Api(args) => return api::run(&args),
        Command::Oauth1(command) => oauth1::run(command),
        Command::Jwe(command) => jwe::run(command).map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("mastercard: {error}");
            ExitCode::FAILURE
        }
    }
}
