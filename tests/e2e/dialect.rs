//! What changed when the client was held to LinkedIn's published requests: InMails in the shape
//! the doc describes, records that cannot be attributed kept and re-processed, the exported
//! profile's documented names, the member attached to an exported candidate, one fetch for
//! racing deliveries, exports LinkedIn holds while an integration is inactive, and the job and
//! candidate fields LinkedIn requires.

use linkedin_sim::{ContractState, InMail};
use serde_json::{Value, json};
use shared::clock::Clock;

use crate::harness::*;

/// An InMail with only what LinkedIn's doc guarantees (author, time, content): no recipient, no
/// direction.
fn documented(id: &str, member: &str, at: i64, sent: bool) -> InMail {
    InMail {
        id: id.into(),
        seat: format!("urn:li:seat:{SEAT}"),
        member: format!("urn:li:person:{member}"),
        direction: if sent { "SENT" } else { "RECEIVED" }.into(),
        subject: format!("subject {id}"),
        body: format!("body {id}"),
        created_at: at,
        conversation: Some(format!("urn:li:conversation:{id}")),
        documented_only: true,
    }
}

fn inmails_of(candidate: &Value) -> Vec<String> {
    candidate["applications"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["activity"].as_array().unwrap().clone())
        .filter(|a| a["kind"] == "inmail")
        .map(|a| {
            format!(
                "{} {}",
                a["activityId"].as_str().unwrap(),
                a["direction"].as_str().unwrap()
            )
        })
        .collect()
}

async fn health(w: &World) -> Value {
    let (s, h) = w
        .api("GET", &format!("/tenants/{TENANT}/health"), None)
        .await;
    assert_eq!(s.as_u16(), 200, "{h}");
    h
}

async fn sync_seats(w: &World) {
    let (s, run) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200, "{run}");
    w.settle().await;
}

#[tokio::test]
async fn an_inmail_with_only_what_the_doc_guarantees_is_imported() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    // The hourly seat sync names the seat's holder, which tells sent from received.
    sync_seats(&w).await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    w.sim
        .add_inmails(vec![documented("r1", "ada", t0 + 1000, false)]);
    clock.set(t0 + HOUR);
    w.poll_activity().await;

    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(inmails_of(&ada), ["r1 RECEIVED"]);
    assert_eq!(health(&w).await["unprocessedActivity"]["count"], 0);
}

#[tokio::test]
async fn an_inmail_that_cannot_be_attributed_is_kept_shown_and_imported_after_a_reprocess() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.add_user(USER, "recruiter@acme.example").await;
    // LinkedIn lists the seat but does not name its holder yet (an invitation not accepted).
    let listed = |member: &str| linkedin_sim::Seat {
        id: SEAT.into(),
        contract: format!("urn:li:contract:{ACTIVE}"),
        member: member.into(),
        first_name: "Rae".into(),
        last_name: "Cruiter".into(),
        state: "ACTIVE".into(),
        email: None,
    };
    w.sim.add_seat(listed(""));
    let (s, v) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            Some(json!({"userId": USER})),
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{v}");
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    // Linked by an administrator before LinkedIn named its holder: a message written by a
    // member could be the holder's own, so it cannot be attributed yet.
    w.sim.add_inmails(vec![
        documented("r1", "ada", t0 + 1000, false),
        documented("s1", "ada", t0 + 2000, true),
    ]);
    clock.set(t0 + HOUR);
    w.poll_activity().await;

    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(inmails_of(&ada), Vec::<String>::new(), "nothing guessed");
    let h = health(&w).await;
    let kept = &h["unprocessedActivity"];
    assert_eq!(kept["count"], 2, "{h}");
    let reasons: Vec<&str> = kept["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("holder")), "{reasons:?}");
    assert!(kept["attention"].as_str().unwrap().contains("reprocess"));
    let page = w
        .http
        .get(format!("{}/tenants/{TENANT}/integration", w.stack.api_url))
        .bearer_auth(&w.stack.admin_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Unprocessed activity"), "the page shows them");

    // The seat sync names the holder, and the re-process imports the received message without
    // asking LinkedIn. The sent one (authored by the seat, no recipient, alone in its
    // conversation) still cannot be placed: it stays kept, its reason brought up to date.
    w.sim
        .add_seat(listed(&format!("urn:li:person:holder-{SEAT}")));
    sync_seats(&w).await;
    let calls_after_sync = w.sim.calls().len();
    let (s, done) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/activity/reprocess"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{done}");
    assert_eq!(done, json!({"imported": 1, "stillUnprocessed": 1}));
    assert_eq!(
        w.sim.calls().len(),
        calls_after_sync,
        "a re-process makes no LinkedIn call"
    );
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(inmails_of(&ada), ["r1 RECEIVED"]);
    let h = health(&w).await;
    assert_eq!(h["unprocessedActivity"]["count"], 1, "{h}");
    assert!(
        h["unprocessedActivity"]["records"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("recipient"),
        "{h}"
    );

    // Again: nothing changes, nothing is imported twice.
    let (_, again) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/activity/reprocess"),
            None,
        )
        .await;
    assert_eq!(again, json!({"imported": 0, "stillUnprocessed": 1}));
    assert_eq!(inmails_of(&w.candidate_of("ada").await.unwrap()).len(), 1);
}

#[tokio::test]
async fn a_sent_inmail_takes_the_member_of_its_conversation() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    sync_seats(&w).await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let mut sent = documented("s1", "ada", t0 + 1000, true);
    let mut reply = documented("r1", "ada", t0 + 5000, false);
    sent.conversation = Some("urn:li:conversation:c-ada".into());
    reply.conversation = sent.conversation.clone();
    w.sim.add_inmails(vec![sent, reply]);
    clock.set(t0 + HOUR);
    w.poll_activity().await;

    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(inmails_of(&ada), ["s1 SENT", "r1 RECEIVED"]);
    assert_eq!(health(&w).await["unprocessedActivity"]["count"], 0);
}

#[tokio::test]
async fn the_exported_employer_is_kept_and_the_member_attached_at_linkedin() {
    let w = World::with_customer().await;
    let mut ada = person("ada", "Ada", "Lovelace");
    ada["currentEmployerNames"] = json!([" ", "Analytical Engines", "Difference Ltd"]);
    let pushed = w.export(&ada, ACTIVE, JOB_ENG).await;
    assert_eq!(pushed.status, Some(202));
    w.settle().await;

    let got = w.candidate_of("ada").await.unwrap();
    assert_eq!(got["currentCompany"], "Analytical Engines", "{got}");
    let id = got["candidateId"].as_str().unwrap();
    // The candidate went to LinkedIn through the outbound sync, and its member with it.
    let synced = w.sim.synced(ORGANIZATION);
    assert_eq!(
        synced.matched_members.get(id).map(String::as_str),
        Some("urn:li:person:ada"),
        "{:?}",
        synced.matched_members
    );
    let at_linkedin = &synced.candidates[id];
    assert_eq!(at_linkedin["firstName"], "Ada");
    // The local stack's candidate page (the template's CandidatePageUrl) opens the candidate.
    let page = at_linkedin["externalProfileUrl"].as_str().unwrap();
    assert_eq!(page, format!("{}/_local/candidates/{id}", w.stack.api_url));
    let opened: Value = w
        .http
        .get(page)
        .bearer_auth(&w.stack.admin_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(opened["candidateId"], id, "{opened}");
    assert!(
        !at_linkedin.to_string().contains("FORBIDDEN"),
        "{at_linkedin}"
    );
}

#[tokio::test]
async fn racing_deliveries_fetch_the_export_once() {
    let w = World::with_customer().await;
    let first = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    let resends =
        futures::future::join_all((0..3).map(|_| w.sim.resend(&first.notification_id))).await;
    assert!(
        resends
            .iter()
            .all(|r| r.as_ref().unwrap().status == Some(202))
    );
    w.settle().await;

    assert_eq!(w.candidates().await.len(), 1);
    assert_eq!(w.exports().await.len(), 1);
    assert_eq!(
        w.linkedin_calls("/exportedCandidates"),
        1,
        "the request id is claimed before LinkedIn is asked"
    );
}

#[tokio::test]
async fn an_export_linkedin_holds_while_inactive_is_listed_and_imported_after_renewal() {
    let w = World::with_customer().await;
    let contract = format!("urn:li:contract:{ACTIVE}");
    w.sim.set_contract_status(&contract, ContractState::Expired);
    let pushed = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    assert_eq!(pushed.status, Some(202));
    w.settle().await;

    let exports = w.exports().await;
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(exports[0]["status"], "held");
    assert_eq!(exports[0]["reason"], "linkedin_inactive");
    assert!(w.candidate_of("ada").await.is_none());
    let (dead, _) = w.queue("ExportsDeadLetterQueue").await;
    assert_eq!(dead, 0, "held, not dead-lettered");

    // Renewed at LinkedIn: the hourly review finds the contract active and fetches it again.
    w.sim.set_contract_status(&contract, ContractState::Active);
    let (s, run) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200, "{run}");
    assert_eq!(run["result"]["heldExportsQueued"], 1, "{run}");
    w.settle().await;
    let exports = w.exports().await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0]["status"], "imported", "{exports:?}");
    assert!(w.candidate_of("ada").await.is_some());

    // Nothing is held any more: the next review queues nothing.
    let (_, run) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(run["result"]["heldExportsQueued"], 0, "{run}");
}

#[tokio::test]
async fn jobs_need_an_apply_url_and_are_private_to_the_integration_by_default() {
    let w = World::with_customer().await;
    let put_job = |id: &'static str, body: Value| {
        let w = &w;
        async move {
            let (s, b) = w
                .api("PUT", &format!("/tenants/{TENANT}/jobs/{id}"), Some(body))
                .await;
            assert!(s.is_success(), "{b}");
        }
    };
    let base = json!({"title": "Engineer", "description": "Builds", "location": "Dublin", "state": "OPEN"});
    put_job("no-url", base.clone()).await;
    let mut with_url = base.clone();
    with_url["companyApplyUrl"] = json!("https://careers.acme.example/a");
    put_job("private", with_url.clone()).await;
    let mut public = with_url.clone();
    public["availability"] = json!("PUBLIC");
    put_job("public", public).await;
    w.settle().await;

    let synced = w.sim.synced(ORGANIZATION);
    assert_eq!(
        synced.jobs["private"]["availability"],
        "PRIVATE_TO_ATS_INTEGRATION"
    );
    assert_eq!(synced.jobs["public"]["availability"], "PUBLIC");
    assert!(!synced.jobs.contains_key("no-url"));
    let (_, errors) = w
        .api("GET", &format!("/tenants/{TENANT}/sync/errors"), None)
        .await;
    let no_url = errors["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["recordId"] == "no-url")
        .unwrap_or_else(|| panic!("{errors}"));
    assert!(
        no_url["message"]
            .as_str()
            .unwrap()
            .contains("companyApplyUrl"),
        "{no_url}"
    );

    // The tenant's default can be PUBLIC; a job that says nothing follows it.
    let (s, t) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(json!({
                "name": "Acme", "organization": ORGANIZATION, "jobAvailability": "PUBLIC",
                "linkedin": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
            })),
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{t}");
    assert_eq!(t["jobAvailability"], "PUBLIC");
    put_job("private", with_url).await;
    w.settle().await;
    assert_eq!(
        w.sim.synced(ORGANIZATION).jobs["private"]["availability"],
        "PUBLIC"
    );
}

#[tokio::test]
async fn an_exporter_named_by_member_is_resolved_to_the_seat_they_hold() {
    let w = World::with_customer().await;
    // A second seat whose holder has no ATS account: the seat sync records it, unlinked.
    w.sim.add_seat(linkedin_sim::Seat {
        id: "9002".into(),
        contract: format!("urn:li:contract:{ACTIVE}"),
        member: "urn:li:person:holder-9002".into(),
        first_name: "Una".into(),
        last_name: "Linked".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    sync_seats(&w).await;
    let export_as = |exporter: &'static str, person: Value| {
        let w = &w;
        async move {
            w.sim
                .export(linkedin_sim::ExportSpec {
                    client_id: CLIENT_ID.into(),
                    request_id: None,
                    contract: format!("urn:li:contract:{ACTIVE}"),
                    exporter: exporter.into(),
                    ats_job_posting_id: JOB_ENG.into(),
                    candidate: person,
                })
                .await
                .unwrap()
        }
    };
    // LinkedIn documents the exporter as `requester.member`: the holder of a linked seat.
    export_as(
        "urn:li:person:holder-9001",
        person("ada", "Ada", "Lovelace"),
    )
    .await;
    // ... and the holder of a seat nobody linked: the export waits as that seat's lead.
    export_as(
        "urn:li:person:holder-9002",
        person("grace", "Grace", "Hopper"),
    )
    .await;
    w.settle().await;

    let mut by_status: Vec<(String, String)> = w
        .exports()
        .await
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap().to_owned(),
                e["exportedBy"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    by_status.sort();
    assert_eq!(
        by_status,
        [
            (
                "imported".to_owned(),
                format!("urn:li:seat:{EXPORTER_SEAT}")
            ),
            ("pending".to_owned(), "urn:li:seat:9002".to_owned()),
        ]
    );
    assert!(w.candidate_of("ada").await.is_some());
    assert!(
        w.candidate_of("grace").await.is_none(),
        "a lead, not a candidate"
    );
}
