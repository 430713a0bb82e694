//! Property tests: whatever is signed verifies, and any change to method, scheme, host, port,
//! path, query or body breaks it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use mastercard_oauth1::{Request, SignatureMethod, Signer, SigningParams, Verifier, VerifyError};
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000;

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]).prop_map(str::to_owned),
        "[a-zA-Z]{1,8}",
    ]
}

/// Text for paths and queries: unreserved and sub-delimiter characters, `%XX` escapes of ASCII
/// and of UTF-8 sequences, non-ASCII. (Escapes that are not UTF-8 are refused: `bad_input_catalogue`.)
fn url_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[A-Za-z0-9._~-]",
            "[!$'()*+,;:@]",
            "%[0-7][0-9A-Fa-f]",
            prop::sample::select(vec!["%C3%A9", "%c3%a9", "%E2%82%AC", "%F0%9F%8E%89"])
                .prop_map(str::to_owned),
            "[é€中]",
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn url() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["https", "http", "HTTPS"]),
        "[a-z]{1,10}\\.(com|net|mastercard\\.com)",
        prop::option::of(prop::sample::select(vec![":443", ":80", ":8443"])),
        prop::collection::vec(url_text(), 0..4),
        prop::collection::vec((url_text(), url_text()), 0..5),
    )
        .prop_map(|(scheme, host, port, segments, query)| {
            let mut url = format!("{scheme}://{host}{}", port.unwrap_or(""));
            for segment in segments {
                url.push('/');
                url.push_str(&segment);
            }
            if !query.is_empty() {
                let pairs: Vec<String> = query
                    .into_iter()
                    .map(|(key, value)| format!("k{key}={value}"))
                    .collect();
                url.push('?');
                url.push_str(&pairs.join("&"));
            }
            url
        })
}

fn signature_method() -> impl Strategy<Value = SignatureMethod> {
    prop_oneof![
        Just(SignatureMethod::RsaSha256),
        Just(SignatureMethod::RsaPss)
    ]
}

fn sign(method: &str, url: &str, body: &[u8], signature_method: SignatureMethod) -> String {
    Signer::new("consumer-key!0123", support::key().clone())
        .unwrap()
        .with_signature_method(signature_method)
        .sign_with(
            &Request::new(method, url, body),
            &SigningParams {
                timestamp: NOW,
                nonce: "Wpe3LF09z1e3xQRI".into(),
            },
        )
        .unwrap()
        .authorization
}

fn verify(method: &str, url: &str, body: &[u8], header: &str) -> Result<(), VerifyError> {
    Verifier::new(support::public_key())
        .verify_at(&Request::new(method, url, body), header, NOW)
        .map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn signed_requests_verify(
        method in method(),
        url in url(),
        body in prop::collection::vec(any::<u8>(), 0..300),
        signature_method in signature_method(),
    ) {
        let header = sign(&method, &url, &body, signature_method);
        prop_assert_eq!(verify(&method, &url, &body, &header), Ok(()));
    }

    #[test]
    fn changing_the_method_breaks_the_signature(method in method(), other in method(), url in url()) {
        prop_assume!(!method.eq_ignore_ascii_case(&other));
        let header = sign(&method, &url, b"", SignatureMethod::RsaSha256);
        prop_assert_eq!(verify(&other, &url, b"", &header).map_err(|e| e.code()), Err("signature_mismatch"));
    }

    #[test]
    fn changing_the_path_breaks_the_signature(url in url(), extra in "[A-Za-z0-9]{1,4}") {
        let header = sign("GET", &url, b"", SignatureMethod::RsaSha256);
        let (before, query) = url.split_once('?').map_or((url.as_str(), None), |(b, q)| (b, Some(q)));
        let changed = match query {
            Some(query) => format!("{before}/{extra}?{query}"),
            None => format!("{before}/{extra}"),
        };
        prop_assert_eq!(verify("GET", &changed, b"", &header).map_err(|e| e.code()), Err("signature_mismatch"));
    }

    #[test]
    fn changing_host_scheme_or_port_breaks_the_signature(url in url(), change in 0usize..3, extra in "[a-z]{1,3}") {
        let header = sign("GET", &url, b"", SignatureMethod::RsaSha256);
        let (scheme, rest) = url.split_once("://").unwrap();
        let (authority, tail) = rest.find(['/', '?']).map_or((rest, ""), |at| rest.split_at(at));
        let (host, port) = authority.split_once(':').map_or((authority, None), |(h, p)| (h, Some(p)));
        let changed = match change {
            // Another host.
            0 => format!("{scheme}://{extra}{host}{}{tail}", port.map(|p| format!(":{p}")).unwrap_or_default()),
            // The other scheme, keeping an explicit port (so the default-port rule cannot undo it).
            1 => {
                let other = if scheme.eq_ignore_ascii_case("https") { "http" } else { "https" };
                format!("{other}://{host}:{}{tail}", port.unwrap_or("8443"))
            }
            // A port that no scheme drops.
            _ => format!("{scheme}://{host}:1{}{tail}", port.unwrap_or("443")),
        };
        prop_assert_eq!(verify("GET", &changed, b"", &header).map_err(|e| e.code()), Err("signature_mismatch"));
    }

    #[test]
    fn changing_the_query_breaks_the_signature(url in url(), key in "[a-z]{1,4}", value in "[A-Za-z0-9]{0,4}", append in any::<bool>()) {
        let header = sign("GET", &url, b"", SignatureMethod::RsaSha256);
        let changed = if append || !url.contains('=') {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}z{key}={value}")
        } else {
            // Change the first value: insert a character after the first '='.
            url.replacen('=', &format!("=Q{value}"), 1)
        };
        prop_assert_eq!(verify("GET", &changed, b"", &header).map_err(|e| e.code()), Err("signature_mismatch"));
    }

    #[test]
    fn changing_the_body_breaks_the_body_hash(
        body in prop::collection::vec(any::<u8>(), 1..300),
        index in any::<prop::sample::Index>(),
        flip in 1u8..=255,
        url in url(),
    ) {
        let header = sign("POST", &url, &body, SignatureMethod::RsaSha256);
        let mut changed = body.clone();
        let at = index.index(changed.len());
        changed[at] ^= flip;
        prop_assert_eq!(verify("POST", &url, &changed, &header).map_err(|e| e.code()), Err("body_hash_mismatch"));
        let mut longer = body;
        longer.push(b' ');
        prop_assert_eq!(verify("POST", &url, &longer, &header).map_err(|e| e.code()), Err("body_hash_mismatch"));
    }
}

/// Hostile text for the parsers: any characters, with the delimiters they split on over-represented.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[&=%+?#@:/\\[\\]!*'()\",; ]",
            "%[0-9A-Fa-f]{2}",
            "[a-zA-Z0-9]{1,4}",
            any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic_on_hostile_input(path in hostile(), query in hostile(), text in hostile()) {
        let url = format!("https://h.example/{path}?{query}");
        let request = Request::new("GET", &url, b"");
        let params = SigningParams { timestamp: NOW, nonce: "n".into() };
        let mut accepted = None;
        for reading in mastercard_oauth1::Reading::ALL {
            let built = mastercard_oauth1::base_string_as(reading, &request, "ck", SignatureMethod::RsaSha256, &params);
            // Every reading accepts or refuses the same URLs.
            prop_assert_eq!(*accepted.get_or_insert(built.is_ok()), built.is_ok(), "{}", reading);
        }
        let _ = mastercard_oauth1::AuthorizationHeader::parse(&text);
        let _ = mastercard_oauth1::AuthorizationHeader::parse(&format!("OAuth {text}"));
        let _ = mastercard_oauth1::acceptable_base_string(text.as_bytes());
        let theirs = format!("GET&{path}&{query}");
        let diagnosis = mastercard_oauth1::diagnose(&text, &theirs);
        // Different strings always get at least one named difference.
        if diagnosis.is_match() {
            prop_assert_eq!(text.trim(), theirs.trim());
        }
        let _ = diagnosis.to_string();
    }
}
