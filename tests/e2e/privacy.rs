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
