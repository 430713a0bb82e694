//! [`MastercomClient`]: a generated [`crate::Client`] wired to an environment, OAuth1 signing,
//! timeouts, safe retries, tracing and the dispute-event guard. Its builder is in `builder.rs`,
//! `from_env` in `env.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mastercard_transport::{CallContext, ClientCore};

/// A ready-to-use Mastercom client: all 52 operations are methods (generated from the spec)
/// that return [`crate::Error`]: `client.get_claim_detail("…").await?`.
#[derive(Clone)]
pub struct MastercomClient {
    core: ClientCore,
    guard_enabled: bool,
}

impl MastercomClient {
    /// The client the builder assembled.
    pub(crate) fn from_parts(core: ClientCore, guard_enabled: bool) -> Self {
        Self {
            core,
            guard_enabled,
        }
    }

    /// The generated client with all 52 operations, for advanced use: its methods return
    /// progenitor's values and errors, with the same middleware (signing, guard) but without
    /// the typed call context.
    pub fn api(&self) -> crate::Client {
        crate::Client::new_with_client(
            self.core.base_url(),
            self.core.http().clone(),
            self.core.transport().clone(),
        )
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.core.base_url()
    }

    /// Whether the dispute-event guard is on.
    pub fn guard_enabled(&self) -> bool {
        self.guard_enabled
    }

    /// The same client whose calls end within `timeout` (retries and their waits included),
    /// whatever the operation's default: `client.with_timeout(d).get_claim_detail(..)`.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            core: self.core.with_call_timeout(timeout),
            guard_enabled: self.guard_enabled,
        }
    }

    /// The client core (base URL, HTTP client, middleware stack): raw requests go through it.
    pub(crate) fn core(&self) -> &ClientCore {
        &self.core
    }

    /// Opens one call: its typed context and a generated client whose hooks carry it. Used by
    /// the generated typed methods.
    pub(crate) fn begin_call(&self, operation: &'static str) -> (Arc<CallContext>, crate::Client) {
        let (call, transport) = self.core.begin(operation);
        let api = crate::Client::new_with_client(
            self.core.base_url(),
            self.core.http().clone(),
            transport,
        );
        (call, api)
    }
}

impl fmt::Debug for MastercomClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MastercomClient")
            .field("base_url", &self.core.base_url())
            .field("guard_enabled", &self.guard_enabled)
            .finish_non_exhaustive()
    }
}
