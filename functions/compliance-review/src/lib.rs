//! compliance-review: once a day, for every tenant with a connected contract, reads LinkedIn's
//! closed profiles and flags the candidates among them (see `shared::compliance`).

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::compliance;
use shared::config::{ConfigError, Env};
use shared::linkedin::LinkedIn;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;

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
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            linkedin_rest_url: match env.get("LINKEDIN_REST_URL") {
                Some(_) => Some(
                    env.required_url("LINKEDIN_REST_URL", "LinkedIn's versioned API base URL")?,
                ),
                None => None,
            },
            linkedin_version: match env.get("LINKEDIN_VERSION") {
                Some(v) if v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(v.to_owned())
                }
                Some(v) => {
                    return Err(ConfigError::Invalid {
                        name: "LINKEDIN_VERSION".into(),
                        problem: format!("expected YYYYMM, got {v:?}"),
                    });
                }
                None => None,
            },
        })
    }
}

/// What one run did, over all tenants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub tenants: usize,
    pub listed: usize,
    pub flagged: usize,
    pub deleted: usize,
    /// Tenants whose review failed (tried again tomorrow; LinkedIn asks for every 30 days).
    pub failed: usize,
}

pub struct ComplianceReview {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    clock: SharedClock,
}

impl ComplianceReview {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        Ok(Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            linkedin: LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?
                .with_rest(config.linkedin_rest_url, config.linkedin_version),
            clock,
        })
    }

    /// One run; the LinkedIn calls it made are counted whatever its outcome.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<Summary> {
        let summary = self.run().await;
        shared::budget::record(
            &self.store,
            shared::budget::CallTally::calls_of(&self.linkedin),
            self.clock.now_ms(),
        )
        .await;
        summary
    }

    async fn run(&self) -> shared::Result<Summary> {
        let now = self.clock.now_ms();
        let tenants: BTreeSet<String> = self
            .store
            .all_contracts()
            .await?
            .into_iter()
            .map(|(tenant, _)| tenant)
            .collect();
        let mut summary = Summary {
            tenants: tenants.len(),
            ..Summary::default()
        };
        for tenant_id in tenants {
            let Some(tenant) = self.store.get_tenant(&tenant_id).await? else {
                continue;
            };
            let result = async {
                let creds = self.secrets.get(&tenant_id).await?;
                compliance::review(&self.store, &self.linkedin, &creds, &tenant, now).await
            }
            .await;
            match result {
                Ok(review) => {
                    summary.listed += review.listed;
                    summary.flagged += review.flagged;
                    summary.deleted += review.deleted;
                }
                Err(e) => {
                    tracing::warn!(tenant = %tenant_id, error = %e, "closed-profile review failed; tried again tomorrow");
                    summary.failed += 1;
                }
            }
        }
        tracing::info!(?summary, "closed profiles reviewed");
        shared::metrics::emit(
            "compliance-review",
            &[],
            &[
                (
                    "PurgedFlagged",
                    summary.flagged as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "PurgedDeleted",
                    summary.deleted as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "ComplianceReviewsFailed",
                    summary.failed as f64,
                    shared::metrics::Unit::Count,
                ),
            ],
        );
        Ok(summary)
    }
}
