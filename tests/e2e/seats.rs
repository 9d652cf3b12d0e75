//! Seat sync: seats LinkedIn lists are recorded; holders with an ATS account are linked, by
//! member URN or email; nobody else is, and no user is ever created.

use serde_json::json;

use crate::harness::*;

fn seat(id: &str, member: &str, email: Option<&str>) -> linkedin_sim::Seat {
    linkedin_sim::Seat {
        id: id.into(),
        contract: format!("urn:li:contract:{ACTIVE}"),
        member: format!("urn:li:person:{member}"),
        first_name: "Sea".into(),
        last_name: "Tholder".into(),
        state: "ACTIVE".into(),
        email: email.map(str::to_owned),
    }
}

#[tokio::test]
async fn seats_are_synced_and_linked_to_existing_users_only() {
    let w = World::with_customer().await;
    let (s, _) = w.api("PUT", &format!("/tenants/{TENANT}/users/ann"), Some(json!({"email": "ann@acme.example", "firstName": "Ann", "lastName": "A", "member": "urn:li:person:ann"}))).await;
    assert_eq!(s.as_u16(), 201);
    w.add_user("bob", "Bob@Acme.example").await;
    w.sim.add_seat(seat("8101", "ann", None));
    w.sim
        .add_seat(seat("8102", "bob-on-linkedin", Some("bob@acme.EXAMPLE")));
    w.sim
        .add_seat(seat("8103", "carol", Some("carol@elsewhere.example")));

    let (s, run) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200, "{run}");
    let r = &run["result"];
    assert_eq!(
        (
            r["seats"].as_u64(),
            r["seatsLinkedAutomatically"].as_u64(),
            r["seatsUnlinked"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{r}"
    );

    let (_, unlinked) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/seats?linked=false"),
            None,
        )
        .await;
    let ids: Vec<&str> = unlinked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seatId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["8103"]);
    let (_, linked) = w
        .api("GET", &format!("/tenants/{TENANT}/seats?linked=true"), None)
        .await;
    let pairs: Vec<(&str, &str)> = linked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["seatId"].as_str().unwrap(), s["userId"].as_str().unwrap()))
        .collect();
    assert_eq!(pairs, [("8101", "ann"), ("8102", "bob")]);
    assert_eq!(linked["items"][0]["state"], "ACTIVE");
    let (_, users) = w
        .api("GET", &format!("/tenants/{TENANT}/users"), None)
        .await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        2,
        "no user was created"
    );

    // A second run changes nothing; the linked seats are polled.
    let (_, again) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(again["result"]["seatsLinkedAutomatically"], 0);
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 2, "{summary}");
    let (s, _) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/seats?linked=maybe"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 400);
}
