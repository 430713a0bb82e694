//! Property tests: arbitrary JSON survives encryption and decryption, whole-payload and through
//! arbitrary field paths; arbitrary garbage never panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::LazyLock;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Key generation is the slow part; one key pair serves every case.
static KEYS: LazyLock<(EncryptionKey, DecryptionKey)> = LazyLock::new(|| {
    let (key, cert) = common::key_and_cert(2048);
    (
        EncryptionKey::from_x509(&cert).unwrap(),
        DecryptionKey::from_pkey(&key).unwrap(),
    )
});

fn config(paths: Option<(&str, &str)>) -> EncryptionConfig {
    let mut builder = EncryptionConfig::builder()
        .encryption_key(KEYS.0.clone())
        .decryption_key(KEYS.1.clone());
    if let Some((field, encrypted)) = paths {
        builder = builder
            .encryption_path(format!("$.outer.{field}"), format!("$.outer.{encrypted}"))
            .decryption_path(
                format!("$.outer.{encrypted}.encryptedData"),
                format!("$.outer.{field}"),
            );
    }
    builder.build().unwrap()
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names the path syntax accepts (no `.`, `[`, `]`, `*`).
fn field_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_-]{0,10}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn whole_payload_round_trip(doc in json_value()) {
        let config = config(None);
        let body = serde_json::to_vec(&doc).unwrap();
        let encrypted = config.encrypt_payload(&body).unwrap();
        let envelope: Value = serde_json::from_slice(&encrypted).unwrap();
        prop_assert!(envelope["encryptedData"].is_string());
        let decrypted: Value = serde_json::from_slice(&config.decrypt_payload(&encrypted).unwrap()).unwrap();
        prop_assert_eq!(decrypted, doc);
    }

    #[test]
    fn field_level_round_trip(
        value in json_value(),
        siblings in prop::collection::btree_map("s[a-z]{0,5}", json_leaf(), 0..4),
        field in field_name(),
        encrypted in field_name(),
    ) {
        prop_assume!(field != encrypted && !siblings.contains_key(&encrypted));
        let mut outer: Map<String, Value> = siblings.into_iter().collect();
        outer.insert(field.clone(), value.clone());
        let doc = serde_json::json!({"outer": outer, "top": 1});
        let config = config(Some((&field, &encrypted)));
        let sealed = config.encrypt_value(doc.clone()).unwrap();
        prop_assert!(sealed["outer"].get(&field).is_none());
        prop_assert!(sealed["outer"][&encrypted]["encryptedData"].is_string());
        let opened = config.decrypt_value(sealed).unwrap();
        // Objects are merged at the output path, so compare the moved value and the rest.
        prop_assert_eq!(&opened["outer"][&field], &value);
        prop_assert_eq!(&opened["top"], &serde_json::json!(1));
        prop_assert!(opened["outer"].get(&encrypted).is_none());
    }

    #[test]
    fn garbage_never_panics(input in "\\PC{0,300}", dots in prop::collection::vec(any::<u8>(), 0..8)) {
        let config = config(None);
        let mut token = input.clone();
        for d in dots {
            let at = usize::from(d) % (token.len() + 1);
            if token.is_char_boundary(at) {
                token.insert(at, '.');
            }
        }
        prop_assert!(config.decrypt_compact(&token).is_err());
        let body = serde_json::json!({"encryptedData": token}).to_string();
        prop_assert!(config.decrypt_payload(body.as_bytes()).is_err());
        let _ = config.decrypt_payload(input.as_bytes());
    }
}
