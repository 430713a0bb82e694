//! `mastercard mastercom queue-walk`: every claim of a queue over a date range of any length,
//! through `mastercom::workflows::queue::QueueWalk` (`getQueueSummaryPost` in windows of at
//! most 5 days, each window's pages 1 to its `pageCount`, each claim once). The claims are
//! printed as one JSON array; progress (window, page, claims so far) goes to stderr only when
//! stderr is a terminal. A failing page prints the claims received before it and exits with
//! the failure's class.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command};
use mastercom::MastercomClient;
use mastercom::workflows::Minute;
use mastercom::workflows::queue::{QueueFailure, QueueProgress, QueueWalk};

use crate::exit::{EXIT_SERVER, EXIT_USAGE, exit_status};

/// The subcommand's name.
pub const NAME: &str = "queue-walk";

/// The subcommand and its flags.
pub fn command() -> Command {
    let minute = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("yyyy-MM-ddTHH:mm")
            .required(true)
            .help(help)
    };
    Command::new(NAME)
        .about(
            "Every claim of a queue over a date range of any length (getQueueSummaryPost, \
             <= 5-day windows, all pages), as one JSON array",
        )
        .arg(
            Arg::new("queue-name")
                .long("queue-name")
                .value_name("NAME")
                .required(true)
                .help("the queue, e.g. Unworked (see get-queues)"),
        )
        .arg(minute(
            "from",
            "first minute of the last-modified range (UTC)",
        ))
        .arg(minute("to", "last minute of the range, inclusive (UTC)"))
}

/// The range flags, or a usage message.
fn range(matches: &ArgMatches) -> Result<(String, Minute, Minute), String> {
    let text = |name: &str| {
        matches
            .get_one::<String>(name)
            .cloned()
            .ok_or_else(|| format!("--{name} is required"))
    };
    let minute = |name: &str| -> Result<Minute, String> {
        text(name)?
            .parse()
            .map_err(|error| format!("--{name}: {error}"))
    };
    Ok((text("queue-name")?, minute("from")?, minute("to")?))
}

/// Walks the queue and prints the claims.
pub async fn run(client: &MastercomClient, matches: &ArgMatches) -> ExitCode {
    let (queue, from, to) = match range(matches) {
        Ok(range) => range,
        Err(message) => {
            eprintln!("mastercard mastercom {NAME}: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut walk = match QueueWalk::new(client, queue, from, to) {
        Ok(walk) => walk,
        Err(error) => {
            eprintln!("mastercard mastercom {NAME}: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let terminal = std::io::stderr().is_terminal();
    if terminal {
        walk = walk.on_progress(|p: &QueueProgress| {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r{NAME}: window {}/{}, page {}/{}, {} claims",
                p.window, p.windows, p.page, p.pages, p.claims
            );
            let _ = err.flush();
        });
    }
    let outcome = walk.collect().await;
    if terminal {
        eprintln!();
    }
    let (claims, failure) = match outcome {
        Ok(claims) => (claims, None),
        Err(partial) => (partial.claims, Some(partial.error)),
    };
    let printed = serde_json::to_string_pretty(&claims).map(|text| println!("{text}"));
    match (failure, printed) {
        (None, Ok(())) => ExitCode::SUCCESS,
        (None, Err(error)) => {
            eprintln!("mastercard mastercom {NAME}: {error}");
            ExitCode::from(EXIT_SERVER)
        }
        (Some(error), _) => {
            eprintln!("mastercard mastercom {NAME}: {error}");
            ExitCode::from(match &error.failure {
                QueueFailure::Call(call) => exit_status(call),
                _ => EXIT_SERVER,
            })
        }
    }
}
