//! LinkedIn's daily call budget of the tenant's application, as `GET /health` and the page show
//! it (`shared::budget`).

use serde::Serialize;
use shared::budget::{self, CYCLE_MS, Calls, DayUsage, MAX_QUIET_EVERY, PollPlan, SeatMix};
use shared::linkedin::DAILY_CALL_LIMIT;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetView {
    /// The UTC day counted.
    pub day: String,
    /// LinkedIn's limit for the application, calls a UTC day.
    pub daily_limit: u64,
    /// Calls made today, by what they were for.
    pub calls_today: Calls,
    pub total_today: u64,
    /// The calls activity reads (polls, back-fills, re-imports) may make today
    /// (`PollingBudgetPercent` of the limit).
    pub activity_allowance: u64,
    /// Calls reserved by re-imports today (part of the activity reads).
    pub reimport_reserved: u64,
    /// How often a quiet seat is polled now, in minutes: 30 when every seat is polled every
    /// cycle. Seats with activity in the last 3 days are always polled every 30 minutes.
    pub quiet_seats_every_minutes: i64,
    /// The activity allowance is used up: no seat is polled until 00:00 UTC.
    pub polling_stopped: bool,
    /// The active and quiet seats the last counted poll met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_poll: Option<SeatMix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
    /// Whether quiet seats wait this cycle (what is left of the day would not cover them).
    pub quiet_seats_waiting: bool,
    /// The plan itself, for the seats' staleness.
    #[serde(skip)]
    pub plan: PollPlan,
}

impl BudgetView {
    /// From the tenant's day items of today and yesterday (`budget::plan_days(now)`).
    pub fn new(today: &DayUsage, yesterday: &DayUsage, allowance: u64, now: i64) -> Self {
        let plan = budget::plan_at(today, yesterday, allowance, now);
        let waiting = plan.quiet_every == 0 && !plan.stopped;
        let every = if waiting {
            MAX_QUIET_EVERY
        } else {
            plan.quiet_every
        };
        let every_minutes = i64::from(every) * CYCLE_MS / 60_000;
        let last_poll = today
            .mix_before(budget::cycle_of_day(now) + 1)
            .or_else(|| yesterday.mix_before(budget::CYCLES_PER_DAY));
        let attention = if plan.stopped {
            Some(format!(
                "activity reads have used, or would pass with one more poll, their {allowance} \
                 LinkedIn calls for today (UTC): no seat is polled until 00:00 UTC, when polling resumes and catches up; exports \
                 and the outbound sync go on. Raise PollingBudgetPercent, or unlink seats no one \
                 uses"
            ))
        } else if waiting {
            Some(format!(
                "what is left of the {allowance} calls a day activity reads may use covers the \
                 active seats only: quiet seats (no activity for 3 days) wait until 00:00 UTC, \
                 active seats are polled every 30 minutes. Raise PollingBudgetPercent, or unlink \
                 seats no one uses"
            ))
        } else if plan.quiet_every > 1 {
            Some(format!(
                "polling every seat every 30 minutes would pass the {allowance} calls a day \
                 activity reads may use: quiet seats (no activity for 3 days) are polled every \
                 {every_minutes} minutes, active seats every 30. Raise PollingBudgetPercent, or \
                 unlink seats no one uses"
            ))
        } else {
            None
        };
        Self {
            day: budget::utc_day(now),
            daily_limit: DAILY_CALL_LIMIT,
            calls_today: today.calls,
            total_today: today.calls.total(),
            activity_allowance: allowance,
            reimport_reserved: today.reimport_calls,
            quiet_seats_every_minutes: every_minutes,
            polling_stopped: plan.stopped,
            last_poll,
            attention,
            quiet_seats_waiting: waiting,
            plan,
        }
    }
}
