//! What makes two dispute events "the same": operation, path (claim and other ids) and a
//! canonical hash of the JSON body.

use std::fmt::Write as _;

use serde_json::Value;

/// Identifies one dispute event for the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKey {
    /// The generated method name, e.g. `create_chargeback`.
    pub operation: String,
    /// The claim id from the path, when the operation has one.
    pub claim_id: Option<String>,
    /// The request path with its ids (and query, if any), as sent.
    pub path: String,
    /// Hex SHA-256 of the canonical JSON body (sorted keys, no whitespace); of the raw bytes when
    /// the body is not JSON.
    pub body_sha256: String,
}

impl EventKey {
    /// The ledger's primary key: one string, so any store (SQL, key-value) can index it.
    pub fn id(&self) -> String {
        format!("{}|{}|{}", self.operation, self.path, self.body_sha256)
    }
}

/// Serialises JSON canonically: object keys sorted by their UTF-8 bytes, no whitespace. Done by
/// hand so the result does not depend on whether some crate in the build enables serde_json's
/// `preserve_order`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|(left, _), (right, _)| left.as_bytes().cmp(right.as_bytes()));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Hex SHA-256 of the canonical form of `body` (or of the bytes themselves if not JSON).
pub fn body_hash(body: &[u8]) -> String {
    let digest = match serde_json::from_slice::<Value>(body) {
        Ok(value) => openssl::sha::sha256(canonical_json(&value).as_bytes()),
        Err(_) => openssl::sha::sha256(body),
    };
    digest
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The value of `{claim-id}` in `path`, matching the template's segments from the end (the
/// path also carries the client's base path, e.g. `/mastercom`).
pub fn claim_id_from_path(template: &str, path: &str) -> Option<String> {
    let template: Vec<&str> = template.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    let offset = actual.len().checked_sub(template.len())?;
    template
        .iter()
        .position(|segment| *segment == "{claim-id}")
        .and_then(|index| actual.get(offset + index))
        .map(|segment| (*segment).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_ignores_key_order_and_whitespace() {
        let a = br#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#;
        let b = br#"{"a":{"x":"s","y":[1,2]},"b":1}"#;
        assert_eq!(body_hash(a), body_hash(b));
        assert_ne!(
            body_hash(a),
            body_hash(br#"{"a":{"x":"s","y":[2,1]},"b":1}"#)
        );
        let parsed: Value = serde_json::from_slice(a).unwrap_or(Value::Null);
        assert_eq!(
            canonical_json(&parsed),
            r#"{"a":{"x":"s","y":[1,2]},"b":1}"#
        );
    }

    #[test]
    fn claim_id_is_found_after_the_base_path() {
        assert_eq!(
            claim_id_from_path(
                "/v6/claims/{claim-id}/chargebacks",
                "/mastercom/v6/claims/200002020654/chargebacks"
            )
            .as_deref(),
            Some("200002020654")
        );
        assert_eq!(
            claim_id_from_path("/v6/claims", "/mastercom/v6/claims"),
            None
        );
    }
}
