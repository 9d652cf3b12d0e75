//! export-import: turns export notifications from the exports queue into ATS candidates.
//!
//! For `EXPORT_CANDIDATE_PROFILE` it fetches the export from LinkedIn, then, when the contract is
//! connected and active and the job is known, upserts the candidate by member URN with the four
//! fields an export may bring (first name, last name, location, current employer) and adds an
//! application on the job with source LinkedIn. Otherwise it records the export as skipped with
//! its reason, or, when the exporting seat is not linked to an ATS user, as a pending lead that
//! becomes a candidate when the seat is linked (see `shared::exports`). Every outcome is recorded
//! under LinkedIn's request id, so a replayed message changes nothing and costs no LinkedIn call.
//!
//! For `INTEGRATION_STATUS_CHANGE` it fetches the change and disables or re-enables the contract
//! it names.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::activity;
use shared::aws::Clients;
use shared::batch::{self, BatchQueues, Message};
use shared::cache::{KnownJobs, RegisteredTenants};
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::contracts;
use shared::exports;
use shared::linkedin::LinkedIn;
use shared::messages::{LinkedInEvent, NotificationKind, OutboundMessage};
use shared::metrics;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::{ExportClaim, Store};
use shared::{Error, Result, ids};
use tracing::Instrument;

/// The function's name in metrics.
const FUNCTION: &str = "export-import";

/// Messages of one batch processed at once; each makes a few sequential calls.
const CONCURRENCY: usize = 4;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub exports_queue_url: String,
    pub exports_dlq_url: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub changes_queue_url: String,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            exports_queue_url: env.required(
                "EXPORTS_QUEUE_URL",
                "the exports queue this function consumes",
            )?,
            exports_dlq_url: env.required(
                "EXPORTS_DLQ_URL",
                "the dead-letter queue of the exports queue",
            )?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url(
                "LINKEDIN_API_URL",
                "LinkedIn's API base URL, e.g. https://api.linkedin.com/v2",
            )?,
            linkedin_auth_url: env.required_url(
                "LINKEDIN_AUTH_URL",
                "LinkedIn's OAuth base URL, e.g. https://www.linkedin.com/oauth/v2",
            )?,
            changes_queue_url: env.required(
                "ATS_CHANGES_QUEUE_URL",
                "the ats-changes queue (an imported candidate goes to LinkedIn with its member)",
            )?,
        })
    }
}

pub struct ExportImport {
    store: Store,
    registered: RegisteredTenants,
    /// Jobs exports found here, not read again (jobs are never removed).
    jobs: KnownJobs,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    queues: BatchQueues,
    changes: Queue,
    clock: SharedClock,
}

/// How long a job seen to exist is remembered (a job is never removed; this only bounds memory
/// held for jobs no longer exported to).
const JOBS_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

/// How long a delivery's claim on an export lasts (well above one fetch and import).
const CLAIM_LEASE_MS: i64 = 60_000;

impl ExportImport {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Result<Self> {
        let store = Store::new(clients.dynamodb.clone(), config.table_name.clone());
        Ok(Self {
            registered: RegisteredTenants::new(store.clone(), DEFAULT_CACHE_TTL),
            jobs: KnownJobs::new(JOBS_CACHE_TTL),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            linkedin: LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?,
            queues: BatchQueues {
                source: Queue::new(clients.sqs.clone(), config.exports_queue_url),
                dead_letters: Queue::new(clients.sqs.clone(), config.exports_dlq_url),
                log: Some(store.clone()),
            },
            changes: Queue::new(clients.sqs.clone(), config.changes_queue_url),
            store,
            clock,
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let answer = batch::process(event, &self.queues, CONCURRENCY, |m| self.process(m)).await;
        shared::budget::record_calls_of(&self.store, &self.linkedin, self.clock.now_ms()).await;
        answer
    }

    async fn process(&self, message: Message) -> Result<()> {
        let event: LinkedInEvent = message.json()?;
        ids::check("tenantId", &event.tenant_id)?;
        ids::check_external("requestId", &event.request_id)?;
        let span = tracing::info_span!("notification", tenant = %event.tenant_id, request = %event.request_id, kind = ?event.kind);
        match event.kind {
            NotificationKind::ExportCandidateProfile => {
                self.import_export(&event, &message.id)
                    .instrument(span)
                    .await
            }
            NotificationKind::IntegrationStatusChange => {
                self.apply_status_change(&event).instrument(span).await
            }
        }
    }

    /// `delivery` is the SQS message id: a retry of the same message takes its own claim again.
    async fn import_export(&self, event: &LinkedInEvent, delivery: &str) -> Result<()> {
        let tenant_id = &event.tenant_id;
        let now = self.clock.now_ms();
        // Claimed before LinkedIn is asked, so racing deliveries fetch the export once.
        match self
            .store
            .claim_export(tenant_id, &event.request_id, delivery, now, CLAIM_LEASE_MS)
            .await?
        {
            ExportClaim::Claimed => {}
            ExportClaim::Busy => {
                // The delivery holding the claim imports the export; if it fails, its own message
                // comes back and takes the claim again, so this copy is not needed.
                tracing::info!(
                    "another delivery of this export holds its claim; this one is dropped"
                );
                return Ok(());
            }
            ExportClaim::Recorded(done) => {
                tracing::info!(status = ?done.status, "export already recorded; nothing to import");
                // A crash may have come between the import and attaching pending activity.
                if let (Some(candidate), Some(application)) =
                    (&done.candidate_id, &done.application_id)
                {
                    activity::attach_pending(&self.store, tenant_id, candidate, application)
                        .await?;
                }
                return Ok(());
            }
        }
        if !self.registered.contains(tenant_id).await? {
            return Err(Error::NotFound(format!("tenant {tenant_id}")));
        }
        let creds = self.secrets.get(tenant_id).await?;
        let export = match self
            .linkedin
            .exported_candidate(&creds, &event.request_id, now)
            .await
        {
            Ok(Some(export)) => export,
            Ok(None) => {
                return Err(Error::NotFound(format!(
                    "LinkedIn has no export for request {}",
                    event.request_id
                )));
            }
            Err(Error::IntegrationInactive(why)) => {
                // Kept, listed and fetched again once a contract is active (contract-expiry).
                tracing::info!(reason = %why, "LinkedIn holds the export while the integration is inactive");
                exports::hold(&self.store, tenant_id, &event.request_id, now).await?;
                metrics::count(FUNCTION, &[], "ExportsHeld", 1);
                return Ok(());
            }
            Err(e) => return Err(e),
        };

        let outcome = exports::handle(&self.store, &self.jobs, tenant_id, &export, now).await?;
        tracing::info!(contract = %export.contract_id, outcome = ?outcome_label(&outcome), "export handled");
        match &outcome {
            exports::Outcome::Imported { replay: false, .. } => {
                metrics::count(FUNCTION, &[], "ExportsImported", 1);
                self.nudge_sync(tenant_id).await;
            }
            exports::Outcome::Imported { replay: true, .. } => {}
            exports::Outcome::Skipped(reason) => metrics::count(
                FUNCTION,
                &[("Reason", reason.as_str())],
                "ExportsSkipped",
                1,
            ),
            exports::Outcome::Pending => metrics::count(FUNCTION, &[], "LeadsPending", 1),
        }
        Ok(())
    }

    /// Wakes ats-sync for the imported candidate. A lost nudge loses nothing: the candidate is
    /// in the outbox and the hourly contract review nudges every tenant with an active contract.
    async fn nudge_sync(&self, tenant_id: &str) {
        let message = OutboundMessage::Changed {
            tenant_id: tenant_id.to_owned(),
        };
        if let Err(e) = self.changes.send(&message).await {
            tracing::warn!(error = %e, "sync nudge not sent; the hourly review sends the candidate");
        }
    }

    async fn apply_status_change(&self, event: &LinkedInEvent) -> Result<()> {
        let tenant_id = &event.tenant_id;
        let creds = self.secrets.get(tenant_id).await?;
        for change in self
            .linkedin
            .integration_changes(&creds, &event.request_id)
            .await?
        {
            let Ok(contract_id) = ids::urn_number("contract", &change.integration_context) else {
                tracing::info!(context = %ids::truncate(&change.integration_context, 80), "status change not about a contract; nothing to apply");
                continue;
            };
            let enabled = match change.status.as_str() {
                "ENABLED" => true,
                "DISABLED" => false,
                other => {
                    tracing::warn!(status = %ids::truncate(other, 20), "unknown integration status; nothing applied");
                    continue;
                }
            };
            let now = self.clock.now_ms();
            let change = contracts::LinkedInStatusChange {
                enabled,
                request_id: &event.request_id,
                occurred_at: event.occurred_at,
            };
            if contracts::linkedin_status_change(&self.store, tenant_id, &contract_id, &change, now)
                .await?
                .is_none()
            {
                tracing::info!(contract = %contract_id, "status change for a contract that is not connected");
            }
        }
        Ok(())
    }
}

/// The outcome without personal data, for the log.
fn outcome_label(outcome: &exports::Outcome) -> &'static str {
    match outcome {
        exports::Outcome::Imported { replay: false, .. } => "imported",
        exports::Outcome::Imported { replay: true, .. } => "already imported",
        exports::Outcome::Skipped(reason) => reason.as_str(),
        exports::Outcome::Pending => "pending lead: the exporting seat is not linked",
    }
}
