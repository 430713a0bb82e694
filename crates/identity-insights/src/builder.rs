//! [`IdentityInsightsClientBuilder`]: configuration as data (endpoint, identity, keys, trust,
//! proxy, timeouts, middleware), checked and assembled into an [`IdentityInsightsClient`] once.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::{Certificate, Pkcs12Options, PrivateKey, PublicKey, ValidityPolicy};
use mastercard_oauth1::{SignatureMethod, SignatureProvider, Signer};
use mastercard_transport::tls::{ClientIdentity, TrustRoots};
use mastercard_transport::{
    ClientCore, ConnectionReuse, HttpConfig, HttpConfigError, Middleware, OAuth1Signing,
    ProxySetting, ResponseLimits, Timeouts, Transport,
};

use crate::client::IdentityInsightsClient;
use crate::encryption::JweMiddleware;
use crate::endpoint::{Endpoint, Environment, Region};
use crate::error::BuildError;

/// Default time allowed to establish a connection, TLS handshake included.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole call, from sending to the last response byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed between two reads from the connection: a stalled answer fails this soon
/// even when the whole-call timeout is long.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// Default cap of a success response: insights are a few kilobytes.
pub const DEFAULT_RESPONSE_LIMIT: usize = 1 << 20;

impl IdentityInsightsClient {
    /// A builder with Mastercard's US sandbox as the endpoint and the platform's trust roots.
    pub fn builder() -> IdentityInsightsClientBuilder {
        IdentityInsightsClientBuilder::default()
    }
}

/// A secret (a PEM private key, a password): kept for `build`, never printed.
#[derive(Clone)]
struct Secret<T>(T);

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Public PEM bytes (certificates): `Debug` shows only their size, not a wall of numbers.
#[derive(Clone)]
struct Pem(Vec<u8>);

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<PEM, {} bytes>", self.0.len())
    }
}

/// Where the mTLS client certificate and key come from.
#[derive(Clone, Debug)]
enum IdentitySource {
    Pem {
        chain: Pem,
        key: Secret<Vec<u8>>,
    },
    PemFiles {
        chain: PathBuf,
        key: PathBuf,
    },
    Pkcs12 {
        path: PathBuf,
        alias: Option<String>,
        password: Secret<String>,
    },
}

/// Where the encryption (Mastercard's public) key comes from.
#[derive(Clone)]
enum EncryptionSource {
    Certificate(Certificate),
    CertificateFile(PathBuf),
    PublicKey { key: PublicKey, kid: String },
}

impl fmt::Debug for EncryptionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Certificate(certificate) => write!(f, "Certificate({})", certificate.subject()),
            Self::CertificateFile(path) => write!(f, "CertificateFile({path:?})"),
            Self::PublicKey { kid, .. } => write!(f, "PublicKey(kid {kid})"),
        }
    }
}

/// Where the client's decryption key comes from.
#[derive(Clone, Debug)]
enum DecryptionSource {
    Key(PrivateKey),
    Pem(Secret<Vec<u8>>),
    File {
        path: PathBuf,
        options: Pkcs12Options,
    },
}

/// OAuth1 credentials, for deployments that sign IIT requests as well as using mTLS: the
/// consumer key and a local key or a signature provider (each set at most once; both is a
/// build error, not a silent choice).
#[derive(Clone, Default)]
struct OAuth1Settings {
    key: Option<(String, PrivateKey)>,
    provider: Option<(String, Arc<dyn SignatureProvider>)>,
    method: Option<SignatureMethod>,
}

impl fmt::Debug for OAuth1Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Settings")
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field(
                "provider",
                &self
                    .provider
                    .as_ref()
                    .map(|(_, provider)| provider.key_id()),
            )
            .field("method", &self.method)
            .finish()
    }
}

impl OAuth1Settings {
    /// The signer these settings ask for: `None` when OAuth1 signing is off.
    fn signer(self) -> Result<Option<Signer>, BuildError> {
        let (consumer_key, provider): (String, Arc<dyn SignatureProvider>) = match (
            self.key,
            self.provider,
        ) {
            (Some(_), Some(_)) => return Err(BuildError::ConflictingOAuth1Keys),
            (Some((consumer_key, key)), None) => (consumer_key, Arc::new(key)),
            (None, Some(provider)) => provider,
            (None, None) if self.method.is_some() => {
                return Err(BuildError::Missing(
                    "the OAuth1 key or signature provider that oauth1_signature_method applies to \
                         (oauth1_signing or oauth1_signature_provider)",
                ));
            }
            (None, None) => return Ok(None),
        };
        let method = self.method.unwrap_or_default();
        // Checked now so an unsupported choice fails here rather than on every call.
        if !provider.supports(method) {
            return Err(BuildError::UnsupportedSignatureMethod {
                method,
                key_id: provider.key_id(),
            });
        }
        let signer = Signer::with_provider(consumer_key, provider)
            .map_err(|error| BuildError::Signer(error.to_string()))?
            .with_signature_method(method);
        Ok(Some(signer))
    }
}

/// Builds an [`IdentityInsightsClient`]. Files are read and checked in
/// [`build`](Self::build), which fails with a [`BuildError`] before anything is sent.
#[derive(Clone, Default)]
pub struct IdentityInsightsClientBuilder {
    endpoint: Endpoint,
    identity: Option<IdentitySource>,
    encryption: Option<EncryptionSource>,
    decryption: Option<DecryptionSource>,
    oauth1: OAuth1Settings,
    http: HttpSettings,
    middlewares: Vec<Arc<dyn Middleware>>,
}

/// [`HttpConfig`] with this API's defaults.
#[derive(Debug, Clone)]
struct HttpSettings(HttpConfig);

impl Default for HttpSettings {
    fn default() -> Self {
        Self(HttpConfig {
            timeouts: Timeouts {
                connect: DEFAULT_CONNECT_TIMEOUT,
                read: DEFAULT_READ_TIMEOUT,
                total: DEFAULT_TIMEOUT,
                per_mib_of_body: Duration::ZERO,
                per_operation: Default::default(),
            },
            limits: ResponseLimits {
                success: DEFAULT_RESPONSE_LIMIT,
                ..ResponseLimits::default()
            },
            ..HttpConfig::new(concat!(
                "identity-insights-rust/",
                env!("CARGO_PKG_VERSION")
            ))
        })
    }
}

impl fmt::Debug for IdentityInsightsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityInsightsClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("identity", &self.identity)
            .field("encryption", &self.encryption)
            .field("decryption", &self.decryption)
            .field("oauth1", &self.oauth1)
            .field("http", &self.http)
            .field(
                "middlewares",
                &self
                    .middlewares
                    .iter()
                    .map(|middleware| middleware.name())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl IdentityInsightsClientBuilder {
    /// Mastercard's hosts in this region (default [`Region::Us`]); replaces a custom base URL.
    pub fn region(mut self, region: Region) -> Self {
        let environment = match self.endpoint {
            Endpoint::Hosted(_, environment) => environment,
            Endpoint::Custom(_) => Environment::default(),
        };
        self.endpoint = Endpoint::Hosted(region, environment);
        self
    }

    /// Mastercard's sandbox or production (default [`Environment::Sandbox`]); replaces a custom
    /// base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        let region = match self.endpoint {
            Endpoint::Hosted(region, _) => region,
            Endpoint::Custom(_) => Region::default(),
        };
        self.endpoint = Endpoint::Hosted(region, environment);
        self
    }

    /// A custom base URL including the `/identity` prefix. `http://` is accepted only for
    /// loopback addresses (tests, a local sandbox).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Endpoint::Custom(url.into());
        self
    }

    /// The mTLS client identity from PEM: the certificate chain (leaf first) and its private key.
    /// Required for Mastercard's hosts; optional with a custom [`base_url`](Self::base_url).
    pub fn client_identity_pem(
        mut self,
        chain: impl Into<Vec<u8>>,
        key: impl Into<Vec<u8>>,
    ) -> Self {
        self.identity = Some(IdentitySource::Pem {
            chain: Pem(chain.into()),
            key: Secret(key.into()),
        });
        self
    }

    /// The mTLS client identity from PEM files: a certificate chain and a private key.
    pub fn client_identity_pem_files(
        mut self,
        chain: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Self {
        self.identity = Some(IdentitySource::PemFiles {
            chain: chain.into(),
            key: key.into(),
        });
        self
    }

    /// The mTLS client identity from a PKCS#12 container (as Mastercard's KMP portal issues it).
    pub fn client_identity_pkcs12(
        mut self,
        path: impl Into<PathBuf>,
        alias: Option<&str>,
        password: impl Into<String>,
    ) -> Self {
        self.identity = Some(IdentitySource::Pkcs12 {
            path: path.into(),
            alias: alias.map(str::to_owned),
            password: Secret(password.into()),
        });
        self
    }

    /// Which CAs to trust for the server certificate (default: the platform's).
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.http.0.trust_roots = roots;
        self
    }

    /// Mastercard's encryption certificate; the JWE `kid` is its SPKI SHA-256 fingerprint.
    pub fn encryption_certificate(mut self, certificate: Certificate) -> Self {
        self.encryption = Some(EncryptionSource::Certificate(certificate));
        self
    }

    /// Mastercard's encryption certificate from a PEM or DER file.
    pub fn encryption_certificate_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.encryption = Some(EncryptionSource::CertificateFile(path.into()));
        self
    }

    /// Mastercard's encryption public key with an explicit `kid` (when no certificate is at hand).
    pub fn encryption_public_key(mut self, key: PublicKey, kid: impl Into<String>) -> Self {
        self.encryption = Some(EncryptionSource::PublicKey {
            key,
            kid: kid.into(),
        });
        self
    }

    /// The client's private key that decrypts responses.
    pub fn decryption_key(mut self, key: PrivateKey) -> Self {
        self.decryption = Some(DecryptionSource::Key(key));
        self
    }

    /// The client's decryption key from a PKCS#12 file with its alias and password. (The file's
    /// content decides how it is read: a PKCS#8 or PKCS#1 PEM/DER file works too.)
    pub fn decryption_key_pkcs12(
        mut self,
        path: impl Into<PathBuf>,
        alias: Option<&str>,
        password: impl Into<String>,
    ) -> Self {
        let password = password.into();
        self.decryption = Some(DecryptionSource::File {
            path: path.into(),
            options: Pkcs12Options {
                alias: alias.map(str::to_owned),
                password: (!password.is_empty()).then_some(password),
            },
        });
        self
    }

    /// The client's decryption key as PEM (PKCS#8 or PKCS#1).
    pub fn decryption_key_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.decryption = Some(DecryptionSource::Pem(Secret(pem.as_ref().to_vec())));
        self
    }

    /// Also sign every request with Mastercard's OAuth 1.0a, after encryption, so the signature
    /// and its body hash cover the encrypted body that is sent — the order of Mastercard's own
    /// interceptors. Identity Insights authenticates with mTLS; use this only if your Mastercard
    /// project requires OAuth1 too.
    pub fn oauth1_signing(mut self, consumer_key: impl Into<String>, key: PrivateKey) -> Self {
        self.oauth1.key = Some((consumer_key.into(), key));
        self
    }

    /// Like [`oauth1_signing`](Self::oauth1_signing), with the signatures coming from a
    /// [`SignatureProvider`] (an HSM, a cloud KMS) instead of a local key. Setting both is a
    /// [`BuildError::ConflictingOAuth1Keys`]. The provider is called once per attempt, before
    /// sending, and must return within a bounded time (see the trait's documentation); its
    /// failure makes the call fail as not sent.
    pub fn oauth1_signature_provider(
        mut self,
        consumer_key: impl Into<String>,
        provider: Arc<dyn SignatureProvider>,
    ) -> Self {
        self.oauth1.provider = Some((consumer_key.into(), provider));
        self
    }

    /// The OAuth1 `oauth_signature_method`: `RSA-SHA256` (default) or `RSA-PSS`. Needs
    /// [`oauth1_signing`](Self::oauth1_signing) or
    /// [`oauth1_signature_provider`](Self::oauth1_signature_provider), else the build fails.
    pub fn oauth1_signature_method(mut self, method: SignatureMethod) -> Self {
        self.oauth1.method = Some(method);
        self
    }

    /// Time allowed to connect, TLS handshake included (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.0.timeouts.connect = timeout;
        self
    }

    /// Time allowed between two reads from the connection (default [`DEFAULT_READ_TIMEOUT`]).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.http.0.timeouts.read = timeout;
        self
    }

    /// Time allowed for a whole call (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http.0.timeouts.total = timeout;
        self
    }

    /// All timeouts at once.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.http.0.timeouts = timeouts;
        self
    }

    /// The `User-Agent` header (default `identity-insights-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http.0.user_agent = user_agent.into();
        self
    }

    /// The proxy (default: `HTTPS_PROXY`/`NO_PROXY` from the environment). Mutual TLS runs
    /// end to end through the proxy's CONNECT tunnel.
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.http.0.proxy = proxy;
        self
    }

    /// Caps on response bodies (default: 1 MiB for a success, 64 KiB for an error).
    pub fn response_limits(mut self, limits: ResponseLimits) -> Self {
        self.http.0.limits = limits;
        self
    }

    /// Adds a middleware of your own (logging, metrics, per-call headers). It runs after
    /// encryption and signing on the request side (it sees what is sent), and first on the
    /// response side (it sees what arrived, before decryption).
    pub fn with_middleware(mut self, middleware: impl Middleware) -> Self {
        self.middlewares.push(Arc::new(middleware));
        self
    }

    /// Reads every file, checks the client certificate (matches its key, valid now), the keys and
    /// the base URL, and builds the client with one connection pool.
    pub fn build(self) -> Result<IdentityInsightsClient, BuildError> {
        let base_url = self.endpoint.resolve()?;
        // Mastercard's hosts refuse connections without a client certificate; a custom endpoint
        // (a local sandbox, a proxy that terminates mTLS) may not need one.
        let identity = match (self.identity, &self.endpoint) {
            (Some(source), _) => Some(load_identity(source)?),
            (None, Endpoint::Custom(_)) => None,
            (None, Endpoint::Hosted(..)) => {
                return Err(BuildError::Missing(
                    "the mTLS client identity (PEM or PKCS#12)",
                ));
            }
        };
        let encryption = match self.encryption.ok_or(BuildError::Missing(
            "the encryption certificate (Mastercard's public key)",
        ))? {
            EncryptionSource::Certificate(certificate) => {
                EncryptionKey::from_certificate(&certificate, ValidityPolicy::enforce_now())?
            }
            EncryptionSource::CertificateFile(path) => EncryptionKey::from_certificate(
                &Certificate::from_file(path)?,
                ValidityPolicy::enforce_now(),
            )?,
            EncryptionSource::PublicKey { key, kid } => {
                EncryptionKey::from_public_key(key.pkey())?.with_kid(kid)
            }
        };
        let decryption = match self
            .decryption
            .ok_or(BuildError::Missing("the client's decryption key"))?
        {
            DecryptionSource::Key(key) => key,
            DecryptionSource::Pem(pem) => PrivateKey::from_pem(&pem.0)?,
            DecryptionSource::File { path, options } => PrivateKey::from_file(path, &options)?,
        };
        let kid = encryption.kid().to_owned();
        let config = EncryptionConfig::builder()
            .encryption_key(encryption)
            .decryption_key(DecryptionKey::from_private_key(&decryption)?)
            .build()?;

        let reuse = ConnectionReuse::new();
        let http = self.http.0.build_client(identity, &reuse)?;
        // Encrypt first, then sign the ciphertext: the signer sees the final bytes. The user's
        // middleware comes last: it sees exactly what is sent.
        let timeouts = self.http.0.timeouts.clone();
        let mut transport = Transport::new()
            .with_operations(crate::OPERATIONS)
            .with_limits(self.http.0.limits)
            .with_connection_reuse(reuse)
            .with_deadline(move |operation, body_len| timeouts.for_call(operation, body_len))
            .with(JweMiddleware::new(config));
        if let Some(signer) = self.oauth1.signer()? {
            transport = transport.with(OAuth1Signing::new(signer));
        }
        for middleware in self.middlewares {
            transport = transport.with_shared(middleware);
        }
        Ok(IdentityInsightsClient::from_parts(
            ClientCore::new(base_url, http, transport),
            kid,
        ))
    }
}

fn load_identity(source: IdentitySource) -> Result<ClientIdentity, BuildError> {
    let identity = match source {
        IdentitySource::Pem { chain, key } => {
            ClientIdentity::from_pem(&chain.0, &key.0).map_err(HttpConfigError::Tls)?
        }
        IdentitySource::PemFiles { chain, key } => {
            ClientIdentity::from_pem(&read(&chain)?, &read(&key)?).map_err(HttpConfigError::Tls)?
        }
        IdentitySource::Pkcs12 {
            path,
            alias,
            password,
        } => ClientIdentity::from_pkcs12_file(path, alias.as_deref(), &password.0)
            .map_err(HttpConfigError::Tls)?,
    };
    Ok(identity)
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| {
        BuildError::Key(mastercard_keys::KeyError::Unreadable {
            path: path.to_owned(),
            source,
        })
    })
}
