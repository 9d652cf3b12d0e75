//! The scheduled reviews spread over the upkeep queue (`shared::upkeep`): with no time budget,
//! the hourly and daily runs do no tenant themselves and queue each tenant's job; tenant-upkeep
//! does it, with the same outcome as the run would have had. A listing handed to the queue is
//! walked there.

use serde_json::{Value, json};
use shared::clock::{Clock, ManualClock};

use crate::harness::*;

async fn fire(w: &World, function: &str) -> Value {
    let (s, body) = w
        .api("POST", &format!("/_local/schedules/{function}"), None)
        .await;
    assert!(s.is_success(), "{body}");
    body["result"].clone()
}

async fn contract(w: &World, id: &str) -> Value {
    let (s, list) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    assert!(s.is_success(), "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no contract {id}: {list}"))
}

/// A customer whose active contract ended an hour ago, with the upkeep budget at 0.
async fn ended_contract() -> (World, ManualClock) {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        parameters: vec![("UpkeepTimeBudgetSeconds", "0".into())],
        ..Setup::default()
    })
    .await;
    let (s, body) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": shared::clock::to_rfc3339(t0 + HOUR)})),
        )
        .await;
    assert!(s.is_success(), "{body}");
    clock.set(t0 + 2 * HOUR);
    (w, clock)
}

#[tokio::test]
async fn the_hourly_review_queues_tenants_it_has_no_time_for_and_they_are_reviewed() {
    let (w, _clock) = ended_contract().await;
    let run = fire(&w, "ContractExpiryFunction").await;
    assert_eq!(run["tenants"]["doneHere"], 0, "{run}");
    // The tenant's contracts job; acme was not onboarded with the partner flow.
    assert_eq!(run["tenants"]["queued"], 1, "{run}");
    assert_eq!(run["tenants"]["handedOff"], false, "{run}");
    assert_eq!(run["expiredByDate"], 0, "nothing done in the run: {run}");
    w.settle().await;
    let c = contract(&w, ACTIVE).await;
    assert_eq!(c["status"], "Expired", "{c}");
    assert_eq!(c["statusCause"], "ExpiryDate", "{c}");
    // Its seats are no longer polled.
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 0, "{summary}");
}

#[tokio::test]
async fn the_daily_review_queues_tenants_and_tenant_upkeep_flags_closed_profiles() {
    let w = World::with_customer_and(Setup {
        parameters: vec![("UpkeepTimeBudgetSeconds", "0".into())],
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    w.sim
        .purge_member(ORGANIZATION, "urn:li:person:ada", Some(1_700_000_000_000));
    let run = fire(&w, "ComplianceReviewFunction").await;
    assert_eq!(run["tenants"]["queued"], 1, "{run}");
    assert_eq!(run["flagged"], 0, "{run}");
    w.settle().await;
    let (s, v) = w
        .api("GET", &format!("/tenants/{TENANT}/compliance/purged"), None)
        .await;
    assert!(s.is_success(), "{v}");
    let flags = v["items"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{v}");
    assert_eq!(flags[0]["member"], "urn:li:person:ada");
}

/// The rest of a listing, as a run out of time hands it on, is walked by tenant-upkeep: it
/// queues the job of each tenant it lists, and those are done.
#[tokio::test]
async fn a_listing_handed_to_the_queue_is_walked_there() {
    let (w, _clock) = ended_contract().await;
    let walk = json!({"job": "walk", "listing": "contracts", "then": "contracts"});
    w.stack
        .clients
        .sqs
        .send_message()
        .queue_url(w.stack.queue_url("UpkeepQueue"))
        .message_body(walk.to_string())
        .send()
        .await
        .unwrap();
    w.settle().await;
    let c = contract(&w, ACTIVE).await;
    assert_eq!(c["status"], "Expired", "{c}");
    assert_eq!(c["statusCause"], "ExpiryDate", "{c}");
    assert_eq!(w.queue("UpkeepDeadLetterQueue").await.0, 0);
}
