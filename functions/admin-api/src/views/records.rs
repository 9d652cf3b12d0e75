//! The records a tenant's data is made of: jobs, candidates, applications with their stages and
//! activity, exports, and candidates whose profiles were closed.

use serde::Serialize;
use shared::activity::choose_application;
use shared::clock::to_rfc3339;
use shared::domain::{
    Activity, ActivityDetail, Application, AtsPhone, Candidate, ContactInfo, Direction,
    ExportRecord, ExportStatus, Job, JobAvailability, JobState, SkipReason, Source, Stage,
};
use shared::store::CandidateRecord;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub job_id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub state: JobState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_apply_url: Option<String>,
    /// Set only when the job overrides its tenant's `jobAvailability`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<JobAvailability>,
    pub listed_at: String,
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
            country_code: j.country_code.clone(),
            postal_code: j.postal_code.clone(),
            company_apply_url: j.company_apply_url.clone(),
            availability: j.availability,
            listed_at: to_rfc3339(j.listed_at.unwrap_or(j.created_at)),
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
    /// ATS-owned fields (never from an export).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<AtsPhone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub do_not_contact: bool,
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
            emails: c.emails.clone(),
            phones: c.phones.clone(),
            title: c.title.clone(),
            do_not_contact: c.do_not_contact,
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
    /// What the member shared after replying to an InMail; newest first.
    pub contact_info: ContactInfo,
    pub applications: Vec<ApplicationView>,
    /// Activity not attached to any application (the candidate had none when it arrived).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unattached_activity: Vec<ActivityView>,
}

impl CandidateView {
    /// Activity stored without an application (it arrived before the member had one) is shown
    /// on the application the importer would choose now, so a race between an export and a poll
    /// never hides it.
    pub fn new(record: &CandidateRecord) -> Self {
        let mut activity: Vec<&Activity> = record.activity.iter().collect();
        activity.sort_by(|a, b| (a.at, &a.activity_id).cmp(&(b.at, &b.activity_id)));
        let placed = |a: &Activity| -> Option<String> {
            a.application_id
                .clone()
                .filter(|id| {
                    record
                        .applications
                        .iter()
                        .any(|app| &app.application_id == id)
                })
                .or_else(|| {
                    choose_application(&record.applications, &a.contract_id)
                        .map(|app| app.application_id.clone())
                })
        };
        let mut unattached = Vec::new();
        let mut by_app: std::collections::HashMap<String, Vec<ActivityView>> =
            std::collections::HashMap::new();
        for a in activity {
            match placed(a) {
                Some(app) => by_app.entry(app).or_default().push(ActivityView::from(a)),
                None => unattached.push(ActivityView::from(a)),
            }
        }
        Self {
            candidate: (&record.candidate).into(),
            contact_info: ContactInfo::from_shares(&record.contacts),
            applications: record
                .applications
                .iter()
                .map(|a| ApplicationView {
                    activity: by_app.remove(&a.application_id).unwrap_or_default(),
                    ..ApplicationView::from(a)
                })
                .collect(),
            unattached_activity: unattached,
        }
    }
}

/// An InMail or a note, as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub activity_id: String,
    /// `inmail` or `note`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub contract_id: String,
    /// The seat that sent, received or wrote it.
    pub seat: String,
    /// When it was sent, or the note created.
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl From<&Activity> for ActivityView {
    fn from(a: &Activity) -> Self {
        let mut v = Self {
            activity_id: a.activity_id.clone(),
            kind: "note",
            application_id: a.application_id.clone(),
            contract_id: a.contract_id.clone(),
            seat: a.seat.clone(),
            at: to_rfc3339(a.at),
            direction: None,
            subject: None,
            body: None,
            text: None,
            last_modified: None,
        };
        match &a.detail {
            ActivityDetail::InMail {
                direction,
                subject,
                body,
                ..
            } => {
                v.kind = "inmail";
                v.direction = Some(*direction);
                v.subject = Some(subject.clone());
                v.body = Some(body.clone());
            }
            ActivityDetail::Note {
                text,
                last_modified,
            } => {
                v.text = Some(text.clone());
                v.last_modified = Some(to_rfc3339(*last_modified));
            }
        }
        v
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    pub application_id: String,
    pub candidate_id: String,
    pub job_id: String,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    /// The application's stages, oldest first.
    pub stages: Vec<StageView>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// InMails and notes about this application, oldest first.
    pub activity: Vec<ActivityView>,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        Self {
            application_id: a.application_id.clone(),
            candidate_id: a.candidate_id.clone(),
            job_id: a.job_id.clone(),
            source: a.source,
            source_name: a.source_name.clone(),
            disposition_reason: a.disposition_reason.clone(),
            contract_id: a.contract_id.clone(),
            exported_by: a.exported_by.clone(),
            stages: a.stages.iter().map(StageView::from).collect(),
            created_at: to_rfc3339(a.created_at),
            updated_at: a.updated_at.map(to_rfc3339),
            activity: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageView {
    pub stage_id: String,
    pub stage: String,
    pub at: String,
}

impl From<&Stage> for StageView {
    fn from(s: &Stage) -> Self {
        Self {
            stage_id: s.stage_id.clone(),
            stage: s.stage.clone(),
            at: to_rfc3339(s.at),
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

/// A candidate LinkedIn reported closed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgedView {
    pub candidate_id: String,
    pub member: String,
    pub purged_at: String,
    pub flagged_at: String,
    /// When its LinkedIn-sourced data was deleted (tenants with `deletePurgedData` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl From<&shared::domain::PurgedCandidate> for PurgedView {
    fn from(p: &shared::domain::PurgedCandidate) -> Self {
        Self {
            candidate_id: p.candidate_id.clone(),
            member: p.member.clone(),
            purged_at: to_rfc3339(p.purged_at),
            flagged_at: to_rfc3339(p.flagged_at),
            deleted_at: p.deleted_at.map(to_rfc3339),
        }
    }
}
