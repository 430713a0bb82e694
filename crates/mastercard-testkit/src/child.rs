//! Tests that need a fresh process (their own environment variables, their own peak memory)
//! re-run one test of their own binary as a child: [`command`] makes that command, [`stdout`]
//! checks it succeeded and returns what it printed.

use std::process::{Command, Output};

/// A command running test `test` of this test binary alone (`--exact`, one thread, output not
/// captured, so the child's `println!` reaches the parent). Add the child's environment to it.
pub fn command(test: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", test, "--nocapture", "--test-threads=1"]);
    command
}

/// The child's standard output, after asserting it exited successfully (its stdout and stderr
/// are the failure message otherwise).
pub fn stdout(output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "child failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
