//! A user middleware that records, in order, every step it is shown: `on_request`, each
//! `on_attempt`, `on_outcome` and `on_response`. What a step says about the request or response
//! is the test's choice (signed? encrypted?), so each client proves its own documented order.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use mastercard_transport::{CallContext, Middleware, MiddlewareError, Outcome};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

type DescribeRequest = dyn Fn(&reqwest::Request, &CallContext) -> String + Send + Sync;
type DescribeResponse = dyn Fn(StatusCode, &Bytes) -> String + Send + Sync;

/// The recording middleware; clones share one record.
#[derive(Clone)]
pub struct Recorder {
    events: Arc<Mutex<Vec<String>>>,
    request: Arc<DescribeRequest>,
    response: Arc<DescribeResponse>,
}

impl Recorder {
    /// Records `request(…)` for `on_request`, `attempt <status|failed>` and
    /// `outcome <status|failed>`, and `response(…)` for `on_response`.
    pub fn new(
        request: impl Fn(&reqwest::Request, &CallContext) -> String + Send + Sync + 'static,
        response: impl Fn(StatusCode, &Bytes) -> String + Send + Sync + 'static,
    ) -> Self {
        Self {
            events: Arc::default(),
            request: Arc::new(request),
            response: Arc::new(response),
        }
    }

    /// What was recorded so far.
    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    fn push(&self, event: String) {
        self.events.lock().unwrap().push(event);
    }
}

fn outcome(outcome: &Outcome<'_>) -> String {
    match outcome {
        Outcome::Response { status, .. } => status.as_u16().to_string(),
        Outcome::Failed(_) => "failed".into(),
    }
}

impl Middleware for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    fn on_request(
        &self,
        request: &mut reqwest::Request,
        call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        self.push((self.request)(request, call));
        Ok(())
    }
    fn on_attempt(&self, _: &reqwest::Request, result: &Outcome<'_>, _: &CallContext) {
        self.push(format!("attempt {}", outcome(result)));
    }
    fn on_outcome(&self, _: &reqwest::Request, result: &Outcome<'_>, _: &CallContext) {
        self.push(format!("outcome {}", outcome(result)));
    }
    fn on_response(
        &self,
        status: StatusCode,
        _: &mut HeaderMap,
        body: Bytes,
        _: &CallContext,
    ) -> Result<Bytes, MiddlewareError> {
        self.push((self.response)(status, &body));
        Ok(body)
    }
}
