//! The `Authorization` header: rendering (Mastercard/Python layout) and parsing (for verification).

use crate::encoding::percent_encode;
use crate::error::VerifyError;

/// The OAuth parameters carried by an `Authorization` header, values exactly as they appear
/// between the quotes (Mastercard sends them raw; only `oauth_signature` is percent-encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    /// `oauth_consumer_key`.
    pub consumer_key: String,
    /// `oauth_nonce`.
    pub nonce: String,
    /// `oauth_timestamp`, as sent.
    pub timestamp: String,
    /// `oauth_signature_method`.
    pub signature_method: String,
    /// `oauth_version`.
    pub version: String,
    /// `oauth_body_hash`.
    pub body_hash: String,
    /// `oauth_signature`, as sent (percent-encoded base64).
    pub signature: String,
}

/// Renders the header in the field order of Mastercard's Python signer (the gateway ignores the
/// order); values raw, the base64 signature percent-encoded.
pub(crate) fn render(
    consumer_key: &str,
    nonce: &str,
    timestamp: u64,
    method: &str,
    body_hash: &str,
    signature_b64: &str,
) -> String {
    format!(
        "OAuth oauth_consumer_key=\"{consumer_key}\",oauth_nonce=\"{nonce}\",oauth_timestamp=\"{timestamp}\",\
         oauth_signature_method=\"{method}\",oauth_version=\"1.0\",oauth_body_hash=\"{body_hash}\",\
         oauth_signature=\"{}\"",
        percent_encode(signature_b64)
    )
}

impl AuthorizationHeader {
    /// Parses `OAuth k="v",k="v",…` (scheme case-insensitive, optional spaces after commas,
    /// `realm` ignored). Every Mastercard parameter is required, exactly once; unknown
    /// parameters are rejected because they would change the base string.
    pub fn parse(header: &str) -> Result<Self, VerifyError> {
        let header = header.trim();
        let (scheme, rest) = header.split_at(header.find(' ').unwrap_or(header.len()));
        if !scheme.eq_ignore_ascii_case("OAuth") {
            return Err(VerifyError::malformed(
                "the header does not start with \"OAuth \"",
            ));
        }
        let mut fields: [Option<String>; 7] = Default::default();
        let mut rest = rest.trim_start();
        while !rest.is_empty() {
            let expected = || {
                VerifyError::malformed(format!("expected name=\"value\" at {:?}", excerpt(rest)))
            };
            let (name, after_name) = rest.split_once("=\"").ok_or_else(expected)?;
            let name = name.trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
            {
                return Err(expected());
            }
            let (value, after_value) = after_name
                .split_once('"')
                .ok_or_else(|| VerifyError::malformed(format!("unterminated value for {name}")))?;
            if name != "realm" {
                let index = FIELDS
                    .iter()
                    .position(|field| *field == name)
                    .ok_or_else(|| {
                        VerifyError::malformed(format!("unexpected parameter {name:?}"))
                    })?;
                if fields[index].replace(value.to_owned()).is_some() {
                    return Err(VerifyError::malformed(format!(
                        "parameter {name} appears twice"
                    )));
                }
            }
            rest = after_value.trim_start();
            if let Some(next) = rest.strip_prefix(',') {
                rest = next.trim_start();
                if rest.is_empty() {
                    return Err(VerifyError::malformed("trailing comma"));
                }
            } else if !rest.is_empty() {
                return Err(VerifyError::malformed(format!(
                    "expected ',' before {:?}",
                    excerpt(rest)
                )));
            }
        }
        let mut take = |index: usize| {
            fields[index]
                .take()
                .ok_or_else(|| VerifyError::malformed(format!("missing {}", FIELDS[index])))
        };
        Ok(Self {
            consumer_key: take(0)?,
            nonce: take(1)?,
            timestamp: take(2)?,
            signature_method: take(3)?,
            version: take(4)?,
            body_hash: take(5)?,
            signature: take(6)?,
        })
    }
}

/// The start of `text`, for error messages about a header of any length.
fn excerpt(text: &str) -> &str {
    const SHOWN: usize = 40;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

const FIELDS: [&str; 7] = [
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_signature_method",
    "oauth_version",
    "oauth_body_hash",
    "oauth_signature",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_parse_round_trips() {
        let rendered = render(
            "ck!1",
            "n0nce",
            1_700_000_000,
            "RSA-SHA256",
            "aGFzaA==",
            "s+/=",
        );
        let parsed =
            AuthorizationHeader::parse(&rendered).unwrap_or_else(|error| unreachable!("{error}"));
        assert_eq!(parsed.consumer_key, "ck!1");
        assert_eq!(parsed.timestamp, "1700000000");
        assert_eq!(parsed.signature, "s%2B%2F%3D");
    }

    #[test]
    fn rejects_malformed_headers() {
        for bad in [
            "Basic abc",
            "OAuth oauth_nonce=\"x\"",
            "OAuth oauth_nonce=\"x",
            "OAuth oauth_nonce=\"x\" oauth_version=\"1.0\"",
            "OAuth oauth_foo=\"x\"",
            "OAuth oauth_nonce=\"x\",oauth_nonce=\"y\"",
            "OAuth oauth_nonce=\"x\",",
        ] {
            assert!(AuthorizationHeader::parse(bad).is_err(), "{bad}");
        }
    }
}
