//! What the ATS team writes about a person (notes, interview feedback) and who works on a job
//! (its hiring team), as the API shows them.

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{Evaluation, HiringTeam, InterviewFeedback, Note, Seat};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    pub note_id: String,
    pub candidate_id: String,
    /// Present on a note of an application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub text: String,
    pub author_user_id: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Note> for NoteView {
    fn from(n: &Note) -> Self {
        Self {
            note_id: n.note_id.clone(),
            candidate_id: n.candidate_id.clone(),
            application_id: n.application_id.clone(),
            text: n.text.clone(),
            author_user_id: n.author_user_id.clone(),
            created_at: to_rfc3339(n.created_at),
            updated_at: to_rfc3339(n.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterviewFeedbackView {
    pub feedback_id: String,
    pub candidate_id: String,
    pub application_id: String,
    pub evaluations: Vec<Evaluation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    pub interviewer_user_id: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&InterviewFeedback> for InterviewFeedbackView {
    fn from(f: &InterviewFeedback) -> Self {
        Self {
            feedback_id: f.feedback_id.clone(),
            candidate_id: f.candidate_id.clone(),
            application_id: f.application_id.clone(),
            evaluations: f.evaluations.clone(),
            feedback: f.feedback.clone(),
            interviewer_user_id: f.interviewer_user_id.clone(),
            created_at: to_rfc3339(f.created_at),
            updated_at: to_rfc3339(f.updated_at),
        }
    }
}

/// A job's hiring team: each ATS user, and whether LinkedIn gets them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HiringTeamView {
    pub job_id: String,
    /// The id of the job's entity ACL at LinkedIn.
    pub acl_id: String,
    /// In the order the ATS gave them; empty when the job has no team.
    pub users: Vec<TeamMemberView>,
    /// Absent while the job has no team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberView {
    pub user_id: String,
    /// Whether LinkedIn gets this user: as the members of the Recruiter seats linked to them.
    pub sent: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Why LinkedIn does not get the user (only when `sent` is false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<NotSentReason>,
}

/// Why a user of a hiring team is not sent: LinkedIn knows people by their member URN, which
/// only a linked Recruiter seat gives us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NotSentReason {
    /// No Recruiter seat is linked to the user.
    NoLinkedSeat,
    /// The user's linked seat has no member URN yet (the hourly seat sync reads it from
    /// LinkedIn).
    SeatMemberUnknown,
}

impl HiringTeamView {
    /// `team` as stored (none: the job has no team yet), each user's members read from the
    /// tenant's `seats`.
    pub fn new(job_id: &str, team: Option<&HiringTeam>, seats: &[Seat]) -> Self {
        let users = team
            .map(|t| t.user_ids.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|user_id| {
                let linked: Vec<&Seat> = seats
                    .iter()
                    .filter(|s| s.user_id.as_deref() == Some(user_id.as_str()))
                    .collect();
                let mut members: Vec<String> =
                    linked.iter().filter_map(|s| s.member.clone()).collect();
                members.sort();
                members.dedup();
                let reason = match (linked.is_empty(), members.is_empty()) {
                    (true, _) => Some(NotSentReason::NoLinkedSeat),
                    (false, true) => Some(NotSentReason::SeatMemberUnknown),
                    (false, false) => None,
                };
                TeamMemberView {
                    user_id: user_id.clone(),
                    sent: reason.is_none(),
                    members,
                    reason,
                }
            })
            .collect();
        Self {
            job_id: job_id.to_owned(),
            acl_id: HiringTeam::acl_id(job_id),
            users,
            updated_at: team.map(|t| to_rfc3339(t.updated_at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(id: &str, user: Option<&str>, member: Option<&str>) -> Seat {
        Seat {
            tenant_id: "acme".into(),
            contract_id: "501".into(),
            seat_id: id.into(),
            member: member.map(str::to_owned),
            state: Some("ACTIVE".into()),
            holder_name: None,
            user_id: user.map(str::to_owned),
            listed_at: Some(0),
            linked_at: user.map(|_| 0),
            cursors: Default::default(),
            last_polled_at: None,
            backfill_cursors: Default::default(),
            backfill: None,
            imported_by_hour: Default::default(),
            last_activity_at: None,
            updated_at: 0,
        }
    }

    #[test]
    fn each_user_says_whether_linkedin_gets_them_and_why_not() {
        let team = HiringTeam {
            tenant_id: "acme".into(),
            job_id: "j-1".into(),
            user_ids: vec!["u-rae".into(), "u-sam".into(), "u-nia".into()],
            sent_members: Vec::new(),
            updated_at: 0,
        };
        let seats = [
            seat("1", Some("u-rae"), Some("urn:li:person:rae")),
            // A second seat of the same person (another contract) names the member once.
            seat("2", Some("u-rae"), Some("urn:li:person:rae")),
            seat("3", Some("u-nia"), None),
            seat("4", None, Some("urn:li:person:sam")),
        ];
        let view = HiringTeamView::new("j-1", Some(&team), &seats);
        assert_eq!(view.acl_id, HiringTeam::acl_id("j-1"));
        let rae = &view.users[0];
        assert!(rae.sent);
        assert_eq!(rae.members, ["urn:li:person:rae"]);
        assert_eq!(rae.reason, None);
        // A seat with Sam's member but not linked to Sam does not count.
        assert!(!view.users[1].sent);
        assert_eq!(view.users[1].reason, Some(NotSentReason::NoLinkedSeat));
        assert!(!view.users[2].sent);
        assert_eq!(view.users[2].reason, Some(NotSentReason::SeatMemberUnknown));

        let none = HiringTeamView::new("j-2", None, &seats);
        assert!(none.users.is_empty());
        assert!(none.updated_at.is_none());
    }
}
