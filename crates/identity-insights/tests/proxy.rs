#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Identity Insights over mutual TLS through a loopback CONNECT proxy: the proxy sees only a
//! tunnel to the host asked for; the TLS handshake, client certificate included, runs end to end
//! through it, and the JWE round trip completes.
//!
//! reqwest (0.13, through hyper-util's proxy matcher) does not bypass proxies for loopback
//! targets: only `NO_PROXY` (or `ProxySetting::Url`'s `no_proxy`) exempts a host. The tests
//! still prove the path rather than assume it: the proxy records every tunnel and its host.

mod support;

use identity_insights::{ErrorKind, ProxySetting};
use mastercard_testkit::proxy::Proxy;
use support::{Pki, Server, TRANSACTION_ID};

fn localhost_url(server: &Server) -> String {
    // The server's certificate names `localhost`; the proxy resolves it.
    server.base_url().replace("127.0.0.1", "localhost")
}

#[tokio::test]
async fn mutual_tls_runs_through_a_connect_tunnel() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let proxy = Proxy::start();
    let url = localhost_url(&server);
    let client = pki
        .builder(&server)
        .base_url(&url)
        .proxy(ProxySetting::Url {
            url: proxy.url(),
            no_proxy: None,
        })
        .build()
        .unwrap();

    for _ in 0..3 {
        let response = support::call(&client).await.unwrap();
        assert_eq!(response.id, TRANSACTION_ID);
    }

    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    // One tunnel, kept alive for the three calls; one handshake, made through it.
    assert_eq!(proxy.tunnels(), vec![format!("localhost:{port}")]);
    assert!(proxy.forwards().is_empty());
    assert_eq!(server.handshakes(), 1);
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn no_proxy_list_sends_the_host_direct() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let proxy = Proxy::start();
    let client = pki
        .builder(&server)
        .base_url(localhost_url(&server))
        .proxy(ProxySetting::Url {
            url: proxy.url(),
            no_proxy: Some("example.org, localhost".into()),
        })
        .build()
        .unwrap();

    support::call(&client).await.unwrap();
    assert!(proxy.uses().is_empty(), "{:?}", proxy.uses());
    assert_eq!(server.handshakes(), 1);
}

#[tokio::test]
async fn a_proxy_refusing_the_tunnel_is_a_failed_call_not_a_direct_one() {
    let pki = Pki::shared();
    let server = Server::insights(pki).await;
    let proxy = Proxy::start();
    // The proxy cannot resolve this host, so it answers 502; the client must not go around it.
    let url = server.base_url().replace("127.0.0.1", "iit.invalid");
    let client = pki
        .builder(&server)
        .base_url(url)
        .proxy(ProxySetting::Url {
            url: proxy.url(),
            no_proxy: None,
        })
        .build()
        .unwrap();

    let error = support::call(&client).await.unwrap_err();
    assert_ne!(error.kind(), ErrorKind::Tls, "{error:?}");
    assert_eq!(proxy.tunnels().len(), 1, "{:?}", proxy.uses());
    assert!(proxy.tunnels()[0].starts_with("iit.invalid:"));
    assert_eq!(server.handshakes(), 0);
}
