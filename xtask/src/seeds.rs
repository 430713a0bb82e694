//! Seed corpora and dictionaries for the fuzz targets, built by code at every run (never
//! committed): tokens and signatures made with the fuzz crate's throwaway key, keys in every
//! format, the request and error examples of the cached specs, and — when
//! `$MASTERCARD_VECTORS_DIR` is set — Mastercard's published vectors and test keys.

use std::path::{Path, PathBuf};

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::openssl::pkey::{PKey, Private};
use mastercard_keys::openssl::symm::Cipher;
use mastercard_keys::{Pkcs12Options, PrivateKey, PublicKey};
use mastercard_oauth1::{Request, Signer, SigningParams};
use serde_json::{Value, json};

use crate::Result;

/// The password and alias the `keys_load` target tries (its seeds use them).
const PASSWORD: &str = "fuzz-password";
const ALIAS: &str = "fuzz";

/// Replaces `dir` with the seeds of `target`; returns the dictionary to use, if any.
pub fn write(root: &Path, target: &str, dir: &Path) -> Result<Option<PathBuf>> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|error| format!("cannot clear {}: {error}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let seeds = match target {
        "jwe_decrypt" => jwe(root)?,
        "oauth1_header" => oauth1_headers(root)?,
        "oauth1_base_string" => oauth1_requests(),
        "error_body" => error_bodies(root)?,
        "keys_load" => keys()?,
        "sandbox_validate" => spec_examples(root)?,
        other => return Err(format!("no seeds for {other}").into()),
    };
    let mut seeds = seeds;
    seeds.extend(vectors(target)?);
    for (index, seed) in seeds.iter().enumerate() {
        let path = dir.join(format!("seed-{index:04}"));
        std::fs::write(&path, seed)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    }
    println!("    {} seeds for {target}", seeds.len());
    let committed = root
        .join("fuzz")
        .join("dict")
        .join(format!("{target}.dict"));
    if target == "sandbox_validate" {
        // The field names of both specs, so the fuzzer can name fields the types know.
        let path = dir.with_extension("dict");
        std::fs::write(&path, spec_dictionary(root)?)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        Ok(Some(path))
    } else if committed.is_file() {
        Ok(Some(committed))
    } else {
        Ok(None)
    }
}

fn throwaway_key(root: &Path) -> Result<PrivateKey> {
    let path = root.join("fuzz").join("throwaway-rsa2048.pem");
    let pem =
        std::fs::read(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Ok(PrivateKey::from_bytes(&pem, &Pkcs12Options::default())?)
}

/// Envelopes and compact tokens encrypted to the throwaway key, in the shapes the target's three
/// configurations decrypt, plus bodies that must pass through.
fn jwe(root: &Path) -> Result<Vec<Vec<u8>>> {
    let key = throwaway_key(root)?;
    let public = PublicKey::from_private_key(&key)?;
    let whole = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_public_key(public.pkey())?)
        .decryption_key(DecryptionKey::from_private_key(&key)?)
        .build()?;
    let field_level = EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_public_key(public.pkey())?)
        .encryption_path("$.card", "$.card")
        .encrypted_value_field_name("encryptedValue")
        .build()?;
    let payloads: [&[u8]; 5] = [
        br#"{"pan":"5123456789012345","expiry":"12/30"}"#,
        br#"{"nested":{"a":[1,2.5,-3e10,true,null,"\u00e9"]}}"#,
        b"[]",
        b"\"a string\"",
        b"12345678901234567890",
    ];
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for payload in payloads {
        seeds.push(whole.encrypt_payload(payload)?);
        seeds.push(whole.encrypt_compact(payload)?.into_bytes());
    }
    seeds.push(
        field_level.encrypt_payload(
            br#"{"card":{"pan":"5123456789012345"},"items":[{"x":1}],"other":2}"#,
        )?,
    );
    seeds.push(br#"{"Errors":{"Error":[{"ReasonCode":"DECLINED"}]}}"#.to_vec());
    seeds.push(br#"{"encryptedData":null}"#.to_vec());
    seeds.push(b"".to_vec());
    Ok(seeds)
}

/// Headers the throwaway key signed, and variants of their layout.
fn oauth1_headers(root: &Path) -> Result<Vec<Vec<u8>>> {
    let signer = Signer::new("fuzz-consumer-key", throwaway_key(root)?)?;
    let params = SigningParams {
        timestamp: 1_700_000_000,
        nonce: "kbQ3tMrmHSfdSpEC".into(),
    };
    let request = Request::new(
        "POST",
        "https://sandbox.api.mastercard.com/mastercom/v6/claims?a=1",
        br#"{"x":1}"#,
    );
    let header = signer.sign_with(&request, &params)?.authorization;
    let spaced = header.replace("\",", "\", ");
    let lower = header.replacen("OAuth", "oauth", 1);
    let realm = header.replacen("OAuth ", "OAuth realm=\"x\",", 1);
    let duplicated = format!("{header},oauth_nonce=\"again\"");
    let truncated = header[..header.len() / 2].to_owned();
    Ok([header, spaced, lower, realm, duplicated, truncated]
        .into_iter()
        .map(String::into_bytes)
        .collect())
}

/// `method \n url \n consumer_key \n nonce \n body` requests around Mastercard's URL and query
/// rules.
fn oauth1_requests() -> Vec<Vec<u8>> {
    let urls = [
        "https://sandbox.api.mastercard.com/mastercom/v6/claims?a=1",
        "https://api.mastercard.com:443/x/y?b=2&a=1&a=0",
        "HTTP://EXAMPLE.com:80/%7Euser/a%20b?q=%20+%2B&empty=&flag",
        "https://[::1]:8443/path?x=%FF",
        "https://user:pw@example.com/?x=1#fragment",
        "https://example.com/p;matrix=1?%E2%82%AC=%E2%82%AC&z",
        "https://example.com?=&&=x&a==b",
        "http://127.0.0.1:99999/",
    ];
    let mut seeds = Vec::new();
    for (index, url) in urls.iter().enumerate() {
        let method = ["POST", "get", "PUT", "DELETE"][index % 4];
        let body = if index % 2 == 0 { r#"{"x":1}"# } else { "" };
        seeds.push(format!("{method}\n{url}\nconsumer-key!123\nnonce{index}\n{body}").into_bytes());
    }
    seeds
}

/// Both error shapes, by hand and from the specs' examples.
fn error_bodies(root: &Path) -> Result<Vec<Vec<u8>>> {
    let mut seeds: Vec<Vec<u8>> = [
        json!({"Errors": [{"Source": "mastercom", "ReasonCode": "INVALID", "Description": "d", "Recoverable": false, "Details": [{"Name": "n", "Value": "v"}]}]}),
        json!({"Errors": {"Error": [{"Source": "Gateway", "ReasonCode": "DECLINED", "Recoverable": "true", "RequestId": 42, "Details": "text"}]}}),
        json!({"errors": {"error": {"source": "s", "details": {"name": "n", "value": 1}}}}),
        json!({"Errors": {"Error": null}}),
        json!({"Errors": "flat"}),
    ]
    .iter()
    .map(|value| value.to_string().into_bytes())
    .collect();
    seeds.extend(
        examples(root)?
            .into_iter()
            .filter(|value| value.to_string().to_ascii_lowercase().contains("errors"))
            .map(|value| value.to_string().into_bytes()),
    );
    Ok(seeds)
}

/// One fresh RSA-2048 key and certificate in every format the loaders read.
fn keys() -> Result<Vec<Vec<u8>>> {
    let (key, cert) = mastercard_testkit::pki::key_and_self_signed("fuzz");
    let (ca_key, ca) = mastercard_testkit::pki::key_and_self_signed("fuzz CA");
    let rsa = key.rsa()?;
    let pkcs12 =
        mastercard_testkit::pki::pkcs12(&key, &cert, std::slice::from_ref(&ca), ALIAS, PASSWORD);
    let chain = [cert.to_pem()?, ca.to_pem()?].concat();
    let encrypted_pkcs8_pem =
        key.private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), PASSWORD.as_bytes())?;
    let encrypted_pkcs1_pem =
        rsa.private_key_to_pem_passphrase(Cipher::aes_128_cbc(), PASSWORD.as_bytes())?;
    let small: PKey<Private> = mastercard_testkit::pki::rsa(1024);
    Ok(vec![
        key.private_key_to_pem_pkcs8()?,
        rsa.private_key_to_pem()?,
        key.private_key_to_der()?,
        rsa.private_key_to_der()?,
        encrypted_pkcs8_pem,
        encrypted_pkcs1_pem,
        pkcs12,
        cert.to_pem()?,
        cert.to_der()?,
        chain,
        key.public_key_to_pem()?,
        key.public_key_to_der()?,
        rsa.public_key_to_pem_pkcs1()?,
        small.private_key_to_pem_pkcs8()?,
        ca_key.private_key_to_der()?,
    ])
}

/// Every example object of both cached specs (request bodies among them), as JSON.
fn spec_examples(root: &Path) -> Result<Vec<Vec<u8>>> {
    let mut seeds: Vec<Vec<u8>> = examples(root)?
        .into_iter()
        .map(|value| value.to_string().into_bytes())
        .collect();
    seeds.push(b"{}".to_vec());
    Ok(seeds)
}

fn cached_specs(root: &Path) -> Result<Vec<Value>> {
    let cache = root.join("openapi").join(".cache");
    let mut specs = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&cache)
        .map_err(|error| format!("cannot read {}: {error}", cache.display()))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        specs.push(mastercard_codegen::parse_spec(&bytes)?);
    }
    Ok(specs)
}

/// The objects and arrays under every `example` and every `examples.*.value` of the specs.
fn examples(root: &Path) -> Result<Vec<Value>> {
    fn walk(value: &Value, found: &mut Vec<Value>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match key.as_str() {
                        "example" if child.is_object() || child.is_array() => {
                            found.push(child.clone());
                        }
                        "examples" => {
                            if let Some(named) = child.as_object() {
                                for example in named.values() {
                                    if let Some(value) = example.get("value")
                                        && (value.is_object() || value.is_array())
                                    {
                                        found.push(value.clone());
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                    walk(child, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for spec in cached_specs(root)? {
        walk(&spec, &mut found);
    }
    found.sort_by_key(Value::to_string);
    found.dedup();
    Ok(found)
}

/// libFuzzer dictionary: every property name of both specs, as a JSON key.
fn spec_dictionary(root: &Path) -> Result<String> {
    fn walk(value: &Value, names: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "properties"
                        && let Some(properties) = child.as_object()
                    {
                        names.extend(properties.keys().cloned());
                    }
                    walk(child, names);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, names)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    for spec in cached_specs(root)? {
        walk(&spec, &mut names);
    }
    names.sort();
    names.dedup();
    Ok(names
        .iter()
        .filter(|name| {
            name.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        })
        .map(|name| format!("\"\\\"{name}\\\":\"\n"))
        .collect())
}

/// Mastercard's published vectors and test keys, read at run time from
/// `$MASTERCARD_VECTORS_DIR` (nothing when it is not set).
fn vectors(target: &str) -> Result<Vec<Vec<u8>>> {
    let Some(dir) = std::env::var_os("MASTERCARD_VECTORS_DIR").filter(|dir| !dir.is_empty()) else {
        return Ok(Vec::new());
    };
    let dir = PathBuf::from(dir);
    let json = |path: PathBuf| -> Result<Value> {
        let bytes = std::fs::read(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        Ok(serde_json::from_slice(&bytes)?)
    };
    let strings = |value: &Value, list: &str, field: &str| -> Vec<String> {
        value[list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item[field].as_str().map(str::to_owned))
            .collect()
    };
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    match target {
        "jwe_decrypt" => {
            let vectors = json(dir.join("jwe").join("vectors.json"))?;
            for token in strings(&vectors, "jwe_vectors", "jwe_compact") {
                seeds.push(json!({"encryptedData": token}).to_string().into_bytes());
                seeds.push(token.into_bytes());
            }
        }
        "oauth1_header" => {
            let vectors = json(dir.join("oauth1").join("vectors.json"))?;
            seeds.extend(
                strings(&vectors, "vectors", "expected_header")
                    .into_iter()
                    .map(String::into_bytes),
            );
        }
        "oauth1_base_string" => {
            let vectors = json(dir.join("oauth1").join("vectors.json"))?;
            for item in vectors["vectors"].as_array().into_iter().flatten() {
                let field = |name: &str| item[name].as_str().unwrap_or_default().to_owned();
                seeds.push(
                    format!(
                        "{}\n{}\n{}\n{}\n{}",
                        field("method"),
                        field("url"),
                        field("consumer_key"),
                        field("nonce"),
                        field("body")
                    )
                    .into_bytes(),
                );
            }
            for list in ["base_uri", "query_params"] {
                for url in strings(&vectors, list, "url") {
                    seeds.push(format!("GET\n{url}\nkey\nnonce\n").into_bytes());
                }
            }
        }
        "keys_load" => {
            for folder in [
                dir.join("jwe").join("keys"),
                dir.join("oauth1").join("keys"),
            ] {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                    .map_err(|error| format!("cannot read {}: {error}", folder.display()))?
                    .flatten()
                    .map(|entry| entry.path())
                    .collect();
                files.sort();
                for file in files {
                    seeds.push(
                        std::fs::read(&file)
                            .map_err(|error| format!("cannot read {}: {error}", file.display()))?,
                    );
                }
            }
        }
        _ => {}
    }
    Ok(seeds)
}
