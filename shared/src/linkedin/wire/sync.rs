//! ATS → LinkedIn sync (docs/linkedin-wire.md): jobs, candidates, applications and stages.
//! Every request and body spelling here is LinkedIn's Postman collection's (Module 2) unless a
//! field says otherwise. Keys are built by `restli`, never here.

use serde::{Deserialize, Serialize};

use crate::linkedin::restli::CompoundKey;

pub const CANDIDATE_ID_FIELD: &str = "atsCandidateId";
pub const APPLICATION_ID_FIELD: &str = "atsJobApplicationId";

/// The key of a candidate or application: `<idField>=<id>&dataProvider=ATS&integrationContext=<org>`.
pub fn record_key(id_field: &'static str, id: &str, organization: &str) -> CompoundKey {
    CompoundKey::ats_record(id_field, id, organization)
}

/// `availability` of a job posting (collection: "Create Public Job", "Create Private Job").
pub const AVAILABILITY_PUBLIC: &str = "PUBLIC";
pub const AVAILABILITY_PRIVATE: &str = "PRIVATE_TO_ATS_INTEGRATION";

/// An element of `simpleJobPostings` (batch_create).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobPosting {
    pub integration_context: String,
    pub external_job_posting_id: String,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// (doc) The alternative to `location`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// (doc) The alternative to `location`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `LISTED` or `CLOSED`.
    pub state: &'static str,
    pub listed_at: i64,
    /// Required (doc).
    pub company_apply_url: String,
    /// [`AVAILABILITY_PUBLIC`] or [`AVAILABILITY_PRIVATE`].
    pub availability: &'static str,
}

/// A candidate of `atsCandidates` (batch_update). Absent values are left out, never `null`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsCandidate {
    pub ats_created_at: i64,
    pub ats_last_modified_at: i64,
    pub first_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub email_addresses: Vec<String>,
    pub phone_numbers: Vec<PhoneNumber>,
    /// May be empty; the ATS keeps no structured address.
    pub addresses: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_job_title: Option<String>,
    /// The candidate's page in the ATS; required by LinkedIn.
    pub external_profile_url: String,
    /// (doc) Not in the collection's example.
    pub do_not_contact: bool,
}

/// `{number, extension}`: LinkedIn's phone has no type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhoneNumber {
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// An application of `atsApplications` (batch_update). An update replaces LinkedIn's record,
/// so every field the ATS has is sent each time; a field it does not have is left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsApplication {
    pub ats_candidate_id: String,
    pub ats_created_at: i64,
    pub ats_last_modified_at: i64,
    pub ats_job_posting_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ats_job_posting_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_reason: Option<String>,
}

/// A stage of one application (`atsApplications/<key>/stages`, batch_update).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsStage {
    pub ats_created_at: i64,
    pub stage: String,
}

/// The body of an attach-member patch (collection, "One Click Export - Attach Person URN"):
/// `{"patch": {"$set": {"manualMatchedMember": "urn:li:person:X"}}}`.
pub fn member_patch(member: &str) -> serde_json::Value {
    serde_json::json!({ "patch": { "$set": { "manualMatchedMember": member } } })
}

/// The answer to a batch_create: one status per element, in order (unverified).
#[derive(Debug, Deserialize)]
pub struct BatchCreated {
    pub elements: Vec<EntityStatus>,
}

/// The answer to a batch_update or batch_partial_update: results and errors by key, the keys in
/// the 1.0 form (unverified; matched field by field, see `restli::CompoundKey::matches`).
#[derive(Debug, Default, Deserialize)]
pub struct BatchUpdated {
    #[serde(default)]
    pub results: std::collections::HashMap<String, EntityStatus>,
    #[serde(default)]
    pub errors: std::collections::HashMap<String, EntityStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EntityStatus {
    #[serde(default)]
    pub status: u16,
    /// For a created job: its task's URN.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `simpleJobPostingTasks?ids=<task>&ids=<task>` (batch get): results by task URN.
#[derive(Debug, Default, Deserialize)]
pub struct JobTasks {
    #[serde(default)]
    pub results: std::collections::HashMap<String, JobTask>,
}

/// A job task's state (doc): `IN_PROGRESS`, `SUCCEEDED`, `FAILED`, or `PROCESSED` (processed;
/// with an error code it failed validation). Error field names are (unverified).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTask {
    pub status: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_code: Option<serde_json::Value>,
}

/// What a job task's state means for the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskState {
    Running,
    Posted,
    Refused(String),
}

impl JobTask {
    pub fn state(&self) -> TaskState {
        let reason = || {
            let code = self.error_code.as_ref().map(|c| match c {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            match (code, self.message.as_deref()) {
                (Some(c), Some(m)) => format!("{m} (error code {c})"),
                (Some(c), None) => format!("error code {c}"),
                (None, Some(m)) => m.to_owned(),
                (None, None) => "no reason given".to_owned(),
            }
        };
        match self.status.as_str() {
            "SUCCEEDED" => TaskState::Posted,
            "FAILED" => TaskState::Refused(reason()),
            "PROCESSED" if self.error_code.is_some() => TaskState::Refused(reason()),
            "PROCESSED" => TaskState::Posted,
            _ => TaskState::Running,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_task_states_as_documented() {
        let task = |v: serde_json::Value| serde_json::from_value::<JobTask>(v).unwrap().state();
        assert_eq!(
            task(serde_json::json!({"status": "IN_PROGRESS"})),
            TaskState::Running
        );
        assert_eq!(
            task(serde_json::json!({"status": "SUCCEEDED"})),
            TaskState::Posted
        );
        assert_eq!(
            task(serde_json::json!({"status": "PROCESSED"})),
            TaskState::Posted
        );
        assert_eq!(
            task(
                serde_json::json!({"status": "PROCESSED", "errorCode": "INVALID_LOCATION", "message": "bad"})
            ),
            TaskState::Refused("bad (error code INVALID_LOCATION)".into())
        );
        assert_eq!(
            task(serde_json::json!({"status": "FAILED"})),
            TaskState::Refused("no reason given".into())
        );
    }
}
