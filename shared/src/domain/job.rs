//! Jobs of the ATS.

use serde::{Deserialize, Serialize};

use super::JobAvailability;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    Open,
    Closed,
}

/// A job of the ATS that recruiters can export profiles to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub tenant_id: String,
    pub job_id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub state: JobState,
    /// LinkedIn's alternative to `location`: both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_apply_url: Option<String>,
    /// Overrides the tenant's
    /// [`Tenant::job_availability`](super::Tenant::job_availability) for this job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<JobAvailability>,
    /// When the job was first listed; the creation time when the ATS does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}
