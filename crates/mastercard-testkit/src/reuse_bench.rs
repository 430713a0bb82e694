//! The driver of both clients' connection-reuse benchmarks (`examples/*_reuse.rs`): the same
//! runs, one at a time and 16 at a time, on tokio's current-thread and multi-threaded runtimes,
//! so the two clients' numbers are comparable. Each client brings its own `run` (its loopback
//! server and calls) and prints what the server counted.

use std::fmt::Display;
use std::future::Future;

/// Calls per run.
pub const CALLS: usize = 1_000;

/// Runs `run(CALLS, in_flight)` for 1 and 16 in flight on both runtimes, `RUNS` times each (the
/// first command-line argument, default 3), printing one line per run prefixed by `client`.
pub fn run_all<F, Fut, R>(client: &str, run: F)
where
    F: Fn(usize, usize) -> Fut,
    Fut: Future<Output = R>,
    R: Display,
{
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
            for attempt in 1..=runs {
                let result = runtime.block_on(run(CALLS, in_flight));
                println!("{client} {flavor:<14} {in_flight:>2} in flight, run {attempt}: {result}");
            }
        }
    }
}
