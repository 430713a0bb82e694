#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The Mastercom client against every mode of the hostile-server kit
//! (`mastercard_testkit::hostile`): each ends in the expected typed error, says whether the
//! request may have been sent, ends within its timeout, and sends nothing to a redirect's target.
//!
//! The huge-body case also runs in a fresh child process (this binary re-run with
//! `HOSTILE_HUGE_CHILD` set), which reads its peak resident set (`VmHWM`) after the call.
//! `cargo test -p mastercom --test hostile_server -- --nocapture` prints the numbers.

mod support;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use mastercard_testkit::hostile::{HostileServer, Mode};
use mastercom::{Delivery, ErrorKind, MastercomClient, ResponseLimits};

const CLAIM: &str = "200002020654";
const TIMEOUT: Duration = Duration::from_secs(1);
const HUGE: u64 = 1 << 30;
const CHILD_ENV: &str = "HOSTILE_HUGE_CHILD";

fn client(url: &str) -> MastercomClient {
    // RSA key generation would dominate the run; one key serves every case.
    static KEY: LazyLock<support::TestKey> = LazyLock::new(support::test_key);
    support::loopback_builder(url, &KEY.pem)
        .disable_dispute_event_guard()
        .timeouts(support::short_timeouts(TIMEOUT))
        .retry(mastercom::retry::RetryConfig {
            max_attempts: 1,
            ..Default::default()
        })
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

fn table() -> Vec<Case> {
    use Delivery::{MayHaveBeenSent, Received};
    use ErrorKind::{Api, ConnectionLost, InvalidResponse, Redirect, ResponseTooLarge, Timeout};
    vec![
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
        let client = client(&server.url("/mastercom"));
        let started = Instant::now();
        let result = client.get_claim_detail(CLAIM).await;
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

/// Defect 4 of the old client: a 500 with an HTML body was `InvalidResponse` with no status.
#[tokio::test]
async fn a_500_with_an_html_body_is_an_api_error_with_its_status_and_body() {
    let server = HostileServer::start(Mode::Html { status: 500 }).await;
    let error = client(&server.url("/mastercom"))
        .get_claim_detail(CLAIM)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(String::from_utf8_lossy(error.raw_body().unwrap()).contains("<h1>Bad gateway</h1>"));
}

/// Defect 2 of the old client: a claim body was re-POSTed to whatever host a 307 named and its
/// answer returned as success. Now no redirect is followed, for any status or method.
#[tokio::test]
async fn no_redirect_is_followed_and_nothing_reaches_the_target() {
    let elsewhere = HostileServer::start(Mode::PlainJson { body: "{}".into() }).await;
    let location = elsewhere.url("/mastercom/stolen");
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");
    for status in [301, 302, 303, 307, 308] {
        let server = HostileServer::start(Mode::Redirect {
            status,
            location: location.clone(),
        })
        .await;
        let client = client(&server.url("/mastercom"));
        let started = Instant::now();
        let error = client.create_chargeback(CLAIM, &body).await.unwrap_err();
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
        let error = client.get_claim_detail(CLAIM).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Redirect, "GET {status}: {error}");
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

/// Runs only as a child: one call against a 1 GiB answer (chunked when the variable says
/// `chunked`), then prints `BEFORE:` and `PEAK:`.
#[test]
fn child_reads_a_1_gib_answer() {
    let Some(framing) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let chunked = framing == "chunked";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // One ordinary failed call first, so the baseline holds the one-time costs (runtime,
        // connection pool, first-use allocations) and the peak over it is the big answer's.
        let warm = HostileServer::start(Mode::Html { status: 404 }).await;
        let _ = client(&warm.url("/mastercom"))
            .get_claim_detail(CLAIM)
            .await;
        let server = HostileServer::start(Mode::Huge { len: HUGE, chunked }).await;
        let client = client(&server.url("/mastercom"));
        let before = status_bytes("VmRSS:");
        let started = Instant::now();
        let error = client.get_claim_detail(CLAIM).await.unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
        let peak = status_bytes("VmHWM:");
        println!(
            "BEFORE:{before} PEAK:{peak} ELAPSED_MS:{}",
            elapsed.as_millis()
        );
    });
}

/// Defect 3 of the old client: a 1 GiB answer took the process to 1.05 GB. Chunked, the client
/// cannot refuse it from its headers and must stop reading at the cap.
#[test]
fn a_1_gib_answer_peaks_within_twice_the_cap_over_the_baseline() {
    for framing in ["chunked", "content-length"] {
        measure(framing);
    }
}

fn measure(framing: &str) {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_reads_a_1_gib_answer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, framing)
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
    let cap = ResponseLimits::default().success as u64;
    println!("mastercom 1 GiB answer, {framing}: {line} (cap {cap})");
    assert!(
        peak <= before + 2 * cap,
        "{line}: over baseline + 2 x {cap}"
    );
}

/// Defect 2's worst form: an https server redirects a claim POST to plain http. The client
/// trusts the https server (a testkit CA), reports the redirect, and sends nothing in clear.
#[tokio::test]
async fn a_307_from_https_to_http_sends_nothing_in_clear() {
    use mastercard_testkit::pki;
    let ca_key = pki::rsa(2048);
    let ca = pki::certificate(
        &ca_key,
        "Hostile CA",
        None,
        true,
        &[],
        pki::Validity::CURRENT,
    );
    let key = pki::rsa(2048);
    let cert = pki::certificate(
        &key,
        "127.0.0.1",
        Some((&ca, &ca_key)),
        false,
        &["127.0.0.1"],
        pki::Validity::CURRENT,
    );
    let elsewhere = HostileServer::start(Mode::PlainJson { body: "{}".into() }).await;
    let location = elsewhere.url("/mastercom/claims/200002020654/chargebacks");
    let server = HostileServer::start_tls(
        Mode::Redirect {
            status: 307,
            location: location.clone(),
        },
        &cert,
        &key,
    )
    .await;
    let url = server.url("/mastercom");
    assert!(url.starts_with("https://"), "{url}");
    let roots = mastercard_transport::tls::TrustRoots::from_pem(&ca.to_pem().unwrap()).unwrap();
    let signing = support::test_key();
    let client = support::loopback_builder(&url, &signing.pem)
        .disable_dispute_event_guard()
        .trust_roots(roots)
        .timeouts(support::short_timeouts(TIMEOUT))
        .retry(mastercom::retry::RetryConfig {
            max_attempts: 1,
            ..Default::default()
        })
        .build()
        .unwrap();
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");
    let error = client.create_chargeback(CLAIM, &body).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Redirect, "{error}");
    assert_eq!(error.delivery(), Delivery::Received);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307));
    assert_eq!(error.location(), Some(location.as_str()));
    assert_eq!(server.requests(), 1, "the https server read the POST");
    assert_eq!(elsewhere.connections(), 0, "the POST went to plain http");
}
