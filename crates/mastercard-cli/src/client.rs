//! The Mastercom client every calling subcommand (`mastercom <operation>`, `api`) uses: the same
//! configuration, the same async runtime, the same `--dry-run`.

use mastercom::{MastercomClient, MastercomClientBuilder};

use crate::dry_run::DryRun;

/// Options shared by the calling subcommands.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Print the signed request instead of sending it.
    pub dry_run: bool,
    /// With `dry_run`: print the body too.
    pub show_body: bool,
}

/// The client's configuration: the `MASTERCARD_*` variables.
pub fn builder() -> Result<MastercomClientBuilder, String> {
    MastercomClient::from_env().map_err(|error| error.to_string())
}

/// Builds the client; for a dry run, without the dispute-event guard and with `dry` as the last
/// request step (see [`crate::dry_run`]).
pub fn build(options: &CallOptions, dry: &DryRun) -> Result<MastercomClient, String> {
    let mut builder = builder()?;
    if options.dry_run {
        builder = builder
            .disable_dispute_event_guard()
            .with_middleware(dry.clone());
    }
    builder.build().map_err(|error| error.to_string())
}

/// A one-worker runtime: one call at a time, the SQLite ledger's waits off the main thread.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))
}
