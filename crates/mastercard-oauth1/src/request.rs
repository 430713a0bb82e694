//! The request as signed: method, URL exactly as sent, body bytes; and the Mastercard rules that turn
//! it into a base-string URI and a sorted parameter list.

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

/// The URL split into the parts the signature uses.
pub(crate) struct SplitUrl<'a> {
    /// `scheme://authority/path`, normalised per Mastercard's rules.
    pub base_uri: String,
    /// The raw query (between `?` and `#`), if any.
    pub query: Option<&'a str>,
}

/// Splits and normalises a URL string without re-encoding anything: scheme and authority
/// lower-cased, default port (`:80` for http, `:443` for https) dropped, path kept raw (`/` if empty),
/// query and fragment removed from the base URI.
pub(crate) fn split_url(url: &str) -> Result<SplitUrl<'_>, RequestError> {
    let invalid = |reason| RequestError::InvalidUrl {
        url: url.to_owned(),
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
    let authority = authority.to_lowercase();
    let host = authority
        .rsplit_once('@')
        .map_or(authority.as_str(), |(_, host)| host);
    if host.is_empty() || host.starts_with(':') {
        return Err(invalid("it has no host"));
    }
    let default_port = if scheme == "http" { "80" } else { "443" };
    let authority = match authority.rsplit_once(':') {
        // Numeric comparison like Java's `URI.getPort()`: `:0443` is the default port too.
        Some((host, port))
            if !port.is_empty()
                && port.bytes().all(|byte| byte.is_ascii_digit())
                && port.trim_start_matches('0') == default_port =>
        {
            host.to_owned()
        }
        _ => authority,
    };
    let path = if path.is_empty() { "/" } else { path };
    Ok(SplitUrl {
        base_uri: format!("{scheme}://{authority}{path}"),
        query,
    })
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

/// The query as `(key, value)` pairs in their parameter-string form, sorted by key then value.
///
/// Mastercard's "must encode" rule: if the raw query contains any `%XX` escape, every key and
/// value is decoded and re-encoded (RFC 3986, upper-case hex; `+` is a literal plus); otherwise the
/// raw text is used verbatim. Pairs are split on `&` and the first `=` *before* decoding (like the
/// Python and Node ports; Java decodes first and so splits inside an escaped `%26`, losing data).
pub(crate) fn query_params(
    url: &str,
    query: Option<&str>,
) -> Result<Vec<(String, String)>, RequestError> {
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return Ok(Vec::new());
    };
    if !escapes_are_valid(query) {
        return Err(RequestError::InvalidUrl {
            url: url.to_owned(),
            reason: "the query has a '%' that does not start a %XX escape; encode it as %25",
        });
    }
    let must_encode = query.contains('%');
    let normalise = |text: &str| {
        if must_encode {
            percent_encode(&percent_decode(text)).into_owned()
        } else {
            text.to_owned()
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
        let key = normalise(key);
        if RESERVED.contains(&key.as_str()) {
            return Err(RequestError::ReservedQueryParameter { key });
        }
        params.push((key, normalise(value)));
    }
    params.sort();
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(url: &str) -> Vec<(String, String)> {
        let split = split_url(url).unwrap_or_else(|error| unreachable!("{error}"));
        query_params(url, split.query).unwrap_or_else(|error| unreachable!("{error}"))
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
        let base = |url| split_url(url).map(|split| split.base_uri);
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
    }
}
