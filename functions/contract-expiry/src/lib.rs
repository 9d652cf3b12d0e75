//! contract-expiry: every hour, reviews every connected contract (found through gsi2, not a
//! scan). Active contracts past their `expiresAt` become Expired; each other active contract is
//! probed with one cheap LinkedIn call, and an answer that it is expired or switched off marks
//! it Expired; a contract LinkedIn had reported expired and now serves again becomes Active.
//! Every change is kept in the contract's audit trail (see `shared::contracts`). Then the seats of
//! every active contract are synced from LinkedIn (see `shared::seats`). Last, every tenant with
//! an active contract gets an outbound-sync nudge: changes kept while its contracts were expired
//! (or left by a run that crashed) go to LinkedIn now, and exports LinkedIn held while the
//! tenant's integration was inactive are queued to be fetched again. And every tenant onboarded
//! with the partner flow has its checklist refreshed (see `shared::onboarding`).
//!
//! The run does tenants itself for `UPKEEP_TIME_BUDGET_SECONDS`, then queues the rest for
//! tenant-upkeep (see `shared::upkeep`), so its work does not grow with the number of tenants.

use std::sync::Arc;
use std::time::Duration;

use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::linkedin::LinkedIn;
use shared::messages::{TenantListing, UpkeepJob};
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::upkeep::{ContractUpkeep, Drive, ExpirySummary, TenantWalk};

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub changes_queue_url: String,
    pub backfill_queue_url: String,
    pub exports_queue_url: String,
    /// Where tenants this run has no time for go (tenant-upkeep).
    pub upkeep_queue_url: String,
    pub backfill_horizon_days: u64,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
    /// How long the run reviews tenants itself before queueing the rest.
    pub time_budget: Duration,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
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
            upkeep_queue_url: env.required(
                "UPKEEP_QUEUE_URL",
                "the upkeep queue (tenants this run has no time for)",
            )?,
            backfill_horizon_days: shared::domain::Backfill::horizon_from_env(env)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
            time_budget: shared::upkeep::time_budget_from(env)?,
        })
    }
}

pub struct ContractExpiry {
    upkeep: ContractUpkeep,
    queue: Queue,
    clock: SharedClock,
    time_budget: Duration,
}

impl ContractExpiry {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        Ok(Self {
            upkeep: ContractUpkeep {
                store: Store::new(clients.dynamodb.clone(), config.table_name),
                secrets: Arc::new(CustomerSecrets::new(
                    clients.secrets.clone(),
                    config.secret_prefix,
                    DEFAULT_CACHE_TTL,
                )),
                linkedin: Arc::new(LinkedIn::new(
                    config.linkedin_api_url,
                    config.linkedin_auth_url,
                )?),
                changes: Queue::new(clients.sqs.clone(), config.changes_queue_url),
                backfills: Queue::new(clients.sqs.clone(), config.backfill_queue_url),
                exports: Queue::new(clients.sqs.clone(), config.exports_queue_url),
                backfill_horizon_days: config.backfill_horizon_days,
                polling_allowance: config.polling_allowance,
            },
            queue: Queue::new(clients.sqs.clone(), config.upkeep_queue_url),
            clock,
            time_budget: config.time_budget,
        })
    }

    /// One run; the LinkedIn calls it made are counted whatever its outcome.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<ExpirySummary> {
        let summary = self.run().await;
        shared::budget::record_calls_of(
            &self.upkeep.store,
            &self.upkeep.linkedin,
            self.clock.now_ms(),
        )
        .await;
        summary
    }

    async fn run(&self) -> shared::Result<ExpirySummary> {
        let now = self.clock.now_ms();
        let u = &self.upkeep;
        let drive = Drive::scheduled(
            &u.store,
            &self.queue,
            &self.clock,
            self.time_budget.as_millis() as i64,
        );
        let mut summary = ExpirySummary::default();
        let contracts = drive
            .walk(
                TenantWalk::start(TenantListing::Contracts),
                UpkeepJob::Contracts,
                |tenant| async move { u.review_tenant(&tenant, now).await },
                &mut summary,
            )
            .await?;
        let onboarded = drive
            .walk(
                TenantWalk::start(TenantListing::Onboarded),
                UpkeepJob::Onboarding,
                |tenant| async move { u.refresh_onboarding(&tenant, now).await },
                &mut summary,
            )
            .await?;
        summary.tenants = contracts;
        summary.tenants += onboarded;
        // The StaleSeats alarm takes the largest count an invocation reports in the hour.
        shared::metrics::count(
            "contract-expiry",
            &[],
            "StaleSeats",
            summary.stale_seats as u64,
        );
        tracing::info!(?summary, "contracts reviewed");
        Ok(summary)
    }
}
