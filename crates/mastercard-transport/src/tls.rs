//! TLS for every HTTP client in the workspace: rustls with OpenSSL as its crypto provider.
//!
//! Server certificates are always verified — against the platform's trust store, or against an
//! explicit set of roots (a private CA such as the embedded sandbox's). There is no switch to turn
//! verification off.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_platform_verifier::BuilderVerifierExt;

/// Which certificate authorities a client trusts for the server's certificate.
#[derive(Clone, Default)]
pub enum TrustRoots {
    /// The operating system's trust store (Mastercard's public endpoints).
    #[default]
    Platform,
    /// Only these CA certificates (DER), e.g. a private CA in tests or the embedded sandbox.
    Only(Vec<CertificateDer<'static>>),
}

impl std::fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Platform => f.write_str("Platform"),
            Self::Only(roots) => write!(f, "Only({} certificates)", roots.len()),
        }
    }
}

/// A client certificate chain and its key, for mutual TLS.
pub struct ClientIdentity {
    /// Leaf first, then intermediates.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ClientIdentity {
    // The key never appears in Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A trust root is not a usable CA certificate.
    #[error("a trusted CA certificate is invalid: {0}")]
    InvalidRoot(String),
    /// rustls refused the configuration (for example a client key that does not match its certificate).
    #[error("TLS configuration rejected: {0}")]
    Config(String),
}

/// The crypto provider every TLS connection of the workspace uses.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls_openssl::default_provider())
}

/// Builds a rustls client configuration with verified server certificates and, optionally, a
/// client identity for mutual TLS. ALPN offers HTTP/2 and HTTP/1.1.
pub fn client_config(
    roots: &TrustRoots,
    identity: Option<ClientIdentity>,
) -> Result<ClientConfig, TlsError> {
    let provider = crypto_provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError::Config(error.to_string()))?;
    let builder = match roots {
        TrustRoots::Platform => builder
            .with_platform_verifier()
            .map_err(|error| TlsError::Config(error.to_string()))?,
        TrustRoots::Only(certificates) => {
            let mut store = rustls::RootCertStore::empty();
            for certificate in certificates {
                store
                    .add(certificate.clone())
                    .map_err(|error| TlsError::InvalidRoot(error.to_string()))?;
            }
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|error| TlsError::InvalidRoot(error.to_string()))?;
            builder.with_webpki_verifier(verifier)
        }
    };
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain, identity.key)
            .map_err(|error| TlsError::Config(error.to_string()))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A `reqwest` client builder that uses `config` for every HTTPS connection.
pub fn http_client_builder(config: ClientConfig) -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured(config)
}
