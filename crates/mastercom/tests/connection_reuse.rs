#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Connection reuse: 1,000 signed calls against a loopback HTTP/1.1 keep-alive server that counts
//! the connections it accepts (`support::reuse_run`), one at a time and 16 at a time, on tokio's
//! current-thread and multi-threaded runtimes. The rule that keeps sequential calls on one
//! connection lives in the shared transport (`mastercard_transport::ConnectionReuse`); the IIT
//! client's test (`identity-insights/tests/connection_reuse.rs`) checks the same over mutual TLS.
//! `cargo run --release -p mastercom --example mastercom_reuse` prints the same counts.

mod support;

use std::time::{Duration, Instant};

use mastercard_transport::RETURN_WINDOW;

const CALLS: usize = 1_000;
const IN_FLIGHT: usize = 16;
/// One connection more than calls in flight is allowed: the rule waits at most `RETURN_WINDOW`
/// (100 ms) for a connection on its way back, and on a loaded two-core machine a return can take
/// longer (the IIT test saw 17 in 1 of 16 such runs). Measured here, runs taking turns while
/// another build ran: 15–16 in 8 of 8 runs; without the rule 21–23 (release benchmark).
const OVERSHOOT: usize = 1;

/// The runs of this file take turns: side by side on a two-core machine they delay each other's
/// connection returns and measure the machine's load rather than the connection rule.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn calls(in_flight: usize) -> usize {
    let _turn = ONE_AT_A_TIME.lock().await;
    let run = support::reuse_run(CALLS, in_flight).await;
    println!("{in_flight} in flight: {run}");
    run.connections()
}

#[tokio::test(flavor = "current_thread")]
async fn sequential_calls_reuse_one_connection_on_current_thread() {
    assert_eq!(calls(1).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sequential_calls_reuse_one_connection_on_multi_thread() {
    assert_eq!(calls(1).await, 1);
}

#[tokio::test(flavor = "current_thread")]
async fn sixteen_in_flight_open_at_most_sixteen_connections_on_current_thread() {
    let connections = calls(IN_FLIGHT).await;
    assert!(
        connections <= IN_FLIGHT + OVERSHOOT,
        "{connections} connections"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_in_flight_open_at_most_sixteen_connections_on_multi_thread() {
    let connections = calls(IN_FLIGHT).await;
    assert!(
        connections <= IN_FLIGHT + OVERSHOOT,
        "{connections} connections"
    );
}

/// A server that closes each connection after answering, without `Connection: close`: the
/// connection the client expects back never comes. The second call waits for it one
/// `RETURN_WINDOW`; from then on the rule knows connections get lost and stops waiting (it would
/// hang until the deadline if it never gave up, and cost a window per call if it kept waiting).
#[tokio::test(flavor = "multi_thread")]
async fn connections_closed_after_answering_cost_one_wait_not_one_per_call() {
    let (url, counts) = support::silently_closing_server().await;
    let key = support::test_key();
    let client = support::loopback_builder(&url, &key.pem)
        .timeouts(support::short_timeouts(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..10 {
        let health = client.healthcheck().await.unwrap();
        assert_eq!(health.status.as_deref(), Some("true"));
    }
    let elapsed = started.elapsed();
    println!("10 calls, each on a new connection, in {elapsed:?}");
    assert_eq!(counts.accepted_after.lock().unwrap().len(), 10);
    // One window, not ten (measured: about 0.96 s when every call waited a window).
    assert!(elapsed < 5 * RETURN_WINDOW, "{elapsed:?}");
}
