//! Connections per 1,000 signed Mastercom health checks over HTTP/1.1, one at a time and 16 at a
//! time, on tokio's current-thread and multi-threaded runtimes, against the loopback keep-alive
//! server of the crate's tests (plain HTTP: a TLS handshake would be one per connection).
//!
//! `cargo run --release -p mastercom --example mastercom_reuse [RUNS]` (default 3 runs of each).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    mastercard_testkit::reuse_bench::run_all("mastercom", support::reuse_run);
}
