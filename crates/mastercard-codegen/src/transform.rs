//! Reviewed transformations of a parsed spec, declared as data in `openapi/<api>.transforms.toml`.
//!
//! Each transformation kind is a small function over the JSON tree. Every place it changes is
//! recorded in a [`Report`], so the README can say exactly how far we depart from the published
//! spec, and so an upstream change that makes a transformation miss its target fails loudly
//! instead of silently generating a different client.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::CodegenError;
use crate::layout::read;

/// One transformation, as written in a transforms file.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Transform {
    /// Move an inline enum to a named schema so the generator can substitute a hand-written type.
    HoistEnum {
        /// Why this is needed (kept with the data so reviewers see it).
        why: String,
        /// JSON pointer to the inline enum schema.
        pointer: String,
        /// Name of the new schema under `components/schemas`.
        schema: String,
        /// Rust path of the hand-written type progenitor uses instead.
        rust_type: String,
    },
    /// Drop validating keywords from schemas that only ever appear in responses.
    RelaxResponseConstraints {
        /// Why this is needed.
        why: String,
        /// Keywords to drop (`additionalProperties` is dropped only where it is `false`).
        keywords: Vec<String>,
    },
    /// Declare Mastercard error responses on operations that document only success.
    AddErrorResponses {
        /// Why this is needed.
        why: String,
        /// `operationId`s to patch; each must exist.
        operations: Vec<String>,
        /// Status codes to add where missing.
        statuses: Vec<String>,
        /// Error body schema name under `components/schemas`.
        schema: String,
    },
    /// Mark schemas `nullable: true`.
    MakeNullable {
        /// Why this is needed.
        why: String,
        /// JSON pointers of the schemas; each must exist.
        pointers: Vec<String>,
    },
}

impl Transform {
    /// The kind's name as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::HoistEnum { .. } => "hoist-enum",
            Self::RelaxResponseConstraints { .. } => "relax-response-constraints",
            Self::AddErrorResponses { .. } => "add-error-responses",
            Self::MakeNullable { .. } => "make-nullable",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransformsFile {
    #[serde(default)]
    transform: Vec<Transform>,
}

/// Reads a transforms file. A missing file means "no transformations".
pub fn load(path: &Path) -> Result<Vec<Transform>, CodegenError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = String::from_utf8_lossy(&read(path)?).into_owned();
    let file: TransformsFile = toml::from_str(&text).map_err(|error| CodegenError::Config {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    Ok(file.transform)
}

/// One place a transformation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The transformation kind.
    pub kind: &'static str,
    /// JSON pointer of the changed node.
    pub pointer: String,
    /// What was done there.
    pub what: String,
}

/// Everything the transformations did, plus what the generator must know about them.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every change, in application order.
    pub changes: Vec<Change>,
    /// Schema name → Rust type path, for progenitor's type replacement.
    pub replacements: BTreeMap<String, String>,
}

impl Report {
    /// Number of changes per transformation kind, for the README table.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for change in &self.changes {
            *counts.entry(change.kind).or_insert(0) += 1;
        }
        counts
    }

    fn record(&mut self, kind: &'static str, pointer: impl Into<String>, what: impl Into<String>) {
        self.changes.push(Change {
            kind,
            pointer: pointer.into(),
            what: what.into(),
        });
    }
}

/// Applies the transformations in order to a parsed spec.
pub fn apply(spec: &mut Value, transforms: &[Transform]) -> Result<Report, CodegenError> {
    let mut report = Report::default();
    for transform in transforms {
        let kind = transform.kind();
        match transform {
            Transform::HoistEnum {
                pointer,
                schema,
                rust_type,
                ..
            } => {
                hoist_enum(spec, pointer, schema, &mut report, kind)?;
                report
                    .replacements
                    .insert(schema.clone(), rust_type.clone());
            }
            Transform::RelaxResponseConstraints { keywords, .. } => {
                relax_response_constraints(spec, keywords, &mut report, kind)?;
            }
            Transform::AddErrorResponses {
                operations,
                statuses,
                schema,
                ..
            } => add_error_responses(spec, operations, statuses, schema, &mut report, kind)?,
            Transform::MakeNullable { pointers, .. } => {
                for pointer in pointers {
                    let node = object_at(spec, pointer)?;
                    node.insert("nullable".to_owned(), Value::Bool(true));
                    report.record(kind, pointer.as_str(), "nullable: true");
                }
            }
        }
    }
    Ok(report)
}

fn object_at<'a>(
    spec: &'a mut Value,
    pointer: &str,
) -> Result<&'a mut Map<String, Value>, CodegenError> {
    spec.pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            CodegenError::shape(format!(
                "no object at {pointer} (has the spec changed upstream?)"
            ))
        })
}

fn hoist_enum(
    spec: &mut Value,
    pointer: &str,
    schema: &str,
    report: &mut Report,
    kind: &'static str,
) -> Result<(), CodegenError> {
    let node = object_at(spec, pointer)?;
    if !node.contains_key("enum") {
        return Err(CodegenError::shape(format!(
            "{pointer} has no enum to hoist"
        )));
    }
    let mut reference = Map::new();
    reference.insert(
        "$ref".to_owned(),
        Value::String(format!("#/components/schemas/{schema}")),
    );
    let hoisted = std::mem::replace(node, reference);
    let schemas = object_at(spec, "/components/schemas")?;
    if schemas.contains_key(schema) {
        return Err(CodegenError::shape(format!(
            "cannot hoist {pointer}: components/schemas/{schema} already exists"
        )));
    }
    schemas.insert(schema.to_owned(), Value::Object(hoisted));
    report.record(
        kind,
        pointer,
        format!("enum moved to #/components/schemas/{schema}"),
    );
    Ok(())
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation object with its JSON pointer.
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in HTTP_METHODS {
                if let Some(operation) = item.get(method) {
                    let escaped = path.replace('~', "~0").replace('/', "~1");
                    found.push((format!("/paths/{escaped}/{method}"), operation));
                }
            }
        }
    }
    found
}

/// Follows `$ref`s to `#/components/...` one level (requestBodies, responses, parameters).
fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| spec.pointer(pointer))
            .unwrap_or(node),
        None => node,
    }
}

/// Names of component schemas referenced anywhere inside `node`, followed transitively.
fn collect_schema_refs(spec: &Value, node: &Value, seen: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
                && seen.insert(name.to_owned())
                && let Some(target) = spec.pointer(&format!("/components/schemas/{name}"))
            {
                collect_schema_refs(spec, target, seen);
            }
            for value in map.values() {
                collect_schema_refs(spec, value, seen);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_schema_refs(spec, item, seen)),
        _ => {}
    }
}

/// Schemas reachable from requests (parameters and bodies) and from responses.
fn request_and_response_schemas(spec: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut request = BTreeSet::new();
    let mut response = BTreeSet::new();
    for (_, operation) in operations(spec) {
        for parameter in operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_schema_refs(spec, resolve(spec, parameter), &mut request);
        }
        if let Some(body) = operation.get("requestBody") {
            collect_schema_refs(spec, resolve(spec, body), &mut request);
        }
        for reply in operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|map| map.values())
        {
            collect_schema_refs(spec, resolve(spec, reply), &mut response);
        }
    }
    (request, response)
}

fn relax_response_constraints(
    spec: &mut Value,
    keywords: &[String],
    report: &mut Report,
    kind: &'static str,
) -> Result<(), CodegenError> {
    let (request, response) = request_and_response_schemas(spec);
    let response_only: Vec<String> = response.difference(&request).cloned().collect();
    for name in response_only {
        let pointer = format!("/components/schemas/{name}");
        let node = spec
            .pointer_mut(&pointer)
            .ok_or_else(|| CodegenError::shape(format!("dangling reference to {pointer}")))?;
        strip_keywords(node, &pointer, keywords, report, kind);
    }
    Ok(())
}

/// Removes `keywords` from a schema and its inline sub-schemas (not across `$ref`s: each referenced
/// schema is classified on its own).
fn strip_keywords(
    node: &mut Value,
    pointer: &str,
    keywords: &[String],
    report: &mut Report,
    kind: &'static str,
) {
    let Value::Object(map) = node else { return };
    for keyword in keywords {
        let drop = match map.get(keyword.as_str()) {
            None => false,
            // `additionalProperties: {schema}` describes a map and must stay; only `false` is a constraint.
            Some(value) if keyword == "additionalProperties" => value == &Value::Bool(false),
            Some(_) => true,
        };
        if drop && let Some(value) = map.remove(keyword.as_str()) {
            report.record(
                kind,
                pointer,
                format!("dropped {keyword}: {}", summarise(&value)),
            );
        }
    }
    for (key, child) in map.iter_mut() {
        let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        match (key.as_str(), child) {
            ("properties", Value::Object(properties)) => {
                for (property, schema) in properties.iter_mut() {
                    let escaped = property.replace('~', "~0").replace('/', "~1");
                    strip_keywords(
                        schema,
                        &format!("{child_pointer}/{escaped}"),
                        keywords,
                        report,
                        kind,
                    );
                }
            }
            ("items" | "additionalProperties", schema @ Value::Object(_)) => {
                strip_keywords(schema, &child_pointer, keywords, report, kind);
            }
            ("allOf" | "anyOf" | "oneOf", Value::Array(schemas)) => {
                for (index, schema) in schemas.iter_mut().enumerate() {
                    strip_keywords(
                        schema,
                        &format!("{child_pointer}/{index}"),
                        keywords,
                        report,
                        kind,
                    );
                }
            }
            _ => {}
        }
    }
}

fn summarise(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn add_error_responses(
    spec: &mut Value,
    operation_ids: &[String],
    statuses: &[String],
    schema: &str,
    report: &mut Report,
    kind: &'static str,
) -> Result<(), CodegenError> {
    if spec
        .pointer(&format!("/components/schemas/{schema}"))
        .is_none()
    {
        return Err(CodegenError::shape(format!(
            "no components/schemas/{schema} to use as the error body"
        )));
    }
    for operation_id in operation_ids {
        let pointer = operations(spec)
            .into_iter()
            .find(|(_, operation)| {
                operation.get("operationId").and_then(Value::as_str) == Some(operation_id)
            })
            .map(|(pointer, _)| pointer)
            .ok_or_else(|| {
                CodegenError::shape(format!(
                    "no operation {operation_id:?} to add error responses to"
                ))
            })?;
        let responses_pointer = format!("{pointer}/responses");
        let responses = object_at(spec, &responses_pointer)?;
        for status in statuses {
            if responses.contains_key(status) {
                continue;
            }
            responses.insert(
                status.clone(),
                json!({
                    "description": "Mastercard error",
                    "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
                }),
            );
            report.record(
                kind,
                format!("{responses_pointer}/{status}"),
                format!("added {status} → {schema}"),
            );
        }
    }
    Ok(())
}
