//! Logs carry ids, never personal data: the whole `make dev` scenario (exports, InMails, notes,
//! shared contact details, outbound changes) runs with every log line captured, and no name,
//! email, phone number or message text of it may appear.

use std::io::Write;
use std::sync::{Arc, Mutex};

use local_stack::scenario;

use crate::harness::{Setup, World, hour_clock};

/// A log sink the test can read back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the scenario puts in: people's names, emails, phones and the words of their messages.
const PERSONAL: [&str; 14] = [
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
];

#[tokio::test]
async fn logs_of_the_whole_scenario_hold_no_personal_data() {
    let sink = Captured::default();
    let writer = sink.clone();
    // Everything at info (production's default), our own crates at debug, from this thread's
    // tasks: the stack and its functions (the simulator plays LinkedIn and is not ours).
    let ours = [
        "shared",
        "export_webhook",
        "export_import",
        "admin_api",
        "inmail_poll",
        "inmail_import",
        "contract_expiry",
        "seat_backfill",
        "ats_sync",
        "local_stack",
    ];
    let filter = ours
        .iter()
        .fold("info,linkedin_sim=off".to_owned(), |f, c| {
            f + &format!(",{c}=debug")
        });
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let lines = logs.lines().count();
    for expected in [
        "export imported",
        "seat polled",
        "sync run ended",
        "notification accepted",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in {lines} lines:\n{logs}"
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
