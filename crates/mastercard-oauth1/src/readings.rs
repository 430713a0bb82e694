//! The readings of a request that Mastercard's reference signers produce.
//!
//! The references disagree on edge cases (`+` beside `%XX` escapes, empty pairs, key ordering,
//! explicit default ports), and the gateway accepts each of them. The verifier therefore accepts a
//! signature over the base string of any of these readings — and of no other. Each reading here
//! is a re-implementation of the reference's documented and observed behaviour (see the crate
//! README's table), built directly rather than through `oauth1-request`, because Python and Node
//! do not sort by key and the crate's serializer insists on key order.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use crate::body_hash::body_hash;
use crate::encoding::percent_encode;
use crate::error::{RequestError, SignError};
use crate::method::SignatureMethod;
use crate::request::{
    Request, SplitUrl, check_escapes, decode_strict, normalized_method, split_url,
};
use crate::signer::SigningParams;

/// How a signer turns a request into a signature base string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reading {
    /// This crate's signer: Java's rules, except that pairs are split before decoding (no
    /// `%26` data loss) and a repeated key that needs encoding keeps all its values.
    Canonical,
    /// Mastercard's Java signer (`oauth1-signer` for Java): the query decoded, *then* split; `+`
    /// a literal plus; inner empty pairs signed as `=`; sorted by key, then value.
    Java,
    /// Mastercard's Python signer (`mastercard-oauth1-signer`): `parse_qsl`, so `+` is a space
    /// and empty pairs are dropped; whole `key=value` strings sorted.
    Python,
    /// Mastercard's Node signer (`mastercard-oauth1-signer` on npm): raw pairs, never decoded or
    /// re-encoded; a repeated `key=value` kept once; an explicit `:443`/`:80` kept.
    Node,
}

impl Reading {
    /// Every reading, in the order the verifier tries them.
    pub const ALL: [Reading; 4] = [Self::Canonical, Self::Java, Self::Python, Self::Node];

    /// A short name (`canonical`, `java`, `python`, `node`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Canonical => "canonical",
            Self::Java => "java",
            Self::Python => "python",
            Self::Node => "node",
        }
    }
}

impl std::fmt::Display for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The OAuth values of one request as they go into the parameter string (raw).
pub(crate) struct OAuthFields<'a> {
    pub consumer_key: &'a str,
    pub nonce: &'a str,
    pub timestamp: u64,
    pub signature_method: &'a str,
    pub body_hash: &'a str,
}

impl OAuthFields<'_> {
    fn pairs(&self) -> [(String, String); 6] {
        [
            ("oauth_body_hash".into(), self.body_hash.into()),
            ("oauth_consumer_key".into(), self.consumer_key.into()),
            ("oauth_nonce".into(), self.nonce.into()),
            (
                "oauth_signature_method".into(),
                self.signature_method.into(),
            ),
            ("oauth_timestamp".into(), self.timestamp.to_string()),
            ("oauth_version".into(), "1.0".into()),
        ]
    }
}

/// The signature base string of `request` as the signer behind `reading` would build it (the
/// same checks as [`crate::signature_base_string`]; `Canonical` is exactly that function).
///
/// For tests and tools: sign this string with [`crate::Signer::sign_base_string`] to produce
/// what that reference would have sent.
pub fn base_string_as(
    reading: Reading,
    request: &Request<'_>,
    consumer_key: &str,
    method: SignatureMethod,
    params: &SigningParams,
) -> Result<String, SignError> {
    if reading == Reading::Canonical {
        return crate::signature_base_string(request, consumer_key, method, params);
    }
    if params.timestamp == 0 {
        return Err(SignError::InvalidTimestamp);
    }
    let hash = body_hash(request.body_bytes()?);
    let oauth = OAuthFields {
        consumer_key,
        nonce: &params.nonce,
        timestamp: params.timestamp,
        signature_method: method.name(),
        body_hash: &hash,
    };
    Ok(reference_base_string(reading, request, &oauth)?)
}

/// The base string of a non-canonical reading.
pub(crate) fn reference_base_string(
    reading: Reading,
    request: &Request<'_>,
    oauth: &OAuthFields<'_>,
) -> Result<String, RequestError> {
    let http_method = normalized_method(request.method)?;
    let split = split_url(request.url)?;
    let query = split.query.unwrap_or("");
    check_escapes(&split.shown, query)?;
    // Refused under every reading, Node's too (which would sign the escape raw): the verifier
    // never accepts what the canonical reading refuses. A query that decodes to UTF-8 as a
    // whole has only UTF-8 keys and values, since `&`, `=` and `+` cannot occur inside a
    // UTF-8 sequence.
    decode_strict(&split.shown, query)?;
    Ok(match reading {
        Reading::Canonical | Reading::Java => {
            let params = java_param_string(&split.shown, query, oauth)?;
            format!(
                "{http_method}&{}&{}",
                percent_encode(&split.base_uri()),
                percent_encode(&params)
            )
        }
        Reading::Python => {
            let params = python_param_string(&split.shown, query, oauth)?;
            format!(
                "{http_method}&{}&{}",
                percent_encode(&python_base_uri(&split)),
                percent_encode(&params)
            )
        }
        Reading::Node => {
            let params = node_param_string(&node_auto_escape(query), oauth);
            let params = encode_uri_component(&params).replacen('*', "%2A", 1);
            let base = format!(
                "{http_method}&{}&{params}",
                encode_uri_component(&node_base_uri(&split))
            );
            base.replacen('!', "%21", 1)
        }
    })
}

/// Java and JavaScript compare strings by UTF-16 code units.
fn utf16_cmp(left: &str, right: &str) -> Ordering {
    left.encode_utf16().cmp(right.encode_utf16())
}

/// Java: `URI.getQuery()` (decoded; `+` stays `+`) split on `&` — so an escaped `%26` splits
/// too —, trailing empty pairs dropped by `String.split`; if the raw query had an escape, every
/// key and value re-encoded. The key map is checked with the decoded key but filled with the
/// encoded one, so a repeated key that needs encoding keeps only its last value.
fn java_param_string(
    shown: &str,
    raw: &str,
    oauth: &OAuthFields<'_>,
) -> Result<String, RequestError> {
    // Hash maps, not linear scans: a hostile query of thousands of pairs stays linear.
    let mut params: HashMap<String, Vec<String>> = HashMap::new();
    if !raw.is_empty() {
        let decoded = decode_strict(shown, raw)?;
        let must_encode = decoded != raw;
        let encode = |text: &str| {
            if must_encode {
                percent_encode(text).into_owned()
            } else {
                text.to_owned()
            }
        };
        let mut pairs: Vec<&str> = decoded.split('&').collect();
        while pairs.last().is_some_and(|pair| pair.is_empty()) {
            pairs.pop();
        }
        for pair in pairs {
            let split_at = pair.find('=').filter(|&index| index > 0);
            let key = split_at.map_or(pair, |index| &pair[..index]);
            let value = encode(split_at.map_or("", |index| &pair[index + 1..]));
            if let Some(values) = params.get_mut(key) {
                values.push(value);
            } else {
                // `TreeMap.put` of the encoded key: replaces what that key held.
                params.insert(encode(key), vec![value]);
            }
        }
    }
    for (key, value) in oauth.pairs() {
        params.entry(key).or_default().push(value);
    }
    Ok(join_sorted(params.into_iter().collect(), |key| {
        key.encode_utf16().collect()
    }))
}

/// `key=value` pairs joined with `&`: keys ordered by `sort_key`, a key's values by UTF-16 when
/// it has several (the order Java's `Collections.sort` and JavaScript's `sort` give).
fn join_sorted(
    mut params: Vec<(String, Vec<String>)>,
    sort_key: impl Fn(&str) -> Vec<u16>,
) -> String {
    params.sort_by_cached_key(|(key, _)| sort_key(key));
    let mut joined = Vec::new();
    for (key, mut values) in params {
        if values.len() > 1 {
            values.sort_by(|left, right| utf16_cmp(left, right));
        }
        joined.extend(values.into_iter().map(|value| format!("{key}={value}")));
    }
    joined.join("&")
}

/// Python: `parse_qsl(keep_blank_values=True)` — empty pairs dropped, `+` decoded as a space —,
/// re-encoded if the raw query had an escape (else spaces go back to `+`, i.e. the raw text),
/// then the whole `key=value` strings sorted (so `a1=x` sorts before `a=y`).
fn python_param_string(
    shown: &str,
    raw: &str,
    oauth: &OAuthFields<'_>,
) -> Result<String, RequestError> {
    let must_encode = raw.contains('%');
    let mut joined = Vec::new();
    for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let read = |text: &str| -> Result<String, RequestError> {
            let spaced = text.replace('+', " ");
            let decoded = decode_strict(shown, &spaced)?;
            Ok(if must_encode {
                percent_encode(&decoded).into_owned()
            } else {
                decoded.replace(' ', "+")
            })
        };
        let key = read(key)?;
        let value = read(value)?;
        joined.push(format!("{key}={value}"));
    }
    joined.extend(
        oauth
            .pairs()
            .into_iter()
            .map(|(key, value)| format!("{key}={value}")),
    );
    joined.sort();
    Ok(joined.join("&"))
}

/// Python's `urlparse`: the netloc lower-cased, `:80`/`:443` removed only when written exactly
/// so, `;params` of the last path segment cut off.
fn python_base_uri(split: &SplitUrl<'_>) -> String {
    let default = if split.scheme == "http" { "80" } else { "443" };
    let port = match split.port {
        Some(digits) if digits != default => format!(":{digits}"),
        _ => String::new(),
    };
    let last_segment = split.path.rfind('/').unwrap_or(0);
    let path = match split.path[last_segment..].find(';') {
        Some(index) => &split.path[..last_segment + index],
        None => split.path,
    };
    let path = if path.is_empty() { "/" } else { path };
    format!("{}://{}{port}{path}", split.scheme, split.host)
}

/// Characters Node's legacy `url.parse` escapes in the path and query before anything else
/// (whitespace is refused earlier).
const NODE_AUTO_ESCAPED: [(char, &str); 10] = [
    ('"', "%22"),
    ('\'', "%27"),
    ('<', "%3C"),
    ('>', "%3E"),
    ('\\', "%5C"),
    ('^', "%5E"),
    ('`', "%60"),
    ('{', "%7B"),
    ('|', "%7C"),
    ('}', "%7D"),
];

fn node_auto_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match NODE_AUTO_ESCAPED.iter().find(|(raw, _)| *raw == c) {
            Some((_, escape)) => escaped.push_str(escape),
            None => escaped.push(c),
        }
    }
    escaped
}

/// Node: `protocol//hostname[:port]pathname` — brackets of an IPv6 host dropped, the port kept
/// whenever written (its check compares a string with a number), backslashes in the path turned
/// into slashes, then the auto-escaping above.
fn node_base_uri(split: &SplitUrl<'_>) -> String {
    let host = split
        .host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(&split.host);
    let port = split
        .port
        .map(|digits| format!(":{digits}"))
        .unwrap_or_default();
    let path = node_auto_escape(&split.path.replace('\\', "/"));
    let path = if path.is_empty() {
        "/".to_owned()
    } else {
        path
    };
    format!("{}://{host}{port}{path}", split.scheme)
}

/// Node: the raw query split on `&` (every pair kept, empty ones as `=`), never decoded; a map
/// of key → set of values (a repeated `key=value` counts once), sorted by `key + ","` (how
/// JavaScript's default sort stringifies a `[key, Set]` entry); a key's values sorted only when
/// there are several.
fn node_param_string(raw: &str, oauth: &OAuthFields<'_>) -> String {
    let mut params: HashMap<String, (Vec<String>, HashSet<String>)> = HashMap::new();
    let mut add = |key: String, value: String| {
        let (values, seen) = params.entry(key).or_default();
        if seen.insert(value.clone()) {
            values.push(value);
        }
    };
    if !raw.is_empty() {
        for pair in raw.split('&') {
            let split_at = pair.find('=').filter(|&index| index > 0);
            let key = split_at.map_or(pair, |index| &pair[..index]);
            let value = split_at.map_or("", |index| &pair[index + 1..]);
            add(key.to_owned(), value.to_owned());
        }
    }
    for (key, value) in oauth.pairs() {
        add(key, value);
    }
    let params = params
        .into_iter()
        .map(|(key, (values, _))| (key, values))
        .collect();
    join_sorted(params, |key| {
        key.encode_utf16().chain(",".encode_utf16()).collect()
    })
}

/// JavaScript's `encodeURIComponent`: keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`, UTF-8, upper-case hex.
fn encode_uri_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3 / 2);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth() -> OAuthFields<'static> {
        OAuthFields {
            consumer_key: "ck!1",
            nonce: "n",
            timestamp: 1,
            signature_method: "RSA-SHA256",
            body_hash: "h+/=",
        }
    }

    const OAUTH_TAIL: &str = "oauth_body_hash=h+/=&oauth_consumer_key=ck!1&oauth_nonce=n&\
        oauth_signature_method=RSA-SHA256&oauth_timestamp=1&oauth_version=1.0";

    fn java(raw: &str) -> String {
        java_param_string("u", raw, &oauth()).unwrap_or_else(|error| unreachable!("{error}"))
    }

    fn python(raw: &str) -> String {
        python_param_string("u", raw, &oauth()).unwrap_or_else(|error| unreachable!("{error}"))
    }

    #[test]
    fn plus_beside_escapes_is_read_three_ways() {
        let raw = "memo=a+b+%2850%25%29";
        assert_eq!(java(raw), format!("memo=a%2Bb%2B%2850%25%29&{OAUTH_TAIL}"));
        assert_eq!(
            python(raw),
            format!("memo=a%20b%20%2850%25%29&{OAUTH_TAIL}")
        );
        assert_eq!(
            node_param_string(raw, &oauth()),
            format!("memo=a+b+%2850%25%29&{OAUTH_TAIL}")
        );
    }

    #[test]
    fn java_splits_after_decoding_and_loses_repeated_encoded_keys() {
        let split_inside_value = java("q=a%26b&r=1");
        assert!(split_inside_value.starts_with("b=&oauth_body_hash"));
        assert!(split_inside_value.ends_with("oauth_version=1.0&q=a&r=1"));
        assert!(java("a%20b=1&a%20b=2").starts_with("a%20b=2&oauth"));
        assert!(java("a=1&&b=2&&").starts_with("=&a=1&b=2&oauth"));
    }

    #[test]
    fn python_sorts_pairs_and_drops_empty_ones() {
        assert!(python("a=y&a1=x&&").starts_with("a1=x&a=y&oauth"));
        assert!(python("k").starts_with("k=&oauth"));
    }

    #[test]
    fn node_dedupes_and_sorts_stringified_entries() {
        let params = node_param_string("b=2&a=1&a=1&a%5B=3&&", &oauth());
        assert!(params.starts_with("=&a%5B=3&a=1&b=2&oauth"), "{params}");
        assert_eq!(encode_uri_component("a!*'()~ é/"), "a!*'()~%20%C3%A9%2F");
    }
}
