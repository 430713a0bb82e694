//! The surface snapshot lists the spec's `servers`, so an upstream host change is a drift.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use mastercard_codegen::{parse_spec, surface};

/// A one-operation spec whose `servers` block is `servers` (YAML, already indented).
fn spec(servers: &str) -> serde_json::Value {
    let yaml = format!(
        "openapi: 3.0.1
info:
  title: Tiny
  version: 1.0.0
servers:
{servers}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
"
    );
    parse_spec(yaml.as_bytes()).unwrap()
}

const TWO: &str = "  - url: https://api.example.test/tiny
    description: Production
  - url: https://sandbox.api.example.test/tiny
";

#[test]
fn servers_are_listed_in_spec_order_with_their_descriptions() {
    let rendered = surface::render(&spec(TWO));
    let section = rendered
        .split("## Servers\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap();
    assert_eq!(
        section.lines().collect::<Vec<_>>(),
        [
            "  https://api.example.test/tiny — Production",
            "  https://sandbox.api.example.test/tiny",
        ]
    );
}

#[test]
fn a_changed_server_url_changes_the_surface() {
    let before = surface::render(&spec(TWO));
    let moved = TWO.replace("sandbox.api.example.test", "sandbox.api.example.test:8443");
    let after = surface::render(&spec(&moved));
    assert_ne!(before, after);
    assert!(
        after.contains("https://sandbox.api.example.test:8443/tiny"),
        "{after}"
    );
}

#[test]
fn a_changed_description_or_order_changes_the_surface() {
    let before = surface::render(&spec(TWO));
    let described = TWO.replace("Production", "Production (US)");
    assert_ne!(before, surface::render(&spec(&described)));
    let reordered = "  - url: https://sandbox.api.example.test/tiny
  - url: https://api.example.test/tiny
    description: Production
";
    assert_ne!(before, surface::render(&spec(reordered)));
}
