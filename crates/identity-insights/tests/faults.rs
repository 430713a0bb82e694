#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
//! Transport faults over plain HTTP on loopback: whether each says the request may have been sent.

mod support;

use std::time::{Duration, Instant};

use identity_insights::{Delivery, Error, ErrorKind, IdentityInsightsClient};
use support::Pki;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

fn client(base_url: String) -> IdentityInsightsClient {
    let pki = Pki::shared();
    IdentityInsightsClient::builder()
        .base_url(base_url)
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

/// A server that reads the first bytes of each request, then either closes the connection or
/// keeps it open without answering.
async fn server(close_after_read: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/identity", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 1024];
                let _ = tcp.read(&mut buffer).await;
                if !close_after_read {
                    std::future::pending::<()>().await;
                }
            });
        }
    });
    url
}

fn assert_transport(error: &Error, expected_kind: ErrorKind, expected: Delivery) {
    assert_eq!(
        (error.kind(), error.delivery()),
        (expected_kind, expected),
        "{error}"
    );
    assert_eq!(error.status(), None);
    assert_eq!(
        error.request_may_have_been_sent(),
        expected == Delivery::MayHaveBeenSent
    );
}

#[tokio::test]
async fn connection_refused_was_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/identity", listener.local_addr().unwrap());
    drop(listener);

    let error = support::call(&client(url)).await.unwrap_err();

    assert_transport(&error, ErrorKind::Connect, Delivery::NotSent);
}

#[tokio::test]
async fn timeout_after_sending_may_have_been_sent() {
    let url = server(false).await;

    let error = support::call(&client(url)).await.unwrap_err();

    assert_transport(&error, ErrorKind::Timeout, Delivery::MayHaveBeenSent);
}

#[tokio::test]
async fn connection_closed_after_sending_may_have_been_sent() {
    let url = server(true).await;

    let error = support::call(&client(url)).await.unwrap_err();

    assert_transport(&error, ErrorKind::ConnectionLost, Delivery::MayHaveBeenSent);
}

#[tokio::test]
async fn a_stalled_answer_fails_after_the_read_timeout_not_the_call_timeout() {
    let url = server(false).await;
    let pki = Pki::shared();
    let client = IdentityInsightsClient::builder()
        .base_url(url)
        .encryption_certificate(pki.server_jwe.certificate())
        .decryption_key(pki.client_jwe.private_key())
        .timeout(Duration::from_secs(120))
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();

    let error = support::call(&client).await.unwrap_err();

    assert_transport(&error, ErrorKind::Timeout, Delivery::MayHaveBeenSent);
    // Far below the 120 s call timeout: the read timeout ended the call.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
