#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The Mastercom client against every mode of the hostile-server kit
//! (`mastercard_testkit::hostile`), through the shared scenario table
//! (`mastercard_testkit::hostile::table`): each ends in the expected typed error, says whether
//! the request may have been sent, ends within its timeout, and sends nothing to a redirect's
//! target.
//!
//! The huge-body case also runs in a fresh child process (this binary re-run with
//! `HOSTILE_HUGE_CHILD` set), which reads its peak resident set (`VmHWM`) after the call.
//! `cargo test -p mastercom --test hostile_server -- --nocapture` prints the numbers.

mod support;

use std::sync::LazyLock;

use mastercard_testkit::hostile::table::{self, Observation, TIMEOUT};
use mastercard_testkit::hostile::{HostileServer, Mode};
use mastercard_testkit::observe;
use mastercard_transport::tls::TrustRoots;
use mastercom::{ErrorKind, MastercomClient, ResponseLimits};

const CLAIM: &str = "200002020654";
const PATH: &str = "/mastercom";
const CHILD_ENV: &str = "HOSTILE_HUGE_CHILD";

/// The client under test, trusting `roots`: no guard, no retry, `TIMEOUT`.
fn client_trusting(url: &str, roots: TrustRoots) -> MastercomClient {
    // RSA key generation would dominate the run; one key serves every case.
    static KEY: LazyLock<support::TestKey> = LazyLock::new(support::test_key);
    support::loopback_builder(url, &KEY.pem)
        .disable_dispute_event_guard()
        .trust_roots(roots)
        .timeouts(support::short_timeouts(TIMEOUT))
        .retry(mastercom::retry::RetryConfig {
            max_attempts: 1,
            ..Default::default()
        })
        .build()
        .unwrap()
}

/// The client under test with the default trust roots (the platform's).
fn client(url: &str) -> MastercomClient {
    client_trusting(url, TrustRoots::Platform)
}

async fn get_claim(client: &MastercomClient) -> Result<(), Observation> {
    client
        .get_claim_detail(CLAIM)
        .await
        .map(drop)
        .map_err(|error| observe!(error))
}

async fn create_chargeback(client: &MastercomClient) -> Result<(), Observation> {
    let body: mastercom::types::CreateChargebackRequest = support::body("CreateChargebackRequest");
    client
        .create_chargeback(CLAIM, &body)
        .await
        .map(drop)
        .map_err(|error| observe!(error))
}

#[tokio::test]
async fn every_hostile_mode_is_a_typed_error_within_the_timeout() {
    let cases = table::cases();
    assert_eq!(cases.len(), 15);
    table::every_case_is_a_typed_error_within_the_timeout(cases, PATH, client, get_claim).await;
}

/// Defect 4 of the old client: a 500 with an HTML body was `InvalidResponse` with no status.
#[tokio::test]
async fn a_500_with_an_html_body_is_an_api_error_with_its_status_and_body() {
    let server = HostileServer::start(Mode::Html { status: 500 }).await;
    let error = client(&server.url(PATH))
        .get_claim_detail(CLAIM)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(String::from_utf8_lossy(error.raw_body().unwrap()).contains("<h1>Bad gateway</h1>"));
}

/// Defect 2 of the old client: a claim body was re-POSTed to whatever host a 307 named and its
/// answer returned as success. Now no redirect is followed, for any status or method: a POST,
/// then a GET on the same client.
#[tokio::test]
async fn no_redirect_is_followed_and_nothing_reaches_the_target() {
    table::no_redirect_is_followed(PATH, 2, client, async |client, index| match index {
        0 => create_chargeback(client).await,
        _ => get_claim(client).await,
    })
    .await;
}

/// Runs only as a child: one call against a 1 GiB answer (chunked when the variable says
/// `chunked`), then prints `BEFORE:` and `PEAK:`.
#[test]
fn child_reads_a_1_gib_answer() {
    let Some(framing) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    table::child_reads_a_huge_answer(framing == "chunked", PATH, client, get_claim);
}

/// Defect 3 of the old client: a 1 GiB answer took the process to 1.05 GB. Chunked, the client
/// cannot refuse it from its headers and must stop reading at the cap.
#[test]
fn a_1_gib_answer_peaks_within_twice_the_cap_over_the_baseline() {
    let cap = ResponseLimits::default().success as u64;
    for framing in ["chunked", "content-length"] {
        table::assert_huge_answer_peak(
            "mastercom",
            "child_reads_a_1_gib_answer",
            CHILD_ENV,
            framing,
            cap,
        );
    }
}

/// Defect 2's worst form: an https server redirects a claim POST to plain http. The client
/// trusts the https server (a testkit CA), reports the redirect, and sends nothing in clear.
#[tokio::test]
async fn a_307_from_https_to_http_sends_nothing_in_clear() {
    table::a_307_from_https_to_http_sends_nothing_in_clear(
        PATH,
        "/mastercom/claims/200002020654/chargebacks",
        client_trusting,
        create_chargeback,
    )
    .await;
}
