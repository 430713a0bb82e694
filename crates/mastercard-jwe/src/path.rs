//! The definite JSON paths Mastercard configurations use: `$`, `$.a.b`, `$.list[0].c`
//! (the `$.` prefix is optional, as in the Python and Go libraries). Wildcards and filters are not
//! supported: each path names at most one location.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::error::JweError;

/// One step from a JSON value to a child.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed definite JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

impl FromStr for JsonPath {
    type Err = JweError;

    fn from_str(text: &str) -> Result<Self, JweError> {
        let invalid = |reason| JweError::InvalidPath {
            path: text.to_owned(),
            reason,
        };
        let rest = match text.strip_prefix('$') {
            Some(rest) => rest.strip_prefix('.').unwrap_or(rest),
            None => text,
        };
        if text != "$" && rest.is_empty() {
            return Err(invalid("empty path"));
        }
        let mut steps = Vec::new();
        for part in rest.split('.').filter(|_| !rest.is_empty()) {
            let (name, mut indices) = part.split_once('[').map_or((part, ""), |(n, i)| (n, i));
            if name.is_empty() && indices.is_empty() {
                return Err(invalid("empty field name"));
            }
            if name.contains(']') || name.contains('*') {
                return Err(invalid("unsupported character in field name"));
            }
            if !name.is_empty() {
                steps.push(Step::Key(name.to_owned()));
            }
            while !indices.is_empty() {
                let (index, after) = indices
                    .split_once(']')
                    .ok_or_else(|| invalid("unclosed ["))?;
                if index == "*" {
                    return Err(invalid("wildcards are not supported"));
                }
                let index = index
                    .parse::<usize>()
                    .map_err(|_| invalid("array index is not a number"))?;
                steps.push(Step::Index(index));
                indices = match after {
                    "" => "",
                    more => more
                        .strip_prefix('[')
                        .ok_or_else(|| invalid("text after ]"))?,
                };
            }
        }
        Ok(Self {
            text: text.to_owned(),
            steps,
        })
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl JsonPath {
    /// The document root, `$`.
    pub fn root() -> Self {
        Self {
            text: "$".to_owned(),
            steps: Vec::new(),
        }
    }

    /// Whether this is `$`.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The value at this path, if present.
    pub(crate) fn get<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        self.steps
            .iter()
            .try_fold(doc, |value, step| child(value, step))
    }

    /// Removes and returns the value at this path (the root is replaced by `{}`).
    pub(crate) fn take(&self, doc: &mut Value) -> Option<Value> {
        let Some((last, parents)) = self.steps.split_last() else {
            return Some(std::mem::replace(doc, Value::Object(Map::new())));
        };
        let parent = walk_mut(doc, parents)?;
        match (parent, last) {
            (Value::Object(map), Step::Key(key)) => map.shift_remove(key),
            (Value::Array(items), Step::Index(index)) if *index < items.len() => {
                Some(items.remove(*index))
            }
            _ => None,
        }
    }

    /// Removes the object containing this path's target if it is now empty, unless that object is
    /// the root or an array element (Mastercard's clean-up after moving a value out).
    pub(crate) fn remove_empty_parent(&self, doc: &mut Value) {
        let Some((_, parents)) = self.steps.split_last() else {
            return;
        };
        let Some((Step::Key(parent_key), grand)) = parents.split_last() else {
            return;
        };
        if let Some(Value::Object(map)) = walk_mut(doc, grand)
            && matches!(map.get(parent_key), Some(Value::Object(inner)) if inner.is_empty())
        {
            map.shift_remove(parent_key);
        }
    }

    /// The object at this path, created (as `{}`) under an existing parent when missing.
    pub(crate) fn object_mut<'v>(
        &self,
        doc: &'v mut Value,
    ) -> Result<&'v mut Map<String, Value>, JweError> {
        let not_found = || JweError::PathNotFound(self.text.clone());
        let target = match self.steps.split_last() {
            None => doc,
            Some((last, parents)) => {
                let parent = walk_mut(doc, parents).ok_or_else(not_found)?;
                match (parent, last) {
                    (Value::Object(map), Step::Key(key)) => map
                        .entry(key.clone())
                        .or_insert_with(|| Value::Object(Map::new())),
                    (Value::Array(items), Step::Index(index)) => {
                        items.get_mut(*index).ok_or_else(not_found)?
                    }
                    _ => return Err(not_found()),
                }
            }
        };
        match target {
            Value::Object(map) => Ok(map),
            _ => Err(JweError::NotAnObject(self.text.clone())),
        }
    }

    /// Writes `value` at this path: the whole document for `$`; otherwise objects are merged into
    /// the object there (created if missing) and other values replace what was there.
    pub(crate) fn write(&self, doc: &mut Value, value: Value) -> Result<(), JweError> {
        if self.is_root() {
            *doc = value;
            return Ok(());
        }
        match value {
            Value::Object(fields) => {
                self.object_mut(doc)?.extend(fields);
                Ok(())
            }
            other => self.set(doc, other),
        }
    }

    fn set(&self, doc: &mut Value, value: Value) -> Result<(), JweError> {
        let not_found = || JweError::PathNotFound(self.text.clone());
        let (last, parents) = self.steps.split_last().ok_or_else(not_found)?;
        match (walk_mut(doc, parents).ok_or_else(not_found)?, last) {
            (Value::Object(map), Step::Key(key)) => {
                map.insert(key.clone(), value);
                Ok(())
            }
            (Value::Array(items), Step::Index(index)) => {
                *items.get_mut(*index).ok_or_else(not_found)? = value;
                Ok(())
            }
            _ => Err(not_found()),
        }
    }
}

fn child<'v>(value: &'v Value, step: &Step) -> Option<&'v Value> {
    match (value, step) {
        (Value::Object(map), Step::Key(key)) => map.get(key),
        (Value::Array(items), Step::Index(index)) => items.get(*index),
        _ => None,
    }
}

fn walk_mut<'v>(doc: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps
        .iter()
        .try_fold(doc, |value, step| match (value, step) {
            (Value::Object(map), Step::Key(key)) => map.get_mut(key),
            (Value::Array(items), Step::Index(index)) => items.get_mut(*index),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_supported_forms() {
        assert!("$".parse::<JsonPath>().unwrap().is_root());
        let path: JsonPath = "$.a.list[1][0].b".parse().unwrap();
        assert_eq!(
            path.get(&json!({"a":{"list":[0,[{"b":7}]]}})),
            Some(&json!(7))
        );
        let bare: JsonPath = "a.b".parse().unwrap();
        assert_eq!(bare.get(&json!({"a":{"b":true}})), Some(&json!(true)));
    }

    #[test]
    fn rejects_unsupported_forms() {
        for bad in [
            "", "$.", "$..a", "$.a[*]", "$.a[x]", "$.a[0", "$.a[0]b", "$.*",
        ] {
            assert!(
                matches!(bad.parse::<JsonPath>(), Err(JweError::InvalidPath { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn take_and_clean_up() {
        let mut doc = json!({"a":{"enc":{"encryptedData":"x"}},"b":1});
        let path: JsonPath = "$.a.enc.encryptedData".parse().unwrap();
        assert_eq!(path.take(&mut doc), Some(json!("x")));
        path.remove_empty_parent(&mut doc);
        assert_eq!(doc, json!({"a":{},"b":1}));
    }

    #[test]
    fn object_mut_needs_existing_parent() {
        let mut doc = json!({"a":{}});
        let path: JsonPath = "$.x.y".parse().unwrap();
        assert_eq!(
            path.object_mut(&mut doc),
            Err(JweError::PathNotFound("$.x.y".into()))
        );
        let path: JsonPath = "$.a.y".parse().unwrap();
        path.object_mut(&mut doc).unwrap();
        assert_eq!(doc, json!({"a":{"y":{}}}));
    }
}
