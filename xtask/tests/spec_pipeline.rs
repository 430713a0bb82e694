//! The spec pipeline's commands, run as a user runs them (the real `xtask` binary) against a
//! throwaway copy of the workspace's `openapi/` folder.
//!
//! Spec bytes come from `$MASTERCARD_OPENAPI_MIRROR` or, failing that, the workspace's cache
//! (`cargo xtask test` always fetches first).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::JoinHandle;

const MASTERCOM: &str = "mastercom-v6.yaml";
const IIT: &str = "IIT-swagger-public.yaml";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

use mastercard_testkit::spec_bytes;

/// A workspace root holding a copy of our committed `openapi/` files (no cache).
fn scratch_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let openapi = root.path().join("openapi");
    std::fs::create_dir(&openapi).unwrap();
    for entry in std::fs::read_dir(workspace().join("openapi")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), openapi.join(entry.file_name())).unwrap();
        }
    }
    root
}

fn put_in_cache(root: &Path, file: &str, bytes: &[u8]) {
    let cache = root.join("openapi/.cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join(file), bytes).unwrap();
}

fn xtask(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env_remove("MASTERCARD_OPENAPI_MIRROR")
        .env_remove("MASTERCARD_OPENAPI_DIR")
        .env_remove("MASTERCARD_OPENAPI_UPSTREAM")
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A loopback HTTP/1.1 server that answers `GET /<file>` from `files`, for exactly `requests`
/// connections, then stops. Returns its base URL and the paths it was asked for.
fn serve(
    files: Vec<(&'static str, Vec<u8>)>,
    requests: usize,
) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut asked = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            // Drain the headers so the client sees a well-behaved server.
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap() > 2 {
                line.clear();
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_owned();
            let body = files
                .iter()
                .find(|(file, _)| path == format!("/{file}"))
                .map(|(_, bytes)| bytes.as_slice());
            let (status, body) = match body {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", &b""[..]),
            };
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            stream.write_all(body).unwrap();
            asked.push(path);
        }
        asked
    });
    (base, handle)
}

#[test]
fn fetch_downloads_over_http_and_verifies_the_pins() {
    let root = scratch_root();
    let (base, server) = serve(
        vec![(MASTERCOM, spec_bytes(MASTERCOM)), (IIT, spec_bytes(IIT))],
        2,
    );

    let output = xtask(
        root.path(),
        &["fetch"],
        &[("MASTERCARD_OPENAPI_UPSTREAM", &base)],
    );

    assert!(output.status.success(), "fetch failed: {}", stderr(&output));
    let mut asked = server.join().unwrap();
    asked.sort();
    assert_eq!(asked, [format!("/{IIT}"), format!("/{MASTERCOM}")]);
    for file in [MASTERCOM, IIT] {
        assert_eq!(
            std::fs::read(root.path().join("openapi/.cache").join(file)).unwrap(),
            spec_bytes(file)
        );
    }
    // The freshly fetched cache passes the drift check.
    let check = xtask(root.path(), &["check"], &[]);
    assert!(check.status.success(), "check failed: {}", stderr(&check));
}

#[test]
fn fetch_refuses_a_download_that_does_not_match_its_pin() {
    let root = scratch_root();
    let mut tampered = spec_bytes(IIT);
    tampered.extend_from_slice(b"\n# one more line\n");
    // Files are fetched in API-name order, so the IIT spec is requested first and fails.
    let (base, server) = serve(vec![(IIT, tampered)], 1);

    let output = xtask(
        root.path(),
        &["fetch"],
        &[("MASTERCARD_OPENAPI_UPSTREAM", &base)],
    );

    assert!(!output.status.success());
    server.join().unwrap();
    let message = stderr(&output);
    assert!(
        message.contains("identity-insights") && message.contains("pins"),
        "{message}"
    );
    assert!(
        !root.path().join("openapi/.cache").join(IIT).exists(),
        "a tampered spec reached the cache"
    );
}

#[test]
fn fetch_refuses_plain_http_to_a_remote_host() {
    let root = scratch_root();
    let output = xtask(
        root.path(),
        &["fetch"],
        &[(
            "MASTERCARD_OPENAPI_UPSTREAM",
            "http://example.invalid/specs",
        )],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("only https"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_fails_on_a_spec_that_does_not_match_its_pin() {
    let root = scratch_root();
    put_in_cache(root.path(), MASTERCOM, &spec_bytes(MASTERCOM));
    let mut tampered = spec_bytes(IIT);
    tampered[100] ^= 0x01;
    put_in_cache(root.path(), IIT, &tampered);

    let output = xtask(root.path(), &["check"], &[]);

    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("identity-insights:") && message.contains("sha256"),
        "{message}"
    );
    assert!(
        message.contains("cargo xtask fetch"),
        "the message must say what to run: {message}"
    );
    assert!(
        !message.contains("mastercom:"),
        "mastercom is intact and must not be reported: {message}"
    );
}

#[test]
fn check_fails_with_a_readable_diff_when_one_field_of_the_surface_changes() {
    let root = scratch_root();
    put_in_cache(root.path(), MASTERCOM, &spec_bytes(MASTERCOM));
    // Upstream renames one field of one schema; the copy is re-pinned, so only the surface drifts.
    let original = String::from_utf8(spec_bytes(IIT)).unwrap();
    let changed = original.replacen("phoneNumberCarrier:", "phoneCarrierName:", 1);
    assert_ne!(
        changed, original,
        "the IIT spec no longer has the field this test renames"
    );
    put_in_cache(root.path(), IIT, changed.as_bytes());
    let lock_path = root.path().join("openapi/specs.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    let old_sha = sha256(&spec_bytes(IIT));
    let new_sha = sha256(changed.as_bytes());
    std::fs::write(&lock_path, lock.replace(&old_sha, &new_sha)).unwrap();

    let output = xtask(root.path(), &["check"], &[]);

    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(message.contains("the API surface differs"), "{message}");
    assert!(
        message.contains("-  phoneNumberCarrier: string"),
        "diff lacks the removed line: {message}"
    );
    assert!(
        message.contains("+  phoneCarrierName: string"),
        "diff lacks the added line: {message}"
    );
    assert!(
        message.contains("cargo xtask regen"),
        "the message must say what to run: {message}"
    );
}

#[test]
fn regen_adopts_a_new_upstream_spec_and_check_then_passes() {
    let root = scratch_root();
    let changed = String::from_utf8(spec_bytes(IIT)).unwrap().replacen(
        "phoneNumberCarrier:",
        "phoneCarrierName:",
        1,
    );
    let (base, server) = serve(
        vec![
            (MASTERCOM, spec_bytes(MASTERCOM)),
            (IIT, changed.clone().into_bytes()),
        ],
        2,
    );

    let output = xtask(
        root.path(),
        &["regen"],
        &[("MASTERCARD_OPENAPI_UPSTREAM", &base)],
    );

    assert!(output.status.success(), "regen failed: {}", stderr(&output));
    server.join().unwrap();
    let lock = std::fs::read_to_string(root.path().join("openapi/specs.lock")).unwrap();
    assert!(
        lock.contains(&sha256(changed.as_bytes())),
        "the pin did not move"
    );
    let surface =
        std::fs::read_to_string(root.path().join("openapi/identity-insights.surface.txt")).unwrap();
    assert!(
        surface.contains("phoneCarrierName: string") && !surface.contains("phoneNumberCarrier")
    );
    let check = xtask(root.path(), &["check"], &[]);
    assert!(
        check.status.success(),
        "check after regen failed: {}",
        stderr(&check)
    );
}

/// IIT changes fine, but the new Mastercom spec no longer has a field a transformation targets:
/// regen fails and writes nothing, so the lock, snapshots and cache still agree.
#[test]
fn regen_that_fails_on_one_api_writes_nothing() {
    let root = scratch_root();
    let iit = String::from_utf8(spec_bytes(IIT)).unwrap().replacen(
        "phoneNumberCarrier:",
        "phoneCarrierName:",
        1,
    );
    let mastercom = String::from_utf8(spec_bytes(MASTERCOM))
        .unwrap()
        .replace("cvcInvalidIndicator", "cvcIndicator");
    let (base, server) = serve(
        vec![(MASTERCOM, mastercom.into_bytes()), (IIT, iit.into_bytes())],
        2,
    );
    let openapi = root.path().join("openapi");
    let before = |name: &str| std::fs::read(openapi.join(name)).unwrap();
    let (lock, surface) = (
        before("specs.lock"),
        before("identity-insights.surface.txt"),
    );

    let output = xtask(
        root.path(),
        &["regen"],
        &[("MASTERCARD_OPENAPI_UPSTREAM", &base)],
    );

    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("cvcInvalidIndicator"),
        "{}",
        stderr(&output)
    );
    server.join().unwrap();
    assert_eq!(before("specs.lock"), lock);
    assert_eq!(before("identity-insights.surface.txt"), surface);
    assert!(
        !openapi.join(".cache").join(IIT).exists(),
        "no spec was cached"
    );
}

#[test]
fn a_missing_spec_names_the_command_to_run() {
    let root = scratch_root();
    let output = xtask(root.path(), &["check"], &[]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("run `cargo xtask fetch`"),
        "{}",
        stderr(&output)
    );
}

fn sha256(bytes: &[u8]) -> String {
    mastercard_codegen::pins::sha256_hex(bytes)
}
