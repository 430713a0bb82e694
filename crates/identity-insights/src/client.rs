//! [`IdentityInsightsClient`]: the generated client behind mTLS, JWE and typed errors, and its
//! builder.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use mastercard_jwe::{DecryptionKey, EncryptionConfig, EncryptionKey};
use mastercard_keys::{Certificate, Pkcs12Options, PrivateKey, PublicKey, ValidityPolicy};
use mastercard_oauth1::Signer;
use mastercard_transport::tls::{self, ClientIdentity, TrustRoots};
use mastercard_transport::{OAuth1Signing, Transport};
use progenitor_client::ClientInfo as _;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::encryption::JweMiddleware;
use crate::endpoint::{Endpoint, Environment, Region};
use crate::error::{ApiError, BuildError, Error};
use crate::{Client, call, types};

/// Default time allowed to establish a connection, TLS handshake included.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole call, from sending to the last response byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time allowed between two reads from the connection: a stalled answer fails this soon
/// even when the whole-call timeout is long.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an idle connection is kept for reuse. Mastercard asks mTLS clients to keep
/// connections alive rather than pay a handshake per request.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// A typed Identity Insights client: mutual TLS, JWE payload encryption, typed errors.
///
/// Build it once and share it (it is cheap to clone): every clone uses the same connection pool.
///
/// ```no_run
/// # async fn run(body: identity_insights::types::TransactionInsightsData)
/// # -> Result<(), Box<dyn std::error::Error>> {
/// use identity_insights::{Environment, IdentityInsightsClient, Region};
/// let client = IdentityInsightsClient::builder()
///     .region(Region::Eu)
///     .environment(Environment::Sandbox)
///     .client_identity_pkcs12("client.p12", Some("keyalias"), "keystorepassword")
///     .encryption_certificate_file("mastercard-encryption.pem")
///     .decryption_key_file("client-decryption.p12", Some("keyalias"), Some("keystorepassword"))
///     .build()?;
/// let insights = client.retrieve_transaction_insights(&body).await?;
/// println!("{} (correlation id {:?})", insights.value.id, insights.correlation_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IdentityInsightsClient {
    api: Client,
    kid: String,
}

impl fmt::Debug for IdentityInsightsClient {
    // The generated client and reqwest's are not printed: only what identifies the setup.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityInsightsClient")
            .field("base_url", &self.api.baseurl())
            .field("encryption_kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A successful response: the decrypted, typed body and what identifies it at Mastercard.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// The typed body.
    pub value: T,
    /// The HTTP status.
    pub status: StatusCode,
    /// The `X-MC-Correlation-ID` of the response.
    pub correlation_id: Option<String>,
}

impl IdentityInsightsClient {
    /// A builder with Mastercard's US sandbox as the endpoint and the platform's trust roots.
    pub fn builder() -> IdentityInsightsClientBuilder {
        IdentityInsightsClientBuilder::default()
    }

    /// The generated client, for callers that want progenitor's own types. Requests through it
    /// are encrypted and decrypted too, but failures are `progenitor_client::Error`s whose
    /// decryption failures are only text.
    pub fn api(&self) -> &Client {
        &self.api
    }

    /// The base URL requests go to (with the `/identity` prefix).
    pub fn base_url(&self) -> &str {
        self.api.baseurl()
    }

    /// `retrieveTransactionInsights` (`POST /transactions`): device, individual and payment
    /// insights for one transaction.
    pub async fn retrieve_transaction_insights(
        &self,
        body: &types::TransactionInsightsData,
    ) -> Result<Response<types::TransactionInsights>, Error> {
        let started = Instant::now();
        let (result, record) = call::scope(self.api.retrieve_transaction_insights(body)).await;
        let outcome = match result {
            Ok(response) => Ok(Response {
                status: response.status(),
                correlation_id: correlation_id(response.headers()),
                value: response.into_inner(),
            }),
            Err(error) => Err(map_error(error, record).await),
        };
        trace_outcome(&outcome, started);
        outcome
    }
}

/// One event per call with its outcome; the span with operation, path template and status is
/// the transport's.
fn trace_outcome<T>(outcome: &Result<Response<T>, Error>, started: Instant) {
    let duration_ms = started.elapsed().as_millis();
    match outcome {
        Ok(response) => tracing::info!(
            operation = "retrieve_transaction_insights",
            status = response.status.as_u16(),
            correlation_id = response.correlation_id.as_deref(),
            duration_ms,
            "identity insights call succeeded"
        ),
        Err(error) => tracing::warn!(
            operation = "retrieve_transaction_insights",
            status = error.status().map(|status| status.as_u16()),
            correlation_id = error.correlation_id(),
            may_have_been_sent = error.request_may_have_been_sent(),
            duration_ms,
            error = %error,
            "identity insights call failed"
        ),
    }
}

fn correlation_id(headers: &HeaderMap) -> Option<String> {
    mastercard_transport::correlation_id(headers).map(str::to_owned)
}

/// A serde failure without its message: serde's text can quote the offending value.
fn parse_failure(error: &serde_json::Error) -> String {
    format!(
        "body is not the documented JSON ({:?} error at line {}, column {})",
        error.classify(),
        error.line(),
        error.column()
    )
}

fn api_error(
    status: StatusCode,
    body: types::ErrorResponse,
    correlation_id: Option<String>,
) -> Error {
    Error::Api {
        status,
        errors: body.errors.error.into_iter().map(ApiError::from).collect(),
        correlation_id,
    }
}

async fn map_error(
    error: progenitor_client::Error<types::ErrorResponse>,
    record: call::Record,
) -> Error {
    use progenitor_client::Error as Generated;
    // The JWE middleware sees every response, so a status is recorded whenever one arrived; the
    // fallback only serves variants that already carry their own.
    let status = record.status.unwrap_or(StatusCode::OK);
    match error {
        Generated::ErrorResponse(response) => {
            let status = response.status();
            let correlation_id = correlation_id(response.headers());
            api_error(status, response.into_inner(), correlation_id)
        }
        Generated::UnexpectedResponse(response) => {
            // An undocumented status (5xx, 403, …): Mastercard's error body when there is one.
            let status = response.status();
            let correlation_id = correlation_id(response.headers());
            match response.bytes().await {
                Ok(body) => match serde_json::from_slice::<types::ErrorResponse>(&body) {
                    Ok(errors) => api_error(status, errors, correlation_id),
                    Err(parse) => Error::InvalidResponse {
                        status,
                        reason: format!("undocumented status; {}", parse_failure(&parse)),
                        correlation_id,
                    },
                },
                Err(read) => Error::transport(&read),
            }
        }
        Generated::InvalidResponsePayload(_, parse) => Error::InvalidResponse {
            status,
            reason: parse_failure(&parse),
            correlation_id: record.correlation_id,
        },
        Generated::Custom(message) => {
            if let Some(source) = record.decryption {
                Error::Decryption {
                    status,
                    source,
                    correlation_id: record.correlation_id,
                }
            } else if let Some(source) = record.encryption {
                Error::Encryption(source)
            } else if record.status.is_some() {
                Error::InvalidResponse {
                    status,
                    reason: message,
                    correlation_id: record.correlation_id,
                }
            } else {
                Error::InvalidRequest(message)
            }
        }
        Generated::InvalidRequest(message) => Error::InvalidRequest(message),
        Generated::CommunicationError(error)
        | Generated::InvalidUpgrade(error)
        | Generated::ResponseBodyError(error) => Error::transport(&error),
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
    File {
        path: PathBuf,
        options: Pkcs12Options,
    },
}

/// OAuth1 credentials, for deployments that sign IIT requests as well as using mTLS.
#[derive(Clone)]
struct OAuth1Credentials {
    consumer_key: String,
    key: PrivateKey,
}

impl fmt::Debug for OAuth1Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OAuth1Credentials(<redacted>)")
    }
}

/// Builds an [`IdentityInsightsClient`]. Files are read and checked in
/// [`build`](Self::build), which fails with a [`BuildError`] before anything is sent.
#[derive(Clone, Debug, Default)]
pub struct IdentityInsightsClientBuilder {
    endpoint: Endpoint,
    identity: Option<IdentitySource>,
    trust_ca_pem: Option<Pem>,
    encryption: Option<EncryptionSource>,
    decryption: Option<DecryptionSource>,
    oauth1: Option<OAuth1Credentials>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
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
        password: &str,
    ) -> Self {
        self.identity = Some(IdentitySource::Pkcs12 {
            path: path.into(),
            alias: alias.map(str::to_owned),
            password: Secret(password.to_owned()),
        });
        self
    }

    /// Trust only this CA (PEM, one or more certificates) for the server's certificate, instead
    /// of the platform's trust store: for tests and private sandboxes.
    pub fn trust_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.trust_ca_pem = Some(Pem(pem.into()));
        self
    }

    /// Verify the server against the platform's trust store (the default).
    pub fn trust_platform_roots(mut self) -> Self {
        self.trust_ca_pem = None;
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

    /// The client's decryption key from a file: PKCS#12 (with alias and password), or PKCS#8 /
    /// PKCS#1 PEM or DER (password only if encrypted).
    pub fn decryption_key_file(
        mut self,
        path: impl Into<PathBuf>,
        alias: Option<&str>,
        password: Option<&str>,
    ) -> Self {
        self.decryption = Some(DecryptionSource::File {
            path: path.into(),
            options: Pkcs12Options {
                alias: alias.map(str::to_owned),
                password: password.map(str::to_owned),
            },
        });
        self
    }

    /// Also sign every request with Mastercard's OAuth 1.0a, after encryption, so the signature
    /// and its body hash cover the encrypted body that is sent — the order of Mastercard's own
    /// interceptors. Identity Insights authenticates with mTLS; use this only if your Mastercard
    /// project requires OAuth1 too.
    pub fn oauth1_signing(mut self, consumer_key: impl Into<String>, key: PrivateKey) -> Self {
        self.oauth1 = Some(OAuth1Credentials {
            consumer_key: consumer_key.into(),
            key,
        });
        self
    }

    /// Time allowed to connect, TLS handshake included (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed between two reads from the connection (default [`DEFAULT_READ_TIMEOUT`]).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Time allowed for a whole call (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `identity-insights-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
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
        let roots = match &self.trust_ca_pem {
            None => TrustRoots::Platform,
            Some(pem) => TrustRoots::from_pem(&pem.0)?,
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
            DecryptionSource::File { path, options } => PrivateKey::from_file(path, &options)?,
        };
        let kid = encryption.kid().to_owned();
        let config = EncryptionConfig::builder()
            .encryption_key(encryption)
            .decryption_key(DecryptionKey::from_private_key(&decryption)?)
            .build()?;

        let tls = tls::client_config(&roots, identity)?;
        let http =
            tls::http_client_builder(tls)
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .read_timeout(self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
                .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .pool_idle_timeout(IDLE_TIMEOUT)
                .tcp_keepalive(IDLE_TIMEOUT)
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    format!("identity-insights-rust/{}", env!("CARGO_PKG_VERSION"))
                }))
                .build()
                .map_err(|error| BuildError::HttpClient(error.to_string()))?;
        // The operation table gives the transport's tracing span its path template.
        // Encrypt first, then sign the ciphertext: the signer sees the final bytes.
        let mut transport = Transport::new()
            .with_operations(crate::OPERATIONS)
            .with(JweMiddleware::new(config));
        if let Some(OAuth1Credentials { consumer_key, key }) = self.oauth1 {
            let signer = Signer::new(consumer_key, key)
                .map_err(|error| BuildError::Signer(error.to_string()))?;
            transport = transport.with(OAuth1Signing::new(signer));
        }
        Ok(IdentityInsightsClient {
            api: Client::new_with_client(&base_url, http, transport),
            kid,
        })
    }
}

fn load_identity(source: IdentitySource) -> Result<ClientIdentity, BuildError> {
    let identity = match source {
        IdentitySource::Pem { chain, key } => ClientIdentity::from_pem(&chain.0, &key.0)?,
        IdentitySource::PemFiles { chain, key } => {
            ClientIdentity::from_pem(&read(&chain)?, &read(&key)?)?
        }
        IdentitySource::Pkcs12 {
            path,
            alias,
            password,
        } => ClientIdentity::from_pkcs12_file(path, alias.as_deref(), &password.0)?,
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
