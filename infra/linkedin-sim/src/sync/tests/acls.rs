//! The hiring team's ACLs and assignees, as the collection's Module 4 sends them, and what is
//! left once everything is deleted.

use super::*;

/// Key fields in the order of the collection's upsert query.
fn acl_fields(acl: &str, job: &str, organization: &str) -> Vec<(&'static str, String)> {
    vec![
        ("atsEntityAclId", acl.to_string()),
        ("dataProvider", "ATS".to_string()),
        ("integrationContext", organization.to_string()),
        ("atsEntityType", "JOB_POSTING".to_string()),
        ("atsEntityId", job.to_string()),
    ]
}

fn assignee_fields(acl: &str, member: &str, organization: &str) -> Vec<(&'static str, String)> {
    vec![
        ("atsEntityAclId", acl.to_string()),
        ("integrationContext", organization.to_string()),
        ("dataProvider", "ATS".to_string()),
        ("assignee", member.to_string()),
        ("atsEntityType", "JOB_POSTING".to_string()),
    ]
}

fn query(keys: &[Vec<(&'static str, String)>]) -> Vec<(String, String)> {
    keys.iter()
        .enumerate()
        .flat_map(|(i, fields)| {
            fields
                .iter()
                .map(move |(f, v)| (format!("ids[{i}].{f}"), v.clone()))
        })
        .collect()
}

/// The body key, fields in reverse (the collection's bodies use another order than its queries).
fn body_key(fields: &[(&'static str, String)]) -> String {
    fields
        .iter()
        .rev()
        .map(|(f, v)| format!("{f}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn answer_key(fields: &[(&'static str, String)]) -> String {
    fields
        .iter()
        .map(|(f, v)| format!("{f}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn upsert<'a>(path: &str, keys: &[Vec<(&'static str, String)>], token: &'a str) -> Call<'a> {
    let entities: Map<String, Value> = keys.iter().map(|k| (body_key(k), json!({}))).collect();
    Call {
        method: reqwest::Method::PUT,
        path: path.to_string(),
        query: query(keys),
        restli: Some(BATCH_UPDATE),
        body: Some(json!({ "entities": entities }).to_string()),
        token: Some(token),
    }
}

fn delete<'a>(path: &str, keys: &[Vec<(&'static str, String)>], token: &'a str) -> Call<'a> {
    Call {
        method: reqwest::Method::DELETE,
        path: path.to_string(),
        query: query(keys),
        restli: None,
        body: None,
        token: Some(token),
    }
}

fn find<'a>(path: &str, params: &[(&str, &str)], token: &'a str) -> Call<'a> {
    Call {
        method: reqwest::Method::GET,
        path: path.to_string(),
        query: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        restli: None,
        body: None,
        token: Some(token),
    }
}

const ACLS: &str = "/atsEntityAcls";
const ASSIGNEES: &str = "/atsEntityAclAssignees";
const RITA: &str = "urn:li:person:rita";
const OMAR: &str = "urn:li:person:omar";

#[tokio::test]
async fn acls_and_assignees_are_stored_found_and_deleted() {
    let (sim, t) = sync_sim().await;
    let team = |job: &str| acl_fields("TEAM_J1", job, ORG);
    let (status, v) = upsert(ACLS, &[team("j-1"), team("j-2")], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][answer_key(&team("j-1"))]["status"], 204, "{v}");
    let member = |m: &str| assignee_fields("TEAM_J1", m, ORG);
    let (status, v) = upsert(ASSIGNEES, &[member(RITA), member(OMAR)], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["results"][answer_key(&member(RITA))]["status"],
        204,
        "{v}"
    );
    let got = sim.synced(ORG);
    assert_eq!(got.acls["TEAM_J1"].len(), 2);
    assert_eq!(got.acl_assignees["TEAM_J1"].len(), 2);
    assert_eq!(got.writes["acl:TEAM_J1:j-1"], 1);
    assert_eq!(got.writes[&format!("assignee:TEAM_J1:{RITA}")], 1);

    // The collection's finders.
    let (status, v) = find(
        ACLS,
        &[
            ("atsEntityId", "j-2"),
            ("atsEntityType", "JOB_POSTING"),
            ("dataProvider", "ATS"),
            ("integrationContext", ORG),
            ("q", "criteria"),
            ("start", "0"),
            ("count", "100"),
        ],
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["elements"],
        json!([{"atsEntityAclId": "TEAM_J1", "atsEntityId": "j-2", "atsEntityType": "JOB_POSTING",
                "dataProvider": "ATS", "integrationContext": ORG}])
    );
    let (status, v) = find(
        ASSIGNEES,
        &[
            ("q", "criteria"),
            ("assignee", RITA),
            ("dataProvider", "ATS"),
            ("integrationContext", ORG),
        ],
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["elements"][0]["assignee"], RITA, "{v}");
    assert_eq!(v["elements"][0]["atsEntityAclId"], "TEAM_J1", "{v}");
    assert_eq!(v["paging"]["total"], 1, "{v}");

    // Deleting the ACL of one job leaves the other job and every assignee.
    let (status, v) = delete(ACLS, &[team("j-1"), team("j-9")], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][answer_key(&team("j-1"))]["status"], 204, "{v}");
    assert_eq!(v["errors"][answer_key(&team("j-9"))]["status"], 404, "{v}");
    let got = sim.synced(ORG);
    assert_eq!(got.acls["TEAM_J1"].iter().collect::<Vec<_>>(), ["j-2"]);
    assert_eq!(got.acl_assignees["TEAM_J1"].len(), 2);

    let (_, v) = delete(ACLS, &[team("j-2")], &t).send(&sim).await;
    assert_eq!(v["results"][answer_key(&team("j-2"))]["status"], 204, "{v}");
    let (_, v) = delete(ASSIGNEES, &[member(RITA), member(OMAR)], &t)
        .send(&sim)
        .await;
    assert_eq!(v["errors"], json!({}), "{v}");
    let got = sim.synced(ORG);
    assert!(
        got.acls.is_empty() && got.acl_assignees.is_empty(),
        "{got:?}"
    );
    assert_eq!(got.leftovers(), Vec::<String>::new());
    let kinds: Vec<(String, usize, u16)> = requests(&sim);
    assert_eq!(
        kinds,
        [
            req("entityAcls", 2, 200),
            req("aclAssignees", 2, 200),
            req("entityAclDeletes", 2, 200),
            req("entityAclDeletes", 1, 200),
            req("aclAssigneeDeletes", 2, 200),
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn acl_records_are_judged_one_by_one() {
    let (sim, t) = sync_sim().await;
    let mut wrong_type = acl_fields("TEAM", "j-2", ORG);
    wrong_type[3].1 = "CANDIDATE".into();
    let keys = [
        acl_fields("TEAM", "j-1", ORG),
        acl_fields("TEAM", "j-1", OTHER_ORG),
        wrong_type.clone(),
    ];
    let (status, v) = upsert(ACLS, &keys, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][answer_key(&keys[0])]["status"], 204, "{v}");
    assert_eq!(v["errors"][answer_key(&keys[1])]["status"], 403, "{v}");
    assert_eq!(v["errors"][answer_key(&wrong_type)]["status"], 400, "{v}");
    let not_a_member = assignee_fields("TEAM", "urn:li:seat:5", ORG);
    let (_, v) = upsert(ASSIGNEES, std::slice::from_ref(&not_a_member), &t)
        .send(&sim)
        .await;
    assert!(
        message(&v["errors"][answer_key(&not_a_member)]).contains("assignee"),
        "{v}"
    );
    sim.reject_sync_record("TEAM", "refused for the test");
    let (_, v) = upsert(ASSIGNEES, &[assignee_fields("TEAM", RITA, ORG)], &t)
        .send(&sim)
        .await;
    assert_eq!(
        message(&v["errors"][answer_key(&assignee_fields("TEAM", RITA, ORG))]),
        "refused for the test"
    );
    let got = sim.synced(ORG);
    assert_eq!(got.acls.len(), 1);
    assert!(got.acl_assignees.is_empty());
    assert_eq!(sim.synced(OTHER_ORG), Synced::default());
    sim.shutdown();
}

#[tokio::test]
async fn acl_batches_that_break_a_rule_change_nothing() {
    let (sim, t) = sync_sim().await;
    let key = acl_fields("TEAM", "j-1", ORG);
    let no_method = Call {
        restli: None,
        ..upsert(ACLS, std::slice::from_ref(&key), &t)
    };
    let mismatched = with_body(
        upsert(ACLS, std::slice::from_ref(&key), &t),
        json!({"entities": {body_key(&acl_fields("TEAM", "j-2", ORG)): {}}}),
    );
    let mut unknown_field = key.clone();
    unknown_field.push(("atsEntityName", "x".into()));
    let restli_2 = Call {
        query: vec![(
            "ids".into(),
            format!(
                "List((atsEntityAclId:TEAM,dataProvider:ATS,integrationContext:{},atsEntityType:JOB_POSTING,atsEntityId:j-1))",
                ORG.replace(':', "%3A")
            ),
        )],
        ..upsert(ACLS, std::slice::from_ref(&key), &t)
    };
    let too_many: Vec<_> = (0..=MAX_SYNC_BATCH)
        .map(|i| acl_fields("TEAM", &format!("j-{i}"), ORG))
        .collect();
    for (what, call) in [
        ("no x-restli-method", no_method),
        ("query keys are not the body's", mismatched),
        (
            "an unknown key field",
            upsert(ACLS, std::slice::from_ref(&unknown_field), &t),
        ),
        ("Rest.li 2.0 keys", restli_2),
        ("more than 100 records", upsert(ACLS, &too_many, &t)),
    ] {
        let (status, v) = call.send(&sim).await;
        assert_eq!(status, 400, "{what}: {v}");
    }
    // The assignee PUT with the collection's (disabled) protocol header switched on.
    let response = reqwest::Client::new()
        .put(format!("{}{ASSIGNEES}", sim.api_url()))
        .query(&query(&[assignee_fields("TEAM", RITA, ORG)]))
        .bearer_auth(&t)
        .header("x-restli-method", BATCH_UPDATE)
        .header("X-RestLi-Protocol-Version", "2.0.0")
        .json(&json!({"entities": {body_key(&assignee_fields("TEAM", RITA, ORG)): {}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(sim.synced(ORG).leftovers(), Vec::<String>::new());
    // A finder for another organization's context is refused; a finder needs q=criteria.
    let (status, _) = find(
        ASSIGNEES,
        &[
            ("q", "criteria"),
            ("assignee", RITA),
            ("dataProvider", "ATS"),
            ("integrationContext", OTHER_ORG),
        ],
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 403);
    let (status, _) = find(
        ACLS,
        &[("dataProvider", "ATS"), ("integrationContext", ORG)],
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 400);
    sim.shutdown();
}

/// Everything of a customer, written then deleted child first, leaves nothing but its jobs;
/// deleting a parent first leaves its children (no cascade).
#[tokio::test]
async fn deleting_every_record_leaves_nothing() {
    let (sim, t) = sync_sim().await;
    let (status, v) = put_candidates(&[("c-1", candidate("Ada"))], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    put_applications(&[("a-1", application("c-1"))], &t)
        .send(&sim)
        .await;
    let app_key = application_key("a-1");
    put_stages(&app_key, &[("S1", stage("New", 1))], &t)
        .send(&sim)
        .await;
    let note = json!({"entities": {"N1": {"atsCreatedAt": 1, "note": "Strong.", "author": {"firstName": "Rita"}}}});
    for path in [
        format!("/atsCandidates/{}/notes", candidate_key("c-1")),
        format!("/atsApplications/{app_key}/notes"),
    ] {
        let (status, v) = Call {
            method: reqwest::Method::PUT,
            path,
            query: vec![("ids".into(), "N1".into())],
            restli: Some(BATCH_UPDATE),
            body: Some(note.to_string()),
            token: Some(&t),
        }
        .send(&sim)
        .await;
        assert_eq!(status, 200, "{v}");
    }
    upsert(ACLS, &[acl_fields("TEAM", "j-1", ORG)], &t)
        .send(&sim)
        .await;
    upsert(ASSIGNEES, &[assignee_fields("TEAM", RITA, ORG)], &t)
        .send(&sim)
        .await;
    assert_eq!(
        sim.synced(ORG).leftovers(),
        [
            "candidate:c-1",
            "application:a-1",
            "stage:a-1:S1",
            "note:application:a-1:N1",
            "note:candidate:c-1:N1",
            "acl:TEAM:j-1",
            format!("assignee:TEAM:{RITA}").as_str(),
        ]
    );

    // The candidate first: its application, notes and stages stay.
    let del = |path: String, query: Vec<(String, String)>| Call {
        method: reqwest::Method::DELETE,
        path,
        query,
        restli: None,
        body: None,
        token: Some(&t),
    };
    let (_, v) = del(
        "/atsCandidates".into(),
        ids_query("atsCandidateId", &["c-1"], ORG),
    )
    .send(&sim)
    .await;
    assert_eq!(v["results"][candidate_key("c-1")]["status"], 204, "{v}");
    assert!(
        sim.synced(ORG)
            .leftovers()
            .contains(&"application:a-1".to_string())
    );
    let ids = |id: &str| vec![("ids".to_string(), id.to_string())];
    for (path, id) in [
        (
            format!("/atsCandidates/{}/notes", candidate_key("c-1")),
            "N1",
        ),
        (format!("/atsApplications/{app_key}/notes"), "N1"),
        (format!("/atsApplications/{app_key}/stages"), "S1"),
    ] {
        let (_, v) = del(path.clone(), ids(id)).send(&sim).await;
        assert_eq!(v["results"][id]["status"], 204, "{path}: {v}");
        // Again: LinkedIn holds it no more.
        let (status, v) = del(path.clone(), ids(id)).send(&sim).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["errors"][id]["status"], 404, "{path}: {v}");
    }
    del(
        "/atsApplications".into(),
        ids_query("atsJobApplicationId", &["a-1"], ORG),
    )
    .send(&sim)
    .await;
    delete(ACLS, &[acl_fields("TEAM", "j-1", ORG)], &t)
        .send(&sim)
        .await;
    delete(ASSIGNEES, &[assignee_fields("TEAM", RITA, ORG)], &t)
        .send(&sim)
        .await;
    assert_eq!(sim.synced(ORG).leftovers(), Vec::<String>::new());
    sim.shutdown();
}
