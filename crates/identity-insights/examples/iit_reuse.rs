//! Handshakes per 1,000 IIT calls over mutual TLS, one at a time and 16 at a time, on tokio's
//! current-thread and multi-threaded runtimes, against the loopback server of the crate's tests.
//!
//! `cargo run --release -p identity-insights --example iit_reuse [RUNS]` (default 3 runs of
//! each). The counts come from the server: TCP connections accepted and TLS handshakes done.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    mastercard_testkit::reuse_bench::run_all("iit", support::reuse_run);
}
