//! Replay protection: remembering which nonces a consumer key has used.

use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};

/// Where a [`crate::Verifier`] remembers nonces. Implement it over a shared cache to verify on
/// several instances.
pub trait NonceStore: Send + Sync {
    /// Records `nonce` for `consumer_key` (sent at `timestamp`, seen at `now`); returns `false`
    /// when it was already recorded, i.e. the request is a replay.
    fn check_and_record(&self, consumer_key: &str, nonce: &str, timestamp: u64, now: u64) -> bool;
}

/// An in-process [`NonceStore`] bounded in size.
///
/// Entries older than `retention_secs` are dropped (the verifier's timestamp window rejects those
/// requests anyway); when `capacity` is reached the oldest entry is dropped, so under a flood a very
/// old nonce could be accepted again — size the capacity above the expected requests per window.
#[derive(Debug)]
pub struct InMemoryNonceStore {
    capacity: usize,
    retention_secs: u64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    seen: HashSet<(String, String)>,
    order: VecDeque<(u64, String, String)>,
}

impl InMemoryNonceStore {
    /// A store keeping at most `capacity` nonces for at most `retention_secs` each.
    pub fn new(capacity: usize, retention_secs: u64) -> Self {
        Self {
            capacity: capacity.max(1),
            retention_secs,
            state: Mutex::new(State::default()),
        }
    }

    /// Number of nonces currently remembered.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked mid-way (each step is atomic), so a
        // poisoned lock is used as is instead of propagating the panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for InMemoryNonceStore {
    /// 100 000 nonces for 15 minutes.
    fn default() -> Self {
        Self::new(100_000, 900)
    }
}

impl NonceStore for InMemoryNonceStore {
    fn check_and_record(&self, consumer_key: &str, nonce: &str, _timestamp: u64, now: u64) -> bool {
        let mut state = self.lock();
        let State { seen, order } = &mut *state;
        while let Some((recorded, key, old)) = order.front() {
            let expired = recorded.saturating_add(self.retention_secs) < now;
            if !expired && order.len() < self.capacity {
                break;
            }
            seen.remove(&(key.clone(), old.clone()));
            order.pop_front();
        }
        let entry = (consumer_key.to_owned(), nonce.to_owned());
        if seen.contains(&entry) {
            return false;
        }
        seen.insert(entry.clone());
        order.push_back((now, entry.0, entry.1));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_replays_per_consumer_key() {
        let store = InMemoryNonceStore::new(10, 60);
        assert!(store.check_and_record("a", "n", 1, 100));
        assert!(!store.check_and_record("a", "n", 1, 101));
        assert!(store.check_and_record("b", "n", 1, 101));
    }

    #[test]
    fn is_bounded_and_expires() {
        let store = InMemoryNonceStore::new(2, 60);
        assert!(store.check_and_record("a", "1", 1, 100));
        assert!(store.check_and_record("a", "2", 1, 100));
        assert!(store.check_and_record("a", "3", 1, 100));
        assert_eq!(store.len(), 2);
        assert!(
            store.check_and_record("a", "1", 1, 100),
            "evicted as the oldest"
        );
        let expiring = InMemoryNonceStore::new(10, 60);
        assert!(expiring.check_and_record("a", "1", 1, 100));
        assert!(expiring.check_and_record("a", "2", 1, 200));
        assert_eq!(expiring.len(), 1);
    }
}
