//! LinkedIn's daily call budget (`shared::budget`): every call counted by tenant and kind,
//! quiet seats polled less often when polling every seat every cycle would pass the share
//! activity reads may use, active seats still every cycle, and no polling at all once the share
//! is used, while exports go on. The tests set `PollingBudgetPercent` to 1 (1,000 calls a day),
//! so that thirteen seats are enough to pass it.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use shared::clock::{Clock, ManualClock};

use crate::harness::*;

const DAY: i64 = 24 * HOUR;
const MINUTE: i64 = 60_000;
/// Seats with InMails before the first poll of the day: active from then on.
const ACTIVE_SEATS: [&str; 2] = ["8100", "8101"];
/// Seats with nothing: quiet (linked four days before).
const QUIET_SEATS: [&str; 10] = [
    "8102", "8103", "8104", "8105", "8106", "8107", "8108", "8109", "8110", "8111",
];

fn today_midnight() -> i64 {
    let now = hour_clock().now_ms();
    now - now.rem_euclid(DAY)
}

/// Calls to LinkedIn's activity resources so far.
fn activity_calls(w: &World) -> usize {
    ["/conversationEvents", "/prospectNotes", "/mailStubs"]
        .iter()
        .map(|p| w.linkedin_calls(p))
        .sum()
}

/// Adds 1,000 activity calls (the tests' whole share) to the tenant's day of `at`, as calls
/// made elsewhere (another deployment of the same application, a re-import) would.
async fn use_the_share(w: &World, at: i64) {
    let key = shared::keys::call_budget(TENANT, &shared::budget::utc_day(at));
    w.stack
        .clients
        .dynamodb
        .update_item()
        .table_name(w.stack.table_name())
        .key("pk", AttributeValue::S(key.pk))
        .key("sk", AttributeValue::S(key.sk))
        .update_expression("ADD activityCalls :n")
        .expression_attribute_values(":n", AttributeValue::N("1000".into()))
        .send()
        .await
        .unwrap();
}

async fn budget(w: &World) -> Value {
    let (s, health) = w
        .api("GET", &format!("/tenants/{TENANT}/health"), None)
        .await;
    assert!(s.is_success(), "{health}");
    health["linkedinBudget"].clone()
}

/// A customer with thirteen seats linked four days before `midnight` (the exporter's and
/// twelve more), polled once at 23:40 the day before, with InMails for the active seats then.
async fn thirteen_seats_polled_last_night(midnight: i64) -> (World, ManualClock) {
    let clock = ManualClock::at(midnight - 4 * DAY);
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        parameters: vec![("PollingBudgetPercent", "1".into())],
        ..Setup::default()
    })
    .await;
    w.add_user(USER, "recruiter@acme.example").await;
    for seat in ACTIVE_SEATS.iter().chain(&QUIET_SEATS) {
        w.link(ACTIVE, seat, USER).await;
    }
    w.settle().await;
    // Ada was exported, so InMails with her are imported onto her application.
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let evening = midnight - 30 * MINUTE;
    w.sim.add_inmails(
        ACTIVE_SEATS
            .iter()
            .map(|seat| mail_to_ada(&format!("m-{seat}"), seat, evening))
            .collect(),
    );
    clock.set(midnight - 20 * MINUTE);
    let first = w.poll_activity().await;
    assert_eq!(first["enqueued"], 13, "{first}");
    for seat in ACTIVE_SEATS.iter().chain(&QUIET_SEATS) {
        // Four days in 12-hour windows.
        assert_eq!(w.viewer_calls(seat), 8, "seat {seat} polled last night");
    }
    (w, clock)
}

/// Thirteen quiet seats at 3 calls a poll and 48 polls a day cost 1,872 calls, more than the
/// 1,000 allowed: the first poll of the day polls quiet seats one cycle in two (by their turn),
/// and the seats that had InMails every cycle. Every call is counted, by kind.
#[tokio::test]
async fn quiet_seats_are_polled_less_often_and_active_ones_every_cycle() {
    let midnight = today_midnight();
    let (w, clock) = thirteen_seats_polled_last_night(midnight).await;
    let before: Vec<usize> = QUIET_SEATS.iter().map(|s| w.viewer_calls(s)).collect();
    let activity_before = activity_calls(&w);

    let poll_at = midnight + 5 * MINUTE;
    clock.set(poll_at);
    let b = budget(&w).await;
    assert_eq!(b["quietSeatsEveryMinutes"], 60, "{b}");
    assert_eq!(b["pollingStopped"], false, "{b}");
    assert!(
        b["attention"]
            .as_str()
            .is_some_and(|a| a.contains("every 60 minutes")),
        "{b}"
    );
    let summary = w.poll_activity().await;
    assert_eq!(summary["thriftyTenants"], 1, "{summary}");

    for seat in ACTIVE_SEATS {
        assert_eq!(
            w.viewer_calls(seat),
            9,
            "active seat {seat} polled every cycle"
        );
    }
    let polled: Vec<&str> = QUIET_SEATS
        .iter()
        .zip(&before)
        .filter(|(seat, n)| w.viewer_calls(seat) > **n)
        .map(|(seat, _)| *seat)
        .collect();
    let turn: Vec<&str> = QUIET_SEATS
        .iter()
        .copied()
        .filter(|seat| {
            shared::budget::quiet_seat_due(
                &format!("{TENANT}#{ACTIVE}#{seat}"),
                2,
                poll_at,
                Some(poll_at - 25 * MINUTE),
            )
        })
        .collect();
    assert_eq!(
        polled, turn,
        "the quiet seats polled are those whose turn it is"
    );
    assert!(
        polled.len() < QUIET_SEATS.len(),
        "some quiet seats wait: {polled:?}"
    );

    // With 2 active and 11 quiet seats counted, the next cycles poll quiet seats one in
    // three; none waits longer than that.
    clock.set(poll_at + 30 * MINUTE);
    assert_eq!(budget(&w).await["quietSeatsEveryMinutes"], 90);
    w.poll_activity().await;
    clock.set(poll_at + 60 * MINUTE);
    w.poll_activity().await;
    for (seat, n) in QUIET_SEATS.iter().zip(&before) {
        assert!(
            w.viewer_calls(seat) > *n,
            "quiet seat {seat} polled within 90 minutes"
        );
    }

    // Every activity call of the day was counted, and the export's read as an export.
    let b = budget(&w).await;
    let made_today = activity_calls(&w) - activity_before;
    assert_eq!(b["callsToday"]["activity"], made_today as u64, "{b}");
    let exports_before = w.linkedin_calls("/exportedCandidates");
    w.export(&person("m-1", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let b = budget(&w).await;
    let exports_today = w.linkedin_calls("/exportedCandidates") - exports_before;
    assert!(exports_today > 0);
    assert_eq!(b["callsToday"]["exports"], exports_today as u64, "{b}");
    assert_eq!(b["lastPoll"]["active"], 2, "{b}");
    assert_eq!(b["lastPoll"]["quiet"], 11, "{b}");
    assert!(
        b["totalToday"].as_u64().unwrap() <= 1_000,
        "within the day's share: {b}"
    );
}

/// A whole day of polls: the active seats are polled every one of the 48 cycles, the quiet ones
/// less often (one cycle in two or three while the day is tight, more often near its end, when
/// what is left allows), and the day's activity calls stay within the 1,000 allowed (where
/// polling all thirteen seats every cycle would take 1,872).
#[tokio::test]
async fn a_day_of_polls_keeps_active_seats_fresh_and_stays_within_the_share() {
    let midnight = today_midnight();
    let (w, clock) = thirteen_seats_polled_last_night(midnight).await;
    let seats: Vec<&str> = ACTIVE_SEATS.iter().chain(&QUIET_SEATS).copied().collect();
    let before: Vec<usize> = seats.iter().map(|s| w.viewer_calls(s)).collect();
    let calls_before = activity_calls(&w);
    for cycle in 0..48 {
        clock.set(midnight + cycle * 30 * MINUTE + 5 * MINUTE);
        let summary = w.poll_activity().await;
        assert_eq!(summary["overBudget"], 0, "cycle {cycle}: {summary}");
    }
    let polls: Vec<usize> = seats
        .iter()
        .zip(&before)
        .map(|(s, n)| w.viewer_calls(s) - n)
        .collect();
    for (seat, n) in seats.iter().zip(&polls).take(ACTIVE_SEATS.len()) {
        assert_eq!(*n, 48, "active seat {seat} polled every cycle");
    }
    for (seat, n) in seats.iter().zip(&polls).skip(ACTIVE_SEATS.len()) {
        assert!((12..40).contains(n), "quiet seat {seat} polled {n} times");
    }
    let day = activity_calls(&w) - calls_before;
    eprintln!("polls per seat {polls:?}, {day} activity calls");
    assert!(day <= 1_000, "{day} activity calls in the day");
    assert!(day > 800, "the day's share is used, not wasted: {day}");
    let b = budget(&w).await;
    assert_eq!(b["callsToday"]["activity"], day as u64, "{b}");
}

/// Once activity reads have used the day's share, no seat is polled; exports are still
/// imported; the next UTC day polling resumes and catches up what came meanwhile.
#[tokio::test]
async fn polling_stops_when_the_share_is_used_and_resumes_the_next_day() {
    let midnight = today_midnight();
    let (w, clock) = thirteen_seats_polled_last_night(midnight).await;
    // Calls made elsewhere today (another deployment of the same application, a re-import)
    // used the share.
    use_the_share(&w, midnight).await;
    let seats: Vec<&str> = ACTIVE_SEATS.iter().chain(&QUIET_SEATS).copied().collect();
    let before: Vec<usize> = seats.iter().map(|s| w.viewer_calls(s)).collect();
    w.sim.add_inmails(vec![mail_to_ada(
        "m-late",
        ACTIVE_SEATS[0],
        midnight + HOUR,
    )]);

    clock.set(midnight + 2 * HOUR);
    let b = budget(&w).await;
    assert_eq!(b["pollingStopped"], true, "{b}");
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 0, "{summary}");
    assert_eq!(summary["overBudget"], 13, "{summary}");
    let after: Vec<usize> = seats.iter().map(|s| w.viewer_calls(s)).collect();
    assert_eq!(after, before, "no seat polled once the share is used");

    let pushed = w
        .export(&person("m-2", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    assert!(pushed.status.is_some_and(|s| s < 300), "{pushed:?}");
    w.settle().await;
    assert!(
        w.candidates()
            .await
            .iter()
            .any(|c| c["firstName"] == "Grace"),
        "exports are imported whatever polling has used"
    );

    // The next UTC day: polled again, and the InMail of the stopped hours is imported.
    clock.set(midnight + DAY + 5 * MINUTE);
    let summary = w.poll_activity().await;
    assert_eq!(summary["overBudget"], 0, "{summary}");
    assert!(w.viewer_calls(ACTIVE_SEATS[0]) > before[0]);
    let ada = w.candidate_of("ada").await.expect("Ada imported");
    assert!(
        ada.to_string().contains("m-late"),
        "the InMail of the stopped hours is imported: {ada}"
    );
}

/// A seat linked once the day's activity calls are used waits for the next UTC day before its
/// history is read: linking many seats cannot spend what exports and the sync are kept.
#[tokio::test]
async fn a_back_fill_waits_while_the_days_activity_calls_are_used() {
    let clock = hour_clock();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        backfill_days: Some(2),
        parameters: vec![("PollingBudgetPercent", "1".into())],
        ..Setup::default()
    })
    .await;
    use_the_share(&w, clock.now_ms()).await;
    w.add_user(USER, "recruiter@acme.example").await;
    let linked = w.link(ACTIVE, "8200", USER).await;
    assert_eq!(linked["backfill"]["state"], "queued", "{linked}");
    w.settle().await;
    assert_eq!(w.viewer_calls("8200"), 0, "no history read today");
    let (_, seats) = w
        .api("GET", &format!("/tenants/{TENANT}/seats"), None)
        .await;
    let seat = seats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seatId"] == "8200")
        .unwrap()
        .clone();
    assert_eq!(seat["backfill"]["state"], "queued", "{seat}");
}
