//! `mastercard`: the command line a user reaches for when Mastercard's gateway rejects a request.
//!
//! Every subcommand prints only its result on stdout (a header, a base string, a JSON document or a
//! fingerprint) so it composes with shell pipes; failures print one line on stderr and exit non-zero.

mod jwe;
mod oauth1;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Offline tools for Mastercard API authentication and payload encryption.
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
}

/// What a subcommand reports on failure: one line for stderr.
type CliResult = Result<(), Box<dyn std::error::Error>>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
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
