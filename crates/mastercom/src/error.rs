//! [`Error`]: the one error type of every failed Mastercom call — what went wrong, whether the
//! request may have reached Mastercard, Mastercard's own error entries whichever shape they
//! arrived in, and the typed cause (`source`): the guard's refusal, the signer's error, the
//! transport's.

use crate::guard::GuardRefusal;

pub use mastercard_transport::{
    Delivery, Diagnosis, Difference, ErrorKind, MastercardError, parse_errors,
};

mastercard_transport::client_error!(
    /// A failed Mastercom call. `Display` and `Debug` never contain bodies, keys or card numbers;
    /// the raw body is available through [`Error::raw_body`].
    Error
);

impl Error {
    /// The dispute-event guard's refusal, when the guard kept the request off the wire
    /// ([`ErrorKind::Refused`]): its reason and when the event may be sent again.
    pub fn guard_refusal(&self) -> Option<&GuardRefusal> {
        self.find_source::<GuardRefusal>()
    }

    /// When the refused call may be made (the guard's `retry_after`), if the guard refused it.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.guard_refusal()?.retry_after
    }
}
