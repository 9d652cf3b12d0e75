//! The ATS → LinkedIn sync calls (docs/outbound-sync.md): batches of at most 100 records, each
//! record accepted or rejected on its own.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::{LinkedIn, check, transport_error, wire};
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
                &[],
                "batch_create",
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

    /// The state of job tasks, by task URN; tasks LinkedIn does not know are absent.
    pub async fn job_tasks(
        &self,
        creds: &LinkedInCredentials,
        tasks: &[String],
    ) -> Result<HashMap<String, wire::JobTask>> {
        let list = format!("List({})", tasks.join(","));
        let q = [("ids".to_owned(), list)];
        let path = "/simpleJobPostingTasks";
        let answer: wire::JobTasks = self
            .write(
                creds,
                Method::GET,
                path,
                &q,
                "batch_get",
                &serde_json::Value::Null,
            )
            .await?
            .json()
            .await
            .map_err(|e| Error::LinkedInContract(format!("{path}: {e}")))?;
        Ok(answer.results)
    }

    /// Registers the customer's callback URL (the `CALLBACK_URL` integration configuration;
    /// name and body assumed). LinkedIn validates the URL with a challenge before it answers.
    pub async fn register_callback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        url: &str,
    ) -> Result<()> {
        let body = serde_json::json!({
            "integrationContext": organization,
            "configurationType": "CALLBACK_URL",
            "value": url,
        });
        self.write(
            creds,
            Method::POST,
            "/atsIntegrationConfigurations",
            &[],
            "create",
            &body,
        )
        .await
        .map(|_| ())
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

    /// Updates the stages of one application, keyed by stage id.
    pub async fn update_stages(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        application_id: &str,
        stages: &[(String, wire::AtsStage)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let key = wire::record_key(wire::APPLICATION_ID_FIELD, application_id, organization);
        let path = format!("/atsApplications/{}/stages", encode_path_segment(&key));
        let ids: Vec<&str> = stages.iter().map(|(id, _)| id.as_str()).collect();
        let q = [("ids".to_owned(), format!("List({})", ids.join(",")))];
        let entities: serde_json::Map<String, serde_json::Value> = stages
            .iter()
            .map(|(id, s)| (id.clone(), serde_json::to_value(s).unwrap_or_default()))
            .collect();
        let body = serde_json::json!({ "entities": entities });
        let resp = self
            .write(creds, Method::PUT, &path, &q, "batch_update", &body)
            .await?;
        let answer = decode_updated(&path, resp).await?;
        Ok(outcomes(
            stages.iter().map(|(id, _)| (id.clone(), id.clone())),
            answer,
        ))
    }

    async fn batch_update<T: Serialize>(
        &self,
        creds: &LinkedInCredentials,
        path: &str,
        id_field: &str,
        organization: &str,
        records: &[(String, T)],
    ) -> Result<HashMap<String, RecordOutcome>> {
        let mut query = Vec::with_capacity(records.len() * 3);
        let mut entities = serde_json::Map::with_capacity(records.len());
        let mut keys = Vec::with_capacity(records.len());
        for (i, (id, record)) in records.iter().enumerate() {
            query.push((format!("ids[{i}].{id_field}"), id.clone()));
            query.push((format!("ids[{i}].dataProvider"), "ATS".to_owned()));
            query.push((
                format!("ids[{i}].integrationContext"),
                organization.to_owned(),
            ));
            let key = wire::record_key(id_field, id, organization);
            let value = serde_json::to_value(record)
                .map_err(|e| Error::Invalid(format!("cannot encode a record: {e}")))?;
            entities.insert(key.clone(), value);
            keys.push((id.clone(), key));
        }
        let body = serde_json::json!({ "entities": entities });
        let resp = self
            .write(creds, Method::PUT, path, &query, "batch_update", &body)
            .await?;
        let answer = decode_updated(path, resp).await?;
        Ok(outcomes(keys.into_iter(), answer))
    }

    /// A sync request with the customer's token and the Rest.li method header. A 401 gets one
    /// retry with a fresh token; 5xx answers and transport failures get two more attempts after
    /// a pause; 429 is returned at once so the caller can honour `Retry-After`.
    async fn write(
        &self,
        creds: &LinkedInCredentials,
        method: Method,
        path: &str,
        query: &[(String, String)],
        restli_method: &str,
        body: &serde_json::Value,
    ) -> Result<reqwest::Response> {
        let url = format!("{}{}", self.api_url, path);
        let mut refreshed = false;
        let mut failures = 0;
        loop {
            let token = self.token(creds).await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&token)
                .header("x-restli-method", restli_method)
                .query(query);
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

async fn decode_updated(path: &str, resp: reqwest::Response) -> Result<wire::BatchUpdated> {
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

/// Each record's outcome from a batch answer; `keys` pairs our id with LinkedIn's key. An empty
/// answer accepts everything; a record named nowhere in a non-empty answer is not done.
fn outcomes(
    keys: impl Iterator<Item = (String, String)>,
    mut answer: wire::BatchUpdated,
) -> HashMap<String, RecordOutcome> {
    let everything_accepted = answer.results.is_empty() && answer.errors.is_empty();
    keys.map(|(id, key)| {
        let outcome = if let Some(err) = answer.errors.remove(&key) {
            let message = err.message.unwrap_or_else(|| "no reason given".into());
            match err.status {
                429 | 500..=599 => RecordOutcome::NotDone(message),
                status => RecordOutcome::Rejected { status, message },
            }
        } else if everything_accepted || answer.results.remove(&key).is_some() {
            RecordOutcome::Accepted
        } else {
            RecordOutcome::NotDone("LinkedIn's answer did not mention the record".into())
        };
        (id, outcome)
    })
    .collect()
}

/// Percent-encodes a path segment (everything but unreserved characters).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_record_outcomes() {
        let answer: wire::BatchUpdated = serde_json::from_value(serde_json::json!({
            "results": {"k1": {"status": 204}},
            "errors": {"k2": {"status": 400, "message": "firstName is required"}, "k3": {"status": 503}}
        }))
        .unwrap();
        let keys = ["1", "2", "3", "4"].map(|i| (i.to_owned(), format!("k{i}")));
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

    #[test]
    fn keys_encode_the_organization() {
        let key = wire::record_key("atsCandidateId", "c-1", "urn:li:organization:7");
        assert_eq!(
            key,
            "(atsCandidateId:c-1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A7)"
        );
        assert_eq!(encode_path_segment("(a:b,c)"), "%28a%3Ab%2Cc%29");
    }
}
