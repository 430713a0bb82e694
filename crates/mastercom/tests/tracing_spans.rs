#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Each call gets a `mastercard.call` span with operation, method, path template, status,
//! attempts, duration and correlation id — and nothing from the path ids, bodies or keys.

mod support;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use serde_json::json;
use support::SignedServer;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

type Fields = BTreeMap<String, String>;

#[derive(Default, Clone)]
struct Recorder {
    spans: Arc<Mutex<Vec<(String, Fields)>>>,
    events: Arc<Mutex<Vec<Fields>>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        attributes.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attributes.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let index = usize::try_from(span.into_u64()).unwrap() - 1;
        values.record(&mut Collect(&mut spans[index].1));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::new();
        event.record(&mut Collect(&mut fields));
        self.events.lock().unwrap().push(fields);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn calls_are_traced_without_ids_bodies_or_keys() {
    let server = SignedServer::start(|_, _| {
        ResponseTemplate::new(200)
            .insert_header("correlation-id", "corr-xyz")
            .set_body_json(json!({"chargebackId": "300018439680"}))
    })
    .await;
    let client = server.builder().build().unwrap();
    let recorder = Recorder::default();
    let _default = tracing::subscriber::set_default(recorder.clone());

    let _ = client.get_claim_detail(CLAIM).await;
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");
    client.create_chargeback(CLAIM, &body).await.unwrap();

    let spans = recorder.spans.lock().unwrap().clone();
    let calls: Vec<_> = spans
        .iter()
        .filter(|(name, _)| name == "mastercard.call")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(calls.len(), 2);
    let get = calls[0];
    assert_eq!(get["operation"], "get_claim_detail");
    assert_eq!(get["method"], "GET");
    assert_eq!(get["path"], "/v6/claims/{claim-id}");
    assert_eq!(get["status"], "200");
    assert_eq!(get["attempts"], "1");
    assert_eq!(get["correlation_id"], "corr-xyz");
    assert!(get.contains_key("duration_ms"));
    assert_eq!(calls[1]["path"], "/v6/claims/{claim-id}/chargebacks");

    let everything = format!("{spans:?} {:?}", recorder.events.lock().unwrap());
    for secret in [
        CLAIM,
        "chargebackType",
        "4853",
        "oauth_signature",
        "PRIVATE KEY",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked: {everything}"
        );
    }
}
