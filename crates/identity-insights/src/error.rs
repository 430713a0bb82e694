//! The errors of this crate: [`BuildError`] before any request, [`Error`] for a call.
//!
//! Messages never contain request or response bodies, keys or personal data; Mastercard's own
//! error fields (`ReasonCode`, `Description`, `Details` — which lists offending field *names*)
//! are kept as data, not in the `Display` text.

use std::error::Error as _;
use std::fmt;

use mastercard_jwe::JweError;
use mastercard_keys::KeyError;
use mastercard_transport::tls::TlsError;
use reqwest::StatusCode;

use crate::types;

/// The response header that carries Mastercard's correlation id; quote it to Mastercard support.
pub const CORRELATION_ID_HEADER: &str = "x-mc-correlation-id";

/// Why an [`IdentityInsightsClient`](crate::IdentityInsightsClient) could not be built. Nothing
/// has been sent when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A required setting was not given.
    #[error("missing setting: {0}")]
    Missing(&'static str),
    /// The base URL cannot be parsed or has no host.
    #[error("invalid base URL: {0}")]
    InvalidBaseUrl(String),
    /// Plain HTTP to a host other than a loopback address.
    #[error("refusing plain http:// to {host}: only loopback addresses may be reached without TLS")]
    InsecureBaseUrl {
        /// The host that was given.
        host: String,
    },
    /// An environment variable has a value this crate does not understand.
    #[error("environment variable {name}: {reason}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// What is wrong with its value (never the value itself: it may be a password).
        reason: String,
    },
    /// A key, certificate or PKCS#12 container could not be used (unreadable file, wrong
    /// password, unknown alias, not RSA, …).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The mTLS client identity or the trust roots were refused: expired or not yet valid client
    /// certificate, certificate/key mismatch, invalid CA.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The encryption certificate or decryption key was refused.
    #[error("payload encryption: {0}")]
    Encryption(#[from] JweError),
    /// reqwest could not build its HTTP client.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// The OAuth1 signing key cannot sign (e.g. not RSA, too small).
    #[error("the OAuth1 signing key cannot sign requests: {0}")]
    Signer(String),
}

/// One error entry of Mastercard's `{"Errors":{"Error":[…]}}` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Where the error occurred, e.g. `IIT` or `Gateway`.
    pub source: Option<String>,
    /// The machine-readable reason, e.g. `VALIDATION_ERROR`.
    pub reason_code: Option<String>,
    /// A human-readable description.
    pub description: Option<String>,
    /// Whether retrying the same request could succeed.
    pub recoverable: Option<bool>,
    /// More detail, e.g. the names of the offending fields.
    pub details: Option<String>,
}

impl From<types::Error> for ApiError {
    fn from(error: types::Error) -> Self {
        Self {
            source: error.source,
            reason_code: error.reason_code,
            description: error.description,
            recoverable: error.recoverable,
            details: error.details,
        }
    }
}

/// Whether the server may have received a failed request: decides whether resubmitting it is
/// safe without first checking for its effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The request never reached the server's HTTP layer (connection refused, DNS, TLS handshake
    /// refused, connect timeout, or it failed before sending).
    NotSent,
    /// The request may have been received and processed (timeout after sending, connection
    /// reset, any response).
    MayHaveBeenSent,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Mastercard answered with its error body (any status).
    #[error("{status} from Identity Insights: {}", summary(errors))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The error entries, at least one.
        errors: Vec<ApiError>,
        /// The `X-MC-Correlation-ID` of the response.
        correlation_id: Option<String>,
    },
    /// A response arrived whose body is not what the API documents for its status: not JSON, not
    /// the expected shape, or an undocumented status without Mastercard's error body.
    #[error("unexpected response {status} from Identity Insights: {reason}")]
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// What was wrong (a parser position, never body content).
        reason: String,
        /// The `X-MC-Correlation-ID` of the response.
        correlation_id: Option<String>,
    },
    /// The response was encrypted, but could not be decrypted (encrypted for another key,
    /// tampered, unsupported algorithm). The request was processed.
    #[error("cannot decrypt the {status} response: {source}")]
    Decryption {
        /// The HTTP status.
        status: StatusCode,
        /// Why.
        source: JweError,
        /// The `X-MC-Correlation-ID` of the response.
        correlation_id: Option<String>,
    },
    /// The request body could not be encrypted; nothing was sent.
    #[error("cannot encrypt the request: {0}")]
    Encryption(JweError),
    /// The request could not be built or was refused before sending (e.g. a field failed the
    /// spec's validation); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// No response: the connection, TLS or HTTP exchange failed, or it timed out.
    #[error("{kind} ({}): {message}", delivery_text(*delivery))]
    Transport {
        /// What kind of failure.
        kind: TransportKind,
        /// Whether the server may have received the request.
        delivery: Delivery,
        /// reqwest's and the TLS layer's description (no bodies).
        message: String,
    },
}

/// The kind of a [`Error::Transport`] failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Establishing the TCP connection failed or timed out.
    Connect,
    /// The TLS handshake was refused (e.g. no or an untrusted client certificate, an untrusted
    /// server certificate).
    TlsHandshake,
    /// The call exceeded its timeout after the request was sent.
    Timeout,
    /// The connection broke during the exchange (reset, closed early, protocol error).
    Connection,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection failed",
            Self::TlsHandshake => "TLS handshake refused",
            Self::Timeout => "timed out",
            Self::Connection => "connection broken",
        })
    }
}

fn delivery_text(delivery: Delivery) -> &'static str {
    match delivery {
        Delivery::NotSent => "request not sent",
        Delivery::MayHaveBeenSent => "request may have been sent",
    }
}

fn summary(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|error| {
            format!(
                "{} ({})",
                error.reason_code.as_deref().unwrap_or("no reason code"),
                error.description.as_deref().unwrap_or("no description")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// Whether the server may have received the request. `false` means resubmitting cannot
    /// duplicate anything; `true` means it may already have been processed.
    pub fn request_may_have_been_sent(&self) -> bool {
        self.delivery() == Delivery::MayHaveBeenSent
    }

    /// Whether the request reached the server, as far as the client can tell.
    pub fn delivery(&self) -> Delivery {
        match self {
            Self::Api { .. } | Self::InvalidResponse { .. } | Self::Decryption { .. } => {
                Delivery::MayHaveBeenSent
            }
            Self::Encryption(_) | Self::InvalidRequest(_) => Delivery::NotSent,
            Self::Transport { delivery, .. } => *delivery,
        }
    }

    /// The `X-MC-Correlation-ID` of the response, when one arrived.
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Api { correlation_id, .. }
            | Self::InvalidResponse { correlation_id, .. }
            | Self::Decryption { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::InvalidResponse { status, .. }
            | Self::Decryption { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Classifies a reqwest failure that produced no response.
    pub(crate) fn transport(error: &reqwest::Error) -> Self {
        let (kind, delivery) = if tls_failure(error) {
            // With TLS 1.3 the client finishes its side of the handshake before the server has
            // checked the client certificate, so a refused certificate surfaces while the request
            // is being written. The server's HTTP layer still never saw it: TLS delivers no
            // application data on a connection whose handshake failed.
            (TransportKind::TlsHandshake, Delivery::NotSent)
        } else if error.is_connect() {
            (TransportKind::Connect, Delivery::NotSent)
        } else if error.is_timeout() {
            (TransportKind::Timeout, Delivery::MayHaveBeenSent)
        } else {
            (TransportKind::Connection, Delivery::MayHaveBeenSent)
        };
        Self::Transport {
            kind,
            delivery,
            message: chain_text(error),
        }
    }
}

/// Whether a rustls handshake error (a refused or untrusted certificate, an alert from the
/// peer) is anywhere in the error's source chain.
fn tls_failure(error: &reqwest::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(cause) = current {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return is_handshake_error(tls);
        }
        // tokio-rustls reports rustls errors as `io::Error`s wrapping them.
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && let Some(tls) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return is_handshake_error(tls);
        }
        current = cause.source();
    }
    false
}

fn is_handshake_error(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::AlertReceived(_)
            | rustls::Error::InvalidCertificate(_)
            | rustls::Error::NoCertificatesPresented
            | rustls::Error::PeerIncompatible(_)
            | rustls::Error::InappropriateHandshakeMessage { .. }
            | rustls::Error::HandshakeNotComplete
    )
}

/// reqwest's message and its causes, joined: reqwest alone says only "error sending request".
fn chain_text(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        current = cause.source();
    }
    text
}
