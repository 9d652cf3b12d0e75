//! Contract status and its audit trail: connect, disconnect, reconnect, LinkedIn's own changes.

use std::collections::HashSet;

use linkedin_sim::ContractState;
use serde_json::{Value, json};
use shared::clock::Clock;

use crate::harness::*;

async fn events(w: &World, contract: &str) -> Vec<(String, String, String)> {
    let (s, page) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/contracts/{contract}/events"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["to"].as_str().unwrap().to_owned(),
                e["cause"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn status(c: &Value) -> &str {
    c["status"].as_str().unwrap()
}

#[tokio::test]
async fn disconnecting_stops_imports_keeps_data_and_is_audited() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;

    clock.advance(HOUR);
    let (s, c) = w
        .api(
            "DELETE",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{c}");
    assert_eq!(
        (status(&c), c["statusCause"].as_str()),
        ("Disabled", Some("Admin"))
    );

    // Nothing is polled or imported for it; what was imported is still there.
    w.sim
        .add_inmails(vec![mail_to_ada("late", SEAT, t0 + 2 * HOUR)]);
    clock.set(t0 + 3 * HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(
        (
            summary["enqueued"].as_u64(),
            summary["contractInactive"].as_u64()
        ),
        (Some(0), Some(2)),
        "both seats of the contract: {summary}"
    );
    assert_eq!(w.linkedin_calls("/conversationEvents"), 0);
    let skipped = w
        .export(&person("grace", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let ada = w.candidate_of("ada").await.expect("imported data stays");
    assert_eq!(ada["applications"].as_array().unwrap().len(), 1);
    assert!(w.candidate_of("grace").await.is_none());
    let exports = w.exports().await;
    assert!(exports.iter().any(
        |e| e["requestId"] == skipped.request_id.as_str() && e["reason"] == "contract_inactive"
    ));

    // Disconnecting twice records nothing new; connecting again re-activates it.
    w.api(
        "DELETE",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
        None,
    )
    .await;
    let (s, c) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!((s.as_u16(), status(&c)), (200, "Active"), "{c}");
    let trail = events(&w, ACTIVE).await;
    let to: Vec<&str> = trail.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(to, ["Active", "Disabled", "Active"], "{trail:?}");
    assert_eq!(trail[1].2, "disconnected by an administrator");
    assert!(trail.iter().all(|(_, cause, _)| cause == "Admin"));

    // The renewed contract is polled again, from where its seat stopped: the gap is imported.
    clock.set(t0 + 4 * HOUR);
    w.poll_activity().await;
    let ada = w.candidate_of("ada").await.unwrap();
    let ids: HashSet<&str> = ada["applications"][0]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activityId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, HashSet::from(["late"]));

    // The listing shows what flowed under the contract and when its seats were last polled.
    let (_, list) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    let c = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == ACTIVE)
        .unwrap()
        .clone();
    assert_eq!(
        c["imported"],
        json!({"exports": 1, "inmails": 1, "notes": 0, "contactShares": 0}),
        "{c}"
    );
    assert_eq!(
        c["lastSuccessfulPoll"],
        shared::clock::to_rfc3339(t0 + 4 * HOUR)
    );
}

#[tokio::test]
async fn linkedin_driven_changes_are_audited_with_their_cause() {
    let clock = hour_clock();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    // LinkedIn answers 403/100 for the contract: the poll marks it Expired.
    w.sim
        .set_contract_status(&format!("urn:li:contract:{ACTIVE}"), ContractState::Expired);
    clock.advance(2 * HOUR);
    w.poll_activity().await;
    let trail = events(&w, ACTIVE).await;
    assert_eq!(
        trail
            .last()
            .map(|(to, cause, _)| (to.as_str(), cause.as_str())),
        Some(("Expired", "LinkedIn")),
        "{trail:?}"
    );

    // An expired-at-connection contract records why.
    let trail = events(&w, EXPIRED).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(
        (trail[0].0.as_str(), trail[0].1.as_str()),
        ("Expired", "ExpiryDate")
    );

    // A DISABLED status change on the other contract, then ENABLED, each audited once.
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/503"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s.as_u16(), 201);
    for state in ["DISABLED", "DISABLED", "ENABLED"] {
        w.sim
            .push_status_change(CLIENT_ID, "urn:li:contract:503", state)
            .await
            .unwrap();
        w.settle().await;
    }
    let trail = events(&w, "503").await;
    let to: Vec<&str> = trail.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(to, ["Active", "Disabled", "Active"], "{trail:?}");
    assert_eq!(trail[1].1, "LinkedIn");

    let (s, body) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/contracts/999/events"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 404, "{body}");
}

async fn review_contracts(w: &World) -> Value {
    let (s, body) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200, "{body}");
    body["result"].clone()
}

#[tokio::test]
async fn the_hourly_review_expires_by_date_and_renewal_catches_up_the_gap_once() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let ends = shared::clock::to_rfc3339(t0 + 2 * HOUR);
    w.api(
        "PUT",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
        Some(json!({"expiresAt": ends})),
    )
    .await;

    // During the gap the recruiter keeps writing; the expired contract is not polled.
    let mail = |id: &str, at: i64| mail_to_ada(id, SEAT, at);
    w.sim.add_inmails(vec![
        mail("before", t0 + HOUR),
        mail("gap-1", t0 + 3 * HOUR),
        mail("gap-2", t0 + 20 * HOUR),
    ]);
    clock.set(t0 + 90 * 60_000);
    w.poll_activity().await;
    clock.set(t0 + 2 * HOUR + 60_000);
    let first = review_contracts(&w).await;
    assert_eq!(first["expiredByDate"], 1, "{first}");
    let second = review_contracts(&w).await;
    assert_eq!(
        (
            second["expiredByDate"].as_u64(),
            second["expiredByLinkedin"].as_u64()
        ),
        (Some(0), Some(0)),
        "idempotent: {second}"
    );
    let trail = events(&w, ACTIVE).await;
    assert_eq!(
        trail.iter().filter(|(to, _, _)| to == "Expired").count(),
        1,
        "{trail:?}"
    );

    clock.set(t0 + 30 * HOUR);
    w.sim.clear_calls();
    w.poll_activity().await;
    assert_eq!(
        w.linkedin_calls("/conversationEvents"),
        0,
        "no call for an expired contract"
    );

    // Renewal: a later expiry date. The next poll imports the gap, in windows of at most 12 h, once.
    w.api(
        "PUT",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
        Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
    )
    .await;
    w.poll_activity().await;
    w.poll_activity().await;
    let ada = w.candidate_of("ada").await.unwrap();
    let mut ids: Vec<&str> = ada["applications"][0]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activityId"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["before", "gap-1", "gap-2"]);
    let trail = events(&w, ACTIVE).await;
    assert_eq!(
        trail
            .last()
            .map(|(to, cause, _)| (to.as_str(), cause.as_str())),
        Some(("Active", "ExpiryDate")),
        "{trail:?}"
    );
}

#[tokio::test]
async fn the_hourly_review_probes_linkedin_and_notices_a_renewal() {
    let w = World::with_linked_seat(Setup::default()).await;
    let urn = format!("urn:li:contract:{ACTIVE}");
    w.sim.set_contract_status(&urn, ContractState::Expired);
    // Linking read the contract's seats; only the review's calls count here.
    w.sim.clear_calls();
    let summary = review_contracts(&w).await;
    assert_eq!(summary["expiredByLinkedin"], 1, "{summary}");
    let probes = w
        .sim
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/seatsV2"))
        .count();
    assert_eq!(
        probes, 1,
        "one cheap call per active contract (the expired one is not probed)"
    );
    assert_eq!(review_contracts(&w).await["expiredByLinkedin"], 0);

    w.sim.set_contract_status(&urn, ContractState::Active);
    assert_eq!(review_contracts(&w).await["renewed"], 1);
    let trail = events(&w, ACTIVE).await;
    let to: Vec<(&str, &str)> = trail
        .iter()
        .map(|(to, cause, _)| (to.as_str(), cause.as_str()))
        .collect();
    assert_eq!(
        to,
        [
            ("Active", "Admin"),
            ("Expired", "LinkedIn"),
            ("Active", "LinkedIn")
        ]
    );
    assert_eq!(review_contracts(&w).await["renewed"], 0);
}

#[tokio::test]
async fn health_shows_what_flows_and_what_does_not() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.link(ACTIVE, "7002", USER).await;
    w.api(
        "DELETE",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/7002/link"),
        None,
    )
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    w.sim.add_inmails(vec![mail_to_ada("m1", SEAT, t0 + HOUR)]);
    clock.set(t0 + 2 * HOUR);
    w.poll_activity().await;
    // A message of this tenant that can never succeed.
    let poison = json!({"tenantId": TENANT, "notificationId": "n", "kind": "EXPORT_CANDIDATE_PROFILE", "requestId": "no-such-request", "receivedAt": 1});
    w.stack
        .clients
        .sqs
        .send_message()
        .queue_url(w.stack.queue_url("ExportsQueue"))
        .message_body(poison.to_string())
        .send()
        .await
        .unwrap();
    w.settle().await;

    let (s, h) = w
        .api("GET", &format!("/tenants/{TENANT}/health"), None)
        .await;
    assert_eq!(s.as_u16(), 200, "{h}");
    let seat = h["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seatId"] == SEAT)
        .unwrap()
        .clone();
    assert_eq!(
        (
            seat["linked"].as_bool(),
            seat["importedLast24h"].as_u64(),
            seat["stale"].as_bool()
        ),
        (Some(true), Some(1), Some(false)),
        "{h}"
    );
    assert_eq!(h["unlinkedSeats"], json!(["7002"]));
    let expired = h["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == EXPIRED)
        .unwrap()
        .clone();
    assert!(
        expired["attention"]
            .as_str()
            .unwrap()
            .contains("expiry date"),
        "{expired}"
    );
    assert_eq!(h["deadLetters"].as_array().unwrap().len(), 1, "{h}");
    assert!(
        h["deadLetters"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not found")
    );

    // Three hours without a complete poll: the seat is stale, and says why.
    clock.set(t0 + 5 * HOUR);
    let (_, h) = w
        .api("GET", &format!("/tenants/{TENANT}/health"), None)
        .await;
    let seat = h["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seatId"] == SEAT)
        .unwrap()
        .clone();
    assert_eq!(seat["stale"], true, "{h}");
    assert!(seat["attention"].as_str().is_some());
}

#[tokio::test]
async fn a_contract_whose_end_date_passed_at_linkedin_is_found_by_the_hourly_review() {
    let w = World::with_linked_seat(Setup::default()).await;
    let urn = format!("urn:li:contract:{ACTIVE}");
    let past = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 1000;
    w.sim.set_contract_end(&urn, Some(past));
    assert_eq!(review_contracts(&w).await["expiredByLinkedin"], 1);
    w.sim.set_contract_end(&urn, None);
    assert_eq!(review_contracts(&w).await["renewed"], 1);
    let (_, list) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    let c = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == ACTIVE)
        .unwrap()
        .clone();
    assert_eq!(status(&c), "Active");
}

/// A signed status change posted again later (LinkedIn's retry, or someone replaying a captured
/// one) cannot undo a newer change: each is applied once, and only if newer than the last.
#[tokio::test]
async fn a_replayed_status_change_does_not_undo_a_newer_one() {
    let w = World::with_customer().await;
    let urn = format!("urn:li:contract:{ACTIVE}");
    let disabled = w
        .sim
        .push_status_change(CLIENT_ID, &urn, "DISABLED")
        .await
        .unwrap();
    w.settle().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let enabled = w
        .sim
        .push_status_change(CLIENT_ID, &urn, "ENABLED")
        .await
        .unwrap();
    w.settle().await;
    let before = events(&w, ACTIVE).await;
    let to: Vec<&str> = before.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(to, ["Active", "Disabled", "Active"], "{before:?}");
    assert!(before[1].2.contains(&disabled.request_id), "{before:?}");
    assert!(before[2].2.contains(&enabled.request_id), "{before:?}");

    // The old DISABLED again, byte for byte with its valid signature; then the ENABLED again.
    for replay in [&disabled, &enabled, &disabled] {
        let resent = w.sim.resend(&replay.notification_id).await.unwrap();
        assert_eq!(resent.status, Some(202), "accepted: it is signed");
        w.settle().await;
    }
    assert_eq!(events(&w, ACTIVE).await, before, "nothing applied again");
    let (_, contracts) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    let contract = contracts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == ACTIVE)
        .unwrap()
        .clone();
    assert_eq!(contract["status"], "Active", "{contract}");
}
