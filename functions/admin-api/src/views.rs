//! What the API returns: explicit views of domain values, with RFC 3339 dates. Secrets never
//! appear here.

use serde::Serialize;
use shared::activity::choose_application;
use shared::clock::to_rfc3339;
use shared::domain::{
    Activity, ActivityDetail, Application, AtsUser, BackfillState, Candidate, ContactInfo,
    Contract, ContractEvent, ContractStatus, DeadLetter, Direction, ExportRecord, ExportStatus,
    ImportCounts, Job, JobState, Seat, SkipReason, Source, Stage, StatusCause, Tenant,
};
use shared::domain::{AtsPhone, JobAvailability, UnprocessedActivity};
use shared::outbound::{ErrorOrigin, FullSync, FullSyncPhase, KindCounts, RecordKind, SyncError};
use shared::store::CandidateRecord;

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
    /// Whether the daily compliance review deletes closed profiles' LinkedIn data.
    pub delete_purged_data: bool,
    pub job_availability: JobAvailability,
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
            delete_purged_data: t.delete_purged_data,
            job_availability: t.job_availability,
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
    /// What set the status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_cause: Option<StatusCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub connected_at: String,
    pub updated_at: String,
    /// The latest successful poll of any of its seats (in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    /// Records imported under it (in listings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<ImportCounts>,
}

impl From<&Contract> for ContractView {
    fn from(c: &Contract) -> Self {
        Self {
            contract_id: c.contract_id.clone(),
            contract: c.urn(),
            status: c.status,
            status_cause: c.status_cause,
            expires_at: c.expires_at.map(to_rfc3339),
            connected_at: to_rfc3339(c.connected_at),
            updated_at: to_rfc3339(c.updated_at),
            last_successful_poll: None,
            imported: None,
        }
    }
}

/// One status transition of a contract.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEventView {
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<ContractStatus>,
    pub to: ContractStatus,
    pub cause: StatusCause,
    pub reason: String,
}

impl From<&ContractEvent> for ContractEventView {
    fn from(e: &ContractEvent) -> Self {
        Self {
            at: to_rfc3339(e.at),
            from: e.from,
            to: e.to,
            cause: e.cause,
            reason: e.reason.clone(),
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
pub struct UserView {
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&AtsUser> for UserView {
    fn from(u: &AtsUser) -> Self {
        Self {
            user_id: u.user_id.clone(),
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            member: u.member.clone(),
            created_at: to_rfc3339(u.created_at),
            updated_at: to_rfc3339(u.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    pub contract_id: String,
    pub seat_id: String,
    pub seat: String,
    /// The holder's name as LinkedIn lists it (known once the hourly seat sync has read it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<String>,
    /// The history back-fill: state (queued, running, done, failed), range, steps, reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfill: Option<BackfillView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackfillView {
    pub state: BackfillState,
    pub from: String,
    pub to: String,
    pub steps: u64,
    /// Share of the range read so far, 0 to 100 (100 when done).
    pub percent: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: String,
}

impl From<&Seat> for SeatView {
    fn from(s: &Seat) -> Self {
        Self {
            contract_id: s.contract_id.clone(),
            seat_id: s.seat_id.clone(),
            seat: s.urn(),
            holder_name: s.holder_name.clone(),
            linked: s.user_id.is_some(),
            user_id: s.user_id.clone(),
            linked_at: s.linked_at.map(to_rfc3339),
            member: s.member.clone(),
            state: s.state.clone(),
            last_polled_at: s.last_polled_at.map(to_rfc3339),
            backfill: s.backfill.as_ref().map(|b| BackfillView {
                state: b.state,
                from: to_rfc3339(b.from),
                to: to_rfc3339(b.to),
                steps: b.steps,
                percent: s.backfill_percent().unwrap_or(0),
                reason: b.reason.clone(),
                updated_at: to_rfc3339(b.updated_at),
            }),
        }
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

/// The tenant's outbound sync: what waits, what was sent, the full sync's progress.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    /// `active`, or `paused` while no contract is active (changes are kept and sent later).
    pub state: &'static str,
    /// Records changed and not yet at LinkedIn.
    pub pending: u64,
    /// Records LinkedIn accepted (stages count one each).
    pub sent: KindCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sent_at: Option<String>,
    /// Records that are not at LinkedIn because of a problem (see `/sync/errors`).
    pub errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_sync: Option<FullSyncView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullSyncView {
    pub run_id: String,
    /// `jobs`, `candidates` (with their applications and stages) or `done`.
    pub phase: FullSyncPhase,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Records changed since then are included.
    pub since: String,
    /// Records queued for sending so far.
    pub queued: KindCounts,
}

impl From<&FullSync> for FullSyncView {
    fn from(f: &FullSync) -> Self {
        Self {
            run_id: f.run_id.clone(),
            phase: f.phase,
            started_at: to_rfc3339(f.started_at),
            finished_at: f.finished_at.map(to_rfc3339),
            since: to_rfc3339(f.since),
            queued: f.queued,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncErrorView {
    pub kind: RecordKind,
    pub record_id: String,
    /// `validation`: the record breaks a LinkedIn rule and was not sent; `linkedIn`: LinkedIn
    /// refused it (it is also on the dead-letter queue).
    pub origin: ErrorOrigin,
    pub message: String,
    pub at: String,
}

impl From<&SyncError> for SyncErrorView {
    fn from(e: &SyncError) -> Self {
        Self {
            kind: e.kind,
            record_id: e.record_id.clone(),
            origin: e.origin,
            message: e.message.clone(),
            at: to_rfc3339(e.at),
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

/// `GET /tenants/{t}/health`: what is flowing and what is not, and why, at a glance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthView {
    pub contracts: Vec<ContractHealth>,
    pub seats: Vec<SeatHealth>,
    /// Seats not linked to an ATS user: nothing of theirs is imported.
    pub unlinked_seats: Vec<String>,
    /// Messages of this tenant moved to a dead-letter queue in the last 14 days (newest first,
    /// at most 20).
    pub dead_letters: Vec<DeadLetterView>,
    /// Records that are not at LinkedIn because of a problem (the first 20; all of them are
    /// at `/sync/errors`).
    pub outbound_sync_errors: Vec<SyncErrorView>,
    /// Recruiter activity LinkedIn returned that could not be decoded or attributed, kept as it
    /// came: how many, and the first 20 with their reasons.
    pub unprocessed_activity: UnprocessedView,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedView {
    pub count: usize,
    pub records: Vec<UnprocessedRecordView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedRecordView {
    pub stream: &'static str,
    pub contract_id: String,
    pub seat_id: String,
    pub record_id: String,
    pub reason: String,
    pub seen_at: String,
}

/// What an administrator does about kept activity records.
pub const UNPROCESSED_FIX: &str = "once the cause is fixed (a seat holder the seat list names, \
     a corrected decoder), POST /tenants/{tenantId}/activity/reprocess imports them without \
     calling LinkedIn (operations runbook, \"Unprocessed activity\")";

impl UnprocessedView {
    pub fn new(kept: &[UnprocessedActivity]) -> Self {
        Self {
            count: kept.len(),
            records: kept
                .iter()
                .take(20)
                .map(|k| UnprocessedRecordView {
                    stream: k.stream.name(),
                    contract_id: k.contract_id.clone(),
                    seat_id: k.seat_id.clone(),
                    record_id: k.record_id.clone(),
                    reason: k.reason.clone(),
                    seen_at: to_rfc3339(k.seen_at),
                })
                .collect(),
            attention: (!kept.is_empty()).then(|| {
                format!(
                    "{} activity record(s) LinkedIn returned could not be imported; they are \
                     kept, not lost: {UNPROCESSED_FIX}",
                    kept.len()
                )
            }),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractHealth {
    pub contract_id: String,
    pub status: ContractStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    /// What an administrator should know or do, when something needs attention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatHealth {
    pub contract_id: String,
    pub seat_id: String,
    pub linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_poll: Option<String>,
    pub imported_last_24h: u64,
    pub stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterView {
    pub at: String,
    pub source: String,
    pub message_id: String,
    pub reason: String,
}

impl HealthView {
    pub fn new(
        contracts: &[Contract],
        seats: &[Seat],
        letters: &[DeadLetter],
        sync_errors: &[SyncError],
        unprocessed: &[UnprocessedActivity],
        now: i64,
    ) -> Self {
        let active = |contract_id: &str| {
            contracts
                .iter()
                .any(|c| c.contract_id == contract_id && c.is_active_at(now))
        };
        let contract_health = contracts
            .iter()
            .map(|c| ContractHealth {
                contract_id: c.contract_id.clone(),
                status: c.status,
                last_successful_poll: last_successful_poll(seats, &c.contract_id).map(to_rfc3339),
                attention: contract_attention(c, now),
            })
            .collect();
        let seat_health = seats
            .iter()
            .map(|s| {
                let linked = s.user_id.is_some();
                let stale = s.is_stale(active(&s.contract_id), now);
                let attention = if !linked {
                    Some("not linked to an ATS user: link it to import its activity".to_owned())
                } else if !active(&s.contract_id) {
                    Some("its contract is not active: nothing is imported for it".to_owned())
                } else if stale {
                    Some("no complete poll for over an hour: check the activity dead-letter queue and LinkedIn's status".to_owned())
                } else {
                    None
                };
                SeatHealth {
                    contract_id: s.contract_id.clone(),
                    seat_id: s.seat_id.clone(),
                    linked,
                    user_id: s.user_id.clone(),
                    last_successful_poll: s.last_polled_at.map(to_rfc3339),
                    imported_last_24h: s.imported_last_24h(now),
                    stale,
                    attention,
                }
            })
            .collect();
        Self {
            contracts: contract_health,
            seats: seat_health,
            unlinked_seats: seats
                .iter()
                .filter(|s| s.user_id.is_none())
                .map(|s| s.seat_id.clone())
                .collect(),
            dead_letters: letters
                .iter()
                .map(|l| DeadLetterView {
                    at: to_rfc3339(l.at),
                    source: l.source.clone(),
                    message_id: l.message_id.clone(),
                    reason: l.reason.clone(),
                })
                .collect(),
            outbound_sync_errors: sync_errors.iter().map(SyncErrorView::from).collect(),
            unprocessed_activity: UnprocessedView::new(unprocessed),
        }
    }
}

fn contract_attention(c: &Contract, now: i64) -> Option<String> {
    let text = match (c.status, c.status_cause) {
        (ContractStatus::Active, _) if c.expires_at.is_some_and(|e| e <= now) => {
            "its expiry date has passed: it stops at the next hourly review unless renewed"
        }
        (ContractStatus::Active, _) => return None,
        (ContractStatus::Expired, Some(StatusCause::LinkedIn)) => {
            "LinkedIn reports it expired or its integration off: renew it with LinkedIn; imports resume on their own"
        }
        (ContractStatus::Expired, _) => {
            "its expiry date has passed: after renewing it with LinkedIn, update expiresAt"
        }
        (ContractStatus::Disabled, Some(StatusCause::LinkedIn)) => {
            "LinkedIn disabled the integration: enable it in LinkedIn"
        }
        (ContractStatus::Disabled, _) => {
            "disconnected by an administrator: connect it again to resume"
        }
    };
    Some(text.to_owned())
}

/// A contract's last successful poll: the latest complete poll of any of its seats.
pub fn last_successful_poll(seats: &[Seat], contract_id: &str) -> Option<i64> {
    seats
        .iter()
        .filter(|s| s.contract_id == contract_id)
        .filter_map(|s| s.last_polled_at)
        .max()
}
