//! Rest.li 1.0 as LinkedIn's collection writes it, the 2.0 mixture refused, and the sync calls
//! the collection makes beyond plain updates (attach member, batch get, deletes, PROCESSED).

use super::*;

/// The old 2.0 spelling of a key: `(field:value,..)`, the URN's colons percent-encoded.
fn key_2_0(id_field: &str, id: &str) -> String {
    format!(
        "({id_field}:{id},dataProvider:ATS,integrationContext:{})",
        ORG.replace(':', "%3A")
    )
}

/// Sends a request exactly as written: `path_and_query` goes into the URL unchanged.
async fn raw(
    sim: &Sim,
    method: reqwest::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
    token: &str,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path_and_query}", sim.api_url()))
        .bearer_auth(token);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn assert_refused_as_2_0(name: &str, status: u16, v: &Value) {
    assert_eq!(status, 400, "{name}: {v}");
    assert_eq!(v["status"], 400, "{name}: {v}");
    assert!(v.get("serviceErrorCode").is_some(), "{name}: {v}");
    assert!(message(v).contains("Rest.li"), "{name}: {v}");
}

#[tokio::test]
async fn the_rest_li_2_0_mixture_gets_400_everywhere() {
    let (sim, t) = sync_sim().await;
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let task = task_ids(&v).remove(0);
    let one_candidate = [("c-1", candidate("Ada"))];
    let one_application = [("a-1", application("c-1"))];
    let cases: Vec<(&str, Call<'_>)> = vec![
        (
            "candidates: 2.0 keys in the body",
            with_body(
                put_candidates(&one_candidate, &t),
                json!({"entities": {key_2_0("atsCandidateId", "c-1"): candidate("Ada")}}),
            ),
        ),
        (
            "candidates: ids=List(2.0 key)",
            Call {
                query: vec![(
                    "ids".into(),
                    format!("List({})", key_2_0("atsCandidateId", "c-1")),
                )],
                ..put_candidates(&one_candidate, &t)
            },
        ),
        (
            "candidates: a 2.0 key in ids[0]",
            Call {
                query: vec![("ids[0]".into(), key_2_0("atsCandidateId", "c-1"))],
                ..put_candidates(&one_candidate, &t)
            },
        ),
        (
            "applications: 2.0 keys in the body",
            with_body(
                put_applications(&one_application, &t),
                json!({"entities": {key_2_0("atsJobApplicationId", "a-1"): application("c-1")}}),
            ),
        ),
        (
            "applications: ids=List(2.0 key)",
            Call {
                query: vec![(
                    "ids".into(),
                    format!("List({})", key_2_0("atsJobApplicationId", "a-1")),
                )],
                ..put_applications(&one_application, &t)
            },
        ),
        (
            "stages: ids=List(..)",
            Call {
                query: vec![("ids".into(), "List(1-aa)".into())],
                ..put_stages(
                    &encode(&application_key("a-1")),
                    &[("1-aa", stage("Hired", 1))],
                    &t,
                )
            },
        ),
        (
            "stages: a 2.0 key in the path",
            put_stages(
                &encode(&key_2_0("atsJobApplicationId", "a-1")),
                &[("1-aa", stage("Hired", 1))],
                &t,
            ),
        ),
        (
            "job tasks: ids=List(..)",
            Call {
                query: vec![("ids".into(), format!("List({task})"))],
                ..poll_tasks(&[], &t)
            },
        ),
    ];
    for (name, call) in cases {
        let (status, v) = call.send(&sim).await;
        assert_refused_as_2_0(name, status, &v);
    }

    // The protocol header itself: this simulator speaks 1.0 only.
    let version = [("x-restli-protocol-version", "2.0.0")];
    let q = format!("/simpleJobPostingTasks?ids={task}");
    let (status, v) = raw(&sim, reqwest::Method::GET, &q, &version, None, &t).await;
    assert_refused_as_2_0("tasks with the 2.0 header", status, &v);
    let q = format!(
        "/atsCandidates?ids[0].atsCandidateId=c-1&ids[0].dataProvider=ATS&ids[0].integrationContext={ORG}"
    );
    let body = json!({"entities": {candidate_key("c-1"): candidate("Ada")}});
    let headers = [("x-restli-method", BATCH_UPDATE), version[0]];
    let (status, v) = raw(
        &sim,
        reqwest::Method::PUT,
        &q,
        &headers,
        Some(body.clone()),
        &t,
    )
    .await;
    assert_refused_as_2_0("candidates with the 2.0 header", status, &v);
    // Version 1.0.0 announced is fine.
    let headers = [
        ("x-restli-method", BATCH_UPDATE),
        ("x-restli-protocol-version", "1.0.0"),
    ];
    let (status, v) = raw(&sim, reqwest::Method::PUT, &q, &headers, Some(body), &t).await;
    assert_eq!(status, 200, "{v}");

    let got = sim.synced(ORG);
    assert_eq!(got.candidates.keys().collect::<Vec<_>>(), ["c-1"]);
    assert!(got.applications.is_empty() && got.stages.is_empty());
    sim.shutdown();
}

#[tokio::test]
async fn the_collections_own_requests_are_understood() {
    let (sim, t) = sync_sim().await;
    // Sync Candidates: literal brackets and colons, as the collection writes the URL.
    let q = format!(
        "/atsCandidates?ids[0].atsCandidateId=TEST_CANDIDATE_ID_0001&ids[0].dataProvider=ATS&ids[0].integrationContext={ORG}"
    );
    let key =
        format!("atsCandidateId=TEST_CANDIDATE_ID_0001&dataProvider=ATS&integrationContext={ORG}");
    let mut entity = candidate("john");
    for (field, value) in [("middleInitial", "L"), ("prefix", "Mr"), ("suffix", "Jr")] {
        entity[field] = json!(value);
    }
    entity["addresses"] = json!([{
        "line1": "31 Spooner St", "city": "Quahog", "geographicArea": "RI",
        "geographicAreaType": "STATE", "postalCode": "02802", "country": "us"
    }]);
    let restli = [("x-restli-method", BATCH_UPDATE)];
    let body = json!({ "entities": { key.clone(): entity } });
    let (status, v) = raw(&sim, reqwest::Method::PUT, &q, &restli, Some(body), &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][&key], json!({"status": 204}), "{v}");

    // Sync Application Stages: three repeated ids, all read.
    let path_key = format!(
        "atsJobApplicationId=TEST_APPLICATION_ID_0001&dataProvider=ATS&integrationContext={ORG}"
    );
    let q = format!("/atsApplications/{path_key}/stages?ids=STAGE001&ids=STAGE002&ids=STAGE003");
    let body = json!({"entities": {
        "STAGE001": stage("New", 1), "STAGE002": stage("Phone Interview", 2), "STAGE003": stage("TPS", 3)
    }});
    let (status, v) = raw(&sim, reqwest::Method::PUT, &q, &restli, Some(body), &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"].as_object().unwrap().len(), 3, "{v}");
    let got = sim.synced(ORG);
    assert_eq!(
        got.stages["TEST_APPLICATION_ID_0001"]
            .keys()
            .collect::<Vec<_>>(),
        ["STAGE001", "STAGE002", "STAGE003"]
    );
    assert_eq!(
        requests(&sim),
        [req("candidates", 1, 200), req("stages", 3, 200)]
    );

    // Two of the three ids in the query but three in the body: all ids count.
    let q = format!("/atsApplications/{path_key}/stages?ids=STAGE001&ids=STAGE002");
    let body = json!({"entities": {
        "STAGE001": stage("New", 1), "STAGE002": stage("Hired", 2), "STAGE003": stage("TPS", 3)
    }});
    let (status, v) = raw(&sim, reqwest::Method::PUT, &q, &restli, Some(body), &t).await;
    assert_eq!(status, 400, "{v}");
    assert!(message(&v).contains("STAGE003"), "{v}");
    sim.shutdown();
}

#[tokio::test]
async fn answers_spell_keys_as_the_collection_whatever_the_request_spelling() {
    let (sim, t) = sync_sim().await;
    // Fields reordered and the URN's colons percent-encoded in the body key.
    let spelled = format!(
        "integrationContext={}&dataProvider=ATS&atsCandidateId=c-1",
        ORG.replace(':', "%3A")
    );
    let call = with_body(
        put_candidates(&[("c-1", candidate("Ada"))], &t),
        json!({"entities": {spelled: candidate("Ada")}}),
    );
    let (status, v) = call.send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({"results": {candidate_key("c-1"): {"status": 204}}, "errors": {}})
    );
    sim.shutdown();
}

#[tokio::test]
async fn repeated_task_ids_are_all_read() {
    let (sim, t) = sync_sim().await;
    let (_, v) = submit_jobs(&[job("j-1"), job("j-2"), job("j-3")], &t)
        .send(&sim)
        .await;
    let tasks = task_ids(&v);
    let q = format!(
        "/simpleJobPostingTasks?ids={}&ids={}&ids={}",
        tasks[0], tasks[1], tasks[2]
    );
    // A batch get needs no method header; batch_get is tolerated.
    let (status, v) = raw(&sim, reqwest::Method::GET, &q, &[], None, &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"].as_object().unwrap().len(), 3, "{v}");
    let get = [("x-restli-method", "batch_get")];
    let (status, v) = raw(&sim, reqwest::Method::GET, &q, &get, None, &t).await;
    assert_eq!(status, 200, "{v}");
    assert!(
        tasks
            .iter()
            .all(|task| v["results"][task]["status"] == "SUCCEEDED"),
        "{v}"
    );
    assert_eq!(
        requests(&sim)[1..],
        [req("jobTasks", 3, 200), req("jobTasks", 3, 200)]
    );
    sim.shutdown();
}

#[tokio::test]
async fn a_null_field_and_a_phone_type_get_400() {
    let (sim, t) = sync_sim().await;
    let mut with_type = candidate("Ada");
    with_type["phoneNumbers"] = json!([{"number": "+1 555", "type": "MOBILE"}]);
    let mut with_null = candidate("Ada");
    with_null["lastName"] = Value::Null;
    let (status, v) = put_candidates(&[("c-type", with_type), ("c-null", with_null)], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    let typed = &v["errors"][candidate_key("c-type")];
    assert_eq!(typed["status"], 400, "{v}");
    assert!(
        message(typed).contains("phoneNumbers[0].type is an unknown field"),
        "{typed}"
    );
    let null = &v["errors"][candidate_key("c-null")];
    assert_eq!(null["status"], 400, "{v}");
    assert!(message(null).contains("lastName is null"), "{null}");

    let mut app_null = application("c-1");
    app_null["dispositionReason"] = Value::Null;
    let (_, v) = put_applications(&[("a-1", app_null)], &t).send(&sim).await;
    assert_eq!(v["errors"][application_key("a-1")]["status"], 400, "{v}");
    assert_eq!(sim.synced(ORG).writes.len(), 0);
    sim.shutdown();
}

/// `call` as a batch delete: the same URL, no body, no method header (as in the collection).
fn delete(call: Call<'_>) -> Call<'_> {
    Call {
        method: reqwest::Method::DELETE,
        restli: None,
        body: None,
        ..call
    }
}

/// `POST /atsCandidates` attaching `member` to each candidate.
fn attach<'a>(members: &[(&str, &str)], token: &'a str) -> Call<'a> {
    let ids: Vec<&str> = members.iter().map(|(id, _)| *id).collect();
    let entities: Map<String, Value> = members
        .iter()
        .map(|(id, member)| {
            (
                candidate_key(id),
                json!({"patch": {"$set": {"manualMatchedMember": member}}}),
            )
        })
        .collect();
    Call {
        method: reqwest::Method::POST,
        path: "/atsCandidates".into(),
        query: ids_query("atsCandidateId", &ids, ORG),
        restli: Some("batch_partial_update"),
        body: Some(json!({ "entities": entities }).to_string()),
        token: Some(token),
    }
}

#[tokio::test]
async fn an_attached_member_is_stored_and_served_with_the_candidate() {
    let (sim, t) = sync_sim().await;
    put_candidates(&[("c-1", candidate("Ada"))], &t)
        .send(&sim)
        .await;
    let (status, v) = attach(&[("c-1", "urn:li:person:ada"), ("c-2", "ada")], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["results"][candidate_key("c-1")],
        json!({"status": 204}),
        "{v}"
    );
    let wrong = &v["errors"][candidate_key("c-2")];
    assert_eq!(wrong["status"], 400, "{v}");
    assert!(message(wrong).contains("urn:li:person"), "{wrong}");
    let got = sim.synced(ORG);
    assert_eq!(got.matched_members["c-1"], "urn:li:person:ada");
    assert!(!got.matched_members.contains_key("c-2"));
    assert_eq!(got.writes["member:c-1"], 1);
    assert_eq!(
        got.candidates["c-1"],
        candidate("Ada"),
        "the candidate itself is untouched"
    );
    assert_eq!(
        requests(&sim),
        [req("candidates", 1, 200), req("candidateMembers", 2, 200)]
    );

    // Retrieve Candidate Matches: a batch get of the same keys.
    let get = Call {
        method: reqwest::Method::GET,
        restli: None,
        body: None,
        ..attach(&[("c-1", ""), ("c-9", "")], &t)
    };
    let (status, v) = get.send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let mut served = candidate("Ada");
    served["manualMatchedMember"] = json!("urn:li:person:ada");
    assert_eq!(v["results"][candidate_key("c-1")], served, "{v}");
    assert_eq!(v["errors"][candidate_key("c-9")]["status"], 404, "{v}");

    // A patch of anything else, or without its method header, is refused.
    let other = with_body(
        attach(&[("c-1", "urn:li:person:x")], &t),
        json!({"entities": {candidate_key("c-1"): {"patch": {"$set": {"firstName": "X"}}}}}),
    );
    let (_, v) = other.send(&sim).await;
    assert_eq!(v["errors"][candidate_key("c-1")]["status"], 400, "{v}");
    let no_method = Call {
        restli: None,
        ..attach(&[("c-1", "urn:li:person:x")], &t)
    };
    assert_eq!(no_method.send(&sim).await.0, 400);
    assert_eq!(sim.synced(ORG).matched_members["c-1"], "urn:li:person:ada");
    sim.shutdown();
}

#[tokio::test]
async fn batch_deletes_remove_what_linkedin_holds() {
    let (sim, t) = sync_sim().await;
    put_candidates(&[("c-1", candidate("Ada"))], &t)
        .send(&sim)
        .await;
    attach(&[("c-1", "urn:li:person:ada")], &t).send(&sim).await;
    put_applications(&[("a-1", application("c-1"))], &t)
        .send(&sim)
        .await;
    let path = encode(&application_key("a-1"));
    put_stages(
        &path,
        &[("1-aa", stage("New", 1)), ("2-bb", stage("Hired", 2))],
        &t,
    )
    .send(&sim)
    .await;

    let t = t.as_str();
    let (status, v) = delete(put_stages(
        &path,
        &[("1-aa", json!({})), ("9-zz", json!({}))],
        t,
    ))
    .send(&sim)
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["1-aa"]["status"], 204, "{v}");
    assert_eq!(v["errors"]["9-zz"]["status"], 404, "{v}");
    let (_, v) = delete(put_candidates(&[("c-1", json!({})), ("c-2", json!({}))], t))
        .send(&sim)
        .await;
    assert_eq!(v["results"][candidate_key("c-1")]["status"], 204, "{v}");
    assert_eq!(v["errors"][candidate_key("c-2")]["status"], 404, "{v}");
    let (_, v) = delete(put_applications(&[("a-1", json!({}))], t))
        .send(&sim)
        .await;
    assert_eq!(v["results"][application_key("a-1")]["status"], 204, "{v}");

    let got = sim.synced(ORG);
    assert!(got.candidates.is_empty() && got.matched_members.is_empty());
    assert!(got.applications.is_empty());
    assert_eq!(
        got.stages["a-1"].keys().collect::<Vec<_>>(),
        ["2-bb"],
        "stages are deleted by calls of their own"
    );
    let kinds: Vec<String> = got.requests.iter().map(|r| r.kind.clone()).collect();
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["stageDeletes", "candidateDeletes", "applicationDeletes"]
    );
    assert_eq!(got.requests[got.requests.len() - 2].records, 2);
    sim.shutdown();
}

#[tokio::test]
async fn a_processed_task_stores_the_job_unless_it_carries_an_error_code() {
    let (sim, t) = sync_sim().await;
    sim.process_job_task("j-ok", None);
    let resp = reqwest::Client::new()
        .post(format!("{}/_sim/sync/task-processed", sim.base_url()))
        .json(&json!({"id": "j-bad", "errorCode": "INVALID_LOCATION"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, v) = submit_jobs(&[job("j-ok"), job("j-bad")], &t)
        .send(&sim)
        .await;
    let tasks = task_ids(&v);
    let ids: Vec<&str> = tasks.iter().map(String::as_str).collect();
    poll_tasks(&ids, &t).send(&sim).await;
    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    let ok = &v["results"][&tasks[0]];
    assert_eq!(ok["status"], "PROCESSED", "{v}");
    assert!(
        ok["jobPosting"]
            .as_str()
            .unwrap()
            .starts_with("urn:li:jobPosting:")
    );
    assert_eq!(
        v["results"][&tasks[1]],
        json!({"status": "PROCESSED", "errorCode": "INVALID_LOCATION"})
    );
    let got = sim.synced(ORG);
    assert!(got.jobs.contains_key("j-ok"));
    assert!(!got.jobs.contains_key("j-bad"));
    sim.shutdown();
}
