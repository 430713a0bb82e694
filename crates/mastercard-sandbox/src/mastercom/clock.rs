//! The dispute model's time source. Mastercom's duplicate behaviour depends on how far apart
//! two events are (its 60-second blind spot), so tests need to step over that window without
//! waiting: they inject a [`ManualClock`]; a running sandbox uses the [`SystemClock`].

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, as the dispute model sees them.
pub trait Clock: Send + Sync + Debug {
    /// The current time in Unix seconds.
    fn now(&self) -> u64;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that moves only when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    secs: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `unix_secs`.
    pub fn new(unix_secs: u64) -> Self {
        Self {
            secs: Arc::new(AtomicU64::new(unix_secs)),
        }
    }

    /// A clock standing at the system's current time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.secs.fetch_add(by.as_secs(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.secs.load(Ordering::SeqCst)
    }
}

/// The clock a sandbox uses unless configured otherwise.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
