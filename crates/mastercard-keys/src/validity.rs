//! The one certificate validity policy of the workspace: a certificate is used only between its
//! notBefore and notAfter dates, checked against a time the caller supplies.
//!
//! The same policy applies to JWE encryption certificates, the certificates of signing keys and
//! mTLS client identities, so an expired certificate is refused the same way everywhere.

use std::time::{SystemTime, UNIX_EPOCH};

use openssl::asn1::Asn1Time;

use crate::certificate::Certificate;
use crate::error::KeyError;

/// Whether, and at which instant, a certificate's validity period is enforced.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use mastercard_keys::ValidityPolicy;
///
/// // Production: the current time, read once by the caller.
/// let policy = ValidityPolicy::enforce_now();
/// // Tests: a fixed instant, or no check at all for throwaway certificates.
/// let fixed = ValidityPolicy::EnforceAt(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
/// assert_ne!(fixed, ValidityPolicy::IgnoreDates);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityPolicy {
    /// Refuse a certificate whose notAfter lies before this instant or whose notBefore lies after it.
    EnforceAt(SystemTime),
    /// Accept a certificate whatever its dates. Meant for test certificates (such as Mastercard's
    /// published test vectors); never for production keys.
    IgnoreDates,
}

impl ValidityPolicy {
    /// Enforces validity at the current system time. The one place this crate reads the clock;
    /// code that must be reproducible passes [`ValidityPolicy::EnforceAt`] instead.
    pub fn enforce_now() -> Self {
        Self::EnforceAt(SystemTime::now())
    }

    /// Checks `certificate` against the policy: [`KeyError::CertificateExpired`] or
    /// [`KeyError::CertificateNotYetValid`] (both naming the date and the subject) when outside
    /// its period.
    pub fn check(&self, certificate: &Certificate) -> Result<(), KeyError> {
        let Self::EnforceAt(now) = *self else {
            return Ok(());
        };
        let now = asn1_time(now)?;
        let compare = |date: &openssl::asn1::Asn1TimeRef| {
            date.compare(&now)
                .map_err(|stack| KeyError::crypto("compare certificate dates", &stack))
        };
        if compare(certificate.not_after())?.is_lt() {
            return Err(KeyError::CertificateExpired {
                subject: certificate.subject(),
                not_after: certificate.not_after().to_string(),
            });
        }
        if compare(certificate.not_before())?.is_gt() {
            return Err(KeyError::CertificateNotYetValid {
                subject: certificate.subject(),
                not_before: certificate.not_before().to_string(),
            });
        }
        Ok(())
    }
}

/// Converts a system time (before 1970 too) into OpenSSL's representation.
fn asn1_time(time: SystemTime) -> Result<Asn1Time, KeyError> {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    Asn1Time::from_unix(seconds)
        .map_err(|stack| KeyError::crypto("represent the check time", &stack))
}
