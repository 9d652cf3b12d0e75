//! What the ATS team writes about a person: notes on a candidate or on one application, and
//! interview feedback on an application. Each is the ATS's record, sent to LinkedIn by the
//! outbound sync; the author or interviewer is an ATS user (LinkedIn receives the user's name).

use serde::{Deserialize, Serialize};

/// Where a note hangs: on the candidate, or on one of the candidate's applications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "on")]
pub enum NoteOwner {
    Candidate,
    Application { application_id: String },
}

/// A note of the ATS team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub tenant_id: String,
    pub note_id: String,
    /// The candidate the note is about (an application note's candidate too).
    pub candidate_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub text: String,
    /// The ATS user who wrote it.
    pub author_user_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Note {
    /// Its kind and outbox record id (unique in the tenant).
    pub fn outbox_entry(&self) -> (super::RecordKind, String) {
        use super::RecordKind;
        match &self.application_id {
            None => (
                RecordKind::CandidateNote,
                RecordKind::candidate_note_id(&self.candidate_id, &self.note_id),
            ),
            Some(a) => (
                RecordKind::ApplicationNote,
                RecordKind::application_child_id(a, &self.note_id),
            ),
        }
    }

    pub fn owner(&self) -> NoteOwner {
        match &self.application_id {
            None => NoteOwner::Candidate,
            Some(a) => NoteOwner::Application {
                application_id: a.clone(),
            },
        }
    }
}

/// One judgement of an interview: what was assessed and the verdict ("Verbal communication",
/// "4/5").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub attribute: String,
    pub result: String,
}

/// An interviewer's feedback on an application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InterviewFeedback {
    pub tenant_id: String,
    pub feedback_id: String,
    pub candidate_id: String,
    pub application_id: String,
    #[serde(default)]
    pub evaluations: Vec<Evaluation>,
    /// The free text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// The ATS user who interviewed.
    pub interviewer_user_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl InterviewFeedback {
    /// Its outbox record id (unique in the tenant).
    pub fn outbox_record_id(&self) -> String {
        super::RecordKind::application_child_id(&self.application_id, &self.feedback_id)
    }
}

/// Who works on a job: ATS users. LinkedIn receives them as one entity ACL on the job with
/// one assignee per member (the member of each user's linked Recruiter seat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HiringTeam {
    pub tenant_id: String,
    pub job_id: String,
    pub user_ids: Vec<String>,
    /// The members LinkedIn holds as the ACL's assignees after the last send (what a later
    /// send must remove when a user leaves the team).
    #[serde(default)]
    pub sent_members: Vec<String>,
    pub updated_at: i64,
}

impl HiringTeam {
    /// The ACL's id at LinkedIn: ours to choose, one per job (an assignee's key names the ACL
    /// but not the job, so the id must differ between jobs).
    pub fn acl_id(job_id: &str) -> String {
        format!("hiring-team-{job_id}")
    }
}
