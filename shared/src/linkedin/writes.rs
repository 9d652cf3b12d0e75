//! The ATS → LinkedIn sync calls (docs/outbound-sync.md, docs/linkedin-wire.md): batches of at
//! most 100 records, each record accepted or rejected on its own. Writes and deletes of jobs,
//! candidates, applications, stages, notes, interview feedback and the hiring team's ACLs, and
//! the reads that go with them. A record a delete finds absent (404) counts as accepted: it is
//! not at LinkedIn, which is what the delete wants.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::restli::{CompoundKey, Query};
use super::{ActivityPage, Base, LinkedIn, Paging, check, transport_error, wire};
use crate::error::{Error, Result};
use crate::secrets::LinkedInCredentials;

/// The most records LinkedIn takes in one sync request.
pub const MAX_BATCH: usize = 100;

/// Pauses before the second and third attempt of a request that failed with 5xx or a timeout.
const BACKOFF: [Duration; 2] = [Duration::from_millis(200), Duration::from_millis(1_000)];

/// What LinkedIn did with one record of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    Accepted,
    /// Refused for a reason resending will not fix.
    Rejected {
        status: u16,
        message: String,
    },
    /// Not processed (LinkedIn answered 429/5xx for it, or not at all): send it again later.
    NotDone(String),
}

/// The outcome of one submitted job: its task to poll, or why it was refused.
pub type JobSubmission = std::result::Result<String, String>;

/// The most pages a finder is followed for (a guard against an answer that never ends).
const MAX_FINDER_PAGES: usize = 100;

/// Whose notes a call writes or deletes, by ATS id: `atsCandidates/<key>/notes` (collection,
/// "Sync Candidate Notes", "Sync Candidate Notes - Delete Note") or `atsApplications/<key>/notes`
/// ("Sync Job Application Notes", "Sync Job Application Notes - Delete").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteOwner<'a> {
    Candidate(&'a str),
    Application(&'a str),
}

impl NoteOwner<'_> {
    fn path(self, organization: &str) -> String {
        match self {
            NoteOwner::Candidate(id) => sub_resource(
                "/atsCandidates",
                wire::CANDIDATE_ID_FIELD,
                id,
                organization,
                "notes",
            ),
            NoteOwner::Application(id) => application_sub_resource(id, organization, "notes"),
        }
    }
}

/// `<resource>/<1.0 key of the record>/<sub>`: a sub-resource of one candidate or application,
/// its key in the path in the body spelling (collection, "Sync Application Stages" and the notes
/// and interview feedback items).
fn sub_resource(
    resource: &str,
    id_field: &'static str,
    id: &str,
    organization: &str,
    sub: &str,
) -> String {
    let key = wire::record_key(id_field, id, organization);
    format!("{resource}/{}/{sub}", key.to_key_string())
}

fn application_sub_resource(application_id: &str, organization: &str, sub: &str) -> String {
    sub_resource(
        "/atsApplications",
        wire::APPLICATION_ID_FIELD,
        application_id,
        organization,
        sub,
    )
}

impl LinkedIn {
    /// Submits jobs with `batch_create`; one answer per job, in order.
    pub async fn submit_jobs(
        &self,
        creds: &LinkedInCredentials,
        jobs: &[wire::JobPosting],
    ) -> Result<Vec<JobSubmission>> {
        let body = serde_json::json!({ "elements": jobs });
        let answer: wire::BatchCreated = self
            .write(
                creds,
                Method::POST,
                "/simpleJobPostings",
                &Query::new(),
                Some("batch_create"),
                &body,
            )
            .await?
            .json()
            .await
            .map_err(|e| Error::LinkedInContract(format!("/simpleJobPostings: {e}")))?;
        if answer.elements.len() != jobs.len() {
            return Err(Error::LinkedInContract(format!(
                "/simpleJobPostings answered {} elements for {} jobs",
                answer.elements.len(),
                jobs.len()
            )));
        }
        Ok(answer
            .elements
            .into_iter()
            .map(|e| match (e.status, e.id) {
                (200..=299, Some(task)) => Ok(task),
                (status, _) => Err(format!(
                    "LinkedIn refused the job (status {status}): {}",
                    e.message.unwrap_or_default()
                )),
            })
            .collect())
    }

    /// The state of job tasks, by task URN; tasks LinkedIn does not know are absent. A batch
    /// get: repeated `ids`, no method header (collection, "Get Public Job Creation Task Status").
    pub async fn job_tasks(
        &self,
        creds: &LinkedInCredentials,
        tasks: &[String],
    ) -> Result<HashMap<String, wire::JobTask>> {
        let q = Query::new().ids(tasks.iter().map(String::as_str));
        let answer: wire::JobTasks = self
            .get(creds, Base::V2, "/simpleJobPostingTasks", &q)
            .await?;
        // Answer keys may come percent-encoded; ours are the URNs we asked for.
        Ok(answer
            .results
            .into_iter()
            .map(|(k, v)| (super::restli::unescape(&k), v))
            .collect())
    }

    /// Updates candidates (`batch_update`), keyed by their ATS id.
    pub async fn update_candidates(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        records: &[(String, wire::AtsCandidate)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        self.batch_update(
            creds,
            "/atsCandidates",
            wire::CANDIDATE_ID_FIELD,
            organization,
            records,
        )
        .await
    }

    /// Updates applications (`batch_update`), keyed by their ATS id; each carries every field.
    pub async fn update_applications(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        records: &[(String, wire::AtsApplication)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        self.batch_update(
            creds,
            "/atsApplications",
            wire::APPLICATION_ID_FIELD,
            organization,
            records,
        )
        .await
    }

    /// Tells LinkedIn which member each exported candidate is (collection, "One Click Export -
    /// Attach Person URN"): `batch_partial_update` of `manualMatchedMember`, keyed by ATS id.
    pub async fn attach_members(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        members: &[(String, String)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let records = members
            .iter()
            .map(|(id, member)| {
                let key = wire::record_key(wire::CANDIDATE_ID_FIELD, id, organization);
                (id.clone(), key.clone(), key, wire::member_patch(member))
            })
            .collect();
        let batch = Batch::keyed_write(
            Method::POST,
            "batch_partial_update",
            "/atsCandidates".into(),
            records,
        );
        self.send_batch(creds, batch).await
    }

    /// Updates the stages of one application, keyed by stage id:
    /// `PUT /atsApplications/<key>/stages?ids=S1&ids=S2`.
    pub async fn update_stages(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        application_id: &str,
        stages: &[(String, wire::AtsStage)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let path = application_sub_resource(application_id, organization, "stages");
        let batch = Batch::simple_write(Some("batch_update"), path, encode_all(stages)?);
        self.send_batch(creds, batch).await
    }

    /// Deletes stages of one application, by stage id (collection, "Sync Application Stages -
    /// Delete"): `DELETE /atsApplications/<key>/stages?ids=S1&ids=S2`, no method header.
    pub async fn delete_stages(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        application_id: &str,
        stage_ids: &[String],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let path = application_sub_resource(application_id, organization, "stages");
        self.send_batch(creds, Batch::simple_delete(path, stage_ids))
            .await
    }

    /// Writes notes of a candidate or an application (`batch_update`), keyed by note id
    /// (collection, "Sync Candidate Notes", "Sync Job Application Notes"):
    /// `PUT /atsCandidates/<key>/notes?ids=N1` or `/atsApplications/<key>/notes?ids=N1`,
    /// `{"entities": {"N1": {atsCreatedAt, note, author: {firstName, lastName}}}}`.
    pub async fn update_notes(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        owner: NoteOwner<'_>,
        notes: &[(String, wire::AtsNote)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let batch = Batch::simple_write(
            Some("batch_update"),
            owner.path(organization),
            encode_all(notes)?,
        );
        self.send_batch(creds, batch).await
    }

    /// Deletes notes of a candidate or an application, by note id (collection, "Sync Candidate
    /// Notes - Delete Note", "Sync Job Application Notes - Delete"), no method header.
    pub async fn delete_notes(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        owner: NoteOwner<'_>,
        note_ids: &[String],
    ) -> Result<HashMap<String, RecordOutcome>> {
        self.send_batch(
            creds,
            Batch::simple_delete(owner.path(organization), note_ids),
        )
        .await
    }

    /// Writes interview feedback of one application, keyed by feedback id (collection, "Sync
    /// Application Interview Feedback"): `PUT /atsApplications/<key>/interviewFeedback?ids=F1`,
    /// `{"entities": {"F1": {atsCreatedAt, evaluations: [{attribute, result}], feedback,
    /// interviewer: {firstName, lastName}}}}`. The collection sends this PUT without
    /// `x-restli-method`, and so do we: Rest.li routes a PUT with `ids` and no method header to
    /// `batch_update` (rest.li's `RestLiRouter` method table), so the two are the same request.
    pub async fn update_interview_feedback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        application_id: &str,
        feedback: &[(String, wire::AtsInterviewFeedback)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let path = application_sub_resource(application_id, organization, "interviewFeedback");
        let batch = Batch::simple_write(None, path, encode_all(feedback)?);
        self.send_batch(creds, batch).await
    }

    /// Deletes interview feedback of one application, by feedback id (collection, "Sync
    /// Application Interview Feedback - Delete"), no method header.
    pub async fn delete_interview_feedback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        application_id: &str,
        ids: &[String],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let path = application_sub_resource(application_id, organization, "interviewFeedback");
        self.send_batch(creds, Batch::simple_delete(path, ids))
            .await
    }

    /// Deletes candidates, by ATS id (collection, "Sync Candidates - Delete"):
    /// `DELETE /atsCandidates?ids[i].atsCandidateId=..&ids[i].dataProvider=ATS&
    /// ids[i].integrationContext=..`, no method header. Whether LinkedIn also removes the
    /// candidate's applications is unverified: delete them (and their stages, notes and
    /// feedback) with calls of their own.
    pub async fn delete_candidates(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        ids: &[String],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let keys = records_keyed(wire::CANDIDATE_ID_FIELD, organization, ids);
        self.send_batch(creds, Batch::keyed_delete("/atsCandidates".into(), keys))
            .await
    }

    /// Deletes applications, by ATS id (collection, "Sync Job Applications - Delete"), no method
    /// header. Their stages, notes and feedback are deleted with calls of their own (whether
    /// LinkedIn cascades is unverified).
    pub async fn delete_applications(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        ids: &[String],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let keys = records_keyed(wire::APPLICATION_ID_FIELD, organization, ids);
        self.send_batch(creds, Batch::keyed_delete("/atsApplications".into(), keys))
            .await
    }

    /// What LinkedIn holds of candidates, by ATS id, with the member it matched when it did
    /// (collection, "Sync Candidates - Retrieve Candidate Matches"): a batch GET of
    /// `/atsCandidates?ids[i]...`, no method header. A candidate LinkedIn does not hold is left
    /// out. The record's fields are LinkedIn's (unverified), so it is returned as it came.
    pub async fn candidate_matches(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        ids: &[String],
    ) -> Result<HashMap<String, serde_json::Value>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        check_batch_size(ids.len())?;
        let keys: Vec<CompoundKey> = ids
            .iter()
            .map(|id| wire::record_key(wire::CANDIDATE_ID_FIELD, id, organization))
            .collect();
        let path = "/atsCandidates";
        let answer: wire::BatchRecords = match self
            .get(creds, Base::V2, path, &Query::new().keys(&keys))
            .await
        {
            Ok(answer) => answer,
            Err(Error::LinkedInRejected { status: 404, .. }) => Default::default(),
            Err(e) => return Err(e),
        };
        let mut found = HashMap::new();
        for (id, key) in ids.iter().zip(&keys) {
            if let Some((_, record)) = answer.results.iter().find(|(k, _)| key.matches(k)) {
                found.insert(id.clone(), record.clone());
            } else if let Some((_, err)) = answer.errors.iter().find(|(k, _)| key.matches(k)) {
                let message = format!(
                    "{path} candidate {id}: {}",
                    err.message.as_deref().unwrap_or("no reason given")
                );
                match err.status {
                    404 => {}
                    429 => return Err(Error::Throttled { retry_after: None }),
                    500..=599 => return Err(Error::LinkedInUnavailable(message)),
                    status => {
                        return Err(Error::LinkedInRejected {
                            status,
                            service_error_code: None,
                            message,
                        });
                    }
                }
            }
        }
        Ok(found)
    }

    /// Creates or updates entity ACLs (collection, "Upsert Entity ACL"):
    /// `PUT /atsEntityAcls?ids[i].atsEntityAclId=..&ids[i].dataProvider=ATS&
    /// ids[i].integrationContext=..&ids[i].atsEntityType=JOB_POSTING&ids[i].atsEntityId=<job>`,
    /// `batch_update`, each entity an empty object under its key.
    pub async fn upsert_entity_acls(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        acls: &[(String, wire::EntityAcl)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let records = acls
            .iter()
            .map(|(label, acl)| {
                (
                    label.clone(),
                    wire::entity_acl_key(organization, acl, wire::AclKeyUse::UpsertQuery),
                    wire::entity_acl_key(organization, acl, wire::AclKeyUse::UpsertBody),
                    serde_json::json!({}),
                )
            })
            .collect();
        let batch = Batch::keyed_write(
            Method::PUT,
            "batch_update",
            "/atsEntityAcls".into(),
            records,
        );
        self.send_batch(creds, batch).await
    }

    /// Deletes entity ACLs (collection, "Delete Entity ACL"), the same keys, no method header.
    /// Their assignees stay: they are records of their own (see [`LinkedIn::delete_acl_assignees`]).
    pub async fn delete_entity_acls(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        acls: &[(String, wire::EntityAcl)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let keys = acls
            .iter()
            .map(|(label, acl)| {
                let key = wire::entity_acl_key(organization, acl, wire::AclKeyUse::DeleteQuery);
                (label.clone(), key)
            })
            .collect();
        self.send_batch(creds, Batch::keyed_delete("/atsEntityAcls".into(), keys))
            .await
    }

    /// Adds members to ACLs (collection, "Upsert Entity ACL Assignees"):
    /// `PUT /atsEntityAclAssignees?ids[i].atsEntityAclId=..&ids[i].integrationContext=..&
    /// ids[i].dataProvider=ATS&ids[i].assignee=urn:li:person:X&ids[i].atsEntityType=JOB_POSTING`,
    /// `batch_update`, each entity an empty object. The collection's item also lists an
    /// `X-RestLi-Protocol-Version: 2.0.0` header, disabled: it is not sent, and neither do we
    /// (its keys are in 1.0 syntax).
    pub async fn upsert_acl_assignees(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        assignees: &[(String, wire::AclAssignee)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let records = assignees
            .iter()
            .map(|(label, a)| {
                (
                    label.clone(),
                    wire::acl_assignee_key(organization, a, wire::AclKeyUse::UpsertQuery),
                    wire::acl_assignee_key(organization, a, wire::AclKeyUse::UpsertBody),
                    serde_json::json!({}),
                )
            })
            .collect();
        let batch = Batch::keyed_write(
            Method::PUT,
            "batch_update",
            "/atsEntityAclAssignees".into(),
            records,
        );
        self.send_batch(creds, batch).await
    }

    /// Removes members from ACLs (collection, "Delete Entity ACL Assignees"), no method header.
    pub async fn delete_acl_assignees(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        assignees: &[(String, wire::AclAssignee)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let keys = assignees
            .iter()
            .map(|(label, a)| {
                let key = wire::acl_assignee_key(organization, a, wire::AclKeyUse::DeleteQuery);
                (label.clone(), key)
            })
            .collect();
        let batch = Batch::keyed_delete("/atsEntityAclAssignees".into(), keys);
        self.send_batch(creds, batch).await
    }

    /// The entity ACLs of one job (collection, "Retrieve Entity ACL"):
    /// `GET /atsEntityAcls?atsEntityId=<job>&atsEntityType=JOB_POSTING&dataProvider=ATS&
    /// integrationContext=<org>&q=criteria&start=0&count=100`, every page.
    pub async fn entity_acls(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        job_id: &str,
    ) -> Result<Vec<wire::EntityAcl>> {
        let criteria = Query::new()
            .param("atsEntityId", job_id)
            .param("atsEntityType", wire::ENTITY_TYPE_JOB_POSTING)
            .param("dataProvider", "ATS")
            .param("integrationContext", organization)
            .param("q", "criteria");
        let mut acls: Vec<wire::EntityAcl> = self
            .find_all(
                creds,
                "/atsEntityAcls",
                &criteria,
                Some(Paging::first(Paging::LISTS)),
            )
            .await?;
        for acl in &mut acls {
            if acl.job_id.is_empty() {
                acl.job_id = job_id.to_owned();
            }
        }
        Ok(acls)
    }

    /// The ACLs a member is assigned to (collection, "Retrieve Entity ACL Assignees"):
    /// `GET /atsEntityAclAssignees?q=criteria&assignee=urn:li:person:X&dataProvider=ATS&
    /// integrationContext=<org>`, without `start` or `count` as in the collection (LinkedIn asks
    /// for at most 10 ACLs per member, doc "Sync ACLs"); further pages only when the answer's
    /// `paging` says more exist.
    pub async fn acl_assignees(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        assignee: &str,
    ) -> Result<Vec<wire::AclAssignee>> {
        let criteria = Query::new()
            .param("q", "criteria")
            .param("assignee", assignee)
            .param("dataProvider", "ATS")
            .param("integrationContext", organization);
        let mut found: Vec<wire::AclAssignee> = self
            .find_all(creds, "/atsEntityAclAssignees", &criteria, None)
            .await?;
        for a in &mut found {
            if a.assignee.is_empty() {
                a.assignee = assignee.to_owned();
            }
        }
        Ok(found)
    }

    /// Every element of a finder, page after page. `first` is the page the collection asks
    /// for (`None`: no `start`/`count`); a next page is asked for when the last one was full or
    /// LinkedIn's `paging` says more follow. An element that does not decode fails the read.
    async fn find_all<T: DeserializeOwned>(
        &self,
        creds: &LinkedInCredentials,
        path: &str,
        criteria: &Query,
        first: Option<Paging>,
    ) -> Result<Vec<T>> {
        let mut found = Vec::new();
        let mut page = first;
        for _ in 0..MAX_FINDER_PAGES {
            let query = match page {
                Some(p) => criteria
                    .clone()
                    .param("start", &p.start.to_string())
                    .param("count", &p.count.to_string()),
                None => criteria.clone(),
            };
            let got: ActivityPage<T> = self.finder(creds, Base::V2, path, &query).await?;
            if let Some(bad) = got.malformed.first() {
                return Err(Error::LinkedInContract(format!(
                    "{path}: an element does not decode: {}",
                    bad.reason
                )));
            }
            let end = page.map_or(0, |p| p.start) + got.returned;
            let full = page.is_some_and(|p| got.returned >= p.count);
            let more = got.returned > 0
                && (full || got.paging.as_ref().is_some_and(|p| p.says_more_after(end)));
            found.extend(got.elements);
            if !more {
                return Ok(found);
            }
            page = Some(Paging {
                start: end,
                count: page.map_or(Paging::LISTS, |p| p.count),
            });
        }
        Err(Error::LinkedInContract(format!(
            "{path}: more than {MAX_FINDER_PAGES} pages"
        )))
    }

    async fn batch_update<T: Serialize>(
        &self,
        creds: &LinkedInCredentials,
        path: &str,
        id_field: &'static str,
        organization: &str,
        records: &[(String, T)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let records = records
            .iter()
            .map(|(id, record)| {
                let key = wire::record_key(id_field, id, organization);
                Ok((id.clone(), key.clone(), key, encode(record)?))
            })
            .collect::<Result<_>>()?;
        let batch = Batch::keyed_write(Method::PUT, "batch_update", path.to_owned(), records);
        self.send_batch(creds, batch).await
    }

    /// Sends one batch and reads each record's outcome. An empty batch sends nothing; more than
    /// [`MAX_BATCH`] records, or two with the same key, is an error before anything is sent. A
    /// delete LinkedIn answers 404 as a whole names nothing it holds: every record is accepted
    /// (as `remove_configuration` reads it).
    async fn send_batch(
        &self,
        creds: &LinkedInCredentials,
        batch: Batch,
    ) -> Result<HashMap<String, RecordOutcome>> {
        if batch.records.is_empty() {
            return Ok(HashMap::new());
        }
        check_batch_size(batch.records.len())?;
        for (i, (label, key)) in batch.records.iter().enumerate() {
            if batch.records[..i].iter().any(|(_, other)| other == key) {
                return Err(Error::Invalid(format!(
                    "{}: {label} has the key of another record of the same batch",
                    batch.path
                )));
            }
        }
        let deleting = batch.method == Method::DELETE;
        let body = batch.body.unwrap_or(serde_json::Value::Null);
        let sent = self
            .write(
                creds,
                batch.method,
                &batch.path,
                &batch.query,
                batch.restli_method,
                &body,
            )
            .await;
        let resp = match sent {
            Ok(resp) => resp,
            Err(Error::LinkedInRejected { status: 404, .. }) if deleting => {
                return Ok(batch
                    .records
                    .into_iter()
                    .map(|(label, _)| (label, RecordOutcome::Accepted))
                    .collect());
            }
            Err(e) => return Err(e),
        };
        let answer = decode_updated(&batch.path, resp).await?;
        Ok(judge(batch.records.into_iter(), answer, deleting))
    }

    /// A write with the application's token (the customer's; the partner's for provisioning)
    /// and the Rest.li method header, if any. A 401 gets one
    /// retry with a fresh token; 5xx answers and transport failures get two more attempts after
    /// a pause; 429 is returned at once so the caller can honour `Retry-After`.
    pub(super) async fn write(
        &self,
        creds: &LinkedInCredentials,
        method: Method,
        path: &str,
        query: &Query,
        restli_method: Option<&str>,
        body: &serde_json::Value,
    ) -> Result<reqwest::Response> {
        let url = self.url(Base::V2, path, query);
        let mut refreshed = false;
        let mut failures = 0;
        loop {
            let token = self.token(creds).await?;
            let mut request = self.http.request(method.clone(), &url).bearer_auth(&token);
            if let Some(restli_method) = restli_method {
                request = request.header("x-restli-method", restli_method);
            }
            if !body.is_null() {
                request = request.json(body);
            }
            self.count(creds, path);
            let outcome = match request.send().await {
                Err(e) => Err(Error::LinkedInUnavailable(transport_error(path, &e))),
                Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED && !refreshed => {
                    refreshed = true;
                    self.forget_token(&creds.client_id);
                    continue;
                }
                Ok(resp) => check(path, resp).await,
            };
            match outcome {
                Err(Error::LinkedInUnavailable(m)) if failures < BACKOFF.len() => {
                    tracing::warn!(path, error = %m, "LinkedIn unavailable; retrying");
                    tokio::time::sleep(BACKOFF[failures]).await;
                    failures += 1;
                }
                other => return other,
            }
        }
    }
}

pub(super) async fn decode_updated(
    path: &str,
    resp: reqwest::Response,
) -> Result<wire::BatchUpdated> {
    // An empty body (204) means every record was accepted.
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| Error::LinkedInUnavailable(transport_error(path, &e)))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(wire::BatchUpdated::default());
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::LinkedInContract(format!("{path}: {e}")))
}

/// How a record is named in a batch answer: by compound key, or by a simple id (stages, notes,
/// interview feedback, configurations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Answered {
    Compound(CompoundKey),
    Simple(String),
}

impl Answered {
    fn names(&self, answered: &str) -> bool {
        match self {
            Answered::Compound(key) => key.matches(answered),
            Answered::Simple(id) => super::restli::unescape(answered) == *id,
        }
    }
}

/// One batch request: what is sent, and each record by the caller's label with how LinkedIn
/// names it in the answer.
struct Batch {
    method: Method,
    /// `x-restli-method`, when the collection's item sends one.
    restli_method: Option<&'static str>,
    path: String,
    query: Query,
    /// `{"entities": {..}}` of a write; none for a delete.
    body: Option<serde_json::Value>,
    records: Vec<(String, Answered)>,
}

impl Batch {
    /// A write of records with compound keys: `ids[i].<field>=..` in the query (`query_key`
    /// order), each entity under its `body_key` string. `records`: (label, query key, body key,
    /// entity).
    fn keyed_write(
        method: Method,
        restli_method: &'static str,
        path: String,
        records: Vec<(String, CompoundKey, CompoundKey, serde_json::Value)>,
    ) -> Batch {
        let query = Query::new().keys(records.iter().map(|(_, key, _, _)| key));
        let entities: serde_json::Map<String, serde_json::Value> = records
            .iter()
            .map(|(_, _, key, entity)| (key.to_key_string(), entity.clone()))
            .collect();
        Batch {
            method,
            restli_method: Some(restli_method),
            path,
            query,
            body: Some(serde_json::json!({ "entities": entities })),
            records: records
                .into_iter()
                .map(|(label, key, _, _)| (label, Answered::Compound(key)))
                .collect(),
        }
    }

    /// A batch delete of records with compound keys: the keys in the query, no body, no method
    /// header (collection, Module 4 and 5 deletes).
    fn keyed_delete(path: String, records: Vec<(String, CompoundKey)>) -> Batch {
        Batch {
            method: Method::DELETE,
            restli_method: None,
            path,
            query: Query::new().keys(records.iter().map(|(_, key)| key)),
            body: None,
            records: records
                .into_iter()
                .map(|(label, key)| (label, Answered::Compound(key)))
                .collect(),
        }
    }

    /// A PUT of a sub-resource keyed by simple ids: `?ids=A&ids=B`,
    /// `{"entities": {"A": {..}, "B": {..}}}`.
    fn simple_write(
        restli_method: Option<&'static str>,
        path: String,
        records: Vec<(String, serde_json::Value)>,
    ) -> Batch {
        let query = Query::new().ids(records.iter().map(|(id, _)| id.as_str()));
        let entities: serde_json::Map<String, serde_json::Value> = records
            .iter()
            .map(|(id, entity)| (id.clone(), entity.clone()))
            .collect();
        Batch {
            method: Method::PUT,
            restli_method,
            path,
            query,
            body: Some(serde_json::json!({ "entities": entities })),
            records: records
                .into_iter()
                .map(|(id, _)| (id.clone(), Answered::Simple(id)))
                .collect(),
        }
    }

    /// A batch delete of a sub-resource by simple ids: `DELETE ..?ids=A&ids=B`, no body, no
    /// method header (collection, Module 5).
    fn simple_delete(path: String, ids: &[String]) -> Batch {
        Batch {
            method: Method::DELETE,
            restli_method: None,
            path,
            query: Query::new().ids(ids.iter().map(String::as_str)),
            body: None,
            records: ids
                .iter()
                .map(|id| (id.clone(), Answered::Simple(id.clone())))
                .collect(),
        }
    }
}

fn check_batch_size(records: usize) -> Result<()> {
    if records > MAX_BATCH {
        return Err(Error::Invalid(format!(
            "{records} records in one batch; LinkedIn takes at most {MAX_BATCH}"
        )));
    }
    Ok(())
}

fn encode<T: Serialize>(record: &T) -> Result<serde_json::Value> {
    serde_json::to_value(record).map_err(|e| Error::Invalid(format!("cannot encode a record: {e}")))
}

/// Records keyed by simple id, each encoded.
fn encode_all<T: Serialize>(records: &[(String, T)]) -> Result<Vec<(String, serde_json::Value)>> {
    records
        .iter()
        .map(|(id, record)| Ok((id.clone(), encode(record)?)))
        .collect()
}

/// Candidates or applications to delete, each labelled by its ATS id.
fn records_keyed(
    id_field: &'static str,
    organization: &str,
    ids: &[String],
) -> Vec<(String, CompoundKey)> {
    ids.iter()
        .map(|id| (id.clone(), wire::record_key(id_field, id, organization)))
        .collect()
}

/// Each record's outcome from a batch answer; `keys` pairs our id with how LinkedIn names it.
/// An empty answer accepts everything; a record named nowhere in a non-empty answer is not done.
pub(super) fn outcomes(
    keys: impl Iterator<Item = (String, Answered)>,
    answer: wire::BatchUpdated,
) -> HashMap<String, RecordOutcome> {
    judge(keys, answer, false)
}

/// [`outcomes`], for a write or (`deleting`) a delete. A record is refused when it is listed
/// under `errors`, or under `results` with a status of 400 or more: Rest.li puts a record that
/// failed with an exception under `errors` and one whose status alone says so (`{"status":
/// 404}`) under `results` (rest.li's `BatchUpdateResponseBuilder`; LinkedIn's choice between the
/// two is unverified). A delete's 404 is an acceptance: the record is not at LinkedIn.
fn judge(
    keys: impl Iterator<Item = (String, Answered)>,
    answer: wire::BatchUpdated,
    deleting: bool,
) -> HashMap<String, RecordOutcome> {
    let everything_accepted = answer.results.is_empty() && answer.errors.is_empty();
    keys.map(|(id, key)| {
        let refusal = answer
            .errors
            .iter()
            .find(|(k, _)| key.names(k))
            .or_else(|| {
                answer
                    .results
                    .iter()
                    .find(|(k, r)| r.status >= 400 && key.names(k))
            })
            .map(|(_, e)| e);
        let outcome = match refusal {
            Some(err) if deleting && err.status == 404 => RecordOutcome::Accepted,
            Some(err) => {
                let message = err
                    .message
                    .clone()
                    .unwrap_or_else(|| "no reason given".into());
                match err.status {
                    429 | 500..=599 => RecordOutcome::NotDone(message),
                    status => RecordOutcome::Rejected { status, message },
                }
            }
            None if everything_accepted || answer.results.keys().any(|k| key.names(k)) => {
                RecordOutcome::Accepted
            }
            None => RecordOutcome::NotDone("LinkedIn's answer did not mention the record".into()),
        };
        (id, outcome)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "urn:li:organization:7";

    #[test]
    fn sub_resources_carry_their_owner_key_in_the_path() {
        assert_eq!(
            NoteOwner::Candidate("c-1").path(ORG),
            "/atsCandidates/atsCandidateId=c-1&dataProvider=ATS&integrationContext=urn:li:organization:7/notes"
        );
        assert_eq!(
            NoteOwner::Application("a-1").path(ORG),
            "/atsApplications/atsJobApplicationId=a-1&dataProvider=ATS&integrationContext=urn:li:organization:7/notes"
        );
        assert_eq!(
            application_sub_resource("a-1", ORG, "interviewFeedback"),
            "/atsApplications/atsJobApplicationId=a-1&dataProvider=ATS&integrationContext=urn:li:organization:7/interviewFeedback"
        );
    }

    #[test]
    fn batches_are_spelt_as_the_collection() {
        let ids = ["APPL_NOTE_0001".to_owned(), "APPL_NOTE_0002".to_owned()];
        let delete = Batch::simple_delete("/x".into(), &ids);
        assert_eq!(
            (
                delete.method,
                delete.restli_method,
                delete.query.as_str(),
                delete.body.is_none()
            ),
            (
                Method::DELETE,
                None,
                "ids=APPL_NOTE_0001&ids=APPL_NOTE_0002",
                true
            )
        );
        let acl = wire::EntityAcl {
            acl_id: "TEST_JOBS".into(),
            job_id: "j-1".into(),
        };
        let write = Batch::keyed_write(
            Method::PUT,
            "batch_update",
            "/atsEntityAcls".into(),
            vec![(
                "team".into(),
                wire::entity_acl_key(ORG, &acl, wire::AclKeyUse::UpsertQuery),
                wire::entity_acl_key(ORG, &acl, wire::AclKeyUse::UpsertBody),
                serde_json::json!({}),
            )],
        );
        assert_eq!(
            write.query.as_str(),
            "ids[0].atsEntityAclId=TEST_JOBS&ids[0].dataProvider=ATS\
             &ids[0].integrationContext=urn:li:organization:7&ids[0].atsEntityType=JOB_POSTING\
             &ids[0].atsEntityId=j-1"
        );
        assert_eq!(
            write.body,
            Some(serde_json::json!({"entities": {
                "dataProvider=ATS&integrationContext=urn:li:organization:7&atsEntityType=JOB_POSTING&atsEntityId=j-1&atsEntityAclId=TEST_JOBS": {}
            }}))
        );
        assert_eq!(write.restli_method, Some("batch_update"));
        let candidates = Batch::keyed_delete(
            "/atsCandidates".into(),
            records_keyed(wire::CANDIDATE_ID_FIELD, ORG, &["c-1".into(), "c-2".into()]),
        );
        assert_eq!(
            candidates.query.as_str(),
            "ids[0].atsCandidateId=c-1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:7\
             &ids[1].atsCandidateId=c-2&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:7"
        );
    }

    #[test]
    fn a_delete_accepts_what_linkedin_does_not_hold() {
        let answer = || -> wire::BatchUpdated {
            serde_json::from_value(serde_json::json!({
                "results": {"N1": {"status": 204}, "N2": {"status": 404}},
                "errors": {"N3": {"status": 404, "message": "No such record"},
                           "N4": {"status": 403, "message": "not yours"}}
            }))
            .unwrap()
        };
        let keys = || {
            ["N1", "N2", "N3", "N4", "N5"]
                .map(|i| (i.to_owned(), Answered::Simple(i.to_owned())))
                .into_iter()
        };
        let deleted = judge(keys(), answer(), true);
        for id in ["N1", "N2", "N3"] {
            assert_eq!(deleted[id], RecordOutcome::Accepted, "{id}");
        }
        assert!(matches!(
            deleted["N4"],
            RecordOutcome::Rejected { status: 403, .. }
        ));
        assert!(matches!(deleted["N5"], RecordOutcome::NotDone(_)));
        // A write is refused by a 4xx status under `results` as under `errors`.
        let written = judge(keys(), answer(), false);
        assert_eq!(written["N1"], RecordOutcome::Accepted);
        assert!(matches!(
            written["N2"],
            RecordOutcome::Rejected { status: 404, .. }
        ));
        assert!(matches!(
            written["N3"],
            RecordOutcome::Rejected { status: 404, .. }
        ));
        // An empty answer accepts everything.
        let all = judge(keys(), wire::BatchUpdated::default(), true);
        assert!(all.values().all(|o| *o == RecordOutcome::Accepted));
    }

    #[test]
    fn per_record_outcomes() {
        let key =
            |id: &str| wire::record_key(wire::CANDIDATE_ID_FIELD, id, "urn:li:organization:7");
        let answer: wire::BatchUpdated = serde_json::from_value(serde_json::json!({
            "results": {key("1").to_key_string(): {"status": 204}},
            "errors": {
                "integrationContext=urn%3Ali%3Aorganization%3A7&atsCandidateId=2&dataProvider=ATS": {"status": 400, "message": "firstName is required"},
                key("3").to_key_string(): {"status": 503}
            }
        }))
        .unwrap();
        let keys = ["1", "2", "3", "4"].map(|i| (i.to_owned(), Answered::Compound(key(i))));
        let got = outcomes(keys.into_iter(), answer);
        assert_eq!(got["1"], RecordOutcome::Accepted);
        assert_eq!(
            got["2"],
            RecordOutcome::Rejected {
                status: 400,
                message: "firstName is required".into()
            }
        );
        assert!(matches!(got["3"], RecordOutcome::NotDone(_)));
        assert!(matches!(got["4"], RecordOutcome::NotDone(_)));
    }
}
