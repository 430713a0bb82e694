//! `mastercard mastercom <operation>`: any Mastercom operation from the shell, through the typed
//! client. One subcommand per operation of the generated dispatch table (kebab-case method names:
//! `create-chargeback`), path and query parameters as flags (`--claim-id 123`), the request body
//! from a file or stdin (`--body chargeback.json`, `--body -`). The typed answer is printed as
//! JSON on stdout; errors go to stderr and the exit status says their class:
//!
//! | status | meaning |
//! |---|---|
//! | 0 | the operation succeeded |
//! | 2 | the command line is wrong (unknown flag, missing parameter or body); nothing was sent |
//! | 3 | Mastercard rejected the request (4xx) |
//! | 4 | nothing was sent (the dispute-event guard refused, no connection, bad credentials) |
//! | 5 | unknown: the request may have reached Mastercard (timeout, connection lost) |
//! | 6 | Mastercard failed (5xx) or answered something the spec does not allow |
//!
//! Credentials and the dispute-event ledger come from the same variables as
//! `MastercomClient::from_env` (`MASTERCARD_CONSUMER_KEY`, `MASTERCARD_SIGNING_KEY_PATH`,
//! `MASTERCARD_SIGNING_KEY_PASSWORD`, `MASTERCARD_SIGNATURE_METHOD`, `MASTERCARD_ENVIRONMENT`,
//! `MASTERCOM_LEDGER_PATH`, …).

use std::io::Read;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Args, Command, FromArgMatches};
use mastercard_transport::{Arguments, Dispatched};

use crate::chunked::{self, ChunkFailure};
use crate::client::{self, CallOptions};
use crate::dry_run::DryRun;
use crate::exit::{EXIT_NOT_SENT, EXIT_SERVER, EXIT_USAGE, exit_status};
use crate::profile::ConfigArgs;

/// The `mastercom` command with one subcommand per operation, built from the dispatch table.
fn command() -> Command {
    let command = Command::new("mastercom")
        .bin_name("mastercard mastercom")
        .about("Call any Mastercom operation through the typed client (JSON answer on stdout)")
        .subcommand_required(true)
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .global(true)
                .action(ArgAction::SetTrue)
                .help(
                    "print the signed request (method, URL, headers, base string) and send nothing",
                ),
        )
        .arg(
            Arg::new("show-body")
                .long("show-body")
                .global(true)
                .action(ArgAction::SetTrue)
                .requires("dry-run")
                .help("with --dry-run: print the body too (it may contain card numbers)"),
        );
    let mut command = ConfigArgs::augment_args(command);
    command = command.subcommand(crate::queue_walk::command());
    for signature in mastercom::DISPATCH_TABLE {
        let mut sub = Command::new(signature.operation.replace('_', "-"));
        for (parameter, required) in signature.parameters.iter().zip(signature.required) {
            sub = sub.arg(
                Arg::new(*parameter)
                    .long(parameter.replace('_', "-"))
                    .value_name("VALUE")
                    .required(*required),
            );
        }
        if signature.body {
            sub = sub.arg(
                Arg::new("body")
                    .long("body")
                    .value_name("FILE")
                    .required(true)
                    .action(ArgAction::Set)
                    .help("the JSON request body: a file, or - for stdin"),
            );
        }
        command = command.subcommand(sub);
    }
    command
}

/// Parses `args` (everything after `mastercom`), makes the call and prints the outcome.
pub fn run(args: Vec<String>) -> ExitCode {
    let matches =
        match command().try_get_matches_from(std::iter::once("mastercom".to_owned()).chain(args)) {
            Ok(matches) => matches,
            Err(error) => {
                let _ = error.print();
                return if error.use_stderr() {
                    ExitCode::from(EXIT_USAGE)
                } else {
                    ExitCode::SUCCESS
                };
            }
        };
    let Some((name, sub)) = matches.subcommand() else {
        return ExitCode::from(EXIT_USAGE);
    };
    if name == crate::queue_walk::NAME {
        return walk_queue(sub);
    }
    let operation = name.replace('-', "_");
    let Some(signature) = mastercom::DISPATCH_TABLE
        .iter()
        .find(|signature| signature.operation == operation)
    else {
        return ExitCode::from(EXIT_USAGE);
    };
    let mut arguments = Arguments::new();
    for parameter in signature.parameters {
        if let Some(value) = sub.get_one::<String>(parameter) {
            arguments = arguments.parameter(parameter, value.clone());
        }
    }
    if signature.body {
        let source = sub.get_one::<String>("body").map_or("-", String::as_str);
        match read_body(source) {
            Ok(body) => arguments = arguments.body(body),
            Err(message) => {
                eprintln!("mastercard mastercom {name}: {message}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let options = CallOptions {
        dry_run: sub.get_flag("dry-run"),
        show_body: sub.get_flag("show-body"),
    };
    let (config, runtime) = match configuration_and_runtime(sub, name) {
        Ok(ready) => ready,
        Err(status) => return status,
    };
    runtime.block_on(call(name, &operation, &arguments, &options, &config))
}

/// What every `mastercom` subcommand needs before it calls: its configuration flags (usage
/// error: exit 2) and a runtime (nothing sent: exit 4).
fn configuration_and_runtime(
    sub: &clap::ArgMatches,
    name: &str,
) -> Result<(ConfigArgs, tokio::runtime::Runtime), ExitCode> {
    let config = ConfigArgs::from_arg_matches(sub).map_err(|error| {
        let _ = error.print();
        ExitCode::from(EXIT_USAGE)
    })?;
    let runtime = client::runtime().map_err(|error| {
        eprintln!("mastercard mastercom {name}: {error}");
        ExitCode::from(EXIT_NOT_SENT)
    })?;
    Ok((config, runtime))
}

async fn call(
    name: &str,
    operation: &str,
    arguments: &Arguments,
    options: &CallOptions,
    config: &ConfigArgs,
) -> ExitCode {
    let dry = DryRun::default();
    let client = match client::build(options, config, &dry) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("mastercard mastercom {name}: {error}");
            return ExitCode::from(EXIT_NOT_SENT);
        }
    };
    if !options.dry_run && chunked::is_chunked(operation) {
        return match chunked::run(&client, name, operation, arguments).await {
            Ok(value) => print_json(name, &value),
            Err(ChunkFailure::Arguments(error)) => {
                eprintln!("mastercard mastercom {name}: {error}");
                ExitCode::from(EXIT_USAGE)
            }
            Err(ChunkFailure::Call {
                done,
                error,
                message,
            }) => {
                if let Some(done) = done {
                    let _ = print_json(name, &done);
                }
                eprintln!("mastercard mastercom {name}: {message}");
                ExitCode::from(exit_status(&error))
            }
        };
    }
    let outcome = client.dispatch_json(operation, arguments).await;
    if options.dry_run {
        return print_dry_run(
            &format!("mastercom {name}"),
            &dry,
            options.show_body,
            outcome.err(),
        );
    }
    match outcome {
        Ok(value) => print_json(name, &value),
        Err(Dispatched::Arguments(error)) => {
            eprintln!("mastercard mastercom {name}: {error}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(Dispatched::Call(error)) => {
            eprintln!("mastercard mastercom {name}: {error}");
            ExitCode::from(exit_status(&error))
        }
    }
}

/// `queue-walk`: several calls, so no dry run.
fn walk_queue(sub: &clap::ArgMatches) -> ExitCode {
    let name = crate::queue_walk::NAME;
    if sub.get_flag("dry-run") {
        eprintln!(
            "mastercard mastercom {name}: --dry-run shows one request; the walk makes several (try \
             get-queue-summary-post --dry-run)"
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let (config, runtime) = match configuration_and_runtime(sub, name) {
        Ok(ready) => ready,
        Err(status) => return status,
    };
    runtime.block_on(async {
        match client::build(&CallOptions::default(), &config, &DryRun::default()) {
            Ok(client) => crate::queue_walk::run(&client, sub).await,
            Err(error) => {
                eprintln!("mastercard mastercom {name}: {error}");
                ExitCode::from(EXIT_NOT_SENT)
            }
        }
    })
}

/// Prints an answer as JSON on stdout.
fn print_json(name: &str, value: &serde_json::Value) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("mastercard mastercom {name}: {error}");
            ExitCode::from(EXIT_SERVER)
        }
    }
}

/// Prints what the dry run captured (exit 0), or why the call stopped before the dry-run step.
pub fn print_dry_run(
    command: &str,
    dry: &DryRun,
    show_body: bool,
    error: Option<Dispatched<mastercom::Error>>,
) -> ExitCode {
    if let Some(captured) = dry.take() {
        let mut out = std::io::stdout().lock();
        return match captured.print(show_body, &mut out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("mastercard {command}: {error}");
                ExitCode::from(EXIT_NOT_SENT)
            }
        };
    }
    match error {
        Some(Dispatched::Arguments(error)) => {
            eprintln!("mastercard {command}: {error}");
            ExitCode::from(EXIT_USAGE)
        }
        Some(Dispatched::Call(error)) => {
            eprintln!("mastercard {command}: {error}");
            ExitCode::from(exit_status(&error))
        }
        None => {
            eprintln!("mastercard {command}: the dry run saw no request");
            ExitCode::from(EXIT_NOT_SENT)
        }
    }
}

fn read_body(source: &str) -> Result<serde_json::Value, String> {
    let bytes = read_bytes(source)?;
    serde_json::from_slice(&bytes)
        .map_err(|error| format!("the body {source} is not JSON: {error}"))
}

/// The bytes of a body argument: a file, or `-` for stdin.
pub fn read_bytes(source: &str) -> Result<Vec<u8>, String> {
    let bytes = if source == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|error| format!("cannot read the body from stdin: {error}"))?;
        bytes
    } else {
        std::fs::read(source).map_err(|error| format!("cannot read the body {source}: {error}"))?
    };
    Ok(bytes)
}
