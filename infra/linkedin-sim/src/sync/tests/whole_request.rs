//! Rules of a whole request, auth, faults, control routes and the parsers.

use super::*;

#[tokio::test]
async fn a_batch_of_101_records_is_refused_whole() {
    let (sim, t) = sync_sim().await;
    let ids: Vec<String> = (0..101).map(|i| format!("c-{i:03}")).collect();
    let records: Vec<(&str, Value)> = ids
        .iter()
        .map(|id| (id.as_str(), candidate("Ada")))
        .collect();
    let (status, v) = put_candidates(&records, &t).send(&sim).await;
    assert_eq!(status, 400, "{v}");
    assert!(message(&v).contains("at most 100"), "{v}");

    let jobs: Vec<Value> = (0..101).map(|i| job(&format!("j-{i}"))).collect();
    let (status, v) = submit_jobs(&jobs, &t).send(&sim).await;
    assert_eq!(status, 400, "{v}");

    // 100 is fine.
    let (status, v) = put_candidates(&records[..100], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let got = sim.synced(ORG);
    assert_eq!(got.candidates.len(), 100);
    assert!(!got.candidates.contains_key("c-100"));
    assert_eq!(
        requests(&sim),
        [
            req("candidates", 101, 400),
            req("jobs", 101, 400),
            req("candidates", 100, 200),
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn query_keys_must_be_the_body_keys() {
    let (sim, t) = sync_sim().await;
    let mut call = put_candidates(&[("c-1", candidate("Ada")), ("c-3", candidate("B"))], &t);
    call.query = ids_query("atsCandidateId", &["c-1", "c-2"], ORG);
    let (status, v) = call.send(&sim).await;
    assert_eq!(status, 400, "{v}");
    assert!(
        message(&v).contains("c-2") && message(&v).contains("c-3"),
        "{v}"
    );

    // Same ids, another organization in the query.
    let mut call = put_candidates(&[("c-1", candidate("Ada"))], &t);
    call.query = ids_query("atsCandidateId", &["c-1"], OTHER_ORG);
    assert_eq!(call.send(&sim).await.0, 400);

    // Stage ids in the query that are not the body's.
    let mut call = put_stages(
        &encode(&application_key("a-1")),
        &[("1-aa", stage("Hired", 1))],
        &t,
    );
    call.query = vec![("ids".into(), "1-aa".into()), ("ids".into(), "2-bb".into())];
    assert_eq!(call.send(&sim).await.0, 400);
    assert_eq!(sim.synced(ORG).writes.len(), 0, "nothing stored");
    sim.shutdown();
}

#[tokio::test]
async fn malformed_requests_are_refused_whole() {
    let (sim, t) = sync_sim().await;
    let one = [("c-1", candidate("Ada"))];
    let candidates = || put_candidates(&one, &t);
    let keyed = |key: &str| json!({ "entities": { key: candidate("Ada") } });
    let stages = || put_stages(&encode(&application_key("a-1")), &[], &t);
    let cases: Vec<(&str, Call<'_>, u16)> = vec![
        (
            "no x-restli-method",
            Call {
                restli: None,
                ..candidates()
            },
            400,
        ),
        (
            "wrong x-restli-method",
            Call {
                restli: Some("batch_create"),
                ..candidates()
            },
            400,
        ),
        (
            "malformed JSON",
            with_body(candidates(), "{\"entities\": {"),
            400,
        ),
        (
            "no entities",
            with_body(candidates(), json!({"elements": []})),
            400,
        ),
        (
            "plain id as key",
            with_body(candidates(), keyed("c-1")),
            400,
        ),
        (
            "key field without a value",
            with_body(
                candidates(),
                keyed("atsCandidateId&dataProvider=ATS&integrationContext=urn:li:organization:42"),
            ),
            400,
        ),
        (
            "key field named twice",
            with_body(
                candidates(),
                keyed(&format!("{}&atsCandidateId=c-2", candidate_key("c-1"))),
            ),
            400,
        ),
        (
            "dataProvider not ATS",
            with_body(
                candidates(),
                keyed(&candidate_key("c-1").replace("ATS", "HRIS")),
            ),
            400,
        ),
        (
            "id with a space",
            put_candidates(&[("c 1", candidate("Ada"))], &t),
            400,
        ),
        (
            "query key without its organization",
            Call {
                query: ids_query("atsCandidateId", &["c-1"], ORG)[..2].to_vec(),
                ..candidates()
            },
            400,
        ),
        (
            "candidate keys sent as applications",
            Call {
                path: "/atsApplications".into(),
                ..candidates()
            },
            400,
        ),
        (
            "GET with a write method",
            Call {
                method: reqwest::Method::GET,
                ..candidates()
            },
            400,
        ),
        (
            "PATCH",
            Call {
                method: reqwest::Method::PATCH,
                ..candidates()
            },
            405,
        ),
        (
            "jobs without batch_create",
            Call {
                restli: Some(BATCH_UPDATE),
                ..submit_jobs(&[job("j-1")], &t)
            },
            400,
        ),
        (
            "jobs not a list",
            with_body(submit_jobs(&[], &t), json!({"elements": {}})),
            400,
        ),
        (
            "tasks with a write method",
            Call {
                restli: Some(BATCH_UPDATE),
                ..poll_tasks(&["urn:li:simpleJobPostingTask:x"], &t)
            },
            400,
        ),
        (
            "tasks with compound ids",
            Call {
                query: vec![("ids[0].id".into(), "x".into())],
                ..poll_tasks(&[], &t)
            },
            400,
        ),
        (
            "tasks without ids",
            Call {
                query: Vec::new(),
                ..poll_tasks(&[], &t)
            },
            400,
        ),
        (
            "stages key that does not parse",
            put_stages("a-1", &[("1-aa", stage("Hired", 1))], &t),
            400,
        ),
        (
            "stage id with a comma",
            with_body(stages(), json!({"entities": {"1,aa": stage("Hired", 1)}})),
            400,
        ),
    ];
    for (name, call, expected) in cases {
        let (status, v) = call.send(&sim).await;
        assert_eq!(status, expected, "{name}: {v}");
        assert_eq!(v["status"], expected, "{name}: {v}");
        assert!(!message(&v).is_empty(), "{name}: {v}");
    }
    let got = sim.synced(ORG);
    assert_eq!(got.writes.len(), 0, "nothing stored");
    assert!(got.jobs.is_empty() && got.candidates.is_empty());
    sim.shutdown();
}

#[tokio::test]
async fn sync_calls_need_a_valid_token() {
    let (sim, t) = sync_sim().await;
    let calls = || {
        vec![
            submit_jobs(&[job("j-1")], &t),
            poll_tasks(&["urn:li:simpleJobPostingTask:x"], &t),
            put_candidates(&[("c-1", candidate("Ada"))], &t),
            put_applications(&[("a-1", application("c-1"))], &t),
            put_stages(
                &encode(&application_key("a-1")),
                &[("1-aa", stage("Hired", 1))],
                &t,
            ),
        ]
    };
    for call in calls() {
        let (status, v) = Call {
            token: None,
            ..call
        }
        .send(&sim)
        .await;
        assert_eq!(status, 401, "{v}");
        assert_eq!(v["serviceErrorCode"], crate::CODE_INVALID_TOKEN);
    }
    assert!(
        requests(&sim).is_empty(),
        "no token, no organization to file it under"
    );

    sim.expire_tokens();
    for call in calls() {
        assert_eq!(call.send(&sim).await.0, 401);
    }
    let got = sim.synced(ORG);
    assert_eq!(got.writes.len(), 0);
    let statuses: Vec<u16> = got.requests.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses, [401; 5],
        "an expired token still names its application"
    );
    sim.shutdown();
}

#[tokio::test]
async fn rejected_records_are_refused_with_the_message() {
    let (sim, t) = sync_sim().await;
    sim.reject_sync_record("c-refused", "member data cannot be matched");
    sim.reject_sync_record("a-refused", "application is locked");
    sim.reject_sync_record("j-refused", "job is a duplicate");
    let (_, v) = put_candidates(
        &[
            ("c-refused", candidate("Ada")),
            ("c-fine", candidate("Ada")),
        ],
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(
        v["errors"][candidate_key("c-refused")],
        json!({"status": 400, "message": "member data cannot be matched"})
    );
    assert_eq!(v["results"][candidate_key("c-fine")]["status"], 204);
    let (_, v) = put_applications(&[("a-refused", application("c-1"))], &t)
        .send(&sim)
        .await;
    assert_eq!(
        message(&v["errors"][application_key("a-refused")]),
        "application is locked"
    );
    let (_, v) = submit_jobs(&[job("j-refused"), job("j-fine")], &t)
        .send(&sim)
        .await;
    assert_eq!(
        v["elements"][0],
        json!({"status": 400, "message": "job is a duplicate"})
    );
    assert_eq!(v["elements"][1]["status"], 202);
    let got = sim.synced(ORG);
    assert_eq!(got.candidates.keys().collect::<Vec<_>>(), ["c-fine"]);
    assert!(got.applications.is_empty());

    sim.clear_sync_rejections();
    let (_, v) = put_candidates(&[("c-refused", candidate("Ada"))], &t)
        .send(&sim)
        .await;
    assert_eq!(
        v["results"][candidate_key("c-refused")]["status"],
        204,
        "{v}"
    );
    sim.shutdown();
}

#[tokio::test]
async fn faulted_sync_requests_are_recorded_and_store_nothing() {
    let (sim, t) = sync_sim().await;
    sim.inject_fault(Fault {
        path_prefix: "/v2/atsCandidates".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    let records = [("c-1", candidate("Ada"))];
    assert_eq!(put_candidates(&records, &t).send(&sim).await.0, 429);
    assert_eq!(put_candidates(&records, &t).send(&sim).await.0, 200);
    let got = sim.synced(ORG);
    assert_eq!(got.writes["candidate:c-1"], 1);
    assert_eq!(
        requests(&sim),
        [req("candidates", 1, 429), req("candidates", 1, 200)]
    );
    sim.shutdown();
}

#[tokio::test]
async fn sync_control_routes() {
    let (sim, t) = sync_sim().await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let resp = http
        .post(format!("{base}/_sim/sync/rejections"))
        .json(&json!({"id": "c-1", "message": "no"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = http
        .post(format!("{base}/_sim/sync/task-failures"))
        .json(&json!({"id": "j-1", "message": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, v) = put_candidates(&[("c-1", candidate("Ada")), ("c-2", candidate("B"))], &t)
        .send(&sim)
        .await;
    assert_eq!(message(&v["errors"][candidate_key("c-1")]), "no");
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let task = task_ids(&v).remove(0);
    poll_tasks(&[&task], &t).send(&sim).await;
    let (_, v) = poll_tasks(&[&task], &t).send(&sim).await;
    assert_eq!(v["results"][&task]["message"], "closed");

    let got: Synced = http
        .get(format!("{base}/_sim/sync"))
        .query(&[("organization", ORG)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, sim.synced(ORG));
    assert!(got.candidates.contains_key("c-2"));
    let raw: Value = http
        .get(format!("{base}/_sim/sync?organization={}", encode(ORG)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["requests"][0]["kind"], "candidates", "{raw}");
    assert!(raw["requests"][0]["atMs"].as_i64().unwrap() > 0, "{raw}");

    let resp = http
        .delete(format!("{base}/_sim/sync/rejections"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, v) = put_candidates(&[("c-1", candidate("Ada"))], &t)
        .send(&sim)
        .await;
    assert_eq!(v["results"][candidate_key("c-1")]["status"], 204, "{v}");

    let resp = http
        .delete(format!("{base}/_sim/sync"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.synced(ORG), Synced::default());
    sim.shutdown();
}

#[test]
fn record_keys_parse_strictly() {
    let parsed = RecordKey::parse(&candidate_key("c-1.x_y"), "atsCandidateId").unwrap();
    assert_eq!(
        parsed,
        RecordKey {
            id: "c-1.x_y".into(),
            organization: ORG.into()
        }
    );
    assert_eq!(
        parsed.spelled("atsCandidateId"),
        candidate_key("c-1.x_y"),
        "answers spell it as the collection does"
    );
    // Fields in any order; values percent-decoded, so %3A and : are the same.
    let reordered =
        "integrationContext=urn%3Ali%3Aorganization%3A42&atsCandidateId=c-1&dataProvider=ATS";
    assert_eq!(
        RecordKey::parse(reordered, "atsCandidateId").unwrap(),
        RecordKey::parse(&candidate_key("c-1"), "atsCandidateId").unwrap()
    );
    for bad in [
        "c-1",
        "atsCandidateId=c-1&dataProvider=ATS",
        "(atsCandidateId:c-1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A42)",
        "atsCandidateId=c-1&atsCandidateId=c-2&dataProvider=ATS&integrationContext=x",
        "atsCandidateId=c%201&dataProvider=ATS&integrationContext=x",
        "atsCandidateId=c-1&dataProvider=ATS&integrationContext=x&extra=1",
        "atsCandidateId&dataProvider=ATS&integrationContext=x",
        "atsCandidateId=c-1&dataProvider=HRIS&integrationContext=x",
    ] {
        assert!(RecordKey::parse(bad, "atsCandidateId").is_err(), "{bad}");
    }
    assert!(RecordKey::parse(&application_key("a-1"), "atsCandidateId").is_err());
}

#[test]
fn key_strings_escape_only_what_would_split_them() {
    let key = RecordKey {
        id: "a&b=c%d".into(),
        organization: "urn:li:organization:é".into(),
    };
    assert_eq!(
        key.spelled("atsCandidateId"),
        "atsCandidateId=a%26b%3Dc%25d&dataProvider=ATS&integrationContext=urn:li:organization:%C3%A9"
    );
}

#[test]
fn emails_look_like_x_at_x_dot_x() {
    for ok in ["a@b.co", "first.last@sub.example.org"] {
        assert!(looks_like_email(ok), "{ok}");
    }
    for bad in ["", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.de", "a@b@c.de"] {
        assert!(!looks_like_email(bad), "{bad}");
    }
}
