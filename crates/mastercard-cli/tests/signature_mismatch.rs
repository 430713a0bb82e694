//! A refused signature, explained by the client: a loopback proxy between the Mastercom client
//! and the embedded sandbox changes the request after it was signed, the sandbox answers 401
//! with its "acceptable signature base string", and the client's error compares that string
//! with the one it signed for that attempt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use mastercard_transport::tls::{TrustRoots, client_config};
use mastercom::{Difference, ErrorKind, MastercomClient, types};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;

const DEADLINE: Duration = Duration::from_secs(20);

/// What the proxy does to a request head and body before forwarding it.
type Rewrite = fn(String, Vec<u8>) -> (String, Vec<u8>);

/// Accepts plain HTTP/1.1 on loopback, rewrites each request and forwards it over TLS to
/// `upstream`, keeping the client's `Host` (so the sandbox reconstructs the URL the client
/// addressed) and copying the answer back until the sandbox closes.
async fn proxy(upstream: SocketAddr, ca_pem: PathBuf, rewrite: Rewrite) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let roots = TrustRoots::from_pem(&std::fs::read(ca_pem).unwrap()).unwrap();
    let mut config = client_config(&roots, None).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let connector = connector.clone();
            tokio::spawn(async move {
                let (head, body) = read_request(&mut client).await;
                let (head, body) = rewrite(head, body);
                let tcp = TcpStream::connect(upstream).await.unwrap();
                let mut tls = connector
                    .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
                    .await
                    .unwrap();
                tls.write_all(head.as_bytes()).await.unwrap();
                tls.write_all(&body).await.unwrap();
                tls.flush().await.unwrap();
                let mut answer = Vec::new();
                let _ = tokio::time::timeout(DEADLINE, tls.read_to_end(&mut answer)).await;
                let _ = client.write_all(&answer).await;
                let _ = client.shutdown().await;
            });
        }
    });
    address
}

/// Reads one request: its head (with `Connection: close` forced) and its `Content-Length` body.
async fn read_request(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        let read = tokio::time::timeout(DEADLINE, stream.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(read > 0, "the client closed before sending a request");
        bytes.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8(bytes[..head_end].to_vec()).unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = bytes[head_end..].to_vec();
    while body.len() < length {
        let read = tokio::time::timeout(DEADLINE, stream.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(read > 0, "the client closed mid-body");
        body.extend_from_slice(&chunk[..read]);
    }
    let head = head
        .lines()
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .filter(|line| !line.is_empty())
        .map(|line| format!("{line}\r\n"))
        .collect::<String>()
        + "Connection: close\r\n\r\n";
    (head, body)
}

fn client_through(sandbox: &RunningSandbox, proxy: SocketAddr, ledger: PathBuf) -> MastercomClient {
    let credentials = &sandbox.credentials;
    let roots = TrustRoots::from_pem(&std::fs::read(&credentials.ca_cert).unwrap()).unwrap();
    MastercomClient::builder()
        .dispute_event_ledger_sqlite(ledger)
        .base_url(format!("http://{proxy}/mastercom"))
        .consumer_key(&credentials.consumer_key)
        .signing_key_pkcs12(
            &credentials.signing_p12,
            Some(PKCS12_ALIAS),
            PKCS12_PASSWORD,
        )
        .trust_roots(roots)
        .build()
        .unwrap()
}

fn upstream(sandbox: &RunningSandbox) -> SocketAddr {
    let url = sandbox.mastercom_url.trim_start_matches("https://");
    url.split('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_query_parameter_changed_on_the_way_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    // A proxy that "normalises" the query: the queue name travels re-cased.
    let proxy = proxy(
        upstream(&sandbox),
        sandbox.credentials.ca_cert.clone(),
        |head, body| {
            (
                head.replacen("queue-name=Worked", "queue-name=WORKED", 1),
                body,
            )
        },
    )
    .await;
    let client = client_through(&sandbox, proxy, dir.path().join("ledger.sqlite3"));

    let queue: types::GetQueueSummaryQueueName = "Worked".parse().unwrap();
    let error = client.get_queue_summary(&queue).await.unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Api);
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    let diagnosis = error.signature_mismatch().expect("a diagnosis");
    let named = diagnosis.differences.iter().any(|difference| {
        matches!(difference, Difference::QueryParameter { name, .. } if name == "queue-name")
    });
    assert!(named, "{diagnosis:?}");
    let shown = error.to_string();
    assert!(shown.contains("signature mismatch explained"), "{shown}");
    assert!(shown.contains("queue-name"), "{shown}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_body_changed_on_the_way_is_named_as_the_body_hash() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    // A proxy that re-serialises the JSON body (a space after each colon) and, like a gateway
    // that hashes what it received, states the hash of the bytes it forwards.
    let proxy = proxy(
        upstream(&sandbox),
        sandbox.credentials.ca_cert.clone(),
        |head, body| {
            let body = String::from_utf8(body)
                .unwrap()
                .replace("\":", "\": ")
                .into_bytes();
            let hash = mastercard_oauth1::body_hash(&body);
            let head = rewrite_body_hash(&head, &hash, body.len());
            (head, body)
        },
    )
    .await;
    let client = client_through(&sandbox, proxy, dir.path().join("ledger.sqlite3"));

    let request: types::GetQueueContentRequest =
        serde_json::from_value(serde_json::json!({"queueName": "Worked"})).unwrap();
    let error = client.get_queue_summary_post(&request).await.unwrap_err();

    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    let diagnosis = error.signature_mismatch().expect("a diagnosis");
    let body_hash = diagnosis
        .differences
        .iter()
        .any(|difference| matches!(difference, Difference::BodyHash { .. }));
    assert!(body_hash, "{diagnosis:?}");
    assert!(error.to_string().contains("body"), "{error}");
    sandbox.shutdown().await;
}

/// The head with `oauth_body_hash` and `Content-Length` replaced.
fn rewrite_body_hash(head: &str, hash: &str, length: usize) -> String {
    let encoded = mastercard_oauth1::percent_encode(hash);
    head.lines()
        .map(|line| {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("content-length:") {
                format!("content-length: {length}")
            } else if lower.starts_with("authorization:") {
                let start = line.find("oauth_body_hash=\"").unwrap() + "oauth_body_hash=\"".len();
                let end = start + line[start..].find('"').unwrap();
                format!("{}{encoded}{}", &line[..start], &line[end..])
            } else {
                line.to_owned()
            }
        })
        .map(|line| format!("{line}\r\n"))
        .collect::<String>()
        .trim_end_matches("\r\n")
        .to_owned()
        + "\r\n\r\n"
}
