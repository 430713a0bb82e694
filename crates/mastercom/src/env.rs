//! [`MastercomClient::from_env`] and [`MastercomClient::from_vars`]: a builder configured by
//! `MASTERCARD_*` variables (or any lookup by the same names).

use mastercard_oauth1::SignatureMethod;
use mastercard_transport::HttpConfigError;
use mastercard_transport::tls::TrustRoots;

use crate::builder::{BuildError, Environment, MastercomClientBuilder};
use crate::client::MastercomClient;

impl MastercomClient {
    /// A builder filled from the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `MASTERCARD_CONSUMER_KEY` | consumer key (required) |
    /// | `MASTERCARD_SIGNING_KEY_PATH` | PKCS#12 (`.p12`) or PEM key file, told apart by content (required) |
    /// | `MASTERCARD_SIGNING_KEY_ALIAS` | PKCS#12 alias (optional) |
    /// | `MASTERCARD_SIGNING_KEY_PASSWORD` | PKCS#12 password (optional, default empty) |
    /// | `MASTERCARD_SIGNATURE_METHOD` | `RSA-SHA256` (default) or `RSA-PSS`; anything else is [`BuildError::Environment`] naming the variable |
    /// | `MASTERCARD_ENVIRONMENT` | `sandbox` (default), `production`, or a base URL |
    /// | `MASTERCOM_LEDGER_URL` | `postgres://…` (the dispute-event ledger in PostgreSQL, shared by machines), or `memory:` (warns; tests only) |
    /// | `MASTERCOM_LEDGER_PATH` | SQLite file for the ledger (default: [`crate::guard::default_ledger_path`]) |
    /// | `MASTERCARD_CA_CERT` | PEM file of the only CAs trusted for the server (optional; default the platform's roots), e.g. a local sandbox's or a TLS-inspecting proxy's |
    pub fn from_env() -> Result<MastercomClientBuilder, BuildError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// A builder filled like [`MastercomClient::from_env`], reading each variable through
    /// `lookup` (by its name, e.g. `MASTERCARD_CONSUMER_KEY`) instead of the environment: for
    /// callers that layer several sources (the CLI: flags, then the environment, then a
    /// profile). Errors name the variable.
    pub fn from_vars(
        lookup: impl Fn(&'static str) -> Option<String>,
    ) -> Result<MastercomClientBuilder, BuildError> {
        let var = |name| lookup(name).filter(|value: &String| !value.is_empty());
        let consumer_key = var("MASTERCARD_CONSUMER_KEY").ok_or(BuildError::Environment {
            name: "MASTERCARD_CONSUMER_KEY",
            reason: "not set".to_owned(),
        })?;
        let path = var("MASTERCARD_SIGNING_KEY_PATH").ok_or(BuildError::Environment {
            name: "MASTERCARD_SIGNING_KEY_PATH",
            reason: "not set".to_owned(),
        })?;
        let mut builder = Self::builder().consumer_key(consumer_key);
        // Told apart by content, not by file name: the key crate sniffs PEM vs PKCS#12.
        let bytes = std::fs::read(&path).map_err(|_| BuildError::Environment {
            name: "MASTERCARD_SIGNING_KEY_PATH",
            reason: "the file cannot be read".to_owned(),
        })?;
        builder = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            builder.signing_key_pem(bytes)
        } else {
            builder.signing_key_pkcs12(
                path,
                var("MASTERCARD_SIGNING_KEY_ALIAS").as_deref(),
                var("MASTERCARD_SIGNING_KEY_PASSWORD").unwrap_or_default(),
            )
        };
        if let Some(method) = var("MASTERCARD_SIGNATURE_METHOD") {
            let method =
                method
                    .trim()
                    .parse::<SignatureMethod>()
                    .map_err(|_| BuildError::Environment {
                        name: "MASTERCARD_SIGNATURE_METHOD",
                        reason: "must be RSA-SHA256 or RSA-PSS".to_owned(),
                    })?;
            builder = builder.signature_method(method);
        }
        if let Some(environment) = var("MASTERCARD_ENVIRONMENT") {
            builder = builder.environment(Environment::parse(&environment));
        }
        match (var("MASTERCOM_LEDGER_URL"), var("MASTERCOM_LEDGER_PATH")) {
            (Some(_), Some(_)) => {
                return Err(BuildError::Environment {
                    name: "MASTERCOM_LEDGER_URL",
                    reason: "set together with MASTERCOM_LEDGER_PATH; choose one ledger".to_owned(),
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
                return Err(BuildError::Environment {
                    name: "MASTERCOM_LEDGER_URL",
                    reason: "must start with postgres:// or postgresql:// (or be memory:)"
                        .to_owned(),
                });
            }
            (None, Some(path)) => builder = builder.dispute_event_ledger_sqlite(path),
            (None, None) => {}
        }
        if let Some(ca) = var("MASTERCARD_CA_CERT") {
            let pem = std::fs::read(&ca).map_err(|_| BuildError::Environment {
                name: "MASTERCARD_CA_CERT",
                reason: "the file cannot be read".to_owned(),
            })?;
            builder =
                builder.trust_roots(TrustRoots::from_pem(&pem).map_err(HttpConfigError::Tls)?);
        }
        Ok(builder)
    }
}
