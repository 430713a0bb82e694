//! The exit statuses of `mastercard mastercom` and `mastercard api`: one class per outcome, so a
//! script can tell "nothing was sent" from "may have been sent" from "Mastercard said no".

use mastercom::{Delivery, ErrorKind};

/// Exit status: the command line is wrong.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: Mastercard rejected the request (4xx).
pub const EXIT_REJECTED: u8 = 3;
/// Exit status: nothing was sent.
pub const EXIT_NOT_SENT: u8 = 4;
/// Exit status: the request may have been sent; its outcome is unknown.
pub const EXIT_UNKNOWN: u8 = 5;
/// Exit status: Mastercard failed or answered outside the spec.
pub const EXIT_SERVER: u8 = 6;

/// The exit status of a failed call (the table in `mastercom.rs`'s module docs).
pub fn exit_status(error: &mastercom::Error) -> u8 {
    match error.delivery() {
        Delivery::NotSent => EXIT_NOT_SENT,
        Delivery::MayHaveBeenSent => EXIT_UNKNOWN,
        Delivery::Received => match error.status() {
            Some(status) if status.is_client_error() && error.kind() == ErrorKind::Api => {
                EXIT_REJECTED
            }
            _ => EXIT_SERVER,
        },
    }
}
