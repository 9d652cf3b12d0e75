//! The one clock. Time is epoch milliseconds everywhere in the domain, as LinkedIn uses it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

/// Wall-clock time.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that only moves when told to; for tests and replays.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(ms: i64) -> Self {
        Self(Arc::new(AtomicI64::new(ms)))
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Wall-clock time shifted by an adjustable offset: the local dev scenario uses it to let
/// simulated hours pass in seconds.
#[derive(Clone, Debug, Default)]
pub struct OffsetClock(Arc<AtomicI64>);

impl OffsetClock {
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.0.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// RFC 3339 (UTC, milliseconds) for an epoch-millisecond time; the API's date format.
pub fn to_rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The first instant a date we are given may name: 2000-01-01T00:00:00Z.
pub const EARLIEST_MS: i64 = 946_684_800_000;
/// The instant after the last one a date we are given may name: 2100-01-01T00:00:00Z.
pub const END_MS: i64 = 4_102_444_800_000;
/// [`EARLIEST_MS`]..[`END_MS`] as people read it, for error messages.
pub const DATE_RANGE: &str = "from the year 2000 to 2099";

/// Parses an RFC 3339 date-time into epoch milliseconds. Dates outside [`DATE_RANGE`] (year
/// 0001 or 9999: typing mistakes, or attempts to make a window unbounded) are refused.
pub fn from_rfc3339(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
        .filter(|ms| (EARLIEST_MS..END_MS).contains(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let ms = 1_767_225_600_123;
        assert_eq!(to_rfc3339(ms), "2026-01-01T00:00:00.123Z");
        assert_eq!(from_rfc3339("2026-01-01T01:00:00.123+01:00"), Some(ms));
        assert_eq!(from_rfc3339("yesterday"), None);
        assert_eq!(to_rfc3339(EARLIEST_MS), "2000-01-01T00:00:00.000Z");
        assert_eq!(to_rfc3339(END_MS), "2100-01-01T00:00:00.000Z");
        for out_of_range in [
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "1999-12-31T23:59:59.999Z",
            "2100-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(from_rfc3339(out_of_range), None, "{out_of_range}");
        }
        assert!(from_rfc3339("2000-01-01T00:00:00Z").is_some());
        assert!(from_rfc3339("2099-12-31T23:59:59Z").is_some());
    }
}
