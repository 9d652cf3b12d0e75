//! A customer, its ATS users, and the dead letters it is told about.

use serde::{Deserialize, Serialize};

/// An ATS customer. Its LinkedIn client secret lives in Secrets Manager, never here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    pub name: String,
    /// `urn:li:organization:N`, the context of the organization-level integrations.
    pub organization: String,
    /// The customer's LinkedIn child application id (public; the secret is not stored here).
    pub client_id: String,
    /// Opt-in: the daily compliance review deletes the LinkedIn-sourced data of candidates whose
    /// profiles LinkedIn reports closed (otherwise they are only flagged).
    #[serde(default)]
    pub delete_purged_data: bool,
    /// Where the tenant's jobs are posted when a job does not say (LinkedIn's certification
    /// rule RSC-102: private to the integration when the customer has no choice).
    #[serde(default)]
    pub job_availability: JobAvailability,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Who sees a job LinkedIn receives: everyone on LinkedIn, or only the customer's Recruiter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobAvailability {
    Public,
    #[default]
    PrivateToAtsIntegration,
}

/// A user of the ATS. Seat holders are matched to these and never created from LinkedIn data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsUser {
    pub tenant_id: String,
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A message of a tenant that could never succeed and went to a dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub message_id: String,
    /// The queue it came from (its URL's last segment).
    pub source: String,
    pub reason: String,
    pub at: i64,
}
