//! Logs carry ids, never personal data. Every log line of this test binary is captured (see
//! `harness::captured_logs`: everything at info, our crates at debug); this test runs the whole
//! `make dev` scenario (exports, InMails, notes, shared contact details, outbound changes) and
//! then checks that no name, email, phone number or message text of it, or of any other test's
//! fixtures, appears in any line.

use local_stack::scenario;

use crate::harness::{Setup, World, captured_logs, hour_clock};

/// People's names, emails, phones and the words of their messages, from the scenario and the
/// other tests' fixtures.
const PERSONAL: [&str; 19] = [
    // Client secrets (scenario, harness, rotation test).
    "s3cr/et+=acme",
    "n3w/secret+=rotated",
    "not-linkedins",
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Margaret",
    "ada@example",
    "margaret@example.org",
    "@example.com",
    "+44 20 7946",
    "7946 0000",
    "would you like to talk",
    "Happy to, here are my details",
    "Strong on compilers",
    "Kernel work",
    "FORBIDDEN",
    "forbidden.too@",
];

#[tokio::test]
async fn logs_hold_no_personal_data() {
    let clock = hour_clock();
    let w = World::empty_with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    let outcome = scenario::play(&w.stack, &w.sim, &|ms| clock.advance(ms))
        .await
        .unwrap();
    assert_eq!(outcome.candidates.len(), 2, "{}", outcome.report);
    // The scenario's people are really in the data the logs are about.
    assert!(outcome.report.contains("Lovelace"), "{}", outcome.report);

    let logs = captured_logs();
    let lines = logs.lines().count();
    for expected in [
        "export imported",
        "seat polled",
        "sync run ended",
        "notification accepted",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in {lines} captured lines"
        );
    }
    for needle in PERSONAL {
        let hit = logs.lines().find(|l| l.contains(needle));
        assert!(
            hit.is_none(),
            "{needle:?} is in a log line: {}",
            hit.unwrap_or("")
        );
    }
}

/// Events go to the ATS's bus, a webhook and the change feed: they carry ids, kinds, times,
/// reasons and counts, never a name, an e-mail address, a phone number, a message's text or a
/// member's LinkedIn URN.
#[tokio::test]
async fn events_hold_no_personal_data() {
    let clock = hour_clock();
    let w = World::empty_with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    let subscriber = w
        .stack
        .subscribe(
            "privacy",
            &serde_json::json!({ "source": [shared::events::SOURCE] }),
        )
        .await
        .unwrap();
    let outcome = scenario::play(&w.stack, &w.sim, &|ms| clock.advance(ms))
        .await
        .unwrap();
    w.stack.settle().await.unwrap();
    let on_bus: Vec<String> = subscriber
        .take()
        .await
        .unwrap()
        .iter()
        .map(|d| serde_json::to_string(&d.event).unwrap())
        .collect();
    let in_feed: Vec<String> = crate::events::feed(&w, scenario::TENANT, 100)
        .await
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    // The events are about the scenario's people: their InMails, notes and shared details.
    for kind in [
        "InMailImported",
        "NoteImported",
        "ContactInfoShared",
        "CandidateImported",
    ] {
        assert!(
            in_feed.iter().any(|e| e.contains(kind)),
            "no {kind} among {in_feed:?}\n{}",
            outcome.report
        );
    }
    assert_eq!(on_bus.len(), in_feed.len());
    for event in on_bus.iter().chain(&in_feed) {
        for needle in PERSONAL.iter().chain(&["urn:li:person:"]) {
            assert!(
                !event.contains(needle),
                "{needle:?} is in an event: {event}"
            );
        }
    }
}
