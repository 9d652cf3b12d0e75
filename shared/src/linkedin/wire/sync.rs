//! ATS → LinkedIn sync (docs/linkedin-wire.md): jobs, candidates, applications, stages, notes,
//! interview feedback and the hiring team's ACLs. Every request and body spelling here is
//! LinkedIn's Postman collection's (Modules 2, 4 and 5) unless a field says otherwise. Keys are
//! spelt and escaped by `restli`, never here; this module only names their fields.

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

/// The author of a note or the interviewer of an interview feedback: `{firstName, lastName}`
/// (collection, "Sync Candidate Notes", "Sync Application Interview Feedback").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub first_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

/// A note of a candidate or an application (`atsCandidates/<key>/notes`,
/// `atsApplications/<key>/notes`, batch_update), keyed by note id (collection, "Sync Candidate
/// Notes", "Sync Job Application Notes").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsNote {
    pub ats_created_at: i64,
    pub note: String,
    pub author: Person,
}

/// One rated attribute of an interview feedback: `{attribute, result}` (collection; the
/// example's result is a text such as "4/5").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub attribute: String,
    pub result: String,
}

/// An interview feedback of an application (`atsApplications/<key>/interviewFeedback`), keyed
/// by feedback id (collection, "Sync Application Interview Feedback").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsInterviewFeedback {
    pub ats_created_at: i64,
    pub evaluations: Vec<Evaluation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    pub interviewer: Person,
}

/// `atsEntityType` of a job posting, the one entity type LinkedIn secures with ACLs (doc, "Sync
/// ACLs", securable entity types; collection, "Upsert Entity ACL").
pub const ENTITY_TYPE_JOB_POSTING: &str = "JOB_POSTING";

/// One entity ACL: the hiring team of one job. LinkedIn keys it by the ACL id (doc: "your
/// security group or role id"; the id we choose), the entity type and the entity (the job's
/// `externalJobPostingId`). A finder element names them `atsEntityAclId` and `atsEntityId`
/// (collection, "Retrieve Entity ACL", whose disabled `fields` projection lists these two; the
/// element's other fields are unverified). An element without `atsEntityId` is read as the job
/// asked for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityAcl {
    #[serde(rename = "atsEntityAclId")]
    pub acl_id: String,
    #[serde(rename = "atsEntityId", default)]
    pub job_id: String,
}

/// One assignee of an ACL: a member (`urn:li:person:X`) who belongs to the ACL for job postings
/// (collection, "Upsert Entity ACL Assignees"). Finder elements: `atsEntityAclId`, `assignee`
/// (unverified; an element without `assignee` is read as the member asked for).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AclAssignee {
    #[serde(rename = "atsEntityAclId")]
    pub acl_id: String,
    #[serde(default)]
    pub assignee: String,
}

/// Where an ACL key is spelt. The collection writes the same five fields in a different order
/// in each place (Rest.li reads them in any order); we follow it to the letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclKeyUse {
    /// The query of an upsert (`PUT`, `ids[i]....`).
    UpsertQuery,
    /// The body of an upsert (the `entities` key).
    UpsertBody,
    /// The query of a delete (`DELETE`, `ids[i]....`).
    DeleteQuery,
}

/// The key of an entity ACL. Field order (collection): "Upsert Entity ACL" query
/// `atsEntityAclId, dataProvider, integrationContext, atsEntityType, atsEntityId`, its body
/// `dataProvider, integrationContext, atsEntityType, atsEntityId, atsEntityAclId`; "Delete
/// Entity ACL" query `atsEntityAclId, dataProvider, integrationContext, atsEntityId,
/// atsEntityType`.
pub fn entity_acl_key(organization: &str, acl: &EntityAcl, place: AclKeyUse) -> CompoundKey {
    let (id, kind, entity) = (
        ("atsEntityAclId", acl.acl_id.as_str()),
        ("atsEntityType", ENTITY_TYPE_JOB_POSTING),
        ("atsEntityId", acl.job_id.as_str()),
    );
    let (provider, context) = (
        ("dataProvider", "ATS"),
        ("integrationContext", organization),
    );
    CompoundKey::of(&match place {
        AclKeyUse::UpsertQuery => [id, provider, context, kind, entity],
        AclKeyUse::UpsertBody => [provider, context, kind, entity, id],
        AclKeyUse::DeleteQuery => [id, provider, context, entity, kind],
    })
}

/// The key of an ACL assignee. Field order (collection): "Upsert Entity ACL Assignees" query
/// `atsEntityAclId, integrationContext, dataProvider, assignee, atsEntityType`, its body
/// `dataProvider, integrationContext, atsEntityType, atsEntityAclId, assignee`; "Delete Entity
/// ACL Assignees" query `atsEntityAclId, dataProvider, integrationContext, assignee,
/// atsEntityType`.
pub fn acl_assignee_key(
    organization: &str,
    assignee: &AclAssignee,
    place: AclKeyUse,
) -> CompoundKey {
    let (id, member, kind) = (
        ("atsEntityAclId", assignee.acl_id.as_str()),
        ("assignee", assignee.assignee.as_str()),
        ("atsEntityType", ENTITY_TYPE_JOB_POSTING),
    );
    let (provider, context) = (
        ("dataProvider", "ATS"),
        ("integrationContext", organization),
    );
    CompoundKey::of(&match place {
        AclKeyUse::UpsertQuery => [id, context, provider, member, kind],
        AclKeyUse::UpsertBody => [provider, context, kind, id, member],
        AclKeyUse::DeleteQuery => [id, provider, context, member, kind],
    })
}

/// The answer to a batch GET of records (candidate matches): each record by key, keys LinkedIn
/// holds nothing for under `errors` with 404 (unverified; Rest.li's batch get shape). Keys are
/// matched field by field.
#[derive(Debug, Default, Deserialize)]
pub struct BatchRecords {
    #[serde(default)]
    pub results: std::collections::HashMap<String, serde_json::Value>,
    #[serde(default)]
    pub errors: std::collections::HashMap<String, EntityStatus>,
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

    const ORG: &str = "urn:li:organization:7";

    #[test]
    fn notes_and_feedback_are_the_collections_bodies() {
        let rita = Person {
            first_name: "Rita".into(),
            last_name: Some("Book".into()),
        };
        let note = AtsNote {
            ats_created_at: 1_700_000_000_000,
            note: "Great resume.".into(),
            author: rita.clone(),
        };
        assert_eq!(
            serde_json::to_value(&note).unwrap(),
            serde_json::json!({"atsCreatedAt": 1_700_000_000_000i64, "note": "Great resume.",
                "author": {"firstName": "Rita", "lastName": "Book"}})
        );
        let feedback = AtsInterviewFeedback {
            ats_created_at: 1,
            evaluations: vec![Evaluation {
                attribute: "Verbal Communication".into(),
                result: "4/5".into(),
            }],
            feedback: None,
            interviewer: Person {
                first_name: "Rita".into(),
                last_name: None,
            },
        };
        // Absent values are left out, never null.
        assert_eq!(
            serde_json::to_value(&feedback).unwrap(),
            serde_json::json!({"atsCreatedAt": 1, "evaluations": [{"attribute": "Verbal Communication", "result": "4/5"}],
                "interviewer": {"firstName": "Rita"}})
        );
    }

    #[test]
    fn acl_keys_are_spelt_as_the_collection_spells_each_place() {
        let acl = EntityAcl {
            acl_id: "TEST_JOBS".into(),
            job_id: "j-1".into(),
        };
        let spelt = |place| entity_acl_key(ORG, &acl, place).to_key_string();
        assert_eq!(
            spelt(AclKeyUse::UpsertQuery),
            "atsEntityAclId=TEST_JOBS&dataProvider=ATS&integrationContext=urn:li:organization:7\
             &atsEntityType=JOB_POSTING&atsEntityId=j-1"
        );
        assert_eq!(
            spelt(AclKeyUse::UpsertBody),
            "dataProvider=ATS&integrationContext=urn:li:organization:7&atsEntityType=JOB_POSTING\
             &atsEntityId=j-1&atsEntityAclId=TEST_JOBS"
        );
        assert_eq!(
            spelt(AclKeyUse::DeleteQuery),
            "atsEntityAclId=TEST_JOBS&dataProvider=ATS&integrationContext=urn:li:organization:7\
             &atsEntityId=j-1&atsEntityType=JOB_POSTING"
        );
        let member = AclAssignee {
            acl_id: "TEST_JOBS".into(),
            assignee: "urn:li:person:abc".into(),
        };
        let spelt = |place| acl_assignee_key(ORG, &member, place).to_key_string();
        assert_eq!(
            spelt(AclKeyUse::UpsertQuery),
            "atsEntityAclId=TEST_JOBS&integrationContext=urn:li:organization:7&dataProvider=ATS\
             &assignee=urn:li:person:abc&atsEntityType=JOB_POSTING"
        );
        assert_eq!(
            spelt(AclKeyUse::UpsertBody),
            "dataProvider=ATS&integrationContext=urn:li:organization:7&atsEntityType=JOB_POSTING\
             &atsEntityAclId=TEST_JOBS&assignee=urn:li:person:abc"
        );
        assert_eq!(
            spelt(AclKeyUse::DeleteQuery),
            "atsEntityAclId=TEST_JOBS&dataProvider=ATS&integrationContext=urn:li:organization:7\
             &assignee=urn:li:person:abc&atsEntityType=JOB_POSTING"
        );
        // Every place names the same record.
        let body = entity_acl_key(ORG, &acl, AclKeyUse::UpsertBody).to_key_string();
        assert!(entity_acl_key(ORG, &acl, AclKeyUse::DeleteQuery).matches(&body));
    }

    #[test]
    fn finder_elements_read_with_what_they_leave_out() {
        let acl: EntityAcl = serde_json::from_value(serde_json::json!({
            "atsEntityAclId": "TEST_JOBS", "atsEntityId": "j-1", "atsEntityType": "JOB_POSTING",
            "dataProvider": "ATS", "integrationContext": ORG
        }))
        .unwrap();
        assert_eq!(
            (acl.acl_id.as_str(), acl.job_id.as_str()),
            ("TEST_JOBS", "j-1")
        );
        let bare: AclAssignee =
            serde_json::from_value(serde_json::json!({"atsEntityAclId": "TEST_JOBS"})).unwrap();
        assert_eq!(bare.assignee, "");
        assert!(
            serde_json::from_value::<EntityAcl>(serde_json::json!({"atsEntityId": "j-1"})).is_err()
        );
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
}
