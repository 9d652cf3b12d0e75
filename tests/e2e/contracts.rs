//! Contract status and its audit trail: connect, disconnect, reconnect, LinkedIn's own changes.

use std::collections::HashSet;

use linkedin_sim::ContractState;
use serde_json::{Value, json};
use shared::clock::{Clock, ManualClock};

use crate::harness::*;

const HOUR: i64 = 3_600_000;

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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let clock = ManualClock::at(now - now % HOUR);
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
    w.sim.add_inmails(vec![linkedin_sim::InMail {
        id: "late".into(),
        seat: format!("urn:li:seat:{SEAT}"),
        member: "urn:li:person:ada".into(),
        direction: "SENT".into(),
        subject: "s".into(),
        body: "b".into(),
        created_at: t0 + 2 * HOUR,
        conversation: None,
    }]);
    clock.set(t0 + 3 * HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(
        (
            summary["enqueued"].as_u64(),
            summary["contractInactive"].as_u64()
        ),
        (Some(0), Some(1)),
        "{summary}"
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
}

#[tokio::test]
async fn linkedin_driven_changes_are_audited_with_their_cause() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let clock = ManualClock::at(now - now % HOUR);
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
