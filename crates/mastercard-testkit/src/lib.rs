//! Test-only helpers shared by the workspace's crates (a dev-dependency only; never shipped).
//!
//! * [`vectors_dir`] and [`reference_python`] implement the CI conventions for Mastercard's
//!   published test vectors and reference Python libraries: absent means "skip, and say so",
//!   unless the matching `*_REQUIRED=1` variable turns absence into a failure.
//! * [`run_python_driver`] and [`run_node_driver`] run one batch through a reference-library
//!   driver script; [`reference_node`] is the Node counterpart of [`reference_python`].
//! * [`oauth1_population`] is the generated request population every OAuth1 differential test
//!   signs.
//! * [`hostile`] is a loopback HTTP server that misbehaves in one chosen way per run (redirects,
//!   huge, slow, truncated or reset answers, HTML errors, header floods, silence) and counts what
//!   reached it.
//! * [`pki`] makes throwaway RSA keys, CAs, certificates and PKCS#12 containers, so tests never
//!   need committed key material.
//! * [`proxy`] is a loopback forward proxy (CONNECT tunnels and plain-HTTP forwarding) that
//!   records the hosts asked for.
//! * [`child`] re-runs one test of the test binary in a fresh process; [`memory`] measures peak
//!   memory in such a child.
//! * With the `clients` feature (the two client crates' tests): `signed`, a mock server that
//!   verifies every request's OAuth1 signature (optionally behind TLS); `bare_client`, the
//!   generated client against a mock; `recorder`, a middleware recording the steps it sees;
//!   `providers`, `SignatureProvider`s (one signing with its own key, one failing, one
//!   RSA-SHA256-only) written against the public trait only;
//!   `hostile::table`, the hostile scenarios both clients run.

// Test support fails loudly by design: a broken fixture must stop the test that uses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "clients")]
pub mod bare_client;
pub mod child;
pub mod hostile;
pub mod memory;
pub mod oauth1_population;
pub mod pki;
pub mod postgres;
#[cfg(feature = "clients")]
pub mod providers;
pub mod proxy;
#[cfg(feature = "clients")]
pub mod recorder;
pub mod reuse_bench;
#[cfg(feature = "clients")]
pub mod signed;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (this crate lives in `crates/mastercard-testkit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A folder named by an environment variable: tests run in their package's folder, but the
/// README and CI give paths from the workspace root, so a relative one is taken from there.
fn from_workspace_root(dir: std::ffi::OsString) -> PathBuf {
    let dir = PathBuf::from(dir);
    if dir.is_absolute() {
        dir
    } else {
        workspace_root().join(dir)
    }
}

fn required(variable: &str) -> bool {
    std::env::var(variable).as_deref() == Ok("1")
}

/// The folder of Mastercard's test vectors: `$MASTERCARD_VECTORS_DIR` (a relative value is taken
/// from the workspace root, as CI sets it), else `../shared/vectors` beside the checkout.
///
/// Returns `None` after printing "skipped" when `marker` (e.g. `"oauth1/vectors.json"`) is not
/// under it; panics instead when `MASTERCARD_VECTORS_REQUIRED=1`.
pub fn vectors_dir(marker: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("MASTERCARD_VECTORS_DIR") {
        Some(dir) => from_workspace_root(dir),
        None => workspace_root().join("../shared/vectors"),
    };
    if dir.join(marker).is_file() {
        return Some(dir);
    }
    assert!(
        !required("MASTERCARD_VECTORS_REQUIRED"),
        "MASTERCARD_VECTORS_REQUIRED=1 but there is no {marker} under {}",
        dir.display()
    );
    println!(
        "skipped: no {marker} under {} (set MASTERCARD_VECTORS_DIR)",
        dir.display()
    );
    None
}

/// The interpreter named by `$MASTERCARD_REFERENCE_PYTHON` (one with Mastercard's reference
/// libraries installed; `cargo xtask interop` provides it).
///
/// Returns `None` after printing "skipped" when unset; panics instead when
/// `MASTERCARD_INTEROP_REQUIRED=1`.
pub fn reference_python() -> Option<PathBuf> {
    match std::env::var_os("MASTERCARD_REFERENCE_PYTHON") {
        Some(python) if !python.is_empty() => Some(PathBuf::from(python)),
        _ => {
            assert!(
                !required("MASTERCARD_INTEROP_REQUIRED"),
                "MASTERCARD_INTEROP_REQUIRED=1 but MASTERCARD_REFERENCE_PYTHON is not set"
            );
            println!("skipped: MASTERCARD_REFERENCE_PYTHON is not set");
            None
        }
    }
}

/// Runs `driver` (a Python script) once with `request` as JSON on stdin and returns the JSON it
/// prints. One process per batch keeps differential tests at seconds, not minutes.
pub fn run_python_driver(
    python: &Path,
    driver: &Path,
    request: &serde_json::Value,
) -> serde_json::Value {
    let mut command = Command::new(python);
    command.arg(driver);
    run_driver(command, driver, request)
}

/// Mastercard's reference Node libraries as installed by `cargo xtask interop`.
#[derive(Debug, Clone)]
pub struct NodeReference {
    /// The `node` binary: `$MASTERCARD_REFERENCE_NODE`, else `node` on the `PATH`.
    pub node: PathBuf,
    /// The `node_modules` folder holding the pinned packages
    /// (`$MASTERCARD_REFERENCE_NODE_MODULES`).
    pub modules: PathBuf,
}

/// The reference Node libraries named by `$MASTERCARD_REFERENCE_NODE_MODULES` (a `node_modules`
/// folder; `cargo xtask interop` installs it under `target/interop-node` and sets it).
///
/// Returns `None` after printing "skipped" when unset; panics instead when
/// `MASTERCARD_INTEROP_REQUIRED=1`.
pub fn reference_node() -> Option<NodeReference> {
    match std::env::var_os("MASTERCARD_REFERENCE_NODE_MODULES") {
        Some(modules) if !modules.is_empty() => Some(NodeReference {
            node: std::env::var_os("MASTERCARD_REFERENCE_NODE")
                .filter(|node| !node.is_empty())
                .map_or_else(|| PathBuf::from("node"), PathBuf::from),
            modules: from_workspace_root(modules),
        }),
        _ => {
            assert!(
                !required("MASTERCARD_INTEROP_REQUIRED"),
                "MASTERCARD_INTEROP_REQUIRED=1 but MASTERCARD_REFERENCE_NODE_MODULES is not set"
            );
            println!(
                "skipped: MASTERCARD_REFERENCE_NODE_MODULES is not set (`cargo xtask interop` installs Mastercard's Node libraries and sets it)"
            );
            None
        }
    }
}

/// Runs `driver` (a JavaScript file) once under `node` with the reference packages resolvable
/// (`NODE_PATH`), `request` as JSON on stdin, and returns the JSON it prints.
pub fn run_node_driver(
    node: &NodeReference,
    driver: &Path,
    request: &serde_json::Value,
) -> serde_json::Value {
    let mut command = Command::new(&node.node);
    command.arg(driver).env("NODE_PATH", &node.modules);
    run_driver(command, driver, request)
}

fn run_driver(
    mut command: Command,
    driver: &Path,
    request: &serde_json::Value,
) -> serde_json::Value {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {:?}: {error}", command.get_program()));
    // Written from another thread, so a driver that answers before reading everything cannot
    // deadlock the test.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = request.to_string();
    // A driver that dies early closes its stdin; its stderr (asserted below) says why.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).is_ok());
    let output = child
        .wait_with_output()
        .expect("the driver runs to completion");
    let written = writer.join().expect("the writer thread does not panic");
    assert!(
        output.status.success(),
        "{} failed: {}",
        driver.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(written, "{} did not read its whole input", driver.display());
    serde_json::from_slice(&output.stdout).expect("the driver prints one JSON document")
}

/// The bytes of a pinned spec file: from `$MASTERCARD_OPENAPI_MIRROR` (as CI sets it; a
/// relative value is taken from the workspace root, as the README's quick start sets it) or the
/// workspace's fetched cache (`cargo xtask test` always fetches first).
pub fn spec_bytes(file: &str) -> Vec<u8> {
    let dir = std::env::var_os("MASTERCARD_OPENAPI_MIRROR")
        .filter(|dir| !dir.is_empty())
        .map(from_workspace_root)
        .unwrap_or_else(|| workspace_root().join("openapi/.cache"));
    std::fs::read(dir.join(file)).unwrap_or_else(|error| {
        panic!(
            "{file} not found in {} ({error}); run `cargo xtask fetch` first",
            dir.display()
        )
    })
}

/// The `url` of each entry of a pinned spec's top-level `servers:` list, in spec order.
///
/// Read line by line rather than through a YAML parser: the testkit stays free of one, and both
/// pinned specs write `servers:` as a plain block list.
pub fn spec_servers(file: &str) -> Vec<String> {
    let spec = String::from_utf8(spec_bytes(file)).expect("the spec is UTF-8");
    spec.lines()
        .skip_while(|line| *line != "servers:")
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .filter_map(|line| line.trim().strip_prefix("- url:"))
        .map(|url| url.trim().to_owned())
        .collect()
}
