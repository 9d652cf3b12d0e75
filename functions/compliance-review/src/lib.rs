//! compliance-review: once a day, for every tenant with a connected contract, reads LinkedIn's
//! closed profiles and flags the candidates among them (see `shared::compliance`).

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
use shared::upkeep::{ComplianceSummary, ComplianceUpkeep, Drive, TenantWalk};

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// LinkedIn's versioned base, where closed profiles are listed (default: the API URL with
    /// `/rest` for `/v2`), and the `LinkedIn-Version` it is called with.
    pub linkedin_rest_url: Option<String>,
    pub linkedin_version: Option<String>,
    /// Where tenants this run has no time for go (tenant-upkeep).
    pub upkeep_queue_url: String,
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
            linkedin_rest_url: shared::linkedin::rest_url_from(env)?,
            linkedin_version: shared::linkedin::version_from(env)?,
            upkeep_queue_url: env.required(
                "UPKEEP_QUEUE_URL",
                "the upkeep queue (tenants this run has no time for)",
            )?,
            time_budget: shared::upkeep::time_budget_from(env)?,
        })
    }
}

pub struct ComplianceReview {
    upkeep: ComplianceUpkeep,
    queue: Queue,
    clock: SharedClock,
    time_budget: Duration,
}

impl ComplianceReview {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        Ok(Self {
            upkeep: ComplianceUpkeep {
                store: Store::new(clients.dynamodb.clone(), config.table_name),
                secrets: Arc::new(CustomerSecrets::new(
                    clients.secrets.clone(),
                    config.secret_prefix,
                    DEFAULT_CACHE_TTL,
                )),
                linkedin: Arc::new(
                    LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?
                        .with_rest(config.linkedin_rest_url, config.linkedin_version),
                ),
            },
            queue: Queue::new(clients.sqs.clone(), config.upkeep_queue_url),
            clock,
            time_budget: config.time_budget,
        })
    }

    /// One run; the LinkedIn calls it made are counted whatever its outcome.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<ComplianceSummary> {
        let summary = self.run().await;
        shared::budget::record_calls_of(
            &self.upkeep.store,
            &self.upkeep.linkedin,
            self.clock.now_ms(),
        )
        .await;
        summary
    }

    async fn run(&self) -> shared::Result<ComplianceSummary> {
        let now = self.clock.now_ms();
        let u = &self.upkeep;
        let drive = Drive::scheduled(
            &u.store,
            &self.queue,
            &self.clock,
            self.time_budget.as_millis() as i64,
        );
        let mut summary = ComplianceSummary::default();
        summary.tenants = drive
            .walk(
                TenantWalk::start(TenantListing::Contracts),
                UpkeepJob::Compliance,
                |tenant| async move { u.review_tenant(&tenant, now).await },
                &mut summary,
            )
            .await?;
        tracing::info!(?summary, "closed profiles reviewed");
        shared::upkeep::emit_compliance_metrics("compliance-review", &summary);
        Ok(summary)
    }
}
