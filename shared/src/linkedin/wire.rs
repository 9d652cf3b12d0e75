//! LinkedIn's JSON, as documented in linkedin-rsc.md. Every assumed field name lives here, so a
//! correction against a real sandbox touches this file only. Unknown fields are ignored; a missing
//! required field is an error that names it.

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{Direction, ExportedProfile, ProfileExport};
use crate::error::Error;
use crate::ids;

/// `{"elements": [...], "paging": {...}}`. Paging totals are never trusted, so they are not read.
#[derive(Debug, Deserialize)]
pub struct Elements<T> {
    pub elements: Vec<T>,
}

/// The OAuth token answer. `expires_in` has been seen both as a number and as a string.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(deserialize_with = "number_or_string")]
    pub expires_in: u64,
}

fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        N(u64),
        S(String),
    }
    match Either::deserialize(d)? {
        Either::N(n) => Ok(n),
        Either::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// LinkedIn's error body (assumed shape).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub service_error_code: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A text field that may also arrive as an object with a `name` (e.g. a location or company).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TextOrNamed {
    Text(String),
    Named { name: String },
}

impl TextOrNamed {
    fn into_text(self) -> Option<String> {
        let s = match self {
            TextOrNamed::Text(s) | TextOrNamed::Named { name: s } => s,
        };
        let s = s.trim().to_owned();
        (!s.is_empty()).then_some(s)
    }
}

/// One element of `exportedCandidates?q=request`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportElement {
    #[serde(default)]
    pub request_id: Option<String>,
    pub contract: String,
    #[serde(default)]
    pub exporter: Option<String>,
    pub ats_job_posting_id: String,
    #[serde(default)]
    pub exported_at: Option<i64>,
    pub candidate: ExportCandidate,
}

/// The exported person. Only the fields the ATS may keep are read; LinkedIn may send more
/// (emails, positions, educations, headline…), and serde drops them here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportCandidate {
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub location: Option<TextOrNamed>,
    #[serde(default)]
    pub current_company: Option<TextOrNamed>,
}

impl ExportElement {
    /// The export in domain terms. `request_id` is the one the notification named; `now_ms`
    /// stands in for a missing `exportedAt`.
    pub fn into_export(self, request_id: &str, now_ms: i64) -> Result<ProfileExport, Error> {
        let contract_id = ids::urn_number("contract", &self.contract)
            .map_err(|e| Error::LinkedInContract(format!("export contract: {e}")))?;
        ids::check_member_urn(&self.candidate.member)
            .map_err(|e| Error::LinkedInContract(format!("export candidate: {e}")))?;
        let c = self.candidate;
        Ok(ProfileExport {
            request_id: request_id.to_owned(),
            contract_id,
            exporter: self.exporter,
            job_id: self.ats_job_posting_id,
            exported_at: self.exported_at.unwrap_or(now_ms),
            profile: ExportedProfile {
                member: c.member,
                first_name: c.first_name.trim().to_owned(),
                last_name: c.last_name.trim().to_owned(),
                location: c.location.and_then(TextOrNamed::into_text),
                current_company: c.current_company.and_then(TextOrNamed::into_text),
            },
        })
    }
}

/// One element of `atsPurgedExportedCandidates?q=integrationContext` (assumed names): a member
/// whose profile was closed after an export to this customer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgedElement {
    pub member: String,
    #[serde(default)]
    pub purged_at: Option<i64>,
}

// ---- ATS → LinkedIn sync (docs/outbound-sync.md) -----------------------------------------------

/// The Rest.li compound key of a candidate or application, as it appears in a body:
/// `(<idField>:<id>,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3AN)`.
pub fn record_key(id_field: &str, id: &str, organization: &str) -> String {
    format!(
        "({id_field}:{id},dataProvider:ATS,integrationContext:{})",
        organization.replace(':', "%3A")
    )
}

pub const CANDIDATE_ID_FIELD: &str = "atsCandidateId";
pub const APPLICATION_ID_FIELD: &str = "atsJobApplicationId";

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `LISTED` or `CLOSED`.
    pub state: &'static str,
    pub listed_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_apply_url: Option<String>,
    pub availability: &'static str,
}

/// A candidate of `atsCandidates` (batch_update).
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
    /// Required by LinkedIn, may be empty; the ATS keeps no structured address.
    pub addresses: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_job_title: Option<String>,
    pub do_not_contact: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhoneNumber {
    pub number: String,
    /// `MOBILE`, `WORK`, `HOME` or `OTHER` (assumed).
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// An application of `atsApplications` (batch_update). LinkedIn nulls every field an update
/// omits, so every field is always written, as `null` when the ATS has no value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsApplication {
    pub ats_candidate_id: String,
    pub ats_created_at: i64,
    pub ats_last_modified_at: i64,
    pub ats_job_posting_id: String,
    pub ats_job_posting_name: Option<String>,
    pub candidate_email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub source: Option<String>,
    pub disposition_reason: Option<String>,
}

/// A stage of one application (`atsApplications/<key>/stages`, batch_update).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsStage {
    pub ats_created_at: i64,
    pub stage: String,
}

/// The answer to a batch_create: one status per element, in order (assumed).
#[derive(Debug, Deserialize)]
pub struct BatchCreated {
    pub elements: Vec<EntityStatus>,
}

/// The answer to a batch_update: per-key results and errors (assumed).
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

/// `simpleJobPostingTasks?ids=List(..)`.
#[derive(Debug, Default, Deserialize)]
pub struct JobTasks {
    #[serde(default)]
    pub results: std::collections::HashMap<String, JobTask>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTask {
    /// `IN_PROGRESS`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    #[serde(default)]
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expiry_as_number_or_string() {
        let a: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":1800}"#).unwrap();
        let b: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":"1800"}"#).unwrap();
        assert_eq!((a.expires_in, b.expires_in), (1800, 1800));
    }

    #[test]
    fn export_keeps_only_allowed_fields() {
        let json = serde_json::json!({
            "elements": [{
                "requestId": "r-1",
                "contract": "urn:li:contract:77",
                "exporter": "urn:li:seat:5",
                "atsJobPostingId": "job-1",
                "exportedAt": 1_700_000_000_000i64,
                "candidate": {
                    "member": "urn:li:person:abc",
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "location": "London, GB",
                    "currentCompany": {"name": "Analytical Engines"},
                    "headline": "FORBIDDEN-HEADLINE",
                    "emailAddress": "forbidden@example.com",
                    "emails": ["forbidden2@example.com"],
                    "phoneNumbers": [{"number": "+44 20 FORBIDDEN"}],
                    "positions": [{"title": "FORBIDDEN-POSITION", "company": "FORBIDDEN-CO"}],
                    "educations": [{"school": "FORBIDDEN-SCHOOL"}],
                    "skills": ["FORBIDDEN-SKILL"]
                }
            }]
        });
        let page: Elements<ExportElement> = serde_json::from_value(json).unwrap();
        let export = page
            .elements
            .into_iter()
            .next()
            .unwrap()
            .into_export("r-1", 0)
            .unwrap();
        assert_eq!(
            export.profile,
            ExportedProfile {
                member: "urn:li:person:abc".into(),
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                location: Some("London, GB".into()),
                current_company: Some("Analytical Engines".into()),
            }
        );
        let stored = serde_json::to_string(&crate::domain::Candidate::from_export(
            "t",
            &export.profile,
            0,
        ))
        .unwrap();
        assert!(
            !stored.contains("FORBIDDEN") && !stored.contains("forbidden"),
            "{stored}"
        );
        assert_eq!(export.contract_id, "77");
        assert_eq!(export.job_id, "job-1");
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = serde_json::from_value::<ExportElement>(serde_json::json!({
            "contract": "urn:li:contract:1",
            "atsJobPostingId": "j",
            "candidate": {"member": "urn:li:person:x", "firstName": "A"}
        }))
        .unwrap_err();
        assert!(err.to_string().contains("lastName"), "{err}");
    }
}

/// One element of `atsIntegrations?q=request`: the new state of an integration.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationStatus {
    pub integration_context: String,
    #[serde(default)]
    pub integration_type: Option<String>,
    pub status: String,
}

/// An id LinkedIn sends as a string or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AnyId {
    Text(String),
    Number(i64),
}

impl AnyId {
    pub fn to_string_lossy(&self) -> String {
        match self {
            AnyId::Text(s) => s.clone(),
            AnyId::Number(n) => n.to_string(),
        }
    }
}

/// One element of `conversationEvents?q=criteria`: an InMail sent or received by the viewer seat.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMailElement {
    pub id: AnyId,
    #[serde(default)]
    pub conversation: Option<String>,
    pub author: String,
    pub recipient: String,
    pub direction: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    pub created_at: i64,
}

impl InMailElement {
    /// The member on the other side: the recipient of what the seat sent, the author of what it
    /// received.
    pub fn member(&self) -> Result<(&str, Direction), Error> {
        let (member, direction) = match self.direction.as_str() {
            "SENT" => (&self.recipient, Direction::Sent),
            "RECEIVED" => (&self.author, Direction::Received),
            other => {
                return Err(Error::LinkedInContract(format!(
                    "InMail direction {:?}",
                    ids::truncate(other, 20)
                )));
            }
        };
        ids::check_member_urn(member)
            .map_err(|e| Error::LinkedInContract(format!("InMail member: {e}")))?;
        Ok((member, direction))
    }
}

/// One element of `prospectNotes?q=criteria`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteElement {
    pub id: AnyId,
    pub member: String,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub active: bool,
    pub created: i64,
    pub last_modified: i64,
}

/// `emailAddress` is a string today and was an array before March 2024: both are accepted.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        let all = match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        all.into_iter()
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
pub struct PhoneElement {
    pub number: String,
    #[serde(default)]
    pub extension: Option<String>,
}

/// One element of `mailStubs?q=contract`: contact details a member chose to share. Only the
/// contact details are read; the stub's names and headline are not needed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StubElement {
    pub id: AnyId,
    pub member: String,
    #[serde(default)]
    pub email_address: Option<OneOrMany>,
    #[serde(default)]
    pub phone_numbers: Vec<PhoneElement>,
    pub created: i64,
}

/// One element of `seatsV2?q=attributes`: a Recruiter seat of a contract. Seat holders are
/// matched to ATS users by member URN or email only; the name is kept for the integration page.
#[derive(Debug, Deserialize)]
pub struct SeatElement {
    pub id: AnyId,
    #[serde(default, rename = "firstName")]
    pub first_name: Option<String>,
    #[serde(default, rename = "lastName")]
    pub last_name: Option<String>,
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[cfg(test)]
mod activity_tests {
    use super::*;

    #[test]
    fn email_as_string_or_array() {
        let a: StubElement = serde_json::from_value(serde_json::json!({"id": "1", "member": "urn:li:person:x", "emailAddress": "a@x.io", "created": 1})).unwrap();
        let b: StubElement = serde_json::from_value(serde_json::json!({"id": 2, "member": "urn:li:person:x", "emailAddress": ["b@x.io", " "], "created": 1, "phoneNumbers": [{"number": "+1"}]})).unwrap();
        assert_eq!(a.email_address.unwrap().into_vec(), ["a@x.io"]);
        assert_eq!(b.email_address.unwrap().into_vec(), ["b@x.io"]);
        assert_eq!(b.id.to_string_lossy(), "2");
    }

    #[test]
    fn inmail_member_is_the_other_party() {
        let sent: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:1", "recipient": "urn:li:person:p", "direction": "SENT", "createdAt": 5})).unwrap();
        assert_eq!(sent.member().unwrap(), ("urn:li:person:p", Direction::Sent));
        let received: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:person:p", "recipient": "urn:li:seat:1", "direction": "RECEIVED", "createdAt": 5})).unwrap();
        assert_eq!(
            received.member().unwrap(),
            ("urn:li:person:p", Direction::Received)
        );
        let odd: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:2", "recipient": "urn:li:seat:1", "direction": "SENT", "createdAt": 5})).unwrap();
        assert!(odd.member().is_err());
    }
}
