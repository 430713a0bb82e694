#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Mastercom through a forward proxy set by the builder: every signed request goes through the
//! loopback proxy (which records the host asked for) and still verifies at the server.
//!
//! reqwest 0.13 does not exempt loopback targets from a proxy; only a `no_proxy` list does.
//! Plain `http://` (allowed to loopback only) is forwarded by the proxy in absolute form; an
//! `https://` base URL (a loopback TLS front before the verifying mock, its certificate from a
//! throwaway CA passed through `trust_roots`) opens a CONNECT tunnel instead, and TLS and the
//! signature run end to end through it.

mod support;

use mastercard_testkit::proxy::Proxy;
use mastercard_transport::tls::TrustRoots;
use mastercom::{MastercomClient, ProxySetting};
use serde_json::json;
use support::SignedServer;
use wiremock::ResponseTemplate;

const CLAIM: &str = "200002020654";

async fn server() -> SignedServer {
    SignedServer::start(|_, _| ResponseTemplate::new(200).set_body_json(json!({}))).await
}

#[tokio::test]
async fn builder_proxy_carries_every_signed_request() {
    let server = server().await;
    let proxy = Proxy::start();
    let url = server.base_url().replace("127.0.0.1", "localhost");
    let authority = support::authority(&url);
    let client = support::loopback_builder(&url, &server.key.pem)
        .proxy(ProxySetting::Url {
            url: proxy.url(),
            no_proxy: None,
        })
        .build()
        .unwrap();

    client.get_claim_detail(CLAIM).await.unwrap();
    client.get_claim_detail(CLAIM).await.unwrap();

    assert!(!proxy.forwards().is_empty());
    assert!(
        proxy.forwards().iter().all(|host| *host == authority),
        "{:?}",
        proxy.uses()
    );
    assert_eq!(server.seen().len(), 2);
    server.assert_all_verified();
}

/// A client for the TLS server at `url`, trusting `ca` (PEM), with `proxy`.
fn https_client(
    server: &SignedServer,
    url: &str,
    ca: &[u8],
    proxy: ProxySetting,
) -> MastercomClient {
    support::loopback_builder(url, &server.key.pem)
        .trust_roots(TrustRoots::from_pem(ca).unwrap())
        .proxy(proxy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn builder_proxy_tunnels_https_with_connect_and_the_signature_verifies() {
    let (server, url, ca) = support::tls_server().await;
    let proxy = Proxy::start();
    let authority = support::authority(&url);
    let setting = ProxySetting::Url {
        url: proxy.url(),
        no_proxy: None,
    };
    let client = https_client(&server, &url, &ca, setting);

    client.get_claim_detail(CLAIM).await.unwrap();
    client.get_claim_detail(CLAIM).await.unwrap();

    // Every connection is a tunnel to the base URL's authority; nothing is forwarded in clear.
    assert!(!proxy.tunnels().is_empty(), "{:?}", proxy.uses());
    assert!(
        proxy.tunnels().iter().all(|host| *host == authority),
        "{:?}",
        proxy.uses()
    );
    assert!(proxy.forwards().is_empty(), "{:?}", proxy.uses());
    assert_eq!(server.handshakes(), proxy.tunnels().len());
    assert_eq!(server.seen().len(), 2);
    server.assert_all_verified();
}

#[tokio::test]
async fn builder_no_proxy_sends_https_direct() {
    let (server, url, ca) = support::tls_server().await;
    let proxy = Proxy::start();
    let setting = ProxySetting::Url {
        url: proxy.url(),
        no_proxy: Some("example.org, localhost".into()),
    };
    let client = https_client(&server, &url, &ca, setting);

    client.get_claim_detail(CLAIM).await.unwrap();

    assert!(proxy.uses().is_empty(), "{:?}", proxy.uses());
    assert_eq!(server.handshakes(), 1);
    assert_eq!(server.seen().len(), 1);
    server.assert_all_verified();
}

#[tokio::test]
async fn direct_ignores_any_proxy() {
    let server = server().await;
    let client = server
        .builder()
        .proxy(ProxySetting::Direct)
        .build()
        .unwrap();
    client.get_claim_detail(CLAIM).await.unwrap();
    server.assert_all_verified();
}

#[tokio::test]
async fn proxy_debug_hides_the_password() {
    let setting = ProxySetting::Url {
        url: "http://user:s3cret@proxy.example:3128".into(),
        no_proxy: None,
    };
    let shown = format!("{setting:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
}
