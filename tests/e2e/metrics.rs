//! CloudWatch metrics (embedded metric format lines): what the scenario imports, skips and sends
//! is counted, and a seat that stops being polled shows up in the hourly `StaleSeats` count that
//! template.yaml's alarm watches.

use serde_json::Value;
use shared::metrics;

use crate::harness::{HOUR, Setup, World, hour_clock};
use local_stack::scenario;

fn total(lines: &[Value], name: &str, dimension: Option<(&str, &str)>) -> f64 {
    lines
        .iter()
        .filter(|l| dimension.is_none_or(|(k, v)| l[k] == v))
        .filter_map(|l| l[name].as_f64())
        .sum()
}

#[tokio::test]
async fn imports_skips_sends_and_stale_seats_are_counted() {
    metrics::start_capture();
    let clock = hour_clock();
    let w = World::empty_with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    scenario::play(&w.stack, &w.sim, &|ms| clock.advance(ms))
        .await
        .unwrap();
    // Three hours without a poll: both linked seats (Rae's, and Nia's, whose InMails LinkedIn
    // refuses) are stale at the hourly review.
    clock.advance(3 * HOUR);
    let (s, review) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert!(s.is_success(), "{review}");
    w.settle().await;
    let lines = metrics::take_captured();

    for l in &lines {
        let meta = &l["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(meta["Namespace"], metrics::NAMESPACE, "{l}");
        for m in meta["Metrics"].as_array().unwrap() {
            let name = m["Name"].as_str().unwrap();
            assert!(l[name].is_number(), "{name} has no value in {l}");
        }
    }
    // The scenario's exports wait as pending leads until their seat is linked.
    assert!(total(&lines, "LeadsPending", None) >= 3.0);
    assert!(total(&lines, "LeadsImported", None) >= 3.0);
    assert!(total(&lines, "ExportsSkipped", Some(("Reason", "unknown_job"))) >= 1.0);
    assert!(
        total(
            &lines,
            "ExportsSkipped",
            Some(("Reason", "contract_inactive"))
        ) >= 1.0
    );
    assert!(total(&lines, "InMailsImported", None) >= 2.0);
    assert!(total(&lines, "NotesImported", None) >= 1.0);
    assert!(total(&lines, "SyncRecordsSent", None) >= 3.0);
    assert!(total(&lines, "BackfillSteps", None) >= 1.0);
    assert_eq!(review["result"]["staleSeats"], 2, "{review}");
    assert!(total(&lines, "StaleSeats", Some(("Function", "contract-expiry"))) >= 1.0);
    // No metric line names a tenant or a person.
    let text = serde_json::to_string(&lines).unwrap();
    for needle in ["acme", "Lovelace", "@example"] {
        assert!(!text.contains(needle), "{needle} in a metric line");
    }
}
