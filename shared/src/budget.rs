//! LinkedIn's daily call budget of one customer application, and how activity polling keeps
//! inside it.
//!
//! LinkedIn allows each customer application [`DAILY_CALL_LIMIT`] calls a UTC day for the sync
//! and activity APIs. Exports and the outbound sync come first: nothing here ever holds them
//! back. Activity reads (live polls, back-fills and re-imports) may use a configurable share of
//! the day (template parameter `PollingBudgetPercent`). When a day of polling every linked seat
//! every 30 minutes would pass that share, quiet seats (no activity imported for
//! [`ACTIVE_WINDOW_MS`]) are polled every few cycles instead, spread evenly over the cycles;
//! active seats stay at every cycle. Once the share is used up, polling stops until the next UTC
//! day; the cursors keep where each seat was, so the next poll catches up and nothing is lost.
//!
//! Calls are counted in memory by the LinkedIn client, by tenant and kind ([`CallTally`]), and
//! added to one item per tenant and day (`BUDGET#<day>`) by one update per invocation, never a
//! write per call. The same item keeps, per cycle, how many active and quiet seats the poll
//! met: the next cycle plans from them ([`plan`]). docs/scale.md ("LinkedIn's daily budget")
//! has the arithmetic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::linkedin::DAILY_CALL_LIMIT;

/// How often the activity poll runs (the EventBridge schedule).
pub const CYCLE_MS: i64 = 30 * 60_000;
/// Poll cycles in a UTC day.
pub const CYCLES_PER_DAY: u32 = 48;
/// A seat with activity imported (or linked) this recently is active: polled every cycle.
pub const ACTIVE_WINDOW_MS: i64 = 3 * 86_400_000;
/// The share of the day's calls activity reads may use unless configured
/// (`PollingBudgetPercent`): the rest is kept for exports and the outbound sync.
pub const DEFAULT_POLLING_PERCENT: u8 = 70;
/// A seat poll reads three streams, so it costs at least three calls.
pub const MIN_CALLS_PER_SEAT_POLL: f64 = 3.0;
/// A quiet seat is polled at least once a day.
pub const MAX_QUIET_EVERY: u32 = CYCLES_PER_DAY;

/// What a LinkedIn call was for, by the resource it reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallKind {
    /// `exportedCandidates`: the profile an export announced.
    Exports,
    /// Every write of the outbound sync and the reads it makes for them (matches, ACLs).
    Sync,
    /// `conversationEvents`, `prospectNotes`, `mailStubs`: polls, back-fills, re-imports.
    Activity,
    /// Seats, integrations, purged candidates, contract probes.
    Other,
}

impl CallKind {
    pub const ALL: [CallKind; 4] = [Self::Exports, Self::Sync, Self::Activity, Self::Other];

    /// The attribute of the day's item that counts this kind.
    pub fn attribute(self) -> &'static str {
        match self {
            Self::Exports => "exportCalls",
            Self::Sync => "syncCalls",
            Self::Activity => "activityCalls",
            Self::Other => "otherCalls",
        }
    }

    /// The kind of a call to `path` (`/atsCandidates/..../notes` counts as its resource).
    pub fn of_path(path: &str) -> Self {
        let resource = path.trim_start_matches('/').split(['/', '?']).next();
        match resource.unwrap_or_default() {
            "exportedCandidates" => Self::Exports,
            "conversationEvents" | "prospectNotes" | "mailStubs" => Self::Activity,
            "seatsV2"
            | "atsIntegrations"
            | "atsPurgedExportedCandidates"
            | "provisionedApplications" => Self::Other,
            _ => Self::Sync,
        }
    }
}

/// Calls by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calls {
    pub exports: u64,
    pub sync: u64,
    pub activity: u64,
    pub other: u64,
}

impl Calls {
    pub fn get(&self, kind: CallKind) -> u64 {
        match kind {
            CallKind::Exports => self.exports,
            CallKind::Sync => self.sync,
            CallKind::Activity => self.activity,
            CallKind::Other => self.other,
        }
    }

    fn slot(&mut self, kind: CallKind) -> &mut u64 {
        match kind {
            CallKind::Exports => &mut self.exports,
            CallKind::Sync => &mut self.sync,
            CallKind::Activity => &mut self.activity,
            CallKind::Other => &mut self.other,
        }
    }

    pub fn add(&mut self, kind: CallKind, n: u64) {
        *self.slot(kind) += n;
    }

    pub fn total(&self) -> u64 {
        self.exports + self.sync + self.activity + self.other
    }

    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }
}

/// Active and quiet seats the poll met in one cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatMix {
    pub active: u64,
    pub quiet: u64,
}

/// What an invocation of the seat poll adds for a tenant besides its calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollCounts {
    /// The cycle of the day the seats were enqueued for, and the seats met in it.
    pub cycle: Option<(u32, SeatMix)>,
    /// Seats actually polled (LinkedIn called), and the activity calls those polls made.
    pub polled_seats: u64,
    pub poll_calls: u64,
}

impl PollCounts {
    /// Counts a seat the poll met in `cycle` (of the day), and whether it was polled.
    pub fn count_seat(&mut self, cycle: u32, active: bool, polled: bool) {
        let mix = match &mut self.cycle {
            Some((c, mix)) if *c == cycle => mix,
            // One invocation holds messages of one cycle; a straggler of another is not counted.
            Some(_) => return,
            slot @ None => &mut slot.insert((cycle, SeatMix::default())).1,
        };
        if active {
            mix.active += 1;
        } else {
            mix.quiet += 1;
        }
        self.polled_seats += u64::from(polled);
    }
}

/// What one invocation has to add to the tenants' day items: calls by tenant and kind, and
/// the seat poll's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallTally {
    pub calls: BTreeMap<String, Calls>,
    pub polls: BTreeMap<String, PollCounts>,
}

impl CallTally {
    /// The tenants with something to add, each once.
    pub fn tenants(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .calls
            .keys()
            .chain(self.polls.keys())
            .map(String::as_str)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The calls `linkedin` counted since they were last taken (and no poll counts).
    pub fn calls_of(linkedin: &crate::linkedin::LinkedIn) -> Self {
        Self {
            calls: linkedin.take_calls(),
            polls: BTreeMap::new(),
        }
    }
}

/// Adds the calls `linkedin` counted since it was last asked to its tenants' day items: what
/// every function that calls LinkedIn does at the end of an invocation.
pub async fn record_calls_of(
    store: &crate::store::Store,
    linkedin: &crate::linkedin::LinkedIn,
    now_ms: i64,
) {
    record(store, CallTally::calls_of(linkedin), now_ms).await;
}

/// Adds an invocation's tally to its tenants' day items at `now_ms`: one update per tenant,
/// however many calls. A failure is logged, not raised: the work it counts is done, and a
/// missed count only makes the day look cheaper than it was.
pub async fn record(store: &crate::store::Store, tally: CallTally, now_ms: i64) {
    let day = utc_day(now_ms);
    for tenant in tally.tenants() {
        let calls = tally.calls.get(tenant).copied().unwrap_or_default();
        let poll = tally.polls.get(tenant).copied().unwrap_or_default();
        if let Err(e) = store
            .record_calls(tenant, &day, &calls, &poll, now_ms)
            .await
        {
            tracing::warn!(%tenant, error = %e, ?calls, "LinkedIn calls not counted");
        }
    }
}

/// The UTC day of `ms`, as the day items are keyed (`2026-12-01`).
pub fn utc_day(ms: i64) -> String {
    let t = crate::clock::to_rfc3339(ms);
    t.get(..10).unwrap_or(&t).to_owned()
}

/// The cycle of the UTC day `ms` falls in (0 to 47).
pub fn cycle_of_day(ms: i64) -> u32 {
    (ms.rem_euclid(86_400_000) / CYCLE_MS) as u32
}

/// The cycle since the epoch `ms` falls in: quiet seats are spread over cycles by it.
pub fn cycle_since_epoch(ms: i64) -> i64 {
    ms.div_euclid(CYCLE_MS)
}

/// The calls activity reads may make in a day at `percent` of [`DAILY_CALL_LIMIT`].
pub fn polling_allowance(percent: u8) -> u64 {
    DAILY_CALL_LIMIT * u64::from(percent.min(100)) / 100
}

/// The allowance the deployment configures: `POLLING_BUDGET_PERCENT` (template parameter
/// `PollingBudgetPercent`, 1 to 95, default [`DEFAULT_POLLING_PERCENT`]).
pub fn polling_allowance_from(
    env: &crate::config::Env,
) -> std::result::Result<u64, crate::config::ConfigError> {
    env.percent("POLLING_BUDGET_PERCENT", DEFAULT_POLLING_PERCENT, 1..=95)
        .map(polling_allowance)
}

/// A tenant's day item as read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayUsage {
    pub calls: Calls,
    /// Activity calls reserved by re-imports.
    pub reimport_calls: u64,
    pub polled_seats: u64,
    pub poll_calls: u64,
    /// Seats met per cycle of the day.
    pub cycles: BTreeMap<u32, SeatMix>,
}

impl DayUsage {
    /// Activity calls an average seat poll made today (at least three).
    pub fn calls_per_seat_poll(&self) -> f64 {
        if self.polled_seats == 0 {
            return MIN_CALLS_PER_SEAT_POLL;
        }
        (self.poll_calls as f64 / self.polled_seats as f64).max(MIN_CALLS_PER_SEAT_POLL)
    }

    /// The seats met by the latest cycle before `cycle` that has counts.
    pub fn mix_before(&self, cycle: u32) -> Option<SeatMix> {
        self.cycles.range(..cycle).next_back().map(|(_, m)| *m)
    }
}

/// How a tenant's seats are polled this cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PollPlan {
    /// Quiet seats are polled one cycle in this many (1: every cycle); 0: quiet seats wait this
    /// cycle (what is left of the day would not cover even a few of them).
    pub quiet_every: u32,
    /// The day's share for activity reads is used up: no seat is polled until the next UTC day.
    pub stopped: bool,
}

impl PollPlan {
    pub const EVERY_CYCLE: Self = Self {
        quiet_every: 1,
        stopped: false,
    };

    /// Whether this plan polls fewer seats than all of them.
    pub fn is_thrifty(&self) -> bool {
        self.stopped || self.quiet_every != 1
    }

    /// How long a linked seat may go without a complete poll before it is stale (a fault worth
    /// an alarm) under this plan: two of its intervals, at least an hour; never while polling is
    /// stopped or quiet seats wait for the budget.
    pub fn stale_after_ms(&self, active: bool) -> Option<i64> {
        let hour = 2 * CYCLE_MS;
        if self.stopped || (!active && self.quiet_every == 0) {
            return None;
        }
        let every = if active { 1 } else { self.quiet_every };
        Some(hour.max(2 * i64::from(every) * CYCLE_MS))
    }
}

/// The plan for `cycle` of the day: every seat if a day at this cycle's rate stays within
/// `allowance`; otherwise quiet seats one cycle in `k`, the smallest `k` that fits (at most once
/// a day). Never over: `k` is also large enough for this cycle alone to fit what is left, and
/// when not even one in 48 quiet seats would, quiet seats wait (`quiet_every` 0); when the
/// active seats alone would not fit, polling stops; it stops too once the allowance is used. `today` is the day so far and `last` the seats the last
/// counted cycle met (`None` before any: every seat, the allowance still checked).
pub fn plan(today: &DayUsage, last: Option<SeatMix>, allowance: u64, cycle: u32) -> PollPlan {
    const STOPPED: PollPlan = PollPlan {
        quiet_every: MAX_QUIET_EVERY,
        stopped: true,
    };
    let used = today.calls.activity;
    if used >= allowance {
        return STOPPED;
    }
    let Some(mix) = last else {
        return PollPlan::EVERY_CYCLE;
    };
    let left = (allowance - used) as f64;
    let per_poll = today.calls_per_seat_poll();
    let (active_now, quiet_now) = (mix.active as f64 * per_poll, mix.quiet as f64 * per_poll);
    if active_now > left {
        return STOPPED;
    }
    // This cycle alone: quiet seats one cycle in `k` cost about `quiet_now / k`.
    let this_cycle = if active_now + quiet_now <= left {
        1
    } else {
        let room = left - active_now;
        let k = (quiet_now / room).ceil();
        if room <= 0.0 || k > f64::from(MAX_QUIET_EVERY) {
            return PollPlan {
                quiet_every: 0,
                stopped: false,
            };
        }
        k as u32
    };
    // The rest of the day at this cycle's rate.
    let cycles_left = f64::from(CYCLES_PER_DAY.saturating_sub(cycle).max(1));
    let (active, quiet) = (active_now * cycles_left, quiet_now * cycles_left);
    let whole_day = if active + quiet <= left {
        1
    } else {
        let room = left - active;
        if room <= 0.0 {
            MAX_QUIET_EVERY
        } else {
            ((quiet / room).ceil() as u32).clamp(1, MAX_QUIET_EVERY)
        }
    };
    PollPlan {
        quiet_every: this_cycle.max(whole_day),
        stopped: false,
    }
}

/// The plan for the cycle `at` falls in, from the tenant's day items of that day and the day
/// before (the last counted cycle may be yesterday's).
pub fn plan_at(today: &DayUsage, yesterday: &DayUsage, allowance: u64, at: i64) -> PollPlan {
    let cycle = cycle_of_day(at);
    let last = today
        .mix_before(cycle)
        .or_else(|| yesterday.mix_before(CYCLES_PER_DAY));
    plan(today, last, allowance, cycle)
}

/// The days [`plan_at`] reads for `at`: its own and the one before.
pub fn plan_days(at: i64) -> [String; 2] {
    [utc_day(at), utc_day(at - 86_400_000)]
}

/// Whether a quiet seat is polled in the cycle of `enqueued_at` when quiet seats are polled one
/// cycle in `quiet_every`. Seats take turns by a hash of their id, so each cycle polls about a
/// `quiet_every`-th of them; and a seat whose last poll is `quiet_every` cycles old is polled
/// whatever its turn, so a seat never waits longer than the interval, even when the interval
/// changes under it (half a cycle of slack: a poll runs a little after its cycle starts).
pub fn quiet_seat_due(
    seat_key: &str,
    quiet_every: u32,
    enqueued_at: i64,
    last_polled_at: Option<i64>,
) -> bool {
    match quiet_every {
        0 => return false,
        1 => return true,
        _ => {}
    }
    let k = i64::from(quiet_every);
    if last_polled_at.is_none_or(|at| enqueued_at - at >= k * CYCLE_MS - CYCLE_MS / 2) {
        return true;
    }
    let turn = (cycle_since_epoch(enqueued_at) + i64::from(spread(seat_key))).rem_euclid(k);
    // (`spread` is the whole hash, so turns are even for any `k`, not only divisors of 48.)
    turn == 0
}

/// A stable number for a seat (FNV-1a of its key), for spreading quiet seats over cycles.
fn spread(seat_key: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in seat_key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(activity: u64, polled_seats: u64, poll_calls: u64) -> DayUsage {
        DayUsage {
            calls: Calls {
                activity,
                ..Calls::default()
            },
            polled_seats,
            poll_calls,
            ..DayUsage::default()
        }
    }

    fn mix(active: u64, quiet: u64) -> Option<SeatMix> {
        Some(SeatMix { active, quiet })
    }

    #[test]
    fn a_day_that_fits_polls_every_seat_every_cycle() {
        // 690 seats × 3 calls × 48 cycles = 99,360: fits the whole limit, not 70 % of it.
        let allowance = polling_allowance(100);
        assert_eq!(
            plan(&day(0, 0, 0), mix(0, 690), allowance, 0),
            PollPlan::EVERY_CYCLE
        );
        let allowance = polling_allowance(70);
        assert!(plan(&day(0, 0, 0), mix(0, 690), allowance, 0).quiet_every > 1);
    }

    #[test]
    fn five_thousand_seats_keep_active_ones_every_cycle_and_space_the_quiet() {
        // 300 active seats cost 300 × 3 × 48 = 43,200; 26,800 are left for 4,700 quiet seats
        // (676,800 calls at every cycle): one cycle in ceil(676,800 / 26,800) = 26.
        let p = plan(&day(0, 0, 0), mix(300, 4_700), polling_allowance(70), 0);
        assert_eq!(
            p,
            PollPlan {
                quiet_every: 26,
                stopped: false
            }
        );
        let day_cost = 300.0 * 3.0 * 48.0 + 4_700.0 * 3.0 * 48.0 / f64::from(p.quiet_every);
        assert!(day_cost <= 70_000.0, "{day_cost}");
    }

    #[test]
    fn the_plan_follows_what_is_left_of_the_day() {
        // Half the day gone and half the allowance used: the same seats fit the same way.
        let allowance = polling_allowance(70);
        let morning = plan(&day(0, 0, 0), mix(300, 4_700), allowance, 0);
        let noon = plan(&day(35_000, 1, 3), mix(300, 4_700), allowance, 24);
        assert_eq!(morning, noon);
        // A heavier morning leaves less: quiet seats wait longer.
        let heavy = plan(&day(50_000, 1, 3), mix(300, 4_700), allowance, 24);
        assert!(heavy.quiet_every > noon.quiet_every);
    }

    #[test]
    fn pages_beyond_the_first_make_seat_polls_dearer() {
        let cheap = plan(&day(3_000, 1_000, 3_000), mix(100, 1_000), 70_000, 10);
        let dear = plan(&day(3_000, 1_000, 6_000), mix(100, 1_000), 70_000, 10);
        assert!(dear.quiet_every > cheap.quiet_every, "{cheap:?} {dear:?}");
    }

    #[test]
    fn active_seats_alone_over_the_allowance_leave_quiet_ones_at_once_a_day() {
        let p = plan(&day(0, 0, 0), mix(1_000, 10), 70_000, 0);
        assert_eq!(
            p,
            PollPlan {
                quiet_every: MAX_QUIET_EVERY,
                stopped: false
            }
        );
    }

    #[test]
    fn polling_stops_when_the_share_is_used_or_the_active_seats_would_pass_it() {
        assert!(plan(&day(70_000, 1, 3), mix(1, 1), 70_000, 40).stopped);
        assert!(plan(&day(70_000, 1, 3), None, 70_000, 40).stopped);
        // 4 left: one active seat (3 calls) fits, two (6) do not.
        assert!(!plan(&day(69_996, 1, 3), mix(1, 0), 70_000, 40).stopped);
        assert!(plan(&day(69_996, 1, 3), mix(2, 0), 70_000, 40).stopped);
    }

    #[test]
    fn quiet_seats_wait_when_this_cycle_could_pass_the_share() {
        // 10 left at the last cycle: 2 active (6 calls) fit; 2 quiet ones (6) do not, but one
        // in two (3) does.
        let p = plan(&day(69_990, 1, 3), mix(2, 2), 70_000, 47);
        assert_eq!(
            p,
            PollPlan {
                quiet_every: 2,
                stopped: false
            }
        );
        // 7 left: 1 for 200 quiet seats (600 calls) is less than one in 48 of them: they wait.
        let p = plan(&day(69_993, 1, 3), mix(2, 200), 70_000, 47);
        assert_eq!(
            p,
            PollPlan {
                quiet_every: 0,
                stopped: false
            }
        );
        assert!(!quiet_seat_due("s", 0, 1_796_083_200_000, None));
        // With 12 left, all of them fit.
        assert_eq!(
            plan(&day(69_988, 1, 3), mix(2, 2), 70_000, 47),
            PollPlan::EVERY_CYCLE
        );
    }

    #[test]
    fn without_counts_every_seat_is_polled() {
        assert_eq!(plan(&day(10, 0, 0), None, 70_000, 3), PollPlan::EVERY_CYCLE);
    }

    #[test]
    fn the_last_counted_cycle_before_this_one_is_used() {
        let mut d = DayUsage::default();
        d.cycles.insert(
            3,
            SeatMix {
                active: 1,
                quiet: 2,
            },
        );
        d.cycles.insert(
            5,
            SeatMix {
                active: 3,
                quiet: 4,
            },
        );
        d.cycles.insert(
            9,
            SeatMix {
                active: 5,
                quiet: 6,
            },
        );
        assert_eq!(d.mix_before(9), mix(3, 4));
        assert_eq!(d.mix_before(3), None);
    }

    #[test]
    fn quiet_seats_spread_evenly_over_the_cycles() {
        let k = 6;
        let start = 1_796_083_200_000; // a cycle boundary
        let mut per_cycle = vec![0; k as usize];
        for seat in 0..6_000 {
            let key = format!("acme#501#{seat}");
            // (k = 6 divides 48; `quiet_seats_spread_evenly_for_any_interval` covers the rest.)
            for c in 0..k {
                let at = start + i64::from(c) * CYCLE_MS;
                // Polled one cycle ago: not overdue, so only its turn counts.
                if quiet_seat_due(&key, k, at, Some(at - CYCLE_MS)) {
                    per_cycle[c as usize] += 1;
                }
            }
        }
        assert_eq!(
            per_cycle.iter().sum::<i32>(),
            6_000,
            "each seat once in k cycles"
        );
        for n in per_cycle {
            assert!((800..1_200).contains(&n), "{n} of 6,000 in one cycle of 6");
        }
    }

    #[test]
    fn quiet_seats_spread_evenly_for_any_interval() {
        let start = 1_796_083_200_000;
        for k in [5_u32, 7, 26] {
            let mut per_cycle = vec![0; k as usize];
            for seat in 0..10_000 {
                let key = format!("acme#501#{seat}");
                for c in 0..k {
                    let at = start + i64::from(c) * CYCLE_MS;
                    if quiet_seat_due(&key, k, at, Some(at - CYCLE_MS)) {
                        per_cycle[c as usize] += 1;
                    }
                }
            }
            let even = 10_000 / k as i32;
            for n in per_cycle {
                assert!(
                    (n - even).abs() < even / 4,
                    "k = {k}: {n} in a cycle, {even} even"
                );
            }
        }
    }

    #[test]
    fn a_seat_is_stale_after_two_of_its_intervals_and_never_while_it_waits_for_the_budget() {
        let every = PollPlan::EVERY_CYCLE;
        assert_eq!(every.stale_after_ms(true), Some(2 * CYCLE_MS));
        assert_eq!(every.stale_after_ms(false), Some(2 * CYCLE_MS));
        let thrifty = PollPlan {
            quiet_every: 26,
            stopped: false,
        };
        assert_eq!(thrifty.stale_after_ms(true), Some(2 * CYCLE_MS));
        assert_eq!(thrifty.stale_after_ms(false), Some(52 * CYCLE_MS));
        let waiting = PollPlan {
            quiet_every: 0,
            stopped: false,
        };
        assert_eq!(waiting.stale_after_ms(false), None);
        assert_eq!(waiting.stale_after_ms(true), Some(2 * CYCLE_MS));
        let stopped = PollPlan {
            quiet_every: MAX_QUIET_EVERY,
            stopped: true,
        };
        assert_eq!(stopped.stale_after_ms(true), None);
    }

    #[test]
    fn a_quiet_seat_waits_at_most_its_interval_and_every_cycle_polls_all() {
        let at = 1_796_083_200_000;
        assert!(quiet_seat_due("s", 1, at, Some(at)));
        assert!(quiet_seat_due("s", 4, at, None));
        // Polled 4 cycles ago, a little after that cycle began.
        assert!(quiet_seat_due("s", 4, at, Some(at - 4 * CYCLE_MS + 60_000)));
        // Whatever the seat's turn, within 4 cycles it is polled.
        for start in 0..8 {
            let polled = at + start * CYCLE_MS;
            let next = (1..=4)
                .find(|c| quiet_seat_due("s", 4, polled + c * CYCLE_MS, Some(polled + 60_000)));
            assert!(next.is_some(), "from cycle {start}");
        }
    }

    #[test]
    fn cycles_and_days_are_utc() {
        let midnight = 1_796_083_200_000; // 2026-12-01T00:00:00Z
        assert_eq!(utc_day(midnight), "2026-12-01");
        assert_eq!(utc_day(midnight - 1), "2026-11-30");
        assert_eq!(cycle_of_day(midnight), 0);
        assert_eq!(cycle_of_day(midnight + 86_400_000 - 1), 47);
        assert_eq!(cycle_of_day(midnight + 95 * 60_000), 3);
    }

    #[test]
    fn reads_are_counted_by_what_they_are_for() {
        assert_eq!(CallKind::of_path("/exportedCandidates"), CallKind::Exports);
        assert_eq!(CallKind::of_path("/mailStubs"), CallKind::Activity);
        assert_eq!(CallKind::of_path("/seatsV2"), CallKind::Other);
        assert_eq!(CallKind::of_path("/atsEntityAcls"), CallKind::Sync);
        assert_eq!(
            CallKind::of_path("/atsCandidates/atsCandidateId=c-1&dataProvider=ATS/notes"),
            CallKind::Sync
        );
    }

    #[test]
    fn poll_counts_keep_one_cycle() {
        let mut p = PollCounts::default();
        p.count_seat(4, true, true);
        p.count_seat(4, false, false);
        p.count_seat(5, false, true);
        assert_eq!(
            p.cycle,
            Some((
                4,
                SeatMix {
                    active: 1,
                    quiet: 1
                }
            ))
        );
        assert_eq!(p.polled_seats, 1);
    }
}
