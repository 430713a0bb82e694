//! The two date formats the windowed operations take — `yyyy-MM-ddTHH:mm` (queue content) and
//! `yyyy-MM-dd` (transaction search) — as plain counts, so windows are cut by arithmetic
//! instead of by string manipulation. UTC, proleptic Gregorian; no time-zone database is
//! involved because Mastercom's fields carry none.

use std::fmt;
use std::str::FromStr;

/// A day, as `yyyy-MM-dd` (the transaction search's `tranStartDate` / `tranEndDate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

/// A minute, as `yyyy-MM-ddTHH:mm` (the queue request's `lastModifiedDateFrom` /
/// `lastModifiedDateTo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minute(i64);

/// A date or date-time that is not in the format the operation takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a valid {expected} date")]
pub struct DateParseError {
    /// The text as given (a date, never a secret).
    pub text: String,
    /// The format that was expected.
    pub expected: &'static str,
}

impl Day {
    /// The day `year-month-day`, or `None` when it does not exist (month 13, 30 February…).
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self(days_from_civil(year, month, day)))
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        self.0
    }

    /// The day `days` later (earlier when negative).
    #[must_use]
    pub fn plus_days(self, days: i64) -> Self {
        Self(self.0.saturating_add(days))
    }

    /// Midnight (UTC) of this day.
    pub fn start(self) -> Minute {
        Minute(self.0.saturating_mul(MINUTES_PER_DAY))
    }
}

/// Minutes in a day.
pub const MINUTES_PER_DAY: i64 = 24 * 60;

impl Minute {
    /// `day` at `hour:minute`, or `None` when the time does not exist.
    pub fn new(day: Day, hour: u32, minute: u32) -> Option<Self> {
        if hour > 23 || minute > 59 {
            return None;
        }
        Some(Self(
            day.0 * MINUTES_PER_DAY + i64::from(hour) * 60 + i64::from(minute),
        ))
    }

    /// Minutes since 1970-01-01T00:00.
    pub fn minutes_since_epoch(self) -> i64 {
        self.0
    }

    /// The minute `minutes` later (earlier when negative).
    #[must_use]
    pub fn plus_minutes(self, minutes: i64) -> Self {
        Self(self.0.saturating_add(minutes))
    }

    /// The day this minute falls on.
    pub fn day(self) -> Day {
        Day(self.0.div_euclid(MINUTES_PER_DAY))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0);
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Display for Minute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let in_day = self.0.rem_euclid(MINUTES_PER_DAY);
        write!(f, "{}T{:02}:{:02}", self.day(), in_day / 60, in_day % 60)
    }
}

impl FromStr for Day {
    type Err = DateParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_day(text).ok_or_else(|| DateParseError {
            text: text.to_owned(),
            expected: "yyyy-MM-dd",
        })
    }
}

impl FromStr for Minute {
    type Err = DateParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || DateParseError {
            text: text.to_owned(),
            expected: "yyyy-MM-ddTHH:mm",
        };
        let (day, time) = text.split_once('T').ok_or_else(error)?;
        let day = parse_day(day).ok_or_else(error)?;
        let (hour, minute) = time.split_once(':').ok_or_else(error)?;
        let hour = digits(hour, 2).ok_or_else(error)?;
        let minute = digits(minute, 2).ok_or_else(error)?;
        Self::new(day, hour, minute).ok_or_else(error)
    }
}

fn parse_day(text: &str) -> Option<Day> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4)?;
    let month = digits(parts.next()?, 2)?;
    let day = digits(parts.next()?, 2)?;
    if parts.next().is_some() {
        return None;
    }
    Day::from_ymd(i64::from(year), month, day)
}

/// Exactly `len` ASCII digits (the formats are fixed-width; `+1` or ` 1` are refused).
fn digits(text: &str, len: usize) -> Option<u32> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_text_across_leap_years_and_centuries() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2024-02-29",
            "2024-12-31",
            "2100-03-01",
        ] {
            let day: Day = text.parse().unwrap();
            assert_eq!(day.to_string(), text);
        }
        let first: Day = "2024-01-01".parse().unwrap();
        assert_eq!(first.plus_days(59).to_string(), "2024-02-29");
        assert_eq!("1970-01-02".parse::<Day>().unwrap().days_since_epoch(), 1);
    }

    #[test]
    fn impossible_or_malformed_dates_are_refused() {
        for text in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024-01-00",
            "20240101",
            "2024-01-01-",
            "+024-01-01",
        ] {
            assert!(text.parse::<Day>().is_err(), "{text}");
        }
        for text in [
            "2024-01-01T24:00",
            "2024-01-01T12:60",
            "2024-01-01 12:00",
            "2024-01-01",
        ] {
            assert!(text.parse::<Minute>().is_err(), "{text}");
        }
    }

    #[test]
    fn minutes_round_trip_and_step_over_midnight() {
        let minute: Minute = "2024-02-28T23:59".parse().unwrap();
        assert_eq!(minute.to_string(), "2024-02-28T23:59");
        assert_eq!(minute.plus_minutes(1).to_string(), "2024-02-29T00:00");
        assert_eq!(minute.day().to_string(), "2024-02-28");
    }
}
