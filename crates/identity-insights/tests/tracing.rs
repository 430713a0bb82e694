#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! One `tracing` span per call with operation, path template, status, duration and correlation
//! id — and nothing from the bodies.

mod support;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use support::{CORRELATION_ID, Pki, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Field names and values, as text.
type FieldList = Vec<(String, String)>;

/// Every span (name and fields) and event field, as text.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(String, FieldList)>>>,
    metadata: Arc<Mutex<Vec<&'static Metadata<'static>>>>,
    /// Entered spans, innermost last (the test runs on one thread).
    stack: Arc<Mutex<Vec<Id>>>,
    events: Arc<Mutex<FieldList>>,
}

struct Fields<'a>(&'a mut FieldList);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut spans = self.spans.lock().unwrap();
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        spans.push((span.metadata().name().to_owned(), fields));
        self.metadata.lock().unwrap().push(span.metadata());
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let index = usize::try_from(span.into_u64()).unwrap() - 1;
        values.record(&mut Fields(&mut spans[index].1));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(&mut self.events.lock().unwrap()));
    }
    fn enter(&self, span: &Id) {
        self.stack.lock().unwrap().push(span.clone());
    }
    fn exit(&self, _: &Id) {
        self.stack.lock().unwrap().pop();
    }
    // `Span::current()` (which the transport records status into) asks the subscriber.
    fn current_span(&self) -> tracing_core::span::Current {
        match self.stack.lock().unwrap().last() {
            Some(id) => {
                let index = usize::try_from(id.into_u64()).unwrap() - 1;
                tracing_core::span::Current::new(id.clone(), self.metadata.lock().unwrap()[index])
            }
            None => tracing_core::span::Current::none(),
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_span_per_call_without_bodies() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = pki.builder(&server).build().unwrap();
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    support::call(&client).await.unwrap();

    let spans = capture.spans.lock().unwrap().clone();
    let calls: Vec<_> = spans
        .iter()
        .filter(|(name, _)| name == "mastercard.call")
        .collect();
    assert_eq!(calls.len(), 1, "{spans:?}");
    let field = |name: &str| {
        calls[0]
            .1
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(
        field("operation").as_deref(),
        Some("retrieve_transaction_insights")
    );
    assert_eq!(field("path").as_deref(), Some("/transactions"));
    assert_eq!(field("status").as_deref(), Some("200"));
    assert_eq!(field("correlation_id").as_deref(), Some(CORRELATION_ID));
    assert!(field("duration_ms").is_some());

    let everything = format!("{spans:?} {:?}", capture.events.lock().unwrap());
    for secret in [
        "Acme",
        "12345",
        "encryptedData",
        "Chrome",
        "Invalid username",
    ] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}
