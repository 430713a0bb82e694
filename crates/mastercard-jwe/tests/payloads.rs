//! Mastercard path semantics: whole payload, field level, pass-through, merging, header shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use serde_json::{Value, json};

fn both(
    builder: impl FnOnce(
        mastercard_jwe::EncryptionConfigBuilder,
    ) -> mastercard_jwe::EncryptionConfigBuilder,
) -> EncryptionConfig {
    let (key, cert) = common::key_and_cert(2048);
    builder(
        EncryptionConfig::builder()
            .encryption_key(EncryptionKey::from_x509(&cert).unwrap())
            .decryption_key(DecryptionKey::from_pkey(&key).unwrap()),
    )
    .build()
    .unwrap()
}

#[test]
fn header_is_byte_identical_to_java_order() {
    let config = common::config();
    let kid = config.kid().unwrap().to_owned();
    assert_eq!(kid.len(), 64);
    let token = config.encrypt_compact(b"{}").unwrap();
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 5);
    let header = String::from_utf8(B64.decode(segments[0]).unwrap()).unwrap();
    assert_eq!(
        header,
        format!(
            r#"{{"kid":"{kid}","cty":"application/json","enc":"A256GCM","alg":"RSA-OAEP-256"}}"#
        )
    );
    assert_eq!(B64.decode(segments[1]).unwrap().len(), 256);
    assert_eq!(B64.decode(segments[2]).unwrap().len(), 12);
    assert_eq!(B64.decode(segments[4]).unwrap().len(), 16);
}

#[test]
fn kid_override_is_sent_verbatim() {
    let (_, cert) = common::key_and_cert(2048);
    let config = EncryptionConfig::builder()
        .encryption_key(
            EncryptionKey::from_x509(&cert)
                .unwrap()
                .with_kid("2f4lvi26vJWzkzAIaiR2G0YsJAQ="),
        )
        .build()
        .unwrap();
    let token = config.encrypt_compact(b"{}").unwrap();
    let header: Value =
        serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["kid"], "2f4lvi26vJWzkzAIaiR2G0YsJAQ=");
}

#[test]
fn whole_payload_round_trip_keeps_bytes() {
    let config = common::config();
    let body = r#"{"amount": 12345678901234567890123, "name":"Zoë ✓"}"#.as_bytes();
    let request = config.encrypt_payload(body).unwrap();
    let envelope: Value = serde_json::from_slice(&request).unwrap();
    assert_eq!(envelope.as_object().unwrap().len(), 1);
    assert!(
        envelope["encryptedData"]
            .as_str()
            .unwrap()
            .starts_with("eyJ")
    );
    assert_eq!(config.decrypt_payload(&request).unwrap(), body);
    // A root array is encrypted too.
    let request = config.encrypt_payload(b"[{},{}]").unwrap();
    assert_eq!(config.decrypt_payload(&request).unwrap(), b"[{},{}]");
}

#[test]
fn empty_and_unencrypted_bodies_pass_through() {
    let config = common::config();
    assert_eq!(config.encrypt_payload(b"").unwrap(), b"");
    assert_eq!(config.decrypt_payload(b"").unwrap(), b"");
    for body in [
        &br#"{"Errors": {"Error": [{"Source": "Gateway", "ReasonCode": "INVALID"}]}}"#[..],
        br#"{"encryptedData": null}"#,
        br#"{"encryptedData": ""}"#,
    ] {
        assert_eq!(config.decrypt_payload(body).unwrap(), body);
    }
}

#[test]
fn field_level_paths() {
    let config = both(|b| {
        b.encryption_path("$.path.to.foo", "$.path.to.encryptedFoo")
            .decryption_path("$.path.to.encryptedFoo.encryptedData", "$.path.to.foo")
    });
    let doc =
        json!({"path": {"to": {"foo": {"sensitive": "this is a secret!", "n": 1}}}, "keep": true});
    let encrypted = config.encrypt_value(doc.clone()).unwrap();
    assert_eq!(encrypted["keep"], true);
    assert!(encrypted["path"]["to"].get("foo").is_none());
    assert!(encrypted["path"]["to"]["encryptedFoo"]["encryptedData"].is_string());
    assert_eq!(config.decrypt_value(encrypted).unwrap(), doc);
}

#[test]
fn field_level_primitives_keep_their_type() {
    let config = both(|b| {
        b.encryption_path("$.id", "$.encId")
            .encryption_path("$.n", "$.encN")
            .decryption_path("$.encId.encryptedData", "$.id")
            .decryption_path("$.encN.encryptedData", "$.n")
    });
    let doc = json!({"id": "123", "n": 123});
    let encrypted = config.encrypt_value(doc.clone()).unwrap();
    assert_eq!(config.decrypt_value(encrypted).unwrap(), doc);
}

#[test]
fn decrypted_objects_merge_into_existing_output() {
    let config = both(|b| {
        b.encryption_path("$.secret", "$.wrapper")
            .decryption_path("$.wrapper.encryptedData", "$.wrapper")
    });
    let encrypted = config
        .encrypt_value(json!({"secret": {"a": 1}, "wrapper": {"b": 2}}))
        .unwrap();
    assert_eq!(encrypted["wrapper"]["b"], 2);
    let decrypted = config.decrypt_value(encrypted).unwrap();
    assert_eq!(decrypted, json!({"wrapper": {"b": 2, "a": 1}}));
}

#[test]
fn missing_field_paths_are_skipped() {
    let config = both(|b| {
        b.encryption_path("$.absent", "$.enc")
            .decryption_path("$.enc.encryptedData", "$.absent")
    });
    let body = br#"{"present": 1}"#;
    assert_eq!(config.encrypt_payload(body).unwrap(), body);
    assert_eq!(config.decrypt_payload(body).unwrap(), body);
}

#[test]
fn custom_field_name_moves_the_default_decryption_path() {
    let config = both(|b| b.encrypted_value_field_name("encryptedResponse"));
    let request = config.encrypt_payload(br#"{"a":1}"#).unwrap();
    assert!(request.starts_with(br#"{"encryptedResponse":""#));
    assert_eq!(config.decrypt_payload(&request).unwrap(), br#"{"a":1}"#);
}

#[test]
fn raw_string_plaintext_becomes_a_json_string() {
    // Java, Node and Python encrypt string leaves without quotes.
    let config = common::config();
    let token = config.encrypt_compact(b"CUST_12345").unwrap();
    let body = json!({"encryptedData": token}).to_string();
    assert_eq!(
        config.decrypt_payload(body.as_bytes()).unwrap(),
        br#""CUST_12345""#
    );
}

#[test]
fn server_side_decrypts_requests_and_encrypts_responses() {
    // A sandbox holds Mastercard's private key and the client's certificate; the client holds
    // the reverse. Both use the default paths.
    let (server_key, server_cert) = common::key_and_cert(2048);
    let (client_key, client_cert) = common::key_and_cert(2048);
    let client = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&server_cert).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&client_key).unwrap())
        .build()
        .unwrap();
    let server = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&client_cert).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&server_key).unwrap())
        .build()
        .unwrap();
    let request = client.encrypt_payload(br#"{"q":1}"#).unwrap();
    assert_eq!(server.decrypt_payload(&request).unwrap(), br#"{"q":1}"#);
    let response = server.encrypt_payload(br#"{"r":2}"#).unwrap();
    assert_eq!(client.decrypt_payload(&response).unwrap(), br#"{"r":2}"#);
    assert!(client.decrypt_payload(&request).is_err());
}

#[test]
fn config_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<EncryptionConfig>();
    let config = std::sync::Arc::new(common::config());
    let worker = std::sync::Arc::clone(&config);
    let request = std::thread::spawn(move || worker.encrypt_payload(b"{\"t\":1}").unwrap())
        .join()
        .unwrap();
    assert_eq!(config.decrypt_payload(&request).unwrap(), b"{\"t\":1}");
}
