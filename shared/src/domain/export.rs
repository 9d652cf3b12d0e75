//! Profile exports: what an export brings, and the record of what became of it.

use serde::{Deserialize, Serialize};

/// The only profile fields an export may bring into the ATS (LinkedIn's rule: never email,
/// experience or education from an export). Anything else LinkedIn sends is dropped before a
/// value of this type exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedProfile {
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    pub location: Option<String>,
    pub current_company: Option<String>,
}

/// A profile a recruiter exported to an ATS job, as the import sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileExport {
    pub request_id: String,
    /// N of `urn:li:contract:N`.
    pub contract_id: String,
    /// Who exported: the seat (`urn:li:seat:N`) or, as LinkedIn documents its `requester`, the
    /// seat holder (`urn:li:person:X`), which the import resolves to the holder's seat.
    pub exporter: Option<String>,
    pub job_id: String,
    pub exported_at: i64,
    pub profile: ExportedProfile,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportStatus {
    Imported,
    Skipped,
    /// Made by a seat not linked to an ATS user: kept as a lead, imported when it is linked.
    Pending,
    /// LinkedIn would not give the export out because the contract or integration is inactive
    /// (its contract and job are not known yet); fetched again once a contract is active.
    Held,
}

/// Why an export was not imported. Recorded on the export, never with personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The export names a job the ATS does not know.
    UnknownJob,
    /// The export was made under a contract the customer has not connected.
    ContractNotConnected,
    /// The export was made under a contract that is expired or disabled.
    ContractInactive,
    /// The exporting seat is not linked to an ATS user (the export waits as a pending lead).
    SeatNotLinked,
    /// LinkedIn answered that the integration or contract is inactive when the export was
    /// fetched (the export is held and fetched again after renewal).
    #[serde(rename = "linkedin_inactive")]
    LinkedInInactive,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::UnknownJob => "unknown_job",
            SkipReason::SeatNotLinked => "seat_not_linked",
            SkipReason::ContractNotConnected => "contract_not_connected",
            SkipReason::ContractInactive => "contract_inactive",
            SkipReason::LinkedInInactive => "linkedin_inactive",
        }
    }
}

/// What became of one export notification: the audit record the API lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRecord {
    pub tenant_id: String,
    pub request_id: String,
    pub status: ExportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    pub contract_id: String,
    pub job_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    /// Set when imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub exported_at: i64,
    pub recorded_at: i64,
    /// A pending lead keeps the profile fields an import may keep, to be imported on link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ExportedProfile>,
}
