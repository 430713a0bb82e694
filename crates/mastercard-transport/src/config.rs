//! The configuration both client builders share, as data: base-URL policy, timeouts, trust roots,
//! proxy, user agent and response limits, and the one place the HTTP client is built from them.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use crate::limits::ResponseLimits;
use crate::reuse::ConnectionReuse;
use crate::tls::{ClientIdentity, TlsError, TrustRoots, client_config};

/// Why a base URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base URL {url:?}: {reason}")]
pub struct BaseUrlError {
    /// The URL as given (user info removed).
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Checks a base URL against the one rule set of both clients: absolute, `https://` anywhere,
/// `http://` only to loopback (127.0.0.0/8, `::1`, `localhost`), with a host, and without user
/// info, query or fragment (they would be signed into every request, or leak credentials).
/// Returns the URL without a trailing slash.
pub fn check_base_url(url: &str) -> Result<String, BaseUrlError> {
    let parsed = reqwest::Url::parse(url.trim());
    let shown = match &parsed {
        Ok(parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let mut redacted = parsed.clone();
            let _ = redacted.set_username("");
            let _ = redacted.set_password(None);
            redacted.to_string()
        }
        _ => url.to_owned(),
    };
    let invalid = |reason| BaseUrlError {
        url: shown.clone(),
        reason,
    };
    let parsed = parsed.map_err(|_| invalid("not an absolute URL"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "user info (user:password@) is not allowed in a base URL",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or a fragment"));
    }
    let host = parsed
        .host()
        .ok_or_else(|| invalid("the URL has no host"))?;
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match host {
                url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
                url::Host::Ipv4(ip) => IpAddr::V4(ip).is_loopback(),
                url::Host::Ipv6(ip) => IpAddr::V6(ip).is_loopback(),
            };
            if !loopback {
                return Err(invalid(
                    "plain http:// is only allowed to loopback addresses; use https://",
                ));
            }
        }
        _ => return Err(invalid("the scheme must be https://")),
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// Connect, read and total timeouts, body-size scaling and per-operation overrides: the one home
/// of every deadline. The total applies to the whole call, retries included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP + TLS connection.
    pub connect: Duration,
    /// The longest silence while reading a response.
    pub read: Duration,
    /// The whole call, retries and their waits included.
    pub total: Duration,
    /// Added to `total` per started MiB of request body (document uploads).
    pub per_mib_of_body: Duration,
    /// Per-operation totals (generated method names), replacing the computed one.
    pub per_operation: BTreeMap<&'static str, Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(60),
            total: Duration::from_secs(60),
            per_mib_of_body: Duration::from_secs(10),
            per_operation: BTreeMap::new(),
        }
    }
}

impl Timeouts {
    /// The deadline of a call of `operation` with a request body of `body_len` bytes.
    pub fn for_call(&self, operation: &str, body_len: usize) -> Duration {
        if let Some(timeout) = self.per_operation.get(operation) {
            return *timeout;
        }
        let mib = u32::try_from(body_len.div_ceil(1 << 20)).unwrap_or(u32::MAX);
        self.total
            .saturating_add(self.per_mib_of_body.saturating_mul(mib))
    }
}

/// Which proxy requests go through.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `https_proxy` (and `ALL_PROXY`), honouring `NO_PROXY`: the default.
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Direct,
    /// Every request through this proxy URL (`http://host:port`, user info allowed), except the
    /// hosts of the comma-separated `no_proxy` list.
    Url {
        /// The proxy.
        url: String,
        /// Hosts reached directly (as in `NO_PROXY`).
        no_proxy: Option<String>,
    },
}

impl fmt::Debug for ProxySetting {
    // A proxy URL can carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnvironment => f.write_str("FromEnvironment"),
            Self::Direct => f.write_str("Direct"),
            Self::Url { no_proxy, .. } => f
                .debug_struct("Url")
                .field("url", &"<redacted>")
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpConfigError {
    /// TLS could not be configured (trust roots, client identity).
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The proxy URL is not usable.
    #[error("invalid proxy URL: {0}")]
    Proxy(#[source] reqwest::Error),
    /// reqwest refused the configuration.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// How long an idle pooled connection is kept for reuse.
const IDLE_CONNECTION_LIFETIME: Duration = Duration::from_secs(90);

/// Everything about how a client talks HTTP, shared by both builders.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Which CAs to trust for the server certificate.
    pub trust_roots: TrustRoots,
    /// The proxy.
    pub proxy: ProxySetting,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Response body caps.
    pub limits: ResponseLimits,
}

impl HttpConfig {
    /// Defaults with `user_agent`.
    pub fn new(user_agent: impl Into<String>) -> Self {
        Self {
            timeouts: Timeouts::default(),
            trust_roots: TrustRoots::Platform,
            proxy: ProxySetting::default(),
            user_agent: user_agent.into(),
            limits: ResponseLimits::default(),
        }
    }

    /// Builds the one HTTP client: rustls with verified certificates (and `identity` for mutual
    /// TLS), no redirects followed, the connect and read timeouts, the proxy, the user agent, and
    /// `reuse`'s rule in front of the connector (give the same value to the
    /// [`Transport`](crate::Transport), `with_connection_reuse`, so sequential calls keep one
    /// connection).
    pub fn build_client(
        &self,
        identity: Option<ClientIdentity>,
        reuse: &ConnectionReuse,
    ) -> Result<reqwest::Client, HttpConfigError> {
        let tls = client_config(&self.trust_roots, identity)?;
        let mut builder = crate::tls::http_client_builder(tls)
            .connect_timeout(self.timeouts.connect)
            .read_timeout(self.timeouts.read)
            // Mastercard asks clients (mTLS ones above all) to keep connections alive rather
            // than pay a handshake per request.
            .pool_idle_timeout(IDLE_CONNECTION_LIFETIME)
            .tcp_keepalive(IDLE_CONNECTION_LIFETIME)
            .user_agent(self.user_agent.clone())
            .connector_layer(reuse.layer());
        builder = match &self.proxy {
            // reqwest reads the environment itself unless told otherwise.
            ProxySetting::FromEnvironment => builder,
            ProxySetting::Direct => builder.no_proxy(),
            ProxySetting::Url { url, no_proxy } => {
                let proxy = reqwest::Proxy::all(url.as_str())
                    .map_err(HttpConfigError::Proxy)?
                    .no_proxy(no_proxy.as_deref().and_then(reqwest::NoProxy::from_string));
                builder.proxy(proxy)
            }
        };
        builder.build().map_err(HttpConfigError::HttpClient)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn one_rule_set_for_base_urls() {
        assert_eq!(
            check_base_url("https://api.mastercard.com/mastercom/").as_deref(),
            Ok("https://api.mastercard.com/mastercom")
        );
        assert!(check_base_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        assert!(check_base_url("http://localhost").is_ok());
        for (url, reason) in [
            ("http://api.mastercard.com", "loopback"),
            ("ftp://127.0.0.1", "scheme"),
            ("https://example.com/x?a=1", "query"),
            ("https://example.com/x#f", "fragment"),
            ("mastercard.com", "absolute"),
            ("https://[::1/x", "absolute"),
            ("https://example.com:99999", "absolute"),
        ] {
            let error = check_base_url(url).unwrap_err();
            assert!(error.reason.contains(reason), "{url}: {error}");
        }
        let error = check_base_url("https://user:s3cret@example.com").unwrap_err();
        assert!(error.reason.contains("user info"));
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn the_deadline_scales_with_the_body_unless_overridden() {
        let mut timeouts = Timeouts::default();
        assert_eq!(timeouts.for_call("x", 0), Duration::from_secs(60));
        assert_eq!(timeouts.for_call("x", 3 << 20), Duration::from_secs(90));
        timeouts.per_operation.insert("x", Duration::from_secs(5));
        assert_eq!(timeouts.for_call("x", 3 << 20), Duration::from_secs(5));
    }
}
