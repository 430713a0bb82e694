//! The signature base string, produced by `oauth1-request`'s serializer with Mastercard's encoding.
//!
//! `oauth1-request` supplies the protocol machinery: the `oauth_*` parameters (consumer key, nonce,
//! timestamp, signature method, version) interleaved at their sorted positions, and the streaming
//! `Sign` interface. The glue here makes the result Mastercard-exact:
//! * the crate double-encodes `oauth_consumer_key`/`oauth_nonce` (RFC 5849); Mastercard puts them raw
//!   into the parameter string, which is encoded once — so the `Sign` decodes those values once;
//! * the crate never encodes parameter keys; Mastercard encodes the whole parameter string, keys
//!   included — so the `Sign` encodes keys;
//! * `oauth_body_hash` is not a protocol parameter for the crate: it is fed as an ordinary
//!   parameter at its sorted position.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::{self, Display, Write as _};
use std::num::NonZeroU64;

use oauth1_request::serializer::Serializer;
use oauth1_request::signature_method::{Sign, SignatureMethod as CrateSignatureMethod};
use oauth1_request::{Builder, Credentials, Request as CrateRequest};

use crate::body_hash::body_hash;
use crate::encoding::{percent_decode, percent_encode};
use crate::error::RequestError;
use crate::method::SignatureMethod;
use crate::request::{Request, normalized_method, query_params, split_url};

/// What a request signs over.
pub(crate) struct Prepared {
    pub base_string: String,
    pub body_hash: String,
}

/// Body hash and base string of `request` for the given OAuth values: the one path shared by the
/// signer and the verifier.
pub(crate) fn prepare(
    request: &Request<'_>,
    consumer_key: &str,
    nonce: &str,
    timestamp: NonZeroU64,
    method: SignatureMethod,
) -> Result<Prepared, RequestError> {
    let http_method = normalized_method(request.method)?;
    let split = split_url(request.url)?;
    let query = query_params(&split.shown, split.query)?;
    let body_hash = body_hash(request.body_bytes()?);
    let oauth = OAuthValues {
        consumer_key,
        nonce,
        timestamp,
        body_hash: &body_hash,
        method,
    };
    let base_string = base_string(&http_method, &split.base_uri(), &query, &oauth);
    Ok(Prepared {
        base_string,
        body_hash,
    })
}

/// The OAuth values of one request.
struct OAuthValues<'a> {
    pub consumer_key: &'a str,
    pub nonce: &'a str,
    pub timestamp: NonZeroU64,
    pub body_hash: &'a str,
    pub method: SignatureMethod,
}

/// Builds the signature base string for `method` (upper-case), `base_uri` (normalised) and the
/// sorted, normalised query parameters.
fn base_string(
    http_method: &str,
    base_uri: &str,
    query: &[(String, String)],
    oauth: &OAuthValues<'_>,
) -> String {
    let capture = RefCell::new(String::new());
    let signature_method = Capture {
        name: oauth.method.name(),
        out: &capture,
    };
    let request = Parameters {
        query,
        body_hash: oauth.body_hash,
    };
    // The crate also renders an RFC-style header; Mastercard's header is rendered from the same
    // values by `header::render`, so that output is not needed.
    let _rfc_header =
        Builder::<_, _, &str>::new(Credentials::new(oauth.consumer_key, ""), signature_method)
            .nonce(oauth.nonce)
            .timestamp(oauth.timestamp)
            .version(true)
            .authorize(http_method, base_uri, &request);
    capture.into_inner()
}

/// The request parameters in the order the base string needs them.
struct Parameters<'a> {
    query: &'a [(String, String)],
    body_hash: &'a str,
}

/// The protocol parameters the crate emits, in byte order, with the serializer call for each.
const PROTOCOL: [&str; 8] = [
    "oauth_callback",
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_token",
    "oauth_verifier",
    "oauth_version",
];

fn emit_protocol<S: Serializer>(serializer: &mut S, index: usize) {
    match index {
        0 => serializer.serialize_oauth_callback(),
        1 => serializer.serialize_oauth_consumer_key(),
        2 => serializer.serialize_oauth_nonce(),
        3 => serializer.serialize_oauth_signature_method(),
        4 => serializer.serialize_oauth_timestamp(),
        5 => serializer.serialize_oauth_token(),
        6 => serializer.serialize_oauth_verifier(),
        _ => serializer.serialize_oauth_version(),
    }
}

impl CrateRequest for Parameters<'_> {
    fn serialize<S: Serializer>(&self, mut serializer: S) -> S::Output {
        let body_hash = ("oauth_body_hash", self.body_hash);
        let mut ordinary: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let position = ordinary.partition_point(|pair| *pair < body_hash);
        ordinary.insert(position, body_hash);

        let mut next_protocol = 0;
        for (key, value) in ordinary {
            while next_protocol < PROTOCOL.len() && PROTOCOL[next_protocol] < key {
                emit_protocol(&mut serializer, next_protocol);
                next_protocol += 1;
            }
            // Values are already in parameter-string form; "encoded" makes the crate pass them on
            // with one percent-encoding, which is the base string's single outer encoding.
            serializer.serialize_parameter_encoded(key, value);
        }
        while next_protocol < PROTOCOL.len() {
            emit_protocol(&mut serializer, next_protocol);
            next_protocol += 1;
        }
        serializer.end()
    }
}

/// A signature method for the crate that records the base string instead of signing: signing
/// happens afterwards with OpenSSL, so its errors stay typed.
#[derive(Clone, Copy)]
struct Capture<'a> {
    name: &'static str,
    out: &'a RefCell<String>,
}

impl<'a> CrateSignatureMethod for Capture<'a> {
    type Sign = CaptureSign<'a>;

    fn sign_with(self, _client_secret: &str, _token_secret: Option<&str>) -> Self::Sign {
        CaptureSign {
            name: self.name,
            out: self.out,
            base: String::with_capacity(512),
        }
    }
}

struct CaptureSign<'a> {
    name: &'static str,
    out: &'a RefCell<String>,
    base: String,
}

/// Writes `value` (a `Display`) without an intermediate allocation. Writing to a `String` cannot fail.
fn push_display(base: &mut String, value: impl Display) {
    let _ = write!(base, "{value}");
}

impl Sign for CaptureSign<'_> {
    type Signature = Empty;

    fn get_signature_method_name(&self) -> &'static str {
        self.name
    }

    fn request_method(&mut self, method: &str) {
        self.base.push_str(method);
        self.base.push('&');
    }

    fn uri<T: Display>(&mut self, uri: T) {
        // The crate passes the base URI percent-encoded once, as Mastercard does.
        push_display(&mut self.base, uri);
        self.base.push('&');
    }

    fn parameter<V: Display>(&mut self, key: &str, value: V) {
        self.base.push_str(&percent_encode(key));
        self.base.push_str("%3D");
        push_display(&mut self.base, value);
    }

    fn delimiter(&mut self) {
        self.base.push_str("%26");
    }

    fn consumer_key<V: Display>(&mut self, value: V) {
        self.parameter("oauth_consumer_key", undo_one_encoding(&value.to_string()));
    }

    fn nonce<V: Display>(&mut self, value: V) {
        self.parameter("oauth_nonce", undo_one_encoding(&value.to_string()));
    }

    fn end(self) -> Empty {
        *self.out.borrow_mut() = self.base;
        Empty
    }
}

/// RFC double encoding → Mastercard single encoding: the crate percent-encoded a `&str`, so
/// decoding it once gives that string back and cannot meet bytes that are not UTF-8. Were it ever
/// to, the encoded form is kept: the signature then fails to verify instead of silently covering
/// replaced bytes.
fn undo_one_encoding(encoded: &str) -> String {
    percent_decode(encoded).map_or_else(|_| encoded.to_owned(), Cow::into_owned)
}

/// The crate's signature slot, unused (see [`Capture`]).
struct Empty;

impl Display for Empty {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}
