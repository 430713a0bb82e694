//! Cutting an inclusive range into consecutive inclusive windows no longer than an operation
//! accepts, with no gap and no overlap between them.

use super::time::{Day, Minute};

/// A range whose start is after its end; refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the range starts ({from}) after it ends ({to})")]
pub struct RangeError {
    /// The start as given.
    pub from: String,
    /// The end as given.
    pub to: String,
}

/// `from..=to` cut into windows whose end is at most `span` minutes after their start; the
/// next window starts one minute after the previous one ends (the request format has minute
/// precision, so no minute is asked twice or skipped).
pub(crate) fn minute_windows(
    from: Minute,
    to: Minute,
    span: i64,
) -> Result<Vec<(Minute, Minute)>, RangeError> {
    if from > to {
        return Err(RangeError {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let mut windows = Vec::new();
    let mut start = from;
    loop {
        let end = start.plus_minutes(span).min(to);
        windows.push((start, end));
        if end >= to {
            return Ok(windows);
        }
        start = end.plus_minutes(1);
    }
}

/// `from..=to` cut into windows of at most `days` days, both ends counted.
pub(crate) fn day_windows(from: Day, to: Day, days: i64) -> Result<Vec<(Day, Day)>, RangeError> {
    if from > to {
        return Err(RangeError {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let mut windows = Vec::new();
    let mut start = from;
    loop {
        let end = start.plus_days(days - 1).min(to);
        windows.push((start, end));
        if end >= to {
            return Ok(windows);
        }
        start = end.plus_days(1);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn minute_windows_cover_the_range_without_gap_or_overlap() {
        let from: Minute = "2024-03-01T12:00".parse().unwrap();
        let to: Minute = "2024-03-13T11:59".parse().unwrap();
        let span = 5 * super::super::time::MINUTES_PER_DAY;
        let windows = minute_windows(from, to, span).unwrap();
        assert_eq!(windows.len(), 3);
        assert_eq!(windows[0].0, from);
        assert_eq!(windows.last().unwrap().1, to);
        for pair in windows.windows(2) {
            assert_eq!(pair[0].1.plus_minutes(1), pair[1].0);
        }
        for (start, end) in &windows {
            assert!(end.minutes_since_epoch() - start.minutes_since_epoch() <= span);
        }
        assert_eq!(minute_windows(to, to, span).unwrap(), vec![(to, to)]);
        assert!(minute_windows(to, from, span).is_err());
    }

    #[test]
    fn day_windows_hold_at_most_the_given_number_of_days() {
        let from: Day = "2024-01-01".parse().unwrap();
        let to: Day = "2024-12-31".parse().unwrap();
        let windows = day_windows(from, to, 30).unwrap();
        // 366 days (leap year) in windows of 30: 12 full ones and one of 6.
        assert_eq!(windows.len(), 13);
        assert_eq!(windows[0], (from, "2024-01-30".parse().unwrap()));
        assert_eq!(windows[12], ("2024-12-26".parse().unwrap(), to));
        for pair in windows.windows(2) {
            assert_eq!(pair[0].1.plus_days(1), pair[1].0);
        }
    }
}
