#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The IIT client against every mode of the hostile-server kit (`mastercard_testkit::hostile`),
//! over plain HTTP on loopback: each ends in the expected typed error, says whether the request
//! may have been sent, ends within its timeout, and sends nothing to a redirect's target.
//!
//! The huge-body case also runs in a fresh child process (this binary re-run with
//! `HOSTILE_HUGE_CHILD` set), which reads its peak resident set (`VmHWM`) after the call.
//! `cargo test -p identity-insights --test hostile_server -- --nocapture` prints the numbers.

mod support;

use std::time::{Duration, Instant};

use identity_insights::{
    DEFAULT_RESPONSE_LIMIT, Delivery, ErrorKind, IdentityInsightsClient, UnencryptedResponse,
};
use mastercard_testkit::hostile::{HostileServer, Mode};
use support::Pki;

const TIMEOUT: Duration = Duration::from_secs(1);
const HUGE: u64 = 1 << 30;
const CHILD_ENV: &str = "HOSTILE_HUGE_CHILD";

fn client(url: &str) -> IdentityInsightsClient {
    let pki = Pki::shared();
    IdentityInsightsClient::builder()
        .base_url(url)
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

/// One row: the mode, and the kind, delivery and status the client must report.
struct Case {
    name: &'static str,
    mode: Mode,
    kind: ErrorKind,
    delivery: Delivery,
    status: Option<u16>,
}

fn case(
    name: &'static str,
    mode: Mode,
    kind: ErrorKind,
    delivery: Delivery,
    status: Option<u16>,
) -> Case {
    Case {
        name,
        mode,
        kind,
        delivery,
        status,
    }
}

fn plain_insights() -> Mode {
    Mode::PlainJson {
        body: support::insights_json().to_string(),
    }
}

fn table() -> Vec<Case> {
    use Delivery::{MayHaveBeenSent, Received};
    use ErrorKind::{Api, ConnectionLost, InvalidResponse, Redirect, ResponseTooLarge, Timeout};
    vec![
        case(
            "200 plain JSON insights",
            plain_insights(),
            InvalidResponse,
            Received,
            Some(200),
        ),
        case(
            "200 HTML",
            Mode::Html { status: 200 },
            InvalidResponse,
            Received,
            Some(200),
        ),
        case(
            "200 declaring 1 GiB",
            Mode::Huge {
                len: HUGE,
                chunked: false,
            },
            ResponseTooLarge,
            Received,
            Some(200),
        ),
        case(
            "200 of 1 GiB chunked",
            Mode::Huge {
                len: HUGE,
                chunked: true,
            },
            ResponseTooLarge,
            Received,
            Some(200),
        ),
        case(
            "200 dripping one byte per 50 ms",
            Mode::Slow {
                len: 1000,
                interval: Duration::from_millis(50),
            },
            Timeout,
            Received,
            Some(200),
        ),
        case(
            "200 truncated",
            Mode::Truncated {
                declared: 4096,
                sent: 10,
            },
            ConnectionLost,
            Received,
            Some(200),
        ),
        case(
            "reset after the headers",
            Mode::ResetAfterHeaders,
            ConnectionLost,
            Received,
            Some(200),
        ),
        case(
            "reset after the request",
            Mode::ResetAfterRequest,
            ConnectionLost,
            MayHaveBeenSent,
            None,
        ),
        // A 3xx is a redirect whether or not it names a target; `location()` is then `None`.
        case(
            "300 HTML without Location",
            Mode::Html { status: 300 },
            Redirect,
            Received,
            Some(300),
        ),
        case(
            "304 HTML without Location",
            Mode::Html { status: 304 },
            Redirect,
            Received,
            Some(304),
        ),
        case(
            "400 HTML",
            Mode::Html { status: 400 },
            Api,
            Received,
            Some(400),
        ),
        case(
            "404 HTML",
            Mode::Html { status: 404 },
            Api,
            Received,
            Some(404),
        ),
        case(
            "500 HTML",
            Mode::Html { status: 500 },
            Api,
            Received,
            Some(500),
        ),
        case(
            "502 HTML",
            Mode::Html { status: 502 },
            Api,
            Received,
            Some(502),
        ),
        case(
            "20,000 headers",
            Mode::ManyHeaders { count: 20_000 },
            ConnectionLost,
            MayHaveBeenSent,
            None,
        ),
        case("never answers", Mode::Hold, Timeout, MayHaveBeenSent, None),
    ]
}

#[tokio::test]
async fn every_hostile_mode_is_a_typed_error_within_the_timeout() {
    let mut failures = Vec::new();
    for case in table() {
        let server = HostileServer::start(case.mode.clone()).await;
        let client = client(&server.url("/identity"));
        let started = Instant::now();
        let result = support::call(&client).await;
        let elapsed = started.elapsed();
        let Err(error) = result else {
            failures.push(format!("{}: succeeded", case.name));
            continue;
        };
        let got = (
            error.kind(),
            error.delivery(),
            error.status().map(|s| s.as_u16()),
        );
        println!("{:<34} {got:?} in {elapsed:?}", case.name);
        if got != (case.kind, case.delivery, case.status) {
            failures.push(format!(
                "{}: got {got:?}, expected {:?} ({error})",
                case.name,
                (case.kind, case.delivery, case.status)
            ));
        }
        // A timeout ends at the deadline; everything else well before it.
        let bound = if case.kind == ErrorKind::Timeout {
            TIMEOUT + Duration::from_millis(500)
        } else {
            TIMEOUT / 2
        };
        if elapsed > bound {
            failures.push(format!("{}: took {elapsed:?} (bound {bound:?})", case.name));
        }
        if case.kind == ErrorKind::Redirect && error.location().is_some() {
            failures.push(format!("{}: location {:?}", case.name, error.location()));
        }
        if server.requests() != 1 {
            failures.push(format!("{}: {} requests", case.name, server.requests()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Defect 1 of the old client: a 200 with plain JSON where a JWE envelope is due was accepted
/// and returned as insights.
#[tokio::test]
async fn a_200_with_plain_insights_is_refused_as_unencrypted() {
    let server = HostileServer::start(plain_insights()).await;
    let error = support::call(&client(&server.url("/identity")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidResponse, "{error}");
    assert!(
        error.find_source::<UnencryptedResponse>().is_some(),
        "{error:?}"
    );
}

/// Defect 4 of the old client, IIT side: a 5xx HTML body keeps its status and bytes.
#[tokio::test]
async fn a_500_with_an_html_body_is_an_api_error_with_its_status_and_body() {
    let server = HostileServer::start(Mode::Html { status: 500 }).await;
    let error = support::call(&client(&server.url("/identity")))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(String::from_utf8_lossy(error.raw_body().unwrap()).contains("<h1>Bad gateway</h1>"));
}

/// No redirect is followed, for any status; nothing reaches the named host.
#[tokio::test]
async fn no_redirect_is_followed_and_nothing_reaches_the_target() {
    let elsewhere = HostileServer::start(plain_insights()).await;
    let location = elsewhere.url("/identity/stolen");
    for status in [301, 302, 303, 307, 308] {
        let server = HostileServer::start(Mode::Redirect {
            status,
            location: location.clone(),
        })
        .await;
        let started = Instant::now();
        let error = support::call(&client(&server.url("/identity")))
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < TIMEOUT / 2,
            "{status}: {:?}",
            started.elapsed()
        );
        assert_eq!(error.kind(), ErrorKind::Redirect, "{status}: {error}");
        assert_eq!(error.delivery(), Delivery::Received, "{status}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(error.location(), Some(location.as_str()), "{status}");
        assert_eq!(server.requests(), 1, "{status}");
    }
    assert_eq!(elsewhere.connections(), 0, "a redirect was followed");
}

/// A `/proc/self/status` field in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(field)).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Runs only as a child: one call against a 1 GiB chunked answer, then prints `BEFORE:` and
/// `PEAK:`.
#[test]
fn child_reads_a_1_gib_answer() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // One ordinary failed call first, so the baseline holds the one-time costs (runtime,
        // connection pool, first-use allocations) and the peak over it is the big answer's.
        let warm = HostileServer::start(Mode::Html { status: 404 }).await;
        let _ = support::call(&client(&warm.url("/identity"))).await;
        let server = HostileServer::start(Mode::Huge {
            len: HUGE,
            chunked: true,
        })
        .await;
        let client = client(&server.url("/identity"));
        let before = status_bytes("VmRSS:");
        let started = Instant::now();
        let error = support::call(&client).await.unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
        let peak = status_bytes("VmHWM:");
        println!(
            "BEFORE:{before} PEAK:{peak} ELAPSED_MS:{}",
            elapsed.as_millis()
        );
    });
}

/// A 1 GiB chunked answer stops at the 1 MiB success cap: the peak stays within twice the cap
/// over the resident set before the call.
#[test]
fn a_1_gib_answer_peaks_within_twice_the_cap_over_the_baseline() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reads_a_1_gib_answer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|line| line.find("BEFORE:").map(|at| line[at..].to_owned()))
        .unwrap_or_else(|| panic!("child did not measure: {stdout}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|field| field.strip_prefix(name))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (before, peak) = (field("BEFORE:"), field("PEAK:"));
    let cap = DEFAULT_RESPONSE_LIMIT as u64;
    println!("identity-insights 1 GiB answer, chunked: {line} (cap {cap})");
    assert!(
        peak <= before + 2 * cap,
        "{line}: over baseline + 2 x {cap}"
    );
}

/// An https server (trusted through the test CA) redirects the insights POST to plain http: the
/// redirect is reported and nothing is sent in clear.
#[tokio::test]
async fn a_307_from_https_to_http_sends_nothing_in_clear() {
    let pki = Pki::shared();
    let elsewhere = HostileServer::start(plain_insights()).await;
    let location = elsewhere.url("/identity/transaction-insights");
    let server = HostileServer::start_tls(
        Mode::Redirect {
            status: 307,
            location: location.clone(),
        },
        &pki.server.cert,
        &pki.server.key,
    )
    .await;
    let url = server.url("/identity");
    assert!(url.starts_with("https://"), "{url}");
    let client = IdentityInsightsClient::builder()
        .base_url(url)
        .trust_roots(mastercard_transport::tls::TrustRoots::from_pem(&pki.ca.cert_pem()).unwrap())
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .timeout(TIMEOUT)
        .build()
        .unwrap();
    let error = support::call(&client).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Redirect, "{error}");
    assert_eq!(error.delivery(), Delivery::Received);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(error.location(), Some(location.as_str()));
    assert_eq!(server.requests(), 1, "the https server read the POST");
    assert_eq!(elsewhere.connections(), 0, "the POST went to plain http");
}
