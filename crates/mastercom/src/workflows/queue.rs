//! Every claim of a queue over a date range of any length, from `getQueueSummaryPost`.
//!
//! The operation answers "up to 2,000 claims per page" with a `pageCount`, and that count is
//! exact only when `lastModifiedDateFrom` and `lastModifiedDateTo` are both given and at most 5
//! days apart. So the range is cut into windows of at most [`QUEUE_WINDOW_MINUTES`], and each
//! window's pages are walked from `pageNb` 1 to the `pageCount` the window reports. Nothing is
//! sent that those limits would refuse: no window longer than 5 days, no page number above the
//! count, none above [`MAX_PAGE_NB`] (`pageNb` is "Length: 1-3").

use std::collections::{HashSet, VecDeque};
use std::pin::Pin;

use futures_util::Stream;

use super::time::{MINUTES_PER_DAY, Minute};
use super::window::{RangeError, minute_windows};
use crate::error::Error;
use crate::{MastercomClient, types};

/// Longest window one request may cover: 5 days ("the date range should be less than or equal
/// to 5 days" for an exact `pageCount`).
pub const QUEUE_WINDOW_MINUTES: i64 = 5 * MINUTES_PER_DAY;
/// Claims per page, as the operation documents ("up to 2,000 claims per page").
pub const QUEUE_PAGE_SIZE: usize = 2000;
/// Highest `pageNb` the request can carry (its format is 1 to 3 digits).
pub const MAX_PAGE_NB: usize = 999;

/// Where a walk is, reported after each page received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueProgress {
    /// The window just read from, counted from 1.
    pub window: usize,
    /// How many windows the range was cut into.
    pub windows: usize,
    /// The window's first minute (`lastModifiedDateFrom`).
    pub from: Minute,
    /// The window's last minute (`lastModifiedDateTo`), inclusive.
    pub to: Minute,
    /// The page just received, counted from 1 (`pageNb`).
    pub page: usize,
    /// The window's `pageCount` as that page reported it.
    pub pages: usize,
    /// Claims received so far over the whole walk (repeats skipped).
    pub claims: usize,
    /// Claims skipped so far because an earlier page already carried their `claimId` (a claim
    /// modified during the walk can move to another page or window).
    pub repeats_skipped: usize,
}

/// Why a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QueueFailure {
    /// The call failed; its [`Error::delivery`] and [`Error::kind`] say how.
    #[error(transparent)]
    Call(Error),
    /// The response's `pageCount` is not a number.
    #[error("the response's pageCount {0:?} is not a page count")]
    PageCount(String),
    /// The window holds more pages than `pageNb` can address; a shorter range would not help
    /// either, as windows are already as short as the walk can make them without knowing.
    #[error("the window reports {0} pages; pageNb cannot go above {MAX_PAGE_NB}")]
    TooManyPages(usize),
}

/// A walk stopped at a page; the stream ends after yielding it.
#[derive(Debug, thiserror::Error)]
#[error(
    "queue {queue:?}: window {window} of {windows} ({from} to {to}), page {page}{} failed \
     after {claims} claim(s) were received: {failure}",
    .pages.map(|pages| format!(" of {pages}")).unwrap_or_default()
)]
pub struct QueueError {
    /// The queue walked.
    pub queue: String,
    /// The failing window, counted from 1.
    pub window: usize,
    /// How many windows the range was cut into.
    pub windows: usize,
    /// The failing window's first minute.
    pub from: Minute,
    /// The failing window's last minute.
    pub to: Minute,
    /// The failing page, counted from 1.
    pub page: usize,
    /// The window's page count, when an earlier page of it reported one.
    pub pages: Option<usize>,
    /// Claims the stream yielded before this error (every page before the failing one, in
    /// order: windows `1..window`, then pages `1..page` of this window).
    pub claims: usize,
    /// What went wrong.
    #[source]
    pub failure: QueueFailure,
}

/// The claims of a walk, in order: window by window, page by page. It ends after the last
/// page of the last window, or right after yielding the first [`QueueError`].
pub type ClaimStream<'a> =
    Pin<Box<dyn Stream<Item = Result<types::ClaimSummary, QueueError>> + Send + 'a>>;

/// A progress callback, called after each page received.
pub type QueueProgressFn<'a> = Box<dyn FnMut(&QueueProgress) + Send + 'a>;

/// A walk over one queue's claims between two minutes (both inclusive).
///
/// ```no_run
/// # async fn run(client: mastercom::MastercomClient) -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::StreamExt;
/// use mastercom::workflows::queue::QueueWalk;
///
/// let mut claims = QueueWalk::new(&client, "Unworked", "2026-11-01T00:00".parse()?, "2026-11-30T23:59".parse()?)?
///     .on_progress(|p| eprintln!("window {}/{}, page {}/{}", p.window, p.windows, p.page, p.pages))
///     .into_stream();
/// while let Some(claim) = claims.next().await {
///     println!("{:?}", claim?.claim_id);
/// }
/// # Ok(()) }
/// ```
pub struct QueueWalk<'a> {
    client: &'a MastercomClient,
    queue: String,
    windows: Vec<(Minute, Minute)>,
    progress: Option<QueueProgressFn<'a>>,
}

impl std::fmt::Debug for QueueWalk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueWalk")
            .field("queue", &self.queue)
            .field("windows", &self.windows)
            .finish_non_exhaustive()
    }
}

impl<'a> QueueWalk<'a> {
    /// A walk over `queue` for claims last modified from `from` to `to` (both inclusive).
    /// Nothing is sent until the stream is polled; a range that ends before it starts is
    /// refused here.
    pub fn new(
        client: &'a MastercomClient,
        queue: impl Into<String>,
        from: Minute,
        to: Minute,
    ) -> Result<Self, RangeError> {
        Ok(Self {
            client,
            queue: queue.into(),
            windows: minute_windows(from, to, QUEUE_WINDOW_MINUTES)?,
            progress: None,
        })
    }

    /// Calls `progress` after each page received.
    #[must_use]
    pub fn on_progress(mut self, progress: impl FnMut(&QueueProgress) + Send + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The windows the range was cut into, in the order they are walked (each at most
    /// [`QUEUE_WINDOW_MINUTES`] long, both ends inclusive).
    pub fn windows(&self) -> &[(Minute, Minute)] {
        &self.windows
    }

    /// The claims, one by one; a page is requested only when the previous one is used up.
    pub fn into_stream(self) -> ClaimStream<'a> {
        let state = Walk {
            client: self.client,
            queue: self.queue,
            windows: self.windows,
            progress: self.progress,
            window: 0,
            page: 1,
            pages: None,
            buffer: VecDeque::new(),
            seen: HashSet::new(),
            claims: 0,
            repeats: 0,
            finished: false,
        };
        Box::pin(futures_util::stream::unfold(state, Walk::next))
    }

    /// Every claim of the walk, or the first error with the claims received before it.
    pub async fn collect(self) -> Result<Vec<types::ClaimSummary>, PartialQueue> {
        use futures_util::StreamExt;
        let mut stream = self.into_stream();
        let mut claims = Vec::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(claim) => claims.push(claim),
                Err(error) => return Err(PartialQueue { claims, error }),
            }
        }
        Ok(claims)
    }
}

/// [`QueueWalk::collect`] stopped: the claims received before the failing page, and why.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct PartialQueue {
    /// Claims received before the failure, in order.
    pub claims: Vec<types::ClaimSummary>,
    /// The failure.
    #[source]
    pub error: QueueError,
}

/// The walk's state between two polls of the stream.
struct Walk<'a> {
    client: &'a MastercomClient,
    queue: String,
    windows: Vec<(Minute, Minute)>,
    progress: Option<QueueProgressFn<'a>>,
    /// The window being walked (from 0).
    window: usize,
    /// The next page to request in it (from 1).
    page: usize,
    /// Its page count, once a page of it was received.
    pages: Option<usize>,
    buffer: VecDeque<types::ClaimSummary>,
    /// `claimId`s yielded so far, so a claim that moved between pages is yielded once.
    seen: HashSet<String>,
    claims: usize,
    repeats: usize,
    finished: bool,
}

impl<'a> Walk<'a> {
    async fn next(mut self) -> Option<(Result<types::ClaimSummary, QueueError>, Self)> {
        loop {
            if let Some(claim) = self.buffer.pop_front() {
                return Some((Ok(claim), self));
            }
            if self.finished {
                return None;
            }
            let &(from, to) = self.windows.get(self.window)?;
            if self.pages.is_some_and(|pages| self.page > pages) {
                self.window += 1;
                self.page = 1;
                self.pages = None;
                continue;
            }
            if let Err(failure) = self.fetch(from, to).await {
                self.finished = true;
                let error = QueueError {
                    queue: self.queue.clone(),
                    window: self.window + 1,
                    windows: self.windows.len(),
                    from,
                    to,
                    page: self.page,
                    pages: self.pages,
                    claims: self.claims,
                    failure,
                };
                return Some((Err(error), self));
            }
        }
    }

    /// Requests page `self.page` of the window `from..=to` and queues its claims.
    async fn fetch(&mut self, from: Minute, to: Minute) -> Result<(), QueueFailure> {
        let body = types::GetQueueContentRequest {
            queue_name: self.queue.clone(),
            last_modified_date_from: Some(from.to_string()),
            last_modified_date_to: Some(to.to_string()),
            page_nb: Some(self.page.to_string()),
        };
        let response = self
            .client
            .get_queue_summary_post(&body)
            .await
            .map_err(QueueFailure::Call)?
            .into_inner();
        // A response without a count is one page (the operation's own no-date sample says
        // "1"); the walk never guesses further pages.
        let pages = match response.page_count.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(text) => text
                .parse::<usize>()
                .map_err(|_| QueueFailure::PageCount(text.to_owned()))?,
        };
        if pages > MAX_PAGE_NB {
            return Err(QueueFailure::TooManyPages(pages));
        }
        for claim in response.claim_list {
            match &claim.claim_id {
                Some(id) if !self.seen.insert(id.clone()) => self.repeats += 1,
                _ => {
                    self.claims += 1;
                    self.buffer.push_back(claim);
                }
            }
        }
        if let Some(progress) = self.progress.as_mut() {
            progress(&QueueProgress {
                window: self.window + 1,
                windows: self.windows.len(),
                from,
                to,
                page: self.page,
                pages,
                claims: self.claims,
                repeats_skipped: self.repeats,
            });
        }
        self.pages = Some(pages);
        self.page += 1;
        Ok(())
    }
}
