//! Where the demo runs: the embedded sandbox (default), or Mastercard's own sandbox when its
//! credentials are in the environment. Either way the clients are the workspace's ready-to-use
//! ones, built exactly as an application would build them.

use identity_insights::IdentityInsightsClient;
use mastercard_sandbox::RunningSandbox;
use mastercard_sandbox::pki::{PKCS12_ALIAS, PKCS12_PASSWORD};
use mastercard_transport::tls::TrustRoots;
use mastercom::MastercomClient;

use crate::DemoError;

/// The clients the demo calls, and a name for the trace.
#[derive(Debug)]
pub struct Target {
    /// Printed at the top of the trace.
    pub description: String,
    /// Signs every request; its dispute-event guard is on (in memory).
    pub mastercom: MastercomClient,
    /// `None` when the environment names Mastercom credentials but no Identity Insights ones.
    pub insights: Option<IdentityInsightsClient>,
}

impl Target {
    /// Both clients pointed at a running embedded sandbox, with the credentials it generated.
    pub fn embedded(sandbox: &RunningSandbox) -> Result<Self, DemoError> {
        let credentials = &sandbox.credentials;
        let ca_pem = read(&credentials.ca_cert)?;
        let roots = TrustRoots::from_pem(&ca_pem).map_err(|error| DemoError::setup("CA", error))?;
        // The dispute-event ledger lives with the sandbox's state: the sandbox's fixed
        // transactions are new disputes for each fresh sandbox, not duplicates of the last run's.
        let mastercom = MastercomClient::builder()
            .dispute_event_ledger_sqlite(sandbox.state_dir().join("mastercom-ledger.sqlite3"))
            .base_url(&sandbox.mastercom_url)
            .consumer_key(&credentials.consumer_key)
            .signing_key_pkcs12(
                &credentials.signing_p12,
                Some(PKCS12_ALIAS),
                PKCS12_PASSWORD,
            )
            .trust_roots(roots.clone())
            .build()
            .map_err(|error| DemoError::setup("Mastercom client", error))?;
        let insights = IdentityInsightsClient::builder()
            .base_url(&sandbox.iit_url)
            .trust_roots(roots)
            .client_identity_pkcs12(&credentials.client_p12, Some(PKCS12_ALIAS), PKCS12_PASSWORD)
            .encryption_certificate_file(&credentials.jwe_server_cert)
            .decryption_key_pkcs12(
                &credentials.jwe_client_p12,
                Some(PKCS12_ALIAS),
                PKCS12_PASSWORD,
            )
            .build()
            .map_err(|error| DemoError::setup("Identity Insights client", error))?;
        Ok(Self {
            description: format!(
                "the embedded sandbox (Mastercom {}, Identity Insights {})",
                sandbox.mastercom_url, sandbox.iit_url
            ),
            mastercom,
            insights: Some(insights),
        })
    }

    /// Both clients from the environment (see `MastercomClient::from_env` and
    /// `IdentityInsightsClient::from_env`); Identity Insights only when one of its identity or
    /// base-URL variables is set.
    pub fn from_env() -> Result<Self, DemoError> {
        let mastercom = MastercomClient::from_env()
            .and_then(|builder| builder.build())
            .map_err(|error| DemoError::setup("Mastercom client", error))?;
        let insights = if iit_configured(|name| std::env::var_os(name).is_some()) {
            Some(
                IdentityInsightsClient::from_env()
                    .and_then(|builder| builder.build())
                    .map_err(|error| DemoError::setup("Identity Insights client", error))?,
            )
        } else {
            None
        };
        Ok(Self {
            description: format!(
                "{} (credentials from the environment)",
                mastercom.base_url()
            ),
            mastercom,
            insights,
        })
    }
}

/// Whether the environment selects Mastercard's sandbox rather than the embedded one.
pub fn mastercom_configured(is_set: impl Fn(&str) -> bool) -> bool {
    is_set("MASTERCARD_CONSUMER_KEY")
}

fn iit_configured(is_set: impl Fn(&str) -> bool) -> bool {
    [
        "MASTERCARD_IIT_CLIENT_P12",
        "MASTERCARD_IIT_CLIENT_CERT",
        "MASTERCARD_IIT_BASE_URL",
    ]
    .iter()
    .any(|name| is_set(name))
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, DemoError> {
    std::fs::read(path).map_err(|error| {
        DemoError::setup(
            "sandbox credentials",
            format!("cannot read {}: {error}", path.display()),
        )
    })
}
