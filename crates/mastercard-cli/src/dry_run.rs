//! `--dry-run`: the request exactly as the client would send it, signed, and nothing sent.
//!
//! The real pipeline runs (the typed call or the raw request, OAuth1 signing of the final bytes)
//! with one more middleware at the end of the request steps: it copies the signed request and
//! the base string the signing step recorded in the call's context, then refuses, so the
//! transport never opens a connection. The dispute-event guard is left out of a dry run: it
//! reserves the event before the later steps run, and a refusal after it would leave the event
//! reserved (in flight) in the shared ledger, blocking the real call for the guard's one-hour
//! window. A dry run therefore does not say whether the guard would let the call through.
//!
//! The HTTP client adds, when sending, the headers it owns: `host`, `content-length` and the
//! client's `user-agent`; they are not part of the signature.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use mastercard_transport::{CallContext, Middleware, MiddlewareError};

/// The signed request, as captured before sending.
#[derive(Debug, Clone)]
pub struct Captured {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    base_string: Option<String>,
    body: Option<Vec<u8>>,
}

/// Why the dry run stopped the call (the call's error `source`).
#[derive(Debug)]
struct DryRunStop;

impl std::fmt::Display for DryRunStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dry run: the request was not sent")
    }
}

impl std::error::Error for DryRunStop {}

/// The capturing middleware; clones share the capture.
#[derive(Clone, Default)]
pub struct DryRun {
    captured: Arc<Mutex<Option<Captured>>>,
}

impl DryRun {
    /// The request captured, if the call reached the end of the request steps.
    pub fn take(&self) -> Option<Captured> {
        self.captured
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

impl Middleware for DryRun {
    fn name(&self) -> &'static str {
        "dry-run"
    }

    fn on_request(
        &self,
        request: &mut reqwest::Request,
        call: &CallContext,
    ) -> Result<(), MiddlewareError> {
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let captured = Captured {
            method: request.method().as_str().to_owned(),
            url: request.url().as_str().to_owned(),
            headers,
            base_string: call.observed().signed_base_string,
            body: request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(<[u8]>::to_vec),
        };
        *self.captured.lock().unwrap_or_else(PoisonError::into_inner) = Some(captured);
        Err(MiddlewareError::refused(DryRunStop))
    }
}

impl Captured {
    /// Prints the request: the request line, the headers, a blank line, the signature base
    /// string, then the body's size — and the body itself only with `show_body` (it may carry
    /// card numbers).
    pub fn print(&self, show_body: bool, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(out, "{name}: {value}")?;
        }
        writeln!(out)?;
        writeln!(out, "# signature base string")?;
        writeln!(
            out,
            "{}",
            self.base_string.as_deref().unwrap_or("(not signed)")
        )?;
        match (&self.body, show_body) {
            (None, _) => writeln!(out, "# no body")?,
            (Some(body), false) => writeln!(
                out,
                "# body: {} bytes, not shown (it may contain card numbers; --show-body prints it)",
                body.len()
            )?,
            (Some(body), true) => {
                writeln!(out, "# body: {} bytes", body.len())?;
                out.write_all(body)?;
                writeln!(out)?;
            }
        }
        writeln!(
            out,
            "# not sent (dry run); the HTTP client adds host, content-length and user-agent when sending"
        )
    }
}
