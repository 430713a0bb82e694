//! Where spec bytes come from: a local mirror folder, or HTTP(S).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use mastercard_codegen::pins::PinnedSpec;
use mastercard_transport::tls::{TrustRoots, client_config};

use crate::Result;

/// Folder holding the spec files under their upstream names; replaces the network.
pub const MIRROR_ENV: &str = "MASTERCARD_OPENAPI_MIRROR";
/// Base URL replacing the pinned URLs' folder (e.g. a loopback server in tests).
pub const UPSTREAM_ENV: &str = "MASTERCARD_OPENAPI_UPSTREAM";

/// A source of spec files.
pub enum Source {
    /// A local folder (air-gapped builds, CI).
    Mirror(PathBuf),
    /// HTTP(S); `base` replaces the folder part of each pinned URL when set.
    Http {
        /// Override of the URLs' folder.
        base: Option<String>,
        /// The client, built once.
        client: reqwest::blocking::Client,
    },
}

impl Source {
    /// The source the environment asks for.
    pub fn from_env() -> Result<Self> {
        if let Some(dir) = std::env::var_os(MIRROR_ENV).filter(|dir| !dir.is_empty()) {
            return Ok(Self::Mirror(PathBuf::from(dir)));
        }
        let config = client_config(&TrustRoots::Platform, None)?;
        let client = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(config)
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self::Http {
            base: std::env::var(UPSTREAM_ENV)
                .ok()
                .filter(|base| !base.is_empty()),
            client,
        })
    }

    /// A human-readable name of where `pin` is read from.
    pub fn location(&self, pin: &PinnedSpec) -> String {
        match self {
            Self::Mirror(dir) => dir.join(&pin.file).display().to_string(),
            Self::Http {
                base: Some(base), ..
            } => format!("{}/{}", base.trim_end_matches('/'), pin.file),
            Self::Http { base: None, .. } => pin.url.clone(),
        }
    }

    /// Reads the spec file of `pin`. Does not verify it: callers decide what the bytes must be.
    pub fn get(&self, pin: &PinnedSpec) -> Result<Vec<u8>> {
        let location = self.location(pin);
        match self {
            Self::Mirror(_) => std::fs::read(&location)
                .map_err(|error| format!("cannot read {location}: {error}").into()),
            Self::Http { client, .. } => {
                require_secure(&location)?;
                let response = client
                    .get(&location)
                    .send()
                    .map_err(|error| {
                        format!("cannot download {location}: {error} (offline? set {MIRROR_ENV}=<dir with the spec files>)")
                    })?;
                let status = response.status();
                if !status.is_success() {
                    return Err(format!("cannot download {location}: HTTP {status}").into());
                }
                Ok(response.bytes()?.to_vec())
            }
        }
    }
}

/// Refuses plain HTTP except to loopback addresses.
fn require_secure(location: &str) -> Result<()> {
    let url = reqwest::Url::parse(location)?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(
            format!("refusing {location}: only https, or plain http to a loopback address").into(),
        ),
    }
}
