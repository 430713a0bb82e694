//! Peak-memory measurements in a fresh child process: the test binary re-runs one of its own
//! tests with an environment variable set, and that child prints a line of `NAME:value` fields
//! read from `/proc/self/status`. A fresh process keeps earlier peaks and allocator state of
//! other tests out of the numbers.

use std::str::FromStr;

/// A `/proc/self/status` field (e.g. `"VmRSS:"`, `"VmHWM:"`) in bytes.
pub fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|value| value.parse().ok())
        .unwrap();
    kib * 1024
}

/// Runs test `test` of this binary alone in a child process with `env=value`, and returns its
/// output line from `marker` (e.g. `"PEAK:"`) on. Fails when the child fails or prints no such
/// line.
pub fn run_child(test: &str, env: &str, value: &str, marker: &str) -> String {
    let stdout = crate::child::stdout(
        crate::child::command(test)
            .env(env, value)
            .output()
            .unwrap(),
    );
    stdout
        .lines()
        .find_map(|line| line.find(marker).map(|at| line[at..].to_owned()))
        .unwrap_or_else(|| panic!("child did not measure: {stdout}"))
}

/// The value of field `name` (e.g. `"PEAK:"`) in a line of space-separated `NAME:value` fields.
pub fn field<T: FromStr>(line: &str, name: &str) -> T {
    line.split_whitespace()
        .find_map(|field| field.strip_prefix(name))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}
