//! TLS for every HTTP client in the workspace: rustls with OpenSSL as its crypto provider.
//!
//! Server certificates are always verified — against the platform's trust store, or against an
//! explicit set of roots (a private CA such as the embedded sandbox's). There is no switch to turn
//! verification off.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::PrivatePkcs8KeyDer;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_platform_verifier::BuilderVerifierExt;

use mastercard_keys::openssl::asn1::Asn1Time;
use mastercard_keys::{Certificate, KeyError, Pkcs12Identity, Pkcs12Options, PrivateKey};

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

impl TrustRoots {
    /// Only the CA certificates in `pem` (one or more), e.g. the embedded sandbox's `ca.pem`.
    pub fn from_pem(pem: &[u8]) -> Result<Self, TlsError> {
        let roots = Certificate::chain_from_pem(pem)?
            .iter()
            .map(|certificate| certificate.to_der().map(CertificateDer::from))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Only(roots))
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

impl ClientIdentity {
    /// A client identity from a PEM certificate chain (leaf first) and a PEM private key, checked
    /// as [`ClientIdentity::from_parts`] does.
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, TlsError> {
        let chain = Certificate::chain_from_pem(chain_pem)?;
        let key = PrivateKey::from_pem(key_pem)?;
        Self::from_parts(&chain, &key)
    }

    /// A client identity from a PKCS#12 container (as issued by Mastercard's KMP portal): its
    /// key, its certificate and any further certificates as the chain.
    pub fn from_pkcs12_file(
        path: impl AsRef<std::path::Path>,
        alias: Option<&str>,
        password: &str,
    ) -> Result<Self, TlsError> {
        let options = Pkcs12Options {
            alias: alias.map(str::to_owned),
            password: Some(password.to_owned()),
        };
        let container = Pkcs12Identity::from_file(path, &options)?;
        let leaf = container.cert.ok_or(KeyError::NoCertificate {
            what: "the PKCS#12 container",
        })?;
        let mut chain = vec![leaf];
        chain.extend(container.chain);
        Self::from_parts(&chain, &container.key)
    }

    /// A client identity from loaded parts. Checks now, rather than at the first handshake, that
    /// the leaf certificate carries the key's public half and is valid at this moment: a server
    /// would otherwise reject the handshake with an alert that names neither cause.
    pub fn from_parts(chain: &[Certificate], key: &PrivateKey) -> Result<Self, TlsError> {
        let leaf = chain.first().ok_or(KeyError::NoCertificate {
            what: "the client certificate chain",
        })?;
        check_validity(leaf)?;
        let leaf_key = leaf.public_key()?;
        if !leaf_key.pkey().public_eq(key.pkey()) {
            return Err(TlsError::CertificateKeyMismatch {
                subject: leaf.subject(),
            });
        }
        let chain = chain
            .iter()
            .map(|certificate| certificate.to_der().map(CertificateDer::from))
            .collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.to_pkcs8_der()?));
        Ok(Self { chain, key })
    }
}

/// Refuses a certificate outside its validity period.
fn check_validity(certificate: &Certificate) -> Result<(), TlsError> {
    let openssl = |stack| TlsError::Config(mastercard_keys::describe_openssl_error(&stack));
    let now = Asn1Time::days_from_now(0).map_err(openssl)?;
    if certificate
        .not_after()
        .compare(&now)
        .map_err(openssl)?
        .is_lt()
    {
        return Err(TlsError::CertificateExpired {
            subject: certificate.subject(),
            not_after: certificate.not_after().to_string(),
        });
    }
    if certificate
        .not_before()
        .compare(&now)
        .map_err(openssl)?
        .is_gt()
    {
        return Err(TlsError::CertificateNotYetValid {
            subject: certificate.subject(),
            not_before: certificate.not_before().to_string(),
        });
    }
    Ok(())
}

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A trust root is not a usable CA certificate.
    #[error("a trusted CA certificate is invalid: {0}")]
    InvalidRoot(String),
    /// rustls refused the configuration (for example a client key that does not match its certificate).
    #[error("TLS configuration rejected: {0}")]
    Config(String),
    /// A client key or certificate could not be read (file, format, password, alias).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The client certificate's validity ended.
    #[error(
        "the client certificate {subject} expired at {not_after}; renew it on Mastercard's key \
         management portal"
    )]
    CertificateExpired {
        /// The certificate's subject.
        subject: String,
        /// The end of its validity, as OpenSSL prints it.
        not_after: String,
    },
    /// The client certificate's validity has not started.
    #[error("the client certificate {subject} is not valid before {not_before}")]
    CertificateNotYetValid {
        /// The certificate's subject.
        subject: String,
        /// The start of its validity, as OpenSSL prints it.
        not_before: String,
    },
    /// The client certificate carries a different public key than the private key given with it.
    #[error("the client certificate {subject} does not belong to the given private key")]
    CertificateKeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
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

/// A `reqwest` client builder that uses `config` for every HTTPS connection and follows no
/// redirect: Mastercard's APIs do not redirect, and following one would re-send a signed body to
/// whatever host the `Location` names (possibly over plain http).
pub fn http_client_builder(config: ClientConfig) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .redirect(reqwest::redirect::Policy::none())
}
