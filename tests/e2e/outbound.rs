//! Outbound sync (issue 6): the ATS's changes reach LinkedIn (the simulator) complete, in
//! batches of at most 100, validated first, held while no contract is active, and a full sync
//! sends two years of history.

use std::time::Duration;

use futures::StreamExt;
use linkedin_sim::{Fault, FaultKind, Synced};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::clock::Clock;

use crate::harness::*;

const APPLICATION_FIELDS: [&str; 10] = [
    "atsCandidateId",
    "atsCreatedAt",
    "atsLastModifiedAt",
    "atsJobPostingId",
    "atsJobPostingName",
    "candidateEmail",
    "firstName",
    "lastName",
    "source",
    "dispositionReason",
];

fn synced(w: &World) -> Synced {
    w.sim.synced(ORGANIZATION)
}

async fn put_candidate(w: &World, id: &str, body: Value) -> Value {
    let (s, v) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/candidates/{id}"),
            Some(body),
        )
        .await;
    assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{s} {v}");
    v
}

/// `n` new candidates `c-000`, `c-001`, … through the admin API, from 8 clients at once.
async fn put_candidates(w: &World, n: usize) {
    futures::stream::iter(0..n)
        .map(|i| async move {
            let body =
                json!({"firstName": format!("P{i}"), "emails": [format!("p{i}@example.com")]});
            put_candidate(w, &format!("c-{i:03}"), body).await;
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
}

fn ada() -> Value {
    json!({
        "firstName": "Ada", "lastName": "Lovelace",
        "emails": ["ada@example.com"],
        "phones": [{"number": "+44 20 7946 0000", "type": "MOBILE"}],
        "title": "Analyst", "company": "Engines Ltd"
    })
}

async fn put_application(w: &World, id: &str, body: Value) -> Value {
    let (s, v) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/applications/{id}"),
            Some(body),
        )
        .await;
    assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{s} {v}");
    v
}

async fn sync_state(w: &World) -> Value {
    let (s, v) = w.api("GET", &format!("/tenants/{TENANT}/sync"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn sync_errors(w: &World) -> Vec<Value> {
    let (s, v) = w
        .api("GET", &format!("/tenants/{TENANT}/sync/errors"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn every_kind_of_change_reaches_linkedin_complete() {
    // The changes are made while the contract is expired, so they go out in one flush when it
    // is renewed and its order can be checked (a change that finds LinkedIn idle goes at once).
    let w = World::with_customer().await;
    w.settle().await;
    let before = synced(&w).requests.len();
    let contract = format!("/tenants/{TENANT}/contracts/{ACTIVE}");
    let (s, _) = w
        .api(
            "PUT",
            &contract,
            Some(json!({"expiresAt": "2021-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    put_candidate(&w, "c-ada", ada()).await;
    put_application(
        &w,
        "a-1",
        json!({"jobId": JOB_ENG, "candidateId": "c-ada", "source": "Referral"}),
    )
    .await;
    let (s, v) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/applications/a-1/stages"),
            Some(json!({"stage": "Phone screen", "at": "2026-11-01T10:00:00Z"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Closing a job is a change like any other.
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/jobs/{JOB_PM}"),
            Some(
                json!({"title": "Product manager", "description": "Own the roadmap.",
                        "location": "Berlin, DE", "state": "CLOSED",
                        "companyApplyUrl": "https://careers.acme.example/pm"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = w
        .api(
            "PUT",
            &contract,
            Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    w.settle().await;

    let got = synced(&w);
    // LinkedIn gets jobs before candidates before applications before stages, although the
    // job was changed last.
    let rank = |kind: &str| match kind {
        "jobs" | "jobTasks" => 0,
        "candidates" => 1,
        "applications" => 2,
        _ => 3,
    };
    let order: Vec<&str> = got.requests[before..]
        .iter()
        .map(|r| r.kind.as_str())
        .collect();
    assert!(
        order.windows(2).all(|p| rank(p[0]) <= rank(p[1])),
        "{order:?}"
    );
    assert!(
        order.contains(&"jobs") && order.contains(&"stages"),
        "{order:?}"
    );
    let eng = &got.jobs[JOB_ENG];
    assert_eq!(eng["state"], "LISTED");
    assert_eq!(eng["integrationContext"], ORGANIZATION);
    assert_eq!(eng["description"], "Build things.");
    assert_eq!(eng["location"], "Berlin, DE");
    assert!(eng["listedAt"].as_i64().unwrap() > 0);
    assert_eq!(got.jobs[JOB_PM]["state"], "CLOSED");
    assert_eq!(got.jobs[JOB_PM]["title"], "Product manager");

    let c = &got.candidates["c-ada"];
    assert_eq!(c["firstName"], "Ada");
    assert_eq!(c["lastName"], "Lovelace");
    assert_eq!(c["emailAddresses"], json!(["ada@example.com"]));
    assert_eq!(c["phoneNumbers"][0]["number"], "+44 20 7946 0000");
    assert_eq!(c["addresses"], json!([]));
    assert_eq!(c["currentJobTitle"], "Analyst");
    assert_eq!(c["currentCompanyName"], "Engines Ltd");
    assert!(c["atsLastModifiedAt"].as_i64() >= c["atsCreatedAt"].as_i64());

    let a = &got.applications["a-1"];
    for field in APPLICATION_FIELDS {
        assert!(a.get(field).is_some(), "{field} missing from {a}");
    }
    assert_eq!(a["atsCandidateId"], "c-ada");
    assert_eq!(a["atsJobPostingId"], JOB_ENG);
    assert_eq!(a["atsJobPostingName"], JOB_ENG);
    assert_eq!(a["candidateEmail"], "ada@example.com");
    assert_eq!(a["firstName"], "Ada");
    assert_eq!(a["source"], "Referral");

    let stages: Vec<&Value> = got.stages["a-1"].values().collect();
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0]["stage"], "Phone screen");

    let state = sync_state(&w).await;
    assert_eq!(state["state"], "active");
    assert_eq!(state["pending"], 0, "{state}");
    assert_eq!(state["sent"]["candidates"], 1, "{state}");
    assert_eq!(state["sent"]["stages"], 1, "{state}");
    assert!(sync_errors(&w).await.is_empty());
    assert_eq!(w.queue("AtsChangesDeadLetterQueue").await, (0, 0));
}

/// LinkedIn nulls what an update leaves out, so a change that only touches the candidate must
/// still leave the application's own fields in place at LinkedIn.
#[tokio::test]
async fn application_updates_carry_every_field() {
    let w = World::with_customer().await;
    put_candidate(&w, "c-ada", ada()).await;
    put_application(
        &w,
        "a-1",
        json!({"jobId": JOB_ENG, "candidateId": "c-ada", "source": "Referral",
               "dispositionReason": "Withdrew"}),
    )
    .await;
    w.settle().await;
    let mut renamed = ada();
    renamed["lastName"] = json!("King");
    renamed["emails"] = json!(["ada.king@example.com"]);
    put_candidate(&w, "c-ada", renamed).await;
    w.settle().await;

    let got = synced(&w);
    let a = &got.applications["a-1"];
    assert_eq!(
        got.writes["application:a-1"], 2,
        "sent again with the candidate"
    );
    assert_eq!(a["lastName"], "King");
    assert_eq!(a["candidateEmail"], "ada.king@example.com");
    assert_eq!(a["source"], "Referral", "{a}");
    assert_eq!(a["dispositionReason"], "Withdrew", "{a}");
    assert_eq!(a["atsJobPostingName"], JOB_ENG, "{a}");
    // And an update that clears a field sends it as null on purpose.
    put_application(&w, "a-1", json!({"jobId": JOB_ENG, "candidateId": "c-ada"})).await;
    w.settle().await;
    let a = &synced(&w).applications["a-1"];
    assert_eq!(a["dispositionReason"], Value::Null);
    assert_eq!(a["firstName"], "Ada", "{a}");
}

#[tokio::test]
async fn many_changes_go_out_in_batches_of_at_most_100() {
    let w = World::with_customer_and(Setup {
        sync_gather_ms: Some(1_500),
        ..Setup::default()
    })
    .await;
    w.settle().await;
    let before = synced(&w).requests.len();
    put_candidates(&w, 250).await;
    w.settle().await;
    let got = synced(&w);
    let batches: Vec<usize> = got.requests[before..]
        .iter()
        .filter(|r| r.kind == "candidates")
        .map(|r| r.records)
        .collect();
    assert!(batches.iter().all(|n| *n <= 100), "{batches:?}");
    assert_eq!(batches.iter().sum::<usize>(), 250, "{batches:?}");
    assert!(batches.len() >= 3, "{batches:?}");
    assert_eq!(got.candidates.len(), 250);
    for i in 0..250 {
        assert_eq!(got.writes[&format!("candidate:c-{i:03}")], 1);
    }
}

#[tokio::test]
async fn a_record_missing_a_required_field_is_reported_not_sent() {
    let w = World::with_customer().await;
    put_candidate(&w, "c-noname", json!({"emails": ["x@example.com"]})).await;
    put_candidate(
        &w,
        "c-bad-email",
        json!({"firstName": "B", "emails": ["not-an-email"]}),
    )
    .await;
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/jobs/j-vague"),
            Some(json!({"title": "Vague", "state": "OPEN"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    put_candidate(&w, "c-ok", ada()).await;
    w.settle().await;

    let got = synced(&w);
    assert!(got.candidates.contains_key("c-ok"), "the rest is sent");
    for id in ["c-noname", "c-bad-email"] {
        assert!(!got.candidates.contains_key(id));
        assert!(!got.writes.contains_key(&format!("candidate:{id}")));
    }
    assert!(!got.jobs.contains_key("j-vague"));
    let errors = sync_errors(&w).await;
    let find = |id: &str| {
        errors
            .iter()
            .find(|e| e["recordId"] == id)
            .unwrap_or_else(|| panic!("{id} not in {errors:?}"))
            .clone()
    };
    let noname = find("c-noname");
    assert_eq!(noname["kind"], "candidate");
    assert_eq!(noname["origin"], "validation");
    assert!(
        noname["message"].as_str().unwrap().contains("firstName"),
        "{noname}"
    );
    assert!(
        find("c-bad-email")["message"]
            .as_str()
            .unwrap()
            .contains("not-an-email")
    );
    let job = find("j-vague");
    assert!(
        job["message"].as_str().unwrap().contains("description"),
        "{job}"
    );
    assert!(
        job["message"].as_str().unwrap().contains("location"),
        "{job}"
    );

    // Fixed in the ATS, the record goes out and its error is gone.
    put_candidate(
        &w,
        "c-noname",
        json!({"firstName": "Now", "emails": ["x@example.com"]}),
    )
    .await;
    w.settle().await;
    assert_eq!(synced(&w).candidates["c-noname"]["firstName"], "Now");
    let errors = sync_errors(&w).await;
    assert!(
        errors.iter().all(|e| e["recordId"] != "c-noname"),
        "{errors:?}"
    );
    assert_eq!(sync_state(&w).await["errors"], 2);
}

#[tokio::test]
async fn changes_while_expired_are_kept_and_sent_once_after_renewal() {
    let w = World::with_customer().await;
    w.settle().await;
    let contract = format!("/tenants/{TENANT}/contracts/{ACTIVE}");
    let (s, v) = w
        .api(
            "PUT",
            &contract,
            Some(json!({"expiresAt": "2021-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("Expired")));
    put_candidate(&w, "c-ada", ada()).await;
    let mut promoted = ada();
    promoted["title"] = json!("Lead analyst");
    put_candidate(&w, "c-ada", promoted).await;
    w.settle().await;
    assert!(
        !synced(&w).candidates.contains_key("c-ada"),
        "nothing is sent while expired"
    );
    let state = sync_state(&w).await;
    assert_eq!(state["state"], "paused");
    assert_eq!(state["pending"], 1, "two changes, one record: {state}");

    let (s, v) = w
        .api(
            "PUT",
            &contract,
            Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("Active")));
    w.settle().await;
    let got = synced(&w);
    assert_eq!(got.candidates["c-ada"]["currentJobTitle"], "Lead analyst");
    assert_eq!(
        got.writes["candidate:c-ada"], 1,
        "sent once, with the latest values"
    );
    assert_eq!(sync_state(&w).await["pending"], 0);
}

#[tokio::test]
async fn a_record_linkedin_refuses_is_dead_lettered_and_the_rest_goes_through() {
    let w = World::with_customer().await;
    w.sim
        .reject_sync_record("c-refused", "member data cannot be matched");
    put_candidate(&w, "c-refused", ada()).await;
    put_candidate(&w, "c-fine", ada()).await;
    w.settle().await;

    let got = synced(&w);
    assert!(got.candidates.contains_key("c-fine"));
    assert!(!got.candidates.contains_key("c-refused"));
    let errors = sync_errors(&w).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["recordId"], "c-refused");
    assert_eq!(errors[0]["origin"], "linkedIn");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("member data cannot be matched")
    );
    assert_eq!(w.queue("AtsChangesDeadLetterQueue").await.0, 1);
    let (_, health) = w
        .api("GET", &format!("/tenants/{TENANT}/health"), None)
        .await;
    let letters = health["deadLetters"].as_array().unwrap();
    assert!(
        letters
            .iter()
            .any(|l| l["reason"].as_str().unwrap().contains("c-refused")),
        "{health}"
    );
    assert_eq!(
        sync_state(&w).await["pending"],
        0,
        "the refused record does not block"
    );
}

#[tokio::test]
async fn throttling_and_server_errors_delay_but_lose_nothing() {
    let w = World::with_customer().await;
    w.settle().await;
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/atsCandidates".into(),
        kind: FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        times: 2,
        query: Default::default(),
    });
    put_candidate(&w, "c-5xx", ada()).await;
    w.settle().await;
    assert!(
        synced(&w).candidates.contains_key("c-5xx"),
        "retried with backoff"
    );

    w.sim.inject_fault(Fault {
        path_prefix: "/v2/atsCandidates".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    put_candidate(&w, "c-429", ada()).await;
    // The throttled nudge is invisible for Retry-After, so wait for LinkedIn to have it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !synced(&w).candidates.contains_key("c-429") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never sent after 429"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let calls: Vec<u16> = w
        .sim
        .calls()
        .iter()
        .filter(|c| c.path == "/v2/atsCandidates")
        .map(|c| c.status)
        .collect();
    assert_eq!(calls.iter().filter(|s| **s == 429).count(), 1, "{calls:?}");
    let throttled_at = w
        .sim
        .calls()
        .iter()
        .find(|c| c.status == 429)
        .map(|c| c.at_ms)
        .unwrap();
    let retried_at = w
        .sim
        .calls()
        .iter()
        .filter(|c| c.path == "/v2/atsCandidates" && c.at_ms > throttled_at)
        .map(|c| c.at_ms)
        .min()
        .unwrap();
    assert!(retried_at - throttled_at >= 900, "Retry-After honoured");
    assert!(sync_errors(&w).await.is_empty());
    w.settle().await;
    assert_eq!(w.queue("AtsChangesDeadLetterQueue").await, (0, 0));
}

#[tokio::test]
async fn full_sync_sends_the_last_two_years() {
    let clock = hour_clock();
    let now = clock.now_ms();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    // Three years ago: a job and a candidate nobody touched since.
    clock.set(now - 3 * 365 * DAY);
    let old_job = json!({"title": "Old", "description": "d", "location": "Paris, FR", "state": "CLOSED",
               "companyApplyUrl": "https://careers.acme.example/old"});
    w.api(
        "PUT",
        &format!("/tenants/{TENANT}/jobs/j-old"),
        Some(old_job),
    )
    .await;
    put_candidate(&w, "c-old", ada()).await;
    // A year ago: a closed job, 130 candidates (more than one chunk), an application with a stage.
    clock.set(now - 365 * DAY);
    let recent = json!({"title": "Recent", "description": "d", "location": "Paris, FR", "state": "CLOSED",
               "companyApplyUrl": "https://careers.acme.example/recent"});
    w.api(
        "PUT",
        &format!("/tenants/{TENANT}/jobs/j-recent"),
        Some(recent),
    )
    .await;
    futures::stream::iter(0..130)
        .map(|i| {
            let w = &w;
            async move {
                put_candidate(
                    w,
                    &format!("c-{i:03}"),
                    json!({"firstName": format!("P{i}")}),
                )
                .await;
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    put_application(
        &w,
        "a-1",
        json!({"jobId": "j-recent", "candidateId": "c-001"}),
    )
    .await;
    w.api(
        "POST",
        &format!("/tenants/{TENANT}/applications/a-1/stages"),
        Some(json!({"stage": "Hired", "at": "2025-11-01T00:00:00Z"})),
    )
    .await;
    clock.set(now);
    w.settle().await;
    // A new LinkedIn integration knows nothing yet.
    w.sim.clear_synced();

    let (s, v) = w
        .api("POST", &format!("/tenants/{TENANT}/sync/full"), None)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    w.settle().await;

    let got = synced(&w);
    assert!(
        got.jobs.contains_key("j-recent"),
        "closed jobs are included"
    );
    assert_eq!(got.jobs["j-recent"]["state"], "CLOSED");
    assert!(got.jobs.contains_key(JOB_ENG));
    assert!(!got.jobs.contains_key("j-old"), "older than two years");
    assert!(!got.candidates.contains_key("c-old"));
    assert_eq!(got.candidates.len(), 130);
    assert_eq!(got.applications["a-1"]["atsJobPostingId"], "j-recent");
    assert_eq!(got.stages["a-1"].values().next().unwrap()["stage"], "Hired");
    assert!(got.requests.iter().all(|r| r.records <= 100));

    let state = sync_state(&w).await;
    let full = &state["fullSync"];
    assert_eq!(full["phase"], "done", "{state}");
    assert_eq!(full["queued"]["candidates"], 130, "{state}");
    assert_eq!(full["queued"]["applications"], 1, "{state}");
    assert_eq!(full["queued"]["jobs"], 3, "{state}");
    assert_eq!(state["pending"], 0);
    // A second full sync may start once the first is done.
    let (s, _) = w
        .api("POST", &format!("/tenants/{TENANT}/sync/full"), None)
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn bad_changes_are_refused_with_reasons() {
    let w = World::with_customer().await;
    let t = format!("/tenants/{TENANT}");
    let cases = [
        (
            "PUT",
            format!("{t}/applications/a-x"),
            json!({"jobId": "nope", "candidateId": "c"}),
            "jobId",
        ),
        (
            "PUT",
            format!("{t}/applications/a-x"),
            json!({"jobId": JOB_ENG, "candidateId": "nobody"}),
            "candidateId",
        ),
        (
            "POST",
            format!("{t}/applications/nope/stages"),
            json!({"stage": "Hired", "at": "2026-01-01T00:00:00Z"}),
            "application",
        ),
        (
            "PUT",
            format!("{t}/candidates/c-1"),
            json!({"emails": "not-a-list"}),
            "expected a sequence",
        ),
        (
            "PUT",
            format!("{t}/candidates/c-1"),
            json!({"firstName": "A", "nickname": "x"}),
            "nickname",
        ),
    ];
    let before = w.snapshot().await;
    for (method, path, body, mentions) in cases {
        let (s, v) = w.api(method, &path, Some(body)).await;
        assert!(s.is_client_error(), "{path}: {s} {v}");
        let message = v["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentions), "{path}: {v}");
    }
    assert_eq!(w.snapshot().await, before, "nothing changed");
    // Stage posts without a date, or twice, are handled.
    put_candidate(&w, "c-1", ada()).await;
    put_application(&w, "a-1", json!({"jobId": JOB_ENG, "candidateId": "c-1"})).await;
    let stage = format!("{t}/applications/a-1/stages");
    let (s, _) = w.api("POST", &stage, Some(json!({"stage": "Hired"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let body = json!({"stage": "Hired", "at": "2026-01-01T00:00:00Z"});
    let (s, _) = w.api("POST", &stage, Some(body.clone())).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = w.api("POST", &stage, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["stages"].as_array().unwrap().len(), 1);
    // An application never moves to another candidate.
    put_candidate(&w, "c-2", ada()).await;
    let (s, _) = w
        .api(
            "PUT",
            &format!("{t}/applications/a-1"),
            Some(json!({"jobId": JOB_ENG, "candidateId": "c-2"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_lone_change_does_not_wait_for_the_gathering_window() {
    // A window far longer than the wait below: a change that finds LinkedIn idle goes at once;
    // the window only bounds how long a batch gathers after a send.
    let w = World::with_customer_and(Setup {
        sync_gather_ms: Some(20_000),
        ..Setup::default()
    })
    .await;
    w.settle().await;
    put_candidate(&w, "c-lone", ada()).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !synced(&w).candidates.contains_key("c-lone") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "a lone change waited for the gathering window"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Makes another run hold the tenant's sync lease for ten minutes; answers the change counter.
async fn hold_sync_lease(w: &World, owner: &str) -> u64 {
    use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
    let key = shared::keys::sync_state(TENANT);
    let until = shared::clock::system().now_ms() + 10 * 60_000;
    let after = w
        .stack
        .clients
        .dynamodb
        .update_item()
        .table_name(w.stack.table_name())
        .key("pk", AttributeValue::S(key.pk))
        .key("sk", AttributeValue::S(key.sk))
        .update_expression("SET leaseUntil = :until, leaseOwner = :owner ADD changeSeq :zero")
        .expression_attribute_values(":until", AttributeValue::N(until.to_string()))
        .expression_attribute_values(":owner", AttributeValue::S(owner.into()))
        .expression_attribute_values(":zero", AttributeValue::N("0".into()))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .unwrap();
    after.attributes.unwrap()["changeSeq"]
        .as_n()
        .unwrap()
        .parse()
        .unwrap()
}

/// The run `hold_sync_lease` stood for lets go, and a nudge starts a run; waits until it ends.
async fn let_go_and_nudge(w: &World, owner: &str) {
    let store = shared::store::Store::new(w.stack.clients.dynamodb.clone(), w.stack.table_name());
    let seq = store.sync_state(TENANT).await.unwrap().change_seq;
    assert!(
        store
            .release_sync_lease(TENANT, owner, Some(seq))
            .await
            .unwrap()
    );
    w.stack
        .clients
        .sqs
        .send_message()
        .queue_url(w.stack.queue_url("AtsChangesQueue"))
        .message_body(
            serde_json::to_string(&shared::messages::OutboundMessage::Changed {
                tenant_id: TENANT.into(),
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    w.settle().await;
}

#[tokio::test]
async fn a_change_while_another_run_holds_the_lease_makes_that_run_look_again() {
    let w = World::with_customer().await;
    w.settle().await;
    let store = shared::store::Store::new(w.stack.clients.dynamodb.clone(), w.stack.table_name());
    // A run holds the lease and has just seen the outbox empty (counter `seen`).
    let seen = hold_sync_lease(&w, "the-other-run").await;
    put_candidate(&w, "c-late", ada()).await;
    w.settle().await;
    // The nudge did not start a second run: nothing went to LinkedIn, the change waits.
    assert!(!synced(&w).candidates.contains_key("c-late"));
    assert_eq!(sync_state(&w).await["pending"], 1);
    // But it moved the counter, so the holder may not let go: it reads the outbox again.
    let after = store.sync_state(TENANT).await.unwrap().change_seq;
    assert!(
        after > seen,
        "the nudge moved the counter ({seen} -> {after})"
    );
    assert!(
        !store
            .release_sync_lease(TENANT, "the-other-run", Some(seen))
            .await
            .unwrap(),
        "the holder's release must fail: a change came after it last saw the outbox"
    );
    // Seeing the counter as it is now, it lets go; the next change's nudge takes the lease
    // and sends both.
    assert!(
        store
            .release_sync_lease(TENANT, "the-other-run", Some(after))
            .await
            .unwrap()
    );
    put_candidate(&w, "c-next", ada()).await;
    w.settle().await;
    let synced = synced(&w);
    assert!(synced.candidates.contains_key("c-late") && synced.candidates.contains_key("c-next"));
    assert_eq!(sync_state(&w).await["pending"], 0);
}

#[tokio::test]
async fn a_change_made_while_a_request_is_in_flight_goes_in_the_next_one() {
    let w = World::with_customer().await;
    w.settle().await;
    // LinkedIn takes two seconds over the first batch of candidates.
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/atsCandidates".into(),
        kind: FaultKind::Delay { ms: 2_000 },
        times: 1,
        query: Default::default(),
    });
    put_candidate(&w, "c-first", ada()).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    put_candidate(&w, "c-second", ada()).await;
    w.settle().await;
    let synced = synced(&w);
    assert!(
        synced.candidates.contains_key("c-first") && synced.candidates.contains_key("c-second")
    );
    assert_eq!(
        w.linkedin_calls("/atsCandidates"),
        2,
        "one request each: the second change went in the request after the first"
    );
    assert_eq!(sync_state(&w).await["pending"], 0);
}

#[tokio::test]
async fn an_outbound_change_is_one_write_and_its_clear_a_share_of_one_transaction() {
    let counter = local_stack::counting::CountRequests::default();
    let counting = counter.clone();
    let w = World::with_customer_and(Setup {
        clients: Some(Box::new(move |sdk: &aws_config::SdkConfig| {
            counting.clients(sdk)
        })),
        ..Setup::default()
    })
    .await;
    put_candidate(&w, "c-warm", ada()).await;
    w.settle().await;
    // A run holds the lease, so ats-sync only answers the nudges while the ATS writes.
    hold_sync_lease(&w, "the-other-run").await;
    counter.take();
    for i in 0..10 {
        put_candidate(&w, &format!("c-{i}"), ada()).await;
    }
    w.settle().await;
    let during = counter.take();
    let op = |counts: &std::collections::BTreeMap<String, usize>, name: &str| {
        counts.get(name).copied().unwrap_or(0)
    };
    assert_eq!(
        op(&during, "GetItem"),
        0,
        "no tenant or candidate read: {during:?}"
    );
    assert_eq!(op(&during, "Query"), 0, "{during:?}");
    assert_eq!(
        op(&during, "AmazonSQS.SendMessage"),
        10,
        "a nudge each: {during:?}"
    );
    // Ten writes, and one claim per ats-sync batch of nudges (at most one per nudge).
    let updates = op(&during, "UpdateItem");
    assert!((11..=20).contains(&updates), "{during:?}");
    // The holder lets go; the next nudge's run sends the ten and clears them in one request.
    counter.take();
    let_go_and_nudge(&w, "the-other-run").await;
    let run = counter.take();
    assert_eq!(op(&run, "TransactWriteItems"), 1, "the ten clears: {run:?}");
    let synced = synced(&w);
    assert!((0..10).all(|i| synced.candidates.contains_key(&format!("c-{i}"))));
    assert_eq!(sync_state(&w).await["pending"], 0);
}

#[tokio::test]
async fn a_record_changed_after_it_was_sent_stays_in_the_outbox_when_the_rest_is_cleared() {
    let w = World::with_customer().await;
    w.settle().await;
    hold_sync_lease(&w, "the-other-run").await;
    for id in ["c-1", "c-2", "c-3"] {
        put_candidate(&w, id, ada()).await;
    }
    w.settle().await;
    let store = shared::store::Store::new(w.stack.clients.dynamodb.clone(), w.stack.table_name());
    let sent = store.pending_all(TENANT, 100).await.unwrap().unwrap();
    assert_eq!(sent.len(), 3);
    // c-2 changes again after it was sent: its clear fails, and so does the transaction of
    // the three; the other two are still cleared.
    put_candidate(&w, "c-2", json!({"firstName": "Augusta"})).await;
    store.clear_pending(TENANT, &sent).await.unwrap();
    let left = store.pending_all(TENANT, 100).await.unwrap().unwrap();
    let left: Vec<&str> = left.iter().map(|p| p.record_id.as_str()).collect();
    assert_eq!(
        left,
        ["c-2"],
        "only the record that changed since it was sent stays"
    );
}

/// `n` candidate changes pile up while another run holds the lease (a burst behind a slow
/// request); then a run sends them. The candidate batches LinkedIn got, and the run's requests.
async fn a_backlog_of(n: usize) -> (Vec<usize>, std::collections::BTreeMap<String, usize>) {
    let counter = local_stack::counting::CountRequests::default();
    let counting = counter.clone();
    let w = World::with_customer_and(Setup {
        clients: Some(Box::new(move |sdk: &aws_config::SdkConfig| {
            counting.clients(sdk)
        })),
        // No gathering: what a round reads is sent (the counts below do not hang on timing).
        sync_gather_ms: Some(0),
        ..Setup::default()
    })
    .await;
    w.settle().await;
    hold_sync_lease(&w, "the-other-run").await;
    put_candidates(&w, n).await;
    w.settle().await;
    let before = synced(&w).requests.len();
    counter.take();
    let_go_and_nudge(&w, "the-other-run").await;
    let run = counter.take();
    let got = synced(&w);
    assert_eq!(got.candidates.len(), n);
    assert_eq!(sync_state(&w).await["pending"], 0);
    let batches = got.requests[before..]
        .iter()
        .filter(|r| r.kind == "candidates")
        .map(|r| r.records)
        .collect();
    (batches, run)
}

#[tokio::test]
async fn a_backlog_of_more_than_one_batch_is_read_with_one_query_a_round() {
    let (batches, run) = a_backlog_of(150).await;
    assert_eq!(batches, vec![100, 50], "a full batch, then the rest");
    // Three rounds (100, 50, then an empty outbox) read the outbox with one Query each, not one
    // per kind of record (15 more) once the backlog is more than a batch. The other three: the
    // contracts, and the known sync errors before each of the two sends.
    assert_eq!(run.get("Query").copied().unwrap_or(0), 3 + 3, "{run:?}");
}

#[tokio::test]
async fn every_full_batch_of_a_backlog_goes_in_one_round() {
    let (batches, run) = a_backlog_of(300).await;
    assert_eq!(batches, vec![100, 100, 100]);
    // One round sends the three (its outbox read, its sync errors), the next finds the outbox
    // empty; with the contracts, four Queries. A batch a round would take eight.
    assert_eq!(run.get("Query").copied().unwrap_or(0), 2 + 1 + 1, "{run:?}");
}
