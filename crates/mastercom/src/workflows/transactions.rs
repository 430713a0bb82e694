//! Transaction search over a date range longer than one call accepts: `transactionSearch`
//! ([`TransactionSearch`]) and `transactionMessageSearchDebitMC` ([`DebitMcTransactionSearch`],
//! whose settlement-date range has the same 30-day maximum).
//!
//! `transactionSearch` takes `tranStartDate`..`tranEndDate` with "a maximum of 30 days". The
//! spec's examples read that two ways (2021-01-01..2021-01-30 here, 2021-01-01..2021-01-31 for
//! the single-message search), so windows hold at most [`SEARCH_WINDOW_DAYS`] days counting
//! both ends — within the limit under either reading. Windows are sent one after another, in
//! order; the first failing call stops the search with a [`SearchError`] in the style of
//! [`crate::batch::ChunkError`]. The "730 days of history" limit is the gateway's to apply: it
//! depends on the gateway's today, not the caller's clock.

use super::time::Day;
use super::window::{RangeError, day_windows};
use crate::error::Error;
use crate::{MastercomClient, types};

/// Days per `transactionSearch` call, both ends counted.
pub const SEARCH_WINDOW_DAYS: i64 = 30;

/// Where a search is, reported after each window's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchProgress {
    /// The window just answered, counted from 1.
    pub window: usize,
    /// How many windows the range was cut into.
    pub windows: usize,
    /// Its first day (`tranStartDate`).
    pub from: Day,
    /// Its last day (`tranEndDate`), inclusive.
    pub to: Day,
    /// Authorizations found so far over the whole search.
    pub found: usize,
}

/// Why a search could not start: a date that is not `yyyy-MM-dd`, or a range that ends
/// before it starts. Nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum SearchRangeError {
    /// `tranStartDate` or `tranEndDate` is not a date.
    #[error(transparent)]
    Date(#[from] super::time::DateParseError),
    /// The range ends before it starts.
    #[error(transparent)]
    Range(#[from] RangeError),
}

/// A search stopped at a failing window.
#[derive(Debug, thiserror::Error)]
#[error(
    "transaction search window {window} of {windows} ({from} to {to}) failed after {} \
     window(s) succeeded; search again from {from}: {error}",
    .done.len()
)]
pub struct SearchError<T = types::TransactionSummary> {
    /// The failing window, counted from 1.
    pub window: usize,
    /// How many windows the range was cut into.
    pub windows: usize,
    /// The failing window's first day.
    pub from: Day,
    /// The failing window's last day.
    pub to: Day,
    /// The answers of windows `1..window`, in order.
    pub done: Vec<WindowAnswer<T>>,
    /// Why the call failed.
    #[source]
    pub error: Error,
}

/// One window's answer (`T`: the operation's response type).
#[derive(Debug, Clone)]
pub struct WindowAnswer<T = types::TransactionSummary> {
    /// The window's first day.
    pub from: Day,
    /// The window's last day, inclusive.
    pub to: Day,
    /// What the operation answered for it.
    pub summary: T,
}

/// A progress callback, called after each window's answer.
pub type SearchProgressFn<'a> = Box<dyn FnMut(&SearchProgress) + Send + 'a>;

/// `transactionSearch` over `request`'s `tranStartDate`..`tranEndDate` (any length), one call
/// per window of at most [`SEARCH_WINDOW_DAYS`] days, every other field of `request` sent
/// unchanged in each call.
///
/// ```no_run
/// # async fn run(client: mastercom::MastercomClient) -> Result<(), Box<dyn std::error::Error>> {
/// use mastercom::types::TransactionSearchRequest;
/// use mastercom::workflows::transactions::{TransactionSearch, authorizations};
///
/// let request = TransactionSearchRequest {
///     primary_account_num: Some("5154676300000001".into()),
///     tran_start_date: "2026-01-01".into(),
///     tran_end_date: "2026-11-30".into(),
///     acquirer_ref_number: None,
///     bank_net_ref_number: None,
///     trans_amount_from: None,
///     trans_amount_to: None,
/// };
/// let answers = TransactionSearch::new(&client, request)?
///     .on_progress(|p| eprintln!("window {}/{}: {} found", p.window, p.windows, p.found))
///     .run()
///     .await?;
/// println!("{} authorizations", authorizations(&answers).count());
/// # Ok(()) }
/// ```
pub struct TransactionSearch<'a> {
    client: &'a MastercomClient,
    request: types::TransactionSearchRequest,
    windows: Vec<(Day, Day)>,
    progress: Option<SearchProgressFn<'a>>,
}

impl std::fmt::Debug for TransactionSearch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The request holds a card number: only the windows are shown.
        f.debug_struct("TransactionSearch")
            .field("windows", &self.windows)
            .finish_non_exhaustive()
    }
}

impl<'a> TransactionSearch<'a> {
    /// A search over `request`'s date range; refused here when a date is malformed or the
    /// range ends before it starts.
    pub fn new(
        client: &'a MastercomClient,
        request: types::TransactionSearchRequest,
    ) -> Result<Self, SearchRangeError> {
        let from: Day = request.tran_start_date.parse()?;
        let to: Day = request.tran_end_date.parse()?;
        Ok(Self {
            client,
            request,
            windows: day_windows(from, to, SEARCH_WINDOW_DAYS)?,
            progress: None,
        })
    }

    /// Calls `progress` after each window's answer.
    #[must_use]
    pub fn on_progress(mut self, progress: impl FnMut(&SearchProgress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The windows, in the order they are searched (both ends inclusive).
    pub fn windows(&self) -> &[(Day, Day)] {
        &self.windows
    }

    /// Searches every window in order; stops at the first failing call.
    pub async fn run(self) -> Result<Vec<WindowAnswer>, SearchError> {
        let Self {
            client,
            request,
            windows,
            progress,
        } = self;
        in_windows(
            &windows,
            progress,
            |summary: &types::TransactionSummary| summary.authorization_summary.len(),
            |from, to| {
                let mut body = request.clone();
                body.tran_start_date = from.to_string();
                body.tran_end_date = to.to_string();
                async move { Ok(client.transaction_search(&body).await?.into_inner()) }
            },
        )
        .await
    }
}

/// `transactionMessageSearchDebitMC` (Debit Mastercard and Europe dual-message transactions)
/// over `request`'s `settlementFromDate`..`settlementToDate` (any length), one call per window
/// of at most [`SEARCH_WINDOW_DAYS`] days; otherwise as [`TransactionSearch`]. The "180 days of
/// history" limit is left to the gateway.
pub struct DebitMcTransactionSearch<'a> {
    client: &'a MastercomClient,
    request: types::TransactionSingleSearchRequest,
    windows: Vec<(Day, Day)>,
    progress: Option<SearchProgressFn<'a>>,
}

impl std::fmt::Debug for DebitMcTransactionSearch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The request holds a card number: only the windows are shown.
        f.debug_struct("DebitMcTransactionSearch")
            .field("windows", &self.windows)
            .finish_non_exhaustive()
    }
}

impl<'a> DebitMcTransactionSearch<'a> {
    /// A search over `request`'s settlement-date range; refused here when a date is malformed
    /// or the range ends before it starts.
    pub fn new(
        client: &'a MastercomClient,
        request: types::TransactionSingleSearchRequest,
    ) -> Result<Self, SearchRangeError> {
        let from: Day = request.settlement_from_date.parse()?;
        let to: Day = request.settlement_to_date.parse()?;
        Ok(Self {
            client,
            request,
            windows: day_windows(from, to, SEARCH_WINDOW_DAYS)?,
            progress: None,
        })
    }

    /// Calls `progress` after each window's answer (`found` counts `transactionSummaryList`
    /// entries).
    #[must_use]
    pub fn on_progress(mut self, progress: impl FnMut(&SearchProgress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The windows, in the order they are searched (both ends inclusive).
    pub fn windows(&self) -> &[(Day, Day)] {
        &self.windows
    }

    /// Searches every window in order; stops at the first failing call.
    pub async fn run(
        self,
    ) -> Result<
        Vec<WindowAnswer<types::TransactionSingleMessageSummaryList>>,
        SearchError<types::TransactionSingleMessageSummaryList>,
    > {
        let Self {
            client,
            request,
            windows,
            progress,
        } = self;
        in_windows(
            &windows,
            progress,
            |list: &types::TransactionSingleMessageSummaryList| list.transaction_summary_list.len(),
            |from, to| {
                let mut body = request.clone();
                body.settlement_from_date = from.to_string();
                body.settlement_to_date = to.to_string();
                async move {
                    Ok(client
                        .transaction_message_search_debit_mc(&body)
                        .await?
                        .into_inner())
                }
            },
        )
        .await
    }
}

/// The one window loop behind both searches: `call` gets each window in order; `count` says
/// how many results an answer holds (for progress); the first error stops the loop.
async fn in_windows<T, F, Fut>(
    windows: &[(Day, Day)],
    mut progress: Option<SearchProgressFn<'_>>,
    count: impl Fn(&T) -> usize,
    mut call: F,
) -> Result<Vec<WindowAnswer<T>>, SearchError<T>>
where
    F: FnMut(Day, Day) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let total = windows.len();
    let mut done: Vec<WindowAnswer<T>> = Vec::with_capacity(total);
    let mut found = 0;
    for (index, &(from, to)) in windows.iter().enumerate() {
        match call(from, to).await {
            Ok(summary) => {
                found += count(&summary);
                done.push(WindowAnswer { from, to, summary });
            }
            Err(error) => {
                return Err(SearchError {
                    window: index + 1,
                    windows: total,
                    from,
                    to,
                    done,
                    error,
                });
            }
        }
        if let Some(progress) = progress.as_mut() {
            progress(&SearchProgress {
                window: index + 1,
                windows: total,
                from,
                to,
                found,
            });
        }
    }
    Ok(done)
}

/// Every authorization found, window by window.
pub fn authorizations(
    answers: &[WindowAnswer],
) -> impl Iterator<Item = &types::AuthorizationSummary> {
    answers
        .iter()
        .flat_map(|answer| &answer.summary.authorization_summary)
}
