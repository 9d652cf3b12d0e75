//! The sync endpoints, driven over HTTP as a client would.

use serde_json::{Map, Value, json};

use super::keys::RecordKey;
use super::rules::looks_like_email;
use crate::tests::{ORG, app, start, token};
use crate::{APPLICATION_FIELDS, App, Fault, FaultKind, Sim, Synced};

const OTHER_ORG: &str = "urn:li:organization:99";
const BATCH_UPDATE: &str = "batch_update";

// ---------------------------------------------------------------------------------------------
// Helpers (written apart from the simulator's parsers, so that they check each other)
// ---------------------------------------------------------------------------------------------

/// The Rest.li 1.0 body spelling of a compound key, as the collection writes it (and as answers
/// spell it): fields in this order, the URN's colons literal.
fn key(id_field: &str, id: &str, organization: &str) -> String {
    format!("{id_field}={id}&dataProvider=ATS&integrationContext={organization}")
}

fn candidate_key(id: &str) -> String {
    key("atsCandidateId", id, ORG)
}

fn application_key(id: &str) -> String {
    key("atsJobApplicationId", id, ORG)
}

/// `ids[i].<idField>=..&ids[i].dataProvider=ATS&ids[i].integrationContext=..`
fn ids_query(id_field: &str, ids: &[&str], organization: &str) -> Vec<(String, String)> {
    ids.iter()
        .enumerate()
        .flat_map(|(i, id)| {
            [
                (format!("ids[{i}].{id_field}"), id.to_string()),
                (format!("ids[{i}].dataProvider"), "ATS".to_string()),
                (
                    format!("ids[{i}].integrationContext"),
                    organization.to_string(),
                ),
            ]
        })
        .collect()
}

/// Percent-encodes everything but unreserved characters (a path segment).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One request to the API; `body` is sent as given (so it may be malformed).
struct Call<'a> {
    method: reqwest::Method,
    path: String,
    query: Vec<(String, String)>,
    restli: Option<&'a str>,
    body: Option<String>,
    token: Option<&'a str>,
}

impl Call<'_> {
    async fn send(self, sim: &Sim) -> (u16, Value) {
        let mut req = reqwest::Client::new()
            .request(self.method, format!("{}{}", sim.api_url(), self.path))
            .query(&self.query);
        if let Some(t) = self.token {
            req = req.bearer_auth(t);
        }
        if let Some(m) = self.restli {
            req = req.header("x-restli-method", m);
        }
        if let Some(b) = self.body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// A PUT batch_update of `records` (id, entity) keyed by `id_field` under `organization`.
fn update<'a>(
    path: &str,
    id_field: &str,
    organization: &str,
    records: &[(&str, Value)],
    token: &'a str,
) -> Call<'a> {
    let ids: Vec<&str> = records.iter().map(|(id, _)| *id).collect();
    let entities: Map<String, Value> = records
        .iter()
        .map(|(id, e)| (key(id_field, id, organization), e.clone()))
        .collect();
    Call {
        method: reqwest::Method::PUT,
        path: path.to_string(),
        query: ids_query(id_field, &ids, organization),
        restli: Some(BATCH_UPDATE),
        body: Some(json!({ "entities": entities }).to_string()),
        token: Some(token),
    }
}

fn put_candidates<'a>(records: &[(&str, Value)], token: &'a str) -> Call<'a> {
    update("/atsCandidates", "atsCandidateId", ORG, records, token)
}

fn put_applications<'a>(records: &[(&str, Value)], token: &'a str) -> Call<'a> {
    update(
        "/atsApplications",
        "atsJobApplicationId",
        ORG,
        records,
        token,
    )
}

/// Stages of one application; `path_key` is the application key as it goes into the path.
fn put_stages<'a>(path_key: &str, stages: &[(&str, Value)], token: &'a str) -> Call<'a> {
    let ids: Vec<&str> = stages.iter().map(|(id, _)| *id).collect();
    let entities: Map<String, Value> = stages
        .iter()
        .map(|(id, e)| (id.to_string(), e.clone()))
        .collect();
    Call {
        method: reqwest::Method::PUT,
        path: format!("/atsApplications/{path_key}/stages"),
        query: ids.iter().map(|id| ("ids".to_string(), id.to_string())).collect(),
        restli: Some(BATCH_UPDATE),
        body: Some(json!({ "entities": entities }).to_string()),
        token: Some(token),
    }
}

fn submit_jobs<'a>(elements: &[Value], token: &'a str) -> Call<'a> {
    Call {
        method: reqwest::Method::POST,
        path: "/simpleJobPostings".to_string(),
        query: Vec::new(),
        restli: Some("batch_create"),
        body: Some(json!({ "elements": elements }).to_string()),
        token: Some(token),
    }
}

fn poll_tasks<'a>(tasks: &[&str], token: &'a str) -> Call<'a> {
    Call {
        method: reqwest::Method::GET,
        path: "/simpleJobPostingTasks".to_string(),
        query: tasks.iter().map(|t| ("ids".to_string(), t.to_string())).collect(),
        restli: None,
        body: None,
        token: Some(token),
    }
}

fn job(id: &str) -> Value {
    json!({
        "integrationContext": ORG,
        "externalJobPostingId": id,
        "title": "Engineer",
        "description": "Build things.",
        "location": "Berlin, DE",
        "state": "LISTED",
        "listedAt": 1_700_000_000_000i64,
        "companyApplyUrl": "https://jobs.example/eng",
        "availability": "PUBLIC",
    })
}

fn candidate(first_name: &str) -> Value {
    json!({
        "atsCreatedAt": 1_700_000_000_000i64,
        "atsLastModifiedAt": 1_700_000_100_000i64,
        "firstName": first_name,
        "lastName": "Lovelace",
        "emailAddresses": ["ada@example.com"],
        "phoneNumbers": [{"number": "+44 20 7946 0000", "extension": "12"}],
        "addresses": [],
        "currentCompanyName": "Engines Ltd",
        "externalProfileUrl": "https://ats.example/candidates/ada",
        "doNotContact": false,
    })
}

fn application(candidate_id: &str) -> Value {
    json!({
        "atsCandidateId": candidate_id,
        "atsCreatedAt": 1_700_000_000_000i64,
        "atsLastModifiedAt": 1_700_000_000_000i64,
        "atsJobPostingId": "j-1",
        "atsJobPostingName": "Engineer",
        "candidateEmail": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "source": "Referral",
        "dispositionReason": "Withdrew",
    })
}

fn stage(text: &str, at: i64) -> Value {
    json!({ "atsCreatedAt": at, "stage": text })
}

/// A simulator with `child-1` (of [`ORG`]) registered, and a token of it.
async fn sync_sim() -> (Sim, String) {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    (sim, t)
}

fn task_ids(answer: &Value) -> Vec<String> {
    answer["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or_default()
}

/// The (kind, records, status) of every sync request of [`ORG`].
fn requests(sim: &Sim) -> Vec<(String, usize, u16)> {
    sim.synced(ORG)
        .requests
        .into_iter()
        .map(|r| (r.kind, r.records, r.status))
        .collect()
}

fn req(kind: &str, records: usize, status: u16) -> (String, usize, u16) {
    (kind.to_string(), records, status)
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn job_tasks_answer_in_progress_then_succeeded_and_store_the_job() {
    let (sim, t) = sync_sim().await;
    let (status, v) = submit_jobs(&[job("j-1"), job("j-2")], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let elements = v["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert!(elements.iter().all(|e| e["status"] == 202), "{v}");
    let tasks = task_ids(&v);
    assert!(tasks[0].starts_with("urn:li:simpleJobPostingTask:"));
    assert_ne!(tasks[0], tasks[1]);
    assert!(
        sim.synced(ORG).jobs.is_empty(),
        "stored when the task completes"
    );

    let ids: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let (status, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for task in &tasks {
        assert_eq!(v["results"][task], json!({"status": "IN_PROGRESS"}));
    }
    assert!(sim.synced(ORG).jobs.is_empty());

    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    let first = v["results"][&tasks[0]].clone();
    assert_eq!(first["status"], "SUCCEEDED", "{v}");
    let posting = first["jobPosting"].as_str().unwrap().to_string();
    assert!(posting.starts_with("urn:li:jobPosting:"), "{posting}");
    assert_ne!(v["results"][&tasks[1]]["jobPosting"], first["jobPosting"]);
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], job("j-1"));
    assert_eq!(got.writes["job:j-1"], 1);

    // Later polls repeat the outcome without storing again.
    let (_, v) = poll_tasks(&ids[..1], &t).send(&sim).await;
    assert_eq!(v["results"][&tasks[0]], first);
    assert_eq!(sim.synced(ORG).writes["job:j-1"], 1);

    // Submitting the job again replaces LinkedIn's copy; its posting stays the same.
    let mut closed = job("j-1");
    closed["state"] = json!("CLOSED");
    let (_, v) = submit_jobs(&[closed.clone()], &t).send(&sim).await;
    let again = task_ids(&v);
    poll_tasks(&[&again[0]], &t).send(&sim).await;
    let (_, v) = poll_tasks(&[&again[0]], &t).send(&sim).await;
    assert_eq!(v["results"][&again[0]]["jobPosting"], posting.as_str());
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], closed);
    assert_eq!(got.writes["job:j-1"], 2);
    assert_eq!(
        requests(&sim),
        [
            req("jobs", 2, 200),
            req("jobTasks", 2, 200),
            req("jobTasks", 2, 200),
            req("jobTasks", 1, 200),
            req("jobs", 1, 200),
            req("jobTasks", 1, 200),
            req("jobTasks", 1, 200),
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn an_older_task_completing_late_does_not_replace_a_newer_job() {
    let (sim, t) = sync_sim().await;
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let old = task_ids(&v).remove(0);
    let mut newer = job("j-1");
    newer["title"] = json!("Senior engineer");
    let (_, v) = submit_jobs(&[newer.clone()], &t).send(&sim).await;
    let new = task_ids(&v).remove(0);
    for _ in 0..2 {
        poll_tasks(&[&new], &t).send(&sim).await;
    }
    for _ in 0..2 {
        poll_tasks(&[&old], &t).send(&sim).await;
    }
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], newer);
    assert_eq!(got.writes["job:j-1"], 2);
    sim.shutdown();
}

#[tokio::test]
async fn job_elements_are_judged_one_by_one_in_order() {
    let (sim, t) = sync_sim().await;
    let mut long_title = job("j-long");
    long_title["title"] = json!("x".repeat(201));
    long_title.as_object_mut().unwrap().remove("description");
    let mut nowhere = job("j-nowhere");
    nowhere.as_object_mut().unwrap().remove("location");
    nowhere["countryCode"] = json!("DE");
    let mut wrong_values = job("j-wrong");
    wrong_values["state"] = json!("OPEN");
    wrong_values["listedAt"] = json!(0);
    wrong_values["companyApplyUrl"] = json!("ftp://jobs.example");
    wrong_values["availability"] = json!("SECRET");
    let mut elsewhere = job("j-elsewhere");
    elsewhere["integrationContext"] = json!(OTHER_ORG);
    let mut by_postal_code = job("j-postal");
    by_postal_code.as_object_mut().unwrap().remove("location");
    by_postal_code["countryCode"] = json!("DE");
    by_postal_code["postalCode"] = json!("10115");
    let mut exactly_200 = job("j-200");
    exactly_200["title"] = json!("é".repeat(200));

    let elements = [
        job("j-ok"),
        long_title,
        nowhere,
        wrong_values,
        elsewhere,
        json!("not a job"),
        json!({}),
        by_postal_code,
        exactly_200,
    ];
    let (status, v) = submit_jobs(&elements, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let answers = v["elements"].as_array().unwrap();
    let statuses: Vec<i64> = answers
        .iter()
        .map(|e| e["status"].as_i64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [202, 400, 400, 400, 403, 400, 400, 202, 202],
        "{v}"
    );
    let long = message(&answers[1]);
    assert!(long.contains("title") && long.contains("200"), "{long}");
    assert!(long.contains("description is required"), "{long}");
    let nowhere = message(&answers[2]);
    assert!(
        nowhere.contains("location") && nowhere.contains("postalCode"),
        "{nowhere}"
    );
    let wrong = message(&answers[3]);
    for field in [
        "state",
        "OPEN",
        "listedAt",
        "companyApplyUrl",
        "availability",
    ] {
        assert!(wrong.contains(field), "{field} not in {wrong}");
    }
    assert!(message(&answers[4]).contains(OTHER_ORG), "{v}");
    assert!(message(&answers[5]).contains("JSON object"), "{v}");
    let empty = message(&answers[6]);
    for field in [
        "integrationContext",
        "externalJobPostingId",
        "title",
        "listedAt",
    ] {
        assert!(
            empty.contains(&format!("{field} is required")),
            "{field} not in {empty}"
        );
    }
    assert!(
        answers
            .iter()
            .all(|a| a.get("id").is_none() || a["status"] == 202)
    );
    sim.shutdown();
}

#[tokio::test]
async fn a_failed_task_says_why_and_stores_nothing() {
    let (sim, t) = sync_sim().await;
    sim.fail_job_task("j-1", "the location is unknown");
    let (_, v) = submit_jobs(&[job("j-1"), job("j-2")], &t).send(&sim).await;
    let tasks = task_ids(&v);
    let ids: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(v["results"][&tasks[0]]["status"], "IN_PROGRESS");
    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(
        v["results"][&tasks[0]],
        json!({"status": "FAILED", "message": "the location is unknown"})
    );
    assert_eq!(v["results"][&tasks[1]]["status"], "SUCCEEDED");
    let got = sim.synced(ORG);
    assert!(!got.jobs.contains_key("j-1"));
    assert!(!got.writes.contains_key("job:j-1"));
    assert!(got.jobs.contains_key("j-2"));
    sim.shutdown();
}

#[tokio::test]
async fn unknown_tasks_are_absent_from_results_and_404_in_errors() {
    let (sim, t) = sync_sim().await;
    sim.register_app(App {
        organization: OTHER_ORG.into(),
        ..app("child-2", None)
    });
    let other = token(&sim, "child-2").await;
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let mine = task_ids(&v).remove(0);
    let unknown = "urn:li:simpleJobPostingTask:00000000-0000-0000-0000-000000000000";

    let (status, v) = poll_tasks(&[&mine, unknown], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"].as_object().unwrap().len(), 1, "{v}");
    assert_eq!(v["results"][&mine]["status"], "IN_PROGRESS");
    assert_eq!(v["errors"][unknown]["status"], 404, "{v}");

    // Another organization's caller does not see the task (and does not poll it).
    let (_, v) = poll_tasks(&[&mine], &other).send(&sim).await;
    assert_eq!(v["results"], json!({}));
    assert_eq!(v["errors"][&mine]["status"], 404);

    // The id with its colons literal in the URL, as the collection writes it, is the same task.
    let literal = Call {
        path: format!("/simpleJobPostingTasks?ids={mine}"),
        query: Vec::new(),
        ..poll_tasks(&[], &t)
    };
    let (_, v) = literal.send(&sim).await;
    assert_eq!(v["results"][&mine]["status"], "SUCCEEDED", "{v}");
    sim.shutdown();
}

// ---------------------------------------------------------------------------------------------
// Candidates and applications
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn candidates_are_stored_as_sent() {
    let (sim, t) = sync_sim().await;
    let records = [("c-1", candidate("Ada")), ("c-2", candidate("Grace"))];
    let (status, v) = put_candidates(&records, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({
            "results": {
                candidate_key("c-1"): {"status": 204},
                candidate_key("c-2"): {"status": 204},
            },
            "errors": {},
        })
    );
    let got = sim.synced(ORG);
    assert_eq!(got.candidates["c-1"], candidate("Ada"));
    assert_eq!(got.candidates["c-2"], candidate("Grace"));
    assert_eq!(got.writes["candidate:c-1"], 1);
    assert_eq!(requests(&sim), [req("candidates", 2, 200)]);
    assert!(sim.synced(OTHER_ORG).candidates.is_empty());

    put_candidates(&[("c-1", candidate("Augusta"))], &t)
        .send(&sim)
        .await;
    let got = sim.synced(ORG);
    assert_eq!(got.candidates["c-1"]["firstName"], "Augusta");
    assert_eq!(got.writes["candidate:c-1"], 2);
    sim.shutdown();
}

/// A valid candidate with `field` set to `value` (removed when `value` is `None`).
fn candidate_with(field: &str, value: Option<Value>) -> Value {
    let mut c = candidate("Ada");
    let fields = c.as_object_mut().unwrap();
    match value {
        Some(v) => fields.insert(field.to_string(), v),
        None => fields.remove(field),
    };
    c
}

#[tokio::test]
async fn candidate_rules_name_the_field() {
    let (sim, t) = sync_sim().await;
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "c-noname",
            candidate_with("firstName", None),
            vec!["firstName is required"],
        ),
        (
            "c-blank",
            candidate_with("firstName", Some(json!("  "))),
            vec!["firstName must not be empty"],
        ),
        (
            "c-email",
            candidate_with(
                "emailAddresses",
                Some(json!(["ok@example.com", "not-an-email", "a b@c.de"])),
            ),
            vec!["emailAddresses[1]", "not-an-email", "emailAddresses[2]"],
        ),
        (
            "c-nophones",
            candidate_with("phoneNumbers", None),
            vec!["phoneNumbers is required"],
        ),
        (
            "c-noaddresses",
            candidate_with("addresses", Some(Value::Null)),
            vec!["addresses is required", "addresses is null"],
        ),
        (
            "c-phone",
            candidate_with(
                "phoneNumbers",
                Some(json!([{"number": "1", "type": "MOBILE"}, {"extension": "2"}])),
            ),
            vec![
                "phoneNumbers[0].type is an unknown field",
                "phoneNumbers[1].number",
            ],
        ),
        (
            "c-null",
            candidate_with("currentJobTitle", Some(Value::Null)),
            vec!["currentJobTitle is null"],
        ),
        (
            "c-nullphone",
            candidate_with(
                "phoneNumbers",
                Some(json!([{"number": "1", "extension": null}])),
            ),
            vec!["phoneNumbers[0].extension is null"],
        ),
        (
            "c-noprofile",
            candidate_with("externalProfileUrl", None),
            vec!["externalProfileUrl is required"],
        ),
        (
            "c-profile",
            candidate_with("externalProfileUrl", Some(json!("ats.example/c"))),
            vec!["externalProfileUrl must be an http(s):// URL"],
        ),
        (
            "c-time",
            candidate_with("atsLastModifiedAt", Some(json!(1_600_000_000_000i64))),
            vec!["atsLastModifiedAt", "must not be before atsCreatedAt"],
        ),
        (
            "c-zero",
            candidate_with("atsCreatedAt", Some(json!(0))),
            vec!["atsCreatedAt must be epoch ms > 0"],
        ),
        (
            "c-dnc",
            candidate_with("doNotContact", Some(json!("yes"))),
            vec!["doNotContact must be true or false"],
        ),
        (
            "c-lastname",
            candidate_with("lastName", Some(json!(7))),
            vec!["lastName must be a string"],
        ),
    ];
    let mut records: Vec<(&str, Value)> = cases.iter().map(|(id, c, _)| (*id, c.clone())).collect();
    records.push(("c-ok", candidate("Ada")));
    // The collection's optional name parts are fine.
    let mut full = candidate("Ada");
    for (field, value) in [("middleInitial", "L"), ("prefix", "Mr"), ("suffix", "Jr")] {
        full[field] = json!(value);
    }
    records.push(("c-full", full));
    let (status, v) = put_candidates(&records, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for (id, _, mentions) in &cases {
        let error = &v["errors"][candidate_key(id)];
        assert_eq!(error["status"], 400, "{id}: {v}");
        for m in mentions {
            assert!(message(error).contains(m), "{id}: {m:?} not in {error}");
        }
    }
    assert_eq!(v["results"].as_object().unwrap().len(), 2, "{v}");
    let got = sim.synced(ORG);
    assert_eq!(got.candidates.keys().collect::<Vec<_>>(), ["c-full", "c-ok"]);
    assert_eq!(got.writes.len(), 2);
    sim.shutdown();
}

#[tokio::test]
async fn an_application_update_replaces_it_and_nulls_what_it_leaves_out() {
    let (sim, t) = sync_sim().await;
    let (status, v) = put_applications(&[("a-1", application("c-1"))], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][application_key("a-1")]["status"], 204, "{v}");
    assert_eq!(sim.synced(ORG).applications["a-1"], application("c-1"));

    let partial = json!({
        "atsCandidateId": "c-1",
        "atsCreatedAt": 1_700_000_000_000i64,
        "atsLastModifiedAt": 1_700_000_500_000i64,
        "atsJobPostingId": "j-1",
        "source": "Agency",
    });
    put_applications(&[("a-1", partial)], &t).send(&sim).await;
    let got = sim.synced(ORG);
    let stored = got.applications["a-1"].as_object().unwrap();
    assert_eq!(stored.len(), APPLICATION_FIELDS.len(), "{stored:?}");
    assert_eq!(stored["source"], "Agency");
    assert_eq!(stored["atsLastModifiedAt"], 1_700_000_500_000i64);
    for field in [
        "atsJobPostingName",
        "candidateEmail",
        "firstName",
        "lastName",
        "dispositionReason",
    ] {
        assert_eq!(stored[field], Value::Null, "{field}");
    }
    assert_eq!(got.writes["application:a-1"], 2);
    sim.shutdown();
}

#[tokio::test]
async fn application_rules_name_the_field() {
    let (sim, t) = sync_sim().await;
    let mut bad_email = application("c-1");
    bad_email["candidateEmail"] = json!("ada-at-example");
    let mut no_job = application("c-1");
    no_job["atsJobPostingId"] = Value::Null;
    no_job.as_object_mut().unwrap().remove("atsCandidateId");
    let mut no_email = application("c-1");
    no_email.as_object_mut().unwrap().remove("candidateEmail");
    let mut null_email = application("c-1");
    null_email["candidateEmail"] = Value::Null;
    let (_, v) = put_applications(
        &[
            ("a-email", bad_email),
            ("a-nojob", no_job),
            ("a-noemail", no_email),
            ("a-nullemail", null_email),
        ],
        &t,
    )
    .send(&sim)
    .await;
    let email = &v["errors"][application_key("a-email")];
    assert!(message(email).contains("candidateEmail"), "{v}");
    let nojob = message(&v["errors"][application_key("a-nojob")]);
    assert!(nojob.contains("atsJobPostingId is required"), "{nojob}");
    assert!(nojob.contains("atsCandidateId is required"), "{nojob}");
    assert!(nojob.contains("atsJobPostingId is null"), "{nojob}");
    assert_eq!(
        v["results"][application_key("a-noemail")]["status"],
        204,
        "an absent optional field is fine: {v}"
    );
    let null = &v["errors"][application_key("a-nullemail")];
    assert_eq!(null["status"], 400, "{v}");
    assert!(message(null).contains("candidateEmail is null"), "{null}");
    sim.shutdown();
}

#[tokio::test]
async fn records_of_another_organization_are_forbidden() {
    let (sim, t) = sync_sim().await;
    let mut call = update(
        "/atsCandidates",
        "atsCandidateId",
        OTHER_ORG,
        &[("c-1", candidate("Ada"))],
        &t,
    );
    call.query = ids_query("atsCandidateId", &["c-1"], OTHER_ORG);
    let (status, v) = call.send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let error = &v["errors"][key("atsCandidateId", "c-1", OTHER_ORG)];
    assert_eq!(error["status"], 403, "{v}");
    assert!(message(error).contains("integrationContext"), "{error}");

    let other_app = encode(&key("atsJobApplicationId", "a-1", OTHER_ORG));
    let (_, v) = put_stages(&other_app, &[("1-aa", stage("Hired", 1))], &t)
        .send(&sim)
        .await;
    assert_eq!(v["errors"]["1-aa"]["status"], 403, "{v}");
    assert_eq!(sim.synced(ORG).writes.len(), 0);
    assert_eq!(sim.synced(OTHER_ORG), Synced::default());
    sim.shutdown();
}

// ---------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn stages_are_stored_per_application() {
    let (sim, t) = sync_sim().await;
    // The key percent-encoded once more in the path, as a client encoding a segment does.
    let encoded = encode(&application_key("a-1"));
    let stages = [
        (
            "1700000000000-0a1b2c3d",
            stage("Phone screen", 1_700_000_000_000),
        ),
        ("1700000100000-4e5f6a7b", stage("Hired", 1_700_000_100_000)),
    ];
    let (status, v) = put_stages(&encoded, &stages, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["1700000000000-0a1b2c3d"]["status"], 204, "{v}");
    assert_eq!(v["errors"], json!({}));
    // The key string itself in the path.
    let raw = application_key("a-2");
    let (status, v) = put_stages(&raw, &stages[..1], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    // The same stage again changes nothing but the count.
    put_stages(&encoded, &stages[..1], &t).send(&sim).await;

    let got = sim.synced(ORG);
    assert_eq!(got.stages["a-1"].len(), 2);
    assert_eq!(got.stages["a-1"]["1700000100000-4e5f6a7b"], stages[1].1);
    assert_eq!(got.stages["a-2"].len(), 1);
    assert_eq!(got.writes["stage:a-1:1700000000000-0a1b2c3d"], 2);
    assert_eq!(got.writes["stage:a-2:1700000000000-0a1b2c3d"], 1);
    assert_eq!(
        requests(&sim),
        [
            req("stages", 2, 200),
            req("stages", 1, 200),
            req("stages", 1, 200)
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn a_stage_not_available_is_refused() {
    let (sim, t) = sync_sim().await;
    let path = encode(&application_key("a-1"));
    let stages = [
        ("1-aaaaaaaa", stage("Not Available", 1)),
        ("2-bbbbbbbb", stage(" not available ", 2)),
        ("3-cccccccc", stage("", 3)),
        ("4-dddddddd", stage("Hired", 0)),
        ("5-eeeeeeee", stage("Hired", 5)),
    ];
    let (status, v) = put_stages(&path, &stages, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for (id, mention) in [
        ("1-aaaaaaaa", "Not Available"),
        ("2-bbbbbbbb", "not available"),
        ("3-cccccccc", "stage must not be empty"),
        ("4-dddddddd", "atsCreatedAt"),
    ] {
        assert_eq!(v["errors"][id]["status"], 400, "{id}: {v}");
        assert!(message(&v["errors"][id]).contains(mention), "{id}: {v}");
    }
    let got = sim.synced(ORG);
    assert_eq!(got.stages["a-1"].keys().collect::<Vec<_>>(), ["5-eeeeeeee"]);
    sim.shutdown();
}

// ---------------------------------------------------------------------------------------------
// Whole-request rules
// ---------------------------------------------------------------------------------------------

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

/// `call` with another body.
fn with_body(call: Call<'_>, body: impl ToString) -> Call<'_> {
    Call {
        body: Some(body.to_string()),
        ..call
    }
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

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

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
    let reordered = "integrationContext=urn%3Ali%3Aorganization%3A42&atsCandidateId=c-1&dataProvider=ATS";
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
