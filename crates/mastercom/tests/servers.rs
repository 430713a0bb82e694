#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! The hosted environments against the pinned spec's `servers`.
//!
//! The Mastercom spec lists one server, production. The sandbox (also MTF after onboarding) is
//! documented by Mastercard on the same host with a `sandbox.` prefix and is not in the spec, so
//! it is checked as exactly that derivation of the spec's server.

use mastercom::Environment;

#[test]
fn production_is_the_specs_only_server() {
    assert_eq!(
        mastercard_testkit::spec_servers("mastercom-v6.yaml"),
        [Environment::Production.base_url()]
    );
}

#[test]
fn sandbox_is_the_specs_server_on_the_sandbox_host() {
    let servers = mastercard_testkit::spec_servers("mastercom-v6.yaml");
    let production = servers[0].strip_prefix("https://").unwrap();
    assert_eq!(
        Environment::Sandbox.base_url(),
        format!("https://sandbox.{production}")
    );
}
