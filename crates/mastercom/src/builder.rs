//! [`MastercomClientBuilder`]: configuration as data (environment, consumer key, signing key or
//! provider, proxy, timeouts, retries, the dispute-event guard and its ledger, your middleware),
//! checked and assembled into a [`MastercomClient`] once.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use mastercard_keys::{KeyError, Pkcs12Identity, Pkcs12Options, PrivateKey};
use mastercard_oauth1::{SignatureMethod, SignatureProvider, Signer};
use mastercard_transport::tls::TrustRoots;
use mastercard_transport::{
    ClientCore, ConnectionReuse, HttpConfig, HttpConfigError, Middleware, OAuth1Signing,
    ProxySetting, ResponseLimits, Timeouts, Transport, check_base_url,
};

use crate::client::MastercomClient;
use crate::guard::{
    Clock, DisputeEventGuard, DisputeEventLedger, GuardSettings, LedgerChoice, LedgerError,
    Spacing, SystemClock, WhenClosed, Windows,
};
use crate::retry::RetryConfig;

/// Where the client sends requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Environment {
    /// `https://sandbox.api.mastercard.com/mastercom` (also MTF after onboarding).
    #[default]
    Sandbox,
    /// `https://api.mastercard.com/mastercom`.
    Production,
    /// Any base URL including the `/mastercom` prefix. `http://` only to loopback addresses.
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Self::Sandbox => "https://sandbox.api.mastercard.com/mastercom",
            Self::Production => "https://api.mastercard.com/mastercom",
            Self::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// `sandbox`, `production` (any case), or a URL.
    pub fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "sandbox" | "mtf" => Self::Sandbox,
            "production" | "prod" => Self::Production,
            _ => Self::Custom(text.trim().to_owned()),
        }
    }
}

/// The OAuth1 signing key.
#[derive(Clone)]
pub enum SigningKey {
    /// A PKCS#12 file as issued by Mastercard Developers (`.p12`), with its alias and password.
    Pkcs12 {
        /// The file.
        path: PathBuf,
        /// The key's `friendlyName`; `None` takes the container's key.
        alias: Option<String>,
        /// The container password.
        password: String,
    },
    /// A PEM private key (PKCS#8 or PKCS#1).
    Pem(Vec<u8>),
    /// A key loaded already.
    Loaded(PrivateKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pkcs12 { path, alias, .. } => f
                .debug_struct("Pkcs12")
                .field("path", path)
                .field("alias", alias)
                .field("password", &"<redacted>")
                .finish(),
            Self::Pem(_) => f.write_str("Pem(<redacted>)"),
            Self::Loaded(_) => f.write_str("Loaded(<redacted>)"),
        }
    }
}

/// Why a [`MastercomClient`] could not be built. Nothing has been sent when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No consumer key was given.
    #[error(
        "no consumer key: call .consumer_key(..) or set MASTERCARD_CONSUMER_KEY (from your Mastercard Developers project)"
    )]
    MissingConsumerKey,
    /// No signing key was given.
    #[error(
        "no signing key: call .signing_key_pkcs12(..)/.signing_key_pem(..)/.signature_provider(..) or set MASTERCARD_SIGNING_KEY_PATH"
    )]
    MissingSigningKey,
    /// Both a signing key and a signature provider were given; the client will not guess which
    /// one should sign.
    #[error(
        "both a signing key and a signature provider were given; keep one (a provider replaces the key, \
         so do not also set .signing_key_*(..) or MASTERCARD_SIGNING_KEY_PATH)"
    )]
    ConflictingSigningKeys,
    /// The signature provider cannot sign with the chosen signature method.
    #[error(
        "the signature provider ({key_id}) does not support {method}; choose another signature method"
    )]
    UnsupportedSignatureMethod {
        /// The method chosen.
        method: SignatureMethod,
        /// The provider's non-secret key name.
        key_id: String,
    },
    /// The signing key could not be loaded (missing file, wrong password, wrong alias, …).
    #[error("the signing key could not be loaded: {0}")]
    Key(#[from] KeyError),
    /// The PKCS#12 certificate of the signing key has expired.
    #[error(
        "the signing key's certificate expired ({not_after}); create a new key in your Mastercard Developers project"
    )]
    ExpiredKey {
        /// The certificate's `notAfter`.
        not_after: String,
    },
    /// The signer refused the key (e.g. not RSA).
    #[error("the signing key cannot sign OAuth1 requests: {0}")]
    Signer(String),
    /// The base URL is not usable.
    #[error(transparent)]
    InvalidBaseUrl(#[from] mastercard_transport::BaseUrlError),
    /// TLS, the proxy or the HTTP client could not be configured.
    #[error(transparent)]
    HttpClient(#[from] HttpConfigError),
    /// The dispute-event ledger could not be opened.
    #[error("{0}; fix the path or permissions, or choose another ledger")]
    Ledger(#[from] LedgerError),
    /// An environment variable is missing or invalid.
    #[error("environment variable {name}: {reason}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// What is wrong (never the value: it may be a password).
        reason: String,
    },
}

#[derive(Clone, Debug)]
enum GuardSetting {
    Enabled(LedgerChoice),
    Disabled,
}

/// Builds a [`MastercomClient`]; start with [`MastercomClient::builder`] or
/// [`MastercomClient::from_env`].
#[derive(Clone)]
pub struct MastercomClientBuilder {
    environment: Environment,
    consumer_key: Option<String>,
    signing_key: Option<SigningKey>,
    signature_provider: Option<Arc<dyn SignatureProvider>>,
    signature_method: SignatureMethod,
    http: HttpConfig,
    retry: RetryConfig,
    guard: GuardSetting,
    guard_settings: GuardSettings,
    clock: Arc<dyn Clock>,
    middlewares: Vec<Arc<dyn Middleware>>,
}

impl fmt::Debug for MastercomClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MastercomClientBuilder")
            .field("environment", &self.environment)
            .field(
                "consumer_key",
                &self.consumer_key.as_ref().map(|_| "<redacted>"),
            )
            .field("signing_key", &self.signing_key)
            .field(
                "signature_provider",
                &self
                    .signature_provider
                    .as_ref()
                    .map(|provider| provider.key_id()),
            )
            .field("signature_method", &self.signature_method)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl Default for MastercomClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::Sandbox,
            consumer_key: None,
            signing_key: None,
            signature_provider: None,
            signature_method: SignatureMethod::RsaSha256,
            http: HttpConfig {
                timeouts: crate::policy::default_timeouts(),
                ..HttpConfig::new(concat!("mastercom-rs/", env!("CARGO_PKG_VERSION")))
            },
            retry: RetryConfig::default(),
            guard: GuardSetting::Enabled(LedgerChoice::Default),
            guard_settings: GuardSettings::default(),
            clock: Arc::new(SystemClock),
            middlewares: Vec::new(),
        }
    }
}

impl MastercomClientBuilder {
    /// Sandbox, Production, or a custom base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Shorthand for `environment(Environment::Custom(url))`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// The consumer key of your Mastercard Developers project.
    pub fn consumer_key(mut self, consumer_key: impl Into<String>) -> Self {
        self.consumer_key = Some(consumer_key.into());
        self
    }

    /// The signing key from a PKCS#12 file (as downloaded from Mastercard Developers).
    pub fn signing_key_pkcs12(
        mut self,
        path: impl Into<PathBuf>,
        alias: Option<&str>,
        password: impl Into<String>,
    ) -> Self {
        self.signing_key = Some(SigningKey::Pkcs12 {
            path: path.into(),
            alias: alias.map(str::to_owned),
            password: password.into(),
        });
        self
    }

    /// The signing key as PEM (PKCS#8 or PKCS#1).
    pub fn signing_key_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.signing_key = Some(SigningKey::Pem(pem.into()));
        self
    }

    /// Any [`SigningKey`], e.g. a key loaded already.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Signs with a [`SignatureProvider`] (an HSM, a cloud KMS) instead of a local key: the
    /// provider replaces the signing key, so do not set both ([`BuildError::ConflictingSigningKeys`]).
    /// It is called once per attempt, before sending, and must return within a bounded time
    /// (see the trait's documentation); its failure makes the call fail as not sent.
    pub fn signature_provider(mut self, provider: Arc<dyn SignatureProvider>) -> Self {
        self.signature_provider = Some(provider);
        self
    }

    /// `RSA-SHA256` (default, what every Mastercard signer sends) or `RSA-PSS`
    /// (`oauth_signature_method`); also `MASTERCARD_SIGNATURE_METHOD` in
    /// [`MastercomClient::from_env`].
    pub fn signature_method(mut self, method: SignatureMethod) -> Self {
        self.signature_method = method;
        self
    }

    /// Connect, read and total timeouts, body-size scaling and per-operation overrides
    /// (default: [`crate::policy::default_timeouts`]).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.http.timeouts = timeouts;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http.user_agent = user_agent.into();
        self
    }

    /// The proxy (default: `HTTPS_PROXY`/`NO_PROXY` from the environment).
    pub fn proxy(mut self, proxy: ProxySetting) -> Self {
        self.http.proxy = proxy;
        self
    }

    /// Caps on response bodies (default: 32 MiB for a success, 64 KiB for an error).
    pub fn response_limits(mut self, limits: ResponseLimits) -> Self {
        self.http.limits = limits;
        self
    }

    /// Adds a middleware of your own (logging, metrics, per-call headers). It sees every call
    /// and attempt, after the built-in steps: signing, then the dispute-event guard, then yours
    /// on the request side; yours first on the response side.
    pub fn with_middleware(mut self, middleware: impl Middleware) -> Self {
        self.middlewares.push(Arc::new(middleware));
        self
    }

    /// Retry settings for the retryable operations (see `crate::retry`).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Keeps the dispute-event ledger in an SQLite file, shared by every process of this
    /// machine that uses the same path and kept across restarts. Without any ledger choice the
    /// client uses SQLite at [`crate::guard::default_ledger_path`].
    pub fn dispute_event_ledger_sqlite(mut self, path: impl Into<PathBuf>) -> Self {
        self.guard = GuardSetting::Enabled(LedgerChoice::Sqlite(path.into()));
        self
    }

    /// Keeps the dispute-event ledger in PostgreSQL, shared by workers on every machine that
    /// uses the same database (`postgres://user:password@host:port/db`). The table is created
    /// on first use.
    pub fn dispute_event_ledger_postgres(mut self, connection_string: impl Into<String>) -> Self {
        self.guard = GuardSetting::Enabled(LedgerChoice::Postgres(connection_string.into()));
        self
    }

    /// Keeps the dispute-event ledger in this process's memory. Logs a warning when built: a
    /// restart forgets the one-hour rule and other processes are not seen. For tests.
    pub fn dispute_event_ledger_memory(mut self) -> Self {
        self.guard = GuardSetting::Enabled(LedgerChoice::Memory);
        self
    }

    /// Uses your own ledger (e.g. another shared store).
    pub fn dispute_event_ledger(mut self, ledger: Arc<dyn DisputeEventLedger>) -> Self {
        self.guard = GuardSetting::Enabled(LedgerChoice::Custom(ledger));
        self
    }

    /// Which calls the guard keeps apart (default: the same dispute event;
    /// [`Spacing::AnyEventOnClaim`] spaces any two event-creating calls on one claim).
    pub fn dispute_event_spacing(mut self, spacing: Spacing) -> Self {
        self.guard_settings.spacing = spacing;
        self
    }

    /// Whether a call whose window is closed is refused at once (default, with `retry_after`)
    /// or waits for the window within its deadline.
    pub fn when_dispute_event_window_closed(mut self, when_closed: WhenClosed) -> Self {
        self.guard_settings.when_closed = when_closed;
        self
    }

    /// Turns the dispute-event guard off: identical dispute events are sent as often as you call.
    /// Only for callers that enforce Mastercom's duplicate rule themselves.
    pub fn disable_dispute_event_guard(mut self) -> Self {
        self.guard = GuardSetting::Disabled;
        self
    }

    /// The guard's windows (defaults: 60 s after a send, 1 h after an unknown outcome).
    pub fn dispute_event_windows(mut self, windows: Windows) -> Self {
        self.guard_settings.windows = windows;
        self
    }

    /// The guard's clock (tests use [`crate::guard::ManualClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Which CAs to trust for the server certificate (default: the platform's).
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.http.trust_roots = roots;
        self
    }

    /// Loads and checks the key, opens the ledger and builds the one HTTP client. Fails before
    /// any request is made.
    pub fn build(self) -> Result<MastercomClient, BuildError> {
        let base_url = check_base_url(self.environment.base_url())?;
        let consumer_key = self
            .consumer_key
            .filter(|key| !key.trim().is_empty())
            .ok_or(BuildError::MissingConsumerKey)?;
        let provider: Arc<dyn SignatureProvider> = match (self.signing_key, self.signature_provider)
        {
            (Some(_), Some(_)) => return Err(BuildError::ConflictingSigningKeys),
            (Some(key), None) => Arc::new(load_key(key)?),
            (None, Some(provider)) => provider,
            (None, None) => return Err(BuildError::MissingSigningKey),
        };
        // Checked now so an unsupported choice fails here rather than on every call.
        if !provider.supports(self.signature_method) {
            return Err(BuildError::UnsupportedSignatureMethod {
                method: self.signature_method,
                key_id: provider.key_id(),
            });
        }
        let signer = Signer::with_provider(consumer_key.clone(), provider)
            .map_err(|error| BuildError::Signer(error.to_string()))?
            .with_signature_method(self.signature_method);
        let reuse = ConnectionReuse::new();
        let http = self.http.build_client(None, &reuse)?;

        let ledger: Option<Arc<dyn DisputeEventLedger>> = match self.guard {
            GuardSetting::Enabled(choice) => Some(choice.open()?),
            GuardSetting::Disabled => None,
        };
        let guard_enabled = ledger.is_some();

        // Order matters: the signer signs the final request, and the guard reserves the event
        // last among the built-in steps, so a signing failure leaves no reservation. The user's
        // middleware comes after both: it sees exactly what is sent.
        let timeouts = self.http.timeouts.clone();
        let mut transport = Transport::new()
            .with_operations(crate::OPERATIONS)
            .with_retry(self.retry.policy())
            .with_limits(self.http.limits)
            .with_connection_reuse(reuse)
            .with_deadline(move |operation, body_len| timeouts.for_call(operation, body_len))
            .with(OAuth1Signing::new(signer));
        if let Some(ledger) = ledger {
            transport = transport.with(DisputeEventGuard::new(
                ledger,
                self.clock,
                self.guard_settings,
            ));
        }
        for middleware in self.middlewares {
            transport = transport.with_shared(middleware);
        }

        Ok(MastercomClient::from_parts(
            ClientCore::new(base_url, http, transport),
            guard_enabled,
        ))
    }
}

impl MastercomClient {
    /// A builder with the Sandbox environment and default timeouts, retries and guard.
    pub fn builder() -> MastercomClientBuilder {
        MastercomClientBuilder::default()
    }
}

fn load_key(key: SigningKey) -> Result<PrivateKey, BuildError> {
    match key {
        SigningKey::Loaded(key) => Ok(key),
        SigningKey::Pem(pem) => Ok(PrivateKey::from_pem(&pem)?),
        SigningKey::Pkcs12 {
            path,
            alias,
            password,
        } => {
            let identity = Pkcs12Identity::from_file(
                &path,
                &Pkcs12Options {
                    alias,
                    password: Some(password),
                },
            )?;
            if let Some(certificate) = &identity.cert {
                let now = openssl::asn1::Asn1Time::days_from_now(0)
                    .map_err(|error| BuildError::Signer(error.to_string()))?;
                if certificate.not_after() < now {
                    return Err(BuildError::ExpiredKey {
                        not_after: certificate.not_after().to_string(),
                    });
                }
            }
            Ok(identity.key)
        }
    }
}
