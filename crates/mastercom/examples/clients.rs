//! Builds both generated clients and prints what they can call, per tag. Sends no request.
//!
//! `cargo run -p mastercom --example clients` (the README's main command runs it via `cargo xtask demo`).

use std::collections::BTreeMap;

use mastercard_transport::tls::{TrustRoots, client_config, http_client_builder};
use mastercard_transport::{OperationSpec, Transport};
use progenitor_client::ClientInfo;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One TLS configuration (rustls on OpenSSL, platform roots) shared by both HTTP clients.
    let http = http_client_builder(client_config(&TrustRoots::Platform, None)?).build()?;

    let mastercom = mastercom::Client::new_with_client(
        "https://sandbox.api.mastercard.com/mastercom",
        http.clone(),
        Transport::new(),
    );
    describe(
        "Mastercom",
        mastercom.baseurl(),
        mastercom::Client::api_version(),
        mastercom::OPERATIONS,
    );

    let insights = identity_insights::Client::new_with_client(
        "https://sandbox.idv.mastercard.com/identity",
        http,
        Transport::new(),
    );
    describe(
        "Identity Insights for Transactions",
        insights.baseurl(),
        identity_insights::Client::api_version(),
        identity_insights::OPERATIONS,
    );
    Ok(())
}

fn describe(name: &str, base_url: &str, version: &str, operations: &[OperationSpec]) {
    println!(
        "{name} {version}: {} operations at {base_url}",
        operations.len()
    );
    let mut by_tag: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for operation in operations {
        for tag in operation.tags {
            by_tag.entry(tag).or_default().push(operation.rust_name);
        }
    }
    for (tag, methods) in by_tag {
        println!("  {tag} ({}): {}", methods.len(), methods.join(", "));
    }
}
