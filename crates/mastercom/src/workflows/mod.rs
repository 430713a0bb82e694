//! Multi-call workflows for limits the API puts on a single call, each in its own module:
//!
//! * [`queue`] — every claim of a queue over any date range: `getQueueSummaryPost` in windows
//!   of at most 5 days, each walked page by page (2,000 claims a page), as a stream;
//! * [`transactions`] — `transactionSearch` over any date range, in windows of at most 30 days;
//! * [`documents`] — documents checked before upload (type by content and by name, size from
//!   metadata, regular files only) and downloads saved by decoding a piece at a time.
//!
//! Lists of ids longer than one call allows are [`crate::batch`]'s concern.

mod base64;
pub mod documents;
pub mod queue;
mod time;
pub mod transactions;
mod window;

pub use base64::Base64Error;
pub use time::{DateParseError, Day, MINUTES_PER_DAY, Minute};
pub use window::RangeError;
