//! The request as signed: method, URL exactly as sent, body bytes; and the Mastercard rules that turn
//! it into a base-string URI and a sorted parameter list.

use std::borrow::Cow;

use crate::encoding::{escapes_are_valid, percent_decode, percent_encode};
use crate::error::RequestError;

/// The body of a request, as far as signing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Body<'a> {
    /// No body (GET, DELETE, empty POST): hashed as the empty string.
    #[default]
    Empty,
    /// The exact bytes that will be sent.
    Bytes(&'a [u8]),
    /// A stream whose bytes are not available before sending: cannot be signed.
    Unbuffered,
}

impl<'a> From<&'a [u8]> for Body<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Body::Bytes(bytes)
    }
}

impl<'a> From<&'a str> for Body<'a> {
    fn from(text: &'a str) -> Self {
        Body::Bytes(text.as_bytes())
    }
}

/// A request to sign or verify.
///
/// `url` must be the exact string that goes on the wire (with `reqwest`/`url`, pass
/// `url.as_str()` after all modifications): Mastercard signs the path and the query as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// HTTP method (any case; signed upper-case).
    pub method: &'a str,
    /// Absolute `http`/`https` URL, exactly as sent.
    pub url: &'a str,
    /// The body.
    pub body: Body<'a>,
}

impl<'a> Request<'a> {
    /// A request with the given method, URL and body bytes (`b""` for none).
    pub fn new(method: &'a str, url: &'a str, body: &'a [u8]) -> Self {
        Self {
            method,
            url,
            body: if body.is_empty() {
                Body::Empty
            } else {
                Body::Bytes(body)
            },
        }
    }

    /// The body bytes, or the typed error for an unbuffered stream.
    pub(crate) fn body_bytes(&self) -> Result<&'a [u8], RequestError> {
        match self.body {
            Body::Empty => Ok(b""),
            Body::Bytes(bytes) => Ok(bytes),
            Body::Unbuffered => Err(RequestError::UnbufferedBody),
        }
    }
}

/// The upper-cased method, after checking it is an HTTP token.
pub(crate) fn normalized_method(method: &str) -> Result<String, RequestError> {
    let is_token = !method.is_empty()
        && method
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte));
    if !is_token {
        return Err(RequestError::InvalidMethod {
            method: method.to_owned(),
        });
    }
    Ok(method.to_ascii_uppercase())
}

/// The URL split into the parts the signature uses, validated but not re-encoded.
pub(crate) struct SplitUrl<'a> {
    /// `http` or `https`, lower-cased.
    pub scheme: String,
    /// The host, lower-cased (an IPv6 literal keeps its brackets).
    pub host: String,
    /// The port digits as written (`None` without a port).
    pub port: Option<&'a str>,
    /// The port's value, checked to be 1–65535.
    pub port_number: Option<u16>,
    /// The raw path (possibly empty).
    pub path: &'a str,
    /// The raw query (between `?` and `#`), if any.
    pub query: Option<&'a str>,
    /// The URL as it may appear in an error message (user info replaced by `***`).
    pub shown: String,
}

impl SplitUrl<'_> {
    /// `scheme://authority/path` by Mastercard's (Java's) rules: scheme and host lower-cased,
    /// the default port (`:80` for http, `:443` for https, compared numerically as Java's
    /// `URI.getPort()` does, so `:0443` too) dropped, the path raw, `/` for an empty path.
    pub fn base_uri(&self) -> String {
        let default_port = if self.scheme == "http" { 80 } else { 443 };
        let port = match (self.port, self.port_number) {
            (Some(digits), Some(number)) if number != default_port => format!(":{digits}"),
            _ => String::new(),
        };
        let path = if self.path.is_empty() { "/" } else { self.path };
        format!("{}://{}{port}{path}", self.scheme, self.host)
    }
}

/// `url` with anything that could be user info replaced by `***`, for error messages: the
/// authority's user info, and also a `…:…@` before the query whose password holds a `/` (which
/// a parser would read as the start of the path).
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|index| index + 3) else {
        return url.to_owned();
    };
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let query_start = rest.find(['?', '#']).unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@').or_else(|| {
        rest[..query_start]
            .rfind('@')
            .filter(|&at| rest[..at].contains(':'))
    });
    match at {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..]),
        None => url.to_owned(),
    }
}

/// Splits and validates a URL string without re-encoding anything.
///
/// Refused: relative URLs, schemes other than http/https, whitespace and control characters,
/// user info, a missing or malformed host (an unclosed `[`, characters outside RFC 3986's
/// host syntax, non-ASCII: use the `xn--` form) and ports that are empty, not a number or
/// outside 1–65535.
pub(crate) fn split_url(url: &str) -> Result<SplitUrl<'_>, RequestError> {
    let shown = redact_userinfo(url);
    let invalid = |reason| RequestError::InvalidUrl {
        url: shown.clone(),
        reason,
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            "it contains whitespace or control characters; percent-encode them (%20)",
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("it is not absolute; use https://host/path"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(invalid("the scheme must be http or https"));
    }
    let without_fragment = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (without_fragment, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(index) => before_query.split_at(index),
        None => (before_query, ""),
    };
    if authority.contains('@') {
        return Err(RequestError::UserInfoInUrl { url: shown });
    }
    let (host, port) = split_host_port(authority).map_err(invalid)?;
    let port_number = port.map(parse_port).transpose().map_err(invalid)?;
    Ok(SplitUrl {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        port_number,
        path,
        query,
        shown,
    })
}

/// The host and the port digits of an authority without user info.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), &'static str> {
    if authority.is_empty() || authority.starts_with(':') {
        return Err("it has no host");
    }
    if let Some(literal) = authority.strip_prefix('[') {
        let (inside, after) = literal
            .split_once(']')
            .ok_or("the IPv6 host has no closing ']'")?;
        let is_ipv6 = inside.contains(':')
            && inside
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() || byte == b':' || byte == b'.');
        if !is_ipv6 {
            return Err("the bracketed host is not an IPv6 address");
        }
        let host = &authority[..inside.len() + 2];
        return match after {
            "" => Ok((host, None)),
            _ => after
                .strip_prefix(':')
                .map(|port| (host, Some(port)))
                .ok_or("only ':port' may follow an IPv6 host"),
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if !host.is_ascii() {
        return Err("the host is not ASCII; use its xn-- (punycode) form");
    }
    // RFC 3986 reg-name: unreserved and sub-delimiters. Percent-escapes are refused too: HTTP
    // clients decode them, so the host sent would differ from the host signed.
    let valid = host
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=".contains(&byte));
    if !valid {
        return Err("the host has characters a host name cannot have");
    }
    Ok((host, port))
}

/// A port: decimal digits, 1–65535 (leading zeros allowed, as Java and Python read them).
fn parse_port(digits: &str) -> Result<u16, &'static str> {
    if digits.is_empty() {
        return Err("the port after ':' is empty; remove the ':' or give a port");
    }
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("the port is not a decimal number");
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 5 {
        return Err("the port is outside 1-65535");
    }
    match significant.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err("the port is outside 1-65535"),
    }
}

/// OAuth parameters that this crate adds; a query parameter must not reuse their names.
pub(crate) const RESERVED: [&str; 7] = [
    "oauth_body_hash",
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_version",
];

/// Checks that the raw query has only `%XX` escapes (no stray `%`).
pub(crate) fn check_escapes(shown_url: &str, query: &str) -> Result<(), RequestError> {
    if escapes_are_valid(query) {
        Ok(())
    } else {
        Err(RequestError::InvalidUrl {
            url: shown_url.to_owned(),
            reason: "the query has a '%' that does not start a %XX escape; encode it as %25",
        })
    }
}

/// Decodes `text` strictly, naming it in the error when its escapes are not UTF-8.
pub(crate) fn decode_strict<'t>(
    shown_url: &str,
    text: &'t str,
) -> Result<Cow<'t, str>, RequestError> {
    percent_decode(text).map_err(|_| RequestError::NonUtf8Escape {
        url: shown_url.to_owned(),
        text: text.to_owned(),
    })
}

/// The query as `(key, value)` pairs in their parameter-string form, sorted by key then value.
///
/// Mastercard's "must encode" rule: if the raw query contains any `%XX` escape, every key and
/// value is decoded and re-encoded (RFC 3986, upper-case hex; `+` is a literal plus); otherwise the
/// raw text is used verbatim. Pairs are split on `&` and the first `=` *before* decoding (like the
/// Python and Node ports; Java decodes first and so splits inside an escaped `%26`, losing data).
/// Escapes that do not decode to UTF-8 are refused (`NonUtf8Escape`), never replaced.
pub(crate) fn query_params(
    shown_url: &str,
    query: Option<&str>,
) -> Result<Vec<(String, String)>, RequestError> {
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return Ok(Vec::new());
    };
    check_escapes(shown_url, query)?;
    let must_encode = query.contains('%');
    let normalise = |text: &str| -> Result<String, RequestError> {
        if must_encode {
            Ok(percent_encode(&decode_strict(shown_url, text)?).into_owned())
        } else {
            Ok(text.to_owned())
        }
    };
    // Java's `String.split("&")` keeps empty pairs in the middle but drops trailing ones.
    let mut pairs: Vec<&str> = query.split('&').collect();
    while pairs.last().is_some_and(|pair| pair.is_empty()) {
        pairs.pop();
    }
    let mut params = Vec::with_capacity(pairs.len());
    for pair in pairs {
        // Java: a '=' at index 0 does not split (the whole pair is the key).
        let (key, value) = match pair.find('=') {
            Some(index) if index > 0 => (&pair[..index], &pair[index + 1..]),
            _ => (pair, ""),
        };
        let key = normalise(key)?;
        if RESERVED.contains(&key.as_str()) {
            return Err(RequestError::ReservedQueryParameter { key });
        }
        params.push((key, normalise(value)?));
    }
    params.sort();
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(url: &str) -> Vec<(String, String)> {
        let split = split_url(url).unwrap_or_else(|error| unreachable!("{error}"));
        query_params(&split.shown, split.query).unwrap_or_else(|error| unreachable!("{error}"))
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn must_encode_rule() {
        assert_eq!(
            params("https://e.com/?a=b%2Bc+d"),
            pairs(&[("a", "b%2Bc%2Bd")])
        );
        assert_eq!(
            params("https://e.com/?x=%2a&y=:"),
            pairs(&[("x", "%2A"), ("y", "%3A")])
        );
        assert_eq!(
            params("https://e.com/?y=:&p=+"),
            pairs(&[("p", "+"), ("y", ":")])
        );
        assert_eq!(
            params("https://e.com/?q=a%26b&r=1"),
            pairs(&[("q", "a%26b"), ("r", "1")])
        );
        assert_eq!(
            params("https://e.com/?a&=x&b=&&"),
            pairs(&[("=x", ""), ("a", ""), ("b", "")])
        );
    }

    #[test]
    fn base_uri_rules() {
        let base = |url| split_url(url).map(|split| split.base_uri());
        assert_eq!(
            base("HTTPS://API.Example.COM:443/Path/%7Euser").as_deref(),
            Ok("https://api.example.com/Path/%7Euser")
        );
        assert_eq!(base("http://h:0080").as_deref(), Ok("http://h/"));
        assert_eq!(base("https://h:80/a").as_deref(), Ok("https://h:80/a"));
        assert!(base("ftp://h/").is_err());
        assert!(base("/relative").is_err());
        assert!(base("https:///nohost").is_err());
        assert!(base("https://h/a b").is_err());
        assert_eq!(
            base("https://[::1]:8443").as_deref(),
            Ok("https://[::1]:8443/")
        );
        for bad in [
            "https://[::1/x",
            "https://[::1]x/",
            "https://[zz]/",
            "https://h:99999/",
            "https://h:0/",
            "https://h:/",
            "https://h:4a/",
            "https://bü.de/",
            "https://h%41/",
            "https://u:p@h/",
        ] {
            assert!(base(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_info_is_redacted_from_what_errors_show() {
        assert_eq!(
            redact_userinfo("https://u:pw@h/x?a@b"),
            "https://***@h/x?a@b"
        );
        assert_eq!(redact_userinfo("https://u:p/w@h/x"), "https://***@h/x");
        assert_eq!(redact_userinfo("https://h/a@b"), "https://h/a@b");
        assert_eq!(redact_userinfo("no scheme"), "no scheme");
    }
}
