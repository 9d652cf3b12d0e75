//! ATS → LinkedIn sync (the Middleware integration; linkedin-rsc.md "ATS → LinkedIn sync"):
//!
//! - `POST /v2/simpleJobPostings` (`batch_create`) and `GET /v2/simpleJobPostingTasks?ids=<task>`
//!   (batch get), in [`jobs`];
//! - `PUT|POST|GET|DELETE /v2/atsCandidates?ids[i]...` (`batch_update` of candidates,
//!   `batch_partial_update` attaching a member, batch get, batch delete), in [`candidates`];
//! - `PUT|DELETE /v2/atsApplications?ids[i]...` and
//!   `PUT|DELETE /v2/atsApplications/<key>/stages?ids=S1&ids=S2`, in [`applications`];
//! - `PUT|DELETE /v2/atsCandidates/<key>/notes`, `/v2/atsApplications/<key>/notes` and
//!   `/v2/atsApplications/<key>/interviewFeedback` (`?ids=N1&ids=N2`), in [`notes`];
//! - `PUT|DELETE|GET /v2/atsEntityAcls` and `/v2/atsEntityAclAssignees` (`batch_update`, batch
//!   delete, `q=criteria` finders), in [`acls`];
//!
//! plus [`Sim::synced`] and the hooks that make LinkedIn refuse records.
//!
//! A request that breaks a rule of the whole batch (more than [`MAX_SYNC_BATCH`] records, query
//! keys that are not the body's keys, a key that does not parse, Rest.li 2.0 syntax, malformed
//! JSON, a missing or wrong `x-restli-method`) is answered 400 and changes nothing. Otherwise every
//! record is judged on its own: 403 when its integration context is not the caller's
//! organization, 400 naming the field for each broken rule (see [`rules`]), or 400 with the
//! message given to [`Sim::reject_sync_record`]. Answers are keyed by the 1.0 key string
//! `<idField>=..&dataProvider=ATS&integrationContext=..` (stages, notes and feedback by their id;
//! ACLs and assignees by their five key fields).
//!
//! Batch deletes (the collection's Module 4 and 5: no method header, no body) answer per record in
//! the same `{"results", "errors"}` shape: 204 for a record removed, 404 under `errors` for one
//! LinkedIn does not hold, 403 for another organization's. Deleting a candidate removes its
//! attached member only, and deleting an application leaves its stages, notes and feedback: the
//! collection deletes each with a call of its own, and whether LinkedIn cascades is unverified.
//! Jobs have no delete (a job leaves LinkedIn by being CLOSED). [`Synced::leftovers`] lists what
//! an organization still has besides its jobs.
//!
//! A job is stored when its task completes: a task answers `IN_PROGRESS` to its first poll and its
//! outcome from the second poll on. Tasks that do not exist or belong to another organization are
//! left out of `results` and listed under `errors` with status 404.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Sim;
use crate::restli::{Query, values};
use crate::state::now_ms;

pub(crate) mod acls;
pub(crate) mod applications;
pub(crate) mod candidates;
pub(crate) mod jobs;
mod keys;
pub(crate) mod notes;
mod records;
mod rules;

/// The most records one sync request may carry (doc).
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

pub(crate) const CANDIDATE_ID_FIELD: &str = "atsCandidateId";
pub(crate) const APPLICATION_ID_FIELD: &str = "atsJobApplicationId";
/// The stage text LinkedIn refuses (compared ignoring case and surrounding spaces).
pub(crate) const UNAVAILABLE_STAGE: &str = "Not Available";

/// What one organization (integration context) has synced, as LinkedIn holds it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    /// externalJobPostingId -> the element of the latest submission whose task succeeded (or
    /// was PROCESSED without an error code).
    pub jobs: BTreeMap<String, Value>,
    /// atsCandidateId -> the entity as last accepted.
    pub candidates: BTreeMap<String, Value>,
    /// atsJobApplicationId -> the entity as last accepted, every field of
    /// [`APPLICATION_FIELDS`] it left out set to null.
    pub applications: BTreeMap<String, Value>,
    /// atsJobApplicationId -> stage id -> the stage as last accepted.
    pub stages: BTreeMap<String, BTreeMap<String, Value>>,
    /// atsCandidateId -> `urn:li:person:X` attached by `manualMatchedMember`.
    #[serde(default)]
    pub matched_members: BTreeMap<String, String>,
    /// `candidate:<atsCandidateId>` or `application:<atsJobApplicationId>` -> note id -> the note
    /// as last accepted.
    #[serde(default)]
    pub notes: BTreeMap<String, BTreeMap<String, Value>>,
    /// atsJobApplicationId -> feedback id -> the interview feedback as last accepted.
    #[serde(default)]
    pub interview_feedback: BTreeMap<String, BTreeMap<String, Value>>,
    /// atsEntityAclId -> the jobs (`atsEntityId` of type `JOB_POSTING`) the ACL secures. An ACL
    /// securing nothing is not listed.
    #[serde(default)]
    pub acls: BTreeMap<String, BTreeSet<String>>,
    /// atsEntityAclId -> the members (`urn:li:person:X`) assigned to the ACL for job postings.
    /// An ACL without assignees is not listed.
    #[serde(default)]
    pub acl_assignees: BTreeMap<String, BTreeSet<String>>,
    /// `job:<id>`, `candidate:<id>`, `application:<id>`, `stage:<applicationId>:<stageId>`,
    /// `member:<candidateId>`, `note:candidate:<id>:<noteId>`,
    /// `note:application:<id>:<noteId>`, `feedback:<applicationId>:<id>`,
    /// `acl:<aclId>:<jobId>`, `assignee:<aclId>:<member>` -> how many times LinkedIn accepted
    /// the record (for a job: how many of its tasks succeeded).
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
    /// `jobs`, `jobTasks`, `candidates`, `candidateMembers` (attach member), `applications`,
    /// `stages`, `candidateNotes`, `applicationNotes`, `interviewFeedback`, `entityAcls`,
    /// `aclAssignees`, or the deletes `candidateDeletes`, `applicationDeletes`, `stageDeletes`,
    /// `candidateNoteDeletes`, `applicationNoteDeletes`, `interviewFeedbackDeletes`,
    /// `entityAclDeletes`, `aclAssigneeDeletes`. Reads (batch gets, finders) are not listed,
    /// but for `jobTasks`.
    pub kind: String,
    /// Records in the body (`elements` or `entities`); ids in the query for `jobTasks` and
    /// deletes; 0 when the body does not parse.
    pub records: usize,
    /// The HTTP status answered.
    pub status: u16,
    /// When the request arrived (epoch ms).
    pub at_ms: i64,
}

impl Synced {
    pub(crate) fn count_write(&mut self, key: String) {
        self.accepted_at.insert(key.clone(), now_ms());
        *self.writes.entry(key).or_default() += 1;
    }

    /// Every record still held besides jobs (which the API cannot delete), in the spelling of
    /// [`Synced::writes`] keys: `candidate:<id>`, `member:<candidateId>`, `application:<id>`,
    /// `stage:<applicationId>:<stageId>`, `note:candidate:<id>:<noteId>`,
    /// `note:application:<id>:<noteId>`, `feedback:<applicationId>:<id>`,
    /// `acl:<aclId>:<jobId>`, `assignee:<aclId>:<member>`. Empty once a customer's data is
    /// deleted.
    pub fn leftovers(&self) -> Vec<String> {
        let mut left: Vec<String> = Vec::new();
        left.extend(self.candidates.keys().map(|id| format!("candidate:{id}")));
        left.extend(self.matched_members.keys().map(|id| format!("member:{id}")));
        left.extend(
            self.applications
                .keys()
                .map(|id| format!("application:{id}")),
        );
        let nested = |prefix: &str, map: &BTreeMap<String, BTreeMap<String, Value>>| {
            map.iter()
                .flat_map(|(owner, records)| {
                    records
                        .keys()
                        .map(move |id| format!("{prefix}{owner}:{id}"))
                })
                .collect::<Vec<_>>()
        };
        left.extend(nested("stage:", &self.stages));
        left.extend(nested("note:", &self.notes));
        left.extend(nested("feedback:", &self.interview_feedback));
        let sets = |prefix: &str, map: &BTreeMap<String, BTreeSet<String>>| {
            map.iter()
                .flat_map(|(acl, held)| held.iter().map(move |t| format!("{prefix}{acl}:{t}")))
                .collect::<Vec<_>>()
        };
        left.extend(sets("acl:", &self.acls));
        left.extend(sets("assignee:", &self.acl_assignees));
        left
    }
}

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
    /// tasks, rejections and task endings (as if the integration were new).
    pub fn clear_synced(&self) {
        self.state().sync = SyncState::default();
    }

    /// From now on (until [`Sim::clear_sync_rejections`] or [`Sim::clear_synced`]), every
    /// record with this ATS id (`externalJobPostingId`, `atsCandidateId`,
    /// `atsJobApplicationId`, a stage, note or feedback id, or an `atsEntityAclId`) that is
    /// otherwise valid is refused per record with status 400 and `message`.
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

    /// Adds a request to a sync endpoint to the `requests` of the caller's organization (known
    /// when the token, even an expired one, belongs to a registered application). Other requests
    /// are ignored.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record_sync_request(
        &self,
        method: &str,
        path: &str,
        query: &Query,
        body: &[u8],
        client_id: Option<&str>,
        status: u16,
        at_ms: i64,
    ) {
        let Some(kind) = request_kind(method, path) else {
            return;
        };
        let mut state = self.state();
        let Some(organization) = client_id.and_then(|id| state.organization_of(id)) else {
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

/// The [`SyncRequest::kind`] of a request, `None` for reads and other endpoints.
fn request_kind(method: &str, path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let sub = |resource: &str, tail: &str| {
        path.starts_with(&format!("/v2/{resource}/")) && path.ends_with(tail)
    };
    let stages = sub("atsApplications", "/stages");
    Some(match (method, path) {
        ("PUT", _) if sub("atsCandidates", "/notes") => "candidateNotes",
        ("DELETE", _) if sub("atsCandidates", "/notes") => "candidateNoteDeletes",
        ("PUT", _) if sub("atsApplications", "/notes") => "applicationNotes",
        ("DELETE", _) if sub("atsApplications", "/notes") => "applicationNoteDeletes",
        ("PUT", _) if sub("atsApplications", "/interviewFeedback") => "interviewFeedback",
        ("DELETE", _) if sub("atsApplications", "/interviewFeedback") => "interviewFeedbackDeletes",
        ("POST", "/v2/simpleJobPostings") => "jobs",
        ("GET", "/v2/simpleJobPostingTasks") => "jobTasks",
        ("PUT", "/v2/atsCandidates") => "candidates",
        ("POST", "/v2/atsCandidates") => "candidateMembers",
        ("DELETE", "/v2/atsCandidates") => "candidateDeletes",
        ("PUT", "/v2/atsApplications") => "applications",
        ("DELETE", "/v2/atsApplications") => "applicationDeletes",
        ("PUT", _) if stages => "stages",
        ("DELETE", _) if stages => "stageDeletes",
        ("PUT", "/v2/atsEntityAcls") => "entityAcls",
        ("DELETE", "/v2/atsEntityAcls") => "entityAclDeletes",
        ("PUT", "/v2/atsEntityAclAssignees") => "aclAssignees",
        ("DELETE", "/v2/atsEntityAclAssignees") => "aclAssigneeDeletes",
        _ => return None,
    })
}

/// How many records a request carries, counted leniently (0 when the body does not parse).
fn record_count(kind: &str, query: &Query, body: &[u8]) -> usize {
    match kind {
        "jobTasks"
        | "stageDeletes"
        | "candidateNoteDeletes"
        | "applicationNoteDeletes"
        | "interviewFeedbackDeletes" => return values(query, "ids").len(),
        "candidateDeletes" | "applicationDeletes" | "entityAclDeletes" | "aclAssigneeDeletes" => {
            let mut indexes: Vec<&str> = query
                .iter()
                .filter_map(|(k, _)| k.strip_prefix("ids[")?.split_once(']').map(|(i, _)| i))
                .collect();
            indexes.sort_unstable();
            indexes.dedup();
            return indexes.len();
        }
        _ => {}
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

/// Sync state, part of the simulator's state.
#[derive(Default)]
pub(crate) struct SyncState {
    /// organization -> what it synced
    orgs: HashMap<String, Synced>,
    /// Job submissions and their tasks.
    jobs: jobs::Tasks,
    /// ATS id -> message: records refused with 400 (see [`Sim::reject_sync_record`]).
    rejections: HashMap<String, String>,
}

impl SyncState {
    pub(crate) fn synced_mut(&mut self, organization: &str) -> &mut Synced {
        self.orgs.entry(organization.to_string()).or_default()
    }
}

#[cfg(test)]
mod tests;
