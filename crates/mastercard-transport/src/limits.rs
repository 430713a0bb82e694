//! Caps on response bodies: a server that answers with gigabytes must not take the process with
//! it. Bodies are read chunk by chunk and reading stops as soon as the cap is passed.

use bytes::{Bytes, BytesMut};
use reqwest::Response;

/// How many bytes a response body may have. Defaults are sized from the Mastercom spec: a
/// document is at most 22,000,000 characters of base64, plus its JSON envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseLimits {
    /// Cap for a 2xx body (default 32 MiB).
    pub success: usize,
    /// Cap for any other body (default 64 KiB: Mastercard's error bodies are a few hundred bytes).
    pub error: usize,
}

impl Default for ResponseLimits {
    fn default() -> Self {
        Self {
            success: 32 << 20,
            error: 64 << 10,
        }
    }
}

impl ResponseLimits {
    /// The cap for a response with `status`.
    pub fn for_status(&self, status: reqwest::StatusCode) -> usize {
        if status.is_success() {
            self.success
        } else {
            self.error
        }
    }
}

/// Why [`read_capped`] stopped.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body passed the cap (declared by `Content-Length` or while reading).
    TooLarge,
    /// The transport failed while reading.
    Transport(reqwest::Error),
}

/// Reads `response`'s body, failing as soon as it is known to exceed `limit` bytes. Memory
/// stays within `limit` plus one chunk.
pub(crate) async fn read_capped(mut response: Response, limit: usize) -> Result<Bytes, ReadError> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    // A declared length is a hint, not a promise: reserve it (it is within the cap), but keep
    // counting what actually arrives.
    let reserve = declared.map_or(0, |length| usize::try_from(length).unwrap_or(0));
    let mut body = BytesMut::with_capacity(reserve);
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
