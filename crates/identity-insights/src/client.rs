//! [`IdentityInsightsClient`]: the generated client behind mTLS, JWE and typed errors. Its
//! builder is in `builder.rs`, `from_env` in `env.rs`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mastercard_transport::{CallContext, ClientCore};

use crate::Client;

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
///     .decryption_key_pkcs12("client-decryption.p12", Some("keyalias"), "keystorepassword")
///     .build()?;
/// let insights = client.retrieve_transaction_insights(&body).await?;
/// println!("{} (correlation id {:?})", insights.id, insights.correlation_id());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IdentityInsightsClient {
    core: ClientCore,
    kid: String,
}

impl fmt::Debug for IdentityInsightsClient {
    // The generated client and reqwest's are not printed: only what identifies the setup.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityInsightsClient")
            .field("base_url", &self.core.base_url())
            .field("encryption_kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl IdentityInsightsClient {
    /// The client the builder assembled.
    pub(crate) fn from_parts(core: ClientCore, kid: String) -> Self {
        Self { core, kid }
    }

    /// The generated client, for callers that want progenitor's own types. Requests through it
    /// are encrypted and decrypted too, but its errors are `progenitor_client::Error`s.
    pub fn api(&self) -> Client {
        Client::new_with_client(
            self.core.base_url(),
            self.core.http().clone(),
            self.core.transport().clone(),
        )
    }

    /// The base URL requests go to (with the `/identity` prefix).
    pub fn base_url(&self) -> &str {
        self.core.base_url()
    }

    /// The same client whose calls end within `timeout`, whatever the default.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            core: self.core.with_call_timeout(timeout),
            kid: self.kid.clone(),
        }
    }

    /// Opens one call: its typed context and a generated client whose hooks carry it. Used by
    /// the generated typed methods.
    pub(crate) fn begin_call(&self, operation: &'static str) -> (Arc<CallContext>, Client) {
        let (call, transport) = self.core.begin(operation);
        let api =
            Client::new_with_client(self.core.base_url(), self.core.http().clone(), transport);
        (call, api)
    }
}
