//! Parsing and structural validation of a JWE compact serialization, before any key is used.
//!
//! josekit's own parser accepts truncated GCM tags, IVs of any length, `zip` and unknown `crit`
//! members, and reports every failure as the same error kind; doing the structural checks here
//! lets the crate refuse those tokens with a precise [`JweError`] and keeps josekit for the
//! cryptographic primitives only.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::error::{JweError, Segment, excerpt};

/// Unpadded base64url that rejects non-zero trailing bits, so that each byte string has exactly
/// one encoding and no character of a token can change without changing the decoded bytes.
pub(crate) const B64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// The GCM and CBC-HMAC tags Mastercard's libraries produce are 128 bits; anything shorter is a
/// truncation that weakens authentication.
pub(crate) const TAG_LEN: usize = 16;

/// Largest protected header, encrypted key and IV segments considered plausible; they are tiny in
/// practice, so this only bounds the work done on hostile input.
const MAX_HEADER_SEGMENT: usize = 8 * 1024;
const MAX_SMALL_SEGMENT: usize = 4 * 1024;

/// Content encryptions accepted on decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enc {
    A128Gcm,
    A192Gcm,
    A256Gcm,
    A128CbcHs256,
}

impl Enc {
    fn parse(name: &str) -> Result<Self, JweError> {
        match name {
            "A128GCM" => Ok(Self::A128Gcm),
            "A192GCM" => Ok(Self::A192Gcm),
            "A256GCM" => Ok(Self::A256Gcm),
            "A128CBC-HS256" => Ok(Self::A128CbcHs256),
            other => Err(JweError::UnsupportedEncryption(excerpt(other))),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::A128Gcm => "A128GCM",
            Self::A192Gcm => "A192GCM",
            Self::A256Gcm => "A256GCM",
            Self::A128CbcHs256 => "A128CBC-HS256",
        }
    }

    /// GCM nonces of 12 bytes are the norm, but Java, Python, Node and PHP (and Mastercard's
    /// servers) send 16; CBC always uses the 16-byte block size.
    fn iv_len_ok(self, len: usize) -> bool {
        match self {
            Self::A128CbcHs256 => len == 16,
            _ => len == 12 || len == 16,
        }
    }
}

/// Key-management algorithms accepted on decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    RsaOaep256,
    RsaOaep,
}

/// A token that passed every structural check.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    /// The header segment exactly as received: it is the AAD.
    pub header_b64: &'a str,
    pub alg: Alg,
    pub enc: Enc,
    pub kid: Option<String>,
    pub encrypted_key: Vec<u8>,
    pub iv: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub tag: Vec<u8>,
}

/// Limits applied while parsing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_ciphertext: usize,
    pub allow_rsa_oaep: bool,
}

/// Splits, decodes and validates `token` without touching any key.
pub(crate) fn parse(token: &str, limits: Limits) -> Result<Parsed<'_>, JweError> {
    // Java trims the string before splitting; servers may pretty-print around it.
    let token = token.trim();
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, key_b64, iv_b64, ct_b64, tag_b64] = parts.as_slice() else {
        return Err(JweError::MalformedCompact(
            "expected 5 dot-separated segments",
        ));
    };
    if header_b64.is_empty() {
        return Err(JweError::MalformedCompact("empty protected header"));
    }
    if key_b64.is_empty() {
        return Err(JweError::MalformedCompact(
            "empty encrypted key (direct encryption is refused)",
        ));
    }
    if iv_b64.is_empty() || tag_b64.is_empty() {
        return Err(JweError::MalformedCompact("empty IV or authentication tag"));
    }
    // Check sizes before decoding anything, so that hostile input costs no allocation.
    let ct_estimate = ct_b64.len() / 4 * 3;
    if ct_estimate > limits.max_ciphertext {
        return Err(JweError::TooLarge {
            len: ct_estimate,
            max: limits.max_ciphertext,
        });
    }
    if header_b64.len() > MAX_HEADER_SEGMENT {
        return Err(JweError::MalformedCompact("protected header too large"));
    }
    if [key_b64, iv_b64, tag_b64]
        .iter()
        .any(|segment| segment.len() > MAX_SMALL_SEGMENT)
    {
        return Err(JweError::MalformedCompact("segment too large"));
    }

    let header = decode_header(header_b64)?;
    let (alg, enc, kid) = check_header(&header, limits)?;

    let encrypted_key = decode_lenient(key_b64, Segment::EncryptedKey)?;
    let iv = decode_lenient(iv_b64, Segment::Iv)?;
    let ciphertext = decode_lenient(ct_b64, Segment::Ciphertext)?;
    let tag = decode_lenient(tag_b64, Segment::Tag)?;

    if !enc.iv_len_ok(iv.len()) {
        return Err(JweError::InvalidIvLength {
            enc: enc.name(),
            len: iv.len(),
        });
    }
    // josekit passes the tag straight to OpenSSL, which accepts truncated GCM tags.
    if tag.len() != TAG_LEN {
        return Err(JweError::InvalidTagLength { len: tag.len() });
    }
    Ok(Parsed {
        header_b64,
        alg,
        enc,
        kid,
        encrypted_key,
        iv,
        ciphertext,
        tag,
    })
}

/// The header is the AAD, so it must be decoded exactly as sent: strict base64url only.
fn decode_header(segment: &str) -> Result<Map<String, Value>, JweError> {
    let bytes = B64URL
        .decode(segment)
        .map_err(|_| JweError::InvalidBase64(Segment::Header))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JweError::InvalidHeader("not a JSON object")),
        Err(error) if crate::error::is_recursion_limit(&error) => {
            Err(JweError::InvalidHeader("JSON nested too deeply"))
        }
        Err(_) => Err(JweError::InvalidHeader("not valid JSON")),
    }
}

fn check_header(
    header: &Map<String, Value>,
    limits: Limits,
) -> Result<(Alg, Enc, Option<String>), JweError> {
    let alg = match header.get("alg") {
        Some(Value::String(alg)) if alg == "RSA-OAEP-256" => Alg::RsaOaep256,
        Some(Value::String(alg)) if alg == "RSA-OAEP" && limits.allow_rsa_oaep => Alg::RsaOaep,
        Some(Value::String(alg)) => return Err(JweError::UnsupportedAlgorithm(excerpt(alg))),
        Some(_) => return Err(JweError::InvalidHeader("alg is not a string")),
        None => return Err(JweError::InvalidHeader("alg is missing")),
    };
    let enc = match header.get("enc") {
        Some(Value::String(enc)) => Enc::parse(enc)?,
        Some(_) => return Err(JweError::InvalidHeader("enc is not a string")),
        None => return Err(JweError::InvalidHeader("enc is missing")),
    };
    // Decompressing before authenticating nothing is a denial-of-service lever, and no
    // Mastercard library compresses.
    if header.contains_key("zip") {
        return Err(JweError::UnsupportedCompression);
    }
    // RFC 7516 §4.1.13: a recipient must reject critical extensions it does not understand.
    if header.contains_key("crit") {
        return Err(JweError::UnsupportedCritical);
    }
    let kid = match header.get("kid") {
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(JweError::InvalidHeader("kid is not a string")),
        None => None,
    };
    Ok((alg, enc, kid))
}

/// Decodes the four binary segments, also accepting the standard base64 alphabet and padding:
/// the Node library emits `/` in base64url segments and Java's decoder accepts both. The bytes,
/// not their spelling, are what the tag authenticates, so this tolerance cannot let altered
/// bytes through.
fn decode_lenient(segment: &str, which: Segment) -> Result<Vec<u8>, JweError> {
    let unpadded = segment
        .strip_suffix("==")
        .or_else(|| segment.strip_suffix('='))
        .unwrap_or(segment);
    let normalised: String = unpadded
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    B64URL
        .decode(normalised)
        .map_err(|_| JweError::InvalidBase64(which))
}
