//! How long and how much the sandbox gives a client before it closes the connection or refuses
//! the request. Every byte from a client is untrusted, so each phase of a connection is bounded.

use std::time::Duration;

/// Largest Mastercom request body by default: 32 MiB.
///
/// The largest thing the published Mastercom spec lets a client send is one `fileAttachment`
/// whose `file` is "Length: 1-22000000" characters of base64 (`DocumentStructure`; one per
/// request). 22,000,000 bytes plus the rest of the JSON envelope (its longest other field is
/// 13,000 characters) fits in 32 MiB with room to spare.
pub const MASTERCOM_MAX_BODY: usize = 32 * 1024 * 1024;

/// Largest Identity Insights request body by default: 1 MiB.
///
/// `TransactionInsightsData`'s length-bounded fields add up to about 27 KB even with every
/// character JSON-escaped; the unbounded ones are browser strings (user agent, plugin list).
/// The JWE envelope grows that by a third (base64url). 1 MiB leaves a wide margin.
pub const IIT_MAX_BODY: usize = 1024 * 1024;

/// Connection and request limits of both listeners (each listener applies them on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// A TLS handshake must complete within this after the TCP connection was accepted;
    /// otherwise the connection is closed. Default 10 s.
    pub tls_handshake_timeout: Duration,
    /// A request's headers must be complete within this after the server starts waiting for
    /// them: when the connection is ready, and again after each response. It therefore also
    /// bounds how long a kept-alive connection may sit idle between requests (hyper's
    /// `header_read_timeout`). Default 30 s.
    pub header_read_timeout: Duration,
    /// A connection on which no byte was read or written for this long is closed, whatever it
    /// was doing: a request body that stopped arriving, a response the client stopped reading,
    /// or a handler delayed longer than this by a latency fault. Default 60 s.
    pub idle_timeout: Duration,
    /// Open connections per listener (TLS handshakes included). A connection accepted beyond
    /// the cap is closed at once, so a client learns it immediately instead of waiting in the
    /// kernel's backlog until its own connect timeout. Default 256: far above what the tests
    /// and the demo use (8 at most), and both listeners together (512) stay under the common
    /// soft limit of 1024 file descriptors.
    pub max_connections: usize,
    /// Longest request head (request line + headers) in bytes; a longer one is answered
    /// `431 Request Header Fields Too Large`. Default 64 KiB (an OAuth1 `Authorization` header
    /// is under 1 KiB).
    pub max_header_bytes: usize,
    /// First pause after an accept error that is not about one connection (out of file
    /// descriptors, out of memory); it doubles on each further error up to
    /// [`Limits::accept_backoff_max`] and resets after a successful accept. Default 10 ms.
    pub accept_backoff_min: Duration,
    /// Longest pause between two accept attempts while accepting fails. Default 1 s.
    pub accept_backoff_max: Duration,
    /// Largest Mastercom request body ([`MASTERCOM_MAX_BODY`] by default); a larger one is
    /// refused with 413.
    pub mastercom_max_body: usize,
    /// Largest Identity Insights request body ([`IIT_MAX_BODY`] by default); a larger one is
    /// refused with 413.
    pub iit_max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            tls_handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
            max_header_bytes: 64 * 1024,
            accept_backoff_min: Duration::from_millis(10),
            accept_backoff_max: Duration::from_secs(1),
            mastercom_max_body: MASTERCOM_MAX_BODY,
            iit_max_body: IIT_MAX_BODY,
        }
    }
}
