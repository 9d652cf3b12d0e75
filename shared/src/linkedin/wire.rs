//! LinkedIn's JSON, as documented in linkedin-rsc.md. Every assumed field name lives here, so a
//! correction against a real sandbox touches this file only. Unknown fields are ignored; a missing
//! required field is an error that names it.

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::{Direction, ExportedProfile, ProfileExport};
use crate::error::Error;
use crate::ids;
use crate::linkedin::restli::CompoundKey;

/// `{"elements": [...], "paging": {"start", "count", "total"?, "links"?}}` (collection, doc).
#[derive(Debug, Deserialize)]
pub struct Elements<T> {
    pub elements: Vec<T>,
    #[serde(default)]
    pub paging: Option<PagingInfo>,
}

/// The `paging` object of a finder's answer. A page is never taken as the last one because of
/// it alone: LinkedIn may return fewer elements than asked while more exist.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagingInfo {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub links: Vec<PagingLink>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagingLink {
    #[serde(default)]
    pub rel: String,
}

impl PagingInfo {
    /// Whether LinkedIn says more elements follow a page that ended at `end` (exclusive).
    pub fn says_more_after(&self, end: usize) -> bool {
        self.total.is_some_and(|t| t > end as u64) || self.links.iter().any(|l| l.rel == "next")
    }
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

/// One element of `exportedCandidates?q=request` (request: collection; element: doc for the
/// profile, unverified for `contract`, `atsJobPostingId`, `exportedAt` and where the profile sits).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportElement {
    #[serde(default)]
    pub request_id: Option<String>,
    pub contract: String,
    /// Who exported (doc): `{firstName, lastName, member}`.
    #[serde(default)]
    pub requester: Option<Requester>,
    /// The exporting seat's URN: the name an earlier reading used; still read when present.
    #[serde(default)]
    pub exporter: Option<String>,
    pub ats_job_posting_id: String,
    #[serde(default)]
    pub exported_at: Option<i64>,
    pub candidate: ExportCandidate,
}

/// The recruiter who exported a profile (doc). Only the URNs are read: names of seat holders
/// come from the seat list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    #[serde(default)]
    pub member: Option<String>,
    /// Not documented; read when present.
    #[serde(default)]
    pub seat: Option<String>,
}

/// The exported person. Only the fields the ATS may keep are read; LinkedIn sends more
/// (`headline`, `profileUrl`, `emailAddresses`…), and serde drops them here.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportCandidate {
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    /// Text as displayed (doc); an object with a `name` is accepted too.
    #[serde(default)]
    pub location: Option<TextOrNamed>,
    /// Current employers, as text (doc). The first non-empty one is kept.
    #[serde(default)]
    pub current_employer_names: Vec<String>,
    /// The name an earlier reading used; read when `currentEmployerNames` is absent.
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
        // A seat URN names the exporting seat directly; a member URN (the documented
        // `requester.member`) is resolved to the holder's seat by the import.
        let requester = self.requester.unwrap_or_default();
        let exporter = requester
            .seat
            .or(self.exporter)
            .or(requester.member)
            .filter(|u| !u.trim().is_empty());
        let c = self.candidate;
        let employer = c
            .current_employer_names
            .into_iter()
            .map(|n| n.trim().to_owned())
            .find(|n| !n.is_empty())
            .or_else(|| c.current_company.and_then(TextOrNamed::into_text));
        Ok(ProfileExport {
            request_id: request_id.to_owned(),
            contract_id,
            exporter,
            job_id: self.ats_job_posting_id,
            exported_at: self.exported_at.unwrap_or(now_ms),
            profile: ExportedProfile {
                member: c.member,
                first_name: c.first_name.trim().to_owned(),
                last_name: c.last_name.trim().to_owned(),
                location: c.location.and_then(TextOrNamed::into_text),
                current_company: employer,
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

// ---- ATS → LinkedIn sync (docs/linkedin-wire.md) -----------------------------------------------
// Every request and body spelling below is LinkedIn's Postman collection's (Module 2) unless a
// field says otherwise. Keys are built by `restli`, never here.

pub const CANDIDATE_ID_FIELD: &str = "atsCandidateId";
pub const APPLICATION_ID_FIELD: &str = "atsJobApplicationId";

/// The key of a candidate or application: `<idField>=<id>&dataProvider=ATS&integrationContext=<org>`.
pub fn record_key(id_field: &'static str, id: &str, organization: &str) -> CompoundKey {
    CompoundKey::ats_record(id_field, id, organization)
}

/// The key of one of a customer's integrations (collection, Module 1):
/// `integrationContext=<org or contract URN>&integrationType=<type>&tenantType=RECRUITER&dataProvider=ATS`.
pub fn integration_key(context: &str, integration_type: &str) -> CompoundKey {
    CompoundKey::of(&[
        ("integrationContext", context),
        ("integrationType", integration_type),
        ("tenantType", "RECRUITER"),
        ("dataProvider", "ATS"),
    ])
}

/// The configuration that names the customer's callback URL (collection).
pub const CALLBACK_URL: &str = "CALLBACK_URL";

/// The body of a configuration `batch_update`:
/// `{"entities": {"<NAME>": {"configurationValue": {"string": "<value>"}}}}` (collection).
pub fn configuration(name: &str, value: &str) -> serde_json::Value {
    serde_json::json!({ "entities": { name: { "configurationValue": { "string": value } } } })
}

/// The answer to a batch GET of configurations: each configuration's value by name; names
/// not configured are under `errors` (collection, "Get Integration Configuration").
#[derive(Debug, Default, Deserialize)]
pub struct Configurations {
    #[serde(default)]
    pub results: std::collections::HashMap<String, Configuration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    #[serde(default)]
    pub configuration_value: ConfigurationValue,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigurationValue {
    #[serde(default)]
    pub string: Option<String>,
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
                "requester": {"firstName": "Rita", "lastName": "Recruiter", "member": "urn:li:person:rita"},
                "atsJobPostingId": "job-1",
                "exportedAt": 1_700_000_000_000i64,
                "candidate": {
                    "member": "urn:li:person:abc",
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "location": "London, GB",
                    "currentEmployerNames": [" ", "Analytical Engines", "Difference Ltd"],
                    "profileUrl": "https://www.linkedin.com/in/FORBIDDEN",
                    "emailAddresses": ["forbidden3@example.com"],
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
        assert_eq!(export.exporter.as_deref(), Some("urn:li:person:rita"));
    }

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

    #[test]
    fn earlier_export_names_are_still_read() {
        let element: ExportElement = serde_json::from_value(serde_json::json!({
            "contract": "urn:li:contract:1",
            "exporter": "urn:li:seat:5",
            "requester": {"member": "urn:li:person:rita"},
            "atsJobPostingId": "j",
            "candidate": {"member": "urn:li:person:x", "firstName": "A", "lastName": "B",
                          "currentCompany": {"name": "Old Name Co"}}
        }))
        .unwrap();
        let export = element.into_export("r", 0).unwrap();
        assert_eq!(export.exporter.as_deref(), Some("urn:li:seat:5"));
        assert_eq!(
            export.profile.current_company.as_deref(),
            Some("Old Name Co")
        );
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

/// One element of `conversationEvents?q=criteria`: an InMail the viewer seat sent or received.
/// The doc guarantees an author, a creation time and the mail's content; everything else here
/// (`id`, `conversation`, `recipient`, `direction`, and the content's field names) is
/// (unverified) and optional except the id, without which a record cannot be kept exactly once.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InMailElement {
    pub id: AnyId,
    #[serde(default)]
    pub conversation: Option<String>,
    pub author: String,
    #[serde(default)]
    pub recipient: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(alias = "created")]
    pub created_at: i64,
}

/// Who an InMail is about, or why that cannot be told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribution {
    Member(String, Direction),
    Unattributed(String),
}

/// What the import knows when it attributes an InMail: the viewing seat, the member who holds
/// it (when the seat list named one), and the member of each conversation seen so far.
pub struct Viewer<'a> {
    pub seat: &'a str,
    pub holder: Option<&'a str>,
    pub conversations: &'a std::collections::HashMap<String, String>,
}

impl InMailElement {
    /// The member on the other side. A message whose author is the viewing seat or its holder
    /// was sent, to the recipient (when LinkedIn names one) or to the member of its
    /// conversation; any other member author is the member who wrote to the seat.
    pub fn attribute(&self, viewer: &Viewer<'_>) -> Attribution {
        fn member(urn: Option<&str>) -> Option<&str> {
            urn.filter(|u| ids::check_member_urn(u).is_ok())
        }
        let recipient = member(self.recipient.as_deref());
        let by_viewer = self.author == viewer.seat || Some(self.author.as_str()) == viewer.holder;
        let hinted = self.direction.as_deref();
        let sent_to = |reason: &str| {
            recipient
                .filter(|r| Some(*r) != viewer.holder)
                .map(str::to_owned)
                .or_else(|| {
                    self.conversation
                        .as_ref()
                        .and_then(|c| viewer.conversations.get(c).cloned())
                })
                .map(|m| Attribution::Member(m, Direction::Sent))
                .unwrap_or_else(|| Attribution::Unattributed(reason.to_owned()))
        };
        if by_viewer || (viewer.holder.is_none() && hinted == Some("SENT")) {
            return sent_to(
                "sent by the seat, and neither a recipient nor the conversation's member is known",
            );
        }
        let Some(author) = member(Some(&self.author)) else {
            return Attribution::Unattributed(
                "its author is neither the viewing seat nor a member".to_owned(),
            );
        };
        let received = viewer.holder.is_some()
            || hinted == Some("RECEIVED")
            || recipient.is_none() && self.recipient.as_deref() == Some(viewer.seat);
        if received {
            return Attribution::Member(author.to_owned(), Direction::Received);
        }
        if let Some(to) = recipient {
            // A member wrote to another member from this seat's mailbox: the author is the
            // holder, whom the seat list has not named yet.
            return Attribution::Member(to.to_owned(), Direction::Sent);
        }
        Attribution::Unattributed(
            "written by a member while the seat's holder is not known, so sent and received \
             cannot be told apart"
                .to_owned(),
        )
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

    fn viewer<'a>(
        holder: Option<&'a str>,
        conversations: &'a std::collections::HashMap<String, String>,
    ) -> Viewer<'a> {
        Viewer {
            seat: "urn:li:seat:1",
            holder,
            conversations,
        }
    }

    #[test]
    fn documented_inmails_are_attributed_from_the_author() {
        let none = std::collections::HashMap::new();
        // Only what the doc guarantees: author, time, content.
        let received: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:person:p", "createdAt": 5, "subject": "s", "body": "b"})).unwrap();
        assert_eq!(
            received.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Received)
        );
        // Without the holder, a member author may be the holder: not guessed.
        assert!(matches!(
            received.attribute(&viewer(None, &none)),
            Attribution::Unattributed(_)
        ));
        let sent: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:1", "conversation": "c", "created": 5})).unwrap();
        assert!(matches!(
            sent.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Unattributed(_)
        ));
        let known =
            std::collections::HashMap::from([("c".to_owned(), "urn:li:person:p".to_owned())]);
        assert_eq!(
            sent.attribute(&viewer(None, &known)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        let by_holder: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:person:holder", "recipient": "urn:li:person:p", "createdAt": 5})).unwrap();
        assert_eq!(
            by_holder.attribute(&viewer(Some("urn:li:person:holder"), &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        assert_eq!(
            by_holder.attribute(&viewer(None, &none)),
            Attribution::Member("urn:li:person:p".into(), Direction::Sent)
        );
        let odd: InMailElement = serde_json::from_value(serde_json::json!({"id": "m", "author": "urn:li:seat:2", "recipient": "urn:li:seat:1", "createdAt": 5})).unwrap();
        assert!(matches!(
            odd.attribute(&viewer(None, &none)),
            Attribution::Unattributed(_)
        ));
    }
}
