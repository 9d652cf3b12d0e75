//! ATS → LinkedIn sync (the Middleware integration), as fixed by `docs/outbound-sync.md`
//! ("Wire details"):
//!
//! - `POST /v2/simpleJobPostings` (`x-restli-method: batch_create`): jobs; each accepted job
//!   becomes a task,
//! - `GET /v2/simpleJobPostingTasks?ids=List(..)` (`batch_get`): the tasks' states,
//! - `PUT /v2/atsCandidates?ids[i]...` and `PUT /v2/atsApplications?ids[i]...` (`batch_update`),
//! - `PUT /v2/atsApplications/<application key>/stages?ids=List(..)` (`batch_update`),
//!
//! plus [`Sim::synced`] and the hooks that make LinkedIn refuse records, with their `/_sim/sync`
//! control routes.
//!
//! A request that breaks a rule of the whole batch (more than [`MAX_SYNC_BATCH`] records, query
//! keys that are not the body's keys, a key that does not parse, malformed JSON, a missing or
//! wrong `x-restli-method`) is answered 400 and changes nothing. Otherwise every record is judged
//! on its own: 403 when its integration context is not the caller's organization, 400 naming the
//! field for each broken rule, or 400 with the message given to [`Sim::reject_sync_record`].
//!
//! A job is stored when its task completes: a task answers `IN_PROGRESS` to its first poll and its
//! outcome from the second poll on. Tasks that do not exist or belong to another organization are
//! left out of `results` and listed under `errors` with status 404.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use axum::{
    Json, Router,
    extract::{Query as QueryParams, State},
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::activity::{bad, list, required};
use crate::{ApiErr, Sim, percent_decode};

/// The most records one sync request may carry.
pub const MAX_SYNC_BATCH: usize = 100;
/// The most characters of a job title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The fields of an application; an update that leaves one out sets it to null.
pub const APPLICATION_FIELDS: [&str; 10] = [
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

const CANDIDATE_ID_FIELD: &str = "atsCandidateId";
const APPLICATION_ID_FIELD: &str = "atsJobApplicationId";
/// The stage text LinkedIn refuses (compared ignoring case and surrounding spaces).
const UNAVAILABLE_STAGE: &str = "Not Available";
const TASK_URN_PREFIX: &str = "urn:li:simpleJobPostingTask:";

type Query = HashMap<String, String>;

// ---------------------------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------------------------

/// What one organization (integration context) has synced, as LinkedIn holds it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    /// externalJobPostingId -> the element of the latest submission whose task succeeded.
    pub jobs: BTreeMap<String, Value>,
    /// atsCandidateId -> the entity as last accepted.
    pub candidates: BTreeMap<String, Value>,
    /// atsJobApplicationId -> the entity as last accepted, every field of
    /// [`APPLICATION_FIELDS`] it left out set to null.
    pub applications: BTreeMap<String, Value>,
    /// atsJobApplicationId -> stage id -> the stage as last accepted.
    pub stages: BTreeMap<String, BTreeMap<String, Value>>,
    /// `job:<id>`, `candidate:<id>`, `application:<id>`, `stage:<applicationId>:<stageId>` ->
    /// how many times LinkedIn accepted the record (for a job: how many of its tasks succeeded).
    pub writes: BTreeMap<String, u32>,
    /// The same keys -> when LinkedIn last accepted the record (epoch ms), for freshness.
    #[serde(default)]
    pub accepted_at: BTreeMap<String, i64>,
    /// Every request to a sync endpoint, in order of completion (injected faults and
    /// whole-request failures included).
    pub requests: Vec<SyncRequest>,
}

/// One request to a sync endpoint, as recorded in [`Synced::requests`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SyncRequest {
    /// `jobs`, `jobTasks`, `candidates`, `applications` or `stages`.
    pub kind: String,
    /// Records in the body (`elements` or `entities`); task ids for `jobTasks`; 0 when the body
    /// does not parse.
    pub records: usize,
    /// The HTTP status answered.
    pub status: u16,
    /// When the request arrived (epoch ms).
    pub at_ms: i64,
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

/// Sync state, part of the simulator's state.
#[derive(Default)]
pub(crate) struct SyncState {
    /// organization -> what it synced
    orgs: HashMap<String, Synced>,
    /// task URN -> task
    tasks: HashMap<String, JobTask>,
    /// Job submissions so far: numbers them so that the latest submission of a job wins.
    submissions: u64,
    /// (organization, job id) -> number of the submission stored in `Synced::jobs`
    stored_submission: HashMap<(String, String), u64>,
    /// (organization, job id) -> N of its `urn:li:jobPosting:N`
    postings: HashMap<(String, String), u64>,
    /// ATS id -> message: records refused with 400 (see [`Sim::reject_sync_record`]).
    rejections: HashMap<String, String>,
    /// job id -> message: its tasks end FAILED (see [`Sim::fail_job_task`]).
    task_failures: HashMap<String, String>,
}

/// A job submission LinkedIn is working on.
struct JobTask {
    organization: String,
    job_id: String,
    element: Value,
    submission: u64,
    polls: u32,
    /// Decided at the second poll, then answered unchanged.
    outcome: Option<TaskOutcome>,
}

/// How a task ended.
enum TaskOutcome {
    Succeeded { job_posting: String },
    Failed { message: String },
}

impl TaskOutcome {
    fn to_json(&self) -> Value {
        match self {
            TaskOutcome::Succeeded { job_posting } => {
                json!({ "status": "SUCCEEDED", "jobPosting": job_posting })
            }
            TaskOutcome::Failed { message } => json!({ "status": "FAILED", "message": message }),
        }
    }
}

impl SyncState {
    fn synced_mut(&mut self, organization: &str) -> &mut Synced {
        self.orgs.entry(organization.to_string()).or_default()
    }

    /// Starts a task for an accepted job element; returns its URN.
    fn create_task(&mut self, organization: &str, job_id: &str, element: Value) -> String {
        self.submissions += 1;
        let urn = format!("{TASK_URN_PREFIX}{}", uuid::Uuid::new_v4());
        self.tasks.insert(
            urn.clone(),
            JobTask {
                organization: organization.to_string(),
                job_id: job_id.to_string(),
                element,
                submission: self.submissions,
                polls: 0,
                outcome: None,
            },
        );
        urn
    }

    /// Answers one poll of a task of `organization`: `IN_PROGRESS` the first time, the outcome
    /// (decided now if need be) afterwards. `None` for a task it does not own.
    fn poll(&mut self, urn: &str, organization: &str) -> Option<Value> {
        let task = self
            .tasks
            .get_mut(urn)
            .filter(|t| t.organization == organization)?;
        task.polls = task.polls.saturating_add(1);
        if task.polls == 1 {
            return Some(json!({ "status": "IN_PROGRESS" }));
        }
        if let Some(outcome) = &task.outcome {
            return Some(outcome.to_json());
        }
        let (job_id, element, submission) =
            (task.job_id.clone(), task.element.clone(), task.submission);
        let outcome = self.complete(organization, &job_id, element, submission);
        let answer = outcome.to_json();
        if let Some(task) = self.tasks.get_mut(urn) {
            task.outcome = Some(outcome);
        }
        Some(answer)
    }

    /// Ends a task: FAILED when a failure is set for its job, else the job is stored (unless a
    /// later submission already is) and the task SUCCEEDED.
    fn complete(
        &mut self,
        organization: &str,
        job_id: &str,
        element: Value,
        submission: u64,
    ) -> TaskOutcome {
        if let Some(message) = self.task_failures.get(job_id) {
            return TaskOutcome::Failed {
                message: message.clone(),
            };
        }
        let job_key = (organization.to_string(), job_id.to_string());
        let stored = self.stored_submission.entry(job_key.clone()).or_default();
        let latest = submission >= *stored;
        if latest {
            *stored = submission;
        }
        let next_posting = self.postings.len() as u64 + 1;
        let posting = *self.postings.entry(job_key).or_insert(next_posting);
        let synced = self.synced_mut(organization);
        if latest {
            synced.jobs.insert(job_id.to_string(), element);
        }
        synced.count_write(format!("job:{job_id}"));
        TaskOutcome::Succeeded {
            job_posting: format!("urn:li:jobPosting:{posting}"),
        }
    }
}

impl Synced {
    fn count_write(&mut self, key: String) {
        self.accepted_at.insert(key.clone(), crate::now_ms());
        *self.writes.entry(key).or_default() += 1;
    }

    fn store_candidate(&mut self, id: &str, entity: Value) {
        self.candidates.insert(id.to_string(), entity);
        self.count_write(format!("candidate:{id}"));
    }

    /// Replaces the application; the fields the update left out become null, as at LinkedIn.
    fn store_application(&mut self, id: &str, mut entity: Value) {
        if let Some(fields) = entity.as_object_mut() {
            for field in APPLICATION_FIELDS {
                fields.entry(field).or_insert(Value::Null);
            }
        }
        self.applications.insert(id.to_string(), entity);
        self.count_write(format!("application:{id}"));
    }

    fn store_stage(&mut self, application_id: &str, stage_id: &str, entity: Value) {
        self.stages
            .entry(application_id.to_string())
            .or_default()
            .insert(stage_id.to_string(), entity);
        self.count_write(format!("stage:{application_id}:{stage_id}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Library API
// ---------------------------------------------------------------------------------------------

impl Sim {
    /// What `organization` (`urn:li:organization:N`) has synced; empty when nothing.
    pub fn synced(&self, organization: &str) -> Synced {
        self.state()
            .sync
            .orgs
            .get(organization)
            .cloned()
            .unwrap_or_default()
    }

    /// Forgets everything synced, for every organization: records, write counts, requests, job
    /// tasks, rejections and task failures (as if the integration were new).
    pub fn clear_synced(&self) {
        self.state().sync = SyncState::default();
    }

    /// From now on (until [`Sim::clear_sync_rejections`] or [`Sim::clear_synced`]), every
    /// record with this ATS id (`externalJobPostingId`, `atsCandidateId`,
    /// `atsJobApplicationId` or a stage id) that is otherwise valid is refused per record with
    /// status 400 and `message`.
    pub fn reject_sync_record(&self, id: &str, message: &str) {
        self.state()
            .sync
            .rejections
            .insert(id.to_string(), message.to_string());
    }

    /// Lifts every [`Sim::reject_sync_record`].
    pub fn clear_sync_rejections(&self) {
        self.state().sync.rejections.clear();
    }

    /// From now on (until [`Sim::clear_synced`]), every task of this `externalJobPostingId` that
    /// has not answered its outcome yet ends `FAILED` with `message`, and the job is not stored.
    pub fn fail_job_task(&self, job_id: &str, message: &str) {
        self.state()
            .sync
            .task_failures
            .insert(job_id.to_string(), message.to_string());
    }

    /// Adds a request to a sync endpoint to the `requests` of the caller's organization (known
    /// when the token, even an expired one, belongs to a registered application). Other requests
    /// are ignored.
    pub(crate) fn record_sync_request(
        &self,
        path: &str,
        query: &Query,
        body: &[u8],
        client_id: Option<&str>,
        status: u16,
        at_ms: i64,
    ) {
        let Some(kind) = request_kind(path) else {
            return;
        };
        let mut state = self.state();
        let Some(organization) = client_id
            .and_then(|id| state.apps.get(id))
            .map(|app| app.organization.clone())
        else {
            return;
        };
        let records = record_count(kind, query, body);
        state
            .sync
            .synced_mut(&organization)
            .requests
            .push(SyncRequest {
                kind: kind.to_string(),
                records,
                status,
                at_ms,
            });
    }
}

/// The [`SyncRequest::kind`] of a request path, `None` for other endpoints.
fn request_kind(path: &str) -> Option<&'static str> {
    match path.trim_end_matches('/') {
        "/v2/simpleJobPostings" => Some("jobs"),
        "/v2/simpleJobPostingTasks" => Some("jobTasks"),
        "/v2/atsCandidates" => Some("candidates"),
        "/v2/atsApplications" => Some("applications"),
        p if stages_segment(p).is_some() => Some("stages"),
        _ => None,
    }
}

/// How many records a request carries, counted leniently (0 when the body does not parse).
fn record_count(kind: &str, query: &Query, body: &[u8]) -> usize {
    if kind == "jobTasks" {
        return query.get("ids").map_or(0, |ids| list(ids).len());
    }
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return 0;
    };
    match kind {
        "jobs" => body
            .get("elements")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        _ => body
            .get("entities")
            .and_then(Value::as_object)
            .map_or(0, Map::len),
    }
}

// ---------------------------------------------------------------------------------------------
// Whole-request rules
// ---------------------------------------------------------------------------------------------

fn too_many(records: usize) -> ApiErr {
    bad(format!(
        "A batch holds at most {MAX_SYNC_BATCH} records, got {records}"
    ))
}

/// The body as JSON, or a whole-request 400.
fn json_body(body: &[u8]) -> Result<Value, ApiErr> {
    serde_json::from_slice(body).map_err(|e| bad(format!("Malformed JSON body: {e}")))
}

/// The `elements` of a batch_create body (at most [`MAX_SYNC_BATCH`]).
fn elements(body: &[u8]) -> Result<Vec<Value>, ApiErr> {
    let Value::Array(elements) = json_body(body)?
        .get_mut("elements")
        .map(Value::take)
        .unwrap_or_default()
    else {
        return Err(bad("The body must be {\"elements\": [...]}"));
    };
    if elements.len() > MAX_SYNC_BATCH {
        return Err(too_many(elements.len()));
    }
    Ok(elements)
}

/// The `entities` of a batch_update body (at most [`MAX_SYNC_BATCH`]), by key as spelt.
fn entities(body: &[u8]) -> Result<Map<String, Value>, ApiErr> {
    let Value::Object(entities) = json_body(body)?
        .get_mut("entities")
        .map(Value::take)
        .unwrap_or_default()
    else {
        return Err(bad("The body must be {\"entities\": {\"<key>\": {...}}}"));
    };
    if entities.len() > MAX_SYNC_BATCH {
        return Err(too_many(entities.len()));
    }
    Ok(entities)
}

/// The set of keys in the query must be the set of keys in the body.
fn same_keys<T: Ord + fmt::Display>(
    in_query: &BTreeSet<T>,
    in_body: &BTreeSet<T>,
) -> Result<(), ApiErr> {
    if in_query == in_body {
        return Ok(());
    }
    let show = |keys: Vec<&T>| {
        keys.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(bad(format!(
        "The ids in the query must be the keys of the body; only in the query: [{}]; \
         only in the body: [{}]",
        show(in_query.difference(in_body).collect()),
        show(in_body.difference(in_query).collect()),
    )))
}

/// An ATS id as the wire details allow it: `A-Z a-z 0-9 - _ .`, so that no escaping is needed.
fn is_ats_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn check_ats_id(field: &str, id: &str) -> Result<(), String> {
    if is_ats_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{field} {id:?} must be one or more of A-Z a-z 0-9 - _ ."
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Record keys
// ---------------------------------------------------------------------------------------------

/// A candidate's or application's Rest.li compound key, decoded (`dataProvider` is always ATS).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RecordKey {
    id: String,
    organization: String,
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {}", self.id, self.organization)
    }
}

impl RecordKey {
    /// Parses the spelling used in bodies and paths:
    /// `(<idField>:<id>,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3AN)`,
    /// fields in any order, values percent-encoded (a raw `:` in a value is refused).
    fn parse(text: &str, id_field: &str) -> Result<RecordKey, String> {
        let inner = text
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .ok_or_else(|| {
                format!(
                    "key {text:?} is not a compound key \
                     ({id_field}:..,dataProvider:ATS,integrationContext:..)"
                )
            })?;
        let mut fields = BTreeMap::new();
        for part in inner.split(',') {
            let (name, raw) = part
                .split_once(':')
                .ok_or_else(|| format!("{part:?} in key {text:?} is not <field>:<value>"))?;
            if raw.contains(':') {
                return Err(format!(
                    "the value of {name} in key {text:?} must have its colons percent-encoded (%3A)"
                ));
            }
            if fields
                .insert(name.to_string(), percent_decode(raw.as_bytes()))
                .is_some()
            {
                return Err(format!("key {text:?} names {name} twice"));
            }
        }
        RecordKey::from_fields(&fields, id_field).map_err(|e| format!("key {text:?}: {e}"))
    }

    /// A key from its decoded fields: exactly `id_field`, `dataProvider` (ATS) and
    /// `integrationContext`.
    fn from_fields(fields: &BTreeMap<String, String>, id_field: &str) -> Result<RecordKey, String> {
        let allowed = [id_field, "dataProvider", "integrationContext"];
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "unknown key field {unknown} (expected {})",
                allowed.join(", ")
            ));
        }
        let id = fields
            .get(id_field)
            .ok_or_else(|| format!("{id_field} is missing"))?;
        check_ats_id(id_field, id)?;
        match fields.get("dataProvider").map(String::as_str) {
            Some("ATS") => {}
            Some(other) => return Err(format!("dataProvider must be ATS, got {other:?}")),
            None => return Err("dataProvider is missing".to_string()),
        }
        let organization = fields
            .get("integrationContext")
            .filter(|o| !o.is_empty())
            .ok_or_else(|| "integrationContext is missing".to_string())?;
        Ok(RecordKey {
            id: id.clone(),
            organization: organization.clone(),
        })
    }
}

/// The keys of a batch_update query, `ids[i].<idField>=..&ids[i].dataProvider=ATS&
/// ids[i].integrationContext=..` (values already URL-decoded); at most [`MAX_SYNC_BATCH`].
fn query_keys(query: &Query, id_field: &str) -> Result<BTreeSet<RecordKey>, ApiErr> {
    let mut by_index: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for (name, value) in query {
        let Some(rest) = name.strip_prefix("ids[") else {
            continue;
        };
        let (index, field) = rest
            .split_once("].")
            .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
            .ok_or_else(|| bad(format!("Query parameter {name} is not ids[<n>].<field>")))?;
        by_index
            .entry(index)
            .or_default()
            .insert(field.to_string(), value.clone());
    }
    if by_index.len() > MAX_SYNC_BATCH {
        return Err(too_many(by_index.len()));
    }
    by_index
        .iter()
        .map(|(i, fields)| {
            RecordKey::from_fields(fields, id_field).map_err(|e| bad(format!("ids[{i}]: {e}")))
        })
        .collect()
}

/// The items of `ids=List(a,b)`, each URL-decoded once more (Rest.li encodes list items; an item
/// that was not encoded decodes to itself); at most [`MAX_SYNC_BATCH`].
fn list_ids(query: &Query) -> Result<Vec<String>, ApiErr> {
    let ids: Vec<String> = list(required(query, "ids")?)
        .iter()
        .map(|id| percent_decode(id.as_bytes()))
        .collect();
    if ids.len() > MAX_SYNC_BATCH {
        return Err(too_many(ids.len()));
    }
    Ok(ids)
}

/// The application key segment of `/v2/atsApplications/<key>/stages`.
fn stages_segment(path: &str) -> Option<&str> {
    path.strip_prefix("/v2/atsApplications/")?
        .strip_suffix("/stages")
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

/// The application a stages path names. The key arrives as the body's key string, or
/// percent-encoded once more (then it does not start with `(`).
fn stages_application(path: &str) -> Result<RecordKey, ApiErr> {
    let segment = stages_segment(path)
        .ok_or_else(|| bad(format!("{path} is not /v2/atsApplications/<key>/stages")))?;
    let key = if segment.starts_with('(') {
        segment.to_string()
    } else {
        percent_decode(segment.as_bytes())
    };
    RecordKey::parse(&key, APPLICATION_ID_FIELD)
        .map_err(|e| bad(format!("The application in the path: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Record rules
// ---------------------------------------------------------------------------------------------

/// Why one record of a batch is refused.
struct Refusal {
    status: u16,
    message: String,
}

impl Refusal {
    fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            message: message.into(),
        }
    }

    fn to_json(&self) -> Value {
        json!({ "status": self.status, "message": self.message })
    }
}

/// Judges one record: 403 when it names another organization than the caller's, 400 listing
/// every broken rule, 400 with the message of a rejection set for it; else accepted.
fn judge(
    organization: Option<&str>,
    caller: &str,
    problems: Vec<String>,
    rejection: Option<&String>,
) -> Result<(), Refusal> {
    if let Some(other) = organization.filter(|o| *o != caller) {
        return Err(Refusal {
            status: 403,
            message: format!(
                "integrationContext {other} is not the organization of the calling \
                 application ({caller})"
            ),
        });
    }
    if !problems.is_empty() {
        return Err(Refusal::invalid(problems.join("; ")));
    }
    match rejection {
        Some(message) => Err(Refusal::invalid(message.clone())),
        None => Ok(()),
    }
}

/// Checks the fields of one entity, collecting a message naming the field for each broken rule.
/// A field that is null counts as absent.
struct Check<'a> {
    fields: &'a Map<String, Value>,
    problems: Vec<String>,
}

impl<'a> Check<'a> {
    /// A check of `entity`, or the one problem that it is not a JSON object.
    fn of(entity: &'a Value) -> Result<Check<'a>, Vec<String>> {
        match entity {
            Value::Object(fields) => Ok(Check {
                fields,
                problems: Vec::new(),
            }),
            _ => Err(vec!["the record must be a JSON object".to_string()]),
        }
    }

    fn problem(&mut self, message: String) {
        self.problems.push(message);
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }

    fn required(&mut self, name: &str) -> Option<&'a Value> {
        let value = self.present(name);
        if value.is_none() {
            self.problem(format!("{name} is required"));
        }
        value
    }

    fn text(&mut self, name: &str, value: &'a Value) -> Option<&'a str> {
        let text = value.as_str();
        if text.is_none() {
            self.problem(format!("{name} must be a string"));
        }
        text
    }

    /// A required string with something besides spaces.
    fn required_text(&mut self, name: &str) -> Option<&'a str> {
        let text = self.required(name).and_then(|v| self.text(name, v))?;
        if text.trim().is_empty() {
            self.problem(format!("{name} must not be empty"));
            return None;
        }
        Some(text)
    }

    /// An optional string; `None` when absent, null or not a string.
    fn optional_text(&mut self, name: &str) -> Option<&'a str> {
        self.present(name).and_then(|v| self.text(name, v))
    }

    /// A required epoch-ms integer > 0.
    fn required_ms(&mut self, name: &str) -> Option<i64> {
        let value = self.required(name)?;
        match value.as_i64() {
            Some(ms) if ms > 0 => Some(ms),
            _ => {
                self.problem(format!("{name} must be epoch ms > 0, got {value}"));
                None
            }
        }
    }

    /// `later` is not before `earlier` (both read already; skipped when one is missing).
    fn not_before(&mut self, later: (&str, Option<i64>), earlier: (&str, Option<i64>)) {
        if let ((later_name, Some(l)), (earlier_name, Some(e))) = (later, earlier)
            && l < e
        {
            self.problem(format!(
                "{later_name} ({l}) must not be before {earlier_name} ({e})"
            ));
        }
    }

    fn array(&mut self, name: &str, value: &'a Value) -> Option<&'a Vec<Value>> {
        let array = value.as_array();
        if array.is_none() {
            self.problem(format!("{name} must be an array"));
        }
        array
    }

    /// A required array, possibly empty.
    fn required_array(&mut self, name: &str) -> Option<&'a Vec<Value>> {
        self.required(name).and_then(|v| self.array(name, v))
    }

    fn optional_array(&mut self, name: &str) -> Option<&'a Vec<Value>> {
        self.present(name).and_then(|v| self.array(name, v))
    }

    fn optional_bool(&mut self, name: &str) {
        if self.present(name).is_some_and(|v| !v.is_boolean()) {
            self.problem(format!("{name} must be true or false"));
        }
    }

    fn one_of(&mut self, name: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.problem(format!(
                "{name} must be one of {}, got {value:?}",
                allowed.join(", ")
            ));
        }
    }

    fn email(&mut self, name: &str, value: &str) {
        if !looks_like_email(value) {
            self.problem(format!("{name} {value:?} is not an email address (X@X.X)"));
        }
    }

    fn into_problems(self) -> Vec<String> {
        self.problems
    }
}

/// `X@X.X`: something, `@`, something, `.`, something; no spaces, one `@`.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let dotted = domain
        .rsplit_once('.')
        .is_some_and(|(host, top)| !host.is_empty() && !top.is_empty());
    !local.is_empty() && dotted && !domain.contains('@') && !s.chars().any(char::is_whitespace)
}

/// `http://..` or `https://..`, without spaces.
fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
}

/// The rules of a `simpleJobPostings` element.
fn job_problems(element: &Value) -> Vec<String> {
    let mut c = match Check::of(element) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_text("integrationContext");
    c.required_text("externalJobPostingId");
    if let Some(title) = c.required_text("title") {
        let chars = title.chars().count();
        if chars > MAX_TITLE_CHARS {
            c.problem(format!(
                "title must be at most {MAX_TITLE_CHARS} characters, got {chars}"
            ));
        }
    }
    c.required_text("description");
    let location = c.optional_text("location").filter(|l| !l.trim().is_empty());
    let country = c
        .optional_text("countryCode")
        .filter(|s| !s.trim().is_empty());
    let postal = c
        .optional_text("postalCode")
        .filter(|s| !s.trim().is_empty());
    if location.is_none() && (country.is_none() || postal.is_none()) {
        c.problem("location is required unless countryCode and postalCode are both given".into());
    }
    if let Some(state) = c.required_text("state") {
        c.one_of("state", state, &["LISTED", "CLOSED"]);
    }
    c.required_ms("listedAt");
    if let Some(url) = c.optional_text("companyApplyUrl")
        && !is_http_url(url)
    {
        c.problem(format!(
            "companyApplyUrl must be an http(s):// URL, got {url:?}"
        ));
    }
    if let Some(availability) = c.optional_text("availability") {
        c.one_of("availability", availability, &["PUBLIC", "INTERNAL"]);
    }
    c.into_problems()
}

/// The rules of an `atsCandidates` entity.
fn candidate_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    let created = c.required_ms("atsCreatedAt");
    let modified = c.required_ms("atsLastModifiedAt");
    c.not_before(("atsLastModifiedAt", modified), ("atsCreatedAt", created));
    c.required_text("firstName");
    c.optional_text("lastName");
    if let Some(emails) = c.optional_array("emailAddresses") {
        for (i, email) in emails.iter().enumerate() {
            let name = format!("emailAddresses[{i}]");
            if let Some(email) = c.text(&name, email) {
                c.email(&name, email);
            }
        }
    }
    if let Some(phones) = c.required_array("phoneNumbers") {
        for (i, phone) in phones.iter().enumerate() {
            phone_problems(&mut c, i, phone);
        }
    }
    c.required_array("addresses");
    for name in [
        "currentCompanyName",
        "currentJobTitle",
        "externalProfileUrl",
        "linkedInProfileUrl",
    ] {
        c.optional_text(name);
    }
    c.optional_bool("doNotContact");
    c.into_problems()
}

/// `phoneNumbers[i]` must be `{"number": "..", "type": "MOBILE"|"WORK"|"HOME"|"OTHER"}`.
fn phone_problems(c: &mut Check<'_>, i: usize, phone: &Value) {
    let name = format!("phoneNumbers[{i}]");
    let number = phone.get("number").and_then(Value::as_str);
    if number.is_none_or(|n| n.trim().is_empty()) {
        c.problem(format!("{name}.number is required (a non-empty string)"));
    }
    match phone.get("type").and_then(Value::as_str) {
        Some(kind) => c.one_of(
            &format!("{name}.type"),
            kind,
            &["MOBILE", "WORK", "HOME", "OTHER"],
        ),
        None => c.problem(format!(
            "{name}.type is required (MOBILE, WORK, HOME or OTHER)"
        )),
    }
}

/// The rules of an `atsApplications` entity.
fn application_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_text("atsCandidateId");
    c.required_text("atsJobPostingId");
    let created = c.required_ms("atsCreatedAt");
    let modified = c.required_ms("atsLastModifiedAt");
    c.not_before(("atsLastModifiedAt", modified), ("atsCreatedAt", created));
    if let Some(email) = c.optional_text("candidateEmail") {
        c.email("candidateEmail", email);
    }
    for name in [
        "atsJobPostingName",
        "firstName",
        "lastName",
        "source",
        "dispositionReason",
    ] {
        c.optional_text(name);
    }
    c.into_problems()
}

/// The rules of a stage entity.
fn stage_problems(entity: &Value) -> Vec<String> {
    let mut c = match Check::of(entity) {
        Ok(c) => c,
        Err(problems) => return problems,
    };
    c.required_ms("atsCreatedAt");
    if let Some(stage) = c.required_text("stage")
        && stage.trim().eq_ignore_ascii_case(UNAVAILABLE_STAGE)
    {
        c.problem(format!(
            "stage {stage:?} is not accepted; name the actual stage"
        ));
    }
    c.into_problems()
}

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

/// The per-record answer of a batch_update:
/// `{"results": {"<key>": {"status": 204}}, "errors": {"<key>": {"status", "message"}}}`.
#[derive(Default)]
struct BatchAnswer {
    results: Map<String, Value>,
    errors: Map<String, Value>,
}

impl BatchAnswer {
    fn record(&mut self, key: String, verdict: Result<(), Refusal>) {
        match verdict {
            Ok(()) => {
                self.results.insert(key, json!({ "status": 204 }));
            }
            Err(refusal) => {
                self.errors.insert(key, refusal.to_json());
            }
        }
    }

    fn into_response(self) -> Response {
        Json(json!({ "results": self.results, "errors": self.errors })).into_response()
    }
}

/// Records addressed by a compound key in the query and the body.
#[derive(Clone, Copy)]
enum Keyed {
    Candidate,
    Application,
}

impl Keyed {
    fn id_field(self) -> &'static str {
        match self {
            Keyed::Candidate => CANDIDATE_ID_FIELD,
            Keyed::Application => APPLICATION_ID_FIELD,
        }
    }

    fn problems(self, entity: &Value) -> Vec<String> {
        match self {
            Keyed::Candidate => candidate_problems(entity),
            Keyed::Application => application_problems(entity),
        }
    }

    fn store(self, synced: &mut Synced, id: &str, entity: Value) {
        match self {
            Keyed::Candidate => synced.store_candidate(id, entity),
            Keyed::Application => synced.store_application(id, entity),
        }
    }
}

impl Sim {
    /// The calling application's organization, once the HTTP method, the token and the
    /// `x-restli-method` header are right (405, 401, 400 otherwise).
    fn sync_caller(
        &self,
        method: &Method,
        expected_method: Method,
        headers: &HeaderMap,
        restli_method: &str,
    ) -> Result<String, ApiErr> {
        if *method != expected_method {
            return Err(ApiErr::new(405, 0, format!("Method {method} not allowed")));
        }
        let client_id = self.authenticate(headers)?;
        let organization = self
            .state()
            .apps
            .get(&client_id)
            .map(|app| app.organization.clone())
            .ok_or_else(|| ApiErr::new(401, crate::CODE_INVALID_TOKEN, "Unknown application"))?;
        match headers.get("x-restli-method").map(|v| v.to_str()) {
            Some(Ok(found)) if found.eq_ignore_ascii_case(restli_method) => Ok(organization),
            Some(found) => Err(bad(format!(
                "x-restli-method must be {restli_method}, got {:?}",
                found.unwrap_or("<not text>")
            ))),
            None => Err(bad(format!(
                "Missing header x-restli-method (expected {restli_method})"
            ))),
        }
    }

    pub(crate) fn simple_job_postings(
        &self,
        method: &Method,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        self.try_simple_job_postings(method, headers, body)
            .unwrap_or_else(IntoResponse::into_response)
    }

    /// One answer per element, in order: 202 with a task URN, or the refusal.
    fn try_simple_job_postings(
        &self,
        method: &Method,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Response, ApiErr> {
        let caller = self.sync_caller(method, Method::POST, headers, "batch_create")?;
        let elements = elements(body)?;
        let mut state = self.state();
        let sync = &mut state.sync;
        let answers: Vec<Value> = elements
            .into_iter()
            .map(|element| {
                let text = |name: &str| element.get(name).and_then(Value::as_str);
                let job_id = text("externalJobPostingId").map(str::to_string);
                let verdict = judge(
                    text("integrationContext"),
                    &caller,
                    job_problems(&element),
                    job_id.as_ref().and_then(|id| sync.rejections.get(id)),
                )
                .and_then(|()| {
                    job_id.ok_or_else(|| Refusal::invalid("externalJobPostingId is required"))
                });
                match verdict {
                    Ok(job_id) => {
                        let task = sync.create_task(&caller, &job_id, element);
                        json!({ "status": 202, "id": task })
                    }
                    Err(refusal) => refusal.to_json(),
                }
            })
            .collect();
        drop(state);
        Ok(Json(json!({ "elements": answers })).into_response())
    }

    pub(crate) fn simple_job_posting_tasks(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Response {
        self.try_simple_job_posting_tasks(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    /// Polls each task: `{"results": {urn: state}, "errors": {urn: {"status": 404, ..}}}`.
    fn try_simple_job_posting_tasks(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
    ) -> Result<Response, ApiErr> {
        let caller = self.sync_caller(method, Method::GET, headers, "batch_get")?;
        let ids = list_ids(query)?;
        let mut results = Map::new();
        let mut errors = Map::new();
        let mut state = self.state();
        for id in ids {
            match state.sync.poll(&id, &caller) {
                Some(answer) => {
                    results.insert(id, answer);
                }
                None => {
                    let message = format!("No task {id}");
                    errors.insert(id, json!({ "status": 404, "message": message }));
                }
            }
        }
        drop(state);
        Ok(Json(json!({ "results": results, "errors": errors })).into_response())
    }

    pub(crate) fn ats_candidates(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
        body: &[u8],
    ) -> Response {
        self.try_update_keyed(Keyed::Candidate, method, headers, query, body)
            .unwrap_or_else(IntoResponse::into_response)
    }

    pub(crate) fn ats_applications(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
        body: &[u8],
    ) -> Response {
        self.try_update_keyed(Keyed::Application, method, headers, query, body)
            .unwrap_or_else(IntoResponse::into_response)
    }

    /// batch_update of candidates or applications; the answer is keyed by the body's keys.
    fn try_update_keyed(
        &self,
        kind: Keyed,
        method: &Method,
        headers: &HeaderMap,
        query: &Query,
        body: &[u8],
    ) -> Result<Response, ApiErr> {
        let caller = self.sync_caller(method, Method::PUT, headers, "batch_update")?;
        let entities = entities(body)?;
        let records = entities
            .into_iter()
            .map(|(spelled, entity)| {
                let key = RecordKey::parse(&spelled, kind.id_field()).map_err(bad)?;
                Ok((spelled, key, entity))
            })
            .collect::<Result<Vec<_>, ApiErr>>()?;
        let in_body: BTreeSet<RecordKey> = records.iter().map(|(_, k, _)| k.clone()).collect();
        same_keys(&query_keys(query, kind.id_field())?, &in_body)?;

        let mut answer = BatchAnswer::default();
        let mut state = self.state();
        let sync = &mut state.sync;
        for (spelled, key, entity) in records {
            let verdict = judge(
                Some(&key.organization),
                &caller,
                kind.problems(&entity),
                sync.rejections.get(&key.id),
            );
            if verdict.is_ok() {
                kind.store(sync.synced_mut(&caller), &key.id, entity);
            }
            answer.record(spelled, verdict);
        }
        drop(state);
        Ok(answer.into_response())
    }

    pub(crate) fn ats_application_stages(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        query: &Query,
        body: &[u8],
    ) -> Response {
        self.try_ats_application_stages(method, path, headers, query, body)
            .unwrap_or_else(IntoResponse::into_response)
    }

    /// batch_update of the stages of the application in the path, keyed by stage id.
    fn try_ats_application_stages(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        query: &Query,
        body: &[u8],
    ) -> Result<Response, ApiErr> {
        let caller = self.sync_caller(method, Method::PUT, headers, "batch_update")?;
        let application = stages_application(path)?;
        let entities = entities(body)?;
        for stage_id in entities.keys() {
            check_ats_id("stage id", stage_id).map_err(bad)?;
        }
        let in_query: BTreeSet<String> = list_ids(query)?.into_iter().collect();
        let in_body: BTreeSet<String> = entities.keys().cloned().collect();
        same_keys(&in_query, &in_body)?;

        let mut answer = BatchAnswer::default();
        let mut state = self.state();
        let sync = &mut state.sync;
        for (stage_id, entity) in entities {
            let verdict = judge(
                Some(&application.organization),
                &caller,
                stage_problems(&entity),
                sync.rejections.get(&stage_id),
            );
            if verdict.is_ok() {
                sync.synced_mut(&caller)
                    .store_stage(&application.id, &stage_id, entity);
            }
            answer.record(stage_id, verdict);
        }
        drop(state);
        Ok(answer.into_response())
    }
}

/// Whether a (trimmed) path is a stages path, for routing.
pub(crate) fn is_stages_path(path: &str) -> bool {
    stages_segment(path).is_some()
}

// ---------------------------------------------------------------------------------------------
// Control routes
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct OrganizationParam {
    organization: String,
}

/// `{"id": "..", "message": ".."}`
#[derive(Deserialize)]
struct IdMessage {
    id: String,
    message: String,
}

/// `/_sim` routes of the sync (JSON, camelCase):
/// `GET /_sim/sync?organization=urn:li:organization:N` (→ [`Synced`]),
/// `DELETE /_sim/sync` ([`Sim::clear_synced`]),
/// `POST /_sim/sync/rejections` `{"id","message"}` ([`Sim::reject_sync_record`]),
/// `DELETE /_sim/sync/rejections` ([`Sim::clear_sync_rejections`]),
/// `POST /_sim/sync/task-failures` `{"id","message"}` ([`Sim::fail_job_task`]).
pub(crate) fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/_sim/sync",
            get(
                |State(sim): State<Sim>, params: QueryParams<OrganizationParam>| async move {
                    Json(sim.synced(&params.organization))
                },
            )
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_synced();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/sync/rejections",
            post(
                |State(sim): State<Sim>, Json(b): Json<IdMessage>| async move {
                    sim.reject_sync_record(&b.id, &b.message);
                    StatusCode::NO_CONTENT
                },
            )
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_sync_rejections();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/sync/task-failures",
            post(
                |State(sim): State<Sim>, Json(b): Json<IdMessage>| async move {
                    sim.fail_job_task(&b.id, &b.message);
                    StatusCode::NO_CONTENT
                },
            ),
        )
}

#[cfg(test)]
mod tests;
