//! The hostile scenarios both clients must survive, as one table and four runners. A client's
//! test supplies two small adapters: `client(url)` builds it against a server's base URL, and
//! `call(&client)` makes one request and reports a failure as an [`Observation`] (the
//! [`observe!`](crate::observe) macro reads one from either client's error).
//!
//! The expectations (kind, delivery, status), the time bounds and the memory bound are here,
//! once, so the two clients cannot drift apart in what they promise.

use std::time::{Duration, Instant};

use mastercard_transport::tls::TrustRoots;
use mastercard_transport::{Delivery, ErrorKind};

use super::{HostileServer, Mode};
use crate::{memory, pki};

/// The timeout (total and read) every client under test is built with.
pub const TIMEOUT: Duration = Duration::from_secs(1);

/// The size of the huge answers: 1 GiB.
pub const HUGE: u64 = 1 << 30;

/// What a failed call reported, read from the client's error by [`observe!`](crate::observe).
#[derive(Debug, Clone)]
pub struct Observation {
    /// `error.kind()`.
    pub kind: ErrorKind,
    /// `error.delivery()`.
    pub delivery: Delivery,
    /// `error.status()` as a number.
    pub status: Option<u16>,
    /// `error.location()`: a redirect's target.
    pub location: Option<String>,
    /// `error.to_string()`, for failure messages.
    pub message: String,
}

/// An [`Observation`] of a client error (any type with the shared accessors `kind()`,
/// `delivery()`, `status()`, `location()` and `Display`).
#[macro_export]
macro_rules! observe {
    ($error:expr) => {{
        let error = &$error;
        $crate::hostile::table::Observation {
            kind: error.kind(),
            delivery: error.delivery(),
            status: error.status().map(|status| status.as_u16()),
            location: error.location().map(str::to_owned),
            message: error.to_string(),
        }
    }};
}

/// One row: the mode, and the kind, delivery and status the client must report.
#[derive(Debug, Clone)]
pub struct Case {
    /// Printed with the result.
    pub name: &'static str,
    /// How the server answers.
    pub mode: Mode,
    /// The expected `kind()`.
    pub kind: ErrorKind,
    /// The expected `delivery()`.
    pub delivery: Delivery,
    /// The expected `status()`.
    pub status: Option<u16>,
}

/// A [`Case`].
pub fn case(
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

/// The cases every client shares (15); a client adds its own (e.g. IIT: plain JSON where a JWE
/// envelope is due).
pub fn cases() -> Vec<Case> {
    use Delivery::{MayHaveBeenSent, Received};
    use ErrorKind::{Api, ConnectionLost, InvalidResponse, Redirect, ResponseTooLarge, Timeout};
    let huge = |chunked| Mode::Huge { len: HUGE, chunked };
    let html = |status| Mode::Html { status };
    let slow = Mode::Slow {
        len: 1000,
        interval: Duration::from_millis(50),
    };
    let truncated = Mode::Truncated {
        declared: 4096,
        sent: 10,
    };
    vec![
        case("200 HTML", html(200), InvalidResponse, Received, Some(200)),
        case(
            "200 declaring 1 GiB",
            huge(false),
            ResponseTooLarge,
            Received,
            Some(200),
        ),
        case(
            "200 of 1 GiB chunked",
            huge(true),
            ResponseTooLarge,
            Received,
            Some(200),
        ),
        case(
            "200 dripping one byte per 50 ms",
            slow,
            Timeout,
            Received,
            Some(200),
        ),
        case(
            "200 truncated",
            truncated,
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
            html(300),
            Redirect,
            Received,
            Some(300),
        ),
        case(
            "304 HTML without Location",
            html(304),
            Redirect,
            Received,
            Some(304),
        ),
        case("400 HTML", html(400), Api, Received, Some(400)),
        case("404 HTML", html(404), Api, Received, Some(404)),
        case("500 HTML", html(500), Api, Received, Some(500)),
        case("502 HTML", html(502), Api, Received, Some(502)),
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

/// Runs every case against a fresh server (base URL: its address + `path`): each call fails
/// with the case's kind, delivery and status; a timeout ends by `TIMEOUT` + 500 ms, anything
/// else within `TIMEOUT / 2`; a 3xx without `Location` has no location; exactly one request
/// reached the server. Reports every failing case at once.
pub async fn every_case_is_a_typed_error_within_the_timeout<C>(
    cases: Vec<Case>,
    path: &str,
    client: impl Fn(&str) -> C,
    call: impl AsyncFn(&C) -> Result<(), Observation>,
) {
    let mut failures = Vec::new();
    for case in cases {
        let server = HostileServer::start(case.mode.clone()).await;
        let client = client(&server.url(path));
        let started = Instant::now();
        let result = call(&client).await;
        let elapsed = started.elapsed();
        let Err(error) = result else {
            failures.push(format!("{}: succeeded", case.name));
            continue;
        };
        let got = (error.kind, error.delivery, error.status);
        println!("{:<34} {got:?} in {elapsed:?}", case.name);
        if got != (case.kind, case.delivery, case.status) {
            failures.push(format!(
                "{}: got {got:?}, expected {:?} ({})",
                case.name,
                (case.kind, case.delivery, case.status),
                error.message
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
        if case.kind == ErrorKind::Redirect && error.location.is_some() {
            failures.push(format!("{}: location {:?}", case.name, error.location));
        }
        if server.requests() != 1 {
            failures.push(format!("{}: {} requests", case.name, server.requests()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// For each redirect status (301, 302, 303, 307, 308) to another loopback server: `calls`
/// calls on one client (`call(&client, index)`, e.g. a POST then a GET), each a `Redirect`,
/// `Received`, with the status and the `Location`, within `TIMEOUT / 2`, one request each; and
/// nothing ever reaches the named target.
pub async fn no_redirect_is_followed<C>(
    path: &str,
    calls: usize,
    client: impl Fn(&str) -> C,
    call: impl AsyncFn(&C, usize) -> Result<(), Observation>,
) {
    let elsewhere = HostileServer::start(Mode::PlainJson { body: "{}".into() }).await;
    let location = elsewhere.url(&format!("{path}/stolen"));
    for status in [301, 302, 303, 307, 308] {
        let server = HostileServer::start(Mode::Redirect {
            status,
            location: location.clone(),
        })
        .await;
        let client = client(&server.url(path));
        for index in 0..calls {
            let started = Instant::now();
            let error = call(&client, index).await.unwrap_err();
            assert!(
                started.elapsed() < TIMEOUT / 2,
                "{status} call {index}: {:?}",
                started.elapsed()
            );
            let at = format!("{status} call {index}: {}", error.message);
            assert_eq!(error.kind, ErrorKind::Redirect, "{at}");
            assert_eq!(error.delivery, Delivery::Received, "{at}");
            assert_eq!(error.status, Some(status), "{at}");
            assert_eq!(error.location.as_deref(), Some(location.as_str()), "{at}");
            assert_eq!(server.requests(), index + 1, "{at}");
        }
    }
    assert_eq!(elsewhere.connections(), 0, "a redirect was followed");
}

/// An https server (its certificate from a throwaway CA the client trusts through
/// `client(url, roots)`) answers 307 to plain http (`target_path` on another server): the
/// redirect is reported with its location, the https server read the request, and nothing was
/// sent in clear.
pub async fn a_307_from_https_to_http_sends_nothing_in_clear<C>(
    path: &str,
    target_path: &str,
    client: impl Fn(&str, TrustRoots) -> C,
    call: impl AsyncFn(&C) -> Result<(), Observation>,
) {
    let identity = pki::loopback_server_identity();
    let elsewhere = HostileServer::start(Mode::PlainJson { body: "{}".into() }).await;
    let location = elsewhere.url(target_path);
    let server = HostileServer::start_tls(
        Mode::Redirect {
            status: 307,
            location: location.clone(),
        },
        &identity.cert,
        &identity.key,
    )
    .await;
    let url = server.url(path);
    assert!(url.starts_with("https://"), "{url}");
    let roots = TrustRoots::from_pem(&identity.ca.to_pem().unwrap()).unwrap();
    let error = call(&client(&url, roots)).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Redirect, "{}", error.message);
    assert_eq!(error.delivery, Delivery::Received);
    assert_eq!(error.status, Some(307));
    assert_eq!(error.location.as_deref(), Some(location.as_str()));
    assert_eq!(server.requests(), 1, "the https server read the request");
    assert_eq!(elsewhere.connections(), 0, "the request went to plain http");
}

/// The child half of the huge-answer measurement: on a fresh current-thread runtime, one
/// ordinary failed call first (so the baseline holds the one-time costs: runtime, connection
/// pool, first-use allocations), then one call against a 1 GiB answer (`chunked` or with a
/// `Content-Length`), which must be `ResponseTooLarge`; prints `BEFORE:` (`VmRSS` before the
/// call), `PEAK:` (`VmHWM` after it) and `ELAPSED_MS:`.
pub fn child_reads_a_huge_answer<C>(
    chunked: bool,
    path: &str,
    client: impl Fn(&str) -> C,
    call: impl AsyncFn(&C) -> Result<(), Observation>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let warm = HostileServer::start(Mode::Html { status: 404 }).await;
        let _ = call(&client(&warm.url(path))).await;
        let server = HostileServer::start(Mode::Huge { len: HUGE, chunked }).await;
        let client = client(&server.url(path));
        let before = memory::status_bytes("VmRSS:");
        let started = Instant::now();
        let error = call(&client).await.unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(error.kind, ErrorKind::ResponseTooLarge, "{}", error.message);
        let peak = memory::status_bytes("VmHWM:");
        println!(
            "BEFORE:{before} PEAK:{peak} ELAPSED_MS:{}",
            elapsed.as_millis()
        );
    });
}

/// The parent half: runs `child_test` (which calls [`child_reads_a_huge_answer`] when `env`
/// is set; `framing` is its value) in a fresh process and asserts the peak stayed within twice
/// the success-body cap `cap` over the baseline.
pub fn assert_huge_answer_peak(client: &str, child_test: &str, env: &str, framing: &str, cap: u64) {
    let line = memory::run_child(child_test, env, framing, "BEFORE:");
    let before: u64 = memory::field(&line, "BEFORE:");
    let peak: u64 = memory::field(&line, "PEAK:");
    println!("{client} 1 GiB answer, {framing}: {line} (cap {cap})");
    assert!(
        peak <= before + 2 * cap,
        "{line}: over baseline + 2 x {cap}"
    );
}
