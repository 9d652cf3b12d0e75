//! Recruiter seats, their activity cursors and their history back-fill.

use serde::{Deserialize, Serialize};

use super::{ActivityCursors, ActivityStream, BackfillCursors, MAX_WINDOW_MS};
use crate::budget::PollPlan;

/// A Recruiter seat of a contract (`urn:li:seat:N`) and, once an admin links it, the ATS user who
/// holds it. Only linked seats are polled for activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    pub tenant_id: String,
    pub contract_id: String,
    /// N of `urn:li:seat:N`.
    pub seat_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The holder's name as LinkedIn lists it (the customer's own recruiter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// The ATS user this seat is linked to; `None` while unlinked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When LinkedIn last listed the seat for its contract; only a listed seat can be linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<i64>,
    /// Where each activity stream's next read starts (epoch ms, inclusive).
    #[serde(flatten)]
    pub cursors: ActivityCursors,
    /// The time up to which the last complete, error-free poll read (its start time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<i64>,
    /// Where each stream's history back-fill has read to (epoch ms, exclusive).
    #[serde(flatten)]
    pub backfill_cursors: BackfillCursors,
    /// The history back-fill started when the seat was first linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<Backfill>,
    /// Records imported per hour (epoch hour → count), the last 24 hours only.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub imported_by_hour: std::collections::BTreeMap<String, u64>,
    /// When a live poll last imported a record for the seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<i64>,
    pub updated_at: i64,
}

/// A linked seat of an active contract is stale when it has not completed a poll for longer than
/// two activity intervals (2 × 30 minutes).
pub const STALE_AFTER_MS: i64 = 60 * 60_000;

impl Seat {
    /// Linked, its contract active, and no complete poll (or link) for `STALE_AFTER_MS`, or for
    /// two of its intervals when LinkedIn's daily budget has quiet seats polled less often
    /// (`plan`: the tenant's poll plan now); never while the budget holds it back.
    pub fn is_stale(&self, contract_active: bool, now_ms: i64, plan: &PollPlan) -> bool {
        let since = self.last_polled_at.or(self.linked_at).unwrap_or(now_ms);
        let Some(after) = plan.stale_after_ms(self.is_active(now_ms)) else {
            return false;
        };
        self.user_id.is_some() && contract_active && now_ms - since > after.max(STALE_AFTER_MS)
    }

    /// Active: activity imported, or the seat linked, within `budget::ACTIVE_WINDOW_MS`. When
    /// LinkedIn's daily budget is tight, only quiet seats are polled less often.
    pub fn is_active(&self, now_ms: i64) -> bool {
        let since = now_ms - crate::budget::ACTIVE_WINDOW_MS;
        self.last_activity_at.is_some_and(|at| at > since)
            || self.linked_at.is_some_and(|at| at > since)
            || self.imported_last_24h(now_ms) > 0
    }

    pub fn urn(&self) -> String {
        format!("urn:li:seat:{}", self.seat_id)
    }

    /// A seat known only by its id (no item stored for it).
    pub fn unlisted(tenant_id: &str, contract_id: &str, seat_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            seat_id: seat_id.to_owned(),
            member: None,
            state: None,
            holder_name: None,
            user_id: None,
            listed_at: None,
            linked_at: None,
            cursors: ActivityCursors::default(),
            last_polled_at: None,
            backfill_cursors: BackfillCursors::default(),
            backfill: None,
            imported_by_hour: std::collections::BTreeMap::new(),
            last_activity_at: None,
            updated_at: 0,
        }
    }

    /// How much of the back-fill's range its streams have read, 0 to 100 (100 once done). The
    /// streams are read one after another, oldest first, so this is the share of stream-days
    /// read; a stream without a cursor has read nothing yet.
    pub fn backfill_percent(&self) -> Option<u8> {
        let b = self.backfill.as_ref()?;
        if b.state == BackfillState::Done {
            return Some(100);
        }
        let span = (b.to - b.from).max(1) as i128;
        let c = &self.backfill_cursors;
        let read: i128 = [c.inmails, c.notes, c.stubs]
            .into_iter()
            .map(|cursor| (cursor.unwrap_or(b.from).clamp(b.from, b.to) - b.from) as i128)
            .sum();
        Some((read * 100 / (3 * span)).min(99) as u8)
    }

    /// Records imported in the 24 hours before `now`.
    pub fn imported_last_24h(&self, now_ms: i64) -> u64 {
        let this_hour = now_ms.div_euclid(3_600_000);
        self.imported_by_hour
            .iter()
            .filter(|(h, _)| {
                h.parse::<i64>()
                    .is_ok_and(|h| h > this_hour - 24 && h <= this_hour)
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// The hourly counts after adding `n` records at `now`, dropping hours older than a day.
    pub fn imported_by_hour_with(
        &self,
        n: u64,
        now_ms: i64,
    ) -> std::collections::BTreeMap<String, u64> {
        let this_hour = now_ms.div_euclid(3_600_000);
        let mut hours: std::collections::BTreeMap<String, u64> = self
            .imported_by_hour
            .iter()
            .filter(|(h, _)| h.parse::<i64>().is_ok_and(|h| h > this_hour - 24))
            .map(|(h, c)| (h.clone(), *c))
            .collect();
        if n > 0 {
            *hours.entry(this_hour.to_string()).or_default() += n;
        }
        hours
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackfillState {
    Queued,
    Running,
    Done,
    Failed,
}

/// A seat's history back-fill: `[from, to)`, where `to` is the link time (live polling starts
/// there) and `from` the back-fill horizon before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backfill {
    pub state: BackfillState,
    pub from: i64,
    pub to: i64,
    /// Invocations that worked on it so far.
    #[serde(default)]
    pub steps: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: i64,
}

impl Backfill {
    /// The back-fill a seat's first link starts: `horizon_days` of history up to the link time,
    /// where live polling takes over.
    pub fn for_link(linked_at: i64, horizon_days: u64, now: i64) -> Self {
        Self {
            state: BackfillState::Queued,
            from: linked_at - (horizon_days as i64) * 86_400_000,
            to: linked_at,
            steps: 0,
            reason: None,
            updated_at: now,
        }
    }
}

impl Backfill {
    /// The most days of history a back-fill or re-import reads (the template's
    /// `BackfillHorizonDays` cannot be set higher): three years of one seat's three streams is
    /// 6,570 calls at least, within what re-imports may use of a day's LinkedIn calls.
    pub const MAX_HORIZON_DAYS: u64 = 1_095;

    /// `BACKFILL_HORIZON_DAYS`, checked against [`Backfill::MAX_HORIZON_DAYS`].
    pub fn horizon_from_env(env: &crate::config::Env) -> Result<u64, crate::config::ConfigError> {
        let days = env.number_or("BACKFILL_HORIZON_DAYS", 730)?;
        if days > Self::MAX_HORIZON_DAYS {
            return Err(crate::config::ConfigError::Invalid {
                name: "BACKFILL_HORIZON_DAYS".into(),
                problem: format!("at most {} days", Self::MAX_HORIZON_DAYS),
            });
        }
        Ok(days)
    }

    /// The fewest LinkedIn calls reading `from..to` again takes: one call per stream per window
    /// of at most [`MAX_WINDOW_MS`] (more when a window has more than one page).
    pub fn least_calls(from: i64, to: i64) -> u64 {
        let span = (to - from).max(0) as u64;
        let windows = span.div_ceil(MAX_WINDOW_MS as u64).max(1);
        windows * ActivityStream::ALL.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backfill_percent_is_the_share_of_stream_time_read() {
        let from = 1_000_000;
        let to = from + 300;
        let mut seat: Seat = serde_json::from_value(serde_json::json!({
            "tenantId": "t", "contractId": "1", "seatId": "2", "updatedAt": 0
        }))
        .unwrap();
        assert_eq!(seat.backfill_percent(), None);
        seat.backfill = Some(Backfill {
            state: BackfillState::Running,
            from,
            to,
            steps: 1,
            reason: None,
            updated_at: 0,
        });
        assert_eq!(seat.backfill_percent(), Some(0));
        seat.backfill_cursors.inmails = Some(to);
        seat.backfill_cursors.notes = Some(from + 150);
        assert_eq!(seat.backfill_percent(), Some(50));
        // Every stream at the end but not marked done yet: not 100 until it is.
        seat.backfill_cursors.notes = Some(to);
        seat.backfill_cursors.stubs = Some(to + 99);
        assert_eq!(seat.backfill_percent(), Some(99));
        seat.backfill.as_mut().unwrap().state = BackfillState::Done;
        assert_eq!(seat.backfill_percent(), Some(100));
    }
}
