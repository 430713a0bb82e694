//! [`MastercomClient`]: a generated [`crate::Client`] wired to an environment, OAuth1 signing,
//! timeouts, safe retries, tracing and the dispute-event guard.

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use mastercard_keys::{KeyError, Pkcs12Identity, Pkcs12Options, PrivateKey};
use mastercard_oauth1::Signer;
use mastercard_transport::tls::{TrustRoots, client_config, http_client_builder};
use mastercard_transport::{OAuth1Signing, Transport};

use crate::error::NormalizeErrorBodies;
use crate::guard::{
    Clock, DisputeEventGuard, DisputeEventLedger, GuardSettings, LedgerChoice, LedgerError,
    Spacing, SystemClock, WhenClosed, Windows,
};
use crate::retry::RetryConfig;
use crate::timeouts::{CallTimeout, Timeouts};

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
        "no signing key: call .signing_key_p12(..)/.signing_key_pem(..) or set MASTERCARD_SIGNING_KEY_PATH"
    )]
    MissingSigningKey,
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
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// TLS could not be configured.
    #[error("TLS: {0}")]
    Tls(#[from] mastercard_transport::tls::TlsError),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Http(String),
    /// The dispute-event ledger could not be opened.
    #[error("{0}; fix the path or permissions, or choose another ledger")]
    Ledger(#[from] LedgerError),
    /// An environment variable is missing or invalid.
    #[error("environment variable {name}: {reason}")]
    Env {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
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
    timeouts: Timeouts,
    user_agent: String,
    retry: RetryConfig,
    guard: GuardSetting,
    guard_settings: GuardSettings,
    clock: Arc<dyn Clock>,
    trust_roots: TrustRoots,
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
            .field("timeouts", &self.timeouts)
            .field("user_agent", &self.user_agent)
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
            timeouts: Timeouts::default(),
            user_agent: concat!("mastercom-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryConfig::default(),
            guard: GuardSetting::Enabled(LedgerChoice::Default),
            guard_settings: GuardSettings::default(),
            clock: Arc::new(SystemClock),
            trust_roots: TrustRoots::Platform,
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
    pub fn signing_key_p12(
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

    /// Connect, read and total timeouts, body-size scaling and per-operation overrides.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
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
        self.trust_roots = roots;
        self
    }

    /// Loads and checks the key, opens the ledger and builds the one HTTP client. Fails before
    /// any request is made.
    pub fn build(self) -> Result<MastercomClient, BuildError> {
        let base_url = self.environment.base_url().to_owned();
        check_base_url(&base_url)?;
        let consumer_key = self
            .consumer_key
            .filter(|key| !key.trim().is_empty())
            .ok_or(BuildError::MissingConsumerKey)?;
        let key = load_key(self.signing_key.ok_or(BuildError::MissingSigningKey)?)?;
        let signer = Signer::new(consumer_key.clone(), key)
            .map_err(|error| BuildError::Signer(error.to_string()))?;

        let tls = client_config(&self.trust_roots, None)?;
        let http = http_client_builder(tls)
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.read)
            .timeout(self.timeouts.total)
            .user_agent(self.user_agent)
            .build()
            .map_err(|error| BuildError::Http(error.to_string()))?;

        let ledger: Option<Arc<dyn DisputeEventLedger>> = match self.guard {
            GuardSetting::Enabled(choice) => Some(choice.open()?),
            GuardSetting::Disabled => None,
        };
        let guard_enabled = ledger.is_some();

        // Order matters: the timeout reads the body size, the signer signs the final request,
        // and the guard reserves the event last, so a signing failure leaves no reservation.
        let mut transport = Transport::new()
            .with_operations(crate::OPERATIONS)
            .with_retry(self.retry.policy())
            .with(NormalizeErrorBodies)
            .with(CallTimeout(self.timeouts))
            .with(OAuth1Signing::new(signer));
        if let Some(ledger) = ledger {
            transport = transport.with(DisputeEventGuard::new(
                ledger,
                self.clock,
                self.guard_settings,
            ));
        }

        Ok(MastercomClient {
            api: crate::Client::new_with_client(&base_url, http, transport),
            base_url,
            guard_enabled,
        })
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

/// `https://` anywhere; `http://` only to loopback (127.0.0.0/8, ::1, localhost).
fn check_base_url(url: &str) -> Result<(), BuildError> {
    let invalid = |reason| BuildError::InvalidBaseUrl {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid("not an absolute URL"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(invalid(
                    "plain http:// is only allowed to loopback addresses; use https://",
                ))
            }
        }
        _ => Err(invalid("the scheme must be https://")),
    }
}

/// A ready-to-use Mastercom client. Derefs to the generated [`crate::Client`], so all 52
/// operations are methods: `client.get_claim_detail("…").await`.
#[derive(Clone)]
pub struct MastercomClient {
    api: crate::Client,
    base_url: String,
    guard_enabled: bool,
}

impl MastercomClient {
    /// A builder with the Sandbox environment and default timeouts, retries and guard.
    pub fn builder() -> MastercomClientBuilder {
        MastercomClientBuilder::default()
    }

    /// A builder filled from the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `MASTERCARD_CONSUMER_KEY` | consumer key (required) |
    /// | `MASTERCARD_SIGNING_KEY_PATH` | `.p12` file, or a PEM key file (`.pem`/`.key`) (required) |
    /// | `MASTERCARD_SIGNING_KEY_ALIAS` | PKCS#12 alias (optional) |
    /// | `MASTERCARD_SIGNING_KEY_PASSWORD` | PKCS#12 password (optional, default empty) |
    /// | `MASTERCARD_ENVIRONMENT` | `sandbox` (default), `production`, or a base URL |
    /// | `MASTERCOM_LEDGER_URL` | `postgres://…` (the dispute-event ledger in PostgreSQL, shared by machines), or `memory:` (warns; tests only) |
    /// | `MASTERCOM_LEDGER_PATH` | SQLite file for the ledger (default: [`crate::guard::default_ledger_path`]) |
    /// | `MASTERCARD_CA_CERT` | PEM file of the only CAs trusted for the server (optional; default the platform's roots), e.g. a local sandbox's or a TLS-inspecting proxy's |
    pub fn from_env() -> Result<MastercomClientBuilder, BuildError> {
        let var = |name| std::env::var(name).ok().filter(|value| !value.is_empty());
        let consumer_key = var("MASTERCARD_CONSUMER_KEY").ok_or(BuildError::Env {
            name: "MASTERCARD_CONSUMER_KEY",
            reason: "not set",
        })?;
        let path = var("MASTERCARD_SIGNING_KEY_PATH").ok_or(BuildError::Env {
            name: "MASTERCARD_SIGNING_KEY_PATH",
            reason: "not set",
        })?;
        let is_pem = [".pem", ".key"]
            .iter()
            .any(|extension| path.to_ascii_lowercase().ends_with(extension));
        let mut builder = Self::builder().consumer_key(consumer_key);
        builder = if is_pem {
            let pem = std::fs::read(&path).map_err(|_| BuildError::Env {
                name: "MASTERCARD_SIGNING_KEY_PATH",
                reason: "the file cannot be read",
            })?;
            builder.signing_key_pem(pem)
        } else {
            builder.signing_key_p12(
                path,
                var("MASTERCARD_SIGNING_KEY_ALIAS").as_deref(),
                var("MASTERCARD_SIGNING_KEY_PASSWORD").unwrap_or_default(),
            )
        };
        if let Some(environment) = var("MASTERCARD_ENVIRONMENT") {
            builder = builder.environment(Environment::parse(&environment));
        }
        match (var("MASTERCOM_LEDGER_URL"), var("MASTERCOM_LEDGER_PATH")) {
            (Some(_), Some(_)) => {
                return Err(BuildError::Env {
                    name: "MASTERCOM_LEDGER_URL",
                    reason: "set together with MASTERCOM_LEDGER_PATH; choose one ledger",
                });
            }
            (Some(url), None) if url == "memory:" => {
                builder = builder.dispute_event_ledger_memory();
            }
            (Some(url), None)
                if url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                builder = builder.dispute_event_ledger_postgres(url);
            }
            (Some(_), None) => {
                return Err(BuildError::Env {
                    name: "MASTERCOM_LEDGER_URL",
                    reason: "must start with postgres:// or postgresql:// (or be memory:)",
                });
            }
            (None, Some(path)) => builder = builder.dispute_event_ledger_sqlite(path),
            (None, None) => {}
        }
        if let Some(ca) = var("MASTERCARD_CA_CERT") {
            let pem = std::fs::read(&ca).map_err(|_| BuildError::Env {
                name: "MASTERCARD_CA_CERT",
                reason: "the file cannot be read",
            })?;
            builder = builder.trust_roots(TrustRoots::from_pem(&pem)?);
        }
        Ok(builder)
    }

    /// The generated client with all 52 operations.
    pub fn api(&self) -> &crate::Client {
        &self.api
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether the dispute-event guard is on.
    pub fn guard_enabled(&self) -> bool {
        self.guard_enabled
    }
}

impl Deref for MastercomClient {
    type Target = crate::Client;

    fn deref(&self) -> &crate::Client {
        &self.api
    }
}

impl fmt::Debug for MastercomClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MastercomClient")
            .field("base_url", &self.base_url)
            .field("guard_enabled", &self.guard_enabled)
            .finish_non_exhaustive()
    }
}
