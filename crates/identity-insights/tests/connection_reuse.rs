#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Connection reuse: 1,000 sequential calls over mutual TLS against a loopback server that counts
//! TLS handshakes, on tokio's current-thread and multi-threaded runtimes.
//!
//! Measured (debug build, 2-core machine, both tests of this file running at once): current-thread
//! 1 handshake per 1,000 calls in 8 of 8 runs; multi-threaded (2 workers) 2, 2, 2, 6, 8, 5, 8, 2
//! in 8 runs. The cause, as read in hyper-util 0.1.21 (`client/legacy/client.rs`): after a
//! response, the HTTP/1 connection goes back to the pool from a spawned task (`on_idle`); on a
//! multi-threaded runtime the next call's checkout can run first, finds nothing idle and races a
//! new connect against the checkout; when the returned connection wins, the started connect is
//! still finished in the background and pooled. Each time the race is lost, one more handshake.
//! Not fixed yet: the multi-threaded test only guards against losing pooling altogether.

mod support;

use support::{Pki, Server, TRANSACTION_ID};

const CALLS: usize = 1_000;

/// Makes `CALLS` sequential calls and returns the server's (connections, handshakes).
async fn sequential_calls() -> (usize, usize) {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let client = pki.builder(&server).build().unwrap();
    for _ in 0..CALLS {
        let response = support::call(&client).await.unwrap();
        assert_eq!(response.id, TRANSACTION_ID);
    }
    assert_eq!(server.seen().len(), CALLS);
    (server.connections(), server.handshakes())
}

#[tokio::test(flavor = "current_thread")]
async fn sequential_calls_reuse_one_connection_on_current_thread() {
    let (connections, handshakes) = sequential_calls().await;
    println!(
        "current_thread: {connections} connections, {handshakes} handshakes per {CALLS} calls"
    );
    assert_eq!((connections, handshakes), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_calls_mostly_reuse_connections_on_multi_thread() {
    let (connections, handshakes) = sequential_calls().await;
    println!("multi_thread: {connections} connections, {handshakes} handshakes per {CALLS} calls");
    // Should be 1 (see the module docs); the pool-return race costs extra connections, but far
    // fewer than one per call.
    assert_eq!(connections, handshakes);
    assert!(
        handshakes * 50 < CALLS,
        "{handshakes} handshakes per {CALLS} calls"
    );
}
