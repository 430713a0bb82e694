//! Percent-encoding as Mastercard's signers do it: RFC 3986 unreserved characters kept, upper-case
//! hex, UTF-8. Decoding is strict: the reference signers replace escapes that are not UTF-8 with
//! U+FFFD, which would let `%FF` and `%FE` share a signature, so here such escapes are refused.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but `A-Z a-z 0-9 - . _ ~` is escaped.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `text` (the one outer encoding of the signature base string).
pub fn percent_encode(text: &str) -> Cow<'_, str> {
    utf8_percent_encode(text, UNRESERVED).into()
}

/// `%XX` escapes whose bytes are not UTF-8 (the text itself is left to the caller to report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotUtf8;

/// Decodes `%XX` escapes, refusing byte sequences that are not UTF-8 (never replaced).
pub(crate) fn percent_decode(text: &str) -> Result<Cow<'_, str>, NotUtf8> {
    percent_decode_str(text).decode_utf8().map_err(|_| NotUtf8)
}

/// Whether every `%` in `text` starts a `%XX` escape with two hex digits.
pub(crate) fn escapes_are_valid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(index, &byte)| {
        byte != b'%'
            || matches!(
                (bytes.get(index + 1), bytes.get(index + 2)),
                (Some(high), Some(low)) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit()
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_reference_signers() {
        assert_eq!(
            percent_encode("%25£¥a/El Niño/%"),
            "%2525%C2%A3%C2%A5a%2FEl%20Ni%C3%B1o%2F%25"
        );
        assert_eq!(percent_encode("a-b._~*!+ "), "a-b._~%2A%21%2B%20");
    }

    #[test]
    fn validates_escapes() {
        assert!(escapes_are_valid("a%2Ab%3d"));
        assert!(!escapes_are_valid("a%2"));
        assert!(!escapes_are_valid("%zz"));
        assert_eq!(percent_decode("%2a%C3%A9").as_deref(), Ok("*é"));
    }

    #[test]
    fn escapes_that_are_not_utf8_are_refused_not_replaced() {
        for text in ["%FF", "%FE", "a%E9", "%C3", "%C3%28", "%ED%A0%80"] {
            assert_eq!(percent_decode(text), Err(NotUtf8), "{text}");
        }
    }
}
