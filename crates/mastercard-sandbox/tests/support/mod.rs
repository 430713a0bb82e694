//! Shared test helpers: start a sandbox in a temporary state directory, sign and send requests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

pub mod unzip;

use std::path::Path;

use mastercard_keys::{Pkcs12Options, PrivateKey};
use mastercard_oauth1::{Request, Signer};
use mastercard_sandbox::{Credentials, RunningSandbox, Sandbox, SandboxConfig};
use mastercard_transport::tls::{ClientIdentity, TrustRoots, client_config, http_client_builder};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;

pub struct Env {
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub signer: Signer,
}

pub async fn start() -> Env {
    start_with(|c| c).await
}

pub async fn start_with(f: impl FnOnce(SandboxConfig) -> SandboxConfig) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(f(SandboxConfig::new(dir.path())))
        .await
        .unwrap();
    let http = http_client(&sandbox.credentials, None);
    let signer = signer(&sandbox.credentials);
    Env {
        sandbox,
        dir,
        http,
        signer,
    }
}

pub fn signer(creds: &Credentials) -> Signer {
    let key = PrivateKey::from_file(
        &creds.signing_p12,
        &Pkcs12Options {
            alias: Some(mastercard_sandbox::pki::PKCS12_ALIAS.into()),
            password: Some(mastercard_sandbox::pki::PKCS12_PASSWORD.into()),
        },
    )
    .unwrap();
    Signer::new(creds.consumer_key.clone(), key).unwrap()
}

pub fn ca_roots(ca_pem: &Path) -> TrustRoots {
    TrustRoots::from_pem(&std::fs::read(ca_pem).unwrap()).unwrap()
}

pub fn identity(cert_pem: &Path, key_pem: &Path) -> ClientIdentity {
    let cert = mastercard_keys::Certificate::from_file(cert_pem).unwrap();
    let key = PrivateKey::from_pem(&std::fs::read(key_pem).unwrap()).unwrap();
    ClientIdentity {
        chain: vec![CertificateDer::from(cert.to_der().unwrap())],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_pkcs8_der().unwrap())),
    }
}

pub fn http_client(creds: &Credentials, id: Option<ClientIdentity>) -> reqwest::Client {
    let config = client_config(&ca_roots(&creds.ca_cert), id).unwrap();
    http_client_builder(config).build().unwrap()
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.mastercom_url)
    }

    /// Signs and sends; `path` is below `/mastercom` (e.g. `/v6/healthcheck`).
    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let bytes = body
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default();
        self.send_raw(method, &self.url(path), bytes, |auth| auth)
            .await
    }

    /// Signs `url` + `body`, lets `tamper` change the header, sends.
    pub async fn send_raw(
        &self,
        method: &str,
        url: &str,
        body: Vec<u8>,
        tamper: impl FnOnce(String) -> String,
    ) -> Reply {
        let auth = self
            .signer
            .sign(&Request::new(method, url, &body))
            .unwrap()
            .authorization;
        self.send_signed(method, url, body, &tamper(auth)).await
    }

    pub async fn send_signed(&self, method: &str, url: &str, body: Vec<u8>, auth: &str) -> Reply {
        let response = self
            .http
            .request(method.parse().unwrap(), url)
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body }
    }
}
