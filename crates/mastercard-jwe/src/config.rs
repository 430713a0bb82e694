//! [`EncryptionConfig`]: keys, path mappings and limits, built once and shared by every request.

use std::fmt;

use crate::error::JweError;
use crate::keys::{DecryptionKey, EncryptionKey};
use crate::path::JsonPath;

/// Default name of the field that carries the JWE string.
pub const DEFAULT_FIELD_NAME: &str = "encryptedData";

/// Default cap on the ciphertext of one token: room for Mastercom's ~22 MB documents.
pub const DEFAULT_MAX_PLAINTEXT_LEN: usize = 32 * 1024 * 1024;

/// One `in → out` mapping.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub input: JsonPath,
    pub output: JsonPath,
}

/// A Mastercard JWE configuration: which key encrypts requests, which key decrypts responses,
/// which JSON paths move where, and how strict decryption is.
///
/// With the defaults, [`encrypt_payload`](Self::encrypt_payload) turns the whole body into
/// `{"encryptedData":"<jwe>"}` and [`decrypt_payload`](Self::decrypt_payload) turns
/// `{"encryptedData":"<jwe>"}` back into the body; bodies without `encryptedData` (plain error
/// responses) pass through untouched.
#[derive(Clone)]
pub struct EncryptionConfig {
    pub(crate) encryption_key: Option<EncryptionKey>,
    pub(crate) decryption_key: Option<DecryptionKey>,
    pub(crate) encryption_paths: Vec<Mapping>,
    pub(crate) decryption_paths: Vec<Mapping>,
    pub(crate) field_name: String,
    /// `field_name` as a JSON string literal, for writing envelopes without a serializer.
    pub(crate) field_name_json: String,
    pub(crate) max_plaintext_len: usize,
    pub(crate) allow_rsa_oaep: bool,
    pub(crate) check_kid: bool,
    pub(crate) require_paths: bool,
}

impl fmt::Debug for EncryptionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paths = |mappings: &[Mapping]| {
            mappings
                .iter()
                .map(|m| format!("{} -> {}", m.input, m.output))
                .collect::<Vec<_>>()
        };
        f.debug_struct("EncryptionConfig")
            .field("encryption_key", &self.encryption_key)
            .field("decryption_key", &self.decryption_key)
            .field("encryption_paths", &paths(&self.encryption_paths))
            .field("decryption_paths", &paths(&self.decryption_paths))
            .field("field_name", &self.field_name)
            .field("max_plaintext_len", &self.max_plaintext_len)
            .field("allow_rsa_oaep", &self.allow_rsa_oaep)
            .field("check_kid", &self.check_kid)
            .field("require_paths", &self.require_paths)
            .finish()
    }
}

impl EncryptionConfig {
    /// Starts a configuration with Mastercard's defaults.
    pub fn builder() -> EncryptionConfigBuilder {
        EncryptionConfigBuilder::default()
    }

    /// The `kid` sent with encrypted requests, if an encryption key is configured.
    pub fn kid(&self) -> Option<&str> {
        self.encryption_key.as_ref().map(EncryptionKey::kid)
    }

    /// The name of the field that carries JWE strings.
    pub fn encrypted_value_field_name(&self) -> &str {
        &self.field_name
    }
}

/// Builds an [`EncryptionConfig`]; every setter is optional except at least one key.
#[derive(Debug, Default)]
pub struct EncryptionConfigBuilder {
    encryption_key: Option<EncryptionKey>,
    decryption_key: Option<DecryptionKey>,
    encryption_paths: Vec<(String, String)>,
    decryption_paths: Vec<(String, String)>,
    field_name: Option<String>,
    max_plaintext_len: Option<usize>,
    allow_rsa_oaep: bool,
    skip_kid_check: bool,
    require_paths: bool,
}

impl EncryptionConfigBuilder {
    /// The key that encrypts outgoing payloads (Mastercard's certificate on a client; the
    /// client's certificate on a server or sandbox).
    #[must_use]
    pub fn encryption_key(mut self, key: EncryptionKey) -> Self {
        self.encryption_key = Some(key);
        self
    }

    /// The key that decrypts incoming payloads.
    #[must_use]
    pub fn decryption_key(mut self, key: DecryptionKey) -> Self {
        self.decryption_key = Some(key);
        self
    }

    /// Encrypts the value at `input` into the `encryptedData` field of the object at `output`.
    /// Repeatable; the first call replaces the default `$ → $`.
    #[must_use]
    pub fn encryption_path(mut self, input: impl Into<String>, output: impl Into<String>) -> Self {
        self.encryption_paths.push((input.into(), output.into()));
        self
    }

    /// Decrypts the JWE string at `input` and writes the plaintext at `output` (merging objects).
    /// Repeatable; the first call replaces the default `$.encryptedData → $`.
    #[must_use]
    pub fn decryption_path(mut self, input: impl Into<String>, output: impl Into<String>) -> Self {
        self.decryption_paths.push((input.into(), output.into()));
        self
    }

    /// Renames the field that carries JWE strings (default `encryptedData`). The default
    /// decryption path follows the new name.
    #[must_use]
    pub fn encrypted_value_field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = Some(name.into());
        self
    }

    /// Caps the ciphertext size of a token accepted for decryption (default 32 MiB).
    #[must_use]
    pub fn max_plaintext_len(mut self, bytes: usize) -> Self {
        self.max_plaintext_len = Some(bytes);
        self
    }

    /// Also accepts `alg: RSA-OAEP` (SHA-1) tokens; off by default.
    #[must_use]
    pub fn allow_rsa_oaep(mut self, allow: bool) -> Self {
        self.allow_rsa_oaep = allow;
        self
    }

    /// Stops rejecting tokens whose `kid` names another key. Prefer
    /// [`DecryptionKey::accept_kid`]; this exists for servers that send unexpected kids.
    #[must_use]
    pub fn skip_kid_check(mut self, skip: bool) -> Self {
        self.skip_kid_check = skip;
        self
    }

    /// Makes a configured input path that is absent from a payload an error
    /// ([`JweError::PathNotFound`]) instead of Mastercard's default of skipping it; a decryption
    /// path holding `null` or `""` becomes [`JweError::EmptyEncryptedValue`].
    #[must_use]
    pub fn require_paths(mut self, require: bool) -> Self {
        self.require_paths = require;
        self
    }

    /// Validates the paths and keys.
    pub fn build(self) -> Result<EncryptionConfig, JweError> {
        if self.encryption_key.is_none() && self.decryption_key.is_none() {
            return Err(JweError::MissingKey("encryption or decryption key"));
        }
        let field_name = self
            .field_name
            .unwrap_or_else(|| DEFAULT_FIELD_NAME.to_owned());
        if field_name.is_empty() {
            return Err(JweError::InvalidPath {
                path: field_name,
                reason: "empty encrypted value field name",
            });
        }
        let encryption_paths = if self.encryption_paths.is_empty() {
            vec![("$".to_owned(), "$".to_owned())]
        } else {
            self.encryption_paths
        };
        let decryption_paths = if self.decryption_paths.is_empty() {
            vec![(format!("$.{field_name}"), "$".to_owned())]
        } else {
            self.decryption_paths
        };
        Ok(EncryptionConfig {
            encryption_key: self.encryption_key,
            decryption_key: self.decryption_key,
            encryption_paths: parse_mappings(encryption_paths)?,
            decryption_paths: parse_mappings(decryption_paths)?,
            field_name_json: serde_json::Value::String(field_name.clone()).to_string(),
            field_name,
            max_plaintext_len: self.max_plaintext_len.unwrap_or(DEFAULT_MAX_PLAINTEXT_LEN),
            allow_rsa_oaep: self.allow_rsa_oaep,
            check_kid: !self.skip_kid_check,
            require_paths: self.require_paths,
        })
    }
}

fn parse_mappings(pairs: Vec<(String, String)>) -> Result<Vec<Mapping>, JweError> {
    pairs
        .into_iter()
        .map(|(input, output)| {
            Ok(Mapping {
                input: input.parse()?,
                output: output.parse()?,
            })
        })
        .collect()
}
