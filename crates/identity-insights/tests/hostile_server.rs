#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The IIT client against every mode of the hostile-server kit (`mastercard_testkit::hostile`),
//! over plain HTTP on loopback, through the shared scenario table
//! (`mastercard_testkit::hostile::table`) plus IIT's own case (plain JSON where a JWE envelope
//! is due): each ends in the expected typed error, says whether the request may have been sent,
//! ends within its timeout, and sends nothing to a redirect's target.
//!
//! The huge-body case also runs in a fresh child process (this binary re-run with
//! `HOSTILE_HUGE_CHILD` set), which reads its peak resident set (`VmHWM`) after the call.
//! `cargo test -p identity-insights --test hostile_server -- --nocapture` prints the numbers.

mod support;

use identity_insights::{
    DEFAULT_RESPONSE_LIMIT, Delivery, ErrorKind, IdentityInsightsClient, UnencryptedResponse,
};
use mastercard_testkit::hostile::table::{self, Observation, TIMEOUT};
use mastercard_testkit::hostile::{HostileServer, Mode};
use mastercard_testkit::observe;
use mastercard_transport::tls::TrustRoots;
use support::Pki;

const PATH: &str = "/identity";
const CHILD_ENV: &str = "HOSTILE_HUGE_CHILD";

/// The client under test, trusting `roots`, with `TIMEOUT`.
fn client_trusting(url: &str, roots: TrustRoots) -> IdentityInsightsClient {
    let pki = Pki::shared();
    IdentityInsightsClient::builder()
        .base_url(url)
        .trust_roots(roots)
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

/// The client under test with the default trust roots (the platform's).
fn client(url: &str) -> IdentityInsightsClient {
    client_trusting(url, TrustRoots::Platform)
}

async fn call(client: &IdentityInsightsClient) -> Result<(), Observation> {
    support::call(client)
        .await
        .map(drop)
        .map_err(|error| observe!(error))
}

fn plain_insights() -> Mode {
    Mode::PlainJson {
        body: support::insights_json().to_string(),
    }
}

#[tokio::test]
async fn every_hostile_mode_is_a_typed_error_within_the_timeout() {
    let mut cases = vec![table::case(
        "200 plain JSON insights",
        plain_insights(),
        ErrorKind::InvalidResponse,
        Delivery::Received,
        Some(200),
    )];
    cases.extend(table::cases());
    assert_eq!(cases.len(), 16);
    table::every_case_is_a_typed_error_within_the_timeout(cases, PATH, client, call).await;
}

/// Defect 1 of the old client: a 200 with plain JSON where a JWE envelope is due was accepted
/// and returned as insights.
#[tokio::test]
async fn a_200_with_plain_insights_is_refused_as_unencrypted() {
    let server = HostileServer::start(plain_insights()).await;
    let error = support::call(&client(&server.url(PATH))).await.unwrap_err();
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
    let error = support::call(&client(&server.url(PATH))).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(String::from_utf8_lossy(error.raw_body().unwrap()).contains("<h1>Bad gateway</h1>"));
}

/// No redirect is followed, for any status; nothing reaches the named host.
#[tokio::test]
async fn no_redirect_is_followed_and_nothing_reaches_the_target() {
    table::no_redirect_is_followed(PATH, 1, client, async |client, _| call(client).await).await;
}

/// Runs only as a child: one call against a 1 GiB answer (chunked when the variable says
/// `chunked`), then prints `BEFORE:` and `PEAK:`.
#[test]
fn child_reads_a_1_gib_answer() {
    let Some(framing) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    table::child_reads_a_huge_answer(framing == "chunked", PATH, client, call);
}

/// A 1 GiB chunked answer stops at the 1 MiB success cap: the peak stays within twice the cap
/// over the resident set before the call.
#[test]
fn a_1_gib_answer_peaks_within_twice_the_cap_over_the_baseline() {
    table::assert_huge_answer_peak(
        "identity-insights",
        "child_reads_a_1_gib_answer",
        CHILD_ENV,
        "chunked",
        DEFAULT_RESPONSE_LIMIT as u64,
    );
}

/// An https server (trusted through a test CA) redirects the insights POST to plain http: the
/// redirect is reported and nothing is sent in clear.
#[tokio::test]
async fn a_307_from_https_to_http_sends_nothing_in_clear() {
    table::a_307_from_https_to_http_sends_nothing_in_clear(
        PATH,
        "/identity/transaction-insights",
        client_trusting,
        call,
    )
    .await;
}
