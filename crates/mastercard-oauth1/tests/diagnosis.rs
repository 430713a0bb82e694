//! Signature mismatches explained: each case names the part of the base string that differs.
//!
//! The gateway strings are the ones quoted in public issue threads of Mastercard's signer
//! libraries (used here as test data only); "ours" is what the client in that thread signed, or
//! a variant that isolates one cause.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mastercard_oauth1::{Difference, Side, acceptable_base_string, diagnose};

/// oauth1-signer-python #37 (MDES delete): the gateway's acceptable base string.
const PYTHON_37: &str = "POST&https%3A%2F%2Fsandbox.api.mastercard.com%2Fmdes%2Fdigitization%2Fstatic%2F1%2F0%2Fdelete&oauth_body_hash%3D5FDt0rM69jVreY5dwNJCGcrHeVDSe5tJuYQvFgDNElE%3D%26oauth_consumer_key%3Dwvy02aNQSjpjn3IEuFx_39Ew3mKD2I0e4qAGII_N9a062894%21833a8684c56e4abbb2bba5db3a1248550000000000000000%26oauth_nonce%3DO9WTR2xqUpBdSKVL%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1638619140%26oauth_version%3D1.0";

/// oauth1-signer-csharp #12 (currency conversion): the gateway's string as quoted up to the
/// consumer key, completed with the nonce and timestamp of the header quoted in the same thread.
/// The C# library sent percent-encoded header values, which the gateway encoded once more.
const CSHARP_12_THEIRS: &str = "GET&https%3A%2F%2Fsandbox.api.mastercard.com%2Fsettlement%2Fcurrencyrate%2Fconversion-rate-issued&date%3D2020-09-01%26oauth_body_hash%3D47DEQpj8HBSa%252B%252FTImW%252B5JCeuQeRkm5NMpJWZG3hSuFU%253D%26oauth_consumer_key%3DsfjCLAr0YrkZrURUaMjFL711iNV-Ip8Yw-ufTayE7f7dc766%252194dc33ebddba4d99bb797c3fb94aae2a0000000000000000%26oauth_nonce%3D40e031a22c0bbcde%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1616572266%26oauth_version%3D1.0";
/// What the C# library signed for that request: the same values, single-encoded.
const CSHARP_12_OURS: &str = "GET&https%3A%2F%2Fsandbox.api.mastercard.com%2Fsettlement%2Fcurrencyrate%2Fconversion-rate-issued&date%3D2020-09-01%26oauth_body_hash%3D47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D%26oauth_consumer_key%3DsfjCLAr0YrkZrURUaMjFL711iNV-Ip8Yw-ufTayE7f7dc766%2194dc33ebddba4d99bb797c3fb94aae2a0000000000000000%26oauth_nonce%3D40e031a22c0bbcde%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1616572266%26oauth_version%3D1.0";

/// A Mastercom GET (the API of oauth1-signer-nodejs #28, whose thread quotes only "GET&...").
const MASTERCOM: &str = "GET&https%3A%2F%2Fsandbox.api.mastercard.com%2Fmastercom%2Fv6%2Fqueues&oauth_body_hash%3D47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D%26oauth_consumer_key%3Dabc-abc-abc%21123%26oauth_nonce%3DkbQ3tMrmHSfdSpEC%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0%26queue-name%3DUnworked";

/// The kind of a difference, for the table.
fn kind(difference: &Difference) -> &'static str {
    match difference {
        Difference::Malformed { .. } => "malformed",
        Difference::Method { .. } => "method",
        Difference::Scheme { .. } => "scheme",
        Difference::Host { .. } => "host",
        Difference::Port { .. } => "port",
        Difference::Path { .. } => "path",
        Difference::QueryParameter { .. } => "query",
        Difference::BodyHash { .. } => "body_hash",
        Difference::ConsumerKey { .. } => "consumer_key",
        Difference::OAuthParameter { .. } => "oauth",
        Difference::ParameterOrder { .. } => "order",
        Difference::OuterEncoding => "outer_encoding",
        _ => "other",
    }
}

struct Case {
    name: &'static str,
    ours: String,
    theirs: String,
    /// The kinds of the differences, in order.
    kinds: &'static [&'static str],
    /// Text the readable diagnosis must contain.
    says: &'static [&'static str],
}

fn case(
    name: &'static str,
    ours: impl Into<String>,
    theirs: impl Into<String>,
    kinds: &'static [&'static str],
    says: &'static [&'static str],
) -> Case {
    Case {
        name,
        ours: ours.into(),
        theirs: theirs.into(),
        kinds,
        says,
    }
}

fn cases() -> Vec<Case> {
    let mastercom = |from: &str, to: &str| {
        assert!(MASTERCOM.contains(from), "{from}");
        MASTERCOM.replacen(from, to, 1)
    };
    vec![
        case(
            "python#37: body hashed before re-serialisation",
            PYTHON_37.replace(
                "5FDt0rM69jVreY5dwNJCGcrHeVDSe5tJuYQvFgDNElE%3D",
                "RBNvo1WzZ4oRRq0W9%2BhknpT7T8If536DEMBg9hyq%2F4o%3D",
            ),
            PYTHON_37,
            &["body_hash"],
            &[
                "body hash",
                "re-serialised",
                "5FDt0rM69jVreY5dwNJCGcrHeVDSe5tJuYQvFgDNElE=",
            ],
        ),
        case(
            "python#37: an empty body signed, a body sent",
            PYTHON_37.replace(
                "5FDt0rM69jVreY5dwNJCGcrHeVDSe5tJuYQvFgDNElE%3D",
                "47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D",
            ),
            PYTHON_37,
            &["body_hash"],
            &["we signed an empty body"],
        ),
        case(
            "python#37: a body signed, none received",
            PYTHON_37,
            PYTHON_37.replace(
                "5FDt0rM69jVreY5dwNJCGcrHeVDSe5tJuYQvFgDNElE%3D",
                "47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D",
            ),
            &["body_hash"],
            &["received no body"],
        ),
        case(
            "csharp#12: header values sent percent-encoded",
            CSHARP_12_OURS,
            CSHARP_12_THEIRS,
            &["body_hash", "consumer_key"],
            &[
                "body hash percent-encoded",
                "consumer key percent-encoded",
                "send it raw",
            ],
        ),
        case(
            "csharp#6/#21 shape: only the consumer key's `!` double-encoded",
            PYTHON_37,
            PYTHON_37.replace("62894%21833a", "62894%2521833a"),
            &["consumer_key"],
            &["consumer key", "%21"],
        ),
        case(
            "another consumer key",
            MASTERCOM,
            mastercom("abc-abc-abc%21123", "xyz-xyz%21999"),
            &["consumer_key"],
            &["another consumer key"],
        ),
        case(
            "nodejs#28 shape (Mastercom GET): explicit :443 kept by the signer",
            mastercom(
                "sandbox.api.mastercard.com%2F",
                "sandbox.api.mastercard.com%3A443%2F",
            ),
            MASTERCOM,
            &["port"],
            &["port: we signed :443, the gateway expected none"],
        ),
        case(
            "method",
            mastercom("GET&", "POST&"),
            MASTERCOM,
            &["method"],
            &["we signed POST, the gateway expected GET"],
        ),
        case(
            "scheme",
            mastercom("https%3A", "http%3A"),
            MASTERCOM,
            &["scheme"],
            &["scheme"],
        ),
        case(
            "host",
            mastercom("sandbox.api", "api"),
            MASTERCOM,
            &["host"],
            &["\"api.mastercard.com\"", "\"sandbox.api.mastercard.com\""],
        ),
        case(
            "java#18: path re-escaped (%40 → %2540)",
            mastercom("%2Fqueues", "%2Ffoo%2540bar"),
            mastercom("%2Fqueues", "%2Ffoo%40bar"),
            &["path"],
            &["encoded differently", "sign the path exactly as sent"],
        ),
        case(
            "another path",
            mastercom("%2Fqueues", "%2Fclaims"),
            MASTERCOM,
            &["path"],
            &["\"/mastercom/v6/claims\""],
        ),
        case(
            "java#12: query value encoded differently (':' vs %3A)",
            mastercom("queue-name%3DUnworked", "queue-name%3DUn%253Aworked"),
            mastercom("queue-name%3DUnworked", "queue-name%3DUn%3Aworked"),
            &["query"],
            &["query parameter \"queue-name\"", "encoded differently"],
        ),
        case(
            "issue #14: `+` read as a plus here, as a space by the gateway",
            mastercom("queue-name%3DUnworked", "queue-name%3DUn%252Bworked%2521"),
            mastercom("queue-name%3DUnworked", "queue-name%3DUn%2520worked%2521"),
            &["query"],
            &["queue-name", "as a plus on one side and as a space"],
        ),
        case(
            "query value changed after signing",
            MASTERCOM,
            mastercom("Unworked", "Worked"),
            &["query"],
            &["\"Unworked\"", "\"Worked\"", "changed after signing"],
        ),
        case(
            "query parameter added after signing",
            MASTERCOM,
            format!("{MASTERCOM}%26zz%3D1"),
            &["query"],
            &["query parameter \"zz\"", "did not sign"],
        ),
        case(
            "query parameter dropped after signing",
            format!("{MASTERCOM}%26zz%3D1"),
            MASTERCOM,
            &["query"],
            &["query parameter \"zz\"", "did not receive"],
        ),
        case(
            "repeated parameter deduplicated",
            format!("{MASTERCOM}%26zz%3D1%26zz%3D1"),
            format!("{MASTERCOM}%26zz%3D1"),
            &["query"],
            &["different number of times"],
        ),
        case(
            "a stale timestamp and nonce (another attempt)",
            MASTERCOM,
            mastercom("1700000000", "1700000042").replace("kbQ3tMrmHSfdSpEC", "Wpe3LF09z1e3xQRI"),
            &["oauth", "oauth"],
            &["oauth_nonce", "oauth_timestamp"],
        ),
        case(
            "signature method",
            MASTERCOM,
            mastercom("RSA-SHA256", "RSA-PSS"),
            &["oauth"],
            &["oauth_signature_method", "\"RSA-PSS\""],
        ),
        case(
            "parameter order (Python sorts whole k=v strings)",
            "GET&https%3A%2F%2Fh%2F&a%3Dy%26a1%3Dx",
            "GET&https%3A%2F%2Fh%2F&a1%3Dx%26a%3Dy",
            &["order"],
            &["parameter order"],
        ),
        case(
            "outer encoding only (lower-case hex)",
            MASTERCOM,
            MASTERCOM.replace("%2F", "%2f"),
            &["outer_encoding"],
            &["encoded differently in the base string"],
        ),
        case(
            "everything else equal: identical strings",
            PYTHON_37,
            PYTHON_37,
            &[],
            &["identical", "signing key"],
        ),
        case(
            "nodejs#28 as quoted (\"GET&...\"): not a base string",
            MASTERCOM,
            "GET&...",
            &["malformed"],
            &["the gateway's base string is not a signature base string"],
        ),
        case(
            "ours is not a base string",
            "hello",
            MASTERCOM,
            &["malformed"],
            &["our base string is not"],
        ),
    ]
}

#[test]
fn each_case_names_the_part_that_differs() {
    let cases = cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for case in &cases {
        let diagnosis = diagnose(&case.ours, &case.theirs);
        let kinds: Vec<&str> = diagnosis.differences.iter().map(kind).collect();
        assert_eq!(kinds, case.kinds, "{}: {diagnosis}", case.name);
        assert_eq!(diagnosis.is_match(), case.kinds.is_empty(), "{}", case.name);
        let text = diagnosis.to_string();
        for expected in case.says {
            assert!(
                text.contains(expected),
                "{}: {text:?} lacks {expected:?}",
                case.name
            );
        }
    }
    println!("diagnosis: {} cases", cases.len());
}

#[test]
fn malformed_sides_are_named() {
    let diagnosis = diagnose("a&b", "x");
    assert_eq!(
        diagnosis
            .differences
            .iter()
            .map(|d| match d {
                Difference::Malformed { side, .. } => *side,
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>(),
        [Side::Ours, Side::Theirs]
    );
}

#[test]
fn the_acceptable_base_string_is_read_from_both_error_shapes() {
    // The body of oauth1-signer-python #37, as the gateway sent it.
    let nested = format!(
        r#"{{"Errors":{{"Error":[{{"Source":"Gateway","ReasonCode":"AUTHENTICATION_FAILED","Description":"OAuth signatures did not match. Acceptable signature base string: {PYTHON_37}","Recoverable":false,"Details":null}}]}}}}"#
    );
    assert_eq!(
        acceptable_base_string(nested.as_bytes()).as_deref(),
        Some(PYTHON_37)
    );
    // The flat shape, and a single Error object.
    let flat = format!(
        r#"{{"Errors":[{{"Source":"Gateway","ReasonCode":"INVALID_CLIENT_ID"}},{{"ReasonCode":"AUTHENTICATION_FAILED","Description":"OAuth signatures did not match. Acceptable signature base string: {CSHARP_12_THEIRS}"}}]}}"#
    );
    assert_eq!(
        acceptable_base_string(flat.as_bytes()).as_deref(),
        Some(CSHARP_12_THEIRS)
    );
    let single = format!(
        r#"{{"errors":{{"error":{{"description":"OAuth Signature parameter failed verification. Acceptable signature base string: {MASTERCOM}  "}}}}}}"#
    );
    assert_eq!(
        acceptable_base_string(single.as_bytes()).as_deref(),
        Some(MASTERCOM)
    );
}

#[test]
fn other_bodies_have_no_acceptable_base_string() {
    let too_big = format!(
        r#"{{"Errors":[{{"Description":"Acceptable signature base string: GET&a&b","Pad":"{}"}}]}}"#,
        "x".repeat(mastercard_oauth1::MAX_ERROR_BODY)
    );
    for body in [
        // nodejs#28: the message as plain text, not a JSON error body.
        "OAuth Signature parameter failed verification. Acceptable signature base string: GET&..."
            .as_bytes(),
        b"",
        b"<html>401</html>",
        b"\xff\xfe{}",
        br#"{"Errors":{"Error":[{"Description":"Invalid oauth_timestamp"}]}}"#,
        br#"{"Errors":{"Error":"Acceptable signature base string: GET&a&b"}}"#,
        br#"{"Errors":"Acceptable signature base string: GET&a&b"}"#,
        br#"{"Description":"Acceptable signature base string: GET&a&b"}"#,
        br#"{"Errors":[{"Description":"Acceptable signature base string:   "}]}"#,
        br#"[{"Description":"Acceptable signature base string: GET&a&b"}]"#,
        too_big.as_bytes(),
    ] {
        assert_eq!(
            acceptable_base_string(body),
            None,
            "{:?}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        );
    }
}

#[test]
fn the_verifiers_own_mismatch_answer_is_diagnosed() {
    use mastercard_oauth1::{Request, Signer, SigningParams, Verifier};
    let key = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let key = mastercard_oauth1::mastercard_keys::PrivateKey::from_pkey(key).unwrap();
    let public = mastercard_oauth1::mastercard_keys::PublicKey::from_private_key(&key).unwrap();
    let signed = Signer::new("ck!1", key)
        .unwrap()
        .sign_with(
            &Request::new("GET", "https://h.example/x?memo=a%20b&n=1", b""),
            &SigningParams {
                timestamp: 1_700_000_000,
                nonce: "kbQ3tMrmHSfdSpEC".into(),
            },
        )
        .unwrap();
    // A proxy re-encoded the space as `+`: the verifier (as the sandbox does) answers with the
    // Mastercom error shape.
    let received = Request::new("GET", "https://h.example/x?memo=a+b&n=1", b"");
    let error = Verifier::new(public)
        .verify_at(&received, &signed.authorization, 1_700_000_000)
        .unwrap_err();
    let body = serde_json::json!({"Errors": [{
        "Source": "Gateway",
        "ReasonCode": "SIGNATURE_MISMATCH",
        "Description": error.to_string(),
        "Recoverable": false,
    }]})
    .to_string();
    let theirs = acceptable_base_string(body.as_bytes()).unwrap();
    let diagnosis = diagnose(&signed.base_string, &theirs);
    assert_eq!(
        diagnosis.differences.iter().map(kind).collect::<Vec<_>>(),
        ["query"]
    );
    let text = diagnosis.to_string();
    assert!(text.contains("query parameter \"memo\""), "{text}");
    assert!(
        text.contains("\"a%20b\"") && text.contains("\"a+b\""),
        "{text}"
    );
    assert!(
        text.contains("as a plus on one side and as a space"),
        "{text}"
    );
}
