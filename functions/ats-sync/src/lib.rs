//! ats-sync: sends the ATS's changes to LinkedIn (see `shared::outbound` and
//! docs/outbound-sync.md).
//!
//! Messages on the ats-changes queue only say which tenant has work. Every change sends a
//! `Changed` nudge; a batch's nudges for one tenant are answered by one claim (the others are
//! acknowledged at once), which moves the tenant's change counter and starts a sync run unless
//! one holds the tenant's lease (that run then sees the change: `shared::outbound::claim`).
//! `FullSyncStep` messages each mark the next chunk of a full sync and queue the step after it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::aws::Clients;
use shared::batch::{self, BatchQueues, Message};
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::linkedin::LinkedIn;
use shared::messages::OutboundMessage;
use shared::outbound::cleanup;
use shared::outbound::full::{self, StepOutcome};
use shared::outbound::{self, OutboundSync, RunOutcome, records};
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::{Result, ids};
use tracing::Instrument;

/// Tenants synced at once by one invocation.
const CONCURRENCY: usize = 4;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub changes_queue_url: String,
    pub changes_dlq_url: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// Each candidate's page in the ATS (`CANDIDATE_PAGE_URL`).
    pub profile_url: records::ProfileUrl,
    /// How long changes gather before a batch that is not full is sent.
    pub gather: Duration,
    pub time_budget: Duration,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            changes_queue_url: env.required(
                "ATS_CHANGES_QUEUE_URL",
                "the ats-changes queue this function consumes",
            )?,
            changes_dlq_url: env.required(
                "ATS_CHANGES_DLQ_URL",
                "the dead-letter queue of the ats-changes queue",
            )?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            profile_url: records::ProfileUrl::new(&env.required(
                "CANDIDATE_PAGE_URL",
                "the ATS page of a candidate, with {candidateId} in place of the id \
                 (LinkedIn requires it as each candidate's externalProfileUrl)",
            )?)
            .map_err(|problem| ConfigError::Invalid {
                name: "CANDIDATE_PAGE_URL".into(),
                problem,
            })?,
            gather: Duration::from_millis(env.number_or("SYNC_GATHER_MS", 2_000)?.min(20_000)),
            time_budget: env.budget_seconds("SYNC_TIME_BUDGET_SECONDS", 50, 5..=840)?,
        })
    }
}

pub struct AtsSync {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    queues: BatchQueues,
    clock: SharedClock,
    gather: Duration,
    time_budget: Duration,
    profile_url: records::ProfileUrl,
}

impl AtsSync {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Result<Self> {
        Ok(Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name.clone()),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            linkedin: LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?,
            queues: BatchQueues {
                source: Queue::new(clients.sqs.clone(), config.changes_queue_url),
                dead_letters: Queue::new(clients.sqs.clone(), config.changes_dlq_url),
                log: Some(Store::new(clients.dynamodb.clone(), config.table_name)),
            },
            clock,
            gather: config.gather,
            time_budget: config.time_budget,
            profile_url: config.profile_url,
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let started = Instant::now();
        let redundant = redundant_nudges(&event);
        let answer = batch::process(event, &self.queues, CONCURRENCY, |m| {
            let skip = redundant.contains(&m.id);
            async move {
                if skip {
                    return Ok(());
                }
                self.process(m, started).await
            }
        })
        .await;
        shared::budget::record_calls_of(&self.store, &self.linkedin, self.clock.now_ms()).await;
        answer
    }

    async fn process(&self, message: Message, started: Instant) -> Result<()> {
        let body: OutboundMessage = message.json()?;
        ids::check("tenantId", body.tenant_id())?;
        let span = tracing::info_span!("sync", tenant = %body.tenant_id());
        async {
            match &body {
                OutboundMessage::Changed { tenant_id } => {
                    self.sync(tenant_id, &message.id, started).await
                }
                OutboundMessage::FullSyncStep { tenant_id, run_id } => {
                    self.full_sync_step(tenant_id, run_id).await
                }
                OutboundMessage::CleanupStep { tenant_id, run_id } => {
                    self.cleanup_step(tenant_id, run_id).await
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Answers a tenant's nudge: moves its change counter and, unless a run holds its lease,
    /// runs the sync (see `shared::outbound::claim`). The tenant and its secret are read only
    /// by the nudge that runs.
    async fn sync(&self, tenant_id: &str, owner: &str, started: Instant) -> Result<()> {
        let deadline = started + self.time_budget;
        let now = self.clock.now_ms();
        let Some(state) = outbound::claim(&self.store, tenant_id, owner, now, deadline).await?
        else {
            tracing::info!("a sync run holds the lease; it sends these changes");
            return Ok(());
        };
        let tenant = match self.store.get_tenant(tenant_id).await {
            Ok(Some(tenant)) => tenant,
            gone_or_failed => {
                outbound::let_go(&self.store, tenant_id, owner).await;
                tracing::info!("tenant is gone; nothing to sync");
                return gone_or_failed.map(|_| ());
            }
        };
        let creds = match self.secrets.get(tenant_id).await {
            Ok(creds) => creds,
            Err(e) => {
                outbound::let_go(&self.store, tenant_id, owner).await;
                return Err(e);
            }
        };
        let run = OutboundSync {
            store: &self.store,
            linkedin: &self.linkedin,
            creds: &creds,
            tenant: &tenant,
            clock: self.clock.as_ref(),
            dead_letters: &self.queues.dead_letters,
            gather: self.gather,
            profile_url: &self.profile_url,
            deadline,
            owner,
        };
        let outcome = run.run(state).await?;
        tracing::info!(?outcome, "sync run ended");
        if let RunOutcome::Continue { .. } = outcome {
            self.nudge(tenant_id).await?;
        }
        Ok(())
    }

    async fn full_sync_step(&self, tenant_id: &str, run_id: &str) -> Result<()> {
        let outcome = full::step(&self.store, tenant_id, run_id, self.clock.now_ms()).await?;
        tracing::info!(?outcome, "full sync step");
        if outcome == StepOutcome::More {
            self.queues
                .source
                .send(&OutboundMessage::FullSyncStep {
                    tenant_id: tenant_id.to_owned(),
                    run_id: run_id.to_owned(),
                })
                .await?;
        }
        if outcome != StepOutcome::Stale {
            self.nudge(tenant_id).await?;
        }
        Ok(())
    }

    /// Queues the next chunk of a clean-up's deletes, then the next step and a nudge (the
    /// deletes already queued go out while the rest is listed).
    async fn cleanup_step(&self, tenant_id: &str, run_id: &str) -> Result<()> {
        let outcome = cleanup::step(&self.store, tenant_id, run_id, self.clock.now_ms()).await?;
        tracing::info!(?outcome, "clean-up step");
        if outcome == StepOutcome::More {
            self.queues
                .source
                .send(&OutboundMessage::CleanupStep {
                    tenant_id: tenant_id.to_owned(),
                    run_id: run_id.to_owned(),
                })
                .await?;
        }
        if outcome != StepOutcome::Stale {
            self.nudge(tenant_id).await?;
        }
        Ok(())
    }

    async fn nudge(&self, tenant_id: &str) -> Result<()> {
        self.queues
            .source
            .send(&OutboundMessage::Changed {
                tenant_id: tenant_id.to_owned(),
            })
            .await
            .map(|_| ())
    }
}

/// Ids of `Changed` nudges for a tenant that an earlier message of the batch already nudges.
fn redundant_nudges(event: &SqsEvent) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut redundant = HashSet::new();
    for record in &event.records {
        let parsed = record
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<OutboundMessage>(b).ok());
        if let (Some(OutboundMessage::Changed { tenant_id }), Some(id)) =
            (parsed, record.message_id.as_ref())
            && !seen.insert(tenant_id)
        {
            redundant.insert(id.clone());
        }
    }
    redundant
}
