//! Where the client sends requests: Mastercard's regional hosts, or a custom base URL, and the
//! rule that plain HTTP may only reach loopback addresses.

use std::fmt;

use crate::error::BuildError;

/// The region whose Identity Insights hosts serve the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    /// North America: `*.idv.mastercard.com`.
    #[default]
    Us,
    /// Europe: `*.idv.mastercard.eu`.
    Eu,
    /// Asia Pacific: `*.idv.mastercard.asia`.
    Asia,
}

/// Mastercard's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// The sandbox (MTF): `https://sandbox.idv.mastercard.<tld>/identity`.
    #[default]
    Sandbox,
    /// Production: `https://idv.mastercard.<tld>/identity`.
    Production,
}

impl Region {
    fn tld(self) -> &'static str {
        match self {
            Self::Us => "com",
            Self::Eu => "eu",
            Self::Asia => "asia",
        }
    }
}

/// The base URL (including the `/identity` prefix) of a region's environment.
pub fn hosted_base_url(region: Region, environment: Environment) -> String {
    let prefix = match environment {
        Environment::Sandbox => "sandbox.",
        Environment::Production => "",
    };
    format!("https://{prefix}idv.mastercard.{}/identity", region.tld())
}

/// Which base URL a builder was given.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Hosted(Region, Environment),
    Custom(String),
}

impl Default for Endpoint {
    fn default() -> Self {
        Self::Hosted(Region::default(), Environment::default())
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hosted(region, environment) => write!(f, "{region:?}/{environment:?}"),
            Self::Custom(url) => f.write_str(url),
        }
    }
}

impl Endpoint {
    /// The checked base URL, without a trailing slash (the generated client appends
    /// `/transactions`).
    pub(crate) fn resolve(&self) -> Result<String, BuildError> {
        let raw = match self {
            Self::Hosted(region, environment) => hosted_base_url(*region, *environment),
            Self::Custom(url) => url.clone(),
        };
        Ok(mastercard_transport::check_base_url(&raw)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn hosted_urls_follow_region_and_environment() {
        let cases = [
            (
                Region::Us,
                Environment::Sandbox,
                "https://sandbox.idv.mastercard.com/identity",
            ),
            (
                Region::Us,
                Environment::Production,
                "https://idv.mastercard.com/identity",
            ),
            (
                Region::Eu,
                Environment::Sandbox,
                "https://sandbox.idv.mastercard.eu/identity",
            ),
            (
                Region::Eu,
                Environment::Production,
                "https://idv.mastercard.eu/identity",
            ),
            (
                Region::Asia,
                Environment::Sandbox,
                "https://sandbox.idv.mastercard.asia/identity",
            ),
            (
                Region::Asia,
                Environment::Production,
                "https://idv.mastercard.asia/identity",
            ),
        ];
        for (region, environment, expected) in cases {
            assert_eq!(
                Endpoint::Hosted(region, environment).resolve().unwrap(),
                expected
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080/identity/",
            "http://localhost/identity",
            "http://[::1]:1/x",
        ] {
            assert!(Endpoint::Custom(ok.to_owned()).resolve().is_ok(), "{ok}");
        }
        assert!(matches!(
            Endpoint::Custom("http://idv.mastercard.com/identity".to_owned()).resolve(),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert!(matches!(
            Endpoint::Custom("ftp://localhost/".to_owned()).resolve(),
            Err(BuildError::InvalidBaseUrl(_))
        ));
        assert_eq!(
            Endpoint::Custom("http://127.0.0.1:1/identity/".to_owned())
                .resolve()
                .unwrap(),
            "http://127.0.0.1:1/identity"
        );
    }
}
