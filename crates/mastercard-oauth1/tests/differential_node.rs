//! Differential test against Mastercard's Node signer (`mastercard-oauth1-signer` 1.2.0 from npm):
//! the Python differential's generated request population (`mastercard_testkit::oauth1_population`),
//! fixed nonce and timestamp, signed by Node and by this crate. All cases go to one Node process.
//!
//! `MASTERCARD_REFERENCE_NODE_MODULES` names the `node_modules` folder `cargo xtask interop`
//! installs; without it the test prints "skipped" and passes, unless
//! `MASTERCARD_INTEROP_REQUIRED=1`, which makes it fail.
//!
//! What is asserted, for every case:
//! * Node's base string is exactly what [`node_base_string`] (Node 1.2.0's algorithm, written down
//!   from its source) predicts, and Node's signature verifies over it: the divergences below are
//!   Node's documented algorithm, not noise.
//! * Where no [`node_differs`] rule applies, Node's base string equals ours and, for RSA-SHA256,
//!   Node's header is ours with the parameters in Node's order (the one header difference that
//!   is always there, asserted byte for byte); RSA-PSS headers (randomised) verify here.
//! * Where a rule applies, the base strings really differ (so no rule can go stale), and the six
//!   other header parameters are still ours.
//! * Our verifier accepts every Node-signed request: through the canonical reading where the base
//!   strings are identical, through its Node reading where they differ (see
//!   [`verify_node_headers`]).
//! * A query escape that is not UTF-8 (`%E9`), which Node signs raw, is refused by this crate on
//!   both sides (issue 10.6: the Java and Python readings would turn it into U+FFFD).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;

use base64::Engine as _;
use mastercard_oauth1::{
    Reading, Request, RequestError, SignError, SignatureMethod, Signer, SigningParams, Verifier,
    percent_encode,
};
use mastercard_testkit::oauth1_population::{Case, cases};
use serde::Deserialize;
use serde_json::json;

const CASES: usize = 500;

/// The order in which Node writes the header's parameters (a JS `Map` in insertion order).
const NODE_HEADER_ORDER: [&str; 7] = [
    "oauth_body_hash",
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_version",
    "oauth_signature",
];

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as UTF-8 `%XX`.
fn encode_uri_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Legacy `url.parse` percent-escapes a few characters after the host; of the generated ones,
/// only `'`.
fn node_autoescape(rest: &str) -> String {
    rest.replace('\'', "%27")
}

/// The URL as Node's `url.parse` splits it: (scheme, host with any explicit port, path, query).
fn node_url_parts(url: &str) -> (String, String, String, Option<String>) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let rest = node_autoescape(rest);
    let rest = rest.split('#').next().unwrap();
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (rest, None),
    };
    let path = if path.is_empty() { "/" } else { path };
    (
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase(),
        path.to_owned(),
        query,
    )
}

/// The query as Node tokenises it: raw `key`/`value` strings, no decoding, no re-encoding.
fn node_query_tokens(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .map(|pair| match pair.find('=') {
            Some(index) if index > 0 => (pair[..index].to_owned(), pair[index + 1..].to_owned()),
            _ => (pair.to_owned(), String::new()),
        })
        .collect()
}

fn utf16(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

/// Node 1.2.0's signature base string (`src/OAuth.js`), step by step:
/// `url.parse` (scheme and host lowercased, the port kept whatever it is because the code
/// compares the port *string* with the numbers 443 and 80, `'` escaped); the raw query split on
/// `&` and `=` with no decoding; one `Set` of values per key (duplicates dropped); entries sorted
/// by JavaScript's default sort, i.e. by the strings `"<key>,[object Set]"` in UTF-16 order,
/// values of a repeated key sorted likewise; `encodeURIComponent` of the base URI and of the
/// parameter string, then only the *first* `*` of the parameter string and the *first* `!` of the
/// whole base string replaced by `%2A`/`%21`.
fn node_base_string(case: &Case, body_hash: &str) -> String {
    let (scheme, authority, path, query) = node_url_parts(&case.url);
    let mut params: BTreeMap<Vec<u16>, (String, Vec<String>)> = BTreeMap::new();
    let mut add = |key: &str, value: &str| {
        let entry = params
            .entry(utf16(&format!("{key},[object Set]")))
            .or_insert_with(|| (key.to_owned(), Vec::new()));
        if !entry.1.iter().any(|known| known == value) {
            entry.1.push(value.to_owned());
        }
    };
    for (key, value) in query
        .as_deref()
        .filter(|query| !query.is_empty())
        .map(node_query_tokens)
        .unwrap_or_default()
    {
        add(&key, &value);
    }
    let timestamp = case.timestamp.to_string();
    for (key, value) in [
        ("oauth_body_hash", body_hash),
        ("oauth_consumer_key", case.consumer_key.as_str()),
        ("oauth_nonce", case.nonce.as_str()),
        ("oauth_signature_method", case.signature_method),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_version", "1.0"),
    ] {
        add(key, value);
    }
    let mut pairs = Vec::new();
    for (key, mut values) in params.into_values() {
        values.sort_by_key(|value| utf16(value));
        pairs.extend(values.into_iter().map(|value| format!("{key}={value}")));
    }
    let params = encode_uri_component(&pairs.join("&")).replacen('*', "%2A", 1);
    let base_uri = encode_uri_component(&format!("{scheme}://{authority}{path}"));
    format!("{}&{base_uri}&{params}", case.method.to_uppercase()).replacen('!', "%21", 1)
}

/// Why this crate's base string (Java's reading) differs from Node's for `case`, first rule that
/// applies; `None` when they must be identical.
fn node_differs(case: &Case) -> Option<&'static str> {
    let (scheme, authority, _, query) = node_url_parts(&case.url);
    let default_port = match scheme.as_str() {
        "https" => ":443",
        _ => ":80",
    };
    if authority.ends_with(default_port) {
        return Some(
            "explicit default port: Node keeps :443/:80 (it compares a string with a number)",
        );
    }
    // Before url.parse's escaping, to see the `'`s.
    let raw = case.url.split('#').next().unwrap();
    let raw = &raw[raw.find("://").unwrap() + 3..];
    let raw = &raw[raw.find(['/', '?']).unwrap_or(raw.len())..];
    let (raw_path, raw_query) = raw.split_once('?').unwrap_or((raw, ""));
    let encoded_query = raw_query.contains('%');
    // Node replaces only the first `!` of the whole base string: with two or more raw ones (path,
    // unescaped query, consumer key), the later ones stay raw.
    let bangs = [
        raw_path,
        if encoded_query { "" } else { raw_query },
        &case.consumer_key,
    ]
    .iter()
    .map(|part| part.matches('!').count())
    .sum::<usize>();
    if raw_path.contains(['(', ')', '*', '\'']) || (raw_path.contains('!') && bangs > 1) {
        return Some(
            "( ) * ' or a second ! in the path: encodeURIComponent leaves !()* raw (Node fixes only the first !), url.parse escapes ' (Java: %28 %29 %2A %21 %27)",
        );
    }
    let query = query.filter(|query| !query.is_empty())?;
    let tokens = node_query_tokens(&query);
    if encoded_query {
        if query.contains('+') {
            return Some(
                "raw '+' in a query with %XX escapes: Node signs it raw (%2B), Java re-encodes it (%252B), Python reads a space",
            );
        }
        let re_encoded = |token: &String| {
            let decoded = percent_encoding::percent_decode_str(token).decode_utf8_lossy();
            percent_encode(&decoded) != token.as_str()
        };
        if tokens
            .iter()
            .any(|(key, value)| re_encoded(key) || re_encoded(value))
        {
            return Some(
                "query with %XX escapes and a token Java re-encodes (raw reserved/non-ASCII, lower-case or needless escape, invalid UTF-8): Node signs tokens raw",
            );
        }
    } else if raw_query.contains(['(', ')', '\''])
        || raw_query.matches('*').count() > 1
        || (raw_query.contains('!') && bangs > 1)
    {
        return Some(
            "( ) ' or a second * or ! in a query without escapes: Node leaves them raw (it fixes only the first * and the first !), escapes '",
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    if tokens.iter().any(|pair| !seen.insert(pair)) {
        return Some("a repeated key=value pair: Node keeps one (a Set per key)");
    }
    let prefix_clash = tokens.iter().any(|(short, _)| {
        tokens.iter().any(|(long, _)| {
            long.len() > short.len()
                && long.starts_with(short.as_str())
                && long.as_bytes()[short.len()] < b','
        })
    });
    prefix_clash.then_some(
        "a query key that is a prefix of another followed by a character below ',': Node sorts \"key,[object Set]\" strings",
    )
}

/// The `key="value"` pairs of an `OAuth …` header, in order.
fn header_params(header: &str) -> Vec<(String, String)> {
    header
        .strip_prefix("OAuth ")
        .unwrap()
        .split(',')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            let value = value.strip_prefix('"').unwrap().strip_suffix('"').unwrap();
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// Our header with its parameters in Node's order.
fn in_node_order(header: &str) -> String {
    let params: BTreeMap<String, String> = header_params(header).into_iter().collect();
    let fields: Vec<String> = NODE_HEADER_ORDER
        .iter()
        .map(|key| format!("{key}=\"{}\"", params[*key]))
        .collect();
    format!("OAuth {}", fields.join(","))
}

/// Whether Node's `oauth_signature` verifies over Node's own base string with the public key.
fn signature_verifies(header: &str, base_string: &str, method: SignatureMethod) -> bool {
    let params: BTreeMap<String, String> = header_params(header).into_iter().collect();
    let signature = percent_encoding::percent_decode_str(&params["oauth_signature"])
        .decode_utf8()
        .unwrap();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature.as_bytes())
        .unwrap();
    let key = support::key().pkey();
    let mut verifier =
        openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), key).unwrap();
    if method == SignatureMethod::RsaPss {
        verifier
            .set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS)
            .unwrap();
        verifier
            .set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::DIGEST_LENGTH)
            .unwrap();
        verifier
            .set_rsa_mgf1_md(openssl::hash::MessageDigest::sha256())
            .unwrap();
    }
    verifier
        .verify_oneshot(&signature, base_string.as_bytes())
        .unwrap()
}

#[derive(Deserialize)]
struct NodeAnswer {
    version: String,
    results: Vec<NodeResult>,
}

#[derive(Deserialize)]
struct NodeResult {
    id: String,
    header: String,
    base_string: String,
}

fn run_node(node: &mastercard_testkit::NodeReference, cases: &[Case]) -> NodeAnswer {
    let dir = std::env::temp_dir().join(format!(
        "mastercard-oauth1-differential-node-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let key_path = dir.join("key.pem");
    std::fs::write(
        &key_path,
        support::key().pkey().private_key_to_pem_pkcs8().unwrap(),
    )
    .unwrap();
    let batch = json!({
        "key_pem": key_path,
        "cases": cases.iter().map(|case| json!({
            "id": case.id,
            "method": case.method,
            "url": case.url,
            "body_b64": base64::engine::general_purpose::STANDARD.encode(&case.body),
            "consumer_key": case.consumer_key,
            "nonce": case.nonce,
            "timestamp": case.timestamp,
            "signature_method": case.signature_method,
        })).collect::<Vec<_>>(),
    });
    let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node/oauth1_driver.js");
    let answer = mastercard_testkit::run_node_driver(node, driver.as_ref(), &batch);
    std::fs::remove_dir_all(&dir).ok();
    serde_json::from_value(answer).unwrap()
}

/// Our verifier accepts Node's header: through the canonical reading when Node's base string is
/// the one this crate computes, through the Node reading otherwise (issue 14: every reading a
/// reference signer produces is accepted). The acceptances through the Node reading are counted
/// by divergence category.
fn verify_node_headers(
    case: &Case,
    node: &NodeResult,
    identical: bool,
    category: Option<&'static str>,
    accepted: &mut BTreeMap<&'static str, usize>,
) {
    let request = Request::new(&case.method, &case.url, &case.body);
    let context = format!("case {} {} {}", case.id, case.method, case.url);
    let verified = Verifier::new(support::public_key())
        .verify_at(&request, &node.header, case.timestamp)
        .unwrap_or_else(|error| panic!("{context}: Node's header refused: {error}"));
    assert_eq!(verified.base_string, node.base_string, "{context}");
    if identical {
        assert_eq!(verified.reading, Reading::Canonical, "{context}");
    } else {
        assert_ne!(verified.reading, Reading::Canonical, "{context}");
        *accepted.entry(category.unwrap()).or_default() += 1;
    }
}

/// What one case showed.
struct Outcome {
    /// The [`node_differs`] rule that applies, if any.
    divergence: Option<&'static str>,
    /// RSA-PSS (randomised, so compared by verification, not bytes).
    pss: bool,
    /// A query escape that is not UTF-8: refused on both sides here.
    refused_non_utf8: bool,
}

/// Every assertion of the module docs, for one case.
fn check(case: &Case, node: &NodeResult, accepted: &mut BTreeMap<&'static str, usize>) -> Outcome {
    assert_eq!(case.id, node.id);
    let method: SignatureMethod = case.signature_method.parse().unwrap();
    let signer = Signer::new(case.consumer_key.clone(), support::key().clone())
        .unwrap()
        .with_signature_method(method);
    let request = Request::new(&case.method, &case.url, &case.body);
    let params = SigningParams {
        timestamp: case.timestamp,
        nonce: case.nonce.clone(),
    };
    let signed = signer.sign_with(&request, &params);
    let context = format!("case {} {} {}", case.id, case.method, case.url);

    // Node did what its source says, and signed what it says it signed.
    assert_eq!(
        node.base_string,
        node_base_string(case, &mastercard_oauth1::body_hash(&case.body)),
        "{context}: Node's base string is not the documented algorithm's"
    );
    assert!(
        signature_verifies(&node.header, &node.base_string, method),
        "{context}: Node's signature does not cover its base string"
    );
    let ours = match signed {
        Ok(ours) => ours,
        Err(SignError::Request(RequestError::NonUtf8Escape { .. })) => {
            let refused = Verifier::new(support::public_key())
                .verify_at(&request, &node.header, case.timestamp)
                .unwrap_err();
            assert_eq!(refused.code(), "invalid_request", "{context}: {refused}");
            return Outcome {
                divergence: None,
                pss: method == SignatureMethod::RsaPss,
                refused_non_utf8: true,
            };
        }
        Err(error) => panic!("{context}: {error}"),
    };
    // Everything in the header but the signature is ours, whatever the base string.
    let mut node_params = header_params(&node.header);
    let mut our_params = header_params(&ours.authorization);
    assert_eq!(
        node_params
            .iter()
            .map(|(key, _)| key.as_str())
            .collect::<Vec<_>>(),
        NODE_HEADER_ORDER,
        "{context}"
    );
    node_params.retain(|(key, _)| key != "oauth_signature");
    our_params.retain(|(key, _)| key != "oauth_signature");
    node_params.sort();
    our_params.sort();
    assert_eq!(node_params, our_params, "{context}");

    let divergence = node_differs(case);
    let identical = node.base_string == ours.base_string;
    match divergence {
        Some(reason) => assert!(
            !identical,
            "{context}: listed as divergent ({reason}) but equal"
        ),
        None => {
            assert_eq!(node.base_string, ours.base_string, "{context}");
            if method == SignatureMethod::RsaSha256 {
                // The one difference: the order of the parameters.
                assert_ne!(node.header, ours.authorization, "{context}");
                assert_eq!(node.header, in_node_order(&ours.authorization), "{context}");
            }
        }
    }
    verify_node_headers(case, node, identical, divergence, accepted);
    Outcome {
        divergence,
        pss: method == SignatureMethod::RsaPss,
        refused_non_utf8: false,
    }
}

/// Hand-written cases for what the population does not reach, each with the rule it must hit.
fn extra_cases() -> Vec<(Case, Option<&'static str>)> {
    let case = |id: &str, url: &str| Case {
        id: id.to_owned(),
        method: "GET".to_owned(),
        url: url.to_owned(),
        body: Vec::new(),
        consumer_key: "abc-abc-abc!123".to_owned(),
        nonce: "Wpe3LF09z1e3xQRI".to_owned(),
        timestamp: 1_626_728_330,
        signature_method: "RSA-SHA256",
    };
    let mastercom = "https://sandbox.api.mastercard.com/mastercom/v6";
    vec![
        // Canonical escapes, no raw `+`: every reference agrees.
        (
            case(
                "extra-canonical",
                &format!("{mastercom}/cases/1/documents?format=MERGED_PDF&memo=a%20b%2Bc"),
            ),
            None,
        ),
        // Spaces as `+` beside escapes, as Python's `requests`/`urlencode` write them (issue 14).
        (
            case(
                "extra-requests-plus",
                &format!("{mastercom}/cases/1/documents?format=MERGED_PDF&memo=a+b+%2850%25%29"),
            ),
            Some(
                "raw '+' in a query with %XX escapes: Node signs it raw (%2B), Java re-encodes it (%252B), Python reads a space",
            ),
        ),
        // `%` sorts below `,`: Node puts `k%5B` before `k`, Java after.
        (
            case("extra-prefix", &format!("{mastercom}/queues?k=1&k%5B=2")),
            Some(
                "a query key that is a prefix of another followed by a character below ',': Node sorts \"key,[object Set]\" strings",
            ),
        ),
    ]
}

#[test]
fn headers_match_the_node_reference_signer() {
    let Some(node) = mastercard_testkit::reference_node() else {
        return;
    };
    let extras = extra_cases();
    let mut cases = cases(CASES);
    let population = cases.len();
    cases.extend(extras.iter().map(|(case, _)| case.clone()));
    let answer = run_node(&node, &cases);
    assert_eq!(answer.version, "1.2.0");
    assert_eq!(answer.results.len(), cases.len());

    let (mut identical_headers, mut pss, mut refused_non_utf8) = (0, 0, 0);
    let mut divergent: BTreeMap<&str, usize> = BTreeMap::new();
    let mut accepted: BTreeMap<&str, usize> = BTreeMap::new();
    for (case, node) in cases[..population].iter().zip(&answer.results) {
        let outcome = check(case, node, &mut accepted);
        match outcome.divergence {
            _ if outcome.refused_non_utf8 => refused_non_utf8 += 1,
            Some(reason) => *divergent.entry(reason).or_default() += 1,
            None if outcome.pss => pss += 1,
            None => identical_headers += 1,
        }
    }
    let same_base_string = identical_headers + pss;
    println!(
        "differential (node 1.2.0): {same_base_string} of {population} cases give the same base string: {identical_headers} RSA-SHA256 headers identical but for the parameter order (Node's: body hash first), {pss} RSA-PSS headers verified cross-wise; all {same_base_string} accepted by our verifier"
    );
    for (reason, count) in &divergent {
        let accepted = accepted.get(reason).copied().unwrap_or(0);
        assert_eq!(accepted, *count, "{reason}");
        println!(
            "differential (node 1.2.0): {count} divergent, all accepted by our verifier through its Node reading: {reason}"
        );
    }
    println!(
        "differential (node 1.2.0): {refused_non_utf8} with a query escape that is not UTF-8, which Node signs raw: refused by this crate on both sides"
    );
    assert!(
        same_base_string >= 80,
        "only {same_base_string} comparable cases"
    );

    let mut extra_accepted = BTreeMap::new();
    for ((case, expected), node) in extras.iter().zip(&answer.results[population..]) {
        let outcome = check(case, node, &mut extra_accepted);
        assert_eq!(outcome.divergence, *expected, "{}", case.url);
        if let Some(reason) = outcome.divergence {
            *divergent.entry(reason).or_default() += 1;
        }
    }
    println!(
        "differential (node 1.2.0): {} hand-written cases as expected ({} divergent, accepted through the Node reading)",
        extras.len(),
        extra_accepted.values().sum::<usize>()
    );
    assert_eq!(
        divergent.len(),
        7,
        "every divergence rule is exercised: {divergent:?}"
    );
}
