//! The bad-input catalogue: hostile requests, each with the status and the substance of the
//! error body the sandbox must answer with (never a panic, a hang or a silent success).
//!
//! Requests are written byte by byte over TLS ([`raw`]), so cases can be what no HTTP client
//! library would send. Each runs on its own connection with `Connection: close`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod raw;
mod support;

use std::net::SocketAddr;

use mastercard_oauth1::{Request, Signer};
use mastercard_sandbox::limits::{IIT_MAX_BODY, MASTERCOM_MAX_BODY};
use serde_json::json;

/// What a case needs to build its request.
struct Ctx {
    /// `Host` of the Mastercom listener (`127.0.0.1:<port>`).
    host: String,
    signer: Signer,
}

impl Ctx {
    /// The Authorization header for `method` + `target` (path and query) + `body`.
    fn sign(&self, method: &str, target: &str, body: &[u8]) -> String {
        let url = format!("https://{}{target}", self.host);
        self.signer
            .sign(&Request::new(method, &url, body))
            .unwrap()
            .authorization
    }

    /// A request with `headers` (each a full `Name: value` line) and `body`; Host, Connection
    /// and (unless a header sets it or the body is chunked) Content-Length are added.
    fn request(&self, method: &str, target: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.host
        );
        for line in headers {
            head.push_str(line);
            head.push_str("\r\n");
        }
        let framed = headers.iter().any(|h| {
            let h = h.to_ascii_lowercase();
            h.starts_with("content-length:") || h.starts_with("transfer-encoding:")
        });
        if !framed {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    /// A signed JSON request.
    fn signed_json(&self, method: &str, target: &str, body: &[u8]) -> Vec<u8> {
        let auth = self.sign(method, target, body);
        self.request(
            method,
            target,
            &[
                format!("Authorization: {auth}"),
                "Content-Type: application/json".into(),
            ],
            body,
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Listener {
    Mastercom,
    /// Identity Insights, over mTLS with the sandbox's client certificate.
    Iit,
}

struct Case {
    name: &'static str,
    listener: Listener,
    build: fn(&Ctx) -> Vec<u8>,
    status: u16,
    /// Substrings the body must contain (an empty list: the body must be empty).
    body_has: &'static [&'static str],
}

const SEARCH: &str = "/mastercom/v6/transactions/search";
const HEALTH: &str = "/mastercom/v6/healthcheck";
const SEARCH_BODY: &[u8] = br#"{"tranStartDate":"2024-03-01","tranEndDate":"2024-03-31"}"#;

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "no Authorization header",
            listener: Listener::Mastercom,
            build: |c| c.request("GET", HEALTH, &[], b""),
            status: 401,
            body_has: &[
                r#""ReasonCode":"MISSING_AUTHORIZATION""#,
                r#""Source":"Gateway""#,
            ],
        },
        Case {
            name: "Authorization that is not OAuth",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "GET",
                    HEALTH,
                    &["Authorization: Basic dXNlcjpwdw==".into()],
                    b"",
                )
            },
            status: 401,
            body_has: &[r#""ReasonCode":"MALFORMED_HEADER""#, "OAuth"],
        },
        Case {
            name: "garbled OAuth parameters",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "GET",
                    HEALTH,
                    &[r#"Authorization: OAuth oauth_consumer_key="x",oauth_nonce"#.into()],
                    b"",
                )
            },
            status: 401,
            body_has: &[r#""ReasonCode":"MALFORMED_HEADER""#],
        },
        Case {
            name: "Authorization with bytes that are not ASCII",
            listener: Listener::Mastercom,
            build: |c| {
                let mut bytes =
                    c.request("GET", HEALTH, &["Authorization: OAuth \u{0}".into()], b"");
                // Replace the NUL placeholder with 0xFF (not valid UTF-8).
                let at = bytes.iter().position(|b| *b == 0).unwrap();
                bytes[at] = 0xff;
                bytes
            },
            status: 401,
            body_has: &[r#""ReasonCode":"MISSING_AUTHORIZATION""#],
        },
        Case {
            name: "signature over another query",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c.sign("GET", "/mastercom/v6/healthcheck?a=1", b"");
                c.request(
                    "GET",
                    "/mastercom/v6/healthcheck?a=2",
                    &[format!("Authorization: {auth}")],
                    b"",
                )
            },
            status: 401,
            body_has: &[
                r#""ReasonCode":"SIGNATURE_MISMATCH""#,
                "acceptable signature base string",
            ],
        },
        Case {
            name: "body changed after signing",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c.sign("POST", SEARCH, SEARCH_BODY);
                let tampered = SEARCH_BODY.to_ascii_uppercase();
                c.request(
                    "POST",
                    SEARCH,
                    &[
                        format!("Authorization: {auth}"),
                        "Content-Type: application/json".into(),
                    ],
                    &tampered,
                )
            },
            status: 401,
            body_has: &[r#""ReasonCode":"BODY_HASH_MISMATCH""#],
        },
        Case {
            name: "unknown consumer key",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c
                    .sign("GET", HEALTH, b"")
                    .replace("oauth_consumer_key=\"", "oauth_consumer_key=\"x");
                c.request("GET", HEALTH, &[format!("Authorization: {auth}")], b"")
            },
            status: 401,
            body_has: &[r#""ReasonCode":"UNKNOWN_CONSUMER_KEY""#],
        },
        Case {
            name: "body as text/plain",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c.sign("POST", SEARCH, SEARCH_BODY);
                c.request(
                    "POST",
                    SEARCH,
                    &[
                        format!("Authorization: {auth}"),
                        "Content-Type: text/plain".into(),
                    ],
                    SEARCH_BODY,
                )
            },
            status: 415,
            body_has: &[
                r#""ReasonCode":"UNSUPPORTED_MEDIA_TYPE""#,
                "application/json",
                "text/plain",
            ],
        },
        Case {
            name: "body without a Content-Type",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c.sign("POST", SEARCH, SEARCH_BODY);
                c.request(
                    "POST",
                    SEARCH,
                    &[format!("Authorization: {auth}")],
                    SEARCH_BODY,
                )
            },
            status: 415,
            body_has: &[
                r#""ReasonCode":"UNSUPPORTED_MEDIA_TYPE""#,
                r#""Value":"none""#,
            ],
        },
        Case {
            name: "declared body one byte over 32 MiB (nothing sent)",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "POST",
                    SEARCH,
                    &[
                        "Content-Type: application/json".into(),
                        format!("Content-Length: {}", MASTERCOM_MAX_BODY + 1),
                    ],
                    b"",
                )
            },
            status: 413,
            body_has: &[r#""ReasonCode":"REQUEST_TOO_LARGE""#, "33554432"],
        },
        Case {
            name: "malformed JSON",
            listener: Listener::Mastercom,
            build: |c| c.signed_json("POST", SEARCH, br#"{"tranStartDate": "2024-01-01","#),
            status: 400,
            body_has: &[r#""ReasonCode":"INVALID_FIELD_VALUE""#, "EOF"],
        },
        Case {
            name: "JSON nested 100 000 deep",
            listener: Listener::Mastercom,
            build: |c| {
                let body = format!(
                    "{{\"tranStartDate\":{}{}}}",
                    "[".repeat(100_000),
                    "]".repeat(100_000)
                );
                c.signed_json("POST", SEARCH, body.as_bytes())
            },
            status: 400,
            body_has: &[r#""ReasonCode":"INVALID_FIELD_VALUE""#],
        },
        Case {
            name: "body that is not UTF-8",
            listener: Listener::Mastercom,
            build: |c| {
                c.signed_json(
                    "POST",
                    SEARCH,
                    b"{\"tranStartDate\":\"\xff\xfe\",\"tranEndDate\":\"2024-12-31\"}",
                )
            },
            status: 400,
            body_has: &[
                r#""ReasonCode":"INVALID_FIELD_VALUE""#,
                "invalid unicode code point",
            ],
        },
        Case {
            name: "required field missing",
            listener: Listener::Mastercom,
            build: |c| c.signed_json("POST", SEARCH, br#"{"tranStartDate":"2024-01-01"}"#),
            status: 400,
            body_has: &[r#""ReasonCode":"MISSING_REQUIRED_FIELD""#, "tranEndDate"],
        },
        Case {
            name: "query with a percent-escape that is not hex, unsigned",
            listener: Listener::Mastercom,
            build: |c| c.request("GET", "/mastercom/v6/healthcheck?x=%zz", &[], b""),
            status: 401,
            body_has: &[r#""ReasonCode":"MISSING_AUTHORIZATION""#],
        },
        Case {
            name: "unknown operation path",
            listener: Listener::Mastercom,
            build: |c| c.signed_json("GET", "/mastercom/v6/nosuchthing", b""),
            status: 404,
            body_has: &[
                r#""ReasonCode":"RESOURCE_NOT_FOUND""#,
                "/mastercom/v6/nosuchthing",
            ],
        },
        Case {
            name: "wrong method for a path",
            listener: Listener::Mastercom,
            build: |c| c.signed_json("DELETE", "/mastercom/v6/claims", b""),
            status: 404,
            body_has: &[
                r#""ReasonCode":"RESOURCE_NOT_FOUND""#,
                "DELETE /mastercom/v6/claims",
            ],
        },
        Case {
            name: "path outside the API",
            listener: Listener::Mastercom,
            build: |c| c.request("GET", "/etc/passwd", &[], b""),
            status: 404,
            body_has: &[r#""ReasonCode":"RESOURCE_NOT_FOUND""#],
        },
        Case {
            name: "no Host header",
            listener: Listener::Mastercom,
            build: |c| {
                let auth = c.sign("GET", HEALTH, b"");
                format!(
                    "GET {HEALTH} HTTP/1.1\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n"
                )
                .into_bytes()
            },
            status: 401,
            body_has: &[r#""ReasonCode":"MISSING_HOST""#],
        },
        Case {
            name: "unknown fault route (a typo)",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "PUT",
                    "/__sandbox/faults/createClam",
                    &["Content-Type: application/json".into()],
                    br#"{"action":"status503"}"#,
                )
            },
            status: 400,
            body_has: &[
                "unknown fault route",
                r#"did you mean \"createClaim\""#,
                "valid_routes",
                "retrieveTransactionInsights",
            ],
        },
        Case {
            name: "fault with a misspelt field",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "PUT",
                    "/__sandbox/faults/createClaim",
                    &["Content-Type: application/json".into()],
                    br#"{"latencyms":5}"#,
                )
            },
            status: 422,
            body_has: &["unknown field `latencyms`"],
        },
        Case {
            name: "header of 100 KiB",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "GET",
                    HEALTH,
                    &[format!("X-Padding: {}", "a".repeat(100 * 1024))],
                    b"",
                )
            },
            status: 431,
            body_has: &[],
        },
        Case {
            name: "200 headers",
            listener: Listener::Mastercom,
            build: |c| {
                let headers: Vec<String> = (0..200).map(|i| format!("X-H{i}: v")).collect();
                c.request("GET", HEALTH, &headers, b"")
            },
            status: 431,
            body_has: &[],
        },
        Case {
            name: "Content-Length that is not a number",
            listener: Listener::Mastercom,
            build: |c| {
                c.request(
                    "POST",
                    SEARCH,
                    &[
                        "Content-Type: application/json".into(),
                        "Content-Length: ten".into(),
                    ],
                    b"",
                )
            },
            status: 400,
            body_has: &[],
        },
        Case {
            name: "not HTTP at all",
            listener: Listener::Mastercom,
            build: |_| b"\x16\x03\x01 hello, is this FTP?\r\n\r\n".to_vec(),
            status: 400,
            body_has: &[],
        },
        Case {
            name: "IIT: plaintext JSON instead of a JWE envelope",
            listener: Listener::Iit,
            build: |c| {
                c.request(
                    "POST",
                    "/identity/transactions",
                    &["Content-Type: application/json".into()],
                    br#"{"mcc":"5411"}"#,
                )
            },
            status: 400,
            body_has: &[
                r#""Errors":{"Error":[{"#,
                r#""ReasonCode":"VALIDATION_ERROR""#,
                "JWE envelope",
            ],
        },
        Case {
            name: "IIT: body as application/xml",
            listener: Listener::Iit,
            build: |c| {
                c.request(
                    "POST",
                    "/identity/transactions",
                    &["Content-Type: application/xml".into()],
                    b"<a/>",
                )
            },
            status: 415,
            body_has: &[
                r#""Errors":{"Error":[{"#,
                r#""ReasonCode":"UNSUPPORTED_MEDIA_TYPE""#,
            ],
        },
        Case {
            name: "IIT: declared body over 1 MiB",
            listener: Listener::Iit,
            build: |c| {
                c.request(
                    "POST",
                    "/identity/transactions",
                    &[
                        "Content-Type: application/json".into(),
                        format!("Content-Length: {}", IIT_MAX_BODY + 1),
                    ],
                    b"",
                )
            },
            status: 413,
            body_has: &[
                r#""Errors":{"Error":[{"#,
                r#""ReasonCode":"REQUEST_TOO_LARGE""#,
            ],
        },
        Case {
            name: "IIT: chunked body over 1 MiB",
            listener: Listener::Iit,
            build: |c| {
                let chunk = vec![b' '; 64 * 1024];
                let mut body = Vec::new();
                for _ in 0..(IIT_MAX_BODY / chunk.len() + 1) {
                    body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    body.extend_from_slice(&chunk);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(b"0\r\n\r\n");
                c.request(
                    "POST",
                    "/identity/transactions",
                    &[
                        "Content-Type: application/json".into(),
                        "Transfer-Encoding: chunked".into(),
                    ],
                    &body,
                )
            },
            status: 413,
            body_has: &[r#""ReasonCode":"REQUEST_TOO_LARGE""#, "1048576"],
        },
    ]
}

#[test]
fn the_catalogue_has_at_least_25_cases() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
}

#[tokio::test]
async fn every_hostile_request_gets_its_status_and_error() {
    let env = support::start().await;
    let creds = env.sandbox.credentials.clone();
    let ctx = Ctx {
        host: env.sandbox.mastercom_addr.to_string(),
        signer: support::signer(&creds),
    };
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let (addr, identity): (SocketAddr, _) = match case.listener {
            Listener::Mastercom => (env.sandbox.mastercom_addr, None),
            Listener::Iit => (
                env.sandbox.iit_addr,
                Some(support::identity(&creds.client_cert, &creds.client_key)),
            ),
        };
        let reply = raw::exchange(addr, &creds.ca_cert, identity, &(case.build)(&ctx)).await;
        let body = reply.body_text();
        let body_ok = if case.body_has.is_empty() {
            body.is_empty()
        } else {
            case.body_has.iter().all(|needle| body.contains(needle))
        };
        if reply.status != case.status || !body_ok {
            failures.push(format!(
                "{}: expected {} with {:?}, got {} {}",
                case.name,
                case.status,
                case.body_has,
                reply.status,
                body.chars().take(400).collect::<String>()
            ));
        }
    }
    println!(
        "{} hostile requests, {} as expected",
        cases.len(),
        cases.len() - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing above disturbed the sandbox.
    assert_eq!(env.call("GET", "/v6/healthcheck", None).await.status, 200);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_document_of_22_000_000_base64_characters_is_accepted() {
    let env = support::start().await;
    let claim = env
        .call(
            "POST",
            "/v6/claims",
            Some(
                &json!({"claimType": "Standard", "clearingTransactionId": "CLR-0000000001",
                "disputedAmount": "125.00", "disputedCurrency": "USD"}),
            ),
        )
        .await;
    assert_eq!(claim.status, 200, "{}", claim.body);
    let claim_id = claim.body["claimId"].as_str().unwrap().to_owned();
    // "%PDF-1.4\n" then zeros: the sandbox accepts only ZIP, JPG, TIFF or PDF content.
    let document = format!("JVBERi0xLjQK{}", "A".repeat(22_000_000 - 12));
    let body = json!({
        "chargebackType": "CHARGEBACK", "amount": "125.00", "currency": "USD",
        "documentIndicator": "true", "reasonCode": "4853", "messageText": "goods not received",
        "fileAttachment": {"filename": "big.pdf", "file": document},
    });
    let started = std::time::Instant::now();
    let reply = env
        .call(
            "POST",
            &format!("/v6/claims/{claim_id}/chargebacks"),
            Some(&body),
        )
        .await;
    println!(
        "22,000,000-character document: {} in {:?}",
        reply.status,
        started.elapsed()
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["chargebackId"].is_string(), "{}", reply.body);
    env.sandbox.shutdown().await;
}
