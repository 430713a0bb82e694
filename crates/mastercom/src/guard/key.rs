//! The canonical digest of a JSON body, computed while the body is parsed — no `Value` tree, no
//! canonical `String` — and the top-level fields a dispute event's identity needs.
//!
//! The digest is defined on the structure, so whitespace and member order do not change it:
//!
//! * `null`, `true`, `false` → `SHA-256("n")`, `("t")`, `("f")`;
//! * a number → `SHA-256("d" ‖ its decimal text as serde_json reads it)`;
//! * a string → `SHA-256("s" ‖ its UTF-8 bytes)` (escapes decoded);
//! * an array → `SHA-256("[" ‖ digest of each item, in order ‖ "]")`;
//! * an object → `SHA-256("{" ‖ for each member, sorted by the key's UTF-8 bytes: SHA-256 of the
//!   key ‖ digest of the value ‖ "}")`.
//!
//! Strings are hashed where they lie in the body (serde_json lends them without copying unless
//! they contain escapes), so a 22 MB base64 document costs one pass and 32 bytes, not a copy.
//! An object holds only its members' keys and 32-byte digests until it is closed.

use std::fmt;

use openssl::sha::Sha256;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

fn digest_of(tag: &[u8], bytes: &[u8]) -> Digest {
    let mut hasher = Sha256::new();
    hasher.update(tag);
    hasher.update(bytes);
    hasher.finish()
}

/// The digest a JSON string with this value has (so a path parameter and a body field holding
/// the same id digest alike).
pub(crate) fn digest_str(value: &str) -> Digest {
    digest_of(b"s", value.as_bytes())
}

/// What one pass over a body found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDigest {
    /// The canonical digest of the whole body (of its raw bytes, tagged, when it is not JSON).
    pub digest: Digest,
    /// Whether the body parsed as JSON.
    pub json: bool,
    /// The canonical digest of each requested top-level member, in the order requested; `None`
    /// when absent (or when the body is not a JSON object).
    pub fields: Vec<Option<Digest>>,
}

/// Digests `body` in one pass, also returning the digests of the top-level members named in
/// `fields`.
pub fn digest_body(body: &[u8], fields: &[&str]) -> BodyDigest {
    let mut found = vec![None; fields.len()];
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed = Node {
        top: Some(Top {
            wanted: fields,
            found: &mut found,
        }),
    }
    .deserialize(&mut deserializer)
    .and_then(|digest| deserializer.end().map(|()| digest));
    match parsed {
        Ok(digest) => BodyDigest {
            digest,
            json: true,
            fields: found,
        },
        Err(_) => BodyDigest {
            digest: digest_of(b"raw", body),
            json: false,
            fields: vec![None; fields.len()],
        },
    }
}

/// Hex canonical digest of `body` (whitespace and member order do not matter).
pub fn body_hash(body: &[u8]) -> String {
    hex(&digest_body(body, &[]).digest)
}

struct Top<'f, 'w> {
    wanted: &'w [&'w str],
    found: &'f mut [Option<Digest>],
}

/// Digests one JSON value; at the top level it also records the wanted members.
struct Node<'f, 'w> {
    top: Option<Top<'f, 'w>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Digest;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Digest, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Digest;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Digest, E> {
        Ok(digest_of(b"n", b""))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Digest, E> {
        Ok(digest_of(if value { b"t" } else { b"f" }, b""))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Digest, E> {
        Ok(digest_of(b"d", value.to_string().as_bytes()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Digest, E> {
        Ok(digest_of(b"d", value.to_string().as_bytes()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Digest, E> {
        Ok(digest_of(b"d", value.to_string().as_bytes()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Digest, E> {
        Ok(digest_of(b"s", value.as_bytes()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Digest, A::Error> {
        let mut hasher = Sha256::new();
        hasher.update(b"[");
        while let Some(item) = items.next_element_seed(Node { top: None })? {
            hasher.update(&item);
        }
        hasher.update(b"]");
        Ok(hasher.finish())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Digest, A::Error> {
        let mut top = self.top;
        let mut members: Vec<(String, Digest)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Node { top: None })?;
            if let Some(top) = top.as_mut()
                && let Some(index) = top.wanted.iter().position(|wanted| *wanted == key)
                && let Some(slot) = top.found.get_mut(index)
            {
                *slot = Some(value);
            }
            members.push((key, value));
        }
        members.sort_by(|(left, _), (right, _)| left.as_bytes().cmp(right.as_bytes()));
        let mut hasher = Sha256::new();
        hasher.update(b"{");
        for (key, value) in &members {
            hasher.update(&digest_of(b"k", key.as_bytes()));
            hasher.update(value);
        }
        hasher.update(b"}");
        Ok(hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_digest_ignores_member_order_and_whitespace_only() {
        let a = br#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#;
        let b = br#"{"a":{"x":"s","y":[1,2]},"b":1}"#;
        assert_eq!(body_hash(a), body_hash(b));
        assert_ne!(
            body_hash(a),
            body_hash(br#"{"a":{"x":"s","y":[2,1]},"b":1}"#)
        );
        assert_ne!(body_hash(br#"{"a":"1"}"#), body_hash(br#"{"a":1}"#));
        assert_ne!(body_hash(br#"{"a":null}"#), body_hash(br#"{}"#));
        // Escapes are decoded: the same string either way.
        assert_eq!(
            body_hash(br#"{"a":"\u0041\/"}"#),
            body_hash(br#"{"a":"A/"}"#)
        );
        // Nesting cannot be confused with a flat list.
        assert_ne!(body_hash(br"[[1],2]"), body_hash(br"[1,[2]]"));
    }

    #[test]
    fn top_level_fields_are_extracted_not_nested_ones() {
        let body = br#"{"memo":"x","inner":{"chargebackType":"NO"},"chargebackType":"CHARGEBACK"}"#;
        let found = digest_body(body, &["chargebackType", "absent"]);
        assert!(found.json);
        assert_eq!(found.fields[0], Some(digest_of(b"s", b"CHARGEBACK")));
        assert_eq!(found.fields[1], None);
    }

    #[test]
    fn a_body_that_is_not_json_is_hashed_as_bytes() {
        let found = digest_body(b"not json", &["a"]);
        assert!(!found.json);
        assert_eq!(found.fields, vec![None]);
        assert_ne!(body_hash(b"not json"), body_hash(b"not json!"));
        assert_eq!(body_hash(b""), hex(&digest_of(b"raw", b"")));
    }
}
