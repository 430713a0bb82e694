//! An embedded Mastercom + Identity Insights sandbox that really checks OAuth1 signatures, mTLS
//! and JWE, keeps a stateful dispute model, and injects faults on demand.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mastercard_sandbox::SandboxError> {
//! let sandbox = mastercard_sandbox::Sandbox::start(
//!     mastercard_sandbox::SandboxConfig::new("target/sandbox-state"),
//! ).await?;
//! println!("Mastercom at {}, IIT at {}", sandbox.mastercom_url, sandbox.iit_url);
//! println!("{}", sandbox.credentials.describe());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! * Mastercom: `https://127.0.0.1:<port>/mastercom/v6/...` (server certificate from the sandbox
//!   CA, client certificate optional), every request OAuth1-verified.
//! * Identity Insights: `https://127.0.0.1:<port>/identity/transactions`, client certificate
//!   chained to the sandbox CA required, JWE request and response bodies.
//! * Faults: [`Faults`] (also `PUT /__sandbox/faults/<operationId>` on either listener, from
//!   loopback only).

mod accept;
pub mod calls;
mod error;
pub mod faults;
mod guard;
mod idle;
mod iit;
pub mod limits;
pub mod mastercom;
mod nonces;
pub mod pki;
mod server;
mod store;
mod tls;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use calls::Calls;
pub use error::SandboxError;
pub use faults::{Fault, FaultAction, Faults};
/// The Identity Insights request-body validation (typed fields, then formats), as the `/identity/transactions` route applies it to the decrypted body; public for fuzzing and tests.
pub use iit::validate as validate_iit_request;
pub use limits::Limits;
pub use mastercom::clock::{Clock, ManualClock, SystemClock};
pub use mastercom::model::{ClaimSeed, DuplicateEvents, SEED_TRANSACTIONS, SeedTransaction};
pub use pki::Credentials;

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where the PKI, credentials and (with persistence) the SQLite file live.
    pub state_dir: PathBuf,
    /// Address both listeners bind to (loopback by default).
    pub bind: IpAddr,
    /// Mastercom listener port (0: any free port).
    pub mastercom_port: u16,
    /// Identity Insights listener port (0: any free port).
    pub iit_port: u16,
    /// Keep the dispute model in `<state_dir>/sandbox.sqlite` across restarts.
    pub persistence: bool,
    /// Accepted OAuth1 clock skew.
    pub oauth_window: Duration,
    /// Trust these instead of the generated credentials.
    pub trust: Trust,
    /// The dispute model's time (a [`ManualClock`] lets tests step over Mastercom's 60-second
    /// duplicate window).
    pub clock: Arc<dyn Clock>,
    /// Timeouts, connection cap and body sizes ([`Limits::default`] documents the defaults).
    pub limits: Limits,
    /// Claims added to the model at start (after persisted state is loaded).
    pub seeded_claims: Option<ClaimSeed>,
}

/// Public keys and certificates to trust instead of (or beside) the generated ones.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Verify OAuth1 signatures with this public key or certificate (PEM/DER) instead of the
    /// generated signing key.
    pub oauth1_public_key: Option<PathBuf>,
    /// Accept any OAuth1 consumer key with it (default: only the configured one).
    pub oauth1_consumer_key: Option<String>,
    /// Accept mTLS client certificates chained to this CA (PEM) in addition to the sandbox CA.
    pub client_ca: Option<PathBuf>,
    /// Encrypt IIT responses to this certificate instead of the generated JWE client certificate.
    pub jwe_client_cert: Option<PathBuf>,
}

impl SandboxConfig {
    /// Loopback, free ports, in-memory state, a 5-minute OAuth1 window, default [`Limits`].
    pub fn new(state_dir: impl Into<PathBuf>) -> Self {
        Self {
            state_dir: state_dir.into(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            mastercom_port: 0,
            iit_port: 0,
            persistence: false,
            oauth_window: Duration::from_secs(300),
            trust: Trust::default(),
            clock: mastercom::clock::system(),
            limits: Limits::default(),
            seeded_claims: None,
        }
    }

    /// Starts with `seed.count` more claims in the `Unworked` queue (see [`ClaimSeed`]), e.g.
    /// over 2,000 to make a queue span several pages.
    #[must_use]
    pub fn with_seeded_claims(mut self, seed: ClaimSeed) -> Self {
        self.seeded_claims = Some(seed);
        self
    }

    /// Reads the dispute model's time from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Turns SQLite persistence on or off.
    #[must_use]
    pub fn with_persistence(mut self, on: bool) -> Self {
        self.persistence = on;
        self
    }
}

/// The embedded sandbox.
pub struct Sandbox;

impl Sandbox {
    /// Creates (or reuses) the PKI, opens the state, binds both listeners and serves until
    /// [`RunningSandbox::shutdown`].
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        let credentials = Credentials::ensure(&config.state_dir)?;
        let faults = Faults::default();
        let calls = Calls::default();
        let store = if config.persistence {
            Some(store::Store::open(&credentials.database)?)
        } else {
            None
        };
        // A claim or case that no longer decodes is the SQLite file's fault.
        let model = Arc::new(
            mastercom::model::Model::new(store, config.clock.clone())
                .map_err(|e| SandboxError::in_file(&credentials.database, e))?,
        );
        if let Some(seed) = &config.seeded_claims {
            model
                .seed_claims(seed)
                .map_err(|e| SandboxError::Corrupt(e.description))?;
        }
        let mastercom_state = mastercom::AppState::new(
            &config,
            &credentials,
            model.clone(),
            faults.clone(),
            calls.clone(),
        )?;
        let iit_state = iit::IitState::new(&config, &credentials, faults.clone())?;
        let roots = client_roots(&config, &credentials);
        let server_tls =
            tls::server_config(&credentials, roots.clone(), tls::ClientAuth::Optional)?;
        let iit_tls = tls::server_config(&credentials, roots, tls::ClientAuth::Required)?;
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let mastercom = server::serve(
            server::Listener {
                name: "mastercom",
                addr: SocketAddr::new(config.bind, config.mastercom_port),
                tls: server_tls,
                router: mastercom::router(mastercom_state),
                policy: guard::Policy {
                    max_body: config.limits.mastercom_max_body,
                    shape: guard::ErrorShape::Mastercom,
                },
            },
            &config.limits,
            shutdown_rx.clone(),
        )
        .await?;
        let iit = server::serve(
            server::Listener {
                name: "iit",
                addr: SocketAddr::new(config.bind, config.iit_port),
                tls: iit_tls,
                router: iit::router(iit_state),
                policy: guard::Policy {
                    max_body: config.limits.iit_max_body,
                    shape: guard::ErrorShape::Iit,
                },
            },
            &config.limits,
            shutdown_rx,
        )
        .await?;
        Ok(RunningSandbox {
            mastercom_url: format!("https://{}/mastercom", host_port(mastercom.addr)),
            iit_url: format!("https://{}/identity", host_port(iit.addr)),
            mastercom_addr: mastercom.addr,
            iit_addr: iit.addr,
            credentials,
            faults,
            calls,
            model,
            shutdown: shutdown_tx,
            open_connections: [mastercom.open_connections, iit.open_connections],
            tasks: vec![mastercom.task, iit.task],
        })
    }
}

fn host_port(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

fn client_roots(config: &SandboxConfig, creds: &Credentials) -> Vec<PathBuf> {
    let mut roots = vec![creds.ca_cert.clone()];
    if let Some(extra) = &config.trust.client_ca {
        roots.push(extra.clone());
    }
    roots
}

/// A started sandbox. Dropping it also stops the listeners and closes their connections, without
/// waiting; [`RunningSandbox::shutdown`] waits for the accept loops to end.
pub struct RunningSandbox {
    /// Mastercom base URL, e.g. `https://127.0.0.1:40123/mastercom` (append `/v6/...`).
    pub mastercom_url: String,
    /// Identity Insights base URL, e.g. `https://127.0.0.1:40124/identity`.
    pub iit_url: String,
    /// The Mastercom listener's address.
    pub mastercom_addr: SocketAddr,
    /// The Identity Insights listener's address.
    pub iit_addr: SocketAddr,
    /// Where the credentials are.
    pub credentials: Credentials,
    faults: Faults,
    calls: Calls,
    model: Arc<mastercom::model::Model>,
    shutdown: tokio::sync::watch::Sender<bool>,
    open_connections: [tokio::sync::watch::Receiver<usize>; 2],
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// The runtime fault switchboard (shared with the admin endpoint).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Requests received per Mastercom operation (exact call counts for tests).
    pub fn calls(&self) -> &Calls {
        &self.calls
    }

    /// How many claims the dispute model holds.
    pub fn claim_count(&self) -> usize {
        self.model.claim_count()
    }

    /// Adds claims to the running model (see [`ClaimSeed`]); returns their ids in order of
    /// last-modified time.
    pub fn seed_claims(&self, seed: &ClaimSeed) -> Result<Vec<String>, mastercom::ApiError> {
        self.model.seed_claims(seed)
    }

    /// How often Mastercom's duplicate behaviour came into play (duplicates created inside its
    /// 60-second blind spot, duplicates refused after it); also at `GET
    /// /__sandbox/duplicate-events` on the Mastercom listener.
    pub fn duplicate_events(&self) -> DuplicateEvents {
        self.model.duplicate_events()
    }

    /// Open connections (TLS handshakes included) on the Mastercom listener, as a watch: a
    /// test waits on it for a condition (`wait_for(|n| *n == 0)`) instead of sleeping.
    pub fn mastercom_connections(&self) -> tokio::sync::watch::Receiver<usize> {
        self.open_connections[0].clone()
    }

    /// Open connections on the Identity Insights listener (see
    /// [`RunningSandbox::mastercom_connections`]).
    pub fn iit_connections(&self) -> tokio::sync::watch::Receiver<usize> {
        self.open_connections[1].clone()
    }

    /// The state directory.
    pub fn state_dir(&self) -> &Path {
        &self.credentials.dir
    }

    /// Stops accepting, closes open connections and waits for the listeners to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
