//! Connections per 1,000 signed Mastercom health checks over HTTP/1.1, one at a time and 16 at a
//! time, on tokio's current-thread and multi-threaded runtimes, against the loopback keep-alive
//! server of the crate's tests (plain HTTP: a TLS handshake would be one per connection).
//!
//! `cargo run --release -p mastercom --example mastercom_reuse [RUNS]` (default 3 runs of each).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

const CALLS: usize = 1_000;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map_or(3, |runs| runs.parse().expect("RUNS is a number"));
    for flavor in ["current_thread", "multi_thread"] {
        let runtime = match flavor {
            "current_thread" => tokio::runtime::Builder::new_current_thread(),
            _ => tokio::runtime::Builder::new_multi_thread(),
        }
        .enable_all()
        .build()
        .unwrap();
        for in_flight in [1, 16] {
            for run in 1..=runs {
                let result = runtime.block_on(support::reuse_run(CALLS, in_flight));
                println!("mastercom {flavor:<14} {in_flight:>2} in flight, run {run}: {result}");
            }
        }
    }
}
