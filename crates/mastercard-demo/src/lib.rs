//! The workspace's main job (`cargo xtask demo`): a full Mastercom dispute lifecycle and one
//! Identity Insights call, through the ready-to-use clients, printing one line per call.
//!
//! | module | concern |
//! |---|---|
//! | [`target`] | which servers: the embedded sandbox, or Mastercard's with credentials from the environment |
//! | [`lifecycle`] | the Mastercom walk (search → claim → retrieval → chargeback → duplicate refused → second presentment → case → queues → acknowledgement) |
//! | [`insights`] | the Identity Insights call |
//! | [`trace`] | the printed trace and the recorded steps |
//!
//! The binary (`src/main.rs`) starts the sandbox and runs [`run`]; the integration test runs the
//! same function against an in-process sandbox and checks every step.

pub mod insights;
pub mod lifecycle;
pub mod target;
pub mod trace;

use std::fmt::Display;

pub use target::Target;
pub use trace::{Outcome, Step, Trace};

/// Why the demo stopped. The step that failed has been printed already.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A client or the sandbox could not be set up; nothing was sent.
    #[error("cannot set up {what}: {reason}")]
    Setup {
        /// What could not be set up.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A Mastercom call failed.
    #[error("{operation} failed: {source}")]
    Mastercom {
        /// The spec's `operationId`.
        operation: &'static str,
        /// The typed client error (says whether the request may have been sent).
        source: Box<mastercom::Error>,
    },
    /// The Identity Insights call failed.
    #[error("retrieveTransactionInsights failed: {0}")]
    Insights(Box<identity_insights::Error>),
    /// A call succeeded but its answer lacks what the next step needs.
    #[error("{operation}: {what}")]
    Unexpected {
        /// The spec's `operationId`.
        operation: &'static str,
        /// What was missing or wrong.
        what: &'static str,
    },
    /// A request body written in the demo does not fit the generated type (a bug in the demo
    /// after a spec change: run `cargo xtask regen` and update the body).
    #[error("a demo request body does not match the spec: {0}")]
    RequestBody(serde_json::Error),
}

impl DemoError {
    pub(crate) fn setup(what: &'static str, reason: impl Display) -> Self {
        Self::Setup {
            what,
            reason: reason.to_string(),
        }
    }

    pub(crate) fn unexpected(operation: &'static str, what: &'static str) -> Self {
        Self::Unexpected { operation, what }
    }
}

/// What one run of the demo did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The Mastercom walk.
    pub lifecycle: lifecycle::Lifecycle,
    /// The Identity Insights call, when the target has a client for it.
    pub insights: Option<insights::Insights>,
}

/// Runs the walk and the Identity Insights call against `target`, recording into `trace`.
pub async fn run(target: &Target, trace: &mut Trace) -> Result<Report, DemoError> {
    trace.note(&format!(
        "Mastercom dispute lifecycle against {}",
        target.description
    ));
    let lifecycle = lifecycle::walk(&target.mastercom, trace).await?;
    let insights = match &target.insights {
        Some(client) => {
            trace.note("Identity Insights for Transactions (mTLS + JWE)");
            Some(insights::retrieve(client, trace).await?)
        }
        None => {
            trace.note(
                "Identity Insights skipped: set MASTERCARD_IIT_CLIENT_P12 (and the other \
                 MASTERCARD_IIT_* variables) to include it",
            );
            None
        }
    };
    Ok(Report {
        lifecycle,
        insights,
    })
}
