//! Checks a response body against the published OpenAPI 3.0 spec (as published, not as the
//! codegen transforms it): the operation's response schema for the status, converted to JSON
//! Schema (draft 4, the closest to OpenAPI 3.0's dialect) and run through `jsonschema`, plus two
//! checks a plain validator does not make:
//!
//! * **unknown fields**: every object schema that declares `properties` (and does not say
//!   otherwise with `additionalProperties`) is closed, so a field the spec does not declare is a
//!   violation rather than silently allowed;
//! * **empty declared objects**: an object whose schema declares fields but requires none must
//!   carry at least one of them (otherwise `{}` passes for anything);
//! * **prose rules**: formats and value lists the spec states only in a field's description
//!   ([`PROSE_RULES`]); each rule quotes the description it comes from, and the check fails if
//!   the published description no longer says so.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::fmt;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value, json};

/// One way a response differs from the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub operation: String,
    pub status: u16,
    /// JSON pointer into the response body.
    pub pointer: String,
    pub problem: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{} {} {}: {}",
            self.operation, self.status, pointer, self.problem
        )
    }
}

/// A constraint the spec states only in prose: `(schema, field, quoted description text, rule
/// name, check)`.
pub type ProseRule = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    fn(&str) -> bool,
);

/// Formats and value lists the published specs give only in descriptions.
pub const PROSE_RULES: &[ProseRule] = &[
    (
        "ClaimDetail",
        "transactionId",
        "The format is TI:<ClearingSummary.transactionId>#<AuthorizationSummary.transactionId>",
        "TI:<clearing>#<auth>",
        |v| {
            v.strip_prefix("TI:")
                .and_then(|rest| rest.split_once('#'))
                .is_some_and(|(c, a)| !c.is_empty() && !a.is_empty() && !a.contains('#'))
        },
    ),
    (
        "ClaimSummary",
        "transactionId",
        "A 9 digit numeric identifier",
        "9 digits",
        |v| v.len() == 9 && v.bytes().all(|b| b.is_ascii_digit()),
    ),
    (
        "reconReportDataRetrivalResponse",
        "status",
        "This can be Available, Unavailable or Failed",
        "one of Available, Unavailable, Failed",
        |v| matches!(v, "Available" | "Unavailable" | "Failed"),
    ),
    (
        "reconReportDataRetrivalResponse",
        "data",
        "Base64 encoded String",
        "base64",
        |v| openssl::base64::decode_block(v).is_ok(),
    ),
    (
        "DocumentStructureResp",
        "file",
        "File Format is ZIP",
        "a base64-encoded ZIP file",
        |v| {
            openssl::base64::decode_block(v).is_ok_and(|bytes| {
                bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
            })
        },
    ),
    (
        "DocumentStructureResp",
        "filename",
        "The filename will have an extension of .zip",
        "a .zip name",
        |v| v.len() > 4 && v.ends_with(".zip"),
    ),
    (
        "Ip",
        "connectionType",
        "Possible values are: * cable-dsl * corporate * cellular * dialup",
        "one of cable-dsl, corporate, cellular, dialup",
        |v| matches!(v, "cable-dsl" | "corporate" | "cellular" | "dialup"),
    ),
];

/// A parsed spec with its schemas converted to JSON Schema.
pub struct Spec {
    raw: Value,
    /// `components.schemas`, converted and closed (see the module docs).
    schemas: Value,
}

/// What the spec says about a status of an operation.
pub enum Declared {
    /// The response schema (a JSON Schema fragment that may `$ref` into the components).
    Schema(Value),
    /// Declared without a body schema.
    NoBody,
    /// The operation does not declare this status.
    Undeclared,
}

impl Spec {
    /// Parses YAML bytes (integer keys such as `200:` become strings).
    pub fn parse(yaml: &[u8]) -> Self {
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_slice(yaml).unwrap();
        let raw = yaml_to_json(doc);
        let schemas = raw
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or_else(|| json!({}));
        Self {
            schemas: convert(&schemas),
            raw,
        }
    }

    /// Every `(operationId, METHOD, path)` of the spec.
    pub fn operations(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.raw["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push((id.to_owned(), method.to_ascii_uppercase(), path.clone()));
                }
            }
        }
        out
    }

    fn operation(&self, operation_id: &str) -> &Value {
        self.raw["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
            .unwrap_or_else(|| panic!("{operation_id} is not in the spec"))
    }

    /// The declared statuses of an operation.
    pub fn statuses(&self, operation_id: &str) -> Vec<u16> {
        self.operation(operation_id)["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|k| k.parse().ok())
            .collect()
    }

    /// The response schema of `operation_id` for `status` (`$ref`s to `components/responses`
    /// followed).
    pub fn declared(&self, operation_id: &str, status: u16) -> Declared {
        let responses = &self.operation(operation_id)["responses"];
        let Some(mut response) = responses.get(status.to_string()) else {
            return Declared::Undeclared;
        };
        while let Some(target) = response.get("$ref").and_then(Value::as_str) {
            response = self.raw.pointer(target.trim_start_matches('#')).unwrap();
        }
        match response.pointer("/content/application~1json/schema") {
            Some(schema) => Declared::Schema(convert(schema)),
            None => Declared::NoBody,
        }
    }

    /// Validates `body` against `schema` (a fragment from [`Spec::declared`] or a
    /// `#/components/schemas/...` reference).
    pub fn check(&self, schema: &Value, body: &Value) -> Vec<(String, String)> {
        let mut root = Map::new();
        root.insert("allOf".into(), json!([schema]));
        root.insert("components".into(), json!({"schemas": self.schemas}));
        let root = Value::Object(root);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("the converted schema does not compile: {e}"));
        let mut found: Vec<(String, String)> = Vec::new();
        for error in validator.iter_errors(body) {
            let pointer = error.instance_path().to_string();
            let problem = match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    // One violation per unknown field, at the field's own pointer.
                    for name in unexpected {
                        found.push((
                            format!("{pointer}/{}", escape(name)),
                            "unknown field (not declared by the schema)".into(),
                        ));
                    }
                    continue;
                }
                _ => error.to_string(),
            };
            found.push((pointer, problem));
        }
        self.empty_declared_objects(schema, body, "", &mut found);
        found.sort();
        found.dedup();
        found
    }

    /// Follows `$ref`s; also returns the name of the last component reached.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> (&'a Value, Option<&'a str>) {
        let mut name = None;
        while let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let n = target.trim_start_matches("#/components/schemas/");
            name = Some(n);
            schema = &self.schemas[n];
        }
        (schema, name)
    }

    /// Fails when a prose rule's quoted text is no longer in the field's published description
    /// (the rule would then check something the spec does not say).
    pub fn prose_rules_still_hold(&self) -> Vec<String> {
        PROSE_RULES
            .iter()
            .filter(|(schema, field, quote, _, _)| {
                self.raw
                    .pointer(&format!(
                        "/components/schemas/{schema}/properties/{field}/description"
                    ))
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.contains(quote))
            })
            .map(|(schema, field, quote, _, _)| {
                format!("{schema}.{field} no longer says {quote:?}")
            })
            .collect()
    }

    /// Walks `body` along `schema` (the spec uses no `allOf`/`oneOf`, so the walk is direct)
    /// and reports objects that carry none of their schema's declared, optional fields.
    fn empty_declared_objects(
        &self,
        schema: &Value,
        body: &Value,
        pointer: &str,
        found: &mut Vec<(String, String)>,
    ) {
        let (schema, name) = self.resolve(schema);
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.empty_declared_objects(s, body, pointer, found);
            }
            return;
        }
        match body {
            Value::Object(map) => {
                let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                    return;
                };
                let required = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| !r.is_empty());
                if !required && !props.is_empty() && !map.keys().any(|k| props.contains_key(k)) {
                    found.push((
                        pointer.to_owned(),
                        format!(
                            "none of the {} declared (all optional) fields is present",
                            props.len()
                        ),
                    ));
                }
                for (key, value) in map {
                    if let Some(sub) = props.get(key) {
                        let p = format!("{pointer}/{}", escape(key));
                        if let (Some(text), Some(schema_name)) = (value.as_str(), name) {
                            for (_, _, _, rule, check) in PROSE_RULES
                                .iter()
                                .filter(|(s, f, ..)| *s == schema_name && f == key)
                            {
                                if !check(text) {
                                    let shown: String = text.chars().take(60).collect();
                                    found.push((
                                        p.clone(),
                                        format!(
                                            "{shown:?} is not {rule} (the field's description)"
                                        ),
                                    ));
                                }
                            }
                        }
                        self.empty_declared_objects(sub, value, &p, found);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let p = format!("{pointer}/{i}");
                        self.empty_declared_objects(item_schema, item, &p, found);
                    }
                }
            }
            _ => {}
        }
    }
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// OpenAPI 3.0 Schema Object → JSON Schema draft 4:
/// * `nullable: true` adds `"null"` to `type` (and to an `enum`, which would otherwise refuse it);
/// * OpenAPI-only keywords (`example`, `xml`, `discriminator`, `readOnly`, `writeOnly`,
///   `deprecated`, `externalDocs`, `x-…`) are dropped;
/// * objects with `properties` and no `additionalProperties` are closed.
///
/// `$ref: '#/components/schemas/X'` stays as it is: the validator's root document carries the
/// converted components under the same pointer.
pub fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "example" | "xml" | "discriminator" | "readOnly" | "writeOnly"
                    | "deprecated" | "externalDocs" | "nullable" => {}
                    k if k.starts_with("x-") => {}
                    // Maps of name → schema: convert each schema, never the names.
                    "properties" | "schemas" => {
                        let converted = value
                            .as_object()
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| (k.clone(), convert(v)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(converted));
                    }
                    "enum" | "required" | "default" => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {
                        out.insert(key.clone(), convert(value));
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            if out.contains_key("properties") && !out.contains_key("additionalProperties") {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => panic!("unsupported YAML key {other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}
