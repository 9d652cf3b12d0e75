//! tenant-upkeep: the scheduled reviews' work for the tenants their runs had no time for, one
//! tenant per message, as many at once as the upkeep queue's consumers allow (see
//! `shared::upkeep`). A message is a tenant's hourly contract review, its onboarding refresh or
//! its daily closed-profile review; or the rest of a listing of tenants, whose jobs this
//! function queues for its time budget before handing on what is left.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::aws::Clients;
use shared::batch::{self, BatchQueues, Message};
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::linkedin::LinkedIn;
use shared::messages::UpkeepMessage;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::upkeep::{ComplianceUpkeep, ContractUpkeep, Drive, TenantWalk, Walked};
use shared::{Result, ids};

/// How long a walk message queues tenants' jobs before handing on the rest.
const WALK_BUDGET: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub linkedin_rest_url: Option<String>,
    pub linkedin_version: Option<String>,
    pub upkeep_queue_url: String,
    pub upkeep_dlq_url: String,
    pub changes_queue_url: String,
    pub backfill_queue_url: String,
    pub exports_queue_url: String,
    pub backfill_horizon_days: u64,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            linkedin_rest_url: shared::linkedin::rest_url_from(env)?,
            linkedin_version: shared::linkedin::version_from(env)?,
            upkeep_queue_url: env.required(
                "UPKEEP_QUEUE_URL",
                "the upkeep queue this function consumes",
            )?,
            upkeep_dlq_url: env.required(
                "UPKEEP_DLQ_URL",
                "the dead-letter queue of the upkeep queue",
            )?,
            changes_queue_url: env.required(
                "ATS_CHANGES_QUEUE_URL",
                "the ats-changes queue (outbound-sync nudges)",
            )?,
            backfill_queue_url: env.required(
                "BACKFILL_QUEUE_URL",
                "the back-fill queue (seats linked by the seat sync, stalled back-fills)",
            )?,
            exports_queue_url: env.required(
                "EXPORTS_QUEUE_URL",
                "the exports queue (exports held while an integration was inactive)",
            )?,
            backfill_horizon_days: shared::domain::Backfill::horizon_from_env(env)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
        })
    }
}

pub struct TenantUpkeep {
    contracts: ContractUpkeep,
    compliance: ComplianceUpkeep,
    queues: BatchQueues,
    clock: SharedClock,
}

impl TenantUpkeep {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Result<Self> {
        let store = Store::new(clients.dynamodb.clone(), config.table_name.clone());
        let secrets = Arc::new(CustomerSecrets::new(
            clients.secrets.clone(),
            config.secret_prefix,
            DEFAULT_CACHE_TTL,
        ));
        let linkedin = Arc::new(
            LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?
                .with_rest(config.linkedin_rest_url, config.linkedin_version),
        );
        let queue = |url: String| Queue::new(clients.sqs.clone(), url);
        Ok(Self {
            contracts: ContractUpkeep {
                store: store.clone(),
                secrets: secrets.clone(),
                linkedin: linkedin.clone(),
                changes: queue(config.changes_queue_url),
                backfills: queue(config.backfill_queue_url),
                exports: queue(config.exports_queue_url),
                backfill_horizon_days: config.backfill_horizon_days,
                polling_allowance: config.polling_allowance,
            },
            compliance: ComplianceUpkeep {
                store: store.clone(),
                secrets,
                linkedin,
            },
            queues: BatchQueues {
                source: queue(config.upkeep_queue_url),
                dead_letters: queue(config.upkeep_dlq_url),
                log: Some(store),
            },
            clock,
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let answer = batch::process(event, &self.queues, 1, |m| self.process(m)).await;
        shared::budget::record_calls_of(
            &self.contracts.store,
            &self.contracts.linkedin,
            self.clock.now_ms(),
        )
        .await;
        answer
    }

    async fn process(&self, message: Message) -> Result<()> {
        let now = self.clock.now_ms();
        match message.json::<UpkeepMessage>()? {
            UpkeepMessage::Contracts { tenant_id } => {
                ids::check("tenantId", &tenant_id)?;
                let summary = self.contracts.review_tenant(&tenant_id, now).await?;
                shared::metrics::count(
                    "tenant-upkeep",
                    &[],
                    "StaleSeats",
                    summary.stale_seats as u64,
                );
                tracing::info!(tenant = %tenant_id, ?summary, "contracts reviewed");
            }
            UpkeepMessage::Onboarding { tenant_id } => {
                ids::check("tenantId", &tenant_id)?;
                let summary = self.contracts.refresh_onboarding(&tenant_id, now).await?;
                tracing::info!(tenant = %tenant_id, ?summary, "onboarding refreshed");
            }
            UpkeepMessage::Compliance { tenant_id } => {
                ids::check("tenantId", &tenant_id)?;
                let summary = self.compliance.review_tenant(&tenant_id, now).await?;
                shared::upkeep::emit_compliance_metrics("tenant-upkeep", &summary);
                tracing::info!(tenant = %tenant_id, ?summary, "closed profiles reviewed");
            }
            UpkeepMessage::Walk {
                listing,
                then,
                next_token,
                last_tenant,
            } => {
                // Only queues: the tenants' jobs run side by side in other invocations.
                let drive = Drive {
                    store: &self.contracts.store,
                    queue: &self.queues.source,
                    clock: &self.clock,
                    do_until: now,
                    queue_until: now + WALK_BUDGET.as_millis() as i64,
                };
                let walked = drive
                    .walk(
                        TenantWalk::resume(listing, next_token, last_tenant),
                        then,
                        // Never called: nothing is done here (`do_until` is now).
                        |_| async { Ok(Walked::default()) },
                        &mut Walked::default(),
                    )
                    .await?;
                tracing::info!(?listing, ?walked, "tenants queued");
            }
        }
        Ok(())
    }
}
