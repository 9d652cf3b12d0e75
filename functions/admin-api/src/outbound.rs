//! The ATS's changes for LinkedIn (jobs, candidates, applications, stages) and the state of the
//! outbound sync. Every change is stored with its outbox attributes in one write; then a nudge
//! wakes ats-sync (see `shared::outbound`).

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Deserialize;
use shared::clock;
use shared::domain::{
    Application, AtsPhone, Candidate, Job, JobAvailability, JobState, PhoneKind, Source, Stage,
};
use shared::http::{self, Answer, Refusal};
use shared::ids;
use shared::messages::OutboundMessage;
use shared::outbound::full;

use crate::AdminApi;
use crate::request::{date, http_url, objects, optional_text, paging, text};
use crate::views::{
    ApplicationView, CandidateSummaryView, CleanupView, FullSyncView, JobView, SyncErrorView,
    SyncView, list,
};

/// Limits on ATS-owned candidate fields, generous for real data and small enough for one item.
const MAX_EMAILS: usize = 20;
const MAX_PHONES: usize = 20;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PHONE_CHARS: usize = 40;
const MAX_NAME_CHARS: usize = 100;
const MAX_TEXT_CHARS: usize = 200;
const MAX_DESCRIPTION_BYTES: usize = 100_000;
/// Most stages one application keeps (each is sent with every stage change).
const MAX_STAGES: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct JobInput {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    country_code: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    company_apply_url: Option<String>,
    /// Who sees the job on LinkedIn; the tenant's `jobAvailability` when absent.
    #[serde(default)]
    availability: Option<JobAvailability>,
    /// RFC 3339; the job's creation time when absent.
    #[serde(default)]
    listed_at: Option<String>,
    state: JobState,
}

/// The ATS's view of a candidate. `firstName`/`lastName` keep their stored value when absent;
/// the ATS-owned fields (emails, phones, title, company, doNotContact) are replaced as given,
/// so an absent one is cleared.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CandidateInput {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default, deserialize_with = "objects")]
    phones: Vec<PhoneInput>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    do_not_contact: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PhoneInput {
    number: String,
    #[serde(default)]
    extension: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<PhoneKind>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ApplicationInput {
    job_id: String,
    candidate_id: String,
    /// Where the application came from, in the ATS's words.
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    disposition_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StageInput {
    stage: String,
    /// RFC 3339.
    at: String,
}

impl AdminApi {
    pub(crate) async fn put_job(&self, tenant_id: &str, job_id: &str, body: JobInput) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let description = body.description.unwrap_or_default();
        if description.len() > MAX_DESCRIPTION_BYTES {
            return Err(Refusal::invalid(format!(
                "description is limited to {MAX_DESCRIPTION_BYTES} bytes"
            )));
        }
        let mut job = Job {
            tenant_id: tenant_id.to_owned(),
            job_id: job_id.to_owned(),
            title: text("title", &body.title, MAX_TEXT_CHARS)?,
            description,
            location: optional_text("location", body.location, MAX_TEXT_CHARS)?.unwrap_or_default(),
            state: body.state,
            country_code: optional_text("countryCode", body.country_code, 2)?,
            postal_code: optional_text("postalCode", body.postal_code, 20)?,
            company_apply_url: optional_text("companyApplyUrl", body.company_apply_url, 2_000)?
                .map(|u| http_url("companyApplyUrl", &u))
                .transpose()?,
            availability: body.availability,
            listed_at: body
                .listed_at
                .as_deref()
                .map(|s| date("listedAt", s))
                .transpose()?,
            created_at: now,
            updated_at: now,
        };
        // One write, which answers the job as it was: its first `createdAt` stays.
        let before = self.store.save_job(&job, now).await?;
        self.nudge(tenant_id).await;
        if let Some(before) = &before {
            job.created_at = before.created_at;
        }
        Ok(http::json(
            if before.is_some() { 200 } else { 201 },
            &JobView::from(&job),
        ))
    }

    pub(crate) async fn get_job(&self, tenant_id: &str, job_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let job = self
            .store
            .get_job(tenant_id, job_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such job"))?;
        Ok(http::json(200, &JobView::from(&job)))
    }

    pub(crate) async fn put_candidate(
        &self,
        tenant_id: &str,
        candidate_id: &str,
        body: CandidateInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        if body.emails.len() > MAX_EMAILS || body.phones.len() > MAX_PHONES {
            return Err(Refusal::invalid(format!(
                "a candidate has at most {MAX_EMAILS} emails and {MAX_PHONES} phones"
            )));
        }
        let emails = body
            .emails
            .iter()
            .map(|e| text("emails[]", e, MAX_EMAIL_CHARS))
            .collect::<Result<Vec<_>, _>>()?;
        let phones = body
            .phones
            .iter()
            .map(|p| {
                Ok(AtsPhone {
                    number: text("phones[].number", &p.number, MAX_PHONE_CHARS)?,
                    extension: optional_text(
                        "phones[].extension",
                        p.extension.clone(),
                        MAX_PHONE_CHARS,
                    )?,
                    kind: p.kind.unwrap_or(PhoneKind::Other),
                })
            })
            .collect::<Result<Vec<_>, Refusal>>()?;
        let name = |field: &str, given: Option<String>| {
            given
                .map(|v| {
                    optional_text(field, Some(v), MAX_NAME_CHARS).map(Option::unwrap_or_default)
                })
                .transpose()
        };
        let first_name = name("firstName", body.first_name)?;
        let last_name = name("lastName", body.last_name)?;
        // A name the ATS left out keeps its stored value (empty for a new candidate).
        let mut keep_first = Vec::new();
        if first_name.is_none() {
            keep_first.push("firstName");
        }
        if last_name.is_none() {
            keep_first.push("lastName");
        }
        let mut candidate = Candidate {
            tenant_id: tenant_id.to_owned(),
            candidate_id: candidate_id.to_owned(),
            member: None,
            first_name: first_name.unwrap_or_default(),
            last_name: last_name.unwrap_or_default(),
            location: None,
            current_company: optional_text("company", body.company, MAX_TEXT_CHARS)?,
            emails,
            phones,
            title: optional_text("title", body.title, MAX_TEXT_CHARS)?,
            do_not_contact: body.do_not_contact,
            source: Source::Ats,
            created_at: now,
            updated_at: now,
        };
        let mut cleared = Vec::new();
        for (attr, empty) in [
            ("emails", candidate.emails.is_empty()),
            ("phones", candidate.phones.is_empty()),
            ("title", candidate.title.is_none()),
            ("currentCompany", candidate.current_company.is_none()),
            ("doNotContact", !candidate.do_not_contact),
        ] {
            if empty {
                cleared.push(attr);
            }
        }
        // One write, which answers the candidate as it was; its applications carry its name and
        // email at LinkedIn, so the store puts them in the outbox too.
        let before = self
            .store
            .save_candidate(&candidate, &cleared, &keep_first, now)
            .await?;
        self.nudge(tenant_id).await;
        if let Some((before, _)) = &before {
            // What the write kept: export fields, the first creation, names left out.
            candidate.member.clone_from(&before.member);
            candidate.location.clone_from(&before.location);
            candidate.source = before.source;
            candidate.created_at = before.created_at;
            if keep_first.contains(&"firstName") {
                candidate.first_name.clone_from(&before.first_name);
            }
            if keep_first.contains(&"lastName") {
                candidate.last_name.clone_from(&before.last_name);
            }
        }
        Ok(http::json(
            if before.is_some() { 200 } else { 201 },
            &CandidateSummaryView::from(&candidate),
        ))
    }

    pub(crate) async fn put_application(
        &self,
        tenant_id: &str,
        application_id: &str,
        body: ApplicationInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        ids::check("jobId", &body.job_id)?;
        ids::check("candidateId", &body.candidate_id)?;
        let now = self.clock.now_ms();
        let existing = self
            .store
            .get_application(tenant_id, application_id)
            .await?;
        if let Some(e) = &existing
            && e.candidate_id != body.candidate_id
        {
            return Err(Refusal::conflict(format!(
                "application {application_id} belongs to candidate {}; an application cannot move to another candidate",
                e.candidate_id
            )));
        }
        if self.store.get_job(tenant_id, &body.job_id).await?.is_none() {
            return Err(Refusal::invalid(format!(
                "jobId {} names no job of this tenant; PUT the job first",
                body.job_id
            )));
        }
        if self
            .store
            .get_candidate(tenant_id, &body.candidate_id)
            .await?
            .is_none()
        {
            return Err(Refusal::invalid(format!(
                "candidateId {} names no candidate of this tenant; PUT the candidate first",
                body.candidate_id
            )));
        }
        let application = Application {
            tenant_id: tenant_id.to_owned(),
            application_id: application_id.to_owned(),
            candidate_id: body.candidate_id,
            job_id: body.job_id,
            source: existing.as_ref().map_or(Source::Ats, |a| a.source),
            contract_id: existing.as_ref().and_then(|a| a.contract_id.clone()),
            exported_by: existing.as_ref().and_then(|a| a.exported_by.clone()),
            source_name: optional_text("source", body.source, MAX_TEXT_CHARS)?,
            disposition_reason: optional_text(
                "dispositionReason",
                body.disposition_reason,
                MAX_TEXT_CHARS,
            )?,
            stages: existing
                .as_ref()
                .map(|a| a.stages.clone())
                .unwrap_or_default(),
            created_at: existing.as_ref().map_or(now, |a| a.created_at),
            updated_at: Some(now),
        };
        let mut cleared = Vec::new();
        if application.source_name.is_none() {
            cleared.push("sourceName");
        }
        if application.disposition_reason.is_none() {
            cleared.push("dispositionReason");
        }
        self.store
            .save_application(&application, &cleared, existing.is_none(), now)
            .await?;
        self.nudge(tenant_id).await;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &ApplicationView::from(&application),
        ))
    }

    pub(crate) async fn get_application(&self, tenant_id: &str, application_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let app = self
            .store
            .get_application(tenant_id, application_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such application"))?;
        Ok(http::json(200, &ApplicationView::from(&app)))
    }

    /// Adds a stage to an application. Posting the same stage at the same time again changes
    /// nothing (200); a new stage answers 201.
    pub(crate) async fn post_stage(
        &self,
        tenant_id: &str,
        application_id: &str,
        body: StageInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let stage = Stage::new(
            &text("stage", &body.stage, MAX_TEXT_CHARS)?,
            date("at", &body.at)?,
        );
        let now = self.clock.now_ms();
        // Read, add, write only if nobody changed the application meanwhile; a few tries.
        let added = shared::store::retry_lost_races(3, || async {
            let mut app = self
                .store
                .get_application(tenant_id, application_id)
                .await?
                .ok_or_else(|| Refusal::not_found("no such application"))?;
            if app.stages.iter().any(|s| s.stage_id == stage.stage_id) {
                return Ok(Some(http::json(200, &ApplicationView::from(&app))));
            }
            if app.stages.len() >= MAX_STAGES {
                return Err(Refusal::conflict(format!(
                    "an application keeps at most {MAX_STAGES} stages"
                )));
            }
            let read_updated_at = app.updated_at;
            app.stages.push(stage.clone());
            app.stages
                .sort_by(|a, b| (a.at, &a.stage_id).cmp(&(b.at, &b.stage_id)));
            app.updated_at = Some(now.max(read_updated_at.unwrap_or(0) + 1));
            if !self.store.save_stages(&app, read_updated_at, now).await? {
                return Ok(None);
            }
            self.nudge(tenant_id).await;
            Ok(Some(http::json(201, &ApplicationView::from(&app))))
        })
        .await?;
        added.ok_or_else(|| Refusal::conflict("the application kept changing; retry"))
    }

    pub(crate) async fn get_sync(&self, tenant_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let state = self.store.sync_state(tenant_id).await?;
        let active = self
            .store
            .list_contracts(tenant_id)
            .await?
            .iter()
            .any(|c| c.is_active_at(now));
        let view = SyncView {
            state: if active { "active" } else { "paused" },
            pending: self.store.count_pending(tenant_id).await?,
            sent: state.sent(),
            last_sent_at: state.last_sent_at.map(clock::to_rfc3339),
            errors: self.store.all_sync_errors(tenant_id).await?.len(),
            full_sync: state.full_sync.as_ref().map(FullSyncView::from),
            cleanup: state.cleanup.as_ref().map(CleanupView::from),
            stopped: state.stopped_at.is_some(),
        };
        Ok(http::json(200, &view))
    }

    pub(crate) async fn list_sync_errors(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_sync_errors(tenant_id, limit, token).await?;
        list(&page, SyncErrorView::from)
    }

    /// Starts a full sync of the last two years; 409 while one is running (a run that made no
    /// progress for 15 minutes, e.g. because its first step could not be queued, is replaced).
    pub(crate) async fn start_full_sync(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        let request = req.request_context.request_id.as_deref().unwrap_or("local");
        let run_id = format!("{now}-{}", ids::truncate(request, 40));
        let run = full::start(&run_id, now);
        if !self.store.start_full_sync(tenant_id, &run).await? {
            return Err(Refusal::conflict(
                "a full sync is already running, or a clean-up is still queuing its deletes; \
                 see GET /tenants/{tenantId}/sync",
            ));
        }
        self.changes
            .send(&OutboundMessage::FullSyncStep {
                tenant_id: tenant_id.to_owned(),
                run_id,
            })
            .await?;
        Ok(http::json(202, &FullSyncView::from(&run)))
    }

    /// Wakes ats-sync after a change (every change sends one: ats-sync answers a batch's nudges
    /// for a tenant once, see `shared::outbound::claim`). A lost nudge loses nothing: the change
    /// is in the outbox and the hourly contract review nudges every tenant with an active
    /// contract.
    pub(crate) async fn nudge(&self, tenant_id: &str) {
        let message = OutboundMessage::Changed {
            tenant_id: tenant_id.to_owned(),
        };
        if let Err(e) = self.changes.send(&message).await {
            tracing::warn!(error = %e, "sync nudge not sent; the hourly review sends the change");
        }
    }
}
