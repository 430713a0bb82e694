//! Transaction search over a date range longer than one call accepts.
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
pub struct SearchError {
    /// The failing window, counted from 1.
    pub window: usize,
    /// How many windows the range was cut into.
    pub windows: usize,
    /// The failing window's first day.
    pub from: Day,
    /// The failing window's last day.
    pub to: Day,
    /// The answers of windows `1..window`, in order.
    pub done: Vec<WindowAnswer>,
    /// Why the call failed.
    #[source]
    pub error: Error,
}

/// One window's answer.
#[derive(Debug, Clone)]
pub struct WindowAnswer {
    /// The window's first day.
    pub from: Day,
    /// The window's last day, inclusive.
    pub to: Day,
    /// What the operation answered for it.
    pub summary: types::TransactionSummary,
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
    pub async fn run(mut self) -> Result<Vec<WindowAnswer>, SearchError> {
        let windows = self.windows.len();
        let mut done: Vec<WindowAnswer> = Vec::with_capacity(windows);
        let mut found = 0;
        for (index, &(from, to)) in self.windows.iter().enumerate() {
            let mut body = self.request.clone();
            body.tran_start_date = from.to_string();
            body.tran_end_date = to.to_string();
            match self.client.transaction_search(&body).await {
                Ok(response) => {
                    let summary = response.into_inner();
                    found += summary.authorization_summary.len();
                    done.push(WindowAnswer { from, to, summary });
                }
                Err(error) => {
                    return Err(SearchError {
                        window: index + 1,
                        windows,
                        from,
                        to,
                        done,
                        error,
                    });
                }
            }
            if let Some(progress) = self.progress.as_mut() {
                progress(&SearchProgress {
                    window: index + 1,
                    windows,
                    from,
                    to,
                    found,
                });
            }
        }
        Ok(done)
    }
}

/// Every authorization found, window by window.
pub fn authorizations(
    answers: &[WindowAnswer],
) -> impl Iterator<Item = &types::AuthorizationSummary> {
    answers
        .iter()
        .flat_map(|answer| &answer.summary.authorization_summary)
}
