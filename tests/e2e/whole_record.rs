//! The rest of the ATS record (issue 20): notes, interview feedback, hiring teams and deletes
//! reach LinkedIn (the simulator) complete, through the outbox: a delete cancels a pending
//! update, a change after a delete re-creates, everything waits while no contract is active,
//! and a clean-up leaves nothing of the tenant at LinkedIn, even across a crash.

use linkedin_sim::{Fault, FaultKind, Synced};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

fn synced(w: &World) -> Synced {
    w.sim.synced(ORGANIZATION)
}

async fn put(w: &World, path: &str, body: Value) -> Value {
    let (s, v) = w
        .api("PUT", &format!("/tenants/{TENANT}{path}"), Some(body))
        .await;
    assert!(
        s == StatusCode::CREATED || s == StatusCode::OK,
        "PUT {path}: {s} {v}"
    );
    v
}

async fn delete(w: &World, path: &str) {
    let (s, v) = w
        .api("DELETE", &format!("/tenants/{TENANT}{path}"), None)
        .await;
    assert!(s.is_success(), "DELETE {path}: {s} {v}");
}

async fn post(w: &World, path: &str, body: Value) -> (StatusCode, Value) {
    w.api("POST", &format!("/tenants/{TENANT}{path}"), Some(body))
        .await
}

/// A candidate with an application on the engineering job, with a stage.
async fn seed_candidate(w: &World, candidate: &str, application: &str) {
    put(
        w,
        &format!("/candidates/{candidate}"),
        json!({"firstName": "Ada", "lastName": "Lovelace", "emails": ["ada@example.com"]}),
    )
    .await;
    put(
        w,
        &format!("/applications/{application}"),
        json!({"jobId": JOB_ENG, "candidateId": candidate}),
    )
    .await;
    let (s, v) = post(
        w,
        &format!("/applications/{application}/stages"),
        json!({"stage": "Phone screen", "at": "2026-11-01T10:00:00Z"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn seed_notes(w: &World, candidate: &str, application: &str) {
    put(
        w,
        &format!("/candidates/{candidate}/notes/n-1"),
        json!({"text": "Strong systems background.", "authorUserId": USER}),
    )
    .await;
    put(
        w,
        &format!("/applications/{application}/notes/n-2"),
        json!({"text": "Great resume, we should review.", "authorUserId": USER}),
    )
    .await;
    put(
        w,
        &format!("/applications/{application}/interview-feedback/f-1"),
        json!({
            "evaluations": [{"attribute": "Verbal communication", "result": "4/5"}],
            "feedback": "Great interview!",
            "interviewerUserId": USER
        }),
    )
    .await;
}

fn kinds(got: &Synced) -> Vec<String> {
    got.requests.iter().map(|r| r.kind.clone()).collect()
}

#[tokio::test]
async fn notes_feedback_and_hiring_teams_arrive_complete() {
    let w = World::with_linked_seat(Setup::default()).await;
    w.add_user("u-no-seat", "noseat@acme.example").await;
    seed_candidate(&w, "c-ada", "a-1").await;
    seed_notes(&w, "c-ada", "a-1").await;
    let team = put(
        &w,
        &format!("/jobs/{JOB_ENG}/hiring-team"),
        json!({"userIds": [USER, "u-no-seat"]}),
    )
    .await;
    w.settle().await;

    let got = synced(&w);
    let author = json!({"firstName": "Rae", "lastName": "Cruiter"});
    let note = &got.notes["candidate:c-ada"]["n-1"];
    assert_eq!(note["note"], "Strong systems background.", "{note}");
    assert_eq!(note["author"], author);
    assert!(note["atsCreatedAt"].as_i64().unwrap() > 0);
    let app_note = &got.notes["application:a-1"]["n-2"];
    assert_eq!(app_note["note"], "Great resume, we should review.");
    let feedback = &got.interview_feedback["a-1"]["f-1"];
    assert_eq!(
        feedback["evaluations"],
        json!([{"attribute": "Verbal communication", "result": "4/5"}])
    );
    assert_eq!(feedback["feedback"], "Great interview!");
    assert_eq!(feedback["interviewer"], author);

    // The hiring team: one ACL on the job, the linked user's member as its assignee; the user
    // without a seat is listed as not sent, with the reason.
    let acl = format!("hiring-team-{JOB_ENG}");
    assert!(got.acls.contains_key(&acl), "{:?}", got.acls);
    let members: Vec<&String> = got.acl_assignees[&acl].iter().collect();
    assert_eq!(members, vec![&format!("urn:li:person:holder-{SEAT}")]);
    let text = team.to_string();
    assert!(
        text.contains("u-no-seat") && text.contains("seat"),
        "{team}"
    );

    // Leaving the team removes the member at LinkedIn; an empty team removes the ACL.
    put(
        &w,
        &format!("/jobs/{JOB_ENG}/hiring-team"),
        json!({"userIds": ["u-no-seat"]}),
    )
    .await;
    w.settle().await;
    let got = synced(&w);
    assert!(
        got.acl_assignees.get(&acl).is_none_or(|m| m.is_empty()),
        "{:?}",
        got.acl_assignees
    );
    assert!(!got.acls.contains_key(&acl), "{:?}", got.acls);
}

#[tokio::test]
async fn a_delete_after_an_update_sends_only_the_delete() {
    let w = World::with_linked_seat(Setup::default()).await;
    seed_candidate(&w, "c-ada", "a-1").await;
    seed_notes(&w, "c-ada", "a-1").await;
    w.settle().await;
    let before = synced(&w);
    assert_eq!(before.writes["candidate:c-ada"], 1);
    assert!(before.notes["candidate:c-ada"].contains_key("n-1"));

    // An update, then the delete, before the sync can send (the contract is expired meanwhile:
    // a change that finds LinkedIn idle goes out at once).
    let contract = format!("/contracts/{ACTIVE}");
    put(&w, &contract, json!({"expiresAt": "2021-01-01T00:00:00Z"})).await;
    put(
        &w,
        "/candidates/c-ada",
        json!({"firstName": "Ada", "lastName": "King", "emails": ["ada@example.com"]}),
    )
    .await;
    put(
        &w,
        "/candidates/c-ada/notes/n-1",
        json!({"text": "Changed my mind.", "authorUserId": USER}),
    )
    .await;
    delete(&w, "/candidates/c-ada").await;
    put(&w, &contract, json!({"expiresAt": "2099-01-01T00:00:00Z"})).await;
    w.settle().await;

    let got = synced(&w);
    assert!(!got.candidates.contains_key("c-ada"), "deleted at LinkedIn");
    assert!(!got.applications.contains_key("a-1"));
    assert!(
        got.stages.get("a-1").is_none_or(|s| s.is_empty()),
        "{:?}",
        got.stages
    );
    assert!(
        got.notes
            .get("candidate:c-ada")
            .is_none_or(|n| n.is_empty())
    );
    assert!(
        got.notes
            .get("application:a-1")
            .is_none_or(|n| n.is_empty())
    );
    assert!(
        got.interview_feedback
            .get("a-1")
            .is_none_or(|f| f.is_empty())
    );
    assert_eq!(
        got.writes["candidate:c-ada"], 1,
        "the update was never sent"
    );
    assert_eq!(got.writes["note:candidate:c-ada:n-1"], 1);
    let new: Vec<String> = kinds(&got)[before.requests.len()..].to_vec();
    assert!(
        !new.iter()
            .any(|k| k == "candidates" || k == "candidateNotes"),
        "only deletes went out: {new:?}"
    );
    // Children before their parents.
    let at = |k: &str| {
        new.iter()
            .position(|x| x == k)
            .unwrap_or_else(|| panic!("{k}: {new:?}"))
    };
    assert!(
        at("interviewFeedbackDeletes") < at("applicationDeletes"),
        "{new:?}"
    );
    assert!(
        at("applicationNoteDeletes") < at("applicationDeletes"),
        "{new:?}"
    );
    assert!(at("stageDeletes") < at("applicationDeletes"), "{new:?}");
    assert!(
        at("candidateNoteDeletes") < at("candidateDeletes"),
        "{new:?}"
    );
    assert!(at("applicationDeletes") < at("candidateDeletes"), "{new:?}");
    let (s, _) = w
        .api("GET", &format!("/tenants/{TENANT}/candidates/c-ada"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        w.api("GET", &format!("/tenants/{TENANT}/sync"), None)
            .await
            .1["pending"],
        0
    );
}

#[tokio::test]
async fn a_change_after_a_delete_creates_the_record_again() {
    let w = World::with_linked_seat(Setup {
        sync_gather_ms: Some(1_500),
        ..Setup::default()
    })
    .await;
    seed_candidate(&w, "c-ada", "a-1").await;
    seed_notes(&w, "c-ada", "a-1").await;
    w.settle().await;
    // Deleted and written again before the sync runs: LinkedIn keeps it, with the new text.
    delete(&w, "/applications/a-1/notes/n-2").await;
    put(
        &w,
        "/applications/a-1/notes/n-2",
        json!({"text": "Second thoughts.", "authorUserId": USER}),
    )
    .await;
    // A stage deleted on its own goes, the application stays.
    let (_, app) = w
        .api("GET", &format!("/tenants/{TENANT}/applications/a-1"), None)
        .await;
    let stage_id = app["stages"][0]["stageId"].as_str().unwrap().to_owned();
    delete(&w, &format!("/applications/a-1/stages/{stage_id}")).await;
    w.settle().await;
    let got = synced(&w);
    assert_eq!(
        got.notes["application:a-1"]["n-2"]["note"],
        "Second thoughts."
    );
    assert!(
        !kinds(&got).contains(&"applicationNoteDeletes".to_string()),
        "a record written again is not deleted: {:?}",
        kinds(&got)
    );
    assert!(
        got.stages
            .get("a-1")
            .is_none_or(|s| !s.contains_key(&stage_id))
    );
    assert!(got.applications.contains_key("a-1"));

    // Deleted after it was sent, then written again: deleted, then created again.
    delete(&w, "/candidates/c-ada/notes/n-1").await;
    w.settle().await;
    assert!(!synced(&w).notes["candidate:c-ada"].contains_key("n-1"));
    put(
        &w,
        "/candidates/c-ada/notes/n-1",
        json!({"text": "Back again.", "authorUserId": USER}),
    )
    .await;
    w.settle().await;
    assert_eq!(
        synced(&w).notes["candidate:c-ada"]["n-1"]["note"],
        "Back again."
    );
}

#[tokio::test]
async fn deletes_and_notes_made_while_expired_are_sent_once_after_renewal() {
    let w = World::with_linked_seat(Setup::default()).await;
    seed_candidate(&w, "c-ada", "a-1").await;
    seed_candidate(&w, "c-bob", "a-2").await;
    w.settle().await;
    let contract = format!("/contracts/{ACTIVE}");
    put(&w, &contract, json!({"expiresAt": "2021-01-01T00:00:00Z"})).await;
    let sent_before = synced(&w).requests.len();
    seed_notes(&w, "c-ada", "a-1").await;
    delete(&w, "/candidates/c-bob").await;
    w.settle().await;
    let got = synced(&w);
    assert_eq!(
        got.requests.len(),
        sent_before,
        "nothing is sent while expired"
    );
    assert!(got.candidates.contains_key("c-bob"));

    put(&w, &contract, json!({"expiresAt": "2099-01-01T00:00:00Z"})).await;
    w.settle().await;
    let got = synced(&w);
    assert!(!got.candidates.contains_key("c-bob"));
    assert_eq!(got.writes["note:candidate:c-ada:n-1"], 1, "sent once");
    assert_eq!(got.writes["feedback:a-1:f-1"], 1, "sent once");
    let deletes = kinds(&got)
        .iter()
        .filter(|k| *k == "candidateDeletes")
        .count();
    assert_eq!(deletes, 1, "{:?}", kinds(&got));
}

#[tokio::test]
async fn a_cleanup_leaves_nothing_of_the_tenant_at_linkedin_even_across_a_crash() {
    let w = World::with_linked_seat(Setup::default()).await;
    for i in 0..30 {
        seed_candidate(&w, &format!("c-{i}"), &format!("a-{i}")).await;
    }
    seed_notes(&w, "c-0", "a-0").await;
    put(
        &w,
        &format!("/jobs/{JOB_ENG}/hiring-team"),
        json!({"userIds": [USER]}),
    )
    .await;
    w.settle().await;
    let got = synced(&w);
    assert_eq!(got.candidates.len(), 30);
    assert!(!got.acls.is_empty());

    // Confirmation is required.
    let (s, _) = post(&w, "/linkedin/cleanup", json!({"confirm": "yes"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(synced(&w).candidates.len(), 30, "nothing deleted");

    // LinkedIn fails mid-way: the sync run that meets it fails (its message waits out the
    // queue's visibility timeout), with some deletes done and the rest still in the outbox.
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/atsApplications".into(),
        kind: FaultKind::Status {
            status: 500,
            retry_after_secs: None,
        },
        times: 3,
        query: Default::default(),
    });
    let (s, v) = post(&w, "/linkedin/cleanup", json!({"confirm": TENANT})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (s, _) = post(&w, "/linkedin/cleanup", json!({"confirm": TENANT})).await;
    assert_eq!(s, StatusCode::CONFLICT, "one clean-up at a time");
    // A record changed during the clean-up is kept here but not sent.
    put(
        &w,
        "/candidates/c-1",
        json!({"firstName": "Changed", "emails": ["ada@example.com"]}),
    )
    .await;
    w.settle().await;
    assert!(
        !synced(&w).leftovers().is_empty(),
        "the failure stopped the run part-way"
    );
    // The hourly contract review nudges every tenant with an active contract: the clean-up
    // carries on from its tombstones.
    let (s, v) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    w.settle().await;

    let got = synced(&w);
    assert_eq!(
        got.leftovers(),
        Vec::<String>::new(),
        "nothing of the tenant is left"
    );
    assert!(got.candidates.is_empty(), "{:?}", got.candidates.keys());
    assert!(got.applications.is_empty());
    assert!(got.stages.values().all(|s| s.is_empty()));
    assert!(got.notes.values().all(|n| n.is_empty()));
    assert!(got.interview_feedback.values().all(|f| f.is_empty()));
    assert!(got.acls.is_empty(), "{:?}", got.acls);
    assert!(got.acl_assignees.values().all(|m| m.is_empty()));
    assert!(
        got.jobs.values().all(|j| j["state"] == "CLOSED"),
        "jobs are closed: {:?}",
        got.jobs
    );
    let (_, state) = w.api("GET", &format!("/tenants/{TENANT}/sync"), None).await;
    assert_eq!(state["cleanup"]["phase"], "queued", "{state}");
    assert_eq!(state["pending"], 0, "{state}");
    // The ATS keeps its records.
    let (s, _) = w
        .api("GET", &format!("/tenants/{TENANT}/candidates/c-1"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_note_linkedin_refuses_is_a_sync_error_and_a_dead_letter_and_the_rest_goes_through() {
    let w = World::with_linked_seat(Setup::default()).await;
    seed_candidate(&w, "c-ada", "a-1").await;
    w.sim
        .reject_sync_record("n-bad", "note refused for the test");
    put(
        &w,
        "/candidates/c-ada/notes/n-bad",
        json!({"text": "Refused.", "authorUserId": USER}),
    )
    .await;
    seed_notes(&w, "c-ada", "a-1").await;
    w.settle().await;

    let got = synced(&w);
    assert!(
        got.notes["candidate:c-ada"].contains_key("n-1"),
        "the rest goes through"
    );
    assert!(!got.notes["candidate:c-ada"].contains_key("n-bad"));
    assert!(got.interview_feedback["a-1"].contains_key("f-1"));
    let (s, errors) = w
        .api("GET", &format!("/tenants/{TENANT}/sync/errors"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let errors = errors["items"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "candidateNote", "{errors:?}");
    assert_eq!(errors[0]["origin"], "linkedIn", "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("note refused for the test")
    );
    assert_eq!(w.queue("AtsChangesDeadLetterQueue").await.0, 1);
    let (_, state) = w.api("GET", &format!("/tenants/{TENANT}/sync"), None).await;
    assert_eq!(
        state["pending"], 0,
        "a refused note leaves the outbox: {state}"
    );

    // Fixed and sent again, the error goes.
    w.sim.clear_sync_rejections();
    put(
        &w,
        "/candidates/c-ada/notes/n-bad",
        json!({"text": "Accepted now.", "authorUserId": USER}),
    )
    .await;
    w.settle().await;
    assert_eq!(
        synced(&w).notes["candidate:c-ada"]["n-bad"]["note"],
        "Accepted now."
    );
    let (_, errors) = w
        .api("GET", &format!("/tenants/{TENANT}/sync/errors"), None)
        .await;
    assert_eq!(errors["items"], json!([]));
    // The ATS heard of the refusal and of its end, once each.
    assert_eq!(
        crate::events::named(&w, &["SyncRecordRejected", "SyncErrorCleared"]).await,
        [
            ("SyncRecordRejected".to_owned(), "c-ada#n-bad".to_owned()),
            ("SyncErrorCleared".to_owned(), "c-ada#n-bad".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_full_sync_waits_until_a_cleanup_has_queued_its_deletes_and_then_sends_again() {
    let w = World::with_customer().await;
    w.settle().await;
    // A clean-up still listing candidates (no step is queued, so it stays in that phase).
    let store = shared::store::Store::new(
        w.stack.clients.dynamodb.clone(),
        w.stack.table_name().to_owned(),
    );
    let now = chrono::Utc::now().timestamp_millis();
    let mut run = shared::outbound::cleanup::start("held", now);
    assert!(store.start_cleanup(TENANT, &run).await.unwrap());
    let (_, state) = w.api("GET", &format!("/tenants/{TENANT}/sync"), None).await;
    assert_eq!(state["stopped"], true, "{state}");

    let (s, v) = post(&w, "/sync/full", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");

    // Once every delete is queued, a full sync starts sending records again.
    run.phase = shared::outbound::CleanupPhase::Queued;
    assert!(store.save_cleanup(TENANT, &run).await.unwrap());
    let (s, v) = post(&w, "/sync/full", json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let (_, state) = w.api("GET", &format!("/tenants/{TENANT}/sync"), None).await;
    assert_eq!(state["stopped"], false, "{state}");
}
