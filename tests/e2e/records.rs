//! What the admin API answers for the rest of the ATS record (issue 20): notes, interview
//! feedback, hiring teams, deletes, the clean-up and forgetting a member, as an ATS developer
//! sees them. What LinkedIn receives is whole_record.rs's subject.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

async fn call(w: &World, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    w.api(method, &format!("/tenants/{TENANT}{path}"), body)
        .await
}

/// A candidate `c-1` with application `a-1` on the engineering job, at one stage.
async fn candidate_with_application(w: &World) -> String {
    for (path, body) in [
        (
            "/candidates/c-1",
            json!({"firstName": "Ada", "lastName": "Lovelace", "emails": ["ada@example.com"]}),
        ),
        (
            "/applications/a-1",
            json!({"jobId": JOB_ENG, "candidateId": "c-1"}),
        ),
    ] {
        let (s, v) = call(w, "PUT", path, Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
    }
    let (s, app) = call(
        w,
        "POST",
        "/applications/a-1/stages",
        Some(json!({"stage": "Phone screen", "at": "2026-11-01T10:00:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{app}");
    app["stages"][0]["stageId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn notes_and_feedback_are_created_replaced_read_and_deleted() {
    let w = World::with_linked_seat(Setup::default()).await;
    candidate_with_application(&w).await;

    let (s, note) = call(
        &w,
        "PUT",
        "/candidates/c-1/notes/n-1",
        Some(
            json!({"text": "  Strong Rust.\nCall back in May.  ", "authorUserId": USER,
                    "createdAt": "2026-11-02T09:00:00Z"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    assert_eq!(note["text"], "Strong Rust.\nCall back in May.");
    assert_eq!(note["createdAt"], "2026-11-02T09:00:00.000Z");
    assert!(note.get("applicationId").is_none(), "{note}");
    // A later PUT replaces the text and keeps the creation time, whatever it says.
    let (s, again) = call(
        &w,
        "PUT",
        "/candidates/c-1/notes/n-1",
        Some(json!({"text": "Hired elsewhere.", "authorUserId": USER,
                    "createdAt": "2026-12-31T00:00:00Z"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["text"], "Hired elsewhere.");
    assert_eq!(again["createdAt"], "2026-11-02T09:00:00.000Z");
    let (s, read) = call(&w, "GET", "/candidates/c-1/notes/n-1", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read, again);

    // A note on the application belongs to its candidate, and is another note than the
    // candidate's of the same id.
    let (s, on_app) = call(
        &w,
        "PUT",
        "/applications/a-1/notes/n-2",
        Some(json!({"text": "Second interview.", "authorUserId": USER})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{on_app}");
    assert_eq!(on_app["candidateId"], "c-1");
    assert_eq!(on_app["applicationId"], "a-1");
    let (s, _) = call(&w, "GET", "/candidates/c-1/notes/n-2", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, fb) = call(
        &w,
        "PUT",
        "/applications/a-1/interview-feedback/f-1",
        Some(
            json!({"evaluations": [{"attribute": "Verbal communication", "result": "4/5"}],
                    "feedback": "Hire.", "interviewerUserId": USER}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{fb}");
    assert_eq!(fb["candidateId"], "c-1");
    assert_eq!(
        fb["evaluations"],
        json!([{"attribute": "Verbal communication", "result": "4/5"}])
    );
    // Replaced as given: the free text left out is removed.
    let (s, fb) = call(
        &w,
        "PUT",
        "/applications/a-1/interview-feedback/f-1",
        Some(
            json!({"evaluations": [{"attribute": "Rust", "result": "Strong"}],
                    "interviewerUserId": USER}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{fb}");
    assert!(fb.get("feedback").is_none(), "{fb}");

    for path in [
        "/candidates/c-1/notes/n-1",
        "/applications/a-1/notes/n-2",
        "/applications/a-1/interview-feedback/f-1",
    ] {
        let (s, v) = call(&w, "DELETE", path, None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{path}: {v}");
        let (s, _) = call(&w, "GET", path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        let (s, _) = call(&w, "DELETE", path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path} again");
    }
    w.settle().await;
}

#[tokio::test]
async fn a_stage_an_application_and_a_candidate_are_deleted_with_what_hangs_on_them() {
    let w = World::with_linked_seat(Setup::default()).await;
    let stage = candidate_with_application(&w).await;
    let (s, _) = call(
        &w,
        "PUT",
        "/applications/a-1/notes/n-1",
        Some(json!({"text": "On the application.", "authorUserId": USER})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let path = format!("/applications/a-1/stages/{stage}");
    let (s, app) = call(&w, "DELETE", &path, None).await;
    assert_eq!(s, StatusCode::OK, "{app}");
    assert_eq!(app["stages"], json!([]));
    let (_, read) = call(&w, "GET", "/applications/a-1", None).await;
    assert_eq!(read["stages"], json!([]));
    assert_eq!(read["updatedAt"], app["updatedAt"]);
    let (s, _) = call(&w, "DELETE", &path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, _) = call(&w, "DELETE", "/applications/a-1", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for gone in ["/applications/a-1", "/applications/a-1/notes/n-1"] {
        let (s, _) = call(&w, "GET", gone, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{gone}");
    }
    // The candidate and the job stay.
    let (s, candidate) = call(&w, "GET", "/candidates/c-1", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(candidate["applications"], json!([]));
    let (s, _) = call(&w, "GET", &format!("/jobs/{JOB_ENG}"), None).await;
    assert_eq!(s, StatusCode::OK);

    let (s, _) = call(&w, "DELETE", "/candidates/c-1", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&w, "GET", "/candidates/c-1", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(&w, "DELETE", "/candidates/c-1", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    w.settle().await;
}

#[tokio::test]
async fn a_hiring_team_says_who_linkedin_gets_and_why_not() {
    let w = World::with_linked_seat(Setup::default()).await;
    w.add_user("u-nolink", "nolink@acme.example").await;
    let team = format!("/jobs/{JOB_ENG}/hiring-team");

    let (s, empty) = call(&w, "GET", &team, None).await;
    assert_eq!(s, StatusCode::OK, "{empty}");
    assert_eq!(empty["users"], json!([]));
    assert!(empty.get("updatedAt").is_none());

    let (s, set) = call(
        &w,
        "PUT",
        &team,
        Some(json!({"userIds": [USER, "u-nolink"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{set}");
    // The linked seat's member, as LinkedIn lists it, is what LinkedIn gets.
    let linked = &set["users"][0];
    assert_eq!(
        linked,
        &json!({"userId": USER, "sent": true, "members": [format!("urn:li:person:holder-{SEAT}")]}),
        "{set}"
    );
    assert_eq!(
        set["users"][1],
        json!({"userId": "u-nolink", "sent": false, "reason": "noLinkedSeat"})
    );
    let (s, read) = call(&w, "GET", &team, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read, set);

    let (s, cleared) = call(&w, "PUT", &team, Some(json!({"userIds": []}))).await;
    assert_eq!(s, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["users"], json!([]));
    w.settle().await;
}

#[tokio::test]
async fn a_cleanup_stops_the_sync_until_a_full_sync_and_forgetting_deletes_the_member() {
    let w = World::with_customer().await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let ada = w.candidate_of("ada").await.expect("Ada imported");
    let ada_id = ada["candidateId"].as_str().unwrap().to_owned();

    let (s, run) = call(
        &w,
        "POST",
        "/linkedin/cleanup",
        Some(json!({ "confirm": TENANT })),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{run}");
    assert_eq!(run["phase"], "candidates");
    assert_eq!(run["queued"], 0);
    w.settle().await;
    let (_, sync) = call(&w, "GET", "/sync", None).await;
    assert_eq!(sync["cleanup"]["runId"], run["runId"], "{sync}");
    assert_eq!(sync["cleanup"]["phase"], "queued", "{sync}");
    assert!(sync["cleanup"]["finishedAt"].is_string(), "{sync}");
    assert_eq!(sync["stopped"], true, "{sync}");
    // Nothing is deleted here.
    let (s, _) = call(&w, "GET", &format!("/candidates/{ada_id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let page = w
        .api("GET", &format!("/tenants/{TENANT}/integration"), None)
        .await;
    assert_eq!(page.0, StatusCode::OK);

    let (s, full) = call(&w, "POST", "/sync/full", None).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{full}");
    let (_, sync) = call(&w, "GET", "/sync", None).await;
    assert_eq!(sync["stopped"], false, "{sync}");
    w.settle().await;

    let (s, forgot) = call(
        &w,
        "POST",
        "/compliance/forget",
        Some(json!({"member": "urn:li:person:ada"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{forgot}");
    assert_eq!(forgot["candidates"], json!([ada_id]));
    assert!(forgot["deletedItems"].as_u64().unwrap() >= 2, "{forgot}");
    let (s, _) = call(&w, "GET", &format!("/candidates/{ada_id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Again: nothing left to forget.
    let (s, again) = call(
        &w,
        "POST",
        "/compliance/forget",
        Some(json!({"member": "urn:li:person:ada"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, json!({"candidates": [], "deletedItems": 0}));
    w.settle().await;
}
