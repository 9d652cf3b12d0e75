//! Jobs (collection, "Sync Jobs"): `POST /v2/simpleJobPostings` (`batch_create`,
//! `{"elements": [..]}`) answers one element per job, 202 with a task URN or the refusal;
//! `GET /v2/simpleJobPostingTasks?ids=<task urn>&ids=..` (batch get) answers
//! `{"results": {"<task urn>": {"status": ..}}, "errors": {..}}`.
//!
//! Task statuses (doc): `IN_PROGRESS`, `SUCCEEDED`, `FAILED`, and `PROCESSED` (processed; failed
//! validation when an error code comes with it). The other fields of a task (`jobPosting`,
//! `message`, `errorCode`) are (unverified).

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::Sim;
use crate::api::{ApiErr, Caller};
use crate::restli::{BatchAnswer, Restli, elements};
use crate::sync::keys::{Refusal, judge};
use crate::sync::rules::job_problems;
use crate::sync::{MAX_SYNC_BATCH, SyncState};

const TASK_URN_PREFIX: &str = "urn:li:simpleJobPostingTask:";

/// Job submissions and their tasks.
#[derive(Default)]
pub(crate) struct Tasks {
    /// task URN -> task
    tasks: HashMap<String, JobTask>,
    /// Job submissions so far: numbers them so that the latest submission of a job wins.
    submissions: u64,
    /// (organization, job id) -> number of the submission stored in `Synced::jobs`
    stored_submission: HashMap<(String, String), u64>,
    /// (organization, job id) -> N of its `urn:li:jobPosting:N`
    postings: HashMap<(String, String), u64>,
    /// job id -> how its tasks end (see [`Sim::fail_job_task`], [`Sim::process_job_task`]).
    endings: HashMap<String, Ending>,
}

/// A forced end of a job's tasks.
#[derive(Clone)]
enum Ending {
    Failed { message: String },
    Processed { error_code: Option<String> },
}

/// A job submission LinkedIn is working on.
struct JobTask {
    organization: String,
    job_id: String,
    element: Value,
    submission: u64,
    polls: u32,
    /// Decided at the second poll, then answered unchanged.
    outcome: Option<Value>,
}

impl SyncState {
    /// Starts a task for an accepted job element; returns its URN.
    fn create_task(&mut self, organization: &str, job_id: &str, element: Value) -> String {
        let jobs = &mut self.jobs;
        jobs.submissions += 1;
        let urn = format!("{TASK_URN_PREFIX}{}", uuid::Uuid::new_v4());
        jobs.tasks.insert(
            urn.clone(),
            JobTask {
                organization: organization.to_string(),
                job_id: job_id.to_string(),
                element,
                submission: jobs.submissions,
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
            .jobs
            .tasks
            .get_mut(urn)
            .filter(|t| t.organization == organization)?;
        task.polls = task.polls.saturating_add(1);
        if task.polls == 1 {
            return Some(json!({ "status": "IN_PROGRESS" }));
        }
        if let Some(outcome) = &task.outcome {
            return Some(outcome.clone());
        }
        let (job_id, element, submission) =
            (task.job_id.clone(), task.element.clone(), task.submission);
        let outcome = self.complete(organization, &job_id, element, submission);
        if let Some(task) = self.jobs.tasks.get_mut(urn) {
            task.outcome = Some(outcome.clone());
        }
        Some(outcome)
    }

    /// Ends a task: FAILED, or PROCESSED with an error code, when so set for its job (nothing
    /// stored); else the job is stored (unless a later submission already is) and the task
    /// SUCCEEDED (or PROCESSED without an error code).
    fn complete(
        &mut self,
        organization: &str,
        job_id: &str,
        element: Value,
        submission: u64,
    ) -> Value {
        let status = match self.jobs.endings.get(job_id).cloned() {
            Some(Ending::Failed { message }) => {
                return json!({ "status": "FAILED", "message": message });
            }
            Some(Ending::Processed {
                error_code: Some(code),
            }) => return json!({ "status": "PROCESSED", "errorCode": code }),
            Some(Ending::Processed { error_code: None }) => "PROCESSED",
            None => "SUCCEEDED",
        };
        let jobs = &mut self.jobs;
        let job_key = (organization.to_string(), job_id.to_string());
        let stored = jobs.stored_submission.entry(job_key.clone()).or_default();
        let latest = submission >= *stored;
        if latest {
            *stored = submission;
        }
        let next_posting = jobs.postings.len() as u64 + 1;
        let posting = *jobs.postings.entry(job_key).or_insert(next_posting);
        let synced = self.synced_mut(organization);
        if latest {
            synced.jobs.insert(job_id.to_string(), element);
        }
        synced.count_write(format!("job:{job_id}"));
        json!({ "status": status, "jobPosting": format!("urn:li:jobPosting:{posting}") })
    }
}

impl Sim {
    /// From now on (until [`Sim::clear_synced`] or another ending is set for the job), every
    /// task of this `externalJobPostingId` that has not answered its outcome yet ends `FAILED`
    /// with `message`, and the job is not stored.
    pub fn fail_job_task(&self, job_id: &str, message: &str) {
        self.state().sync.jobs.endings.insert(
            job_id.to_string(),
            Ending::Failed {
                message: message.to_string(),
            },
        );
    }

    /// From now on (until [`Sim::clear_synced`] or another ending is set for the job), every
    /// task of this `externalJobPostingId` that has not answered its outcome yet ends
    /// `PROCESSED`: with `error_code` (served as `errorCode`), the job failed validation and is
    /// not stored; without, it is stored as on success.
    pub fn process_job_task(&self, job_id: &str, error_code: Option<&str>) {
        self.state().sync.jobs.endings.insert(
            job_id.to_string(),
            Ending::Processed {
                error_code: error_code.map(str::to_string),
            },
        );
    }
}

/// `POST /v2/simpleJobPostings`: one answer per element, in order.
pub(crate) async fn submit(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    restli.expect_method("batch_create")?;
    let elements = elements(&body, MAX_SYNC_BATCH)?;
    let mut state = sim.state();
    let sync = &mut state.sync;
    let answers: Vec<Value> = elements
        .into_iter()
        .map(|element| {
            let text = |name: &str| element.get(name).and_then(Value::as_str);
            let job_id = text("externalJobPostingId").map(str::to_string);
            let verdict = judge(
                text("integrationContext"),
                &caller.organization,
                job_problems(&element),
                job_id.as_ref().and_then(|id| sync.rejections.get(id)),
            )
            .and_then(|()| {
                job_id.ok_or_else(|| Refusal::invalid("externalJobPostingId is required"))
            });
            match verdict {
                Ok(job_id) => {
                    let task = sync.create_task(&caller.organization, &job_id, element);
                    json!({ "status": 202, "id": task })
                }
                Err(refusal) => refusal.to_json(),
            }
        })
        .collect();
    drop(state);
    Ok(Json(json!({ "elements": answers })).into_response())
}

/// `GET /v2/simpleJobPostingTasks?ids=..`: polls each task.
pub(crate) async fn poll(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    restli.expect_batch_get()?;
    let ids = restli.simple_ids(MAX_SYNC_BATCH)?;
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    for id in ids {
        match state.sync.poll(&id, &caller.organization) {
            Some(result) => answer.ok(id, result),
            None => {
                let message = format!("No task {id}");
                answer.error(id, 404, message);
            }
        }
    }
    drop(state);
    Ok(answer.into_response())
}
