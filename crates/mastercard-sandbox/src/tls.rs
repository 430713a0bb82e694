//! rustls server configurations on the OpenSSL provider: one without client authentication
//! (Mastercom, where OAuth1 authenticates), one that requires a client certificate (IIT).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::{Credentials, SandboxError};

/// Whether the listener asks for a client certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// Asked for; when one is sent it must chain to the roots (Mastercom: OAuth1 authenticates).
    Optional,
    /// Required during the handshake (Identity Insights).
    Required,
}

/// The server configuration; client certificates, when asked for, must chain to `client_roots`.
pub fn server_config(
    creds: &Credentials,
    client_roots: Vec<PathBuf>,
    auth: ClientAuth,
) -> Result<Arc<ServerConfig>, SandboxError> {
    let provider = Arc::new(rustls_openssl::default_provider());
    let cert = read_certs(&creds.server_cert)?;
    let ca = read_certs(&creds.ca_cert)?;
    let chain: Vec<CertificateDer<'static>> = cert.into_iter().chain(ca).collect();
    let key_pem =
        std::fs::read(&creds.server_key).map_err(|e| SandboxError::io(&creds.server_key, e))?;
    let key = mastercard_keys::PrivateKey::from_pem(&key_pem)
        .and_then(|key| key.to_pkcs8_der())
        .map_err(|e| SandboxError::in_file(&creds.server_key, e))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?;
    let mut store = rustls::RootCertStore::empty();
    for path in client_roots {
        for der in read_certs(&path)? {
            store
                .add(der)
                .map_err(|e| SandboxError::in_file(&path, tls_error(e)))?;
        }
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider);
    let verifier = match auth {
        ClientAuth::Optional => verifier.allow_unauthenticated(),
        ClientAuth::Required => verifier,
    }
    .build()
    .map_err(tls_error)?;
    let builder = builder.with_client_cert_verifier(verifier);
    // A key that does not match the certificate is the usual cause here.
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| SandboxError::in_file(&creds.server_cert, tls_error(e)))?;
    // HTTP/1.1 only: the connection-level faults (reset, truncation) are per connection there.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, SandboxError> {
    let pem = std::fs::read(path).map_err(|e| SandboxError::io(path, e))?;
    let certs = mastercard_keys::Certificate::chain_from_pem(&pem)
        .map_err(|e| SandboxError::in_file(path, e))?;
    certs
        .iter()
        .map(|c| {
            c.to_der()
                .map(CertificateDer::from)
                .map_err(|e| SandboxError::in_file(path, e))
        })
        .collect()
}

fn tls_error(error: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls(error.to_string())
}
