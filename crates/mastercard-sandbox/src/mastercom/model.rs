//! The stateful dispute model: seeded transactions, claims and everything hanging off them
//! (chargebacks, retrievals, fees, fraud reports), case filings and reconciliation reports.
//!
//! Entities are plain serde structs behind one lock; with persistence, every changed claim or
//! case is written through to SQLite as a JSON blob.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clock::Clock;
use super::errors::ApiError;
use crate::SandboxError;
use crate::store::Store;

/// Two dispute events of the same type on the same claim closer than this are both created
/// (Mastercom's own limitation: its duplicate check does not see an event still being
/// processed); a later one is refused as a duplicate.
pub const DUPLICATE_WINDOW_SECS: u64 = 60;

/// How often Mastercom's duplicate behaviour came into play, for tests that assert a client
/// never made the sandbox create a duplicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DuplicateEvents {
    /// Events created although an event of the same type on the same claim was less than
    /// [`DUPLICATE_WINDOW_SECS`] older (Mastercom's blind spot: real duplicates).
    pub created: u64,
    /// Events refused with `DUPLICATE_EVENT` (the same event again after the window).
    pub refused: u64,
}

/// A seeded authorization + clearing pair that transaction search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedTransaction {
    /// Authorization transaction id (`authTransactionId`).
    pub auth_transaction_id: &'static str,
    /// Clearing transaction id (`clearingTransactionId`).
    pub clearing_transaction_id: &'static str,
    /// Card number.
    pub primary_account_num: &'static str,
    /// Acquirer reference number.
    pub acquirer_ref_num: &'static str,
    /// Banknet reference number.
    pub banknet_ref_num: &'static str,
    /// Transaction date (`YYYY-MM-DD`).
    pub date: &'static str,
    /// Amount in the currency's major unit, as Mastercom formats it.
    pub amount: &'static str,
    /// ISO 4217 numeric currency code.
    pub currency: &'static str,
    /// Merchant name.
    pub merchant: &'static str,
}

/// The transactions every sandbox starts with (2024-03-14, 2024-05-02, 2024-07-21, 2024-10-09;
/// a search spans at most 30 days, so e.g. `2024-03-01`..`2024-03-31` finds the first).
pub const SEED_TRANSACTIONS: &[SeedTransaction] = &[
    SeedTransaction {
        auth_transaction_id: "AUTH-0000000001",
        clearing_transaction_id: "CLR-0000000001",
        primary_account_num: "5154676300000001",
        acquirer_ref_num: "05436847276000293995738",
        banknet_ref_num: "MCC0000001",
        date: "2024-03-14",
        amount: "125.00",
        currency: "840",
        merchant: "SANDBOX BOOKS",
    },
    SeedTransaction {
        auth_transaction_id: "AUTH-0000000002",
        clearing_transaction_id: "CLR-0000000002",
        primary_account_num: "5154676300000001",
        acquirer_ref_num: "05436847276000293995739",
        banknet_ref_num: "MCC0000002",
        date: "2024-05-02",
        amount: "49.99",
        currency: "840",
        merchant: "SANDBOX AIRLINES",
    },
    SeedTransaction {
        auth_transaction_id: "AUTH-0000000003",
        clearing_transaction_id: "CLR-0000000003",
        primary_account_num: "5204730000000002",
        acquirer_ref_num: "05436847276000293995740",
        banknet_ref_num: "MCC0000003",
        date: "2024-07-21",
        amount: "980.10",
        currency: "978",
        merchant: "SANDBOX HOTEL",
    },
    SeedTransaction {
        auth_transaction_id: "AUTH-0000000004",
        clearing_transaction_id: "CLR-0000000004",
        primary_account_num: "5204730000000002",
        acquirer_ref_num: "05436847276000293995741",
        banknet_ref_num: "MCC0000004",
        date: "2024-10-09",
        amount: "15.00",
        currency: "826",
        merchant: "SANDBOX CAFE",
    },
];

/// A document as uploaded (`fileAttachment`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Document {
    /// File name.
    pub filename: String,
    /// Base64 content as received.
    pub file: String,
}

/// A chargeback-family event on a claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Chargeback {
    /// `chargebackId`.
    pub id: String,
    /// `chargebackRefNum`.
    pub ref_num: String,
    /// `CHARGEBACK`, `SECOND_PRESENTMENT`, `ARBITRATION_CHARGEBACK` or `REVERSAL`.
    pub stage: String,
    /// Amount.
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// Reason code.
    pub reason_code: String,
    /// Message text.
    pub message_text: String,
    /// Document indicator.
    pub document_indicator: String,
    /// The chargeback this one reverses.
    pub reverses: Option<String>,
    /// Whether a later reversal undid it.
    pub reversed: bool,
    /// Whether the receiving side acknowledged it (moves the claim to the worked queue).
    pub acknowledged: bool,
    /// Debit Mastercard / Europe dual-message variant.
    pub debit_mc: bool,
    /// Supporting documents.
    pub documents: Vec<Document>,
    /// Memo from updates.
    pub memo: String,
    /// Creation time (Unix seconds).
    pub created: u64,
}

/// A retrieval request and its fulfilment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Retrieval {
    /// `requestId`.
    pub id: String,
    /// `OPEN`, `FULFILLED`, `APPROVED` or `REJECTED`.
    pub status: String,
    /// Documentation needed.
    pub doc_needed: String,
    /// Reason.
    pub reason: String,
    /// Acquirer response code.
    pub acquirer_response_cd: String,
    /// Acquirer memo.
    pub acquirer_memo: String,
    /// Issuer response code.
    pub issuer_response_cd: String,
    /// Issuer reject reason.
    pub issuer_reject_cd: String,
    /// Issuer memo.
    pub issuer_memo: String,
    /// Debit Mastercard variant.
    pub debit_mc: bool,
    /// Fulfilment documents.
    pub documents: Vec<Document>,
    /// Creation time (Unix seconds).
    pub created: u64,
}

/// A claim (a dispute on one transaction).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claim {
    /// `claimId`.
    pub id: String,
    /// Clearing transaction id.
    pub clearing_transaction_id: String,
    /// Authorization transaction id.
    pub auth_transaction_id: String,
    /// `Standard`.
    pub claim_type: String,
    /// Disputed amount.
    pub amount: String,
    /// Disputed currency.
    pub currency: String,
    /// Open or closed.
    pub open: bool,
    /// Close reason code.
    pub close_reason: String,
    /// Creation time.
    pub created: u64,
    /// Last change.
    pub modified: u64,
    /// Chargebacks, second presentments, arbitration chargebacks and reversals, in order.
    pub chargebacks: Vec<Chargeback>,
    /// Retrieval requests.
    pub retrievals: Vec<Retrieval>,
    /// Fees, as `FeeDetails`.
    pub fees: Vec<Value>,
    /// Fraud reports (raw request bodies with their id).
    pub frauds: Vec<Value>,
    /// When the last fee of each reason and the last fraud report were created, for the
    /// duplicate check (`FeeDetails` and the fraud bodies carry no time of day).
    #[serde(default)]
    pub event_times: BTreeMap<String, u64>,
}

impl Claim {
    fn seed(&self) -> Option<&'static SeedTransaction> {
        SEED_TRANSACTIONS
            .iter()
            .find(|t| t.clearing_transaction_id == self.clearing_transaction_id)
    }

    /// The queue the claim sits in: `Closed`, `Worked` once every event was acknowledged,
    /// `Unworked` otherwise.
    pub fn queue(&self) -> &'static str {
        if !self.open {
            "Closed"
        } else if !self.chargebacks.is_empty() && self.chargebacks.iter().all(|c| c.acknowledged) {
            "Worked"
        } else {
            "Unworked"
        }
    }
}

/// A case filing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Case {
    /// `caseId`.
    pub id: String,
    /// The claim it belongs to, when a chargeback reference matched.
    pub claim_id: String,
    /// The request as filed.
    pub request: Value,
    /// `OPEN`, `ACCEPTED`, `REJECTED`, `REBUTTED`, `ESCALATED`, `WITHDRAWN`.
    pub status: String,
    /// Actions taken: (action, memo, time).
    pub history: Vec<(String, String, u64)>,
    /// Documents filed.
    pub documents: Vec<Document>,
    /// Creation time.
    pub created: u64,
}

#[derive(Default)]
struct Inner {
    claims: BTreeMap<String, Claim>,
    cases: BTreeMap<String, Case>,
    reports: BTreeMap<String, Value>,
    store: Option<Store>,
}

/// The dispute model shared by all Mastercom requests.
pub struct Model {
    inner: Mutex<Inner>,
    clock: Arc<dyn Clock>,
    duplicates_created: AtomicU64,
    duplicates_refused: AtomicU64,
}

/// Claims to put in the model when it starts, for tests that need more than a walk through
/// the API would create in reasonable time (a queue of several pages, over several windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimSeed {
    /// How many claims.
    pub count: usize,
    /// Last-modified time of the first claim (Unix seconds).
    pub modified_from: u64,
    /// Last-modified time of the last claim (Unix seconds); the others are spread evenly in
    /// between.
    pub modified_to: u64,
}

impl Model {
    /// An empty model, or the one persisted in `store`, reading time from `clock`.
    pub fn new(store: Option<Store>, clock: Arc<dyn Clock>) -> Result<Self, SandboxError> {
        let mut inner = Inner::default();
        if let Some(store) = &store {
            for value in store.load("claim")? {
                let claim: Claim = serde_json::from_value(value)
                    .map_err(|e| SandboxError::Corrupt(e.to_string()))?;
                inner.claims.insert(claim.id.clone(), claim);
            }
            for value in store.load("case")? {
                let case: Case = serde_json::from_value(value)
                    .map_err(|e| SandboxError::Corrupt(e.to_string()))?;
                inner.cases.insert(case.id.clone(), case);
            }
        }
        inner.store = store;
        Ok(Self {
            inner: Mutex::new(inner),
            clock,
            duplicates_created: AtomicU64::new(0),
            duplicates_refused: AtomicU64::new(0),
        })
    }

    /// Adds `seed.count` open claims without events (queue `Unworked`), on the seeded
    /// transactions in turn, last modified evenly from `seed.modified_from` to
    /// `seed.modified_to`; returns their ids in that order. Ids are `9` followed by 11 digits
    /// counting up, so they never collide with each other (nor, in practice, with the
    /// 12-digit random ids of claims created through the API).
    pub fn seed_claims(&self, seed: &ClaimSeed) -> Result<Vec<String>, ApiError> {
        let span = seed.modified_to.saturating_sub(seed.modified_from);
        let steps = u64::try_from(seed.count.saturating_sub(1))
            .unwrap_or(u64::MAX)
            .max(1);
        let mut ids = Vec::with_capacity(seed.count);
        let mut inner = self.inner.lock();
        let base = inner.claims.len();
        for index in 0..seed.count {
            let t = &SEED_TRANSACTIONS[index % SEED_TRANSACTIONS.len()];
            let offset = u64::try_from(index).unwrap_or(u64::MAX);
            // u128: span × index does not overflow for any u64 inputs.
            let at = seed.modified_from.saturating_add(
                u64::try_from(u128::from(span) * u128::from(offset) / u128::from(steps))
                    .unwrap_or(span),
            );
            let claim = Claim {
                id: format!("9{:011}", base + index),
                clearing_transaction_id: t.clearing_transaction_id.to_owned(),
                auth_transaction_id: t.auth_transaction_id.to_owned(),
                claim_type: "Standard".to_owned(),
                amount: t.amount.to_owned(),
                currency: t.currency.to_owned(),
                open: true,
                close_reason: String::new(),
                created: at,
                modified: at,
                chargebacks: Vec::new(),
                retrievals: Vec::new(),
                fees: Vec::new(),
                frauds: Vec::new(),
                event_times: BTreeMap::new(),
            };
            persist(&inner, "claim", &claim.id, &claim)?;
            ids.push(claim.id.clone());
            inner.claims.insert(claim.id.clone(), claim);
        }
        Ok(ids)
    }

    /// The model's current time (Unix seconds).
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Counts of Mastercom's duplicate behaviour since the sandbox started.
    pub fn duplicate_events(&self) -> DuplicateEvents {
        DuplicateEvents {
            created: self.duplicates_created.load(Ordering::SeqCst),
            refused: self.duplicates_refused.load(Ordering::SeqCst),
        }
    }

    /// Applies Mastercom's duplicate behaviour to a new event, given when the previous event of
    /// the same type on the same claim was created (if any): inside the window it is created
    /// anyway (`Ok(true)`: a duplicate Mastercom cannot see), after it it is refused.
    pub fn duplicate_check(&self, previous: Option<u64>) -> Result<bool, ApiError> {
        let Some(created) = previous else {
            return Ok(false);
        };
        if self.now().saturating_sub(created) < DUPLICATE_WINDOW_SECS {
            self.duplicates_created.fetch_add(1, Ordering::SeqCst);
            Ok(true)
        } else {
            self.duplicates_refused.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::invalid(
                "DUPLICATE_EVENT",
                "a dispute event of this type already exists on this claim",
            ))
        }
    }

    /// Number of claims.
    pub fn claim_count(&self) -> usize {
        self.inner.lock().claims.len()
    }

    /// Runs `f` on the claim, then persists it.
    pub fn with_claim<R>(
        &self,
        claim_id: &str,
        f: impl FnOnce(&mut Claim) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut inner = self.inner.lock();
        let claim = inner
            .claims
            .get_mut(claim_id)
            .ok_or_else(|| ApiError::not_found("claim", claim_id))?;
        let before = claim.clone();
        let out = match f(claim) {
            Ok(out) => out,
            Err(error) => {
                *claim = before;
                return Err(error);
            }
        };
        claim.modified = self.clock.now();
        let snapshot = claim.clone();
        persist(&inner, "claim", &snapshot.id, &snapshot)?;
        Ok(out)
    }

    /// Reads the claim.
    pub fn claim(&self, claim_id: &str) -> Result<Claim, ApiError> {
        self.inner
            .lock()
            .claims
            .get(claim_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("claim", claim_id))
    }

    /// Every claim.
    pub fn claims(&self) -> Vec<Claim> {
        self.inner.lock().claims.values().cloned().collect()
    }

    /// Stores a new claim.
    pub fn insert_claim(&self, claim: Claim) -> Result<(), ApiError> {
        let mut inner = self.inner.lock();
        persist(&inner, "claim", &claim.id, &claim)?;
        inner.claims.insert(claim.id.clone(), claim);
        Ok(())
    }

    /// Runs `f` on the case, then persists it.
    pub fn with_case<R>(
        &self,
        case_id: &str,
        f: impl FnOnce(&mut Case) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut inner = self.inner.lock();
        let case = inner
            .cases
            .get_mut(case_id)
            .ok_or_else(|| ApiError::not_found("case", case_id))?;
        let out = f(case)?;
        let snapshot = case.clone();
        persist(&inner, "case", &snapshot.id, &snapshot)?;
        Ok(out)
    }

    /// Stores a new case, unless Mastercom's duplicate check refuses it: the latest existing
    /// case for which `same` holds is the previous event of the same type (checked and inserted
    /// under one lock, so two racing filings are judged in order).
    pub fn insert_case(&self, case: Case, same: impl Fn(&Case) -> bool) -> Result<(), ApiError> {
        let mut inner = self.inner.lock();
        let previous = inner
            .cases
            .values()
            .filter(|c| same(c))
            .map(|c| c.created)
            .max();
        self.duplicate_check(previous)?;
        persist(&inner, "case", &case.id, &case)?;
        inner.cases.insert(case.id.clone(), case);
        Ok(())
    }

    /// Reads the case.
    pub fn case(&self, case_id: &str) -> Result<Case, ApiError> {
        self.inner
            .lock()
            .cases
            .get(case_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("case", case_id))
    }

    /// Every case.
    pub fn cases(&self) -> Vec<Case> {
        self.inner.lock().cases.values().cloned().collect()
    }

    /// The claim that holds a chargeback with this reference number.
    pub fn claim_by_chargeback_ref(&self, ref_num: &str) -> Option<String> {
        self.inner
            .lock()
            .claims
            .values()
            .find(|c| {
                c.chargebacks
                    .iter()
                    .any(|cb| cb.ref_num == ref_num || cb.id == ref_num)
            })
            .map(|c| c.id.clone())
    }

    /// Stores a reconciliation report.
    pub fn insert_report(&self, id: String, report: Value) {
        self.inner.lock().reports.insert(id, report);
    }

    /// Reads a reconciliation report.
    pub fn report(&self, id: &str) -> Option<Value> {
        self.inner.lock().reports.get(id).cloned()
    }
}

fn persist<T: Serialize>(inner: &Inner, kind: &str, id: &str, value: &T) -> Result<(), ApiError> {
    let Some(store) = &inner.store else {
        return Ok(());
    };
    let json =
        serde_json::to_value(value).map_err(|e| ApiError::invalid("INTERNAL", e.to_string()))?;
    store.put(kind, id, &json).map_err(|e| ApiError {
        status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        ..ApiError::invalid("PERSISTENCE_FAILED", e.to_string())
    })
}

impl Claim {
    /// Clearing data of the seeded transaction behind the claim.
    pub fn seed_transaction(&self) -> Option<&'static SeedTransaction> {
        self.seed()
    }
}

/// `YYYY-MM-DD` of a Unix time (UTC).
pub fn date(unix: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = i64::try_from(unix / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A fresh numeric id of `digits` digits.
pub fn new_id(digits: u32) -> String {
    let mut bytes = [0u8; 8];
    // openssl's CSPRNG; on the (practically impossible) failure fall back to the clock.
    let n = if openssl::rand::rand_bytes(&mut bytes).is_ok() {
        u64::from_le_bytes(bytes)
    } else {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
            u64::try_from(d.as_nanos() & u128::from(u64::MAX)).unwrap_or(0)
        })
    };
    let modulus = 10u64.pow(digits.min(18));
    format!("{:0width$}", n % modulus, width = digits as usize)
}

/// A random UUID (version 4) string.
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    let _ = openssl::rand::rand_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
