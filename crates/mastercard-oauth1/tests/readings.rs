//! The verifier accepts a signature under every reading a Mastercard reference signer produces
//! (Java, Python, Node, and this crate's own), and under no other.
//!
//! Each test builds the base string the way one reference would, signs it, sends it in a header
//! and checks the verdict. The expected strings of the Python and Node readings below were
//! produced by running the reference libraries themselves (`mastercard-oauth1-signer` 1.9.2 from
//! PyPI, 1.2.0 from npm) with the same nonce and timestamp.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mastercard_oauth1::{
    Reading, Request, SignatureMethod, Signer, SigningParams, Verifier, base_string_as,
    percent_encode,
};

const CONSUMER_KEY: &str = "ck!abc";
const NOW: u64 = 1_700_000_000;

fn params() -> SigningParams {
    SigningParams {
        timestamp: NOW,
        nonce: "kbQ3tMrmHSfdSpEC".into(),
    }
}

fn signer() -> Signer {
    Signer::new(CONSUMER_KEY, support::key().clone()).unwrap()
}

/// The header a reference signer sends: raw values, the signature percent-encoded.
fn header(request: &Request<'_>, base_string: &str, method: SignatureMethod) -> String {
    let signature = signer()
        .with_signature_method(method)
        .sign_base_string(base_string)
        .unwrap();
    let body = match request.body {
        mastercard_oauth1::Body::Bytes(bytes) => bytes,
        _ => b"",
    };
    format!(
        "OAuth oauth_consumer_key=\"{CONSUMER_KEY}\",oauth_nonce=\"kbQ3tMrmHSfdSpEC\",\
         oauth_timestamp=\"{NOW}\",oauth_signature_method=\"{}\",oauth_version=\"1.0\",\
         oauth_body_hash=\"{}\",oauth_signature=\"{}\"",
        method.name(),
        mastercard_oauth1::body_hash(body),
        percent_encode(&signature)
    )
}

fn reading_of(request: &Request<'_>, reading: Reading) -> String {
    reading_with(request, reading, SignatureMethod::RsaSha256)
}

fn reading_with(request: &Request<'_>, reading: Reading, method: SignatureMethod) -> String {
    base_string_as(reading, request, CONSUMER_KEY, method, &params()).unwrap()
}

const PLUS_URL: &str = "https://api.example.com/svc?memo=a+b+%2850%25%29&a1=x&a=y";
const OAUTH_TAIL: &str = "oauth_body_hash%3D47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D%26\
    oauth_consumer_key%3Dck%21abc%26oauth_nonce%3DkbQ3tMrmHSfdSpEC%26\
    oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0";

#[test]
fn the_readings_of_plus_beside_escapes_are_the_references_own() {
    let request = Request::new("GET", PLUS_URL, b"");
    let prefix = "GET&https%3A%2F%2Fapi.example.com%2Fsvc&";
    // Java and this crate: `+` is a literal plus, re-encoded as %2B.
    let java =
        format!("{prefix}a%3Dy%26a1%3Dx%26memo%3Da%252Bb%252B%252850%2525%2529%26{OAUTH_TAIL}");
    assert_eq!(reading_of(&request, Reading::Canonical), java);
    assert_eq!(reading_of(&request, Reading::Java), java);
    // Python (run): `+` is a space, and whole "k=v" strings sorted (`a1=x` before `a=y`).
    assert_eq!(
        reading_of(&request, Reading::Python),
        format!("{prefix}a1%3Dx%26a%3Dy%26memo%3Da%2520b%2520%252850%2525%2529%26{OAUTH_TAIL}")
    );
    // Node (run): nothing decoded, `+` stays a raw plus.
    assert_eq!(
        reading_of(&request, Reading::Node),
        format!("{prefix}a%3Dy%26a1%3Dx%26memo%3Da%2Bb%2B%252850%2525%2529%26{OAUTH_TAIL}")
    );
}

#[test]
fn node_readings_match_the_node_library() {
    // Computed with the Node library: explicit :443 kept, `'` auto-escaped, pairs never decoded,
    // a repeated pair once, the empty pair signed as `=`, only the first `*` and `!` encoded.
    let request = Request::new(
        "POST",
        "https://API.Example.com:443/p/it's?b=2&a=1&a=1&&c=%2a*!&a%5B=3",
        br#"{"x":1}"#,
    );
    assert_eq!(
        reading_of(&request, Reading::Node),
        "POST&https%3A%2F%2Fapi.example.com%3A443%2Fp%2Fit%2527s&%3D%26a%255B%3D3%26a%3D1%26b%3D2%26\
         c%3D%252a%2A%21%26oauth_body_hash%3DUEG%2FH3E98gR4Q1PoL2pKU1kxy2Tx9LSlrq%2F8tyCRiyI%3D%26\
         oauth_consumer_key%3Dck!abc%26oauth_nonce%3DkbQ3tMrmHSfdSpEC%26\
         oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0"
    );
    let ipv6 = Request::new("GET", "http://[::1]:8080/x?z", b"");
    assert_eq!(
        reading_of(&ipv6, Reading::Node),
        "GET&http%3A%2F%2F%3A%3A1%3A8080%2Fx&oauth_body_hash%3D47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D%26\
         oauth_consumer_key%3Dck%21abc%26oauth_nonce%3DkbQ3tMrmHSfdSpEC%26\
         oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0%26z%3D"
    );
}

/// Requests on which at least two references disagree.
const DIVERGENT: &[(&str, &str, &[u8])] = &[
    ("GET", PLUS_URL, b""),
    ("GET", "https://api.example.com/x?q=a%26b&r=1", b""),
    ("GET", "https://api.example.com/x?a%20b=1&a%20b=2", b""),
    ("POST", "https://api.example.com/x?&a=1&&b=2", b"{}"),
    ("GET", "https://api.example.com/x?a=1&a=1&x=%2a", b""),
    ("GET", "HTTPS://API.Example.COM:443/x/it's", b""),
    ("DELETE", "https://api.example.com/a/b;v=1?k", b""),
    ("GET", "https://api.example.com:0443/x?star=*&c=a!b!c", b""),
];

#[test]
fn a_signature_under_each_reference_reading_verifies() {
    let mut distinct = 0;
    for (method, url, body) in DIVERGENT {
        let request = Request::new(method, url, body);
        let mut seen: Vec<String> = Vec::new();
        for reading in Reading::ALL {
            for signature_method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
                let base_string = reading_with(&request, reading, signature_method);
                let header = header(&request, &base_string, signature_method);
                let verified = Verifier::new(support::public_key())
                    .verify_at(&request, &header, NOW)
                    .unwrap_or_else(|error| panic!("{url} under {reading}: {error}"));
                // The first reading (in the verifier's order) giving this string is reported.
                assert_eq!(verified.base_string, base_string, "{url} {reading}");
                assert_eq!(
                    verified.reading,
                    *Reading::ALL
                        .iter()
                        .find(|earlier| {
                            reading_with(&request, **earlier, signature_method) == base_string
                        })
                        .unwrap()
                );
            }
            let base_string = reading_of(&request, reading);
            if !seen.contains(&base_string) {
                seen.push(base_string);
            }
        }
        assert!(
            seen.len() >= 2,
            "{url}: the references agree, not a divergent case"
        );
        distinct += seen.len();
    }
    println!(
        "readings: {} divergent requests, {distinct} distinct reference base strings, all verified",
        DIVERGENT.len()
    );
}

#[test]
fn a_signature_under_a_reading_no_reference_produces_is_refused() {
    let request = Request::new("GET", PLUS_URL, b"");
    let java = reading_of(&request, Reading::Java);
    let mut impostors = vec![
        // Go's reading: `+` as a space, but sorted by key (no Mastercard reference above does both).
        java.replace("a%252Bb%252B", "a%2520b%2520"),
        // RFC 5849 double encoding of the consumer key's `!`.
        java.replace("ck%21abc", "ck%2521abc"),
        // Query parameters after the oauth_* ones (Ruby's order): not among the accepted references.
        java.replace(
            &format!("a%3Dy%26a1%3Dx%26memo%3Da%252Bb%252B%252850%2525%2529%26{OAUTH_TAIL}"),
            &format!("{OAUTH_TAIL}%26a%3Dy%26a1%3Dx%26memo%3Da%252Bb%252B%252850%2525%2529"),
        ),
        // Lower-case escape hex in the outer encoding.
        java.replace("%2F", "%2f"),
    ];
    // The explicit default port, for a reference other than Node.
    let port = Request::new("GET", "https://api.example.com:443/x?a=b+c%21", b"");
    let node = reading_of(&port, Reading::Node);
    impostors.push(node.replace("a%3Db%2Bc%2521", "a%3Db%2520c%2521"));
    for (index, impostor) in impostors.iter().enumerate() {
        let target = if index == impostors.len() - 1 {
            &port
        } else {
            &request
        };
        assert!(
            !Reading::ALL
                .iter()
                .any(|r| reading_of(target, *r) == *impostor)
        );
        let header = header(target, impostor, SignatureMethod::RsaSha256);
        let error = Verifier::new(support::public_key())
            .verify_at(target, &header, NOW)
            .unwrap_err();
        assert_eq!(error.code(), "signature_mismatch", "{impostor}");
    }
}

#[test]
fn the_reported_base_string_of_a_mismatch_is_the_canonical_one() {
    let request = Request::new("GET", PLUS_URL, b"");
    let header = header(&request, "not the base string", SignatureMethod::RsaSha256);
    match Verifier::new(support::public_key()).verify_at(&request, &header, NOW) {
        Err(mastercard_oauth1::VerifyError::SignatureMismatch { base_string }) => {
            assert_eq!(base_string, reading_of(&request, Reading::Canonical));
        }
        other => panic!("{other:?}"),
    }
}
