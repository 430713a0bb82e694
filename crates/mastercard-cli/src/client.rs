//! The Mastercom client every calling subcommand (`mastercom <operation>`, `api`) uses: the same
//! configuration, the same async runtime, the same `--dry-run`.

use mastercom::{BuildError, MastercomClient, MastercomClientBuilder};

use crate::dry_run::DryRun;
use crate::profile::{self, ConfigArgs, Source};

/// Options shared by the calling subcommands.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Print the signed request instead of sending it.
    pub dry_run: bool,
    /// With `dry_run`: print the body too.
    pub show_body: bool,
}

/// The client's configuration: flags, then the `MASTERCARD_*` variables, then the profile
/// (see [`crate::profile`]). Errors name the flag, variable or file and key at fault.
pub fn builder(config: &ConfigArgs) -> Result<MastercomClientBuilder, String> {
    let settings = profile::settings(config).map_err(|error| error.to_string())?;
    MastercomClient::from_vars(|name| settings.get(name)).map_err(|error| match &error {
        BuildError::Environment { name, reason } => match settings.source(name) {
            Some(Source::Profile { path, profile, key }) => {
                format!("{} [profiles.{profile}] {key}: {reason}", path.display())
            }
            Some(Source::Flag) => format!(
                "--{}: {reason}",
                name.trim_start_matches("MASTERCARD_")
                    .to_ascii_lowercase()
                    .replace('_', "-")
            ),
            _ => error.to_string(),
        },
        _ => error.to_string(),
    })
}

/// Builds the client; for a dry run, without the dispute-event guard and with `dry` as the last
/// request step (see [`crate::dry_run`]).
pub fn build(
    options: &CallOptions,
    config: &ConfigArgs,
    dry: &DryRun,
) -> Result<MastercomClient, String> {
    let mut builder = builder(config)?;
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
