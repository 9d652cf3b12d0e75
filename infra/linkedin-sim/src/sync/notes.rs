//! Notes and interview feedback (collection, "Sync Candidate Notes", "Sync Job Application
//! Notes", "Sync Application Interview Feedback"), sub-resources of a candidate or an
//! application named in the path by its 1.0 key:
//!
//! - `PUT|DELETE /v2/atsCandidates/<key>/notes?ids=N1` and `/v2/atsApplications/<key>/notes`,
//!   `{"entities": {"N1": {"atsCreatedAt", "note", "author": {"firstName", "lastName"}}}}`;
//! - `PUT|DELETE /v2/atsApplications/<key>/interviewFeedback?ids=F1`,
//!   `{"entities": {"F1": {"atsCreatedAt", "evaluations": [{"attribute", "result"}], "feedback",
//!   "interviewer": {"firstName", "lastName"}}}}`.
//!
//! PUTs are `batch_update`. The collection sends interview feedback without `x-restli-method`,
//! so that one PUT takes the header or its absence. Stored in [`crate::Synced::notes`] and
//! [`crate::Synced::interview_feedback`]; the rules are the collection's example fields.

use std::collections::BTreeMap;

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::Sim;
use crate::api::{ApiErr, Caller, bad};
use crate::restli::{BatchAnswer, Restli};
use crate::sync::keys::{RecordKey, judge, simple_keyed_entities};
use crate::sync::rules::Check;
use crate::sync::{APPLICATION_ID_FIELD, CANDIDATE_ID_FIELD, MAX_SYNC_BATCH, Synced};

/// Which sub-resource a route serves.
#[derive(Clone, Copy)]
enum Sub {
    CandidateNotes,
    ApplicationNotes,
    InterviewFeedback,
}

impl Sub {
    fn owner_field(self) -> &'static str {
        match self {
            Sub::CandidateNotes => CANDIDATE_ID_FIELD,
            Sub::ApplicationNotes | Sub::InterviewFeedback => APPLICATION_ID_FIELD,
        }
    }

    /// The map of one owner's records, and the prefix of their `writes` keys.
    fn records<'a>(
        self,
        synced: &'a mut Synced,
        owner: &str,
    ) -> (&'a mut BTreeMap<String, Value>, String) {
        match self {
            Sub::CandidateNotes => (
                synced
                    .notes
                    .entry(format!("candidate:{owner}"))
                    .or_default(),
                format!("note:candidate:{owner}"),
            ),
            Sub::ApplicationNotes => (
                synced
                    .notes
                    .entry(format!("application:{owner}"))
                    .or_default(),
                format!("note:application:{owner}"),
            ),
            Sub::InterviewFeedback => (
                synced
                    .interview_feedback
                    .entry(owner.to_string())
                    .or_default(),
                format!("feedback:{owner}"),
            ),
        }
    }

    fn problems(self, entity: &Value) -> Vec<String> {
        let mut c = match Check::of(entity) {
            Ok(c) => c,
            Err(problems) => return problems,
        };
        c.required_ms("atsCreatedAt");
        match self {
            Sub::CandidateNotes | Sub::ApplicationNotes => {
                c.required_text("note");
            }
            Sub::InterviewFeedback => {
                c.optional_text("feedback");
                c.optional_array("evaluations");
            }
        }
        c.into_problems()
    }
}

async fn put(
    sub: Sub,
    sim: Sim,
    caller: Caller,
    restli: Restli,
    segment: String,
    body: Bytes,
) -> Result<Response, ApiErr> {
    match sub {
        Sub::InterviewFeedback if restli.method.is_none() => {}
        _ => restli.expect_method("batch_update")?,
    }
    let owner = RecordKey::parse(&segment, sub.owner_field())
        .map_err(|e| bad(format!("The record in the path: {}", e.message)))?;
    let entities = simple_keyed_entities(&restli, &body, "id")?;

    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let sync = &mut state.sync;
    for (id, entity) in entities {
        let verdict = judge(
            Some(&owner.organization),
            &caller.organization,
            sub.problems(&entity),
            sync.rejections.get(&id),
        );
        match verdict {
            Ok(()) => {
                let synced = sync.synced_mut(&caller.organization);
                let (records, prefix) = sub.records(synced, &owner.id);
                records.insert(id.clone(), entity);
                synced.count_write(format!("{prefix}:{id}"));
                answer.ok(id, json!({ "status": 204 }));
            }
            Err(refusal) => answer.error(id, refusal.status, refusal.message),
        }
    }
    drop(state);
    Ok(answer.into_response())
}

async fn delete(
    sub: Sub,
    sim: Sim,
    caller: Caller,
    restli: Restli,
    segment: String,
) -> Result<Response, ApiErr> {
    let owner = RecordKey::parse(&segment, sub.owner_field())
        .map_err(|e| bad(format!("The record in the path: {}", e.message)))?;
    let ids = restli.simple_ids(MAX_SYNC_BATCH)?;
    judge(
        Some(&owner.organization),
        &caller.organization,
        vec![],
        None,
    )
    .map_err(|r| ApiErr::new(r.status, 0, r.message))?;
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let (records, _) = sub.records(state.sync.synced_mut(&caller.organization), &owner.id);
    for id in ids {
        match records.remove(&id) {
            Some(_) => answer.ok(id, json!({ "status": 204 })),
            None => answer.error(id, 404, "No such record"),
        }
    }
    Ok(answer.into_response())
}

pub(crate) async fn put_candidate_notes(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    put(Sub::CandidateNotes, sim, caller, restli, key, body).await
}

pub(crate) async fn delete_candidate_notes(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
) -> Result<Response, ApiErr> {
    delete(Sub::CandidateNotes, sim, caller, restli, key).await
}

pub(crate) async fn put_application_notes(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    put(Sub::ApplicationNotes, sim, caller, restli, key, body).await
}

pub(crate) async fn delete_application_notes(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
) -> Result<Response, ApiErr> {
    delete(Sub::ApplicationNotes, sim, caller, restli, key).await
}

pub(crate) async fn put_interview_feedback(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    put(Sub::InterviewFeedback, sim, caller, restli, key, body).await
}

pub(crate) async fn delete_interview_feedback(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(key): Path<String>,
) -> Result<Response, ApiErr> {
    delete(Sub::InterviewFeedback, sim, caller, restli, key).await
}
