//! Nonces (16 characters `[0-9A-Za-z]` from OpenSSL's CSPRNG, as Mastercard's Java signer) and clocks.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{SignError, describe};

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Length of generated nonces (Mastercard's signers moved from 32 to 16: some services reject 32).
pub const NONCE_LEN: usize = 16;

/// A fresh random nonce.
pub fn generate_nonce() -> Result<String, SignError> {
    let mut nonce = String::with_capacity(NONCE_LEN);
    let mut buffer = [0u8; 32];
    while nonce.len() < NONCE_LEN {
        openssl::rand::rand_bytes(&mut buffer).map_err(|stack| SignError::Crypto {
            operation: "generate a nonce",
            detail: describe(&stack),
        })?;
        // Rejection sampling keeps the 62 symbols uniform: 248 = 4 × 62.
        for &byte in buffer.iter().filter(|&&byte| byte < 248) {
            if nonce.len() == NONCE_LEN {
                break;
            }
            nonce.push(char::from(ALPHABET[usize::from(byte % 62)]));
        }
    }
    Ok(nonce)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> Result<u64, SignError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .map_err(|_| SignError::Clock)
}

/// Whether an injected nonce is safe to place raw in the header and the base string.
pub(crate) fn nonce_is_valid(nonce: &str) -> bool {
    (1..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_sixteen_alphanumerics_and_differ() {
        let first = generate_nonce().unwrap_or_default();
        let second = generate_nonce().unwrap_or_default();
        assert_eq!(first.len(), NONCE_LEN);
        assert!(first.bytes().all(|byte| byte.is_ascii_alphanumeric()));
        assert_ne!(first, second);
    }
}
