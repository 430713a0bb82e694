//! [`IdentityInsightsClient::from_env`]: a builder configured by environment variables.
//!
//! The variables are documented on [`IdentityInsightsClient::from_env`].

use std::time::Duration;

use crate::builder::IdentityInsightsClientBuilder;
use crate::client::IdentityInsightsClient;
use crate::endpoint::{Environment, Region};
use crate::error::BuildError;

impl IdentityInsightsClient {
    /// A client configured from the `MASTERCARD_IIT_*` environment variables:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `MASTERCARD_IIT_BASE_URL` | custom base URL with the `/identity` prefix; overrides region and environment |
    /// | `MASTERCARD_IIT_REGION` | `us` (default), `eu` or `asia` |
    /// | `MASTERCARD_IIT_ENVIRONMENT` | `sandbox` (default) or `production` |
    /// | `MASTERCARD_IIT_CLIENT_P12`, `…_CLIENT_P12_ALIAS`, `…_CLIENT_P12_PASSWORD` | mTLS identity as PKCS#12 |
    /// | `MASTERCARD_IIT_CLIENT_CERT`, `MASTERCARD_IIT_CLIENT_KEY` | mTLS identity as PEM files (chain, key) instead |
    /// | `MASTERCARD_IIT_CA_CERT` | PEM file of the only CA trusted for the server (default: the platform's roots) |
    /// | `MASTERCARD_IIT_ENCRYPTION_CERT` | Mastercard's encryption certificate (PEM or DER file) |
    /// | `MASTERCARD_IIT_DECRYPTION_KEY`, `…_DECRYPTION_KEY_ALIAS`, `…_DECRYPTION_KEY_PASSWORD` | the client's decryption key file (PKCS#12, PKCS#8 or PKCS#1) |
    /// | `MASTERCARD_IIT_TIMEOUT_SECS`, `MASTERCARD_IIT_CONNECT_TIMEOUT_SECS`, `MASTERCARD_IIT_READ_TIMEOUT_SECS` | call, connect and between-reads timeouts in seconds |
    ///
    /// Like `MastercomClient::from_env`, it returns a builder: further builder calls override
    /// what the variables said, and `.build()` checks and loads everything.
    pub fn from_env() -> Result<IdentityInsightsClientBuilder, BuildError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// A builder configured from variables looked up by `var` by name (the environment, in
    /// [`IdentityInsightsClient::from_env`]); further builder calls can override them.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<IdentityInsightsClientBuilder, BuildError> {
        let mut builder = IdentityInsightsClientBuilder::default();
        if let Some(region) = var("MASTERCARD_IIT_REGION") {
            builder = builder.region(match region.to_ascii_lowercase().as_str() {
                "us" => Region::Us,
                "eu" => Region::Eu,
                "asia" => Region::Asia,
                _ => return Err(invalid("MASTERCARD_IIT_REGION", "expected us, eu or asia")),
            });
        }
        if let Some(environment) = var("MASTERCARD_IIT_ENVIRONMENT") {
            builder = builder.environment(match environment.to_ascii_lowercase().as_str() {
                "sandbox" => Environment::Sandbox,
                "production" => Environment::Production,
                _ => {
                    return Err(invalid(
                        "MASTERCARD_IIT_ENVIRONMENT",
                        "expected sandbox or production",
                    ));
                }
            });
        }
        if let Some(url) = var("MASTERCARD_IIT_BASE_URL") {
            builder = builder.base_url(url);
        }
        match (
            var("MASTERCARD_IIT_CLIENT_P12"),
            var("MASTERCARD_IIT_CLIENT_CERT"),
            var("MASTERCARD_IIT_CLIENT_KEY"),
        ) {
            (Some(p12), None, None) => {
                let password = var("MASTERCARD_IIT_CLIENT_P12_PASSWORD").unwrap_or_default();
                let alias = var("MASTERCARD_IIT_CLIENT_P12_ALIAS");
                builder = builder.client_identity_pkcs12(p12, alias.as_deref(), password);
            }
            (None, Some(chain), Some(key)) => {
                builder = builder.client_identity_pem_files(chain, key)
            }
            (None, None, None) => {}
            _ => {
                return Err(invalid(
                    "MASTERCARD_IIT_CLIENT_P12",
                    "set either it or both MASTERCARD_IIT_CLIENT_CERT and MASTERCARD_IIT_CLIENT_KEY",
                ));
            }
        }
        if let Some(ca) = var("MASTERCARD_IIT_CA_CERT") {
            let pem = std::fs::read(&ca).map_err(|error| {
                invalid(
                    "MASTERCARD_IIT_CA_CERT",
                    &format!("cannot read {ca}: {error}"),
                )
            })?;
            let roots = mastercard_transport::tls::TrustRoots::from_pem(&pem).map_err(|error| {
                invalid(
                    "MASTERCARD_IIT_CA_CERT",
                    &format!("not a usable CA file: {error}"),
                )
            })?;
            builder = builder.trust_roots(roots);
        }
        if let Some(certificate) = var("MASTERCARD_IIT_ENCRYPTION_CERT") {
            builder = builder.encryption_certificate_file(certificate);
        }
        if let Some(key) = var("MASTERCARD_IIT_DECRYPTION_KEY") {
            builder = builder.decryption_key_pkcs12(
                key,
                var("MASTERCARD_IIT_DECRYPTION_KEY_ALIAS").as_deref(),
                var("MASTERCARD_IIT_DECRYPTION_KEY_PASSWORD").unwrap_or_default(),
            );
        }
        if let Some(seconds) = seconds(&var, "MASTERCARD_IIT_TIMEOUT_SECS")? {
            builder = builder.timeout(seconds);
        }
        if let Some(seconds) = seconds(&var, "MASTERCARD_IIT_CONNECT_TIMEOUT_SECS")? {
            builder = builder.connect_timeout(seconds);
        }
        if let Some(seconds) = seconds(&var, "MASTERCARD_IIT_READ_TIMEOUT_SECS")? {
            builder = builder.read_timeout(seconds);
        }
        Ok(builder)
    }
}

fn seconds(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<Duration>, BuildError> {
    var(name)
        .map(|value| {
            value
                .parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| invalid(name, "expected a whole number of seconds"))
        })
        .transpose()
}

fn invalid(name: &'static str, reason: &str) -> BuildError {
    BuildError::Environment {
        name,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashMap;

    use super::*;

    fn builder(vars: &[(&str, &str)]) -> Result<IdentityInsightsClientBuilder, BuildError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        IdentityInsightsClient::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn region_environment_and_base_url() {
        let debug = format!(
            "{:?}",
            builder(&[
                ("MASTERCARD_IIT_REGION", "EU"),
                ("MASTERCARD_IIT_ENVIRONMENT", "production")
            ])
            .unwrap()
        );
        assert!(debug.contains("Eu/Production"), "{debug}");
        let debug = format!(
            "{:?}",
            builder(&[("MASTERCARD_IIT_BASE_URL", "http://127.0.0.1:9/identity")]).unwrap()
        );
        assert!(debug.contains("http://127.0.0.1:9/identity"), "{debug}");
    }

    #[test]
    fn bad_values_name_the_variable_but_not_the_value() {
        for (name, value) in [
            ("MASTERCARD_IIT_REGION", "mars"),
            ("MASTERCARD_IIT_ENVIRONMENT", "staging"),
            ("MASTERCARD_IIT_TIMEOUT_SECS", "soon"),
        ] {
            let error = builder(&[(name, value)]).unwrap_err().to_string();
            assert!(error.contains(name), "{error}");
            assert!(!error.contains(value), "{error}");
        }
        let error = builder(&[
            ("MASTERCARD_IIT_CLIENT_P12", "a.p12"),
            ("MASTERCARD_IIT_CLIENT_KEY", "k.pem"),
        ])
        .unwrap_err();
        assert!(matches!(error, BuildError::Environment { .. }), "{error:?}");
    }

    #[test]
    fn password_stays_out_of_debug() {
        let builder = builder(&[
            ("MASTERCARD_IIT_CLIENT_P12", "client.p12"),
            ("MASTERCARD_IIT_CLIENT_P12_PASSWORD", "s3cret-pass"),
            ("MASTERCARD_IIT_DECRYPTION_KEY", "decryption.p12"),
            ("MASTERCARD_IIT_DECRYPTION_KEY_PASSWORD", "other-s3cret"),
        ])
        .unwrap();
        let debug = format!("{builder:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }

    #[test]
    fn hosted_endpoint_needs_a_client_identity() {
        let error = builder(&[]).unwrap().build().unwrap_err();
        assert!(matches!(error, BuildError::Missing(_)), "{error:?}");
    }
}
