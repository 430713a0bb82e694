//! The generated (progenitor) client of either API against a mock server, with no hand-written
//! client around it: for tests of exactly what the generated code sends and parses.

use mastercard_transport::{Transport, tls};

/// The generated client made by `new_with_client` (the generated `Client::new_with_client`),
/// pointed at `base_url` (the mock's URI with the API's path prefix).
///
/// `Client::new` cannot be used: reqwest is built with `rustls-no-provider`, and building a
/// default `reqwest::Client` panics without a process-wide crypto provider, even for plain HTTP.
pub fn against<C>(
    base_url: &str,
    new_with_client: impl FnOnce(&str, reqwest::Client, Transport) -> C,
) -> C {
    let config = tls::client_config(&tls::TrustRoots::Platform, None).expect("TLS config");
    let http = tls::http_client_builder(config)
        .build()
        .expect("reqwest client");
    new_with_client(base_url, http, Transport::new())
}
