//! The typed context of one call: what the transport and the middleware observed and decided,
//! from the method the caller invoked to the wire and back.
//!
//! progenitor's hooks can only fail with `Error::Custom(String)` (`pre`, `post`) or a
//! `reqwest::Error` (`exec`). Instead of encoding decisions into those strings, every step writes
//! its typed outcome here; the client's typed method reads it back when the generated call
//! returns ([`CallError::from_call`](crate::CallError::from_call)). The context reaches the hooks
//! as part of the generated client's inner value ([`Transport::for_call`](crate::Transport::for_call)),
//! so nothing is global or task-local.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

/// A boxed error that can cross threads: what a middleware's refusal or failure carries, and
/// the `source` of a [`CallError`](crate::CallError).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where in the call a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before anything was sent.
    Request,
    /// After a response arrived.
    Response,
}

/// What went wrong, as a typed value.
#[derive(Debug)]
pub enum Problem {
    /// A middleware refused on purpose (a policy said no); nothing was sent.
    Refused(BoxError),
    /// A middleware could not do its job (signing, encryption, decryption failed).
    Failed(BoxError),
    /// The server answered with a redirect, which is never followed.
    Redirect {
        /// The 3xx status.
        status: StatusCode,
        /// Its `Location`, if printable.
        location: Option<String>,
    },
    /// The response body is larger than `limit` bytes.
    TooLarge {
        /// The cap in force.
        limit: usize,
    },
}

/// A failure recorded by a step of the call.
#[derive(Debug)]
pub struct Failure {
    /// Request or response side.
    pub stage: Stage,
    /// The step that recorded it: a middleware's name or `transport`.
    pub step: &'static str,
    /// What happened.
    pub problem: Problem,
}

/// What a finished call observed of the response.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The status of the last response, once one arrived.
    pub status: Option<StatusCode>,
    /// Its correlation id.
    pub correlation_id: Option<String>,
    /// The body of an error response as received (capped).
    pub raw_error_body: Option<Bytes>,
    /// Attempts made (1 without retries; 0 when nothing was sent).
    pub attempts: u32,
    /// The OAuth1 signature base string of the last attempt signed, as the signing step
    /// computed it (recorded by [`OAuth1Signing`](crate::OAuth1Signing)); compared with the
    /// gateway's "acceptable signature base string" when a signature is refused.
    pub signed_base_string: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    observed: Observed,
    failure: Option<Failure>,
}

/// The typed record of one call, shared by every step of that call.
#[derive(Debug)]
pub struct CallContext {
    operation: &'static str,
    timeout: Option<Duration>,
    state: Mutex<State>,
}

impl CallContext {
    /// A context for one call of `operation` (the generated method name).
    pub fn new(operation: &'static str) -> Self {
        Self {
            operation,
            timeout: None,
            state: Mutex::new(State::default()),
        }
    }

    /// Overrides the call's deadline (retries and their waits included).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The generated method name of the operation.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The per-call deadline override, if any.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    // A poisoned lock only means another step panicked while holding it; the record itself is
    // plain data and still usable.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records that a response with `status` arrived.
    pub fn record_response(&self, status: StatusCode, correlation_id: Option<&str>) {
        let mut state = self.state();
        state.observed.status = Some(status);
        state.observed.correlation_id = correlation_id.map(str::to_owned);
    }

    /// Records the body of an error response, as received.
    pub fn record_error_body(&self, body: Bytes) {
        self.state().observed.raw_error_body = Some(body);
    }

    /// Records the signature base string the request was signed over (each attempt replaces
    /// the previous one: every attempt is signed afresh).
    pub fn record_signed_base_string(&self, base_string: String) {
        self.state().observed.signed_base_string = Some(base_string);
    }

    /// Records that attempt number `attempt` is being sent.
    pub fn record_attempt(&self, attempt: u32) {
        self.state().observed.attempts = attempt;
    }

    /// Records a failure; the first one recorded wins (later ones are consequences).
    pub fn fail(&self, stage: Stage, step: &'static str, problem: Problem) {
        let mut state = self.state();
        if state.failure.is_none() {
            state.failure = Some(Failure {
                stage,
                step,
                problem,
            });
        }
    }

    /// Whether a step recorded a failure.
    pub fn has_failure(&self) -> bool {
        self.state().failure.is_some()
    }

    /// Takes the recorded failure out of the context.
    pub fn take_failure(&self) -> Option<Failure> {
        self.state().failure.take()
    }

    /// A copy of what was observed of the response.
    pub fn observed(&self) -> Observed {
        self.state().observed.clone()
    }
}
