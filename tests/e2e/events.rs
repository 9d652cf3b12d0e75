//! Events for the ATS (docs/events.md): what a subscriber of the bus receives and what the
//! change feed holds, for the same changes.

use std::collections::{BTreeMap, BTreeSet};

use local_stack::scenario;
use serde_json::json;
use shared::events::{Event, Fact, SOURCE};

use crate::harness::{Setup, TENANT, World, hour_clock};

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

/// The tenant's events of the given types, in the feed's order, as `(type, what they name)`:
/// what a test of one flow asserts about the events it made.
pub async fn named(w: &World, types: &[&str]) -> Vec<(String, String)> {
    w.settle().await;
    feed(w, TENANT, 100)
        .await
        .into_iter()
        .filter(|e| types.contains(&e.detail_type()))
        .map(|e| {
            let mut fact = serde_json::to_value(&e.fact).unwrap();
            let fact = fact.as_object_mut().unwrap();
            fact.remove("type");
            let name = ["activityId", "seatId", "candidateId", "recordId"]
                .iter()
                .find_map(|k| fact.get(*k).and_then(|v| v.as_str()))
                .unwrap_or_default()
                .to_owned();
            (e.detail_type().to_owned(), name)
        })
        .collect()
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
    // two seats linked, each back-filled, which imports the three leads; InMails, a note, and
    // contact details shared.
    let mut counted = counts(&in_feed);
    counted.remove("ActivityAttached");
    assert_eq!(
        counted,
        BTreeMap::from([
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
    // An InMail or note imported before its candidate had an application is attached to one
    // later, once (whether it came first depends on which function ran first).
    let mut waiting: BTreeSet<&str> = in_feed
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::InMailImported {
                activity_id,
                application_id: None,
                ..
            }
            | Fact::NoteImported {
                activity_id,
                application_id: None,
                ..
            } => Some(activity_id.as_str()),
            _ => None,
        })
        .collect();
    for e in &in_feed {
        if let Fact::ActivityAttached { activity_id, .. } = &e.fact {
            assert!(
                waiting.remove(activity_id.as_str()),
                "{activity_id} attached twice, or was never waiting"
            );
        }
    }

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

/// Publishers of the same tenant append at once (one per shard of the stream in AWS): the feed
/// still holds each event once, numbered without a gap, each publisher's events in its order,
/// and a batch handed out again is not appended again.
#[tokio::test]
async fn concurrent_publishers_append_each_event_once_in_order() {
    let w = World::with_customer().await;
    let store = shared::store::Store::new(w.stack.clients.dynamodb.clone(), w.stack.table_name());
    let event = |writer: usize, n: usize| Event {
        event_id: format!("w{writer}-e{n}"),
        schema_version: shared::events::SCHEMA_VERSION,
        tenant_id: TENANT.to_owned(),
        occurred_at: "2026-12-02T00:00:00.000Z".to_owned(),
        fact: Fact::CandidateImported {
            candidate_id: format!("c-{writer}-{n}"),
        },
    };
    let writers = 6;
    let per_writer = 30;
    let appends = (0..writers).map(|writer| {
        let store = store.clone();
        async move {
            // Batches of 10, the third of them handed out twice.
            for batch in 0..per_writer / 10 {
                let events: Vec<Event> = (batch * 10..batch * 10 + 10)
                    .map(|n| event(writer, n))
                    .collect();
                let deliveries = if batch == 2 { 2 } else { 1 };
                for _ in 0..deliveries {
                    store.append_changes(TENANT, &events, 0).await.unwrap();
                }
            }
        }
    });
    futures::future::join_all(appends).await;

    // The customer's own set-up (its contracts) made events too.
    let in_feed: Vec<Event> = feed(&w, TENANT, 9)
        .await
        .into_iter()
        .filter(|e| e.event_id.starts_with('w'))
        .collect();
    assert_eq!(in_feed.len(), writers * per_writer);
    let ids: BTreeSet<&str> = in_feed.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), in_feed.len(), "each event once");
    for writer in 0..writers {
        let order: Vec<String> = in_feed
            .iter()
            .filter(|e| e.event_id.starts_with(&format!("w{writer}-")))
            .map(|e| e.event_id.clone())
            .collect();
        let expected: Vec<String> = (0..per_writer).map(|n| format!("w{writer}-e{n}")).collect();
        assert_eq!(order, expected, "writer {writer}'s events in its order");
    }
}
