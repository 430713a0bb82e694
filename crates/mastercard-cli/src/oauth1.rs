//! `mastercard oauth1 …` (placeholder until the oauth1 crate lands).

use clap::Subcommand;

use crate::CliResult;

/// `mastercard oauth1` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Not implemented yet.
    Todo,
}

/// Runs one `mastercard oauth1` subcommand.
pub fn run(command: Command) -> CliResult {
    match command {
        Command::Todo => Err("not implemented yet".into()),
    }
}
