//! The guard's decision, as a pure function of the ledger entries of an event's keys and the
//! time: every ledger calls [`decide`] inside its own atomic step, so they all apply the same
//! rule, and the rule is tested without any store.

use std::fmt;
use std::time::Duration;

use super::policy::EventType;

/// How long entries block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// After a successful (or accepted) send of the same event: Mastercom cannot detect
    /// duplicates less than a minute apart. Default 60 s.
    pub duplicate: Duration,
    /// After an outcome-unknown failure of the same event (and while a send is in flight):
    /// Mastercom asks to wait an hour after a timeout before resubmitting. Default 1 h.
    pub unknown: Duration,
    /// Strict mode: between any two event-creating calls on one claim. Default 60 s.
    pub spacing: Duration,
}

impl Default for Windows {
    fn default() -> Self {
        Self {
            duplicate: Duration::from_secs(60),
            unknown: Duration::from_secs(3600),
            spacing: Duration::from_secs(60),
        }
    }
}

impl Windows {
    /// The longest window: entries older than this block nothing and may be deleted.
    pub fn longest(&self) -> Duration {
        self.duplicate.max(self.unknown).max(self.spacing)
    }
}

/// The state of a remembered key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Reserved and being sent — or its sender died, or the caller dropped the call's future,
    /// before the outcome was recorded; either way the request may have gone out, so it blocks
    /// like an unknown outcome.
    InFlight,
    /// Mastercard answered 2xx.
    Sent,
    /// The outcome is unknown (timeout, connection lost after sending, 408, 5xx).
    Unknown,
}

impl EntryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "in_flight",
            Self::Sent => "sent",
            Self::Unknown => "unknown",
        }
    }

    /// Parses [`EntryState::as_str`]; anything else reads as in flight (blocking is the safe
    /// reading of an unreadable row).
    pub fn parse_or_in_flight(text: &str) -> Self {
        [Self::InFlight, Self::Sent, Self::Unknown]
            .into_iter()
            .find(|state| state.as_str() == text)
            .unwrap_or(Self::InFlight)
    }
}

/// A remembered key: its state and when it entered it (ms since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The state.
    pub state: EntryState,
    /// When the state was recorded.
    pub at_ms: u64,
}

/// What a ledger key stands for; decides which window applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The dispute event (subject + event type + distinguishing fields): 60 s after a send,
    /// one hour after an unknown outcome.
    SameEvent,
    /// The exact request (operation + path + canonical body): same windows as `SameEvent`.
    IdenticalBody,
    /// The subject (claim) in strict mode: 60 s after any event-creating call on it.
    ClaimSpacing,
}

impl KeyKind {
    /// A stable name (part of the hashed key, so the kinds never share a ledger row).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameEvent => "event",
            Self::IdenticalBody => "body",
            Self::ClaimSpacing => "spacing",
        }
    }
}

/// One ledger row an event reserves. `id` is a hex SHA-256: ledgers never see claim ids,
/// transaction ids or bodies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LedgerKey {
    /// The row's key.
    pub id: String,
    /// What it stands for.
    pub kind: KeyKind,
}

/// The entry that stopped a reservation, and until when it blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    /// The key's kind.
    pub kind: KeyKind,
    /// The entry.
    pub entry: Entry,
    /// How long until no entry of the event blocks any more (if nothing else happens).
    pub retry_after: Duration,
}

/// What [`decide`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing blocks: reserve every key (as in flight) and send.
    Reserve,
    /// An entry blocks; nothing is reserved.
    Refuse(Blocking),
}

/// The window an entry of `kind` in `state` blocks for, counted from its `at_ms`.
pub fn window(kind: KeyKind, state: EntryState, windows: Windows) -> Duration {
    match (kind, state) {
        (KeyKind::ClaimSpacing, _) => windows.spacing,
        (_, EntryState::Sent) => windows.duplicate,
        (_, EntryState::InFlight | EntryState::Unknown) => windows.unknown,
    }
}

/// How long `entry` of `kind` still blocks at `now_ms` (zero: it no longer does).
pub fn remaining(kind: KeyKind, entry: Entry, now_ms: u64, windows: Windows) -> Duration {
    let window_ms =
        u64::try_from(window(kind, entry.state, windows).as_millis()).unwrap_or(u64::MAX);
    let until = entry.at_ms.saturating_add(window_ms);
    Duration::from_millis(until.saturating_sub(now_ms))
}

/// The rule. `entries` are the current entries (if any) of an event's keys; the event may be
/// sent if none of them blocks at `now_ms`. Otherwise the refusal names the entry that blocks
/// longest, and `retry_after` is when the last of them stops blocking.
pub fn decide(entries: &[(KeyKind, Option<Entry>)], now_ms: u64, windows: Windows) -> Decision {
    let mut worst: Option<Blocking> = None;
    for (kind, entry) in entries {
        let Some(entry) = entry else { continue };
        let left = remaining(*kind, *entry, now_ms, windows);
        if left.is_zero() {
            continue;
        }
        if worst.is_none_or(|worst| left > worst.retry_after) {
            worst = Some(Blocking {
                kind: *kind,
                entry: *entry,
                retry_after: left,
            });
        }
    }
    worst.map_or(Decision::Reserve, Decision::Refuse)
}

/// Why the guard did not send an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The same dispute event was accepted less than the duplicate window (60 s) ago.
    Duplicate,
    /// An earlier attempt of the same event ended without a known outcome (timeout, lost
    /// connection, 5xx) less than an hour ago: it may exist at Mastercom.
    OutcomeUnknown,
    /// The same event is being sent by another caller, or its sender stopped before recording
    /// the outcome.
    InFlight,
    /// Strict mode: another event-creating call on the same claim less than 60 s ago.
    Spacing,
    /// The ledger could not be used; nothing was sent.
    LedgerUnavailable,
}

impl RefusalReason {
    /// A stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::InFlight => "in_flight",
            Self::Spacing => "spacing",
            Self::LedgerUnavailable => "ledger_unavailable",
        }
    }

    /// The reason an entry gives.
    pub fn of(blocking: &Blocking) -> Self {
        match (blocking.kind, blocking.entry.state) {
            (KeyKind::ClaimSpacing, _) => Self::Spacing,
            (_, EntryState::Sent) => Self::Duplicate,
            (_, EntryState::Unknown) => Self::OutcomeUnknown,
            (_, EntryState::InFlight) => Self::InFlight,
        }
    }
}

/// The guard's refusal: typed, with when the call may be made again. Never contains bodies,
/// card numbers or keys; the claim id is the one the caller put in the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardRefusal {
    /// Why.
    pub reason: RefusalReason,
    /// When the same call would no longer be refused (if nothing else happens meanwhile); `None`
    /// when the guard cannot tell (ledger unavailable).
    pub retry_after: Option<Duration>,
    /// How long ago the blocking entry was recorded.
    pub since: Option<Duration>,
    /// The spec's operationId.
    pub operation_id: String,
    /// The event type.
    pub event_type: Option<EventType>,
    /// The claim id from the path, when the operation has one (for the advice to check it).
    pub claim_id: Option<String>,
    /// For `LedgerUnavailable`: what failed.
    pub detail: Option<String>,
}

impl GuardRefusal {
    /// The refusal `blocking` gives for an event.
    pub fn from_blocking(
        blocking: &Blocking,
        now_ms: u64,
        operation_id: &str,
        event_type: EventType,
        claim_id: Option<String>,
    ) -> Self {
        Self {
            reason: RefusalReason::of(blocking),
            retry_after: Some(blocking.retry_after),
            since: Some(Duration::from_millis(
                now_ms.saturating_sub(blocking.entry.at_ms),
            )),
            operation_id: operation_id.to_owned(),
            event_type: Some(event_type),
            claim_id,
            detail: None,
        }
    }

    fn check_advice(&self) -> String {
        self.claim_id.as_deref().map_or_else(
            || "retrieve the claim or case status".to_owned(),
            |claim| format!("call get_claim_detail(\"{claim}\")"),
        )
    }
}

fn seconds(duration: Option<Duration>) -> u64 {
    duration.map_or(0, |duration| {
        u64::try_from(duration.as_millis().div_ceil(1000)).unwrap_or(u64::MAX)
    })
}

impl fmt::Display for GuardRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let event = self.event_type.map_or("dispute event", EventType::as_str);
        let on = self
            .claim_id
            .as_deref()
            .map_or_else(String::new, |claim| format!(" on claim {claim}"));
        let ago = seconds(self.since);
        let left = seconds(self.retry_after);
        match self.reason {
            RefusalReason::Duplicate => write!(
                f,
                "duplicate dispute event prevented ({}): the same {event}{on} was accepted {ago} s ago, and Mastercom cannot \
                 detect duplicates less than 60 s apart; not sent. If another event is really \
                 meant, retry after {left} s",
                self.operation_id
            ),
            RefusalReason::OutcomeUnknown => write!(
                f,
                "earlier attempt of this dispute event has an unknown outcome ({}: {event}{on}, {ago} s ago: timeout, lost connection or server error), so \
                 it may already exist; not sent. Check the status first ({}); Mastercom asks to \
                 wait one hour before resubmitting ({} min left)",
                self.operation_id,
                self.check_advice(),
                left.div_ceil(60)
            ),
            RefusalReason::InFlight => write!(
                f,
                "the same dispute event is being sent by another caller ({}: {event}{on}, reserved {ago} s ago) or its sender \
                 stopped before the outcome was known; not sent. Check the status first ({})",
                self.operation_id,
                self.check_advice()
            ),
            RefusalReason::Spacing => write!(
                f,
                "dispute events on one claim spaced ({}): another dispute event{on} was sent {ago} s ago and strict spacing keeps \
                 event-creating calls on one claim 60 s apart; not sent, retry after {left} s",
                self.operation_id
            ),
            RefusalReason::LedgerUnavailable => write!(
                f,
                "dispute-event ledger unavailable ({}); not sent, to avoid a possible duplicate. Check the ledger's path or \
                 server",
                self.detail.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

impl std::error::Error for GuardRefusal {}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;

    fn entry(state: EntryState, at_ms: u64) -> Option<Entry> {
        Some(Entry { state, at_ms })
    }

    #[test]
    fn each_state_blocks_for_its_window() {
        let windows = Windows::default();
        let sent = [(KeyKind::SameEvent, entry(EntryState::Sent, 0))];
        let Decision::Refuse(blocking) = decide(&sent, 59_000, windows) else {
            panic!("sent blocks at 59 s")
        };
        assert_eq!(blocking.retry_after, Duration::from_secs(1));
        assert_eq!(decide(&sent, MIN, windows), Decision::Reserve);

        let unknown = [(KeyKind::SameEvent, entry(EntryState::Unknown, 0))];
        assert!(matches!(
            decide(&unknown, 59 * MIN, windows),
            Decision::Refuse(_)
        ));
        assert_eq!(decide(&unknown, 60 * MIN, windows), Decision::Reserve);

        let spacing = [(KeyKind::ClaimSpacing, entry(EntryState::Unknown, 0))];
        assert!(matches!(
            decide(&spacing, 59_999, windows),
            Decision::Refuse(_)
        ));
        assert_eq!(decide(&spacing, MIN, windows), Decision::Reserve);
    }

    #[test]
    fn the_longest_block_wins() {
        let entries = [
            (KeyKind::ClaimSpacing, entry(EntryState::Sent, 0)),
            (KeyKind::SameEvent, entry(EntryState::Unknown, 0)),
            (KeyKind::IdenticalBody, None),
        ];
        let Decision::Refuse(blocking) = decide(&entries, 1_000, Windows::default()) else {
            panic!("blocked")
        };
        assert_eq!(RefusalReason::of(&blocking), RefusalReason::OutcomeUnknown);
        assert_eq!(
            blocking.retry_after,
            Duration::from_millis(60 * MIN - 1_000)
        );
    }

    #[test]
    fn the_refusal_says_when_to_retry() {
        let refusal = GuardRefusal {
            reason: RefusalReason::Spacing,
            retry_after: Some(Duration::from_millis(12_345)),
            since: Some(Duration::from_secs(47)),
            operation_id: "createFee".into(),
            event_type: Some(EventType::Fee),
            claim_id: Some("200002020654".into()),
            detail: None,
        };
        let message = refusal.to_string();
        assert!(message.contains("retry after 13 s"), "{message}");
    }
}
