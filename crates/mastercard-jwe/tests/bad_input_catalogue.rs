//! The bad-input catalogue of the JWE crate: hostile tokens, bodies and keys, each with the typed
//! error it must produce and what the message must say. One table, run by one test; a second test
//! keeps the table from shrinking unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::OnceLock;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey, JweError, Segment};
use mastercard_keys::{Certificate, ValidityPolicy};
use mastercard_testkit::pki::{self, Validity};
use openssl::encrypt::Encrypter;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use openssl::symm::{Cipher, encrypt_aead};
use openssl::x509::X509;

struct Fixture {
    key: PKey<Private>,
    cert: X509,
    config: EncryptionConfig,
    /// Requires every path and a token at each, as the CLI does.
    strict: EncryptionConfig,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (key, cert) = common::key_and_cert(2048);
        let build = |require: bool| {
            EncryptionConfig::builder()
                .encryption_key(EncryptionKey::from_x509(&cert).unwrap())
                .decryption_key(DecryptionKey::from_pkey(&key).unwrap())
                .require_paths(require)
                .build()
                .unwrap()
        };
        Fixture {
            config: build(false),
            strict: build(true),
            key,
            cert,
        }
    })
}

/// A token built by hand: any header, any content key, any IV; RSA-OAEP-256 to the fixture's key
/// and AES-GCM (sized by the content key) under the header as AAD, so only what the case changes
/// is wrong.
fn forge(header: &str, cek: &[u8], iv: &[u8], plaintext: &[u8]) -> String {
    let f = fixture();
    let header_b64 = B64.encode(header);
    let mut encrypter = Encrypter::new(&f.key).unwrap();
    encrypter.set_rsa_padding(Padding::PKCS1_OAEP).unwrap();
    encrypter.set_rsa_oaep_md(MessageDigest::sha256()).unwrap();
    encrypter.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
    let mut wrapped = vec![0; encrypter.encrypt_len(cek).unwrap()];
    let len = encrypter.encrypt(cek, &mut wrapped).unwrap();
    wrapped.truncate(len);
    let cipher = match cek.len() {
        16 => Cipher::aes_128_gcm(),
        24 => Cipher::aes_192_gcm(),
        _ => Cipher::aes_256_gcm(),
    };
    let mut tag = [0u8; 16];
    let ciphertext = encrypt_aead(
        cipher,
        &cek[..cipher.key_len()],
        Some(iv),
        header_b64.as_bytes(),
        plaintext,
        &mut tag,
    )
    .unwrap();
    [
        header_b64,
        B64.encode(wrapped),
        B64.encode(iv),
        B64.encode(ciphertext),
        B64.encode(tag),
    ]
    .join(".")
}

const GOOD_HEADER: &str = r#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#;

fn forge_header(header: &str) -> String {
    forge(header, &[7; 32], &[1; 12], b"{}")
}

/// A well-formed token whose segment `index` is replaced by `replacement`.
fn with_segment(index: usize, replacement: &str) -> String {
    let token = forge_header(GOOD_HEADER);
    let mut segments: Vec<&str> = token.split('.').collect();
    segments[index] = replacement;
    segments.join(".")
}

fn decrypt(token: &str) -> Result<Vec<u8>, JweError> {
    fixture().config.decrypt_compact(token)
}

fn envelope(token: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "encryptedData": token })).unwrap()
}

fn nested(depth: usize) -> Vec<u8> {
    [vec![b'['; depth], vec![b']'; depth]].concat()
}

fn certificate_key(x509: &X509, validity: ValidityPolicy) -> Result<Vec<u8>, JweError> {
    let certificate = Certificate::from_x509(x509.clone());
    EncryptionKey::from_certificate(&certificate, validity).map(|_| Vec::new())
}

/// Both directions at the field `$.a` (these paths build a JSON tree, unlike the whole-payload
/// default, which validates and copies bytes).
fn field_config() -> EncryptionConfig {
    let f = fixture();
    EncryptionConfig::builder()
        .encryption_key(EncryptionKey::from_x509(&f.cert).unwrap())
        .decryption_key(DecryptionKey::from_pkey(&f.key).unwrap())
        .encryption_path("$.a", "$.a")
        .decryption_path("$.a.encryptedData", "$.a")
        .build()
        .unwrap()
}

struct Case {
    name: &'static str,
    run: fn() -> Result<Vec<u8>, JweError>,
    expect: fn(&JweError) -> bool,
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    // Invalid UTF-8 is refused, never replaced (#10.7).
    Case {
        name: "encrypting a JSON string holding byte 0xFF",
        run: || fixture().config.encrypt_payload(b"\"\xff\""),
        expect: |e| matches!(e, JweError::NotUtf8 { offset: 1, .. }),
        says: &["the body is not UTF-8", "offset 1"],
    },
    Case {
        name: "encrypting an object with an invalid UTF-8 value",
        run: || fixture().config.encrypt_payload(b"{\"a\":\"x\xc3\"}"),
        expect: |e| matches!(e, JweError::NotUtf8 { offset: 7, .. }),
        says: &["not UTF-8"],
    },
    Case {
        name: "encrypting invalid UTF-8 at a field path",
        run: || {
            EncryptionConfig::builder()
                .encryption_key(EncryptionKey::from_x509(&fixture().cert).unwrap())
                .encryption_path("$.a", "$")
                .build()
                .unwrap()
                .encrypt_payload(b"{\"a\":\"\xff\"}")
        },
        expect: |e| matches!(e, JweError::NotUtf8 { .. }),
        says: &["not UTF-8"],
    },
    Case {
        name: "a response body with invalid UTF-8",
        run: || fixture().config.decrypt_payload(b"{\"Errors\":\"\xfe\"}"),
        expect: |e| matches!(e, JweError::NotUtf8 { .. }),
        says: &["the body is not UTF-8"],
    },
    Case {
        name: "a token whose plaintext is a JSON string holding byte 0xFF",
        run: || {
            let token = fixture().config.encrypt_compact(b"\"\xff\"").unwrap();
            fixture().config.decrypt_payload(&envelope(&token))
        },
        expect: |e| matches!(e, JweError::NotUtf8 { what, .. } if what.contains("plaintext")),
        says: &["the decrypted plaintext is not UTF-8"],
    },
    Case {
        name: "a token whose plaintext is bare non-UTF-8 bytes, at a field path",
        run: || {
            let f = fixture();
            let token = f.config.encrypt_compact(b"\xff\xfe").unwrap();
            let body =
                serde_json::to_vec(&serde_json::json!({"x": {"encryptedData": token}})).unwrap();
            EncryptionConfig::builder()
                .decryption_key(DecryptionKey::from_pkey(&f.key).unwrap())
                .decryption_path("$.x.encryptedData", "$.x")
                .build()
                .unwrap()
                .decrypt_payload(&body)
        },
        expect: |e| matches!(e, JweError::PlaintextNotUtf8),
        says: &["not UTF-8"],
    },
    // Nesting limits are named (#10.11).
    Case {
        name: "encrypting JSON nested 200 deep at a field path",
        run: || {
            let body = [&b"{\"a\":"[..], &nested(200), b"}"].concat();
            field_config().encrypt_payload(&body)
        },
        expect: |e| matches!(e, JweError::JsonTooDeep { .. }),
        says: &["deeper than 128 levels"],
    },
    Case {
        name: "a response body nested 200 deep",
        run: || fixture().config.decrypt_payload(&nested(200)),
        expect: |e| matches!(e, JweError::JsonTooDeep { .. }),
        says: &["the body nests JSON deeper"],
    },
    Case {
        name: "a field-level token whose plaintext nests 200 deep (was turned into a string)",
        run: || {
            let token = fixture().config.encrypt_compact(&nested(200)).unwrap();
            let body =
                serde_json::to_vec(&serde_json::json!({"a": {"encryptedData": token}})).unwrap();
            field_config().decrypt_payload(&body)
        },
        expect: |e| matches!(e, JweError::JsonTooDeep { what, .. } if what.contains("plaintext")),
        says: &["decrypted plaintext nests JSON deeper"],
    },
    Case {
        name: "a protected header nested 200 deep",
        run: || {
            let header = format!(
                r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","x":{}}}"#,
                String::from_utf8(nested(200)).unwrap()
            );
            decrypt(&forge_header(&header))
        },
        expect: |e| matches!(e, JweError::InvalidHeader(reason) if reason.contains("too deeply")),
        says: &["nested too deeply"],
    },
    Case {
        name: "encrypting text that is not JSON",
        run: || fixture().config.encrypt_payload(b"{oops"),
        expect: |e| matches!(e, JweError::InvalidJson { line: 1, .. }),
        says: &["not valid JSON"],
    },
    // The header's enc does not fit the content key (#10.11).
    Case {
        name: "enc A128GCM over a 32-byte content key",
        run: || {
            decrypt(&forge(
                r#"{"alg":"RSA-OAEP-256","enc":"A128GCM"}"#,
                &[7; 32],
                &[1; 12],
                b"{}",
            ))
        },
        expect: |e| {
            matches!(
                e,
                JweError::ContentKeyLengthMismatch {
                    enc: "A128GCM",
                    expected: 16,
                    found: 32
                }
            )
        },
        says: &[
            "declares enc A128GCM",
            "32-byte",
            "not a wrong decryption key",
        ],
    },
    Case {
        name: "enc A256GCM over a 16-byte content key",
        run: || decrypt(&forge(GOOD_HEADER, &[7; 16], &[1; 12], b"{}")),
        expect: |e| matches!(e, JweError::ContentKeyLengthMismatch { found: 16, .. }),
        says: &["A256GCM"],
    },
    // Nothing to decrypt where one is required (#10.8).
    Case {
        name: "a required encryptedData that is null",
        run: || {
            fixture()
                .strict
                .decrypt_payload(br#"{"encryptedData":null}"#)
        },
        expect: |e| matches!(e, JweError::EmptyEncryptedValue(path) if path.contains("encryptedData")),
        says: &["null or empty", "no JWE to decrypt"],
    },
    Case {
        name: "a required encryptedData that is empty",
        run: || fixture().strict.decrypt_payload(br#"{"encryptedData":""}"#),
        expect: |e| matches!(e, JweError::EmptyEncryptedValue(_)),
        says: &["null or empty"],
    },
    Case {
        name: "a required path that is absent",
        run: || fixture().strict.decrypt_payload(br#"{"a":1}"#),
        expect: |e| matches!(e, JweError::PathNotFound(_)),
        says: &["not found"],
    },
    Case {
        name: "encryptedData holding a number",
        run: || fixture().config.decrypt_payload(br#"{"encryptedData":42}"#),
        expect: |e| matches!(e, JweError::NotAString(_)),
        says: &["not a JWE compact string"],
    },
    // Keys and certificates (#10.9, #10.11).
    Case {
        name: "an EC encryption certificate",
        run: || {
            let ec = PKey::from_ec_key(
                openssl::ec::EcKey::generate(
                    &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)
                        .unwrap(),
                )
                .unwrap(),
            )
            .unwrap();
            certificate_key(&pki::self_signed(&ec, "ec"), ValidityPolicy::IgnoreDates)
        },
        expect: |e| matches!(e, JweError::WrongKeyType(found) if found == "EC"),
        says: &["EC", "Mastercard encryption needs RSA"],
    },
    Case {
        name: "an expired encryption certificate",
        run: || {
            let cert = pki::certificate(&fixture().key, "old", None, false, &[], Validity::EXPIRED);
            certificate_key(&cert, ValidityPolicy::EnforceAt(SystemTime::now()))
        },
        expect: |e| matches!(e, JweError::CertificateExpired { subject, .. } if subject == "CN=old"),
        says: &["expired on", "notAfter", "Mastercard Developers"],
    },
    Case {
        name: "an encryption certificate not valid yet",
        run: || {
            let validity = Validity {
                from_days: 5,
                until_days: 50,
            };
            let cert = pki::certificate(&fixture().key, "new", None, false, &[], validity);
            certificate_key(&cert, ValidityPolicy::EnforceAt(SystemTime::now()))
        },
        expect: |e| matches!(e, JweError::CertificateNotYetValid { .. }),
        says: &["not valid before", "notBefore", "clock"],
    },
    Case {
        name: "a 1024-bit encryption certificate",
        run: || certificate_key(&common::key_and_cert(1024).1, ValidityPolicy::IgnoreDates),
        expect: |e| matches!(e, JweError::KeyTooSmall(1024)),
        says: &["1024 bits"],
    },
    // Structure of the compact serialization.
    Case {
        name: "four segments",
        run: || decrypt("a.b.c.d"),
        expect: |e| matches!(e, JweError::MalformedCompact(_)),
        says: &["5 dot-separated segments"],
    },
    Case {
        name: "an empty encrypted key (direct encryption)",
        run: || decrypt(&with_segment(1, "")),
        expect: |e| matches!(e, JweError::MalformedCompact(reason) if reason.contains("direct")),
        says: &["direct encryption is refused"],
    },
    Case {
        name: "a header that is not base64url",
        run: || decrypt(&with_segment(0, "eyJ*")),
        expect: |e| matches!(e, JweError::InvalidBase64(Segment::Header)),
        says: &["protected header"],
    },
    Case {
        name: "a header that is not JSON",
        run: || decrypt(&with_segment(0, &B64.encode("not json"))),
        expect: |e| matches!(e, JweError::InvalidHeader("not valid JSON")),
        says: &["not valid JSON"],
    },
    Case {
        name: "alg none",
        run: || decrypt(&forge_header(r#"{"alg":"none","enc":"A256GCM"}"#)),
        expect: |e| matches!(e, JweError::UnsupportedAlgorithm(alg) if alg == "none"),
        says: &["only RSA-OAEP-256"],
    },
    Case {
        name: "alg RSA-OAEP without opting in",
        run: || decrypt(&forge_header(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)),
        expect: |e| matches!(e, JweError::UnsupportedAlgorithm(_)),
        says: &["RSA-OAEP"],
    },
    Case {
        name: "enc XC20P",
        run: || decrypt(&forge_header(r#"{"alg":"RSA-OAEP-256","enc":"XC20P"}"#)),
        expect: |e| matches!(e, JweError::UnsupportedEncryption(_)),
        says: &["XC20P", "A256GCM"],
    },
    Case {
        name: "zip in the header",
        run: || {
            decrypt(&forge_header(
                r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"DEF"}"#,
            ))
        },
        expect: |e| matches!(e, JweError::UnsupportedCompression),
        says: &["compression"],
    },
    Case {
        name: "crit in the header",
        run: || {
            decrypt(&forge_header(
                r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["x"]}"#,
            ))
        },
        expect: |e| matches!(e, JweError::UnsupportedCritical),
        says: &["critical"],
    },
    Case {
        name: "an 8-byte GCM IV",
        run: || decrypt(&forge(GOOD_HEADER, &[7; 32], &[1; 8], b"{}")),
        expect: |e| matches!(e, JweError::InvalidIvLength { len: 8, .. }),
        says: &["IV length 8"],
    },
    Case {
        name: "a truncated 12-byte tag",
        run: || decrypt(&with_segment(4, &B64.encode([0u8; 12]))),
        expect: |e| matches!(e, JweError::InvalidTagLength { len: 12 }),
        says: &["16 are required"],
    },
    Case {
        name: "a kid naming another key",
        run: || {
            decrypt(&forge_header(
                r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"someone-else"}"#,
            ))
        },
        expect: |e| matches!(e, JweError::KidMismatch { kid, .. } if kid == "someone-else"),
        says: &["does not match the decryption key"],
    },
    Case {
        name: "a token for another key",
        run: || {
            let (_, other) = common::key_and_cert(2048);
            let token = EncryptionConfig::builder()
                .encryption_key(EncryptionKey::from_x509(&other).unwrap())
                .build()
                .unwrap()
                .encrypt_compact(b"{}")
                .unwrap();
            EncryptionConfig::builder()
                .decryption_key(DecryptionKey::from_pkey(&fixture().key).unwrap())
                .skip_kid_check(true)
                .build()
                .unwrap()
                .decrypt_compact(&token)
        },
        expect: |e| matches!(e, JweError::KeyUnwrap),
        says: &["wrong decryption key"],
    },
    Case {
        name: "a tampered ciphertext",
        run: || {
            let token = forge(GOOD_HEADER, &[7; 32], &[1; 12], br#"{"a":1}"#);
            let mut segments: Vec<String> = token.split('.').map(str::to_owned).collect();
            let mut ciphertext = B64.decode(&segments[3]).unwrap();
            ciphertext[0] ^= 1;
            segments[3] = B64.encode(ciphertext);
            decrypt(&segments.join("."))
        },
        expect: |e| matches!(e, JweError::AuthenticationFailed),
        says: &["tampered"],
    },
    Case {
        name: "a token above the size cap",
        run: || {
            let f = fixture();
            let token = f.config.encrypt_compact(&[b' '; 4096]).unwrap();
            EncryptionConfig::builder()
                .decryption_key(DecryptionKey::from_pkey(&f.key).unwrap())
                .max_plaintext_len(1024)
                .build()
                .unwrap()
                .decrypt_compact(&token)
        },
        expect: |e| matches!(e, JweError::TooLarge { max: 1024, .. }),
        says: &["exceeds the configured maximum"],
    },
    Case {
        name: "a decryption-only configuration asked to encrypt",
        run: || {
            EncryptionConfig::builder()
                .decryption_key(DecryptionKey::from_pkey(&fixture().key).unwrap())
                .build()
                .unwrap()
                .encrypt_payload(b"{}")
        },
        expect: |e| matches!(e, JweError::MissingKey(_)),
        says: &["no encryption key configured"],
    },
];

#[test]
fn every_catalogued_bad_input_gives_its_typed_error_and_message() {
    let mut failures = Vec::new();
    for case in CASES {
        match (case.run)() {
            Ok(output) => failures.push(format!(
                "{}: accepted, gave {} bytes",
                case.name,
                output.len()
            )),
            Err(error) => {
                let message = error.to_string();
                if !(case.expect)(&error) {
                    failures.push(format!("{}: unexpected {error:?}", case.name));
                }
                for words in case.says {
                    if !message.contains(words) {
                        failures.push(format!("{}: {message:?} lacks {words:?}", case.name));
                    }
                }
                if message.contains('\u{fffd}') {
                    failures.push(format!("{}: message holds U+FFFD", case.name));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_catalogue_keeps_its_size() {
    assert!(CASES.len() >= 35, "{} cases", CASES.len());
    let mut names: Vec<_> = CASES.iter().map(|case| case.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names are unique");
}

/// The forged tokens are otherwise right, and the refusals above are not blanket ones: the same
/// shapes with the one defect removed decrypt.
#[test]
fn the_same_inputs_pass_when_they_are_right() {
    let f = fixture();
    assert_eq!(decrypt(&forge_header(GOOD_HEADER)).unwrap(), b"{}");
    let a128 = forge(
        r#"{"alg":"RSA-OAEP-256","enc":"A128GCM"}"#,
        &[7; 16],
        &[1; 12],
        b"[1]",
    );
    assert_eq!(decrypt(&a128).unwrap(), b"[1]");
    // The whole-payload path never builds a tree (its syntax check does not recurse), so deep
    // nesting is no hazard there and passes verbatim both ways.
    let deep = f.config.encrypt_payload(&nested(200)).unwrap();
    assert_eq!(f.config.decrypt_payload(&deep).unwrap(), nested(200));
    // At a field path, 127 levels is within serde_json's limit of 128.
    let body = [&b"{\"a\":"[..], &nested(126), b"}"].concat();
    let encrypted = field_config().encrypt_payload(&body).unwrap();
    assert_eq!(field_config().decrypt_payload(&encrypted).unwrap(), body);
    // Valid multi-byte UTF-8 passes untouched both ways.
    let body = "{\"name\":\"Zoë 日本 🎉\"}".as_bytes();
    let encrypted = f.config.encrypt_payload(body).unwrap();
    assert_eq!(f.config.decrypt_payload(&encrypted).unwrap(), body);
    // A null encryptedData still passes through a client's (non-strict) configuration.
    let plain = br#"{"encryptedData":null}"#;
    assert_eq!(f.config.decrypt_payload(plain).unwrap(), plain);
    // The current certificate passes the enforced policy.
    let current = Certificate::from_x509(f.cert.clone());
    assert!(EncryptionKey::from_certificate(&current, ValidityPolicy::enforce_now()).is_ok());
}
