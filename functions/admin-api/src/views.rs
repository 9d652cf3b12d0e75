//! What the API returns: explicit views of domain values, with RFC 3339 dates. Secrets never
//! appear here.

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{
    Application, Candidate, Contract, ContractStatus, ExportRecord, ExportStatus, Job, JobState,
    SkipReason, Source, Tenant,
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListView<T> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub tenant_id: String,
    pub name: String,
    pub organization: String,
    pub linkedin: LinkedInView,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInView {
    pub client_id: String,
}

impl From<&Tenant> for TenantView {
    fn from(t: &Tenant) -> Self {
        Self {
            tenant_id: t.tenant_id.clone(),
            name: t.name.clone(),
            organization: t.organization.clone(),
            linkedin: LinkedInView {
                client_id: t.client_id.clone(),
            },
            created_at: to_rfc3339(t.created_at),
            updated_at: to_rfc3339(t.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractView {
    pub contract_id: String,
    pub contract: String,
    pub status: ContractStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub connected_at: String,
    pub updated_at: String,
}

impl From<&Contract> for ContractView {
    fn from(c: &Contract) -> Self {
        Self {
            contract_id: c.contract_id.clone(),
            contract: c.urn(),
            status: c.status,
            expires_at: c.expires_at.map(to_rfc3339),
            connected_at: to_rfc3339(c.connected_at),
            updated_at: to_rfc3339(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub job_id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub state: JobState,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        Self {
            job_id: j.job_id.clone(),
            title: j.title.clone(),
            description: j.description.clone(),
            location: j.location.clone(),
            state: j.state,
            created_at: to_rfc3339(j.created_at),
            updated_at: to_rfc3339(j.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateSummaryView {
    pub candidate_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_company: Option<String>,
    pub source: Source,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Candidate> for CandidateSummaryView {
    fn from(c: &Candidate) -> Self {
        Self {
            candidate_id: c.candidate_id.clone(),
            member: c.member.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            location: c.location.clone(),
            current_company: c.current_company.clone(),
            source: c.source,
            created_at: to_rfc3339(c.created_at),
            updated_at: to_rfc3339(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateView {
    #[serde(flatten)]
    pub candidate: CandidateSummaryView,
    pub applications: Vec<ApplicationView>,
}

impl CandidateView {
    pub fn new(candidate: &Candidate, applications: &[Application]) -> Self {
        Self {
            candidate: candidate.into(),
            applications: applications.iter().map(ApplicationView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    pub application_id: String,
    pub job_id: String,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    pub created_at: String,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        Self {
            application_id: a.application_id.clone(),
            job_id: a.job_id.clone(),
            source: a.source,
            contract_id: a.contract_id.clone(),
            exported_by: a.exported_by.clone(),
            created_at: to_rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    pub request_id: String,
    pub status: ExportStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    pub contract_id: String,
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub exported_at: String,
    pub recorded_at: String,
}

impl From<&ExportRecord> for ExportView {
    fn from(r: &ExportRecord) -> Self {
        Self {
            request_id: r.request_id.clone(),
            status: r.status,
            reason: r.reason,
            contract_id: r.contract_id.clone(),
            job_id: r.job_id.clone(),
            exported_by: r.exported_by.clone(),
            candidate_id: r.candidate_id.clone(),
            application_id: r.application_id.clone(),
            exported_at: to_rfc3339(r.exported_at),
            recorded_at: to_rfc3339(r.recorded_at),
        }
    }
}
