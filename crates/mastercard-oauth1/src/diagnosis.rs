//! "Signature did not match", explained: compare the base string a request was signed over with
//! the one the gateway says it would accept, and name what differs.
//!
//! Mastercard's gateway answers a signature mismatch with a 401 whose error description ends in
//! "Acceptable signature base string: …". [`acceptable_base_string`] extracts that string from
//! the error body; [`diagnose`] compares it part by part with ours — method, scheme, host, port,
//! path, each query parameter, the body hash, the consumer key, the other `oauth_*` values —
//! and says for each difference what usually causes it.

use std::collections::BTreeMap;
use std::fmt;

use crate::encoding::{percent_decode, percent_encode};

/// The result of comparing two signature base strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// What differs, in base-string order (empty when the strings are identical).
    pub differences: Vec<Difference>,
}

impl Diagnosis {
    /// Whether the two base strings are identical.
    pub fn is_match(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Which of the two base strings a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The base string the request was signed over.
    Ours,
    /// The gateway's "acceptable signature base string".
    Theirs,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ours => "our",
            Self::Theirs => "the gateway's",
        })
    }
}

/// One part of the base strings that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// A base string is not `METHOD&encoded-URI&encoded-parameters`.
    Malformed {
        /// Which one.
        side: Side,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP method.
    Method {
        /// Ours.
        ours: String,
        /// The gateway's.
        theirs: String,
    },
    /// The URL scheme (`http`/`https`).
    Scheme {
        /// Ours.
        ours: String,
        /// The gateway's.
        theirs: String,
    },
    /// The host.
    Host {
        /// Ours.
        ours: String,
        /// The gateway's.
        theirs: String,
    },
    /// The port (`None`: no port in the base string, i.e. the scheme's default).
    Port {
        /// Ours.
        ours: Option<String>,
        /// The gateway's.
        theirs: Option<String>,
    },
    /// The path.
    Path {
        /// Ours (as in the base string, before its outer encoding).
        ours: String,
        /// The gateway's.
        theirs: String,
        /// Whether both decode to the same path: only the encoding differs.
        encoding_only: bool,
    },
    /// A query parameter: missing on one side, or with other values.
    QueryParameter {
        /// The parameter's name (as the gateway wrote it when it has it).
        name: String,
        /// Our values, in parameter-string form (empty: we did not sign it).
        ours: Vec<String>,
        /// The gateway's values (empty: the gateway did not receive it).
        theirs: Vec<String>,
        /// What this kind of difference usually means.
        hint: &'static str,
    },
    /// `oauth_body_hash`.
    BodyHash {
        /// Ours.
        ours: String,
        /// The gateway's.
        theirs: String,
        /// The likely cause.
        likely_cause: &'static str,
    },
    /// `oauth_consumer_key`.
    ConsumerKey {
        /// Ours.
        ours: String,
        /// The gateway's.
        theirs: String,
        /// The likely cause.
        likely_cause: &'static str,
    },
    /// Another `oauth_*` parameter (nonce, timestamp, signature method, version, …).
    OAuthParameter {
        /// Its name.
        name: String,
        /// Our value, if any.
        ours: Option<String>,
        /// The gateway's value, if any.
        theirs: Option<String>,
    },
    /// The same parameters in another order.
    ParameterOrder {
        /// Our parameter names in order.
        ours: Vec<String>,
        /// The gateway's.
        theirs: Vec<String>,
    },
    /// The strings differ only in how their parts are percent-encoded (e.g. lower-case hex, a
    /// character left unencoded).
    OuterEncoding,
}

/// The parts of a signature base string.
struct Parts {
    method: String,
    scheme: String,
    host: String,
    port: Option<String>,
    path: String,
    /// `(key, value)` pairs as in the parameter string (encoded once), in order.
    params: Vec<(String, String)>,
}

fn parse(base_string: &str) -> Result<Parts, &'static str> {
    let mut pieces = base_string.trim().split('&');
    let (Some(method), Some(uri), Some(params), None) =
        (pieces.next(), pieces.next(), pieces.next(), pieces.next())
    else {
        return Err(
            "it is not three '&'-separated parts (method, encoded URI, encoded parameters)",
        );
    };
    if method.is_empty()
        || !method
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
    {
        return Err("its first part is not an HTTP method");
    }
    let uri = percent_decode(uri).map_err(|_| "its URI part does not percent-decode to UTF-8")?;
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or("its URI part is not an absolute URL")?;
    let (authority, path) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    let (host, port) = match authority.rfind(':') {
        Some(at) if !authority[at..].contains(']') => {
            (&authority[..at], Some(authority[at + 1..].to_owned()))
        }
        _ => (authority, None),
    };
    let params = percent_decode(params)
        .map_err(|_| "its parameter part does not percent-decode to UTF-8")?;
    let params = params
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_owned(), value.to_owned())
        })
        .collect();
    Ok(Parts {
        method: method.to_owned(),
        scheme: scheme.to_owned(),
        host: host.to_owned(),
        port,
        path: path.to_owned(),
        params,
    })
}

/// The hash of an empty body, which a gateway computes when no body arrived.
const EMPTY_BODY_HASH: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/// Compares the base string we signed (`ours`) with the gateway's acceptable one (`theirs`).
pub fn diagnose(ours: &str, theirs: &str) -> Diagnosis {
    let (ours_parts, theirs_parts) = match (parse(ours), parse(theirs)) {
        (Ok(ours), Ok(theirs)) => (ours, theirs),
        (ours_parsed, theirs_parsed) => {
            let mut differences = Vec::new();
            if let Err(reason) = ours_parsed {
                differences.push(Difference::Malformed {
                    side: Side::Ours,
                    reason,
                });
            }
            if let Err(reason) = theirs_parsed {
                differences.push(Difference::Malformed {
                    side: Side::Theirs,
                    reason,
                });
            }
            return Diagnosis { differences };
        }
    };
    let mut differences = compare(&ours_parts, &theirs_parts);
    if differences.is_empty() && ours.trim() != theirs.trim() {
        differences.push(Difference::OuterEncoding);
    }
    Diagnosis { differences }
}

fn compare(ours: &Parts, theirs: &Parts) -> Vec<Difference> {
    let mut differences = Vec::new();
    if ours.method != theirs.method {
        differences.push(Difference::Method {
            ours: ours.method.clone(),
            theirs: theirs.method.clone(),
        });
    }
    if ours.scheme != theirs.scheme {
        differences.push(Difference::Scheme {
            ours: ours.scheme.clone(),
            theirs: theirs.scheme.clone(),
        });
    }
    if ours.host != theirs.host {
        differences.push(Difference::Host {
            ours: ours.host.clone(),
            theirs: theirs.host.clone(),
        });
    }
    if ours.port != theirs.port {
        differences.push(Difference::Port {
            ours: ours.port.clone(),
            theirs: theirs.port.clone(),
        });
    }
    if ours.path != theirs.path {
        let decoded = |path: &str| percent_decode(path).ok().map(|path| path.into_owned());
        differences.push(Difference::Path {
            ours: ours.path.clone(),
            theirs: theirs.path.clone(),
            encoding_only: decoded(&ours.path).is_some()
                && decoded(&ours.path) == decoded(&theirs.path),
        });
    }
    let before = differences.len();
    compare_params(ours, theirs, &mut differences);
    if differences.len() == before && ours.params != theirs.params {
        differences.push(Difference::ParameterOrder {
            ours: ours.params.iter().map(|(key, _)| key.clone()).collect(),
            theirs: theirs.params.iter().map(|(key, _)| key.clone()).collect(),
        });
    }
    differences
}

/// Groups parameters by their decoded name, so `a%5B` and `a[` are one parameter.
fn grouped(params: &[(String, String)]) -> BTreeMap<String, (String, Vec<String>)> {
    let mut groups: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for (key, value) in params {
        let name = percent_decode(key).map_or_else(|_| key.clone(), |name| name.into_owned());
        groups
            .entry(name)
            .or_insert_with(|| (key.clone(), Vec::new()))
            .1
            .push(value.clone());
    }
    for (_, values) in groups.values_mut() {
        values.sort();
    }
    groups
}

fn compare_params(ours: &Parts, theirs: &Parts, differences: &mut Vec<Difference>) {
    let ours_groups = grouped(&ours.params);
    let theirs_groups = grouped(&theirs.params);
    let names: std::collections::BTreeSet<&String> =
        ours_groups.keys().chain(theirs_groups.keys()).collect();
    for name in names {
        let ours = ours_groups.get(name);
        let theirs = theirs_groups.get(name);
        let ours_values = ours.map(|(_, values)| values.clone()).unwrap_or_default();
        let theirs_values = theirs.map(|(_, values)| values.clone()).unwrap_or_default();
        let same_key_text = ours.map(|(key, _)| key) == theirs.map(|(key, _)| key);
        if ours_values == theirs_values && same_key_text {
            continue;
        }
        let single = |values: &[String]| values.first().cloned().unwrap_or_default();
        match name.as_str() {
            "oauth_body_hash" => differences.push(Difference::BodyHash {
                likely_cause: body_hash_cause(&single(&ours_values), &single(&theirs_values)),
                ours: single(&ours_values),
                theirs: single(&theirs_values),
            }),
            "oauth_consumer_key" => differences.push(Difference::ConsumerKey {
                likely_cause: consumer_key_cause(&single(&ours_values), &single(&theirs_values)),
                ours: single(&ours_values),
                theirs: single(&theirs_values),
            }),
            oauth if oauth.starts_with("oauth_") => {
                differences.push(Difference::OAuthParameter {
                    name: name.clone(),
                    ours: ours_values.first().cloned(),
                    theirs: theirs_values.first().cloned(),
                });
            }
            _ => differences.push(Difference::QueryParameter {
                name: theirs
                    .or(ours)
                    .map_or_else(|| name.clone(), |(key, _)| key.clone()),
                hint: query_hint(&ours_values, &theirs_values, same_key_text),
                ours: ours_values,
                theirs: theirs_values,
            }),
        }
    }
}

fn body_hash_cause(ours: &str, theirs: &str) -> &'static str {
    if theirs == percent_encode(ours) {
        "the Authorization header carried the body hash percent-encoded and the gateway took it \
         as is; send oauth_body_hash raw (only oauth_signature is percent-encoded)"
    } else if theirs == EMPTY_BODY_HASH {
        "the gateway received no body: the body was not sent, or sent as a stream it could not read"
    } else if ours == EMPTY_BODY_HASH {
        "we signed an empty body but a body was sent: sign the exact body bytes"
    } else {
        "the bytes sent are not the bytes hashed: the body was re-serialised after signing (e.g. \
         JSON re-encoded by the HTTP client), or hashed in another charset than the one sent; \
         hash the exact UTF-8 bytes that go on the wire"
    }
}

fn consumer_key_cause(ours: &str, theirs: &str) -> &'static str {
    if theirs == percent_encode(ours) {
        "the Authorization header carried the consumer key percent-encoded (`!` as %21) and the \
         gateway took it as is; send it raw"
    } else {
        "another consumer key: check that the configured key belongs to the project of the \
         signing key"
    }
}

fn query_hint(ours: &[String], theirs: &[String], same_key_text: bool) -> &'static str {
    if ours.is_empty() {
        return "the gateway received a parameter we did not sign: it was added after signing \
                (by the HTTP client, a proxy) — sign the final URL";
    }
    if theirs.is_empty() {
        return "we signed a parameter the gateway did not receive: it was dropped after signing \
                — sign the final URL";
    }
    let decoded = |values: &[String]| -> Option<Vec<String>> {
        values
            .iter()
            .map(|value| percent_decode(value).ok().map(|value| value.into_owned()))
            .collect()
    };
    let plus_as_space = |values: &[String]| -> Vec<String> {
        values
            .iter()
            // `+`, `%2B` and `%20` made one symbol: equal afterwards is a plus/space confusion.
            .map(|value| {
                value
                    .replace("%2B", " ")
                    .replace("%20", " ")
                    .replace('+', " ")
            })
            .collect()
    };
    if ours.len() != theirs.len() {
        "the parameter occurs a different number of times (a repeated parameter merged or dropped)"
    } else if decoded(ours).is_some() && decoded(ours) == decoded(theirs) {
        "the same value, encoded differently: sign the query exactly as sent, fully \
         percent-encoded (%20 for a space, %2B for a plus, upper-case hex)"
    } else if plus_as_space(ours) == plus_as_space(theirs) {
        "a `+` in the query was read as a plus on one side and as a space on the other: write a \
         space as %20 and a plus as %2B"
    } else if !same_key_text && ours == theirs {
        "the parameter name is encoded differently"
    } else {
        "another value: the query was changed after signing (re-encoded or rewritten by the \
         HTTP client or a proxy)"
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { side, reason } => {
                write!(
                    f,
                    "{side} base string is not a signature base string: {reason}"
                )
            }
            Self::Method { ours, theirs } => write!(
                f,
                "method: we signed {ours}, the gateway expected {theirs} (sign the method actually sent)"
            ),
            Self::Scheme { ours, theirs } => {
                write!(
                    f,
                    "scheme: we signed {ours}://, the gateway expected {theirs}://"
                )
            }
            Self::Host { ours, theirs } => write!(
                f,
                "host: we signed {ours:?}, the gateway expected {theirs:?} (sign the URL of the host you call)"
            ),
            Self::Port { ours, theirs } => write!(
                f,
                "port: we signed {}, the gateway expected {} (drop :443 for https and :80 for http)",
                ours.as_deref()
                    .map_or("none".to_owned(), |port| format!(":{port}")),
                theirs
                    .as_deref()
                    .map_or("none".to_owned(), |port| format!(":{port}"))
            ),
            Self::Path {
                ours,
                theirs,
                encoding_only,
            } => {
                write!(
                    f,
                    "path: we signed {ours:?}, the gateway expected {theirs:?}"
                )?;
                if *encoding_only {
                    f.write_str(
                        " — the same path encoded differently: sign the path exactly as sent",
                    )
                } else {
                    Ok(())
                }
            }
            Self::QueryParameter {
                name,
                ours,
                theirs,
                hint,
            } => write!(
                f,
                "query parameter {name:?}: we signed {}, the gateway expected {} — {hint}",
                values(ours),
                values(theirs)
            ),
            Self::BodyHash {
                ours,
                theirs,
                likely_cause,
            } => write!(
                f,
                "body hash: we signed {ours:?}, the gateway expected {theirs:?} — likely cause: {likely_cause}"
            ),
            Self::ConsumerKey {
                ours,
                theirs,
                likely_cause,
            } => write!(
                f,
                "consumer key: we signed {ours:?}, the gateway used {theirs:?} — likely cause: {likely_cause}"
            ),
            Self::OAuthParameter { name, ours, theirs } => write!(
                f,
                "{name}: we signed {}, the gateway used {} (the header must carry exactly the values signed)",
                ours.as_deref()
                    .map_or("nothing".to_owned(), |value| format!("{value:?}")),
                theirs
                    .as_deref()
                    .map_or("nothing".to_owned(), |value| format!("{value:?}"))
            ),
            Self::ParameterOrder { ours, theirs } => write!(
                f,
                "parameter order: we signed {}, the gateway sorted {} (sort by name, then value)",
                ours.join(","),
                theirs.join(",")
            ),
            Self::OuterEncoding => f.write_str(
                "the parts are equal but encoded differently in the base string (RFC 3986, \
                 upper-case hex, every character but A-Z a-z 0-9 - . _ ~ encoded once)",
            ),
        }
    }
}

fn values(values: &[String]) -> String {
    match values {
        [] => "nothing".to_owned(),
        [one] => format!("{one:?}"),
        many => format!("{many:?}"),
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.differences.as_slice() {
            [] => f.write_str(
                "the signature base strings are identical: the signature itself is what the gateway \
                 refuses — check that the signing key belongs to the consumer key's project and \
                 that the signature method (RSA-SHA256, RSA-PSS) is the one sent",
            ),
            differences => {
                write!(
                    f,
                    "the signature base strings differ in {} place{}:",
                    differences.len(),
                    if differences.len() == 1 { "" } else { "s" }
                )?;
                for difference in differences {
                    write!(f, "\n  - {difference}")?;
                }
                Ok(())
            }
        }
    }
}

/// The largest error body [`acceptable_base_string`] looks into.
pub const MAX_ERROR_BODY: usize = 1024 * 1024;

const MARKER: &str = "acceptable signature base string:";

/// The "acceptable signature base string" of a gateway 401 error body, if it has one.
///
/// Both Mastercard error-body shapes are read — `{"Errors":{"Error":[{…,"Description":"…"}]}}`
/// (also with a single `Error` object) and `{"Errors":[{…}]}` — with field names matched
/// case-insensitively. Any other shape, invalid JSON, a body over [`MAX_ERROR_BODY`] bytes or
/// a description without the marker gives `None`.
pub fn acceptable_base_string(body: &[u8]) -> Option<String> {
    if body.len() > MAX_ERROR_BODY {
        return None;
    }
    let document: serde_json::Value = serde_json::from_slice(body).ok()?;
    let errors = field(&document, "Errors")?;
    let list: Vec<&serde_json::Value> = match errors {
        serde_json::Value::Array(items) => items.iter().collect(),
        serde_json::Value::Object(_) => match field(errors, "Error")? {
            serde_json::Value::Array(items) => items.iter().collect(),
            single @ serde_json::Value::Object(_) => vec![single],
            _ => return None,
        },
        _ => return None,
    };
    list.into_iter().find_map(|error| {
        let description = field(error, "Description")?.as_str()?;
        let at = description.to_ascii_lowercase().find(MARKER)?;
        let found = description.get(at + MARKER.len()..)?.trim();
        (!found.is_empty()).then(|| found.to_owned())
    })
}

fn field<'v>(value: &'v serde_json::Value, name: &str) -> Option<&'v serde_json::Value> {
    value
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}
