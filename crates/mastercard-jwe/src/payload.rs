//! The operations of [`EncryptionConfig`]: compact tokens, JSON values and HTTP body bytes.

use serde_json::Value;

use crate::cipher;
use crate::compact::{self, Limits};
use crate::config::{EncryptionConfig, Mapping};
use crate::error::JweError;
use crate::fingerprint::kid_matches;
use crate::keys::{DecryptionKey, EncryptionKey};

/// What a decryption path points at.
enum Found {
    /// Absent, `null` or `""`: nothing to decrypt (plain error bodies look like this).
    Nothing,
    /// A JWE string.
    Token,
}

impl EncryptionConfig {
    fn encryption_key(&self) -> Result<&EncryptionKey, JweError> {
        self.encryption_key
            .as_ref()
            .ok_or(JweError::MissingKey("encryption key"))
    }

    fn decryption_key(&self) -> Result<&DecryptionKey, JweError> {
        self.decryption_key
            .as_ref()
            .ok_or(JweError::MissingKey("decryption key"))
    }

    /// Encrypts raw bytes into a compact JWE (RSA-OAEP-256 + A256GCM, 12-byte IV, this
    /// configuration's `kid`).
    pub fn encrypt_compact(&self, plaintext: &[u8]) -> Result<String, JweError> {
        cipher::encrypt(self.encryption_key()?, plaintext)
    }

    /// Decrypts a compact JWE into its exact plaintext bytes, after every strictness check:
    /// allowed `alg`/`enc`, no `zip`/`crit`, IV and full-tag lengths, `kid`, size cap, tag.
    pub fn decrypt_compact(&self, token: &str) -> Result<Vec<u8>, JweError> {
        let key = self.decryption_key()?;
        let limits = Limits {
            max_ciphertext: self.max_plaintext_len,
            allow_rsa_oaep: self.allow_rsa_oaep,
        };
        let parsed = compact::parse(token, limits)?;
        if let Some(kid) = parsed.kid.as_deref()
            && self.check_kid
            && !kid_matches(kid, key.known_kids())
        {
            return Err(JweError::KidMismatch {
                kid: crate::error::excerpt(kid),
                expected: key.fingerprint().to_owned(),
            });
        }
        cipher::decrypt(key, &parsed)
    }

    /// Applies every encryption path to `doc`: each value found is serialised as compact JSON
    /// (strings keep their quotes, so types survive the round trip), encrypted, removed, and the
    /// JWE string is put into the configured field of the object at the output path. Missing
    /// input paths are skipped unless [`require_paths`](crate::EncryptionConfigBuilder::require_paths)
    /// is set.
    pub fn encrypt_value(&self, mut doc: Value) -> Result<Value, JweError> {
        self.encrypt_in_place(&mut doc)?;
        Ok(doc)
    }

    /// Applies every decryption path to `doc`: each JWE string found is decrypted, removed (with
    /// its parent object if that becomes empty), and the plaintext is written at the output path
    /// (the whole document for `$`; objects are merged, other values replace). Plaintext that is
    /// not JSON is kept as a string. On error the document is dropped, so no partly decrypted
    /// value escapes.
    pub fn decrypt_value(&self, mut doc: Value) -> Result<Value, JweError> {
        self.decrypt_in_place(&mut doc)?;
        Ok(doc)
    }

    /// Encrypts a request body. An empty body (e.g. a GET) and a body in which no encryption path
    /// exists are returned unchanged; with the default `$ → $` mapping the body bytes are
    /// encrypted verbatim (no re-serialisation, so large numbers keep their digits).
    pub fn encrypt_payload(&self, original: &[u8]) -> Result<Vec<u8>, JweError> {
        let body = original.trim_ascii();
        if body.is_empty() {
            return Ok(original.to_vec());
        }
        // serde_json skips over string contents without validating them when it only checks
        // syntax, so invalid UTF-8 would be encrypted verbatim; refuse it before anything else.
        JweError::check_utf8("the body", body)?;
        if let [Mapping { input, output }] = self.encryption_paths.as_slice()
            && input.is_root()
            && output.is_root()
        {
            // Validating without building a document is several times cheaper than parsing
            // into a `Value`, which this path never needs.
            serde_json::from_slice::<serde::de::IgnoredAny>(body)
                .map_err(|e| JweError::json("the body", &e))?;
            // A base64url token needs no escaping, so the envelope is written directly.
            let mut envelope = String::with_capacity(body.len() * 4 / 3 + 512);
            envelope.push('{');
            envelope.push_str(&self.field_name_json);
            envelope.push_str(":\"");
            cipher::encrypt_into(self.encryption_key()?, body, &mut envelope)?;
            envelope.push_str("\"}");
            return Ok(envelope.into_bytes());
        }
        let mut doc: Value =
            serde_json::from_slice(body).map_err(|e| JweError::json("the body", &e))?;
        if self.encrypt_in_place(&mut doc)? {
            to_bytes(&doc)
        } else {
            Ok(original.to_vec())
        }
    }

    /// Decrypts a response body. An empty body and a body without any JWE at the decryption
    /// paths (a plain error response) are returned unchanged; with a single mapping to `$`, a JSON
    /// plaintext is returned verbatim.
    pub fn decrypt_payload(&self, body: &[u8]) -> Result<Vec<u8>, JweError> {
        if body.trim_ascii().is_empty() {
            return Ok(body.to_vec());
        }
        JweError::check_utf8("the body", body)?;
        let mut doc: Value =
            serde_json::from_slice(body).map_err(|e| JweError::json("the body", &e))?;
        if let [Mapping { input, output }] = self.decryption_paths.as_slice()
            && output.is_root()
        {
            return match self.classify(input, &doc)? {
                Found::Nothing => Ok(body.to_vec()),
                Found::Token => {
                    let token = input.get(&doc).and_then(Value::as_str).unwrap_or_default();
                    let plaintext = self.decrypt_compact(token)?;
                    // Returned verbatim below, so checked here: a syntax-only parse would let
                    // invalid UTF-8 inside strings through.
                    JweError::check_utf8("the decrypted plaintext", &plaintext)?;
                    if serde_json::from_slice::<serde::de::IgnoredAny>(&plaintext).is_ok() {
                        Ok(plaintext)
                    } else {
                        to_bytes(&plaintext_to_value(plaintext)?)
                    }
                }
            };
        }
        if self.decrypt_in_place(&mut doc)? {
            to_bytes(&doc)
        } else {
            Ok(body.to_vec())
        }
    }

    fn encrypt_in_place(&self, doc: &mut Value) -> Result<bool, JweError> {
        let mut changed = false;
        for Mapping { input, output } in &self.encryption_paths {
            let Some(value) = input.get(doc) else {
                if self.require_paths {
                    return Err(JweError::PathNotFound(input.to_string()));
                }
                continue;
            };
            let plaintext = serde_json::to_vec(value)
                .map_err(|_| JweError::Backend("serialising the value to encrypt"))?;
            let token = self.encrypt_compact(&plaintext)?;
            input.take(doc);
            output
                .object_mut(doc)?
                .insert(self.field_name.clone(), Value::String(token));
            changed = true;
        }
        Ok(changed)
    }

    fn decrypt_in_place(&self, doc: &mut Value) -> Result<bool, JweError> {
        let mut changed = false;
        for Mapping { input, output } in &self.decryption_paths {
            if let Found::Nothing = self.classify(input, doc)? {
                continue;
            }
            let plaintext = match input.get(doc).and_then(Value::as_str) {
                Some(token) => self.decrypt_compact(token)?,
                None => return Err(JweError::NotAString(input.to_string())),
            };
            let value = plaintext_to_value(plaintext)?;
            input.take(doc);
            input.remove_empty_parent(doc);
            output.write(doc, value)?;
            changed = true;
        }
        Ok(changed)
    }

    fn classify(&self, input: &crate::path::JsonPath, doc: &Value) -> Result<Found, JweError> {
        match input.get(doc) {
            None if self.require_paths => Err(JweError::PathNotFound(input.to_string())),
            Some(Value::Null) if self.require_paths => {
                Err(JweError::EmptyEncryptedValue(input.to_string()))
            }
            Some(Value::String(token)) if token.is_empty() && self.require_paths => {
                Err(JweError::EmptyEncryptedValue(input.to_string()))
            }
            None | Some(Value::Null) => Ok(Found::Nothing),
            Some(Value::String(token)) if token.is_empty() => Ok(Found::Nothing),
            Some(Value::String(_)) => Ok(Found::Token),
            Some(_) => Err(JweError::NotAString(input.to_string())),
        }
    }
}

/// JSON plaintext becomes that JSON value; other UTF-8 text (Java, Node and Python encrypt string
/// leaves without quotes) becomes a JSON string.
/// JSON nested beyond the parser's limit is an error, not a string: it is JSON, just too deep.
fn plaintext_to_value(plaintext: Vec<u8>) -> Result<Value, JweError> {
    match serde_json::from_slice(&plaintext) {
        Ok(value) => Ok(value),
        Err(error) if crate::error::is_recursion_limit(&error) => {
            Err(JweError::json("the decrypted plaintext", &error))
        }
        Err(_) => String::from_utf8(plaintext)
            .map(Value::String)
            .map_err(|_| JweError::PlaintextNotUtf8),
    }
}

fn to_bytes(doc: &Value) -> Result<Vec<u8>, JweError> {
    serde_json::to_vec(doc).map_err(|_| JweError::Backend("serialising the payload"))
}
