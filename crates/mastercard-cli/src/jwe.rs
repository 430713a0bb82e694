//! `mastercard jwe …` (placeholder until the jwe crate lands).

use clap::Subcommand;

use crate::CliResult;

/// `mastercard jwe` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Not implemented yet.
    Todo,
}

/// Runs one `mastercard jwe` subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Todo => Err("not implemented yet".into()),
    }
}
