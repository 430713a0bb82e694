#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Mastercom through a forward proxy set by the builder: every signed request goes through the
//! loopback proxy (which records the host asked for) and still verifies at the server.
//!
//! reqwest 0.13 does not exempt loopback targets from a proxy; only a `no_proxy` list does.
//! Plain `http://` (allowed to loopback only) is forwarded by the proxy in absolute form; an
//! `https://` base URL would open a CONNECT tunnel instead (see identity-insights' `proxy` test).

mod support;

use mastercard_testkit::proxy::Proxy;
use mastercom::ProxySetting;
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
    let authority = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
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
