//! Requests received per operation, so a test can assert exactly how many calls a client made.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

/// Counts of requests routed to each operation (by `operationId`), whatever their outcome:
/// refused, faulted and answered requests all count, since each is a call the client made.
#[derive(Debug, Clone, Default)]
pub struct Calls {
    counts: Arc<Mutex<HashMap<String, usize>>>,
}

impl Calls {
    /// How many requests `operation_id` has received since the start or the last
    /// [`Calls::reset`].
    pub fn count(&self, operation_id: &str) -> usize {
        self.counts.lock().get(operation_id).copied().unwrap_or(0)
    }

    /// Forgets every count (a test seeds the model through the API, then counts what follows).
    pub fn reset(&self) {
        self.counts.lock().clear();
    }

    pub(crate) fn record(&self, operation_id: &str) {
        *self
            .counts
            .lock()
            .entry(operation_id.to_owned())
            .or_default() += 1;
    }
}
