//! Candidates and their applications (with stages), and candidates whose LinkedIn profiles
//! were closed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ExportedProfile, ProfileExport};

/// Where a candidate or application came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    LinkedIn,
    Ats,
}

/// A person in the ATS. Unique per customer by LinkedIn member URN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub tenant_id: String,
    pub candidate_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_company: Option<String>,
    /// Fields only the ATS sets (an export never brings them). Empty values are not stored, so
    /// an export's upsert of the candidate item never clears them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<AtsPhone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub do_not_contact: bool,
    pub source: Source,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A phone number the ATS keeps for a candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsPhone {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Kept for the ATS's own use; LinkedIn's phone has no type, so it is not sent.
    #[serde(rename = "type")]
    pub kind: PhoneKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PhoneKind {
    Mobile,
    Work,
    Home,
    Other,
}

impl Candidate {
    /// The candidate id a member gets in a tenant. Deriving it from the URN makes the import
    /// idempotent and race-free: two exports of one person can only ever name one candidate.
    pub fn id_for_member(member: &str) -> String {
        let digest = Sha256::digest(format!("member:{member}").as_bytes());
        format!("li-{}", hex::encode(&digest[..12]))
    }

    pub fn from_export(tenant_id: &str, profile: &ExportedProfile, now_ms: i64) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            candidate_id: Self::id_for_member(&profile.member),
            member: Some(profile.member.clone()),
            first_name: profile.first_name.clone(),
            last_name: profile.last_name.clone(),
            location: profile.location.clone(),
            current_company: profile.current_company.clone(),
            emails: Vec::new(),
            phones: Vec::new(),
            title: None,
            do_not_contact: false,
            source: Source::LinkedIn,
            created_at: now_ms,
            updated_at: now_ms,
        }
    }
}

/// A candidate's application to a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub tenant_id: String,
    pub application_id: String,
    pub candidate_id: String,
    pub job_id: String,
    pub source: Source,
    /// N of the contract the export was made under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The seat that exported the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    /// Where the ATS says the application came from, in its words ("Referral", "Career site").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition_reason: Option<String>,
    /// The application's stages, oldest first; each is sent to LinkedIn once it is posted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    pub created_at: i64,
    /// Last change by the ATS; an export-created application has none until the ATS changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

/// A step of an application's pipeline ("Phone screen", "Rejected", "Hired"), as the ATS names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// `<at ms>-<8 hex of the stage's SHA-256>`: posting the same stage twice names one stage.
    pub stage_id: String,
    pub stage: String,
    pub at: i64,
}

impl Stage {
    pub fn new(stage: &str, at: i64) -> Self {
        let digest = Sha256::digest(stage.as_bytes());
        Self {
            stage_id: format!("{at}-{}", hex::encode(&digest[..4])),
            stage: stage.to_owned(),
            at,
        }
    }
}

impl Application {
    /// One application per candidate and job: exporting the same person to the same job again
    /// names the same application.
    pub fn id_for(candidate_id: &str, job_id: &str) -> String {
        let digest = Sha256::digest(format!("application:{candidate_id}:{job_id}").as_bytes());
        format!("li-{}", hex::encode(&digest[..12]))
    }

    pub fn from_export(tenant_id: &str, candidate_id: &str, export: &ProfileExport) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            application_id: Self::id_for(candidate_id, &export.job_id),
            candidate_id: candidate_id.to_owned(),
            job_id: export.job_id.clone(),
            source: Source::LinkedIn,
            contract_id: Some(export.contract_id.clone()),
            exported_by: export.exporter.clone(),
            source_name: None,
            disposition_reason: None,
            stages: Vec::new(),
            created_at: export.exported_at,
            updated_at: None,
        }
    }
}

/// A candidate whose LinkedIn profile was closed (LinkedIn's `atsPurgedExportedCandidates`),
/// flagged for the customer's deletion review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgedCandidate {
    pub tenant_id: String,
    pub candidate_id: String,
    pub member: String,
    pub purged_at: i64,
    pub flagged_at: i64,
    /// When its LinkedIn-sourced data was deleted (only with the tenant's opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_candidate_per_member_and_one_application_per_job() {
        let a = Candidate::id_for_member("urn:li:person:A");
        assert_eq!(a, Candidate::id_for_member("urn:li:person:A"));
        assert_ne!(a, Candidate::id_for_member("urn:li:person:B"));
        assert_ne!(
            Application::id_for(&a, "job-1"),
            Application::id_for(&a, "job-2")
        );
    }
}
