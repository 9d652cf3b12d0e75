//! The sync endpoints, driven over HTTP as a client would.

use serde_json::{Map, Value, json};

use super::keys::RecordKey;
use super::rules::looks_like_email;
use crate::tests::{ORG, app, start, token};
use crate::{APPLICATION_FIELDS, App, Fault, FaultKind, MAX_SYNC_BATCH, Sim, Synced};

mod acls;
mod dialect;
mod jobs;
mod notes;
mod records;
mod whole_request;

const OTHER_ORG: &str = "urn:li:organization:99";
const BATCH_UPDATE: &str = "batch_update";

// ---------------------------------------------------------------------------------------------
// Helpers (written apart from the simulator's parsers, so that they check each other)

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
        query: ids
            .iter()
            .map(|id| ("ids".to_string(), id.to_string()))
            .collect(),
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
        query: tasks
            .iter()
            .map(|t| ("ids".to_string(), t.to_string()))
            .collect(),
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

/// `call` with another body.
fn with_body(call: Call<'_>, body: impl ToString) -> Call<'_> {
    Call {
        body: Some(body.to_string()),
        ..call
    }
}
