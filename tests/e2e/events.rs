//! Events for the ATS (docs/events.md): what a subscriber of the bus receives and what the
//! change feed holds, for the same changes.

use std::collections::{BTreeMap, BTreeSet};

use local_stack::scenario;
use serde_json::json;
use shared::events::{Event, SOURCE};

use crate::harness::{Setup, World, hour_clock};

/// Every change of the tenant's feed, read `page` at a time from the start; checks that the
/// cursors count up from 1 without a gap.
pub async fn feed(w: &World, tenant: &str, page: usize) -> Vec<Event> {
    let mut events = Vec::new();
    let mut after = String::new();
    loop {
        let path = if after.is_empty() {
            format!("/tenants/{tenant}/changes?limit={page}")
        } else {
            format!("/tenants/{tenant}/changes?after={after}&limit={page}")
        };
        let (status, body) = w.api("GET", &path, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expired"], 0, "{body}");
        let changes = body["changes"].as_array().unwrap();
        for c in changes {
            let n: usize = c["cursor"].as_str().unwrap().parse().unwrap();
            assert_eq!(
                n,
                events.len() + 1,
                "cursors count up without a gap: {body}"
            );
            events.push(serde_json::from_value(c["event"].clone()).unwrap());
        }
        after = body["cursor"].as_str().unwrap().to_owned();
        if changes.len() < page {
            return events;
        }
    }
}

fn counts(events: &[Event]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for e in events {
        *counts.entry(e.detail_type()).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn the_dev_scenario_tells_the_ats_each_fact_once_on_the_bus_and_in_the_feed() {
    let clock = hour_clock();
    let w = World::empty_with(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    let subscriber = w
        .stack
        .subscribe("ats-everything", &json!({ "source": [SOURCE] }))
        .await
        .unwrap();
    let outcome = scenario::play(&w.stack, &w.sim, &|ms| clock.advance(ms))
        .await
        .unwrap();
    w.stack.settle().await.unwrap();

    let delivered = subscriber.take().await.unwrap();
    let on_bus: Vec<Event> = delivered.iter().map(|d| d.event.clone()).collect();
    for d in &delivered {
        assert_eq!(d.source, SOURCE);
        assert_eq!(d.detail_type, d.event.detail_type());
    }
    let in_feed = feed(&w, scenario::TENANT, 7).await;
    // What the scenario stores (docs/events.md says when each event comes): two contracts
    // connected, one of them expired; five exports (two skipped, three waiting for their seat);
    // two seats linked, each back-filled, which imports the three leads; InMails, a note that
    // finds its application later, and contact details shared.
    assert_eq!(
        counts(&in_feed),
        BTreeMap::from([
            ("ActivityAttached", 1),
            ("ApplicationCreated", 3),
            ("BackfillCompleted", 2),
            ("CandidateImported", 2),
            ("ContactInfoShared", 1),
            ("ContractStatusChanged", 2),
            ("ExportAwaitingSeat", 3),
            ("ExportSkipped", 2),
            ("InMailImported", 3),
            ("NoteImported", 1),
            ("SeatLinked", 2),
        ]),
        "{}",
        outcome.report
    );

    let ids = |events: &[Event]| {
        events
            .iter()
            .map(|e| e.event_id.clone())
            .collect::<Vec<_>>()
    };
    let unique: BTreeSet<String> = ids(&in_feed).into_iter().collect();
    assert_eq!(
        unique.len(),
        in_feed.len(),
        "the feed holds each event once"
    );
    let mut bus_ids = ids(&on_bus);
    bus_ids.sort();
    let mut feed_ids = ids(&in_feed);
    feed_ids.sort();
    assert_eq!(
        bus_ids, feed_ids,
        "the bus and the feed carry the same events, each once"
    );
}
