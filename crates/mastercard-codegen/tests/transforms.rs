//! The transformations: each kind on a small spec, and the exact counts on the pinned specs
//! (the README's table quotes these numbers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use mastercard_codegen::transform::{self, Transform};
use mastercard_codegen::{CodegenError, parse_spec};
use serde_json::json;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pinned_spec(file: &str) -> serde_json::Value {
    parse_spec(&mastercard_testkit::spec_bytes(file)).unwrap()
}

fn counts(api: &str, file: &str) -> Vec<(&'static str, usize)> {
    let mut spec = pinned_spec(file);
    let transforms =
        transform::load(&workspace().join(format!("openapi/{api}.transforms.toml"))).unwrap();
    transform::apply(&mut spec, &transforms)
        .unwrap()
        .counts()
        .into_iter()
        .collect()
}

#[test]
fn mastercom_transformations_touch_the_documented_places() {
    assert_eq!(
        counts("mastercom", "mastercom-v6.yaml"),
        [
            ("add-error-responses", 20),
            ("hoist-enum", 1),
            ("relax-response-constraints", 22)
        ]
    );
}

#[test]
fn identity_insights_transformations_touch_the_documented_places() {
    assert_eq!(
        counts("identity-insights", "IIT-swagger-public.yaml"),
        [("make-nullable", 1), ("relax-response-constraints", 58)]
    );
}

fn small_spec() -> serde_json::Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingRequest"}}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
                }
            }
        },
        "components": {"schemas": {
            "ThingRequest": {"type": "object", "properties": {
                "code": {"type": "string", "maxLength": 3, "enum": ["*", "?"]},
                "shared": {"$ref": "#/components/schemas/Shared"}
            }},
            "Thing": {"type": "object", "additionalProperties": false, "properties": {
                "name": {"type": "string", "maxLength": 5},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "shared": {"$ref": "#/components/schemas/Shared"}
            }},
            "Shared": {"type": "object", "properties": {"id": {"type": "string", "maxLength": 2}}},
            "Errors": {"type": "object"}
        }}
    })
}

#[test]
fn relaxing_touches_only_schemas_that_appear_only_in_responses() {
    let mut spec = small_spec();
    let keywords = ["maxLength", "enum", "additionalProperties"]
        .map(str::to_owned)
        .to_vec();
    let report = transform::apply(
        &mut spec,
        &[Transform::RelaxResponseConstraints {
            why: String::new(),
            keywords,
        }],
    )
    .unwrap();

    let thing = &spec["components"]["schemas"]["Thing"];
    assert!(thing.get("additionalProperties").is_none());
    assert!(thing["properties"]["name"].get("maxLength").is_none());
    assert!(thing["properties"]["tags"]["items"].get("enum").is_none());
    // A map's value schema is not a constraint and stays.
    assert_eq!(
        thing["properties"]["labels"]["additionalProperties"],
        json!({"type": "string"})
    );
    // Request-side and shared schemas keep their validation.
    assert_eq!(
        spec["components"]["schemas"]["ThingRequest"]["properties"]["code"]["maxLength"],
        3
    );
    assert_eq!(
        spec["components"]["schemas"]["Shared"]["properties"]["id"]["maxLength"],
        2
    );
    assert_eq!(report.changes.len(), 3);
}

#[test]
fn hoisting_moves_the_enum_and_records_the_replacement() {
    let mut spec = small_spec();
    let pointer = "/components/schemas/ThingRequest/properties/code".to_owned();
    let report = transform::apply(
        &mut spec,
        &[Transform::HoistEnum {
            why: String::new(),
            pointer,
            schema: "Code".into(),
            rust_type: "crate::Code".into(),
        }],
    )
    .unwrap();
    assert_eq!(
        spec["components"]["schemas"]["ThingRequest"]["properties"]["code"],
        json!({"$ref": "#/components/schemas/Code"})
    );
    assert_eq!(
        spec["components"]["schemas"]["Code"]["enum"],
        json!(["*", "?"])
    );
    assert_eq!(
        report.replacements.get("Code").map(String::as_str),
        Some("crate::Code")
    );
}

#[test]
fn a_transformation_that_misses_its_target_is_an_error() {
    let cases = [
        Transform::HoistEnum {
            why: String::new(),
            pointer: "/components/schemas/Gone".into(),
            schema: "X".into(),
            rust_type: "X".into(),
        },
        Transform::AddErrorResponses {
            why: String::new(),
            operations: vec!["deletedUpstream".into()],
            statuses: vec!["400".into()],
            schema: "Errors".into(),
        },
        Transform::MakeNullable {
            why: String::new(),
            pointers: vec!["/components/schemas/Nope".into()],
        },
    ];
    for case in cases {
        let error = transform::apply(&mut small_spec(), std::slice::from_ref(&case)).unwrap_err();
        assert!(
            matches!(error, CodegenError::SpecShape { .. }),
            "{case:?} gave {error}"
        );
    }
}

#[test]
fn error_responses_are_added_only_where_missing() {
    let mut spec = small_spec();
    let transform = Transform::AddErrorResponses {
        why: String::new(),
        operations: vec!["createThing".into()],
        statuses: vec!["200".into(), "400".into()],
        schema: "Errors".into(),
    };
    let report = transform::apply(&mut spec, &[transform]).unwrap();
    assert_eq!(report.changes.len(), 1);
    assert_eq!(
        spec["paths"]["/things"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/Errors"
    );
    assert_eq!(
        spec["paths"]["/things"]["post"]["responses"]["200"]["description"],
        "ok"
    );
}
