//! The ATS → LinkedIn sync calls (docs/outbound-sync.md): batches of at most 100 records, each
//! record accepted or rejected on its own.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::restli::{CompoundKey, Query};
use super::{Base, LinkedIn, check, transport_error, wire};
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
        let records: Vec<(String, serde_json::Value)> = members
            .iter()
            .map(|(id, member)| (id.clone(), wire::member_patch(member)))
            .collect();
        self.batch(
            creds,
            (Method::POST, "batch_partial_update"),
            "/atsCandidates",
            wire::CANDIDATE_ID_FIELD,
            organization,
            &records,
        )
        .await
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
        let key = wire::record_key(wire::APPLICATION_ID_FIELD, application_id, organization);
        let path = format!("/atsApplications/{}/stages", key.to_key_string());
        let q = Query::new().ids(stages.iter().map(|(id, _)| id.as_str()));
        let entities: serde_json::Map<String, serde_json::Value> = stages
            .iter()
            .map(|(id, s)| (id.clone(), serde_json::to_value(s).unwrap_or_default()))
            .collect();
        let body = serde_json::json!({ "entities": entities });
        let resp = self
            .write(creds, Method::PUT, &path, &q, Some("batch_update"), &body)
            .await?;
        let answer = decode_updated(&path, resp).await?;
        Ok(outcomes(
            stages
                .iter()
                .map(|(id, _)| (id.clone(), Answered::Simple(id.clone()))),
            answer,
        ))
    }

    async fn batch_update<T: Serialize>(
        &self,
        creds: &LinkedInCredentials,
        path: &str,
        id_field: &'static str,
        organization: &str,
        records: &[(String, T)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        self.batch(
            creds,
            (Method::PUT, "batch_update"),
            path,
            id_field,
            organization,
            records,
        )
        .await
    }

    /// A batch write of ATS records: the keys in the query (`ids[i]....`) and, in the same
    /// spelling, as the body's `entities` keys.
    async fn batch<T: Serialize>(
        &self,
        creds: &LinkedInCredentials,
        (method, restli_method): (Method, &str),
        path: &str,
        id_field: &'static str,
        organization: &str,
        records: &[(String, T)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let keys: Vec<CompoundKey> = records
            .iter()
            .map(|(id, _)| wire::record_key(id_field, id, organization))
            .collect();
        let mut entities = serde_json::Map::with_capacity(records.len());
        for ((_, record), key) in records.iter().zip(&keys) {
            let value = serde_json::to_value(record)
                .map_err(|e| Error::Invalid(format!("cannot encode a record: {e}")))?;
            entities.insert(key.to_key_string(), value);
        }
        let body = serde_json::json!({ "entities": entities });
        let query = Query::new().keys(&keys);
        let resp = self
            .write(creds, method, path, &query, Some(restli_method), &body)
            .await?;
        let answer = decode_updated(path, resp).await?;
        Ok(outcomes(
            records
                .iter()
                .zip(keys)
                .map(|((id, _), key)| (id.clone(), Answered::Compound(key))),
            answer,
        ))
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

/// How a record is named in a batch answer: by compound key, or by a simple id (stages).
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

/// Each record's outcome from a batch answer; `keys` pairs our id with how LinkedIn names it.
/// An empty answer accepts everything; a record named nowhere in a non-empty answer is not done.
pub(super) fn outcomes(
    keys: impl Iterator<Item = (String, Answered)>,
    answer: wire::BatchUpdated,
) -> HashMap<String, RecordOutcome> {
    let everything_accepted = answer.results.is_empty() && answer.errors.is_empty();
    keys.map(|(id, key)| {
        let error = answer
            .errors
            .iter()
            .find(|(k, _)| key.names(k))
            .map(|(_, e)| e);
        let outcome = if let Some(err) = error {
            let message = err
                .message
                .clone()
                .unwrap_or_else(|| "no reason given".into());
            match err.status {
                429 | 500..=599 => RecordOutcome::NotDone(message),
                status => RecordOutcome::Rejected { status, message },
            }
        } else if everything_accepted || answer.results.keys().any(|k| key.names(k)) {
            RecordOutcome::Accepted
        } else {
            RecordOutcome::NotDone("LinkedIn's answer did not mention the record".into())
        };
        (id, outcome)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
